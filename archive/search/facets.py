"""Facet counts (source, year, language, tag type, entity) over a result set.

Whoosh's own grouping categorises each matching document in Python through
several layers; here each facet field is read once per index segment into a
docnum -> values table, and counting a result set is a Counter over it.
Tables are kept per segment, so after a one-article commit only the new
tiny segment is read (deleted documents in old segments never match).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

# facet name -> index field
FACET_FIELDS = {
    "source": "f_source",
    "year": "year",
    "lang": "lang",
    "tag": "tag",
    "entity": "f_entity",
}
TOP = 25

Table = list[tuple[str, ...]]


def _segment_tables(reader: Any) -> dict[str, Table]:
    """docnum -> values of each facet field, for one segment reader."""
    size = reader.doc_count_all()
    tables: dict[str, Table] = {}
    for name, field in FACET_FIELDS.items():
        table: Table = [()] * size
        if field in reader.schema:
            from_bytes = reader.schema[field].from_bytes
            for btext in list(reader.lexicon(field)):
                value = from_bytes(btext)
                for docnum in reader.postings(field, btext).all_ids():
                    table[docnum] = (*table[docnum], value)
        tables[name] = table
    return tables


class FacetCache:
    """Per-segment facet tables, reused across searchers."""

    def __init__(self) -> None:
        # By segment id; a reader of no segment (in memory) by its id().
        self._segments: dict[str | int, dict[str, Table]] = {}

    def tables(self, reader: Any) -> dict[str, Table]:
        """Tables for the whole `reader` (segments concatenated in docnum order)."""
        combined: dict[str, Table] = {name: [] for name in FACET_FIELDS}
        live: dict[str | int, dict[str, Table]] = {}
        for leaf, _base in reader.leaf_readers():
            key = leaf.segment().segment_id() if leaf.segment() is not None else id(leaf)
            tables = self._segments.get(key)
            if tables is None:
                tables = _segment_tables(leaf)
            live[key] = tables
            for name in FACET_FIELDS:
                combined[name] += tables[name]
        self._segments = live  # forget merged-away segments
        return combined


def count(tables: dict[str, Table], docnums: Iterable[int]) -> dict[str, dict[str, int]]:
    """facet -> {value: documents}, the TOP most frequent values of each facet."""
    docs = list(docnums)
    result: dict[str, dict[str, int]] = {}
    for name, table in tables.items():
        counter: Counter[str] = Counter()
        for docnum in docs:
            values = table[docnum]
            if values:
                counter.update(values)
        result[name] = dict(counter.most_common(TOP))
    return result
