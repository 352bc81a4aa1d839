"""The array check of phrases (archive/search/phrase_arrays.py) finds what a scan finds:
hypothesis draws articles' word positions and phrases; and in a real index the whole
search gives the same totals with the arrays as with the article-by-article check."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search import phrase_arrays
from archive.search.positions import pack
from archive.store import Archive

from .helpers import add_articles


def _value(positions: list[int]) -> bytes:
    return pack(positions, [p * 6 for p in positions], [p * 6 + 4 for p in positions])


# An article: each of three words at some positions (words never share a position).
article = st.lists(st.sampled_from([0, 1, 2, None]), min_size=1, max_size=40)


def _scan(layout: list[int | None], phrase: list[int]) -> int:
    """Occurrences of the phrase (word ids in order) in one article's layout."""
    return sum(
        1
        for start in range(len(layout))
        if all(start + k < len(layout) and layout[start + k] == w for k, w in enumerate(phrase))
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(article, min_size=1, max_size=30),
    st.lists(st.sampled_from([0, 1, 2]), min_size=2, max_size=4),
)
def test_the_arrays_find_what_a_scan_finds(
    layouts: list[list[int | None]], phrase: list[int]
) -> None:
    docs = list(range(3, 3 + 2 * len(layouts), 2))  # document numbers with gaps
    found: dict[int, dict[int, bytes]] = {w: {} for w in set(phrase)}
    for doc, layout in zip(docs, layouts, strict=True):
        for w in found:
            at = [p for p, x in enumerate(layout) if x == w]
            if at:
                found[w][doc] = _value(at)
    candidates = [d for d in docs if all(d in found[w] for w in found)]
    expected = {d: _scan(lay, phrase) for d, lay in zip(docs, layouts, strict=True)}
    expected = {d: n for d, n in expected.items() if n}
    if not candidates:
        assert not expected
        return
    # Each word once, with its offsets in the phrase; rarest first, as matchers plans.
    words = sorted(found, key=lambda w: len(found[w]))
    plan = [(found[w], [k for k, x in enumerate(phrase) if x == w]) for w in words]
    result = phrase_arrays.match(plan, candidates)
    assert result is not None
    ids, freqs = result
    assert dict(zip(ids, freqs, strict=True)) == expected


def test_long_articles_are_left_to_the_article_by_article_check() -> None:
    short, long = _value([1, 5]), pack([1, 70_000], [6, 420_000], [10, 420_004])
    plan = [({1: short, 2: long}, [0]), ({1: short, 2: short}, [1])]
    assert phrase_arrays.match(plan, [1, 2]) is None


VOCAB = ["the", "of", "and", "river", "rivers", "police", "army", "said", "a", "in"]


def test_a_search_gives_the_same_totals_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(5)
    archive = Archive.open(tmp_path / "arch", create=True)
    try:
        add_articles(
            archive,
            *(
                {
                    "title": f"Article {n}",
                    "text": " ".join(rng.choices(VOCAB, k=rng.randint(5, 80))),
                }
                for n in range(300)
            ),
        )
        archive.sync_index()
        phrases = ['"the river"', '"said the police"', '"army of the"', '"rivers in a"']
        phrases += ['"the the"', '"of the army said"', '"police police police"']

        def totals() -> list[int]:
            archive.index._phrases.clear()
            return [archive.index.search(p, limit=5).total for p in phrases]

        by_article = totals()
        monkeypatch.setattr(phrase_arrays, "MIN_CANDIDATES", 1)
        calls: list[int] = []
        real = phrase_arrays.match
        monkeypatch.setattr(
            phrase_arrays, "match", lambda plan, c: calls.append(len(c)) or real(plan, c)
        )
        assert totals() == by_article
        assert calls  # the arrays did the checking
        assert any(by_article)
    finally:
        archive.close()
