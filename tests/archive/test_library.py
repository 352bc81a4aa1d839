"""The library listing: rows with counts, filters, sorting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import models
from archive.errors import NotFound
from archive.library import (
    LISTING_FIELDS,
    LibraryFilter,
    LibraryRow,
    article_count,
    article_listing,
    article_text,
    filter_rows,
    library_rows,
    list_articles,
    row_matches,
    sort_rows,
    view_rows,
)


def _add(session, title: str, source: str, published: str | None, language: str = "en"):
    article = models.Article(
        title=title, source=source, published=published, language=language, text=title
    )
    session.add(article)
    session.flush()
    return article


def _annotate(session, article, type_key: str, n: int = 1) -> None:
    for i in range(n):
        session.add(
            models.Annotation(
                article_id=article.id, start=i, end=i + 1, quote="x", type_key=type_key
            )
        )


def _fill(archive):
    with archive.transaction() as s:
        a = _add(s, "Strike at the harbour", "Coast Herald", "2021-03-05")
        b = _add(s, "Arrests in the capital", "Daily Lantern", "2021-04")
        c = _add(s, "Flood relief figures", "Coast Herald", None, language="my")
        coll = models.Collection(name="Harbour case")
        s.add(coll)
        s.flush()
        s.add(models.ArticleCollection(article_id=a.id, collection_id=coll.id))
        _annotate(s, a, "actor", 2)
        _annotate(s, a, "figure", 1)
        _annotate(s, b, "event", 3)
    return a.id, b.id, c.id, coll.id


def test_rows_carry_counts_per_type_and_collections(archive) -> None:
    a, b, c, coll = _fill(archive)
    rows = {r.id: r for r in library_rows(archive)}
    assert set(rows) == {a, b, c}
    assert rows[a].annotations == 3
    assert rows[a].tag_counts == {"actor": 2, "figure": 1}
    assert rows[a].collections == frozenset({coll})
    assert rows[b].annotations == 3 and rows[b].tag_counts == {"event": 3}
    assert rows[c].annotations == 0 and rows[c].published == "" and rows[c].language == "my"


def test_rows_for_some_ids_only(archive) -> None:
    a, _b, c, _ = _fill(archive)
    rows = library_rows(archive, article_ids=[a, c])
    assert sorted(r.id for r in rows) == sorted([a, c])
    assert {r.id: r.annotations for r in rows}[a] == 3


def test_empty_archive_has_no_rows(archive) -> None:
    assert library_rows(archive) == []


def test_filters(archive) -> None:
    a, b, c, coll = _fill(archive)
    rows = library_rows(archive)

    def ids(flt: LibraryFilter) -> set[str]:
        return {rows[i].id for i in filter_rows(rows, flt)}

    assert ids(LibraryFilter()) == {a, b, c}
    assert ids(LibraryFilter(text="coast")) == {a, c}
    assert ids(LibraryFilter(text="COAST strike")) == {a}
    assert ids(LibraryFilter(collection_id=coll)) == {a}
    assert ids(LibraryFilter(tag_type="event")) == {b}
    assert ids(LibraryFilter(tag_type="figure", text="harbour")) == {a}
    # Month-precision dates match a range touching that month; undated never match.
    assert ids(LibraryFilter(date_from="2021-04-10")) == {b}
    assert ids(LibraryFilter(date_to="2021-03-31")) == {a}
    assert ids(LibraryFilter(date_from="2021", date_to="2021")) == {a, b}


def test_sorting_by_each_column(archive) -> None:
    a, b, c, _ = _fill(archive)
    rows = library_rows(archive)
    order = list(range(len(rows)))
    by_title = [rows[i].id for i in sort_rows(rows, order, "title")]
    assert by_title == [b, c, a]
    by_date_desc = [rows[i].id for i in sort_rows(rows, order, "published", descending=True)]
    assert by_date_desc == [b, a, c]
    by_count = [rows[i].annotations for i in sort_rows(rows, order, "annotations")]
    assert by_count == sorted(by_count)


_dates = st.one_of(
    st.just(""),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
    st.dates().map(lambda d: d.isoformat()[:4]),
)


@given(published=_dates, lo=_dates, hi=_dates)
def test_a_day_date_filter_agrees_with_plain_comparison(published: str, lo: str, hi: str) -> None:
    row = LibraryRow("x", "t", "s", published, "en", "")
    got = row_matches(row, LibraryFilter(date_from=lo, date_to=hi))
    if not published:
        assert got is (not (lo or hi))
    elif len(published) == 10 and len(lo) in (0, 10) and len(hi) in (0, 10):
        assert got == ((not lo or published >= lo) and (not hi or published <= hi))


def test_article_text(archive) -> None:
    a, *_ = _fill(archive)
    assert article_text(archive, a) == "Strike at the harbour"
    assert article_text(archive, "nope") == ""


def test_article_count(archive) -> None:
    assert article_count(archive) == 0
    _fill(archive)
    assert article_count(archive) == 3


def test_many_ids_are_read_in_chunks(archive) -> None:
    with archive.transaction() as s:
        ids = [_add(s, f"Report {i}", "Herald", "2020-01-01").id for i in range(1200)]
    rows = library_rows(archive, ids + ids[:10])  # repeats are read once
    assert sorted(r.id for r in rows) == sorted(ids)


def test_the_listing_is_the_librarys_view_newest_first_then_by_title(archive) -> None:
    a, b, c, coll = _fill(archive)
    with archive.transaction() as s:
        d = _add(s, "another day at the harbour", "Coast Herald", "2021-03-05").id
    listed = list_articles(archive)
    # Newest first (a month-only date sorts as its prefix), undated last; by title in a day.
    assert [r["id"] for r in listed] == [b, d, a, c]
    assert all(list(r) == list(LISTING_FIELDS) for r in listed)
    assert listed[-1]["published"] is None and listed[-1]["source"] == "Coast Herald"
    # The window's view of the same filter holds the same articles.
    rows = library_rows(archive)
    view = view_rows(rows, LibraryFilter(), "published", descending=True)
    assert {rows[i].id for i in view} == {r["id"] for r in listed}
    # A collection by name (or id); an unknown one is named.
    assert [r["id"] for r in list_articles(archive, "Harbour case")] == [a]
    assert [r["id"] for r in list_articles(archive, coll)] == [a]
    with pytest.raises(NotFound, match="No collection named 'Nope'"):
        list_articles(archive, "Nope")


def test_article_listing_keeps_the_order_asked_and_skips_unknown_ids(archive) -> None:
    a, _b, c, _coll = _fill(archive)
    listed = article_listing(archive, [c, "nope", a])
    assert [r["id"] for r in listed] == [c, a]
    assert listed[1]["title"] == "Strike at the harbour"
    assert article_listing(archive, []) == []
