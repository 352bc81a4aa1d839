"""Phrases, totals and facets are exactly what a brute-force scan finds.

Phrases of common words are looked up as pairs (`search.pairs`), other
phrases by their positions, read block by block for the candidates left
(`matchers.posting_values`); totals and facets come from the query's
document sets (`search.docsets`), not from the collector. One archive in
several index segments, with an updated and a deleted article; hypothesis
draws phrases and boolean queries, and the articles found must be the set a
scan of every article's terms gives.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from archive import models
from archive.search.analysis import LangText, text_analyzer
from archive.search.matchers import posting_values
from archive.search.pairs import COMMON
from archive.store import Archive

from .helpers import add_articles

# Common words (pairs of them are indexed), words that stem, and rarer words.
VOCAB = ["the", "of", "and", "in", "to", "a", "is", "was", "one", "most", "not"]
VOCAB += ["running", "runs", "police", "army", "city", "zebra", "quartz"]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    weights = [12, 10, 8, 8, 6, 6, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1]
    return [
        " ".join(rng.choices(VOCAB, weights, k=rng.randint(3, 30))).capitalize() + "."
        for _ in range(count)
    ]


BATCHES = [_texts(batch, 40) for batch in range(3)]


def _terms(text: str) -> list[str]:
    return [t.text for t in text_analyzer()(LangText(text, "en"))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, dict[str, str]]]:
    folder: Path = tmp_path_factory.mktemp("phr") / "arch"
    archive = Archive.open(folder, create=True)
    texts: dict[str, str] = {}
    # Three commits: three segments. Sources for the facets.
    for batch in range(3):
        made = BATCHES[batch]
        ids = add_articles(
            archive,
            *(
                {"title": f"n{batch}x{n}", "text": t, "source": f"S{n % 4}"}
                for n, t in enumerate(made)
            ),
        )
        texts.update(zip(ids, made, strict=True))
        archive.index.catch_up(force=True)
    # One article changed, one deleted: old versions stay in their segments, deleted.
    changed, gone = list(texts)[3], list(texts)[50]
    with archive.change("edit") as ch:
        article = ch.session.get(models.Article, changed)
        assert article is not None
        article.text = texts[changed] = "Quartz of the city in the zebra."
        old = ch.session.get(models.Article, gone)
        assert old is not None
        ch.session.delete(old)
    del texts[gone]
    archive.sync_index()
    yield archive, texts
    archive.close()


def _phrase_yard(texts: dict[str, str], words: list[str]) -> set[str]:
    want = _terms(" ".join(words))
    n = len(want)
    found = set()
    for aid, text in texts.items():
        terms = _terms(text)
        if any(terms[i : i + n] == want for i in range(len(terms) - n + 1)):
            found.add(aid)
    return found


def _ids(archive: Archive, query: str) -> tuple[set[str], int, bool]:
    results = archive.index.search(query, limit=500)
    return {h.id for h in results.hits}, results.total, results.total_exact


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(words=st.lists(st.sampled_from(VOCAB), min_size=2, max_size=4))
def test_phrase_finds_exactly_the_articles_holding_it(
    corpus: tuple[Archive, dict[str, str]], words: list[str]
) -> None:
    archive, texts = corpus
    yard = _phrase_yard(texts, words)
    found, total, exact = _ids(archive, '"' + " ".join(words) + '"')
    assert found == yard and total == len(yard) and exact, words


def test_common_pairs_are_indexed(corpus: tuple[Archive, dict[str, str]]) -> None:
    archive, texts = corpus
    assert {"of", "the", "in", "is", "not", "most"} <= COMMON and "police" not in COMMON
    index = archive.index
    with index._read_lock:
        reader = index._searcher.reader()
        assert reader.doc_frequency("text_pairs", "of the") > 0
        assert reader.doc_frequency("text_pairs", "the polic") == 0
    yard = _phrase_yard(texts, ["in", "the"])
    assert _ids(archive, '"in the"')[1] == len(yard) > 0


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, dict[str, str]]]:
    """One segment of 700 articles: each common term's postings span several blocks."""
    folder: Path = tmp_path_factory.mktemp("phrbig") / "arch"
    archive = Archive.open(folder, create=True)
    made = _texts(99, 700)
    ids = add_articles(archive, *({"title": f"b{n}", "text": t} for n, t in enumerate(made)))
    archive.index.catch_up(force=True)
    yield archive, dict(zip(ids, made, strict=True))
    archive.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(VOCAB), min_size=2, max_size=4))
def test_phrases_over_many_posting_blocks(
    big: tuple[Archive, dict[str, str]], words: list[str]
) -> None:
    archive, texts = big
    yard = _phrase_yard(texts, words)
    results = archive.index.search('"' + " ".join(words) + '"', limit=1000)
    assert {h.id for h in results.hits} == yard and results.total == len(yard), words


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    word=st.sampled_from(["the", "of", "polic", "zebra", "quartz"]),
    picks=st.lists(st.integers(min_value=0, max_value=799), max_size=60),
    every=st.booleans(),
)
def test_posting_values_are_whooshs_own(
    big: tuple[Archive, dict[str, str]], word: str, picks: list[int], every: bool
) -> None:
    """Block by block, only some documents: the values Whoosh's matcher gives, no other."""
    archive, _ = big
    index = archive.index
    with index._read_lock:
        for leaf, _base in index._searcher.reader().leaf_readers():
            m = leaf.postings("text", word) if leaf.doc_frequency("text", word) else None
            whoosh: dict[int, bytes] = {}
            while m is not None and m.is_active():
                whoosh[m.id()] = m.value()
                m.next()
            wanted = None if every else sorted(set(picks) | set(list(whoosh)[::7]))
            found = posting_values(leaf, "text", word.encode("utf-8"), wanted)
            expected = whoosh if wanted is None else {d: whoosh[d] for d in wanted if d in whoosh}
            assert found == expected


WORD = st.sampled_from(VOCAB[5:])


@SETTINGS
@given(a=WORD, b=WORD, c=WORD, shape=st.integers(min_value=0, max_value=4))
def test_boolean_totals_and_facets_are_exact(
    corpus: tuple[Archive, dict[str, str]], a: str, b: str, c: str, shape: int
) -> None:
    archive, texts = corpus
    has = {aid: set(_terms(t)) for aid, t in texts.items()}
    ta, tb, tc = (_terms(w)[0] for w in (a, b, c))
    query, test = [
        (f"{a} OR {b} OR {c}", lambda s: ta in s or tb in s or tc in s),
        (f"{a} NOT {b}", lambda s: ta in s and tb not in s),
        (f"{a} AND ({b} OR {c})", lambda s: ta in s and (tb in s or tc in s)),
        (f'"{a} {b}" OR {c}', None),
        (f"* NOT {a}", lambda s: ta not in s),
    ][shape]
    if test is None:
        yard = _phrase_yard(texts, [a, b]) | {aid for aid, s in has.items() if tc in s}
    else:
        yard = {aid for aid, s in has.items() if test(s)}
    results = archive.index.search(query, limit=500)
    assert {h.id for h in results.hits} == yard and results.total == len(yard), query
    with archive.session() as session:
        sources = {a.id: a.source for a in session.exec(select(models.Article))}
    expected = Counter(sources[aid] for aid in yard)
    assert results.facets["source"] == dict(expected), query
