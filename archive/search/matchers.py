"""Whoosh queries of our own: fast exact phrases, and the wiring of complete expansion."""

from __future__ import annotations

import math
import pickle
import re
import threading
from collections import OrderedDict
from itertools import accumulate, pairwise
from typing import Any

from whoosh import query as wq
from whoosh.matching import NullMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from archive.search.expand import (
    WORDS_FIELD,
    Budget,
    Expansion,
    LexiconCache,
    SortedListMatcher,
    Verifier,
    WordTest,
    _term_postings,
    fuzzy_test,
    prefix_test,
    wildcard_test,
)
from archive.search.pairs import PAIRS_FIELD, is_pair, pair_term


class FastPhrase(wq.Phrase):
    """A phrase checked with set arithmetic on positions.

    Whoosh verifies each candidate document by building Span objects; for
    phrases of common words ("more than 600") that was most of the query
    time. Here the rarest word leads the intersection, and a document
    matches when some start position p has word i at p + i for every i.
    Every candidate is checked: a phrase's total is always exact.
    """

    # The search index's per-segment cache of phrase matches (set before searching).
    cache: PhraseCache | None = None

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        reader = searcher.reader()
        found = self.segment_matches(reader)
        if found is None:
            return super().matcher(searcher, context)
        ids, freqs = found
        return _phrase_matcher(reader, self.fieldname, ids, freqs, self.boost)

    def segment_ids(self, reader: Any) -> list[int] | None:
        """The live documents of one segment holding the phrase (None: not ours to match)."""
        found = self.segment_matches(reader)
        return None if found is None else found[0]

    def segment_matches(self, reader: Any) -> tuple[list[int], list[int]] | None:
        """(documents, occurrences) in one segment reader, deleted documents left out."""
        words = list(self.words)
        if self.slop != 1 or len(words) < 2 or not reader.is_atomic():
            return None
        field = self.fieldname
        cache = self.cache
        key = _segment_key(reader, field, words) if cache is not None else None
        cached = cache.get(key) if cache is not None and key is not None else None
        if cached is None:
            cached = _match_phrase(reader, field, words)
            if cache is not None and key is not None:
                cache.put(key, cached)
        ids, freqs = cached
        if ids and reader.has_deletions():
            # Documents deleted since the phrase was matched in this segment.
            deleted = reader.deleted_docs_set
            kept = [(d, f) for d, f in zip(ids, freqs, strict=True) if d not in deleted]
            ids, freqs = [d for d, _ in kept], [f for _, f in kept]
        return ids, freqs


def _match_phrase(reader: Any, field: str, words: list[str]) -> tuple[list[int], list[int]]:
    """(documents, occurrences) of the phrase in one segment, every candidate checked."""
    pairs: list[str] = []
    if field == "text" and PAIRS_FIELD in reader.schema:
        pairs = [pair_term(a, b) for a, b in pairwise(words) if is_pair(a, b)]
        if len(words) == 2 and pairs:
            # A pair of common words is one term: its postings are the answer.
            return _term_postings(reader, PAIRS_FIELD, pairs[0].encode("utf-8"))
    try:
        matchers = [reader.postings(field, w) for w in words]
        # Every common pair must be there too: the articles checked are only
        # those with all of them (a handful for "one of the most").
        filters = [reader.postings(PAIRS_FIELD, p) for p in dict.fromkeys(pairs)]
    except TermNotFound:
        return [], []
    ids: list[int] = []
    freqs: list[int] = []
    if not all(m.is_active() for m in matchers + filters):
        return ids, freqs
    order = sorted(range(len(words)), key=lambda i: reader.doc_frequency(field, words[i]))
    lead, rest = _rarest(reader, field, words, order, matchers, pairs, filters)
    while lead.is_active():
        docnum = lead.id()
        ahead = -1
        for m in rest:
            if m.id() < docnum:
                m.skip_to(docnum)
                if not m.is_active():
                    return ids, freqs
            if m.id() != docnum:
                ahead = m.id()
                break
        if ahead >= 0:
            lead.skip_to(ahead)
            continue
        starts: set[int] | None = None
        decoded: dict[str, list[int]] = {}
        for i in order:  # rarest first: fewest positions to decode
            word = words[i]
            positions = decoded.get(word)
            if positions is None:
                positions = decoded[word] = _positions(matchers[i].value())
            # map() with the int's own method: the shift runs in C.
            shifted = set(map((-i).__add__, positions)) if i else set(positions)
            starts = shifted if starts is None else starts & shifted
            if not starts:
                break
        if starts:
            ids.append(docnum)
            freqs.append(len(starts))
        lead.next()
    return ids, freqs


def _rarest(
    reader: Any,
    field: str,
    words: list[str],
    order: list[int],
    matchers: list[Any],
    pairs: list[str],
    filters: list[Any],
) -> tuple[Any, list[Any]]:
    """The matcher with the fewest documents first (it leads), then the others."""
    sized = [(reader.doc_frequency(field, words[i]), matchers[i]) for i in order]
    sized += [
        (reader.doc_frequency(PAIRS_FIELD, p), m)
        for p, m in zip(dict.fromkeys(pairs), filters, strict=True)
    ]
    sized.sort(key=lambda item: item[0])
    return sized[0][1], [m for _, m in sized[1:]]


def _segment_key(
    reader: Any, field: str, words: list[str]
) -> tuple[str, str, tuple[str, ...]] | None:
    segment = reader.segment() if reader.is_atomic() and hasattr(reader, "segment") else None
    if segment is None:
        return None
    return (segment.segment_id(), field, tuple(words))


class PhraseCache:
    """Phrase matches per segment of one index (segments never change; deletions are
    filtered on use). Segment ids are random names, unique within an index only.

    A phrase of common words ("of the") checks every document's positions:
    about 20 µs each, a second at 50,000 articles. Kept per segment, it is
    paid once: after a tag only the tag's new small segment is checked.
    """

    MAX_IDS = 2_000_000  # about 16 MB of document numbers in all

    def __init__(self) -> None:
        self._items: OrderedDict[Any, tuple[list[int], list[int]]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> tuple[list[int], list[int]] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, value: tuple[list[int], list[int]]) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._size += len(value[0])
            while self._size > self.MAX_IDS and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped[0])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


def share_phrase_cache(q: wq.Query, cache: PhraseCache) -> None:
    """Let every phrase of `q` use the index's cache; ORs as trees of unions.

    On a segment of up to 5,000 documents Whoosh's automatic choice for an
    OR (a word is an OR of five fields) preloads every match into an array
    the size of the segment, filled in Python: at 10,000 generated articles
    in 14 segments that was two thirds of a plain word's search. The tree of
    unions also lets the collector skip what cannot reach the top.
    """
    for node in _walk(q):
        if isinstance(node, FastPhrase):
            node.cache = cache
        elif isinstance(node, wq.Or):
            node.matcher_type = wq.Or.DEFAULT_MATCHER


def _positions(value: bytes) -> list[int]:
    """Positions from a Positions/Characters posting value (Whoosh 2.7 encoding).

    The value is a count then a pickled list of delta tuples without the
    final STOP opcode; accumulate() does in C what Whoosh's decoder loops
    over in Python.
    """
    codes = pickle.loads(value[4:] + b".")
    if not codes:
        return []
    if isinstance(codes[0], int):  # Positions: plain deltas
        return list(accumulate(codes))
    return list(accumulate(next(zip(*codes, strict=False))))  # Characters: (pos, start, len)


def _phrase_matcher(reader: Any, field: str, ids: list[int], freqs: list[int], boost: float) -> Any:
    """Matches scored like BM25 with the phrase as the term."""
    if not ids:
        return NullMatcher()
    idf = math.log(1 + (reader.doc_count_all() - len(ids) + 0.5) / (len(ids) + 0.5))
    weights = [boost * idf * (tf * 2.2) / (tf + 1.2) for tf in freqs]
    return SortedListMatcher(ids, weights=weights)


def _walk(q: wq.Query) -> Any:
    yield q
    for child in q.children():
        yield from _walk(child)


def expand_terms(
    q: wq.Query, lexicons: LexiconCache, budget: Budget, verify: Verifier | None = None
) -> wq.Query:
    """Replace wildcard, prefix and fuzzy terms by complete `Expansion`s; `*` by every article.

    Article text is matched on its words as written (`text_words`); other
    fields on their own terms. `verify` reads articles' words from the
    database (for `text_words` only: it holds exactly the words of the text).
    """

    def replace(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Every):
            return wq.Every(boost=node.boost)
        if isinstance(node, wq.Wildcard) and set(node.text) <= {"*"}:
            return wq.Every(boost=node.boost)
        test = _word_test(node)
        if test is None:
            return node
        field = WORDS_FIELD if node.fieldname == "text" else node.fieldname
        return Expansion(
            field,
            test,
            lexicons,
            budget,
            boost=node.boost,
            highlight_field="text" if field == WORDS_FIELD else None,
            verify=verify if field == WORDS_FIELD else None,
        )

    expanded = q.accept(replace)
    return _every_absorbs(expanded)


def _word_test(node: wq.Query) -> WordTest | None:
    label = str(getattr(node, "text", ""))
    if isinstance(node, wq.FuzzyTerm):
        return fuzzy_test(node.text, int(node.maxdist), label=f"{node.text}~{int(node.maxdist)}")
    if isinstance(node, wq.Prefix):
        return prefix_test(node.text, label=f"{node.text}*")
    if isinstance(node, wq.Wildcard):
        return wildcard_test(node.text, label=label)
    if isinstance(node, wq.Regex):
        body = f"(?:{node.text})"
        return WordTest(
            label=label,
            line_rx=re.compile(rf"^{body}$", re.MULTILINE),
            word_rx=re.compile(body),
        )
    return None


def _every_absorbs(q: wq.Query) -> wq.Query:
    """An OR with "every article" in it is every article (answered at once)."""

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Or) and any(isinstance(c, wq.Every) for c in node.subqueries):
            return wq.Every(boost=node.boost)
        return node

    return q.accept(fix)


def expansions(q: wq.Query) -> list[Expansion]:
    """The expanded terms of `q`."""
    return [node for node in _walk(q) if isinstance(node, Expansion)]
