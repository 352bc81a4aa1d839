"""Whoosh queries of our own: fast phrases and bounded wildcard/fuzzy expansion."""

from __future__ import annotations

import fnmatch
import math
import pickle
import re
import time
from collections import Counter
from itertools import accumulate
from typing import Any

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

# A wildcard or fuzzy term becomes at most this many terms (the most frequent),
# after scanning at most MAX_SCAN terms or EXPAND_SECONDS: no query stalls.
MAX_EXPANSION = 64
MAX_SCAN = 200_000
EXPAND_SECONDS = 0.15
# Phrases of very common words ("in the") have tens of thousands of candidate
# documents, each checked in Python: past this budget the phrase stops and the
# total is reported as "at least" (the hits shown are all true matches).
PHRASE_SECONDS = 0.06


class FastPhrase(wq.Phrase):
    """A phrase checked with set arithmetic on positions.

    Whoosh verifies each candidate document by building Span objects; for
    phrases of common words ("more than 600") that was most of the query
    time. Here the rarest word leads the intersection, and a document
    matches when some start position p has word i at p + i for every i.
    """

    # Set by the search before it runs: when checking candidates goes past
    # this monotonic time, the phrase stops and the total becomes "at least".
    deadline: float | None = None
    truncated = False

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        words = list(self.words)
        if self.slop != 1 or len(words) < 2:
            return super().matcher(searcher, context)
        reader = searcher.reader()
        field = self.fieldname
        try:
            matchers = [reader.postings(field, w) for w in words]
        except TermNotFound:
            return NullMatcher()
        if not all(m.is_active() for m in matchers):
            return NullMatcher()
        order = sorted(range(len(words)), key=lambda i: reader.doc_frequency(field, words[i]))
        lead, rest = matchers[order[0]], [matchers[i] for i in order[1:]]
        ids: list[int] = []
        freqs: list[int] = []
        deadline = self.deadline
        checked = 0
        while lead.is_active():
            checked += 1
            if deadline is not None and checked % 256 == 0 and time.monotonic() > deadline:
                self.truncated = True
                break
            docnum = lead.id()
            ahead = -1
            for m in rest:
                if m.id() < docnum:
                    m.skip_to(docnum)
                    if not m.is_active():
                        return _phrase_matcher(reader, field, ids, freqs, self.boost)
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
                shifted = {p - i for p in positions}
                starts = shifted if starts is None else starts & shifted
                if not starts:
                    break
            if starts:
                ids.append(docnum)
                freqs.append(len(starts))
            lead.next()
        return _phrase_matcher(reader, field, ids, freqs, self.boost)


def _positions(value: bytes) -> list[int]:
    """Positions from a Positions/Characters posting value (Whoosh 2.7 encoding).

    The value is a count then a pickled list of delta tuples without the
    final STOP opcode; accumulate() does in C what Whoosh's decoder loops
    over in Python.
    """
    codes = pickle.loads(value[4:] + b".")
    if codes and isinstance(codes[0], int):  # Positions: plain deltas
        return list(accumulate(codes))
    return list(accumulate(code[0] for code in codes))  # Characters: (pos, start, len)


def _phrase_matcher(reader: Any, field: str, ids: list[int], freqs: list[int], boost: float) -> Any:
    """Matches scored like BM25 with the phrase as the term."""
    if not ids:
        return NullMatcher()
    idf = math.log(1 + (reader.doc_count_all() - len(ids) + 0.5) / (len(ids) + 0.5))
    weights = [boost * idf * (tf * 2.2) / (tf + 1.2) for tf in freqs]
    return ListMatcher(ids, weights=weights)


# -- bounded expansion ---------------------------------------------------------


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance, giving up (returning limit + 1) past `limit`."""
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


def _candidates(searcher: Searcher, q: wq.Query) -> list[str]:
    """The most frequent index terms a wildcard, prefix or fuzzy query stands for."""
    reader = searcher.reader()
    field = q.fieldname
    text = q.text
    if isinstance(q, wq.FuzzyTerm):
        # Index terms are stems: compare with the word as typed and its stem.
        stem = _stemmer_of(reader, field)
        forms = {text, stem(text)} if stem is not None else {text}
        maxdist = min(q.maxdist, 2)  # more edits match nearly everything
        plen = max(q.prefixlength, 1 if len(text) < 5 else 2)
        prefix = min(forms, key=len)[:plen]

        def accept(word: str) -> bool:
            return any(_edit_distance(word, form, maxdist) <= maxdist for form in forms)

    elif isinstance(q, wq.Prefix):
        prefix = text

        def accept(word: str) -> bool:
            return True

    else:
        if isinstance(q, wq.Wildcard):
            # Terms are stems: "pol?ce" must also match "polic" (its stemmed form).
            stem = _stemmer_of(reader, field)
            patterns = {text, stem(text)} if stem is not None else {text}
            rxs = [re.compile(fnmatch.translate(p)) for p in patterns]
            prefix = min((re.split(r"[*?\[]", p, maxsplit=1)[0] for p in patterns), key=len)
        else:
            rxs = [re.compile(text)]
            prefix = ""

        def accept(word: str) -> bool:
            return any(rx.match(word) is not None for rx in rxs)

    if field not in reader.schema:
        return []
    from_bytes = reader.schema[field].from_bytes
    found: list[tuple[int, str]] = []
    deadline = time.monotonic() + EXPAND_SECONDS
    try:
        iterator = reader.iter_prefix(field, prefix)
        for scanned, (btext, info) in enumerate(iterator):
            if scanned >= MAX_SCAN or (scanned % 1024 == 0 and time.monotonic() > deadline):
                break
            word = from_bytes(btext)
            if accept(word):
                found.append((info.doc_frequency(), word))
    except (KeyError, TypeError):
        return []
    found.sort(key=lambda item: (-item[0], item[1]))
    return [w for _, w in found[:MAX_EXPANSION]]


def _stemmer_of(reader: Any, field: str) -> Any:
    """The stemming function of `field`'s analyser, if it stems."""
    analyzer = getattr(reader.schema[field], "analyzer", None)
    return getattr(analyzer, "_stemmer", None)


class ExpandedTerms(wq.MultiTerm):
    """The terms a wildcard, prefix or fuzzy term stands for, matched as one.

    Whoosh ORs expanded terms into a deep tree of union matchers, each
    scored and re-balanced per document: "hou*" took 1.2 s on 10,000
    articles. Here the postings are merged once into a list; a document
    scores by how many of the terms it contains.
    """

    def __init__(self, fieldname: str, words: list[str], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.words = list(words)
        self.text = "|".join(self.words)
        self.boost = boost
        self.constantscore = True

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ExpandedTerms)
            and other.fieldname == self.fieldname
            and other.words == self.words
            and other.boost == self.boost
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, tuple(self.words), self.boost))

    def __repr__(self) -> str:
        return f"ExpandedTerms({self.fieldname!r}, {self.words!r})"

    def _btexts(self, ixreader: Any) -> list[Any]:
        field = ixreader.schema[self.fieldname]
        return [field.to_bytes(w) for w in self.words]

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        reader = searcher.reader()
        counts: Counter[int] = Counter()
        for word in self.words:
            try:
                counts.update(reader.postings(self.fieldname, word).all_ids())
            except TermNotFound:
                continue
        if not counts:
            return NullMatcher()
        ids = sorted(counts)
        weights = [self.boost * (1.0 + 0.25 * (counts[d] - 1)) for d in ids]
        return ListMatcher(ids, weights=weights)


def _walk(q: wq.Query) -> Any:
    yield q
    for child in q.children():
        yield from _walk(child)


def set_phrase_deadline(q: wq.Query, seconds: float) -> list[FastPhrase]:
    """Give every phrase of `q` a shared time budget; returns the phrases."""
    deadline = time.monotonic() + seconds
    phrases = [node for node in _walk(q) if isinstance(node, FastPhrase)]
    for phrase in phrases:
        phrase.deadline = deadline
        phrase.truncated = False
    return phrases


def bound_expansion(q: wq.Query, searcher: Searcher) -> wq.Query:
    """Replace wildcard, prefix and fuzzy terms by at most MAX_EXPANSION terms."""

    def replace(node: wq.Query) -> wq.Query:
        if isinstance(node, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Regex)):
            words = _candidates(searcher, node)
            if not words:
                return wq.NullQuery
            return ExpandedTerms(node.fieldname, words, boost=node.boost)
        return node

    return q.accept(replace)
