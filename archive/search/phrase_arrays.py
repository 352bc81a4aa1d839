"""A phrase checked in many candidate articles at once, with numpy (for `matchers`).

A phrase pairing very common words ("the said") has a candidate in most
articles of a segment, and checking each candidate's positions in Python
cost ~5 µs an article: 140 ms for one phrase at 50,000 articles. Here each
word's packed positions (search.positions) in every candidate are read into
one sorted array of keys, (candidate << 20) + position + BIAS, and the
phrase's start positions are narrowed word by word with `searchsorted`: the
per-article work is one slice and one dictionary look-up in Python.

Only positions stored as 16-bit numbers are read here (articles of up to
65,535 words and characters); a segment holding a longer one, or a phrase of
1,024 words or more, is left to the article-by-article check (`None`).
numpy is imported on first use: small archives, and the command line's cold
start, never pay for it.
"""

from __future__ import annotations

from typing import Any

# At least this many candidates in a segment before the arrays are worth building.
MIN_CANDIDATES = 300

_SHIFT = 20
_BIAS = 1024  # keeps a start before position 0 inside its candidate's key range
_SHORT = ord("H")


def match(
    plan: list[tuple[dict[int, bytes], list[int]]], candidates: list[int]
) -> tuple[list[int], list[int]] | None:
    """(documents, occurrences) of the phrase among `candidates`, or None (see above).

    `plan` is each word's posting values (document -> packed value) with its
    offsets in the phrase, rarest word first.
    """
    import numpy as np

    if any(offset >= _BIAS for _, offsets in plan for offset in offsets):
        return None
    count = len(candidates)
    starts: Any = None
    for found, offsets in plan:
        keys = _keys(np, [found[d] for d in candidates])
        if keys is None:
            return None
        for offset in offsets:
            if starts is None:
                starts = keys - offset
                continue
            probe = starts + offset
            at = np.searchsorted(keys, probe)
            np.minimum(at, len(keys) - 1, out=at)
            starts = starts[keys[at] == probe]
            if not len(starts):
                return [], []
    held, freqs = np.unique(starts >> _SHIFT, return_counts=True)
    assert not len(held) or held[-1] < count
    docs = np.asarray(candidates, dtype=np.int64)[held]
    return docs.tolist(), freqs.tolist()


def _keys(np: Any, values: list[bytes]) -> Any:
    """Sorted keys of every position in `values` (one packed value per candidate)."""
    counts = np.frombuffer(b"".join([v[:4] for v in values]), dtype=">u4").astype(np.int64)
    blob = np.frombuffer(b"".join(values), dtype=np.uint8)
    ends = np.cumsum(5 + 6 * counts)
    begins = ends - (5 + 6 * counts)
    if len(begins) and np.any(blob[begins + 4] != _SHORT):
        return None  # a value of 32-bit numbers (a very long article)
    total = int(counts.sum())
    first = np.cumsum(counts) - counts  # each candidate's first position in the output
    at = np.repeat(begins + 5 - 2 * first, counts) + 2 * np.arange(total, dtype=np.int64)
    positions = blob[at].astype(np.int64) | (blob[at + 1].astype(np.int64) << 8)
    owners = np.repeat(np.arange(len(values), dtype=np.int64) << _SHIFT, counts)
    return owners + positions + _BIAS
