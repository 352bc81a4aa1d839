"""Every article a query matches, as one set of document numbers per segment.

Counting a result set through Whoosh's collector visits each match in
Python: the matchers of every field, the scorer, the heap, a list append
(about 10 µs an article: 0.2 s for a common word at 50,000 articles). Here
the query tree is evaluated on sets instead: each term's postings are
decoded block by block in C (`expand._term_ids`), phrases and expansions
give their (cached) matches, and AND, OR and NOT are set operations, in C.
Only the top hits are scored, by Whoosh, which may then skip blocks that
cannot reach the top (block quality). Totals and facets (`facets.count`)
come from these sets.

Any node this module does not know is asked for its own matcher, so each
set is exactly what Whoosh would match. Python sets, not numpy: importing
numpy would cost a cold `sesame search` a tenth of a second or more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query as wq

from archive.search.common_terms import ListedTerm
from archive.search.expand import Expansion, _term_ids
from archive.search.matchers import FastPhrase, ListDifference, ListIntersection, ListUnion


class Segment:
    """One segment's reader and searcher, and its live documents (made on first need)."""

    def __init__(self, searcher: Any, base: int) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.base = base  # the segment's first global document number
        self.size = self.reader.doc_count_all()
        self.deleted: frozenset[int] | set[int] = (
            self.reader.deleted_docs_set if self.reader.has_deletions() else frozenset()
        )
        self._live: set[int] | None = None

    @property
    def live(self) -> set[int]:
        if self._live is None:
            self._live = set(range(self.size)) - self.deleted
        return self._live


def _term_set(reader: Any, fieldname: str, text: Any) -> set[int]:
    if fieldname not in reader.schema:
        return set()
    try:
        btext = text if isinstance(text, bytes) else reader.schema[fieldname].to_bytes(text)
    except Exception:  # a value the field cannot hold matches nothing
        return set()
    return set(_term_ids(reader, fieldname, btext))


def segment_matches(q: wq.Query, segment: Segment) -> set[int]:
    """The live documents of one segment that `q` matches (docnums local to the segment)."""

    def walk(node: wq.Query) -> set[int]:
        found = _leaf(node, segment)
        if found is None:
            found = _compound(node, walk, segment)
        if found is None:
            # Anything else (ranges, plain phrases, ...): its own matcher, in Whoosh.
            matcher = node.matcher(segment.searcher)
            found = set(matcher.all_ids()) if matcher.is_active() else set()
        return found

    found = walk(q)
    return found - segment.deleted if segment.deleted else found


def _leaf(node: wq.Query, segment: Segment) -> set[int] | None:
    reader = segment.reader
    if type(node) is wq.Term or type(node) is ListedTerm:
        return _term_set(reader, node.fieldname, node.text)
    if isinstance(node, FastPhrase):
        ids = node.segment_ids(reader)
        return None if ids is None else set(ids)
    if isinstance(node, Expansion):
        return set(node.segment_ids(reader))
    if isinstance(node, wq.Every):
        return set(segment.live)
    if node is wq.NullQuery or type(node).__name__ == "_NullQuery":
        return set()
    return None


def _compound(
    node: wq.Query, walk: Callable[[wq.Query], set[int]], segment: Segment
) -> set[int] | None:
    kind = type(node)
    if kind is wq.Or or kind is ListUnion or kind is wq.DisjunctionMax:
        if getattr(node, "minmatch", 0) not in (0, 1, None):
            return None
        out: set[int] = set()
        for child in node.subqueries:
            out |= walk(child)
        return out
    if kind is wq.And or kind is ListIntersection:
        parts = [walk(child) for child in node.subqueries]
        if not parts:
            return set(segment.live)
        parts.sort(key=len)
        return parts[0].intersection(*parts[1:])
    if kind is wq.AndNot or kind is ListDifference:
        return walk(node.a) - walk(node.b)
    if kind is wq.AndMaybe:
        return walk(node.a)
    if kind is wq.Require:
        return walk(node.a) & walk(node.b)
    if kind is wq.Not:
        return segment.live - walk(node.query)
    return None


def query_matches(q: wq.Query, searcher: Any) -> list[tuple[Segment, set[int]]]:
    """Each segment of the index `searcher` with the documents `q` matches in it."""
    return [
        (segment, segment_matches(q, segment))
        for segment in (Segment(sub, base) for sub, base in searcher.leaf_searchers())
    ]
