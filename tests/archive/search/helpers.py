"""Helpers for search tests: add articles the way importers do (row + queue entry)."""

from __future__ import annotations

from typing import Any

from archive import models
from archive.store import Archive, mark_for_index


def add_articles(archive: Archive, *articles: dict[str, Any]) -> list[str]:
    """Insert articles with their index-queue rows in one transaction; returns ids."""
    ids = []
    with archive.transaction() as session:
        for fields in articles:
            article = models.Article(**fields)
            session.add(article)
            session.flush()
            mark_for_index(session, article.id)
            ids.append(article.id)
    return ids


def found(archive: Archive, query: str, **kw: Any) -> list[str]:
    """Titles of the hits of `query`."""
    return [hit.title for hit in archive.index.search(query, **kw).hits]


# -- sorted lists of matches (search/expand.SortedListMatcher), for the list merges --

ListSpec = tuple[list[int], list[float] | None, float]


def list_specs(highest: int, most: int) -> Any:
    """A hypothesis strategy of one list: sorted distinct document numbers up to
    `highest` (at most `most`), with weights or one boost for all."""
    from hypothesis import strategies as st

    return st.builds(
        lambda ids, weighted, weights, boost: (
            sorted(ids),
            [weights[i % len(weights)] for i in range(len(ids))] if weighted else None,
            boost,
        ),
        st.sets(st.integers(0, highest), min_size=1, max_size=most),
        st.booleans(),
        st.lists(st.floats(0.1, 9.0), min_size=1, max_size=8),
        st.sampled_from([1.0, 0.5, 2.5]),
    )


def list_matcher(spec: ListSpec) -> Any:
    from archive.search.expand import SortedListMatcher

    ids, weights, boost = spec
    return SortedListMatcher(ids, weights=weights, boost=boost)


def walk(m: Any) -> list[tuple[int, float]]:
    """(document, score) of every match of a matcher, in order."""
    out = []
    while m.is_active():
        out.append((m.id(), m.score()))
        m.next()
    return out


def check_as_whoosh(specs: list[ListSpec], whoosh: Any, merge: Any, numpy_from: int) -> None:
    """`merge` of the lists matches and scores as Whoosh's binary matcher `whoosh` over
    them, on the numpy path (`numpy_from` 0) or the Python one; and each block of the
    result knows its best score (what lets the collector skip)."""
    import pytest

    from archive.search import matchers

    expected_matcher = list_matcher(specs[0])
    for spec in specs[1:]:
        expected_matcher = whoosh(expected_matcher, list_matcher(spec))
    expected = walk(expected_matcher)
    saved = matchers.NUMPY_MERGE
    matchers.NUMPY_MERGE = numpy_from
    try:
        merged = merge([list_matcher(s) for s in specs])
    finally:
        matchers.NUMPY_MERGE = saved
    got = walk(merged)
    assert [d for d, _ in got] == [d for d, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected])
    scores = [s for _, s in got]
    if scores:
        assert merged._maxes == [max(scores[k : k + 128]) for k in range(0, len(scores), 128)]
