"""Wildcards, prefixes and fuzzy terms find exactly the articles a brute-force scan finds.

One small archive; for each shape of pattern (leading `*`, trailing `*`,
inner `*`, `*x*`, `?`, fuzzy with one and two edits) hypothesis draws
patterns, and the articles found must be the same set as a scan of every
article's words, folded (case and accents ignored), not stemmed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import models
from archive.search import expand
from archive.search.analysis import fold, words
from archive.store import Archive, mark_for_index

from .helpers import add_articles

ALPHABET = "abcdeé"
BURMESE = "ရဲတပ်ဖွဲ့ဝင် ဖမ်းဆီး မန္တလေး"


def _texts() -> list[str]:
    rng = random.Random(5)
    texts = []
    for n in range(40):
        count = rng.randint(1, 12)
        if n % 9 == 4:
            count += 60  # longer than expand.SHORT_WORDS: decided by postings
        made = [
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6))) for _ in range(count)
        ]
        if n % 5 == 0:
            made = [w.upper() if i % 2 else w.capitalize() for i, w in enumerate(made)]
        if n % 7 == 0:
            made.append("relations")  # stem "relat": `*tion*` must still find it
        if n % 11 == 0:
            made.append(BURMESE)
        texts.append(" ".join(made) + ".")
    texts.append(BURMESE)  # no Latin word at all
    return texts


TEXTS = _texts()
WORDSETS = [{fold(w) for w, _, _ in words(t)} for t in TEXTS]


# Each way an expansion decides an article, alone: by the article's own words
# (short articles, the default for these texts), by postings read from the
# postings file, by the rare words' postings kept in memory, and by the
# database once few articles are left.
PATHS = {
    "short articles' words": {},
    "postings file": {"SHORT_WORDS": 0, "RARE_DF": 0, "VERIFY_RATIO": 10**9},
    "rare postings kept": {"SHORT_WORDS": 0, "RARE_DF": 10**9, "VERIFY_RATIO": 10**9},
    "database for the last ones": {"SHORT_WORDS": 0, "RARE_DF": 0, "VERIFY_RATIO": 0},
}


@pytest.fixture(scope="module", params=list(PATHS))
def small(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[Archive, list[str]]]:
    folder: Path = tmp_path_factory.mktemp("wild") / "arch"
    archive = Archive.open(folder, create=True)
    # Titles outside the alphabet, so only the text can match.
    ids = add_articles(archive, *({"title": f"{n}", "text": t} for n, t in enumerate(TEXTS)))
    # These tests check completeness, not the time budget (its "at least" note has
    # tests of its own): at load 20 on 2 cores a fuzzy ~2 expansion once ran past 0.25 s.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(expand, "EXPAND_SECONDS", 30.0)
        for name, value in PATHS[request.param].items():
            mp.setattr(expand, name, value)
        archive.index._lexicons = expand.LexiconCache()  # read again with these settings
        archive.index._warm_lexicons()  # as the idle worker does: rare postings kept
        yield archive, ids
    archive.close()


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance, plain dynamic programming (the yardstick)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    )


def _scan_glob(pattern: str, ids: list[str]) -> set[str]:
    rx = _glob(fold(pattern))
    return {aid for aid, ws in zip(ids, WORDSETS, strict=True) if any(rx.fullmatch(w) for w in ws)}


def _scan_fuzzy(word: str, edits: int, ids: list[str]) -> set[str]:
    word = fold(word)
    return {
        aid
        for aid, ws in zip(ids, WORDSETS, strict=True)
        if any(_osa(w, word) <= edits for w in ws)
    }


def _found(archive: Archive, query: str) -> set[str]:
    results = archive.index.search(query, limit=1000, facets=False)
    assert results.total_exact, results.notes
    assert results.total == len(results.hits)
    return {hit.id for hit in results.hits}


LETTERS = st.text(alphabet=ALPHABET + "E", min_size=1, max_size=3)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize(
    "shape",
    [
        "*{a}",  # leading: *tion
        "{a}*",  # prefix: th*
        "{a}*{b}",  # inner
        "*{a}*",  # anywhere: *a*
        "{a}?",  # one character
        "?{a}",
        "{a}?{b}",
        "*{a}?",
        "?",
        "??",
    ],
)
@SETTINGS
@given(a=LETTERS, b=LETTERS)
def test_wildcard_matches_brute_force(
    small: tuple[Archive, list[str]], shape: str, a: str, b: str
) -> None:
    archive, ids = small
    pattern = shape.format(a=a, b=b)
    assert _found(archive, f"text:{pattern}") == _scan_glob(pattern, ids), pattern


@pytest.mark.parametrize("edits", [1, 2])
@SETTINGS
@given(word=st.text(alphabet=ALPHABET, min_size=1, max_size=6))
def test_fuzzy_matches_brute_force(small: tuple[Archive, list[str]], edits: int, word: str) -> None:
    archive, ids = small
    suffix = "~" if edits == 1 else f"~{edits}"
    assert _found(archive, f"text:{word}{suffix}") == _scan_fuzzy(word, edits, ids), word


def test_words_as_written_not_stems(small: tuple[Archive, list[str]]) -> None:
    archive, ids = small
    expected = {aid for aid, t in zip(ids, TEXTS, strict=True) if "relations" in t}
    assert expected
    assert _found(archive, "text:*tion*") == expected
    assert _found(archive, "text:relation?") == expected


def test_star_is_every_article_and_default_fields_cover_text(
    small: tuple[Archive, list[str]],
) -> None:
    archive, ids = small
    assert _found(archive, "*") == set(ids)
    # Without a field the title and other fields are searched as well: a superset.
    assert _found(archive, "*a*") >= _scan_glob("*a*", ids)


def test_changed_and_long_articles_after_the_sets_are_kept(tmp_path: Path) -> None:
    """A segment's kept sets (short articles' words, rare postings) stay right after edits."""
    archive = Archive.open(tmp_path / "arch", create=True)
    try:
        long_text = " ".join(f"filler{n}" for n in range(60))
        ids = add_articles(
            archive,
            {"title": "1", "text": "station " + long_text},
            {"title": "2", "text": "nation"},
            {"title": "3", "text": long_text},
            {"title": "4", "text": "motion " + long_text},
        )
        archive.index.catch_up(force=True)
        archive.index._warm_lexicons()  # the sets of this segment, kept
        assert _found(archive, "text:*tion") == {ids[0], ids[1], ids[3]}
        with archive.transaction() as session:
            for aid, text in ((ids[0], long_text), (ids[2], "relation " + long_text)):
                article = session.get(models.Article, aid)
                assert article is not None
                article.text = text
                session.add(article)
                mark_for_index(session, aid)
        archive.index.catch_up(force=True)
        assert _found(archive, "text:*tion") == {ids[1], ids[2], ids[3]}
        assert _found(archive, "text:filler5?") == {ids[0], ids[2], ids[3]}
    finally:
        archive.close()
