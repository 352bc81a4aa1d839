"""Offsets between code points and UTF-16, overlap pieces, and the reader's article."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import models
from archive.errors import NotFound
from archive.identity import ensure_user
from archive.reading import Utf16Map, load_article, overlap_segments

EMOJI = "\U0001f600"  # 😀, outside the BMP
BURMESE = "ရဲတပ်ဖွဲ့ဝင်"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_identity_without_astral_characters() -> None:
    m = Utf16Map(BURMESE + " police")
    assert m.identity
    assert m.to_utf16(5) == 5
    assert m.to_code_point(5) == 5


def test_span_after_emoji_and_burmese() -> None:
    text = f"{EMOJI} {BURMESE} {EMOJI}{EMOJI} more than 600 police"
    start = text.index("more")
    end = start + len("more than 600 police")
    m = Utf16Map(text)
    u_start, u_end = m.span_to_utf16(start, end)
    assert u_start == utf16_len(text[:start]) == start + 3
    assert u_end - u_start == end - start
    assert m.span_to_code_points(u_end, u_start) == (start, end)


def test_offset_inside_a_surrogate_pair_rounds_down() -> None:
    m = Utf16Map(f"a{EMOJI}b")
    assert m.to_code_point(2) == 1  # between the two halves of the emoji
    assert m.to_code_point(3) == 2
    assert m.to_utf16(99) == 4 and m.to_code_point(99) == 3


@given(st.lists(st.sampled_from(["a", " ", "é", "ဝ", "င်", EMOJI, "\U0001f1f2", "\n"])).map("".join))
def test_round_trip_matches_utf16_encoding(text: str) -> None:
    m = Utf16Map(text)
    assert m.utf16_length == utf16_len(text)
    for cp in range(len(text) + 1):
        u16 = m.to_utf16(cp)
        assert u16 == utf16_len(text[:cp])
        assert m.to_code_point(u16) == cp


@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40)).map(lambda t: (min(t), max(t))),
        max_size=12,
    )
)
def test_overlap_segments_cover_exactly_the_spans(spans: list[tuple[int, int]]) -> None:
    segments = overlap_segments(spans)
    covered: dict[int, set[int]] = {}
    last_end = -1
    for a, b, idx in segments:
        assert a < b and a >= last_end
        last_end = b
        for p in range(a, b):
            covered[p] = set(idx)
    for p in range(41):
        expected = {i for i, (s, e) in enumerate(spans) if s <= p < e}
        assert covered.get(p, set()) == expected


def test_overlap_segments_order_outer_before_inner() -> None:
    segments = overlap_segments([(5, 8), (0, 10)])
    assert segments == [(0, 5, (1,)), (5, 8, (1, 0)), (8, 10, (1,))]


def test_load_article_with_annotation_details(archive) -> None:
    text = f"{EMOJI} {BURMESE} — More than 600 police joined."
    start = text.index("More")
    with archive.transaction() as session:
        user = ensure_user(session)
        article = models.Article(
            title="A test",
            source="Test Wire",
            byline="A. Writer",
            published="2021-03-05",
            url="https://example.org/a",
            text=text,
        )
        entity = models.Entity(type_key="figure", name="police who joined")
        session.add_all([article, entity])
        session.flush()
        session.add(
            models.Annotation(
                article_id=article.id,
                start=start,
                end=start + 20,
                quote=text[start : start + 20],
                type_key="figure",
                entity_id=entity.id,
                note="check",
                created_by=user.id,
                value=600,
                qualifier="more than",
                counted="police",
            )
        )
        article_id = article.id
    reading = load_article(archive, article_id)
    assert reading.header_lines() == [
        "A test",
        "Test Wire · A. Writer · 2021-03-05",
        "https://example.org/a",
    ]
    (ann,) = reading.annotations
    assert ann.quote == "More than 600 police"
    assert ann.entity_name == "police who joined"
    assert ann.author == "Test User"
    assert ann.colour.startswith("#") and ann.type_label == "Figure"
    assert reading.annotations_at(start + 1) == [ann]
    assert reading.annotations_at(0) == []
    # Where it came from, as `sesame show` prints it; the annotations only when wanted.
    bare = load_article(archive, article_id, with_annotations=False)
    assert bare.annotations == [] and bare.text == text
    assert (bare.published_precision, bare.imported_from, bare.parent_id, bare.meta) == (
        "unknown", "", None, {},
    )  # fmt: skip
    assert bare.imported_at.startswith("20") and bare.original_sha256 is None


def test_load_missing_article(archive) -> None:
    with pytest.raises(NotFound):
        load_article(archive, "nope")


def test_markdown_markup_hides_syntax_but_not_what_a_tag_quotes() -> None:
    from archive.reading import markdown_markup

    text = "# Police defect\n\nBy [The Irrawaddy](#) and **Reuters**. ![a photo](x.jpg)\n"
    markup = markdown_markup(text)
    assert [text[a:b] for a, b in markup.hidden] == [
        "# ", "[", "](#)", "**", "**", "![", "](x.jpg)"
    ]  # fmt: skip
    assert [text[a:b] for a, b in markup.headings] == ["Police defect"]
    assert [text[a:b] for a, b in markup.strong] == ["Reuters"]
    quoted = (text.index("Irrawaddy"), text.index("(#)") + 3)  # a tag that quotes "](#)"
    markup = markdown_markup(text, keep=[quoted])
    assert [text[a:b] for a, b in markup.dimmed] == ["](#)"]
    assert "](#)" not in [text[a:b] for a, b in markup.hidden]
    plain = "Police said 600 officers [sic] joined (Reuters)."
    assert markdown_markup(plain) == markdown_markup("")


def test_the_readers_plain_sql_gives_what_the_orm_holds(archive) -> None:
    """`load_article` reads with plain SQL (an `Archive`'s connection, or a `Reader`'s for
    `sesame show`): every field as the ORM gives it, times in UTC with their offset."""
    from archive.annotate import list_annotations
    from archive.reader import open_readable

    with archive.transaction() as session:
        user = ensure_user(session)
        article = models.Article(
            title="Kept",
            text="Curfew in Derin.",
            meta={"ocr": {"languages": "mya+eng"}, "pages": 2},
            text_origin="ocr",
            ocr_confidence=71.5,
            sensitive=True,
            sensitive_reason="graphic",
            captured_at="2024-03-05T10:00:00Z",
        )
        session.add(article)
        session.flush()
        session.add(
            models.Annotation(
                article_id=article.id, start=0, end=6, quote="Curfew", type_key="event",
                created_by=user.id, value=3, low=2.5, sensitive=True,
            )
        )  # fmt: skip
        article_id = article.id
    with archive.session() as session:
        stored = session.get(models.Article, article_id)
        assert stored is not None
        imported_at = stored.imported_at.isoformat()
    reading = load_article(archive, article_id)
    assert reading.imported_at == imported_at and imported_at.endswith("+00:00")
    assert reading.meta == {"ocr": {"languages": "mya+eng"}, "pages": 2}
    assert (reading.sensitive, reading.ocr_confidence) == (True, 71.5)
    assert reading.machine_read() is not None
    (ann,) = reading.annotations
    assert (ann.sensitive, ann.orphaned, ann.value, ann.low) == (True, False, 3, 2.5)
    records = list_annotations(archive, article_id)
    assert records[0].created_at.endswith("+00:00") and records[0].sensitive is True
    archive.close()
    reader = open_readable(archive.path)
    assert reader is not None
    with reader:
        assert load_article(reader, article_id) == reading
        from archive.annotation_records import read_records

        with reader.read_connection() as conn:
            assert read_records(conn, article_id) == records


def test_the_window_and_the_command_line_read_the_same_annotations(archive, add_article) -> None:
    """One read of annotations (`reading.annotation_rows`), two shapes: the reader's
    `ReadingAnnotation` and the CLI's `AnnotationRecord` (list, show, one by id) agree."""
    from archive.annotate import create_annotation, get_annotation, list_annotations
    from archive.reading import load_annotations

    article_id = add_article("Police said 600 officers defected in Mandalay on Sunday.")
    outer = create_annotation(archive, article_id, 0, 24, "event", note="the claim")
    inner = create_annotation(archive, article_id, 12, 15, "figure", value=600)
    create_annotation(archive, article_id, 37, 45, "actor", entity_name="Mandalay")
    reading = load_annotations(archive, article_id)
    records = list_annotations(archive, article_id)
    assert [a.id for a in reading][:2] == [outer.id, inner.id]  # outer spans first
    by_id = {r.id: r for r in records}
    assert set(by_id) == {a.id for a in reading}
    for a in reading:
        r = by_id[a.id]
        assert (a.start, a.end, a.quote, a.type_key, a.entity_id, a.entity_name) == (
            r.start, r.end, r.quote, r.type, r.entity_id, r.entity,
        )  # fmt: skip
        assert (a.note, a.author, a.origin, a.orphaned, a.value, a.sensitive) == (
            r.note, r.created_by, r.origin, r.orphaned, r.value, r.sensitive,
        )  # fmt: skip
        assert a.type_label and a.colour.startswith("#")
        assert get_annotation(archive, a.id[:10]) == r
    assert by_id[inner.id].created_at.endswith("+00:00")
    assert [(r.quote, r.entity) for r in records if r.type == "actor"] == [("Mandalay", "Mandalay")]
