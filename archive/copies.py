"""Copies of one story (issue 14 item 3): near-duplicate detection and copy groups.

A wire story reprinted by several outlets, with a new lead, another byline
or a trimmed ending, is one source, not many. Each article's text becomes a
set of *shingles* (runs of `SHINGLE` consecutive tokens), summarised by a
MinHash signature of `NUM_PERM` values; banding (locality-sensitive hashing,
as datasketch's `MinHashLSH` does it, in numpy: see `CopyIndex` for the
measured reason) finds the articles whose signatures may be close, and an
estimated Jaccard similarity of at least `THRESHOLD` makes them copies.

Tokens are the archive's own units (`archive.segment`): words in spaced
scripts, syllables in Burmese (the sylbreak rule), clusters in Thai, Lao and
Khmer, single characters in Chinese and Japanese; lower-cased, punctuation
and spacing left out. They are found and hashed with numpy over the text's
code points (no Python loop per token): an import must not slow down by
more than 5% (bench/copies_bench.py measures it).

Groups live in `Article.copy_group` (a group id shared by the copies) with
`copy_group_by`: "auto" (detection) or "user" (the person split or joined
it). Detection never changes an article the user decided about. Signatures
are derived data in `CopySignature` (not tracked by the change log): they
are rebuilt by `rebuild` (`sesame copies --rebuild`), and an undo or redo that
removes or restores articles removes or re-signs theirs (`follow_articles`). Group changes are
core changes (undoable); at import they are made in each batch's own change,
so undoing the import undoes them too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import regex
from sqlmodel import Session

from archive import models
from archive.changes import Change, changing
from archive.errors import InvalidInput
from archive.tasks import CancelToken, ProgressFn, report

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from archive.store import Archive

    Signature = NDArray[np.uint32]  # NUM_PERM minima, one per permutation

NUM_PERM = 64
SHINGLE = 5  # tokens per shingle
# Burmese syllables are about a third of a word: shingles of as many syllables as
# make about SHINGLE words would be 15 long; 9 keep a trimmed or re-led copy
# well above the threshold while two stories that share phrases stay apart
# (the pairs in tests/archive/test_copies.py).
SHINGLE_SYLLABLES = 9
# Estimated Jaccard similarity of shingle sets from which two articles are copies.
# The pairs of tests/archive/copies_pairs.py, exact Jaccard: a reprint with a new
# lead 0.75 (Burmese 0.66), another byline 0.91, the last three paragraphs cut
# 0.63 (Burmese 0.64), a new lead against a trimmed copy (two reprints, no
# original) 0.43; another story from the same wire on the same event, sharing its
# background paragraph, 0.11 (Burmese 0.11). A 64-value estimate has a standard
# error of 0.06 at J = 0.43 and 0.04 at J = 0.11 (measured on random sets: as the
# binomial's): 0.3 is 2 errors below the weakest copies, 4.5 above the others.
THRESHOLD = 0.3
# LSH bands x rows: 32 bands of 2 values make a pair at J = 0.3 a candidate with
# probability 1 - (1 - 0.3^2)^32 = 0.95 (0.997 at J = 0.43); candidates are checked.
BANDS, ROWS = 32, 2
MIN_TOKENS = 25  # shorter texts (captions, one-line notes) are too short to judge
SEED = 14
SIGNATURE_VERSION = 1
GROUP_BY_AUTO, GROUP_BY_USER = "auto", "user"

_MASK64 = (1 << 64) - 1
_P = 0x100000001B3  # FNV prime: the polynomial base of the token hash (odd)
_P_INV = pow(_P, -1, 1 << 64)
_rng = np.random.default_rng(SEED)
_A = _rng.integers(0, 1 << 31, size=NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
_B = _rng.integers(0, 1 << 32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
_Q = np.uint64(0x9E3779B97F4A7C15)  # combines a shingle's token hashes (odd)
_MYANMAR_CHAR = re.compile("[\u1000-\u109f]")
_CHUNK = 2048  # shingles hashed at once: keeps the (NUM_PERM x chunk) array in cache

# Code-point classes, one byte of bits per character so that one lookup classifies
# it: a table for the Basic Multilingual Plane, computed on demand above it. Marks
# (and the other characters that extend a grapheme cluster) belong to the
# character before them.
_WORDBIT, _MARKBIT = 1, 2
_OTHER, _MYANMAR, _CLUSTER, _SINGLE = 0, 4, 8, 12  # the script, in bits 2-3
_SCRIPTBITS = 12
_ASAT, _STACKER, _DOT_BELOW = 0x103A, 0x1039, 0x1037


_EXTENDS = regex.compile(
    r"[\p{M}\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=SpacingMark}"
    r"\p{Grapheme_Cluster_Break=ZWJ}\u200c]"
)


def _bits(cp: int) -> int:
    ch = chr(cp)
    bits = _MARKBIT if _EXTENDS.match(ch) else 0
    if ch.isalnum():
        bits |= _WORDBIT
        if cp >= 0x20000 and unicodedata.category(ch) == "Lo":
            bits |= _SINGLE  # Han beyond the BMP
    return bits


_WIDE: dict[int, int] = {}


def _wide_bits(cp: int) -> int:
    bits = _WIDE.get(cp)
    if bits is None:
        bits = _WIDE[cp] = _bits(cp)
    return bits


def _table() -> NDArray[np.uint8]:
    table = np.array([_bits(cp) for cp in range(0x10000)], dtype=np.uint8)
    for lo, hi, script in (
        (0x1000, 0x10A0, _MYANMAR),
        (0xA9E0, 0xAA00, _MYANMAR),
        (0xAA60, 0xAA80, _MYANMAR),
        (0x0E00, 0x0F00, _CLUSTER),  # Thai, Lao
        (0x1780, 0x1800, _CLUSTER),  # Khmer
        (0x3040, 0x3100, _SINGLE),  # kana
        (0x3400, 0x4DC0, _SINGLE),  # Han
        (0x4E00, 0xA000, _SINGLE),
        (0xF900, 0xFB00, _SINGLE),
    ):
        table[lo:hi] |= script
    return table


_TABLE = _table()
_ASCII_WORD = (_TABLE[:128] & _WORDBIT).astype(np.bool_)


def _code_points(text: str) -> NDArray[Any]:
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def token_spans(text: str) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Start and end code-point offsets of the tokens of `text` (see the module docstring)."""
    return _spans(_code_points(text))


def _spans(cp: NDArray[Any]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    if cp.dtype == np.uint8:  # ASCII: runs of letters and digits
        word = np.zeros(len(cp) + 2, dtype=np.bool_)
        word[1:-1] = _ASCII_WORD[cp]
        edges = np.flatnonzero(word[1:] != word[:-1])  # starts and ends, alternating
        return edges[0::2], edges[1::2]
    wide = cp >= 0x10000
    bits = _TABLE[np.where(wide, 0, cp)]
    if wide.any():
        bits[wide] = [_wide_bits(c) for c in cp[wide].tolist()]
    word = (bits & _WORDBIT).astype(np.bool_)
    mark = (bits & _MARKBIT).astype(np.bool_)
    if mark.any():  # a mark is part of a word when the character it extends is
        n = len(cp)
        base = np.maximum.accumulate(np.where(mark, -1, np.arange(n)))
        # (and only then: Thai SARA AM is a letter and a spacing mark, so ":" + it is one
        # cluster, which a token must not start inside: hypothesis found ":\u0e33")
        word = np.where(mark & (base >= 0), word[np.maximum(base, 0)], word)
    padded = np.zeros(len(cp) + 2, dtype=np.bool_)
    padded[1:-1] = word
    edges = np.flatnonzero(padded[1:] != padded[:-1])  # starts and ends, alternating
    run_starts, run_ends = edges[0::2], edges[1::2]
    script = bits & _SCRIPTBITS
    if not script.any():
        return run_starts, run_ends
    # Inside a run of word characters, a token starts where the script changes ...
    cut = np.zeros(len(cp), dtype=np.bool_)
    cut[1:] = (script[1:] != script[:-1]) & ~mark[1:]
    # ... at every Burmese syllable: a character that is no mark, follows no stacker
    # and carries no asat or stacker (archive.segment's sylbreak rule) ...
    myanmar = script == _MYANMAR
    if myanmar.any():
        n = len(cp)
        padded = np.concatenate(([0], cp, [0, 0]))
        prev, nxt, nxt2 = padded[:n], padded[2 : n + 2], padded[3 : n + 3]
        killed = (nxt == _ASAT) | (nxt == _STACKER)
        killed |= (nxt == _DOT_BELOW) & ((nxt2 == _ASAT) | (nxt2 == _STACKER))
        cut |= myanmar & ~mark & (prev != _STACKER) & ~killed
    # ... at every Thai, Lao or Khmer cluster and every Han or kana character.
    cut |= ((script == _CLUSTER) & ~mark) | (script == _SINGLE)
    cut &= word
    cut[run_starts] = True
    starts = np.flatnonzero(cut)
    # A token ends at the next start or where its run ends, whichever comes first.
    next_start = np.append(starts[1:], len(cp))
    run_end = run_ends[np.searchsorted(run_ends, starts, side="right")]
    return starts, np.minimum(next_start, run_end)


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's finaliser: spreads every input bit over the whole word."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_POWERS: list[NDArray[np.uint64]] = []  # P^i and P^-i modulo 2**64, grown as texts need


def _powers(n: int) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    if not _POWERS or len(_POWERS[0]) < n:
        size = max(n, 1 << 14)
        for base in (_P, _P_INV):
            steps = np.full(size, base, dtype=np.uint64)
            steps[0] = 1
            _POWERS.append(np.cumprod(steps, dtype=np.uint64))  # wraps modulo 2**64
        del _POWERS[:-2]
    return _POWERS[0], _POWERS[1]


def token_hashes(text: str) -> NDArray[np.uint64]:
    """One 64-bit hash per token of `text`, lower-cased (equal tokens hash equal).

    Not mixed: a polynomial of the token's characters; `shingles` mixes what it builds.
    """
    cp = _code_points(text.lower())
    starts, ends = _spans(cp)
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    n = len(cp)
    power, inverse = _powers(n + 1)
    # Polynomial hash of each token from prefix sums: sum cp[j] * P^j over the
    # token, brought back to its start by P^-start (P is odd, so invertible).
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(cp * power[:n], dtype=np.uint64, out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverse[starts]


def shingles(text: str) -> NDArray[np.uint32]:
    """32-bit hashes of the runs of `SHINGLE` consecutive tokens (of `SHINGLE_SYLLABLES`
    in mostly-Burmese text); a text shorter than that is one shingle. Empty for no tokens."""
    tokens = token_hashes(text)
    n = len(tokens)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    burmese = (
        not text.isascii() and len(_MYANMAR_CHAR.findall(text, 0, 3000)) > min(len(text), 3000) / 3
    )
    k = min(SHINGLE_SYLLABLES if burmese else SHINGLE, n)
    out = tokens[: n - k + 1].copy()
    for j in range(1, k):
        out = out * _Q + tokens[j : n - k + 1 + j]
    return (_mix(out) >> np.uint64(32)).astype(np.uint32)


def signature(text: str) -> Signature | None:
    """The MinHash signature of `text` (`NUM_PERM` values), or None if it is too short."""
    values = shingles(text)
    if len(values) < MIN_TOKENS - SHINGLE + 1:
        return None
    lowest = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    for i in range(0, len(values), _CHUNK):
        block = values[i : i + _CHUNK]
        # One permutation per row: x -> a*x + b modulo 2**32 (a odd) is a bijection
        # of the (already mixed) shingle hashes, compared high bits first as in
        # multiply-shift hashing. In 32 bits it is 2-4 times faster than in 64.
        hashed = _A[:, None] * block[None, :] + _B[:, None]
        np.minimum(lowest, hashed.min(axis=1), out=lowest)
    return lowest


# A batch's texts are signed together up to this many code points (longer texts
# alone), about 15 articles of 600 words: their arrays (some 40 bytes a code point)
# stay in the cache. Medians of 9 alternating runs over 1,000 such articles, load
# 17: 156 us an article at 2**16, 191 at 2**15, 195 at 2**18; the whole detection
# (signatures and index, at 2**18) 133 us an article against 294 us text by text.
_JOINED = 1 << 16


def signatures(texts: Sequence[str]) -> list[Signature | None]:
    """`signature` of each of `texts`, computed in a few numpy passes for all of them.

    The same values as `signature` text by text (a test checks it): the texts
    are lower-cased one by one and joined by a newline, which is no token and
    no context for any character's class, so no token or shingle spans two texts.
    """
    out: list[Signature | None] = [None] * len(texts)
    group: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        if len(text) >= _JOINED:
            out[i] = signature(text)
            continue
        if group and size + len(text) + 1 > _JOINED:
            _sign_joined(texts, group, out)
            group, size = [], 0
        group.append(i)
        size += len(text) + 1
    if group:
        _sign_joined(texts, group, out)
    return out


def _sign_joined(texts: Sequence[str], which: list[int], out: list[Signature | None]) -> None:
    lowered = [texts[i].lower() for i in which]
    cp = _code_points("\n".join(lowered))
    starts, ends = _spans(cp)
    n = len(cp)
    power, inverse = _powers(n + 1)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(cp * power[:n], dtype=np.uint64, out=prefix[1:])
    tokens = (prefix[ends] - prefix[starts]) * inverse[starts]
    # Each text's first token: texts begin at their offsets in the joined text.
    offsets = np.cumsum([0] + [len(t) + 1 for t in lowered[:-1]])
    first = np.searchsorted(starts, offsets)
    last = np.append(first[1:], len(starts))  # one past each text's last token
    # Shingles of k tokens for the texts long enough to sign, k by the text's script.
    by_k: dict[int, list[int]] = {}
    for j, i in enumerate(which):
        text = texts[i]
        burmese = not text.isascii() and (
            len(_MYANMAR_CHAR.findall(text, 0, 3000)) > min(len(text), 3000) / 3
        )
        k = SHINGLE_SYLLABLES if burmese else SHINGLE
        if int(last[j] - first[j]) - k + 1 >= MIN_TOKENS - SHINGLE + 1:
            by_k.setdefault(k, []).append(j)
    for k, members in by_k.items():
        count = len(tokens) - k + 1
        rolled = tokens[:count].copy()
        for r in range(1, k):
            rolled = rolled * _Q + tokens[r : count + r]
        lo, hi = first[members], last[members] - k + 1  # each text's shingle positions
        lengths = hi - lo
        bounds = np.zeros(len(members) + 1, dtype=np.intp)
        np.cumsum(lengths, out=bounds[1:])
        positions = np.repeat(lo - bounds[:-1], lengths) + np.arange(bounds[-1])
        values = (_mix(rolled[positions]) >> np.uint64(32)).astype(np.uint32)
        for j, sig in zip(members, _minhash(values, bounds), strict=True):
            out[which[j]] = sig


def _minhash(values: NDArray[np.uint32], bounds: NDArray[np.intp]) -> NDArray[np.uint32]:
    """One signature (a row) per run `values[bounds[i]:bounds[i + 1]]` (no run empty)."""
    total = int(bounds[-1])
    # Pieces: each lies in one run and one block of `_CHUNK` values.
    cuts = np.union1d(bounds[:-1], np.arange(0, total, _CHUNK))
    lowest = np.empty((len(cuts), NUM_PERM), dtype=np.uint32)
    for c0 in range(0, total, _CHUNK):
        block = values[c0 : c0 + _CHUNK]
        hashed = _A[:, None] * block[None, :] + _B[:, None]  # as in `signature`
        lo, hi = np.searchsorted(cuts, (c0, c0 + len(block)))
        lowest[lo:hi] = np.minimum.reduceat(hashed, cuts[lo:hi] - c0, axis=1).T
    return np.minimum.reduceat(lowest, np.searchsorted(cuts, bounds[:-1]), axis=0)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the shingle sets two signatures stand for."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def encode(sig: Signature) -> bytes:
    """A signature as stored in `CopySignature`: a version byte, then 32-bit values."""
    return bytes([SIGNATURE_VERSION]) + sig.astype("<u4").tobytes()


def decode(data: bytes) -> Signature | None:
    """The signature back from `encode` (None for another version or a damaged value)."""
    if len(data) != 1 + 4 * NUM_PERM or data[0] != SIGNATURE_VERSION:
        return None
    return np.frombuffer(data, dtype="<u4", offset=1).astype(np.uint32)


# -- the index ------------------------------------------------------------------------

# Every band's keys share one dict; a band's key is told from another band's by
# this salt. Two bands of different signatures whose salted keys meet make a
# candidate that the similarity check then drops, nothing worse.
_SALT = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def _band_key_array(matrix: NDArray[np.uint32]) -> NDArray[np.uint64]:
    """Each row's `BANDS` band keys (a band's `ROWS` values as one integer, salted)."""
    rows = matrix.astype(np.uint64).reshape(len(matrix), BANDS, ROWS)
    keys = rows[:, :, 0]
    for r in range(1, ROWS):
        keys = (keys << np.uint64(32)) | rows[:, :, r]
    return keys ^ _SALT


def _stack(sigs: Sequence[Signature]) -> NDArray[np.uint32]:
    if not sigs:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    return np.ascontiguousarray(np.stack(sigs), dtype=np.uint32)


class CopyIndex:
    """Signatures banded for candidate lookup (LSH), kept in memory for an import.

    The banding of datasketch's `MinHashLSH` with `params=(BANDS, ROWS)`: two
    signatures are candidates when all the rows of one band agree. Done here
    with numpy and one dict, because `MinHashLSH` byte-swapped and stored each
    band through its storage layer: 0.51 ms per article (query, check and
    insert) against 0.11 ms, measured side by side at a load of 8 on the bench
    machine (docs/benchmarks.md, "Copies of one story"). Signatures are rows of
    one array. A band key and its row are kept in two sorted arrays (`_keys`,
    `_rows`; 12 bytes a key), the keys added since they were last sorted in a
    dict (`_first`, `_more`) until FREEZE of them are held: with every key in a dict of
    Python ints, 50,000 articles' 1.6 million keys took 185 MB of the import's
    memory (issue 15), in the arrays 19 MB.
    """

    # Keys held in the dict before they are sorted into the arrays (each sort of the
    # arrays is ~50 ms at 1.6 million keys: a few per 50,000 articles).
    FREEZE = 100_000

    def __init__(self) -> None:
        self.ids: list[str] = []  # row -> article id
        self.rows: dict[str, int] = {}  # article id -> row
        self._sigs = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self._keys = np.zeros(0, dtype=np.uint64)  # sorted band keys
        self._rows = np.zeros(0, dtype=np.int64)  # the row of each key
        # Keys added since the last sort: band key -> its first row, and its other rows
        # (only keys that several signatures share, the copies, have a list).
        self._first: dict[int, int] = {}
        self._more: dict[int, list[int]] = {}
        self._dropped: set[tuple[int, int]] = set()  # (key, row) taken out of the arrays

    def __len__(self) -> int:
        return len(self.ids)

    def signature(self, article_id: str) -> Signature | None:
        row = self.rows.get(article_id)
        return None if row is None else self._sigs[row]

    @classmethod
    def load(cls, session: Session) -> CopyIndex:
        """The signatures stored for the archive's articles (orphans left by an undo skipped)."""
        index = cls()
        conn = session.connection()
        ids: list[str] = []
        blobs: list[bytes] = []
        for article_id, data in conn.exec_driver_sql(
            "SELECT s.article_id, s.signature FROM copysignature s "
            "JOIN article a ON a.id = s.article_id ORDER BY a.rowid"
        ):
            data = bytes(data)
            if len(data) == 1 + 4 * NUM_PERM and data[0] == SIGNATURE_VERSION:
                ids.append(str(article_id))
                blobs.append(data[1:])
        if ids:
            matrix = np.frombuffer(b"".join(blobs), dtype="<u4").reshape(len(ids), NUM_PERM)
            index.add_many(ids, matrix.astype(np.uint32))
        return index

    def add(self, article_id: str, sig: Signature) -> None:
        self.add_many([article_id], _stack([sig]))

    def add_many(self, ids: Sequence[str], matrix: NDArray[np.uint32]) -> None:
        """Add the signatures (rows of `matrix`) of the articles `ids`."""
        self.match_and_add(ids, matrix, match=False)

    def match_and_add(
        self, ids: Sequence[str], matrix: NDArray[np.uint32], *, match: bool = True
    ) -> dict[str, list[tuple[float, str]]]:
        """Each article's copies (as `matches`), then the article added, in order.

        So an article of `ids` finds the earlier ones. Returns article id ->
        matches, for the articles that have any.
        """
        found: dict[str, list[tuple[float, str]]] = {}
        if not len(ids):
            return found
        rows = self._place(ids, matrix)
        keys = _band_key_array(matrix)
        earlier = self._sorted_rows(keys) if match else [set() for _ in rows]
        first, more = self._first, self._more
        for article_id, row, row_keys, hits in zip(ids, rows, keys.tolist(), earlier, strict=True):
            for key in row_keys:
                # One dict operation finds the key's rows and adds this row to them.
                held = first.setdefault(key, row)
                if held != row:
                    hits.add(held)
                    others = more.get(key)
                    if others is None:
                        more[key] = [row]
                    else:
                        hits.update(others)
                        others.append(row)
            hits.discard(row)
            if match and hits:
                matches = self._score(self._sigs[row], hits)
                if matches:
                    found[article_id] = matches
        if len(first) >= self.FREEZE:
            self._freeze()
        return found

    def _sorted_rows(self, keys: NDArray[np.uint64]) -> list[set[int]]:
        """For each row of band keys, the rows the sorted arrays hold under any of them."""
        out: list[set[int]] = [set() for _ in range(len(keys))]
        if not len(self._keys):
            return out
        flat = keys.reshape(-1)
        order = np.argsort(flat)  # sorted needles: searchsorted walks the array once
        needles = flat[order]
        lo = np.searchsorted(self._keys, needles, side="left")
        there = self._keys[np.minimum(lo, len(self._keys) - 1)] == needles
        dropped = self._dropped
        for at in np.flatnonzero(there).tolist():  # (most keys of an import: none)
            key = int(needles[at])
            start = int(lo[at])
            end = int(np.searchsorted(self._keys, needles[at], side="right"))
            for row in self._rows[start:end].tolist():
                if (key, row) not in dropped:
                    out[int(order[at]) // BANDS].add(row)
        return out

    def _freeze(self) -> None:
        """Sort the keys held in the dict into the arrays (dropped pairs left out)."""
        keys, rows = self._keys, self._rows
        if self._dropped:  # (pairs of re-signed articles: rare)
            gone = np.array(sorted({k for k, _ in self._dropped}), dtype=np.uint64)
            keep = np.ones(len(keys), dtype=bool)
            for at in np.flatnonzero(np.isin(keys, gone)).tolist():
                if (int(keys[at]), int(rows[at])) in self._dropped:
                    keep[at] = False
            keys, rows = keys[keep], rows[keep]
        first, more = self._first, self._more
        extra = [(key, row) for key, others in more.items() for row in others]
        new_keys = np.fromiter(first.keys(), dtype=np.uint64, count=len(first))
        new_rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        added = np.argsort(new_keys, kind="stable")
        keys = np.concatenate(
            (keys, new_keys[added], np.array([k for k, _ in extra], dtype=np.uint64))
        )
        rows = np.concatenate(
            (rows, new_rows[added], np.array([r for _, r in extra], dtype=np.int64))
        )
        order = np.argsort(keys, kind="stable")  # (mostly two sorted runs: merged)
        self._keys, self._rows = keys[order], rows[order]
        self._first, self._more, self._dropped = {}, {}, set()

    def _place(self, ids: Sequence[str], matrix: NDArray[np.uint32]) -> list[int]:
        """The row of each article (new ones at the end), its signature written there."""
        rows = []
        for article_id in ids:
            row = self.rows.get(article_id)
            if row is None:
                row = self.rows[article_id] = len(self.ids)
                self.ids.append(article_id)
            else:
                self._unlink(row)
            rows.append(row)
        if len(self.ids) > len(self._sigs):
            grown = np.zeros((max(len(self.ids), 2 * len(self._sigs), 256), NUM_PERM), np.uint32)
            grown[: len(self._sigs)] = self._sigs
            self._sigs = grown
        self._sigs[rows] = matrix
        return rows

    def _unlink(self, row: int) -> None:
        """Take a row's band keys out (its article is being signed again)."""
        first, more = self._first, self._more
        for key in _band_key_array(self._sigs[row : row + 1])[0].tolist():
            others = more.get(key)
            if first.get(key) == row:
                if others:
                    first[key] = others.pop(0)
                else:
                    first.pop(key, None)
            elif others and row in others:
                others.remove(row)
            else:
                self._dropped.add((key, row))  # (in the sorted arrays)
            if others is not None and not others:
                del more[key]

    def _score(self, sig: Signature, rows: set[int]) -> list[tuple[float, str]]:
        ordered = sorted(rows)
        agree = np.count_nonzero(self._sigs[ordered] == sig, axis=1).tolist()
        found = [
            (n / NUM_PERM, self.ids[r])
            for r, n in zip(ordered, agree, strict=True)
            if n / NUM_PERM >= THRESHOLD
        ]
        return sorted(found, key=lambda m: (-m[0], m[1]))

    def candidates(self, sig: Signature) -> set[str]:
        """Articles sharing at least one band with `sig`."""
        return {self.ids[r] for r in self._candidate_rows(sig)}

    def _candidate_rows(self, sig: Signature) -> set[int]:
        keys = _band_key_array(_stack([sig]))
        found = self._sorted_rows(keys)[0]
        for key in keys[0].tolist():
            row = self._first.get(key)
            if row is not None:
                found.add(row)
                found.update(self._more.get(key, ()))
        return found

    def matches(self, sig: Signature) -> list[tuple[float, str]]:
        """(similarity, article id) of the copies of `sig` in the index, closest first."""
        rows = self._candidate_rows(sig)
        return self._score(sig, rows) if rows else []


def _states(session: Session, ids: Iterable[str]) -> dict[str, list[Any]]:
    """article id -> [copy_group, copy_group_by] as stored now (this change's writes seen)."""
    conn = session.connection()
    wanted = sorted(set(ids))
    out: dict[str, list[Any]] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        for article_id, group, by in conn.exec_driver_sql(
            f"SELECT id, copy_group, copy_group_by FROM article WHERE id IN ({marks})",
            tuple(chunk),
        ):
            out[str(article_id)] = [group, by]
    return out


def _write_groups(ch: Change, updates: dict[str, tuple[str | None, str]]) -> None:
    if not updates:
        return
    ch.track("article", list(updates))
    ch.session.connection().exec_driver_sql(
        "UPDATE article SET copy_group = ?, copy_group_by = ? WHERE id = ?",
        [(group, by, article_id) for article_id, (group, by) in updates.items()],
    )


def _store_signatures(ch: Change, ids: Sequence[str], matrix: NDArray[np.uint32]) -> None:
    """One statement for a batch's signatures, each stored as `encode` writes it."""
    if not ids:
        return
    head = bytes([SIGNATURE_VERSION])
    blob = matrix.astype("<u4").tobytes()
    size = 4 * NUM_PERM
    ch.session.connection().exec_driver_sql(
        "INSERT OR REPLACE INTO copysignature (article_id, signature) VALUES (?, ?)",
        [(article_id, head + blob[i * size : (i + 1) * size]) for i, article_id in enumerate(ids)],
    )


def detect(
    ch: Change,
    items: Sequence[tuple[str, Signature | None]],
    index: CopyIndex,
    states: dict[str, list[Any]] | None = None,
    previous: dict[str, str] | None = None,
) -> int:
    """Group the articles `items` (id, signature) with their copies in `index`, in `ch`.

    Each article, in order, joins the group of its closest copy that has one
    (else a new group with its copies); copies not yet in a group join it
    too. Articles the user decided about (`copy_group_by == "user"`) are left
    out: never moved, and no other article joins a group through them. The signatures
    are stored and added to `index`. `states` (id -> [group, by]) overrides
    what is stored (a rebuild starts from no automatic groups), and a new
    group takes the id one of its articles had in `previous` (so a rebuild
    that finds the same groups changes nothing). Returns how many articles
    changed group.
    """
    signed = [(article_id, sig) for article_id, sig in items if sig is not None]
    ids = [article_id for article_id, _ in signed]
    matrix = _stack([sig for _, sig in signed])
    found = index.match_and_add(ids, matrix)
    _store_signatures(ch, ids, matrix)
    if not found:
        return 0
    involved = set(found) | {m for ms in found.values() for _, m in ms}
    state = _states(ch.session, [i for i in involved if states is None or i not in states])
    if states is not None:
        state.update({i: states[i] for i in involved if i in states})
    before = {i: tuple(s) for i, s in state.items()}
    taken: set[str] = set()
    for article_id, matches in found.items():
        mine = state.get(article_id)
        # Where the user decided (split or joined), detection neither moves the
        # article nor groups others with it: a split article is a copy of nothing
        # until the user says so, a joined group is as the user made it.
        if mine is None or mine[1] == GROUP_BY_USER:
            continue
        usable = [m for _, m in matches if m in state and state[m][1] != GROUP_BY_USER]
        if not usable:
            continue
        group = mine[0] or next((state[m][0] for m in usable if state[m][0]), None)
        if group is None:
            earlier = (previous or {}).get(article_id) or next(
                (g for m in usable if (g := (previous or {}).get(m))), None
            )
            group = earlier if earlier and earlier not in taken else models.new_id()
            taken.add(group)
        mine[0] = group
        for m in usable:
            if state[m][0] is None:
                state[m][0] = group
    updates = {i: (s[0], s[1]) for i, s in state.items() if tuple(s) != before[i]}
    if states is not None:  # a rebuild: compare with what is stored, not the fresh start
        stored_now = _states(ch.session, updates)
        updates = {i: u for i, u in updates.items() if tuple(stored_now.get(i, ())) != u}
    _write_groups(ch, updates)
    return len(updates)


# -- what the importer calls ------------------------------------------------------------


class ImportCopies:
    """Detection for one import: the index is loaded at the first batch and kept."""

    def __init__(self) -> None:
        self.index: CopyIndex | None = None
        self.enabled = True
        self.error: str | None = None  # why detection stopped, for the import's warnings

    def sign(self, texts: Iterable[tuple[str, str]]) -> list[tuple[str, Signature | None]]:
        """(article id, signature) of each (article id, text); nothing when disabled."""
        if not self.enabled:
            return []
        pairs = list(texts)
        sigs = signatures([text for _, text in pairs])
        return [(article_id, sig) for (article_id, _), sig in zip(pairs, sigs, strict=True)]

    def detect(self, ch: Change, items: Sequence[tuple[str, Signature | None]]) -> None:
        """Group the batch's articles `items` (from `sign`) with their copies, in `ch`."""
        if not self.enabled or not any(sig is not None for _, sig in items):
            return
        try:
            if self.index is None:
                self.index = CopyIndex.load(ch.session)
            detect(ch, items, self.index)
        except Exception as exc:
            # Finding copies must never cost an article: the import goes on without it.
            self.enabled = False
            self.index = None
            self.error = (
                f"copies of one story were not looked for in this import ({type(exc).__name__}:"
                f" {exc}); run `sesame copies --rebuild` to find them"
            )

    def reset(self) -> None:
        """Forget the index (a batch that failed may have added to it): reloaded next time."""
        self.index = None


def detect_unsigned(ch: Change, article_ids: Iterable[str]) -> int:
    """Group those of `article_ids` that have no signature yet with their copies, in `ch`.

    For articles written by another path than the import pipeline (a bundle's
    new articles: `archive.bundles.merge`), in the change that writes them, so
    undoing it undoes their groups. Articles with a signature were looked at when
    they came in; the user's decisions stay (see `detect`). Texts are read and
    signed `_BATCH` at a time. Returns how many articles changed group. A failure
    fails the change (nothing half-written), unlike an import's, which goes on.
    """
    wanted = sorted(set(article_ids))
    if not wanted:
        return 0
    index: CopyIndex | None = None
    changed = 0
    conn = ch.session.connection()
    for i in range(0, len(wanted), _BATCH):
        chunk = wanted[i : i + _BATCH]
        marks = ", ".join("?" * len(chunk))
        rows = conn.exec_driver_sql(
            f"SELECT id, text FROM article WHERE id IN ({marks}) AND id NOT IN "
            "(SELECT article_id FROM copysignature) ORDER BY rowid",
            tuple(chunk),
        ).fetchall()
        sigs = signatures([str(t or "") for _, t in rows])
        items = [(str(a), sig) for (a, _), sig in zip(rows, sigs, strict=True)]
        if any(sig is not None for _, sig in items):
            if index is None:
                index = CopyIndex.load(ch.session)
            changed += detect(ch, items, index)
    return changed


_BATCH = 200  # articles signed at once by `detect_unsigned`, as an import batch


def follow_articles(ch: Change, removed: Sequence[str], restored: Sequence[str]) -> None:
    """Keep the signatures in step with an undo or redo: those of the articles it
    `removed` deleted, those it `restored` signed again (their groups are columns of
    their rows: the undo put them back). Derived rows are not in the change log, so
    without this an undone import left its articles' signatures behind."""
    conn = ch.session.connection()
    if removed:
        conn.exec_driver_sql(
            "DELETE FROM copysignature WHERE article_id = ?", [(a,) for a in removed]
        )
    for i in range(0, len(restored), _BATCH):
        chunk = list(restored[i : i + _BATCH])
        marks = ", ".join("?" * len(chunk))
        rows = conn.exec_driver_sql(
            f"SELECT id, text FROM article WHERE id IN ({marks}) ORDER BY rowid", tuple(chunk)
        ).fetchall()
        signed = [
            (str(a), sig)
            for (a, _), sig in zip(rows, signatures([str(t or "") for _, t in rows]), strict=True)
            if sig is not None
        ]
        if signed:
            _store_signatures(ch, [a for a, _ in signed], np.stack([g for _, g in signed]))


# -- reading groups -------------------------------------------------------------------


@dataclass(frozen=True)
class CopyGroup:
    """A group of two or more copies of one story, members in import order."""

    group: str
    articles: list[str]
    titles: list[str]
    sources: list[str | None]
    by_user: bool

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "articles": self.articles}


def copy_groups(archive: Archive, *, include_retracted: bool = False) -> list[CopyGroup]:
    """Every group with two or more articles, largest first."""
    members: dict[str, list[tuple[str, str, str | None, str]]] = {}
    where = "" if include_retracted else " AND retracted_at IS NULL"
    with archive.session() as session:
        for article_id, title, source, group, by in session.connection().exec_driver_sql(
            "SELECT id, title, source, copy_group, copy_group_by FROM article "
            f"WHERE copy_group IS NOT NULL{where} ORDER BY rowid"
        ):
            members.setdefault(str(group), []).append((article_id, title, source, by))
    groups = [
        CopyGroup(
            group,
            [m[0] for m in rows],
            [m[1] for m in rows],
            [m[2] for m in rows],
            any(m[3] == GROUP_BY_USER for m in rows),
        )
        for group, rows in members.items()
        if len(rows) >= 2
    ]
    return sorted(groups, key=lambda g: (-len(g.articles), g.articles[0]))


def group_sizes(session: Session) -> dict[str, int]:
    """copy_group -> how many (unretracted) articles share it."""
    return {
        str(group): int(count)
        for group, count in session.connection().exec_driver_sql(
            "SELECT copy_group, count(*) FROM article WHERE copy_group IS NOT NULL "
            "AND retracted_at IS NULL GROUP BY copy_group"
        )
    }


# -- the user's decisions -----------------------------------------------------------------


def _existing(ch: Change, ids: Sequence[str]) -> dict[str, list[Any]]:
    state = _states(ch.session, ids)
    missing = [i for i in ids if i not in state]
    if missing:
        raise InvalidInput(f"No article with id {missing[0]} (see `sesame list`).")
    return state


def split(target: Archive | Change, article_ids: Sequence[str]) -> int:
    """Take articles out of their copy groups, as the user's decision (detection keeps it).

    A group left with one article is dissolved (that article is no copy of
    anything any more, and stays so as the user's decision). Returns how many
    articles changed.
    """
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        raise InvalidInput("Name at least one article to split from its copies.")
    with changing(target, f"Split {len(ids)} article(s) from their copies") as ch:
        state = _existing(ch, ids)
        groups = {s[0] for s in state.values() if s[0]}
        if not groups:
            raise InvalidInput(
                "None of these articles is in a group of copies: nothing to split "
                "(`sesame copies` lists the groups)."
            )
        updates: dict[str, tuple[str | None, str]] = {i: (None, GROUP_BY_USER) for i in ids}
        for left in _members(ch.session, groups).values():
            rest = [m for m in left if m not in updates]
            if len(rest) == 1:
                updates[rest[0]] = (None, GROUP_BY_USER)
        return _decide(ch, updates)


def join(target: Archive | Change, article_ids: Sequence[str]) -> str:
    """Make articles copies of one story, as the user's decision. Returns the group id.

    They take the group the first of them is in (else a new one); the other
    members of the groups they come from follow them, so joining two groups
    makes one, and the whole group is the user's decision.
    """
    ids = list(dict.fromkeys(article_ids))
    if len(ids) < 2:
        raise InvalidInput("Name at least two articles to join as copies of one story.")
    with changing(target, f"Join {len(ids)} articles as copies") as ch:
        state = _existing(ch, ids)
        group = next((state[i][0] for i in ids if state[i][0]), None) or models.new_id()
        updates: dict[str, tuple[str | None, str]] = {i: (group, GROUP_BY_USER) for i in ids}
        groups = {s[0] for s in state.values() if s[0]} | {group}
        for members in _members(ch.session, groups).values():
            for m in members:
                updates.setdefault(m, (group, GROUP_BY_USER))
        _decide(ch, updates)
        return group


def _members(session: Session, groups: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    conn = session.connection()
    for group in sorted(groups):
        out[group] = [
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT id FROM article WHERE copy_group = ? ORDER BY rowid", (group,)
            )
        ]
    return out


def _decide(ch: Change, updates: dict[str, tuple[str | None, str]]) -> int:
    now = _states(ch.session, updates)
    updates = {i: u for i, u in updates.items() if tuple(now.get(i, ())) != u}
    _write_groups(ch, updates)
    for article_id, (group, by) in updates.items():
        ch.audit(
            "article",
            "copies",
            article_id,
            before={"copy_group": now[article_id][0], "copy_group_by": now[article_id][1]},
            after={"copy_group": group, "copy_group_by": by},
        )
    return len(updates)


# -- rebuilding ---------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildReport:
    """What `rebuild` did."""

    articles: int  # articles looked at
    signed: int  # with a signature (long enough to judge)
    changed: int  # articles whose group changed
    groups: int  # groups of two or more after it
    cancelled: bool = False


def rebuild(
    target: Archive | Change,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> RebuildReport:
    """Compute every signature again and find the automatic groups again, as one change.

    The user's decisions stay. A cancelled rebuild changes nothing.
    """
    try:
        return _rebuild(target, progress, cancel)
    except _Cancelled:
        return RebuildReport(0, 0, 0, 0, cancelled=True)


def _rebuild(
    target: Archive | Change, progress: ProgressFn | None, cancel: CancelToken | None
) -> RebuildReport:
    with changing(target, "Find copies again") as ch:
        conn = ch.session.connection()
        total = int(conn.exec_driver_sql("SELECT count(*) FROM article").scalar() or 0)
        report(progress, 0, total, "")
        items: list[tuple[str, Signature | None]] = []
        states: dict[str, list[Any]] = {}
        previous: dict[str, str] = {}
        rows = conn.exec_driver_sql(
            "SELECT id, text, copy_group, copy_group_by FROM article ORDER BY rowid"
        )
        pending: list[tuple[str, str]] = []
        for done, (article_id, text, group, by) in enumerate(rows.fetchall(), 1):
            pending.append((str(article_id), str(text or "")))
            states[str(article_id)] = [group, by] if by == GROUP_BY_USER else [None, by]
            if group is not None and by != GROUP_BY_USER:
                previous[str(article_id)] = str(group)
            if done % 100 == 0 or done == total:
                if cancel is not None and cancel.cancelled:
                    raise _Cancelled
                sigs = signatures([t for _, t in pending])
                items.extend((i, sig) for (i, _), sig in zip(pending, sigs, strict=True))
                pending = []
                report(progress, done, total, "")
        conn.exec_driver_sql("DELETE FROM copysignature")
        changed = detect(ch, items, CopyIndex(), states, previous)
        # Automatic groups nothing matched any more are dissolved.
        stale = [
            i
            for i, (group, by) in _states(ch.session, states).items()
            if by != GROUP_BY_USER and group is not None and states[i][0] is None
        ]
        _write_groups(ch, {i: (None, GROUP_BY_AUTO) for i in stale})
        signed = sum(1 for _, s in items if s is not None)
    count = _count_groups(target if not isinstance(target, Change) else target.archive)
    return RebuildReport(total, signed, changed + len(stale), count)


def _count_groups(archive: Archive) -> int:
    with archive.session() as session:
        return sum(1 for n in group_sizes(session).values() if n >= 2)


class _Cancelled(Exception):
    pass
