"""Terms' matches in a segment scored all at once, as Whoosh scores them, as exact lists.

`the` at 50,000 articles: Whoosh's collector scored each of its 48,000
matches in Python (BM25F: the posting's weight, the article's field length
read from a column, the formula): 300 ms on the quiet machine, and block
quality let it skip little, since a very common word's blocks all score
about alike. Here a term's postings (document numbers and weights, decoded
block by block), the field lengths (one byte per document in the segment's
lengths column) and BM25F give the scores of all its matches at once (with
numpy from NUMPY_FROM matches, where it is loaded: `arrays`), and the
matcher is a `SortedListMatcher`: its blocks know their best score, so the
collector skips what cannot reach the top, and an OR of fields merges it
with the other lists (`matchers.ListUnion`). The scores are Whoosh's to the last bit: the same
formula, in the same order, in float64.

Every term is a list, however rare: Whoosh's unions and intersections skip
a child's blocks by the other child's *current* block quality, which may be
lower than that of the documents ahead, and so dropped better matches from
the top 20 (`the AND police`, `police OR pol*` at 50,000 articles: found
by comparing with a search that skips nothing). Lists tell the best of the
rest instead (`SortedListMatcher.block_quality`), which is exact. Anything
else (another weighting, a field without lengths, a segment in memory of
another codec) is left to Whoosh.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.scoring import bm25
from whoosh.util.numeric import _length_byte_cache

from archive.search import arrays
from archive.search.expand import SortedListMatcher, _term_postings
from archive.search.live import without_deleted

# Matches in a segment from which a term's scores are computed with numpy.
NUMPY_FROM = 256


class ListedTerm(wq.Term):
    """A term whose matches are scored as one list (see above)."""

    @classmethod
    def of(cls, term: wq.Term) -> ListedTerm:
        listed = cls(term.fieldname, term.text, boost=term.boost, minquality=term.minquality)
        listed.startchar, listed.endchar = term.startchar, term.endchar
        return listed

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        found = scored_list(searcher, self.fieldname, self.text, self.boost, context)
        return found if found is not None else super().matcher(searcher, context)


def scored_list(
    searcher: Any, fieldname: str, text: Any, boost: float, context: Any
) -> SortedListMatcher | None:
    """The term's live matches in the searcher's segment with Whoosh's BM25F scores,
    or None where Whoosh should match it itself."""
    reader = searcher.reader()
    if not reader.is_atomic() or fieldname not in searcher.schema:
        return None
    field = searcher.schema[fieldname]
    if not field.scorable:
        return None
    try:
        btext = text if isinstance(text, bytes) else field.to_bytes(text)
    except ValueError:
        return None
    weighting = context.weighting if context is not None else searcher.weighting
    if type(weighting) is not scoring.BM25F or (fieldname, btext) not in reader:
        return None
    scorer = weighting.scorer(searcher, fieldname, btext)
    lengths = _lengths(reader, fieldname)
    if type(scorer) is not scoring.BM25FScorer or lengths is None:
        return None
    ids, weights = _term_postings(reader, fieldname, btext, whole=False)
    if not ids or ids[-1] >= len(lengths):
        return None  # (a document past the column: Whoosh's own path)
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    np = arrays.loaded() if len(ids) >= NUMPY_FROM else None
    if np is None:
        ids, weights = without_deleted(ids, weights, deleted)
        if not ids:
            return None
        scores = [
            bm25(idf, w, _length_byte_cache[lengths[d]], avgfl, b, k1)
            for d, w in zip(ids, weights, strict=True)
        ]
        if boost != 1.0:
            scores = [x * boost for x in scores]
        return SortedListMatcher(ids, weights=scores)
    docs = np.asarray(ids, dtype=np.int64)
    tf = np.asarray(weights, dtype=np.float64)
    if deleted:
        live = ~np.isin(docs, np.fromiter(deleted, dtype=np.int64))
        docs, tf = docs[live], tf[live]
        if not len(docs):
            return None
    codes = np.frombuffer(lengths, dtype=np.uint8)
    fl = np.asarray(_length_byte_cache, dtype=np.float64)[codes[docs]]
    # whoosh.scoring.bm25, operation by operation.
    array = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
    if boost != 1.0:
        array = array * boost  # (Whoosh's WrappingMatcher: the score times the boost)
    return SortedListMatcher(docs.tolist(), weights=array.tolist())


def _lengths(reader: Any, fieldname: str) -> bytes | None:
    """The field's length byte of every document of the segment (W3 codec), or None."""
    perdoc = getattr(reader, "_perdoc", None)
    cached = getattr(perdoc, "_cached_reader", None)
    if cached is None:
        return None
    column = cached(_lenfield(fieldname), LENGTHS_COLUMN)
    if not isinstance(column, NumericColumn.Reader) or column._fixedlen != 1:
        return None
    count = column._count
    return column._dbfile.get(column._basepos, count) if count else None
