"""Complete wildcard, prefix and fuzzy terms: every matching word, merged as doc-id sets.

A wildcard (`*tion`, `*a*`, `pol?ce`), a prefix (`th*`) or a fuzzy term
(`polise~`) stands for every word of the lexicon it matches, not only the
most frequent ones: an archive searched for evidence must not drop the
article that spells a name in a rare way.

Each index segment's lexicon of a field is read once into one string, a
word per line (segments never change, so it is kept until the segment is
merged away), and a pattern is compiled into one regular expression that
runs over that string in C: a whole lexicon is scanned in milliseconds
where Whoosh's term-by-term expansion took seconds. The matching words'
postings are then merged as sets of document numbers, most frequent words
first, and the merge stops as soon as every document that has any word in
the field is covered (`*a*` in English text: after a handful of words).

Article text is matched on its words as written (folded: case and accents
ignored), from the `text_words` field, not on the stems the `text` field
holds: `*tion` must find "relation", whose stem is "relat".

The merge has a time budget; when it runs out, the search says so: the
total becomes "at least N" with the reason (`Expansion.note`).
"""

from __future__ import annotations

import io
import pickle
import re
import struct
import threading
import time
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any

from whoosh import query as wq
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import length_to_byte

# Shared by all the expanded terms of one query. At 50,000 generated articles
# a whole-lexicon merge that cannot stop early (a pattern matching thousands
# of mid-frequency words) takes about a second; past this budget the search
# answers with "at least N" and says why. Counted in the search thread's CPU
# time, not on the clock: at load 18 on 2 cores a search gets a tenth of a
# core, and the same `*ing` came back "at least" (95% of its articles) where a
# quiet machine completes it; the answer should not depend on other programs.
EXPAND_SECONDS = 0.25
# Surface (unstemmed) words of the article text, for wildcards and fuzzy terms.
WORDS_FIELD = "text_words"
# An expansion with more than this many words left to read per article not
# yet matched reads those articles' words from the database instead (see
# `Expansion.verify`): one 500-word article's words (read and folded, 1-5 ms
# on the loaded machine) cost as much as a thousand kept rare words' postings.
VERIFY_RATIO = 1000
# Articles with at most this many words in their text (by the length Whoosh
# keeps) are decided by their own words, read from the database once per
# segment and kept: at 50,000 generated articles the 1,519 Burmese ones have
# 8-17 Latin words each, and each wildcard over the English words read the
# postings of every matching word (36,554 for `*tion`, 4 s) because those
# articles were never covered; the others are covered after a few hundred.
SHORT_WORDS = 40
# Postings of words in at most this many articles (of a segment's
# `text_words`) are decoded once and kept in one array per segment: a
# pattern's long tail of rare words (`*tion`: 2,700 of its 2,860 words in a
# segment of 6,500 articles, read only to decide the last few dozen
# articles) cost 15-40 µs a word through the postings file, one slice here.
# At 50,000 generated articles: 8 million postings, 32 MB.
RARE_DF = 256
# Edits a fuzzy term allows at most (more match nearly every short word).
MAX_EDITS = 2


# (segment reader, its document numbers) -> each one's distinct words (folded).
Verifier = Callable[[Any, list[int]], dict[int, set[str]]]


@dataclass
class Budget:
    """The CPU time (of the searching thread) all expansions of one query may take together."""

    seconds: float | None = None  # None: EXPAND_SECONDS
    deadline: float = 0.0

    @staticmethod
    def now() -> float:
        return time.thread_time()

    def start(self) -> None:
        if self.seconds is None:
            self.seconds = EXPAND_SECONDS
        self.deadline = self.now() + self.seconds

    def over(self) -> bool:
        return self.now() > self.deadline


# -- word tests ------------------------------------------------------------------


@dataclass
class WordTest:
    """Which lexicon words a wildcard, prefix or fuzzy term stands for.

    `line_rx` finds candidate words in a lexicon string (one word per line);
    `check`, when set, confirms each candidate (fuzzy: the edit distance).
    """

    label: str
    line_rx: re.Pattern[str]
    word_rx: re.Pattern[str]
    check: Callable[[str], bool] | None = None
    # "\n" + a whole word (lookahead "\n"): sre finds the literal start in
    # C and never tries the positions inside words, where `^...$` with
    # MULTILINE tried each one (`*tion` over 15 lexicons: 250 -> ~100 ms).
    scan_rx: re.Pattern[str] | None = None

    def accepts(self, word: str) -> bool:
        """Whether one (folded) word matches."""
        if self.word_rx.fullmatch(word) is None:
            return False
        return self.check is None or self.check(word)


def _glob_body(pattern: str) -> str:
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append("[^\\n]*")
        elif ch == "?":
            parts.append("[^\\n]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def wildcard_test(pattern: str, label: str | None = None) -> WordTest:
    """`*` any run of characters (also none), `?` exactly one character."""
    body = _glob_body(pattern)
    return WordTest(
        label=label or pattern,
        line_rx=re.compile(rf"^{body}$", re.MULTILINE),
        word_rx=re.compile(body),
        scan_rx=re.compile(rf"\n{body}(?=\n)"),
    )


def prefix_test(prefix: str, label: str | None = None) -> WordTest:
    return wildcard_test(prefix.replace("*", "").replace("?", "") + "*", label or prefix + "*")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance; limit + 1 once past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def fuzzy_test(word: str, maxdist: int, label: str | None = None) -> WordTest:
    """Words within `maxdist` edits (insert, delete, change, swap two) of `word`.

    Pigeonhole: cut `word` into maxdist + 1 pieces; `maxdist` inserts,
    deletes or changes leave at least one piece whole in the other word. A
    swap across a cut spoils two pieces with one edit, so the pieces of the
    word with each such swap made are candidates too (with at most two
    edits that keeps the argument whole). The regex keeps, in C, the words
    of a length within `maxdist` that contain a candidate piece; the
    distance is computed in Python only for those.
    """
    maxdist = max(1, min(maxdist, MAX_EDITS))
    n = len(word)
    lo, hi = max(1, n - maxdist), n + maxdist
    length = rf"(?=[^\n]{{{lo},{hi}}}$)"
    scan_length = rf"(?=[^\n]{{{lo},{hi}}}\n)"
    pieces = _pieces(word, maxdist + 1)
    if pieces and all(pieces):
        # A swap across a piece boundary changes both pieces with one edit:
        # the pieces of the word with that swap are alternatives too.
        alts = set(pieces)
        for cut in _cuts(n, maxdist + 1):
            if 0 < cut < n:
                swapped = word[: cut - 1] + word[cut] + word[cut - 1] + word[cut + 1 :]
                alts.update(p for p in _pieces(swapped, maxdist + 1) if p)
        contains = "(?:" + "|".join(re.escape(p) for p in sorted(alts)) + ")"
        line = rf"^{length}[^\n]*{contains}[^\n]*$"
        scan = rf"\n{scan_length}[^\n]*{contains}[^\n]*(?=\n)"
    else:  # too short to cut: every word of the right length is checked
        line = rf"^{length}[^\n]*$"
        scan = rf"\n{scan_length}[^\n]*(?=\n)"
    target = word

    def check(candidate: str) -> bool:
        if maxdist == 1:
            return within_one_edit(candidate, target)
        return edit_distance(candidate, target, maxdist) <= maxdist

    return WordTest(
        label=label or f"{word}~{maxdist}",
        line_rx=re.compile(line, re.MULTILINE),
        # The same filter for one word (highlighting): most words fail it in C.
        word_rx=re.compile(line[1:-1]),
        check=check,
        scan_rx=re.compile(scan),
    )


def within_one_edit(a: str, b: str) -> bool:
    """Whether `a` and `b` are at most one insert, delete, change or swap apart.

    String slices compared in C: five times faster than the distance table
    on the thousands of candidates a short fuzzy word has.
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    shorter = min(la, lb)
    while i < shorter and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True  # one change
        return (
            i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )  # one swap
    if la > lb:
        return a[i + 1 :] == b[i:]  # one delete
    return a[i:] == b[i + 1 :]  # one insert


def _cuts(n: int, parts: int) -> list[int]:
    return [round(n * k / parts) for k in range(1, parts)]


def _pieces(word: str, parts: int) -> list[str]:
    bounds = [0, *_cuts(len(word), parts), len(word)]
    return [word[a:b] for a, b in pairwise(bounds)]


# -- per-segment lexicons --------------------------------------------------------


@dataclass
class Lexicon:
    """One segment's words of one field, as one string, most frequent first, with their data.

    The words are kept in order of falling document frequency, so a scan of
    `text` meets the words that cover the most articles first and can stop
    as soon as every article is decided (`*a*` at 50,000 articles: after a
    few dozen of its 309,000 words, where sorting them all took a second).
    """

    text: str  # "\nword1\nword2\n...\n"
    starts: array[int]  # offset of each word in `text`
    words: list[bytes]
    dfs: array[int]
    minids: array[int]
    maxids: array[int]
    # Where each word's postings start in the segment's postings file (-1:
    # inlined in its term info, kept in `inlined`, or not known): read
    # without looking the word up again.
    offsets: array[int] = field(default_factory=lambda: array("q"))
    inlined: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # The rare words' postings (`RARE_DF`), word i's at rare[rare_from[i]:rare_to[i]]
    # (rare_from[i] -1: not kept); None until read (`LexiconCache.rare`).
    rare: array[int] | None = None
    rare_from: array[int] = field(default_factory=lambda: array("i"))
    rare_to: array[int] = field(default_factory=lambda: array("i"))

    def iter_matching(self, test: WordTest) -> Iterator[int]:
        """Indexes of the words `test` accepts, most frequent first, found as needed."""
        starts = self.starts
        rx = test.scan_rx
        if rx is not None:  # "\n" + the word, the "\n" found by a fast search in C
            for match in rx.finditer(self.text):
                if test.check is None or test.check(match.group()[1:]):
                    yield bisect_right(starts, match.start() + 1) - 1
            return
        for match in test.line_rx.finditer(self.text):
            if test.check is None or test.check(match.group()):
                yield bisect_right(starts, match.start()) - 1

    def matching(self, test: WordTest) -> list[int]:
        """Indexes of the words `test` accepts."""
        return list(self.iter_matching(test))


def _lexicon_items(reader: Any, fieldname: str) -> Iterable[tuple[bytes, Any]]:
    """(word, term info) of one field of one segment, in order."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "items_from"):
        yield from reader.iter_field(fieldname)
        return
    # The codec's own iterator: iter_field() looks every term up a second time.
    for (fname, btext), info in terms.items_from(fieldname, b""):
        if fname != fieldname:
            return
        yield btext, info


def _read_lexicon(reader: Any, fieldname: str) -> Lexicon:
    words: list[bytes] = []
    dfs = array("I")
    minids = array("I")
    maxids = array("I")
    offsets = array("q")
    inlined: dict[int, tuple[int, ...]] = {}
    try:
        for btext, info in _lexicon_items(reader, fieldname):
            if b"\n" in btext:
                continue
            held = getattr(info, "_inlined", None)
            if held is not None:
                inlined[len(words)] = tuple(held[0])
            offset = getattr(info, "_offset", None)
            offsets.append(offset if held is None and isinstance(offset, int) else -1)
            words.append(btext)
            dfs.append(info.doc_frequency())
            minids.append(info.min_id() or 0)
            maxids.append(info.max_id() or 0)
    except (TermNotFound, KeyError):
        pass
    order = sorted(range(len(words)), key=dfs.__getitem__, reverse=True)
    words = [words[i] for i in order]
    dfs = array("I", (dfs[i] for i in order))
    minids = array("I", (minids[i] for i in order))
    maxids = array("I", (maxids[i] for i in order))
    offsets = array("q", (offsets[i] for i in order))
    where = {old: new for new, old in enumerate(order)}
    inlined = {where[i]: ids for i, ids in inlined.items()}
    decoded = [w.decode("utf-8", "replace") for w in words]
    starts = array("I")
    pos = 1
    for w in decoded:
        starts.append(pos)
        pos += len(w) + 1
    text = "\n" + "\n".join(decoded) + "\n"
    return Lexicon(text, starts, words, dfs, minids, maxids, offsets, inlined)


class LexiconCache:
    """Lexicons of the segments in use, built on first need, dropped once merged away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Held while a lexicon or its rare postings are read: the idle worker's
        # warm-up and a search read each one once, not both at the same time
        # (two threads reading the same 50,000 articles' lexicons took twice as long).
        self._reading = threading.RLock()
        self._items: dict[tuple[str, str], Lexicon] = {}
        self._counts: dict[tuple[str, str], array[int]] = {}
        self._short: dict[tuple[str, str], tuple[dict[int, frozenset[str]], frozenset[int]]] = {}

    def get(self, reader: Any, fieldname: str) -> Lexicon:
        key = (_segment_key(reader), fieldname)
        with self._lock:
            found = self._items.get(key)
        if found is None:
            with self._reading:  # one reader at a time: the idle worker and a search
                with self._lock:
                    found = self._items.get(key)
                if found is None:
                    found = _read_lexicon(reader, fieldname)
                    with self._lock:
                        self._items[key] = found
        return found

    def with_words(self, reader: Any, fieldname: str) -> array[int]:
        """Live documents of the segment with at least one word in `fieldname`.

        From the field lengths Whoosh keeps (one byte per document): once a
        merge has covered them all, the other words cannot add an article.
        `text_words` has the same words as `text`, whose lengths are kept.
        """
        length_field = "text" if fieldname == WORDS_FIELD else fieldname
        key = (_segment_key(reader), "#" + length_field)
        with self._lock:
            found = self._counts.get(key)
        if found is None:
            found = _docs_with_words(reader, length_field)
            with self._lock:
                self._counts[key] = found
        return found

    def short_words(
        self, reader: Any, fieldname: str, words_of: Verifier
    ) -> tuple[dict[int, frozenset[str]], frozenset[int]]:
        """(short article -> its words, the other live articles with words) of a segment.

        Short: at most SHORT_WORDS words in the text. Their words come from
        the database (`words_of`), once per segment; an expansion decides
        them by their words and needs postings only to cover the others.
        """
        key = (_segment_key(reader), fieldname)
        with self._lock:
            found = self._short.get(key)
        if found is None:
            with_words = self.with_words(reader, fieldname)
            short = _short_docs(reader, "text" if fieldname == WORDS_FIELD else fieldname)
            words = {d: frozenset(ws) for d, ws in words_of(reader, short).items()} if short else {}
            found = (words, frozenset(with_words).difference(words))
            with self._lock:
                self._short[key] = found
        return found

    def rare(self, reader: Any, fieldname: str) -> Lexicon:
        """The segment's lexicon of `fieldname` with its rare words' postings read (once)."""
        lexicon = self.get(reader, fieldname)
        if lexicon.rare is not None:
            return lexicon
        with self._reading:
            if lexicon.rare is None:
                _read_rare(reader, lexicon)
        return lexicon

    def keep_only(self, readers: Iterable[Any]) -> None:
        """Forget the lexicons of segments no longer in the index."""
        live = {_segment_key(r) for r in readers}
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if k[0] in live}
            self._counts = {k: v for k, v in self._counts.items() if k[0] in live}
            self._short = {k: v for k, v in self._short.items() if k[0] in live}


def _lengths(reader: Any, fieldname: str) -> bytes | None:
    """The field's length byte of every document of the segment, or None (not W3)."""
    try:
        column = reader._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        raw = column._dbfile.get(column._basepos, column._count) if column is not None else None
    except Exception:  # not the W3 codec: every document may have words
        raw = None
    return bytes(raw) if raw is not None else None


def _short_docs(reader: Any, fieldname: str) -> list[int]:
    """Live documents of the segment with 1 to SHORT_WORDS words in `fieldname`."""
    raw = _lengths(reader, fieldname)
    if raw is None:
        return []
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    top = length_to_byte(SHORT_WORDS)
    return [d for d, n in enumerate(raw) if 0 < n <= top and d not in deleted]


def _read_rare(reader: Any, lexicon: Lexicon) -> None:
    """Keep the postings of the lexicon's words in 3 to RARE_DF articles, in one array."""
    buf = _postings_buffer(reader)
    ids = array("I")
    starts = array("i", [-1]) * len(lexicon.words)
    ends = array("i", [-1]) * len(lexicon.words)
    if buf is not None and len(lexicon.offsets) == len(lexicon.words):
        offsets, dfs = lexicon.offsets, lexicon.dfs
        # Most frequent first: the rare words are the end of the lexicon.
        first = bisect_left(dfs, -RARE_DF, key=lambda df: -df)
        for i in range(first, len(dfs)):
            if dfs[i] <= 2:
                break  # the term info holds them
            if offsets[i] >= 0:
                got = _ids_at(buf, offsets[i])
                if got is not None:
                    starts[i] = len(ids)
                    ids.extend(got)
                    ends[i] = len(ids)
    # `rare` last: a search that sees it set finds the others set too.
    lexicon.rare_from, lexicon.rare_to, lexicon.rare = starts, ends, ids


def _docs_with_words(reader: Any, fieldname: str) -> array[int]:
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    raw = _lengths(reader, fieldname)
    if raw is None:
        return array("I", (d for d in range(reader.doc_count_all()) if d not in deleted))
    return array("I", (d for d, n in enumerate(raw) if n and d not in deleted))


def _segment_key(reader: Any) -> str:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else str(id(reader))


# -- reading postings fast ---------------------------------------------------------


_BLOCK_LENGTH = struct.Struct("!i")


def _postings_buffer(reader: Any) -> Any:
    """The segment's postings file as one buffer, or None (then Whoosh's matchers read it)."""
    terms = getattr(reader, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    buf = getattr(postfile, "_buf", None)
    return buf if isinstance(buf, memoryview) else None


def _ids_at(buf: memoryview, offset: int) -> list[int] | None:
    """Document numbers of the posting list at `offset` of a W3 postings buffer.

    Whoosh reads each block's header through `pickle.load` on a Python file
    object (about 20 read() calls a block) and builds a matcher per term; for
    the 36,554 words of `*tion` over 15 segments at 50,000 articles that was
    about 100 µs a word, 3.6 s. Here the block is sliced from the buffer and
    unpickled from bytes in C. None if the layout is not the one expected.
    """
    if buf[offset : offset + 4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        return None
    pos = offset + 4
    ids: list[int] = []
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(buf, pos)
        last = length < 0
        end = pos + 4 + abs(length)
        block = io.BytesIO(buf[pos + 4 : end])
        info = pickle.load(block)  # (count, max id, max weight, compression, ...)
        raw = block.read()
        data = pickle.loads(zlib.decompress(raw) if info[3] else raw)
        ids.extend(accumulate(data[0]))
        if last:
            return ids
        pos = end


def _info_ids(reader: Any, info: Any, buf: memoryview | None) -> list[int] | None:
    """Document numbers of a term from its term info (inlined or at its offset), or None."""
    inlined = getattr(info, "_inlined", None)
    if inlined is not None:
        return list(inlined[0])
    offset = getattr(info, "_offset", None)
    if buf is None or offset is None:
        return None
    return _ids_at(buf, offset)


def _term_ids(reader: Any, fieldname: str, btext: bytes) -> Iterable[int]:
    """Document numbers of one term in one segment (deleted ones included).

    Whoosh decodes a block's ids one by one in a Python generator; here the
    blocks are unpickled and their deltas summed by accumulate() in C.
    """
    buf = _postings_buffer(reader)
    if buf is not None and fieldname in reader.schema:
        try:
            info = reader._terms.term_info(fieldname, btext)
        except (TermNotFound, KeyError):
            return ()
        except Exception:  # pragma: no cover - not the W3 codec
            info = None
        if info is not None:
            fast = _info_ids(reader, info, buf)
            if fast is not None:
                return fast
    try:
        matcher = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    except (AttributeError, TermNotFound, KeyError):
        try:
            return list(reader.postings(fieldname, btext).all_ids())
        except TermNotFound:
            return ()
    if isinstance(matcher, FilterMatcher):  # pragma: no cover - not from _terms
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return list(matcher.all_ids())
    ids: list[int] = []
    while True:
        matcher._read_data()
        ids.extend(accumulate(matcher._data[0]))
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return ids


def _term_postings(
    reader: Any, fieldname: str, btext: bytes, *, whole: bool = True
) -> tuple[list[int], list[Any]]:
    """(document numbers, weights) of one term in one segment, deleted ones included.

    For a `Frequency` field (`text_pairs`) the weight is the count. `whole`:
    rounded to whole numbers (else as stored). Read block by block as
    `_term_ids` does.
    """
    try:
        matcher = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    except (AttributeError, KeyError):
        matcher = None
    except TermNotFound:
        return [], []
    ids: list[int] = []
    weights: list[Any] = []
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        try:
            m = reader.postings(fieldname, btext)
        except TermNotFound:
            return [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(round(m.weight()) if whole else m.weight())
            m.next()
        return ids, weights
    while True:
        matcher._read_data()
        block = list(accumulate(matcher._data[0]))
        ids.extend(block)
        matcher._weights = None
        matcher._read_weights()
        weights.extend(map(round, matcher._weights) if whole else matcher._weights)
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return ids, weights


class _PostingsOf:
    """The document numbers of a lexicon's words in one segment, by the quickest way at hand."""

    def __init__(self, reader: Any, fieldname: str, lexicon: Lexicon) -> None:
        self.reader, self.fieldname, self.lexicon = reader, fieldname, lexicon
        self.buf = _postings_buffer(reader) if len(lexicon.offsets) == len(lexicon.words) else None

    def of(self, i: int) -> Iterable[int]:
        lexicon = self.lexicon
        df = lexicon.dfs[i]
        if df <= 2:  # the term info holds them: no postings to read
            return (lexicon.minids[i], lexicon.maxids[i])
        held = lexicon.inlined.get(i)
        if held is not None:
            return held
        rare = lexicon.rare
        if rare is not None and df <= RARE_DF and lexicon.rare_from[i] >= 0:
            return rare[lexicon.rare_from[i] : lexicon.rare_to[i]]
        offset = lexicon.offsets[i] if self.buf is not None else -1
        fast = _ids_at(self.buf, offset) if self.buf is not None and offset >= 0 else None
        if fast is not None:
            return fast
        return _term_ids(self.reader, self.fieldname, lexicon.words[i])


class SortedListMatcher(ListMatcher):
    """A ListMatcher that skips by bisection and tells Whoosh its best scores.

    The top hits are scored by Whoosh's collector, which skips what cannot
    beat the 20th best when every matcher says how high it can score (block
    quality): with it, a phrase matching 8,000 articles ("of the") is not
    visited article by article once the top is full of better scores. The
    list is cut into blocks of BLOCK; a block's quality is its highest weight.
    """

    BLOCK = 128

    def __init__(self, ids: list[int], weights: list[float] | None = None, boost: float = 1.0):
        super().__init__(ids, weights=weights, all_weights=None if weights else boost)
        self._i: int = 0
        if weights:
            size = self.BLOCK
            self._maxes = [max(weights[k : k + size]) for k in range(0, len(weights), size)]
        else:
            self._maxes = [boost] * ((len(ids) + self.BLOCK - 1) // self.BLOCK)
        self._best = max(self._maxes) if self._maxes else boost
        # The best score from each block on: what `block_quality` tells (see there).
        self._rest = list(accumulate(reversed(self._maxes), max))[::-1]

    def copy(self) -> SortedListMatcher:
        made = SortedListMatcher(self._ids, self._weights, self._all_weights or 1.0)
        made._i = self._i
        return made

    def next(self) -> bool:
        # True on entering a new block: Whoosh's collector checks block quality
        # again only then (ListMatcher says nothing, so after the top 20 was
        # full every match was still scored: 42,886 of them for `*tion`, 1 s).
        self._i += 1
        return self._i % self.BLOCK == 0

    def skip_to(self, id: int) -> bool:
        if self._i < len(self._ids) and id > self._ids[self._i]:
            block = self._i // self.BLOCK
            self._i = bisect_left(self._ids, id, self._i)
            return self._i // self.BLOCK != block
        return False

    def supports_block_quality(self) -> bool:
        return True

    def max_quality(self) -> float:
        if self._i >= len(self._ids):
            return 0.0
        return float(self._rest[self._i // self.BLOCK])

    def block_quality(self) -> float:
        """The best score from here on, not only in this block.

        Whoosh's unions and intersections add their children's block qualities
        and skip a child's blocks when the sum cannot reach the top; but the
        other child's documents past its own block may score higher than its
        block says, and with each block's true best (lists scored at once,
        `common_terms`) `the AND police` lost three of its top 20 at 50,000
        articles. The best of the rest bounds every document ahead; a list
        alone still skips block by block (`skip_to_quality`), exactly.
        """
        if self._i >= len(self._ids):
            return 0.0
        return float(self._rest[self._i // self.BLOCK])

    def skip_to_quality(self, minquality: float) -> int:
        skipped = 0
        size = self.BLOCK
        while self._i < len(self._ids) and self._maxes[self._i // size] <= minquality:
            self._i = (self._i // size + 1) * size
            skipped += 1
        return skipped

    def score(self) -> float:
        return float(self.weight())


# -- the query ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What an expansion did, for the honest total."""

    words: int = 0  # matching words in the lexicon
    read: int = 0  # of them, merged before the time ran out
    truncated: bool = False
    docs: set[int] = field(default_factory=set)


class Expansion(wq.Query):
    """Every word of `fieldname` that `test` accepts, matched as one set of articles."""

    def __init__(
        self,
        fieldname: str,
        test: WordTest,
        lexicons: LexiconCache,
        budget: Budget,
        boost: float = 1.0,
        highlight_field: str | None = None,
        verify: Verifier | None = None,
    ) -> None:
        self.fieldname = fieldname
        self.verify = verify
        self.test = test
        self.lexicons = lexicons
        self.budget = budget
        self.boost = boost
        self.highlight_field = highlight_field
        self.outcome = Outcome()
        self.text = test.label
        # Segment -> its matches: the total (docsets) and the top hits (Whoosh)
        # ask for the same segment; the words are merged once.
        self._matched: dict[str, list[int]] = {}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Expansion)
            and other.fieldname == self.fieldname
            and other.test.label == self.test.label
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, self.test.label))

    def __repr__(self) -> str:
        return f"Expansion({self.fieldname!r}, {self.test.label!r})"

    def __str__(self) -> str:
        return f"{self.fieldname}:{self.test.label}"

    def is_leaf(self) -> bool:
        return True

    def terms(self, phrases: bool = False) -> Iterable[Any]:
        return iter(())

    def estimate_size(self, ixreader: Any) -> int:
        return int(ixreader.doc_count())

    def estimate_min_size(self, ixreader: Any) -> int:
        return 0

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        reader = searcher.reader()
        if reader.is_atomic():
            ids = self.segment_ids(reader)
        else:  # a whole multi-segment reader (not how Whoosh's collectors call it)
            ids = []
            for leaf, base in reader.leaf_readers():
                ids.extend(base + d for d in self.segment_ids(leaf))
        if not ids:
            return NullMatcher()
        return SortedListMatcher(ids, boost=self.boost)

    def segment_ids(self, reader: Any) -> list[int]:
        """The live documents of one segment with a matching word (merged once per segment)."""
        key = _segment_key(reader)
        found = self._matched.get(key)
        if found is None:
            found = self._matched[key] = self._segment_ids(reader)
        return found

    def _segment_ids(self, reader: Any) -> list[int]:
        if self.fieldname not in reader.schema:
            return []
        started = self.budget.now()
        lexicons, test, outcome = self.lexicons, self.test, self.outcome
        # The rare words' postings are used once the idle worker has read them
        # (`LexiconCache.rare`, after an import or an open): a cold `sesame
        # search` does not wait seconds for them, it reads those postings.
        lexicon = lexicons.get(reader, self.fieldname)
        short: dict[int, frozenset[str]]
        if self.verify is not None:  # article text: short articles by their own words
            short, need = lexicons.short_words(reader, self.fieldname, self.verify)
        else:
            short, need = {}, frozenset(lexicons.with_words(reader, self.fieldname))
        # Reading a segment's lexicon the first time is not the pattern's cost.
        self.budget.deadline += self.budget.now() - started
        deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
        if deleted:  # deleted since the segment's sets were kept: never to be covered
            need = need.difference(deleted)
        docs: set[int] = {d for d, ws in short.items() if any(map(test.accepts, ws))}
        if not need:  # every article is decided by its own words
            return sorted(docs - deleted if deleted else docs)
        # The long articles not matched yet, once half of them are.
        missing: set[int] | None = None
        seen = 0
        postings = _PostingsOf(reader, self.fieldname, lexicon)
        for i in lexicon.iter_matching(test):
            seen += 1
            if seen % 16 == 0:
                if self.budget.over():
                    outcome.truncated = True
                    break
                # Words still to come, judged by how far down the lexicon the scan is.
                left = seen * (len(lexicon.words) - i) // (i + 1)
                if (
                    self.verify is not None
                    and missing is not None
                    and len(missing) * VERIFY_RATIO <= left
                ):
                    # Few articles left to decide and many words left to read:
                    # look at those articles' own words instead.
                    docs.update(self._by_own_words(reader, missing))
                    missing.clear()
                    break
            ids = postings.of(i)
            docs.update(ids)
            outcome.read += 1
            if missing is None:
                if 2 * len(docs) >= len(need):
                    missing = set(need)
                    missing.difference_update(docs)
            else:
                missing.difference_update(ids)
            if missing is not None and not missing:
                # Every long article is matched: the other words add nothing.
                break
        outcome.words += seen
        if deleted:
            docs -= deleted
        return sorted(docs)

    def _by_own_words(self, reader: Any, docnums: Iterable[int]) -> list[int]:
        """Of these documents, those with a word the test accepts (words from the database)."""
        if self.verify is None:
            return []
        test = self.test
        return [
            d
            for d, ws in self.verify(reader, sorted(docnums)).items()
            if any(map(test.accepts, ws))
        ]

    def note(self) -> str | None:
        """Why the total is only a lower bound, if it is."""
        o = self.outcome
        if not o.truncated:
            return None
        return (
            f"“{self.test.label}” matches at least {o.words:,} different words; "
            f"{o.read:,} of them were searched before the time limit "
            f"({self.budget.seconds or 0:.2f} s of computing), so more articles may match. "
            "Make the pattern longer or add another word."
        )
