"""ANDs of lists intersected into one list and NOTs taken out of a list at once
(matchers.ListIntersection, ListDifference) match and score as Whoosh's own
intersection and AndNot: hypothesis draws the lists; in a real index of several
segments, with deletions, the top hits, their scores and the totals are the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select
from whoosh import query as wq
from whoosh.matching import IntersectionMatcher

from archive import models
from archive.search import arrays, matchers, top
from archive.search.expand import SortedListMatcher
from archive.store import Archive, mark_for_index

from .helpers import ListSpec, add_articles, check_as_whoosh, list_specs

a_list = list_specs(300, 200)

arrays.load()  # the array paths run only where numpy is loaded (search/arrays.py)


@pytest.mark.parametrize("numpy_from", [0, 10**9], ids=["numpy", "python"])
@settings(max_examples=150, deadline=None)
@given(st.lists(a_list, min_size=2, max_size=4))
def test_an_intersected_list_matches_and_scores_as_the_intersection(
    numpy_from: int, specs: list[ListSpec]
) -> None:
    check_as_whoosh(specs, IntersectionMatcher, matchers.intersect_lists, numpy_from)


def test_searches_rank_and_count_as_whoosh_s_and_and_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive.open(tmp_path / "arc", create=True)
    words = ["report", "rest", "return", "police", "protest", "city", "rice", "press"]
    for batch in range(3):  # three commits: three segments
        add_articles(
            archive,
            *(
                {
                    "title": f"{words[n % 8]} {words[(n * 3) % 8]} {batch}-{n}",
                    "text": " ".join(words[(n * k + batch) % 8] for k in range(1, 4 + n % 5))
                    + (" of the city in the rain" if n % 3 else " by the river"),
                    "source": f"Source {n % 3}",
                    "language": "en" if n % 2 else "fr",
                }
                for n in range(80)
            ),
        )
        archive.index.catch_up(force=True)
    # Deleted documents in the segments: articles changed after they were indexed.
    with archive.transaction() as session:
        for article in list(session.exec(select(models.Article).limit(12))):
            article.title = f"{article.title} police"
            session.add(article)
            mark_for_index(session, article.id)
    archive.index.catch_up(force=True)
    queries = [
        "police AND city",
        "re* AND the",
        "police AND city AND rice",
        '"of the" AND press',
        "police NOT city",
        "re* NOT (river OR protest)",
        "the NOT police",
        "(police AND city) NOT rice",
        "police AND NOT city",
        "police ANDNOT city",
        "re* ANDNOT (river OR protest)",
        "NOT city",
        'rest AND source:"Source 1"',
        # Beside a child Whoosh matches itself (`lang` is not scored).
        "police lang:en NOT city",
        "re* AND lang:fr AND NOT (river OR rice)",
        "(police AND lang:en) ANDNOT city",
        "police lang:en",
        "police REQUIRE city",
        "re* REQUIRE (rain OR river)",
    ]
    filtered = {"source": "Source 1"}

    def results() -> list[tuple[int, list[tuple[str, float]]]]:
        out = []
        for q in queries:
            for filters in (None, filtered):
                r = archive.index.search(q, limit=15, filters=filters)
                out.append((r.total, [(h.id, h.score) for h in r.hits]))
        return out

    ours = results()
    archive.index._phrases.clear()
    # Whoosh's own intersections, and a collector that skips nothing (Whoosh's
    # inverse matcher misleads the skipping: see ListIntersection).
    original = top.TopHits.__init__

    def exhaustive(self: top.TopHits, *args: object, **kwargs: object) -> None:
        kwargs["usequality"] = False
        original(self, *args, **kwargs)

    monkeypatch.setattr(top.TopHits, "__init__", exhaustive)
    monkeypatch.setattr(
        matchers.ListIntersection,
        "_matcher",
        lambda self, subs, searcher, context: wq.And._matcher(self, subs, searcher, context),
    )
    monkeypatch.setattr(
        matchers.ListDifference,
        "matcher",
        lambda self, searcher, context=None: wq.AndNot.matcher(self, searcher, context),
    )
    assert results() == ours
    assert all(total for total, _ in ours[::2]), [
        (q, t) for q, (t, _) in zip(queries, ours[::2], strict=True)
    ]
    archive.close()


def test_and_not_survives_its_first_part_running_out_by_quality() -> None:
    """Whoosh's AndNotMatcher asked a spent first part for its document (whoosh_fixes)."""
    from whoosh.matching import AndNotMatcher

    import archive.search  # noqa: F401  (applies the fixes)

    a = SortedListMatcher([1, 5, 9], weights=[0.5, 0.7, 0.6])
    m = AndNotMatcher(a, SortedListMatcher([2, 5]))
    m.skip_to_quality(5.0)  # nothing scores that high: `a` is spent
    assert not m.is_active()


def test_and_not_leaves_out_a_first_document_the_second_part_holds() -> None:
    from whoosh.matching import AndNotMatcher

    import archive.search  # noqa: F401  (applies the fixes)

    m = AndNotMatcher(SortedListMatcher([2, 4, 6]), SortedListMatcher([0, 1, 2, 6]))
    assert list(m.all_ids()) == [4]


def test_require_survives_skipping_by_quality() -> None:
    from whoosh.matching import RequireMatcher

    import archive.search  # noqa: F401  (applies the fixes)

    a = SortedListMatcher(list(range(0, 600, 2)), weights=[(d % 7) / 7 for d in range(0, 600, 2)])
    m = RequireMatcher(a, SortedListMatcher(list(range(0, 600, 3))))
    seen = []
    while m.is_active():
        m.skip_to_quality(0.8)  # past the blocks whose best cannot reach it
        if not m.is_active():
            break
        seen.append(m.id())
        m.next()
    assert seen and set(seen) <= set(range(0, 600, 6))
