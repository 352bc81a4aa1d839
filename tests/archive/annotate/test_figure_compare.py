"""The figure comparison: the range across sources, conflicts, independent sources."""

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from archive import annotate, entities, figures, models
from archive.figures import FigureClaim, independent_sources
from archive.store import Archive


def claim(value: float | None, qualifier: str | None = "exactly", **kw: object) -> FigureClaim:
    fields: dict[str, object] = dict(
        annotation_id="a", article_id="art", article_title="", source=None, published=None,
        value=value, qualifier=qualifier, counted=None, as_of=None, quote="", orphaned=False,
    )  # fmt: skip
    fields.update(kw)
    return FigureClaim(**fields)  # type: ignore[arg-type]


def group(*claims: FigureClaim) -> figures.FigureGroup:
    g = figures.FigureGroup("e", "police", list(claims))
    g.compare()
    return g


def test_articles_with_no_source_count_as_a_source_each() -> None:
    g = group(
        claim(600, article_id="a1"), claim(500, article_id="a2"), claim(19, source="Irrawaddy")
    )
    assert g.sources == ["(unknown source)", "Irrawaddy"]  # names to show
    assert g.source_count() == 3 == g.to_dict()["source_count"]
    assert g.independent == 3


def test_bounds_follow_the_qualifier_or_the_range() -> None:
    assert claim(600, "more than").bounds() == (600, figures.INFINITY)
    assert claim(19, "at least").bounds() == (19, figures.INFINITY)
    assert claim(50, "up to").bounds() == (0, 50)
    assert claim(600, "about").bounds() == (540, 660)
    assert claim(500, "at least", low=500, high=600).bounds() == (500, 600)
    assert claim(None).bounds() is None


def test_conflict_when_no_number_satisfies_every_claim() -> None:
    assert not group(claim(600, "more than"), claim(500, "more than")).conflict
    assert group(claim(600, "more than"), claim(19, "exactly")).conflict
    assert not group(claim(550, low=500, high=600), claim(600, "about")).conflict
    assert group(claim(550, low=500, high=520), claim(600, "exactly")).conflict
    g = group(claim(600, "more than"), claim(500, "more than"), claim(19, "at least"))
    assert (g.low, g.high, g.conflict) == (19, 600, False)
    assert group(claim(None)).low is None


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000)), min_size=1, max_size=6))
def test_conflict_is_some_pair_not_overlapping(ranges: list[tuple[int, int]]) -> None:
    spans = [tuple(sorted(r)) for r in ranges]
    claims = [claim(lo, low=lo, high=hi) for lo, hi in spans]
    pairwise = any(a[1] < b[0] or b[1] < a[0] for a in spans for b in spans)
    assert group(*claims).conflict == pairwise


def test_independent_sources() -> None:
    claims = [
        claim(1, article_id="a1", source="The Irrawaddy"),
        claim(1, article_id="a2", source="the irrawaddy "),  # one publication
        claim(1, article_id="a3", source="Myanmar Now", copy_group="g1"),
        claim(1, article_id="a4", source="Frontier", copy_group="g1"),  # a copy of a3
        claim(1, article_id="a5", source=None),
        claim(1, article_id="a6", source=None),
        claim(1, article_id="a7", source="Frontier"),  # Frontier is in g1's chain
    ]
    assert independent_sources(claims) == 4
    # Sources: three publications and the two articles with none, each on its own;
    # never fewer than the independent sources (QA: "1 source(s), 2 independent").
    assert group(*claims).source_count() == 5 >= group(*claims).independent


def test_figure_table_compares(archive: Archive, add_article: Callable[..., str]) -> None:
    police = entities.create_entity(archive, "figure", "police who joined CDM").id
    texts = {
        "A": "More than 600 police officers have joined.",
        "B": "Over 500 police officers have joined.",
        "C": "At least 19 police officers fled.",
    }
    ids = {k: add_article(t, source=f"Paper {k}") for k, t in texts.items()}
    reprint = add_article(texts["B"], source="Paper D")
    for key, text in [*texts.items(), ("D", texts["B"])]:
        article = ids.get(key, reprint)
        end = text.index(" have") if " have" in text else text.index(" fled")
        annotate.create_annotation(archive, article, 0, end, "figure", entity_id=police)
    with archive.transaction() as session:  # marked as copies (copy detection's job)
        for row in session.exec(select(models.Article)):
            if row.id in (ids["B"], reprint):
                row.copy_group = "copies-1"
                session.add(row)
    [g] = figures.figure_table(archive)
    doc = g.to_dict()
    assert (doc["low"], doc["high"], doc["conflict"]) == (19, 600, False)
    assert doc["independent_sources"] == 3 and len(doc["sources"]) == 4
    assert {c["copy_group"] for c in doc["claims"]} == {None, "copies-1"}


def test_sesame_figures_shows_the_comparison(
    archive: Archive, add_article: Callable[..., str], monkeypatch: object
) -> None:
    import io
    import json

    from archive.cli import main

    police = entities.create_entity(archive, "figure", "police").id
    for text, source in (("More than 600 police joined.", "A"), ("Only 19 police joined.", "B")):
        article = add_article(text, source=source)
        end = text.index(" joined")
        annotate.create_annotation(archive, article, 0, end, "figure", entity_id=police)
    where = ["--archive", str(archive.path)]
    out = io.StringIO()
    assert main(["figures", "--linked", "--json", *where], stdout=out) == 0
    [doc] = json.loads(out.getvalue())
    assert (doc["low"], doc["high"], doc["conflict"], doc["independent_sources"]) == (
        19, 600, True, 2)  # fmt: skip
    out = io.StringIO()
    assert main(["figures", *where], stdout=out) == 0
    assert "police  19 to 600  CONFLICT  (2 claim(s) from 2 source(s), 2 independent)" in (
        out.getvalue()
    )
