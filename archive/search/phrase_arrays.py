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
_MASK = (1 << _SHIFT) - 1
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
    words = []
    for found, _ in plan:
        word = _Word(np, [found[d] for d in candidates])
        if not word.short:
            return None
        words.append(word)
    (_, lead_offsets), lead = plan[0], words[0]
    # Keys of the phrase's start positions: (candidate << _SHIFT) + start + _BIAS.
    starts = lead.keys() - lead_offsets[0]
    checks = [(lead, offset) for offset in lead_offsets[1:]]
    for word, (_, offsets) in zip(words[1:], plan[1:], strict=True):
        checks += [(word, offset) for offset in offsets]
    for word, offset in checks:  # the word at start + offset, in each start's candidate
        if not len(starts):
            return [], []
        starts = starts[word.holds(starts >> _SHIFT, (starts & _MASK) - _BIAS + offset)]
    held, freqs = np.unique(starts >> _SHIFT, return_counts=True)
    docs = np.asarray(candidates, dtype=np.int64)[held]
    return docs.tolist(), freqs.tolist()


class _Word:
    """One word's packed positions in every candidate, as one array of 16-bit numbers.

    A value (search.positions) is 5 header bytes then 6 per occurrence, so
    the values joined end to end start their positions at odd and even byte
    offsets in turn: the blob is read as two arrays of 16-bit numbers (from
    byte 0 and from byte 1), one after the other, and each candidate's
    positions are a run in one of them.
    """

    def __init__(self, np: Any, values: list[bytes]) -> None:
        self.np = np
        counts = np.frombuffer(b"".join([v[:4] for v in values]), dtype=">u4").astype(np.int64)
        blob = b"".join(values)
        raw = np.frombuffer(blob, dtype=np.uint8)
        sizes = 5 + 6 * counts
        begins = np.cumsum(sizes) - sizes
        # (A value of 32-bit numbers makes the sizes after it wrong, but not its own.)
        self.short = not len(begins) or bool(np.all(raw[begins + 4] == _SHORT))
        if not self.short:
            return
        even = np.frombuffer(blob, dtype="<u2", count=len(blob) // 2)
        odd = np.frombuffer(blob, dtype="<u2", offset=1, count=(len(blob) - 1) // 2)
        self.numbers = np.concatenate((even, odd))
        first = begins + 5
        self.base = np.where(first % 2 == 0, first // 2, len(even) + first // 2)
        self.counts = counts

    def keys(self) -> Any:
        """Every position as a sorted key: (candidate << _SHIFT) + position + _BIAS."""
        np = self.np
        counts = self.counts
        total = int(counts.sum())
        first = np.cumsum(counts) - counts
        at = np.repeat(self.base - first, counts) + np.arange(total, dtype=np.int64)
        owners = np.repeat(np.arange(len(counts), dtype=np.int64) << _SHIFT, counts)
        return owners + self.numbers[at].astype(np.int64) + _BIAS

    def holds(self, owners: Any, positions: Any) -> Any:
        """Whether candidate `owners[k]` has the word at `positions[k]` (a binary search
        of all of them at once, in each candidate's run: the very common word's
        positions are never made into keys)."""
        np = self.np
        numbers = self.numbers
        lo = self.base[owners]
        end = lo + self.counts[owners]
        hi = end.copy()
        last = len(numbers) - 1
        for _ in range(int(self.counts.max(initial=0)).bit_length() + 1):
            active = lo < hi
            if not active.any():
                break
            mid = (lo + hi) >> 1
            below = active & (numbers[np.minimum(mid, last)] < positions)
            lo = np.where(below, mid + 1, lo)
            hi = np.where(active & ~below, mid, hi)
        found = lo < end
        found[found] = numbers[lo[found]] == positions[found]
        return found
