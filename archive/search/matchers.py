"""Whoosh queries of our own: fast exact phrases, and the wiring of complete expansion."""

from __future__ import annotations

import math
import pickle
import re
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from itertools import accumulate, pairwise
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import (
    AndNotMatcher,
    IntersectionMatcher,
    InverseMatcher,
    NullMatcher,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util import make_weighted_tree

from archive.search import arrays, phrase_arrays
from archive.search.common_terms import ListedTerm
from archive.search.expand import (
    WORDS_FIELD,
    Budget,
    Expansion,
    LexiconCache,
    SortedListMatcher,
    Verifier,
    WordTest,
    _term_ids,
    _term_postings,
    fuzzy_test,
    prefix_test,
    wildcard_test,
)
from archive.search.live import without_deleted
from archive.search.pairs import PAIRS_FIELD, is_pair, pair_term
from archive.search.positions import PackedCharacters, positions


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

    def estimate_size(self, ixreader: Any) -> int:
        # Whoosh's estimate looks up every word's term info again, per segment, each
        # time an OR builds its tree (a third of a common phrase's collecting time at
        # 4,000 articles); the segment's matches are cached and exact.
        found = self.segment_matches(ixreader) if ixreader.is_atomic() else None
        return len(found[0]) if found is not None else int(super().estimate_size(ixreader))

    def estimate_min_size(self, ixreader: Any) -> int:
        found = self.segment_matches(ixreader) if ixreader.is_atomic() else None
        return len(found[0]) if found is not None else int(super().estimate_min_size(ixreader))

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
            # Documents deleted since the phrase was matched in this segment, left out
            # once per search (the total, the collector and the estimates all ask).
            kept = self.__dict__.setdefault("_kept", {})
            held = kept.get(id(reader))
            if held is None:
                held = kept[id(reader)] = (
                    reader,
                    without_deleted(ids, freqs, reader.deleted_docs_set),
                )
            ids, freqs = held[1]
        return ids, freqs


def _match_phrase(reader: Any, field: str, words: list[str]) -> tuple[list[int], list[int]]:
    """(documents, occurrences) of the phrase in one segment, every candidate checked.

    A two-word phrase of common words is one `text_pairs` term. Otherwise each
    word (at one or more offsets in the phrase) and each common pair (no
    positions: it only narrows the candidates) is read rarest first, the
    next only in the blocks holding the documents still in the running
    (`posting_values`; Whoosh's skip_to walked the ids one by one in Python:
    0.47 s of "the city" at 50,000 articles); then each document's
    positions, rarest word first, until no start is left.
    """
    pairs: list[str] = []
    if field == "text" and PAIRS_FIELD in reader.schema:
        pairs = list(dict.fromkeys(pair_term(a, b) for a, b in pairwise(words) if is_pair(a, b)))
        if len(words) == 2 and pairs:
            # A pair of common words is one term: its postings are the answer.
            return _term_postings(reader, PAIRS_FIELD, pairs[0].encode("utf-8"))
    sources: dict[tuple[str, str], list[int]] = {}
    for offset, word in enumerate(words):
        sources.setdefault((field, word), []).append(offset)
    for pair in pairs:  # every common pair must be there too ("one of the most")
        sources[(PAIRS_FIELD, pair)] = []
    keys = list(sources)
    sizes = [reader.doc_frequency(f, t) for f, t in keys]
    if not all(sizes):
        return [], []
    order = sorted(range(len(keys)), key=sizes.__getitem__)
    terms = [(*keys[k], sources[keys[k]]) for k in order]
    decode = _position_decoder(reader, field)
    # The two rarest words first: the articles where they sit at their offsets are
    # usually far fewer than those holding them, and only those are read for the
    # other words ("of seer the": 7,500 articles hold "seer" and "of", a few dozen
    # "of seer"; "the" is then read in a few dozen posting blocks, not in 400).
    worded = [i for i, (_, _, offsets) in enumerate(terms) if offsets]
    second = worded[1] if len(worded) > 1 else len(terms) - 1
    head, tail = terms[: second + 1], terms[second + 1 :]
    values, candidates = _candidates(reader, [(f, t, bool(o)) for f, t, o in head])
    if not candidates:
        return [], []
    plan = [(found, o) for (_, _, o), found in zip(head, values, strict=True) if o]
    if tail and len(plan) > 1:
        candidates = _check(plan, candidates, decode)[0]
    if tail and candidates:
        more, candidates = _candidates(reader, [(f, t, bool(o)) for f, t, o in tail], candidates)
        if candidates:
            plan += [(found, o) for (_, _, o), found in zip(tail, more, strict=True) if o]
    if not candidates:
        return [], []
    return _check(plan, candidates, decode)


def _check(
    plan: list[tuple[dict[int, bytes], list[int]]],
    candidates: list[int],
    decode: Callable[[bytes], Sequence[int]],
) -> tuple[list[int], list[int]]:
    """(documents, occurrences) among `candidates` where the plan's words sit at their
    offsets (`plan`: each word's posting values and offsets, rarest word first)."""
    if decode is positions and len(candidates) >= phrase_arrays.MIN_CANDIDATES:
        matched = phrase_arrays.match(plan, candidates)
        if matched is not None:
            return matched
    (first, first_offsets), rest = plan[0], plan[1:]
    lead, *lead_more = first_offsets
    ids: list[int] = []
    freqs: list[int] = []
    for docnum in candidates:
        # Start positions from the rarest word (map() with the int's own method: the
        # shift runs in C), then each other word looked up at start + offset in its
        # sorted positions: a very common word's ~45 are never made into a set.
        found_at = decode(first[docnum])
        starts = set(map((-lead).__add__, found_at)) if lead else set(found_at)
        for offset in lead_more:
            starts = {p for p in starts if _holds(found_at, p + offset)}
        for found, offsets in rest:
            if not starts:
                break
            found_at = decode(found[docnum])
            for offset in offsets:
                starts = {p for p in starts if _holds(found_at, p + offset)}
        if starts:
            ids.append(docnum)
            freqs.append(len(starts))
    return ids, freqs


def _holds(ascending: Sequence[int], value: int) -> bool:
    i = bisect_left(ascending, value)
    return i < len(ascending) and ascending[i] == value


def _candidates(
    reader: Any, terms: list[tuple[str, str, bool]], candidates: list[int] | None = None
) -> tuple[list[dict[int, bytes]], list[int]]:
    """Each term's posting values (rarest first) in the documents holding every term.

    A term (field, text, positions wanted) is read only in the blocks holding
    the documents the ones before it left; one without positions (a common
    pair) only narrows them, from its ids decoded in C. `candidates` (sorted):
    the documents still in the running before the first term.
    """
    values: list[dict[int, bytes]] = []
    for field, term, with_positions in terms:
        btext = term.encode("utf-8")
        if with_positions:
            found = posting_values(reader, field, btext, candidates)
        else:
            held = set(_term_ids(reader, field, btext))
            found = dict.fromkeys(
                held if candidates is None else held.intersection(candidates), b""
            )
        values.append(found)
        candidates = sorted(found) if candidates is None else [d for d in candidates if d in found]
        if not candidates:
            return values, []
    return values, candidates or []


def posting_values(
    reader: Any, field: str, btext: bytes, wanted: list[int] | None
) -> dict[int, bytes]:
    """Document -> posting value of one term in one segment: every posting, or `wanted`'s.

    `wanted` is sorted; blocks holding none of it are skipped on their header
    (Whoosh's skip_to decodes ids one by one in Python, and a block's values
    are one pickle: the whole block is read for any document in it).
    """
    try:
        matcher = reader._terms.matcher(field, btext, reader.schema[field].format)
    except TermNotFound:
        return {}
    except (AttributeError, KeyError):  # not a W3 segment (one held in memory)
        matcher = None
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids or matcher._fixedsize is not None:
        return _values_slowly(reader, field, btext, wanted)
    found: dict[int, bytes] = {}
    if wanted is None:
        while True:
            matcher._read_data()
            data = matcher._data
            found.update(zip(accumulate(data[0]), data[2], strict=True))
            if matcher._lastblock:
                return found
            matcher._goto(matcher._nextoffset)
    i, count = 0, len(wanted)
    while i < count:
        maxid = matcher._maxid
        if wanted[i] <= maxid:
            matcher._read_data()
            data = matcher._data
            block = dict(zip(accumulate(data[0]), data[2], strict=True))
            j = bisect_right(wanted, maxid, i)
            # The wanted documents this block holds, picked in C (no Python loop
            # per document: "the" in 7,500 candidates at 50,000 articles).
            held = block.keys() & wanted[i:j]
            found.update(zip(held, map(block.__getitem__, held), strict=True))
            i = j
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return found


def values_of(reader: Any, field: str, word: str, docnums: list[int]) -> dict[int, bytes]:
    """Document -> posting value of `word` for the sorted `docnums` of any reader.

    A multi-segment reader is read segment by segment (`posting_values`):
    its own matcher would skip to each document id by id in Python.
    """
    btext = word.encode("utf-8")
    if reader.is_atomic():
        return posting_values(reader, field, btext, docnums)
    found: dict[int, bytes] = {}
    leaves = list(reader.leaf_readers())
    for n, (leaf, base) in enumerate(leaves):
        end = leaves[n + 1][1] if n + 1 < len(leaves) else base + leaf.doc_count_all()
        lo, hi = bisect_left(docnums, base), bisect_left(docnums, end)
        if lo == hi or field not in leaf.schema:
            continue
        local = [d - base for d in docnums[lo:hi]]
        for docnum, value in posting_values(leaf, field, btext, local).items():
            found[docnum + base] = value
    return found


def _values_slowly(
    reader: Any, field: str, btext: bytes, wanted: list[int] | None
) -> dict[int, bytes]:
    """`_posting_values` through Whoosh's matcher interface (any kind of segment)."""
    try:
        m = reader.postings(field, btext)
    except TermNotFound:
        return {}
    found: dict[int, bytes] = {}
    if wanted is None:
        while m.is_active():
            found[m.id()] = m.value()
            m.next()
        return found
    for docnum in wanted:
        if not m.is_active():
            break
        if m.id() < docnum:
            m.skip_to(docnum)
            if not m.is_active():
                break
        if m.id() == docnum:
            found[docnum] = m.value()
    return found


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


def prepare(q: wq.Query, cache: PhraseCache) -> wq.Query:
    """`q` ready to match: every phrase with the index's cache, ORs as `ListUnion`s,
    ANDs as `ListIntersection`s, NOTs as `ListDifference`s, terms as `ListedTerm`s
    (each scored at once as an exact list: `common_terms`).

    On a segment of up to 5,000 documents Whoosh's automatic choice for an
    OR (a word is an OR of five fields) preloads every match into an array
    the size of the segment, filled in Python: at 10,000 generated articles
    in 14 segments that was two thirds of a plain word's search. The tree of
    unions also lets the collector skip what cannot reach the top.
    """

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, FastPhrase):
            node.cache = cache
        elif type(node) is wq.Term:
            return ListedTerm.of(node)
        elif type(node) is wq.Or and not node.minmatch and not node.scale:
            return ListUnion(node.subqueries, boost=node.boost)
        elif type(node) is wq.And:
            return ListIntersection(node.subqueries, boost=node.boost)
        elif type(node) is wq.AndNot:
            return ListDifference(node.a, node.b)
        elif isinstance(node, wq.Or):
            node.matcher_type = wq.Or.DEFAULT_MATCHER
        return node

    return q.accept(fix)


class ListUnion(wq.Or):
    """An OR whose children that match as lists (terms, expansions, phrases) are one list.

    `re*` is an expansion in each default field: Whoosh's tree of unions
    visited its 37,600 matches at 50,000 articles one by one in Python (each
    step asks every child), and its block quality is the sum of the
    children's, so the collector could skip nothing once the top was full:
    333 ms. Merged per segment into one `SortedListMatcher` (weights summed,
    as the union scores them), each block knows its real best score and the
    blocks that cannot reach the top are skipped. Other children (what
    Whoosh matches itself) stay in a union beside the list.
    """

    matcher_type = wq.Or.DEFAULT_MATCHER

    def _matcher(self, subs: list[wq.Query], searcher: Searcher, context: Any) -> Any:
        listed = [q for q in subs if isinstance(q, _LISTED)]
        if len(listed) < 2:
            return super()._matcher(subs, searcher, context)
        lists: list[SortedListMatcher] = []
        rest = [q for q in subs if not isinstance(q, _LISTED)]
        others: list[Any] = [q.matcher(searcher, context) for q in rest]
        for q in listed:
            m = q.matcher(searcher, context)
            if type(m) is SortedListMatcher:
                lists.append(m)
            elif m.is_active():  # (a phrase Whoosh matches itself)
                others.append(m)
        matchers = [m for m in (merge_lists(lists), *others) if m.is_active()]
        if not matchers:
            return NullMatcher()
        m = matchers[0]
        for more in matchers[1:]:
            m = UnionMatcher(m, more)
        return WrappingMatcher(m, self.boost) if self.boost != 1.0 else m


class ListIntersection(wq.And):
    """An AND whose children that match as lists are intersected into one list, its
    NOT children taken out of it at once.

    `the AND police` at 50,000 articles: Whoosh's intersection stepped
    through the two lists in Python, each step a `skip_to` on the other
    child (145-168 ms); `a NOT b` (the parser's And([a, Not(b)])) stepped
    an inverse of `b`, document by document. Here the children are combined
    in the tree Whoosh would build (`make_weighted_tree`, by estimated
    size), pair by pair, at once: scores are summed in Whoosh's order, to
    the last bit, and each NOT adds its inverse matcher's 1.0. The one list
    left knows its blocks' best scores, so the collector skips the rest.

    With a NOT beside a child Whoosh matches itself (a facet filter), that
    child's matches are read into a list first: Whoosh's inverse matcher
    reports the negated child's quality as its own, and the collector's
    skipping then dropped better matches from the top. Without a NOT such a
    child is left in Whoosh's own intersection tree.
    """

    def _matcher(self, subs: list[wq.Query], searcher: Searcher, context: Any) -> Any:
        if all(type(q) is wq.Not for q in subs):
            return super()._matcher(subs, searcher, context)
        reader = searcher.reader()
        atomic = reader.is_atomic()
        made: list[Any] = []
        for q in subs:
            if type(q) is wq.Not and atomic:
                made.append(_NotMark(q.query))
                continue
            m = q.matcher(searcher, context)
            if not m.is_active() and type(q) is not wq.Not:
                return NullMatcher()
            made.append(m)
        weighted = [(0 - q.estimate_size(reader), m) for q, m in zip(subs, made, strict=True)]
        marks = [m for m in made if type(m) is _NotMark]
        if not marks and not all(type(m) is SortedListMatcher for m in made):
            m = make_weighted_tree(IntersectionMatcher, weighted)
            return WrappingMatcher(m, self.boost) if self.boost != 1.0 else m
        for mark in marks:
            mark.docs = _docs_of(mark.query, searcher)
        # The other children are read only at the documents every list holds and no
        # NOT does (a facet's or a range's thousands of matches otherwise).
        lists = [m for m in made if type(m) is SortedListMatcher]
        candidates: list[int] | None = None
        if lists and len(lists) + len(marks) < len(made):
            kept = set(lists[0]._ids).intersection(*(m._ids for m in lists[1:]))
            candidates = sorted(kept.difference(*(mark.docs for mark in marks)))
        found = _combine(make_weighted_tree(_Pair, weighted), candidates)  # (Whoosh's shape)
        if not isinstance(found, SortedListMatcher) or not found.is_active():
            return NullMatcher()
        return WrappingMatcher(found, self.boost) if self.boost != 1.0 else found


class _NotMark(InverseMatcher):
    """A NOT child's place in the tree (a subclass, so that ties sort as Whoosh's
    InverseMatcher: `make_weighted_tree` compares matchers), its documents."""

    def __init__(self, query: wq.Query) -> None:
        self.query = query
        self.docs: set[int] = set()


class _Pair(IntersectionMatcher):
    """Two children to intersect (sorted among the others as Whoosh's intersection)."""

    def __init__(self, a: Any, b: Any) -> None:
        self.a, self.b = a, b


class _Dropped:
    """What NOT children leave: every document but `docs`, scored `score`."""

    def __init__(self, docs: set[int], score: float) -> None:
        self.docs, self.score = docs, score


def _combine(node: Any, candidates: list[int] | None) -> Any:
    """The list (or what NOTs leave) of a tree of `_Pair`s, each pair's scores summed."""
    if isinstance(node, _NotMark):
        return _Dropped(node.docs, 1.0)
    if not isinstance(node, _Pair):
        return _as_list(node, candidates)
    a, b = _combine(node.a, candidates), _combine(node.b, candidates)
    if isinstance(a, _Dropped) and isinstance(b, _Dropped):
        return _Dropped(a.docs | b.docs, a.score + b.score)
    if isinstance(a, _Dropped) or isinstance(b, _Dropped):
        kept, dropped = (b, a) if isinstance(a, _Dropped) else (a, b)
        return _drop(kept, dropped.docs, dropped.score) if kept.is_active() else NullMatcher()
    if not a.is_active() or not b.is_active():
        return NullMatcher()
    return intersect_lists([a, b])


def _as_list(m: Any, candidates: list[int] | None) -> Any:
    """A matcher's matches and scores as a `SortedListMatcher` (read one by one; only
    at `candidates`, ascending, when given)."""
    if type(m) is SortedListMatcher or not m.is_active():
        return m
    ids: list[int] = []
    scores: list[float] = []
    if candidates is None:
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score())
            m.next()
    else:
        for d in candidates:
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                ids.append(d)
                scores.append(m.score())
    return SortedListMatcher(ids, weights=scores) if ids else NullMatcher()


class ListDifference(wq.AndNot):
    """`a NOT b` where `a` matches as a list: `b`'s documents (a set, as the totals
    count them: `docsets`) taken out of the list at once.

    Whoosh's AndNotMatcher moved `b` to each of `a`'s documents in turn, in
    Python, with the scoring of every field of `b` beside (`b`'s scores are
    never used).
    """

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        if type(scored) is SortedListMatcher and searcher.reader().is_atomic():
            return _drop(scored, _docs_of(self.b, searcher))
        return AndNotMatcher(scored, self.b.matcher(searcher, searcher.boolean_context()))


def _docs_of(q: wq.Query, searcher: Searcher) -> set[int]:
    """The documents `q` matches in the segment of `searcher` (as totals count them)."""
    from archive.search import docsets  # (it imports this module)

    return docsets.segment_matches(q, docsets.Segment(searcher, 0))


def _drop(scored: SortedListMatcher, docs: set[int], added: float = 0.0) -> Any:
    """`scored` without `docs`, `added` to each score left (a NOT's inverse matcher's
    score: one addition, the same on either side)."""
    weights = list(_weights_of(scored))
    if added:
        weights = [x + added for x in weights]
    ids, kept = without_deleted(scored._ids, weights, docs)
    return SortedListMatcher(ids, weights=kept) if ids else NullMatcher()


def intersect_lists(lists: list[SortedListMatcher]) -> Any:
    """One `SortedListMatcher` of the documents in every one of `lists`, each scored
    the sum of its scores there, added in the order of `lists` (a `NullMatcher` if none)."""
    np = arrays.loaded() if sum(len(m._ids) for m in lists) >= NUMPY_MERGE else None
    if np is None:
        ids, weights = lists[0]._ids, list(_weights_of(lists[0]))
        for m in lists[1:]:
            ids, weights = _intersect(ids, weights, m._ids, _weights_of(m))
            if not ids:
                return NullMatcher()
        return SortedListMatcher(ids, weights=weights)
    docs = np.asarray(lists[0]._ids, dtype=np.int64)
    summed = np.asarray(_weights_of(lists[0]), dtype=np.float64)
    for m in lists[1:]:
        docs, here, there = np.intersect1d(
            docs, np.asarray(m._ids, dtype=np.int64), assume_unique=True, return_indices=True
        )
        summed = summed[here] + np.asarray(_weights_of(m), dtype=np.float64)[there]
        if not len(docs):
            return NullMatcher()
    return SortedListMatcher(docs.tolist(), weights=summed.tolist())


def _intersect(
    ids: list[int], weights: list[float], other: list[int], more: Sequence[float]
) -> tuple[list[int], list[float]]:
    """The documents of `ids` also in `other` (both sorted), their weights summed
    (the shorter list walked, the other searched: a sum of two is the same either way)."""
    if len(ids) > len(other):
        return _intersect(other, list(more), ids, weights)
    out_ids: list[int] = []
    out_weights: list[float] = []
    start, end = 0, len(other)
    for d, x in zip(ids, weights, strict=True):
        i = bisect_left(other, d, start, end)
        if i == end:
            break
        if other[i] == d:
            out_ids.append(d)
            out_weights.append(x + more[i])
        start = i
    return out_ids, out_weights


# At least this many matches in all before the lists are merged with numpy (where it
# is loaded: `arrays`).
NUMPY_MERGE = 5_000


# The queries that may match as a list (their matcher says).
_LISTED = (Expansion, FastPhrase, ListedTerm)


def merge_lists(lists: list[SortedListMatcher]) -> Any:
    """One `SortedListMatcher` of every document in `lists`, each scored the sum of its
    scores there (a `NullMatcher` if none).

    Summed in a Python dictionary, 48,000 matches took 30 ms (`s*` at 50,000
    articles went from 141 to 185 ms); numpy sums them in a few.
    """
    if not lists:
        return NullMatcher()
    if len(lists) == 1:
        return lists[0]
    np = arrays.loaded() if sum(len(m._ids) for m in lists) >= NUMPY_MERGE else None
    if np is None:
        summed: dict[int, float] = {}
        get = summed.get
        for m in lists:
            for d, x in zip(m._ids, _weights_of(m), strict=True):
                summed[d] = get(d, 0.0) + x
        ids = sorted(summed)
        return SortedListMatcher(ids, weights=[summed[d] for d in ids])
    every = np.concatenate([np.asarray(m._ids, dtype=np.int64) for m in lists])
    weights = np.concatenate(
        [
            np.full(len(m._ids), float(m._all_weights))
            if m._weights is None
            else np.asarray(m._weights, dtype=np.float64)
            for m in lists
        ]
    )
    unique, where = np.unique(every, return_inverse=True)
    return SortedListMatcher(unique.tolist(), weights=np.bincount(where, weights=weights).tolist())


def _weights_of(m: SortedListMatcher) -> Sequence[float]:
    if m._weights is None:
        return [float(m._all_weights)] * len(m._ids)
    return list(m._weights)


def _position_decoder(reader: Any, field: str) -> Callable[[bytes], Sequence[int]]:
    """How to read positions from the field's posting values."""
    if isinstance(reader.schema[field].format, PackedCharacters):
        return positions  # article text: one slice of an array
    return _positions


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
    # Each distinct count's weight once, then looked up in C: a comprehension over
    # 41,000 matches ("of the" at 50,000 articles) cost 5-10 ms.
    by_count = {tf: boost * idf * (tf * 2.2) / (tf + 1.2) for tf in set(freqs)}
    weights = list(map(by_count.__getitem__, freqs))
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
