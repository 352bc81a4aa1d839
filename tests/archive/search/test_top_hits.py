"""The top hits are the best-scoring matches: the collector's block skipping never drops one.

Whoosh's unions and intersections skipped a child's blocks by the other's
current block, and lost better matches from the top (`the AND police` at
50,000 articles); lists tell the best of the rest (search/common_terms.py).
Here every query's top 20, with its scores, must be what a collector that
skips nothing finds, on an archive of several segments with long postings;
and every term's list scores are Whoosh's own.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from archive.search import arrays, common_terms, top
from archive.store import Archive

from .helpers import add_articles

WORDS = "the of police said city protest army report village rice market road".split()  # noqa: SIM905

arrays.load()  # the array paths run only where numpy is loaded (search/arrays.py)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    rng = random.Random(5)
    arc = Archive.open(tmp_path_factory.mktemp("top") / "arc", create=True)
    for batch in range(3):  # three commits: three segments
        add_articles(
            arc,
            *(
                {
                    "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {batch}-{n}",
                    "text": " ".join(
                        WORDS[min(int(rng.paretovariate(0.8)) - 1, len(WORDS) - 1)]
                        for _ in range(rng.randint(5, 60))
                    ),
                    "source": f"Source {n % 4}",
                }
                for n in range(400)
            ),
        )
        arc.index.catch_up(force=True)
    yield arc
    arc.close()


QUERIES = [
    "the",
    "police",
    "the AND police",
    "the police",
    "police OR pol*",
    "the NOT police",
    "city OR village OR road",
    '"the police" OR army',
    "said AND (city OR road)",
    "re* AND the",
]


def _top(arc: Archive, q: str, limit: int = 20) -> list[tuple[str, float]]:
    return [(h.id, round(h.score, 9)) for h in arc.index.search(q, limit=limit, facets=False).hits]


def test_the_top_20_is_what_a_collector_that_skips_nothing_finds(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    skipping = {q: _top(archive, q) for q in QUERIES}
    original = top.TopHits.__init__

    def exhaustive(self: top.TopHits, *args: object, **kwargs: object) -> None:
        kwargs["usequality"] = False
        original(self, *args, **kwargs)

    monkeypatch.setattr(top.TopHits, "__init__", exhaustive)
    for q in QUERIES:
        assert skipping[q] == _top(archive, q), q
    assert all(skipping[q] for q in QUERIES)


@pytest.mark.parametrize("numpy_from", [0, 10**9], ids=["numpy", "python"])
def test_terms_scored_as_lists_score_as_whoosh(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, numpy_from: int
) -> None:
    monkeypatch.setattr(common_terms, "NUMPY_FROM", numpy_from)
    listed = {q: _top(archive, q) for q in ("the", "police", "rice", "title:city")}
    monkeypatch.setattr(
        common_terms.ListedTerm, "matcher", lambda self, s, c=None: wq.Term.matcher(self, s, c)
    )
    for q, hits in listed.items():
        whoosh = _top(archive, q)
        # The same documents with the same scores (single terms: no skipping at stake).
        assert sorted(hits) == sorted(whoosh), q
        assert hits


# Lists of (document, score): drawn so that blocks of 128 differ in their best scores.
scored = st.dictionaries(
    st.integers(0, 2000), st.floats(0.01, 10.0, allow_nan=False), min_size=1, max_size=700
)


def _collect(matcher: object, limit: int) -> list[tuple[float, int]]:
    """Whoosh's collector loop (collectors.ScoredCollector.matches with TopHits' floor):
    skip to quality when a block changes, once the top is full."""
    import heapq

    items: list[tuple[float, int]] = []
    minscore = 0.0
    check = True
    m: Any = matcher
    while m.is_active():
        if check and minscore:
            m.skip_to_quality(minscore)
            if not m.is_active():
                break
        score, doc = m.score(), m.id()
        if len(items) < limit:
            heapq.heappush(items, (score, -doc))
        elif score > items[0][0]:
            heapq.heapreplace(items, (score, -doc))
        if len(items) >= limit:
            minscore = items[0][0]
        check = m.next()
    return sorted(((s, -d) for s, d in items), key=lambda x: (-x[0], x[1]))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(scored, min_size=3, max_size=3),
    st.sampled_from(["and", "or", "and of or"]),
    st.sampled_from([1, 3, 20]),
)
def test_unions_and_intersections_of_lists_never_skip_a_better_match(
    lists: list[dict[int, float]], shape: str, limit: int
) -> None:
    from whoosh.matching import IntersectionMatcher, UnionMatcher

    from archive.search.expand import SortedListMatcher

    def make(d: dict[int, float]) -> SortedListMatcher:
        ids = sorted(d)
        return SortedListMatcher(ids, weights=[d[i] for i in ids])

    a, b, c = lists
    m: Any
    if shape == "and":
        m, docs = IntersectionMatcher(make(a), make(b)), set(a) & set(b)
        lists = [a, b]
    elif shape == "or":
        m, docs = UnionMatcher(UnionMatcher(make(a), make(b)), make(c)), set(a) | set(b) | set(c)
    else:
        m = IntersectionMatcher(UnionMatcher(make(a), make(b)), make(c))
        docs = (set(a) | set(b)) & set(c)
    every = sorted(
        ((sum(d.get(doc, 0.0) for d in lists), doc) for doc in docs), key=lambda x: (-x[0], x[1])
    )
    got = _collect(m, limit)
    # The best scores are found (documents may differ only among equal scores).
    assert [round(s, 9) for s, _ in got] == [round(s, 9) for s, _ in every[:limit]]
