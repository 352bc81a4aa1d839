"""ORs of lists merged into one list (matchers.ListUnion) match and score as Whoosh's union:
hypothesis draws the lists; in a real index the top hits, their scores and the totals
are the same with the merge as with Whoosh's tree of unions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.matching import UnionMatcher

from archive.search import arrays, matchers
from archive.store import Archive

from .helpers import ListSpec, add_articles, check_as_whoosh, list_specs

# A list: sorted distinct document numbers, with weights or one boost for all.
a_list = list_specs(400, 120)

arrays.load()  # the array paths run only where numpy is loaded (search/arrays.py)


@pytest.mark.parametrize("numpy_from", [0, 10**9], ids=["numpy", "python"])
@settings(max_examples=120, deadline=None)
@given(st.lists(a_list, min_size=2, max_size=5))
def test_a_merged_list_matches_and_scores_as_the_union(
    numpy_from: int, specs: list[ListSpec]
) -> None:
    check_as_whoosh(specs, UnionMatcher, matchers.merge_lists, numpy_from)


def test_search_with_the_merge_ranks_as_whoosh_s_union(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive.open(tmp_path / "arc", create=True)
    words = ["report", "rest", "return", "police", "protest", "city", "rice", "press"]
    add_articles(
        archive,
        *(
            {
                "title": f"{words[n % 8]} {words[(n * 3) % 8]} {n}",
                "text": " ".join(words[(n * k) % 8] for k in range(1, 4 + n % 5))
                + " of the city in the rain",
                "source": f"Source {n % 3}",
            }
            for n in range(60)
        ),
    )
    queries = ["re*", "*ice OR pr*", '"of the" OR "in the"', "re* AND city", "rest~ OR ri*"]

    def results() -> list[tuple[int, list[tuple[str, float]]]]:
        out = []
        for q in queries:
            r = archive.index.search(q, limit=15)
            out.append((r.total, [(h.id, round(h.score, 6)) for h in r.hits]))
        return out

    merged = results()
    archive.index._phrases.clear()
    # Whoosh's own tree of unions for every OR.
    monkeypatch.setattr(
        matchers.ListUnion,
        "_matcher",
        lambda self, subs, searcher, context: wq.Or._matcher(self, subs, searcher, context),
    )
    assert results() == merged
    assert all(total for total, _ in merged)
    archive.close()
