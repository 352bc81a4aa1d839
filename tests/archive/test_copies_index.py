"""The copy index's band table (archive/copies.py `CopyIndex`): keys sorted into arrays
every FREEZE keys find what a table of dicts alone finds, re-signed articles included
(hypothesis draws batches of new signatures, near copies and re-signings)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.copies import NUM_PERM, CopyIndex

# One step: (article number, base signature number, how many values changed).
step = st.tuples(st.integers(0, 25), st.integers(0, 6), st.sampled_from([0, 1, 3, 20, 64]))


def _signature(base: int, changed: int, salt: int) -> np.ndarray:
    rng = np.random.default_rng(base)
    sig = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
    if changed:
        noise = np.random.default_rng(1000 + salt)
        at = noise.choice(NUM_PERM, size=changed, replace=False)
        sig[at] = noise.integers(0, 2**32, size=changed, dtype=np.uint64).astype(np.uint32)
    return sig


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(step, min_size=1, max_size=6), min_size=1, max_size=8))
def test_sorted_arrays_find_what_the_dict_finds(batches: list[list[tuple[int, int, int]]]) -> None:
    frequent, never = CopyIndex(), CopyIndex()
    frequent.FREEZE = 3  # sorted into the arrays after nearly every batch
    never.FREEZE = 10**9
    salt = 0
    for batch in batches:
        seen: set[int] = set()
        ids, sigs = [], []
        for article, base, changed in batch:
            if article in seen:  # (an id once per batch, as an import's batch)
                continue
            seen.add(article)
            salt += 1
            ids.append(f"a{article}")
            sigs.append(_signature(base, changed, salt))
        matrix = np.stack(sigs)
        assert frequent.match_and_add(ids, matrix) == never.match_and_add(ids, matrix)
    for base in range(7):
        sig = _signature(base, 1, -base)
        assert frequent.matches(sig) == never.matches(sig)
        assert frequent.candidates(sig) == never.candidates(sig)


def test_fifty_thousand_articles_fit_in_a_few_tens_of_megabytes() -> None:
    index = CopyIndex()
    rng = np.random.default_rng(3)
    for batch in range(25):
        matrix = rng.integers(0, 2**32, size=(2000, NUM_PERM), dtype=np.uint64).astype(np.uint32)
        index.match_and_add([f"b{batch}-{n}" for n in range(2000)], matrix)
    held = index._keys.nbytes + index._rows.nbytes + index._sigs.nbytes
    assert len(index._first) < CopyIndex.FREEZE
    assert held < 60 * 2**20
