"""Facet counts (source, year, language, tag type, entity) over a result set.

Whoosh's own grouping categorises each matching document in Python through
several layers; here each facet field is read once per index segment into
value -> set of documents, and counting a result set (a set per segment,
`docsets`) is one set intersection per value, in C.
Tables are kept per segment, so after a one-article commit only the new
tiny segment is read (deleted documents in old segments never match).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.search.expand import _term_ids

# facet name -> index field
FACET_FIELDS = {
    "source": "f_source",
    "year": "year",
    "lang": "lang",
    "tag": "tag",
    "entity": "f_entity",
}
TOP = 25

# One segment: facet -> value -> its documents (local docnums).
Table = dict[str, dict[str, set[int]]]


def _segment_table(reader: Any) -> Table:
    """The facet values of one segment reader, each with its documents."""
    table: Table = {}
    for name, field in FACET_FIELDS.items():
        values: dict[str, set[int]] = {}
        if field in reader.schema:
            from_bytes = reader.schema[field].from_bytes
            for btext in list(reader.lexicon(field)):
                # Blocks decoded in C (`_term_ids`): Whoosh's all_ids() walked every
                # posting in Python, 0.2 s for the first search at 50,000 articles.
                values[from_bytes(btext)] = set(_term_ids(reader, field, btext))
        table[name] = values
    return table


class FacetCache:
    """Per-segment facet tables, reused across searchers."""

    def __init__(self) -> None:
        # By segment id; a reader of no segment (in memory) by its id().
        self._segments: dict[str | int, Table] = {}

    def tables(self, reader: Any) -> list[Table]:
        """The table of each segment of `reader`, in docnum order."""
        live: dict[str | int, Table] = {}
        tables: list[Table] = []
        for leaf, _base in reader.leaf_readers():
            key = leaf.segment().segment_id() if leaf.segment() is not None else id(leaf)
            table = self._segments.get(key)
            if table is None:
                table = _segment_table(leaf)
            live[key] = table
            tables.append(table)
        self._segments = live  # forget merged-away segments
        return tables


def count(
    tables: list[Table], matches: Iterable[tuple[int, set[int]]]
) -> dict[str, dict[str, int]]:
    """facet -> {value: documents}, the TOP most frequent values of each facet.

    `matches` holds, per segment (in the order of `tables`), its first global
    docnum and the set of its matching documents. Ties are in the order of
    the first matching document that has the value.
    """
    counts: dict[str, dict[str, list[int]]] = {name: {} for name in FACET_FIELDS}
    for table, (base, docs) in zip(tables, matches, strict=True):
        if not docs:
            continue
        for name, values in table.items():
            found = counts[name]
            for value, holders in values.items():
                both = docs & holders  # in C, over the smaller set
                if both:
                    seen = found.get(value)
                    if seen is None:
                        found[value] = [len(both), base + min(both)]
                    else:
                        seen[0] += len(both)
        # (The first document of a value is in the first segment that has it.)
    return {
        name: {
            value: n
            for value, (n, _first) in sorted(found.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[
                :TOP
            ]
        }
        for name, found in counts.items()
    }
