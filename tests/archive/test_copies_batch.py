"""Copies of one story, batch work: a batch signed in one pass gives each text's own
signature; the band index finds what a brute-force comparison finds, re-signs, reloads."""

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import copies
from archive.ingest import import_paths
from archive.store import Archive
from tests.archive.copies_pairs import MY_WIRE, MY_WIRE_TRIMMED, WIRE, WIRE_NEW_LEAD, WIRE_OTHER

_WORDS = ["army", "police", "600", "ရဲ", "Café", "中文", "ΣΑΣ", "İstanbul", "naïve", "မြန်မာ"]
_LONG = st.lists(st.sampled_from(_WORDS), min_size=0, max_size=80).map(" ".join)
_TEXTS = st.lists(st.one_of(st.text(max_size=300), _LONG, st.just(MY_WIRE)), max_size=12)


def _same(batch: list[Any], texts: list[str]) -> None:
    assert len(batch) == len(texts)
    for got, text in zip(batch, texts, strict=True):
        want = copies.signature(text)
        if want is None:
            assert got is None
        else:
            assert got is not None and got.dtype == np.uint32 and np.array_equal(got, want)


@settings(max_examples=40, deadline=None)
@given(_TEXTS, st.sampled_from([64, 1000, 1 << 18]))
def test_a_batch_signs_each_text_as_signature_does(texts: list[str], joined: int) -> None:
    saved = copies._JOINED
    copies._JOINED = joined  # small bounds: texts signed alone and groups of several
    try:
        _same(copies.signatures(texts), texts)
    finally:
        copies._JOINED = saved


def test_long_texts_span_several_blocks_and_keep_their_signature() -> None:
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(3000)]
    texts = [" ".join(rng.choice(vocab) for _ in range(n)) for n in (5000, 30, 2100, 24, 4100, 700)]
    texts += [WIRE, "", WIRE_NEW_LEAD, MY_WIRE_TRIMMED]
    _same(copies.signatures(texts), texts)


def test_the_index_finds_what_comparing_every_pair_finds() -> None:
    texts = [WIRE, WIRE_OTHER, WIRE_NEW_LEAD, MY_WIRE, MY_WIRE_TRIMMED, WIRE]
    sigs = [s for s in copies.signatures(texts) if s is not None]
    ids = [f"a{i}" for i in range(len(sigs))]
    found = copies.CopyIndex().match_and_add(ids, np.stack(sigs))
    for i, sig in enumerate(sigs):
        expected = sorted(
            (
                (copies.similarity(sig, sigs[j]), ids[j])
                for j in range(i)
                if copies.similarity(sig, sigs[j]) >= copies.THRESHOLD
            ),
            key=lambda m: (-m[0], m[1]),
        )
        assert found.get(ids[i], []) == expected
    assert found["a2"][0][1] == "a0" and found["a5"][0] == (1.0, "a0")


def test_signing_an_article_again_replaces_its_bands() -> None:
    wire, other = copies.signature(WIRE), copies.signature(WIRE_OTHER)
    assert wire is not None and other is not None
    index = copies.CopyIndex()
    index.add("x", wire)
    index.add("y", wire)
    assert index.matches(wire) == [(1.0, "x"), (1.0, "y")]
    index.add("x", other)  # signed again: no longer a copy of the wire story
    assert index.matches(wire) == [(1.0, "y")]
    assert index.matches(other) == [(1.0, "x")]
    index.add("y", other)
    assert index.matches(wire) == [] and index.candidates(wire) == set()
    assert len(index) == 2
    sig = index.signature("y")
    assert sig is not None and np.array_equal(sig, other)


@pytest.mark.parametrize("rows", [1, 300])
def test_the_index_grows_and_finds_planted_copies(rows: int) -> None:
    rng = np.random.default_rng(rows)
    matrix = rng.integers(0, 1 << 32, size=(rows + 5, copies.NUM_PERM), dtype=np.uint64)
    matrix = matrix.astype(np.uint32)
    matrix[-1] = matrix[0]
    matrix[-1, :20] ^= 1  # 44 of 64 values kept: similarity 0.69
    index = copies.CopyIndex()
    found = index.match_and_add([str(i) for i in range(len(matrix))], matrix)
    assert found == {str(len(matrix) - 1): [(44 / 64, "0")]}


def test_the_index_loads_what_the_import_stored(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in {"a.txt": WIRE, "b.txt": WIRE_NEW_LEAD, "c.txt": MY_WIRE}.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "short.txt").write_text("A short note.\n", encoding="utf-8")
    import_paths(archive, [folder], index=False)
    with archive.session() as session:
        index = copies.CopyIndex.load(session)
        texts = dict(
            session.connection().exec_driver_sql("SELECT id, text FROM article").fetchall()
        )
    assert len(index) == 3
    for article_id, text in texts.items():
        want = copies.signature(text)
        got = index.signature(article_id)
        assert (got is None) == (want is None)
        if want is not None:
            assert got is not None and np.array_equal(got, want)
