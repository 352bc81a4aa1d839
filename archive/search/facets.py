"""Facet counts (source, year, language, tag type, entity) over a result set.

Whoosh's own grouping categorises each matching document in Python through
several layers; here each facet field is read once per index segment into
value -> set of documents, and counting a result set (a set per segment,
`docsets`) is one set intersection per value, in C.
Tables are kept per segment, so after a one-article commit only the new
tiny segment is read (deleted documents in old segments never match).

A big result set ("of the": 41,000 articles at 50,000) made those
intersections 15-20 ms of the search: from NUMPY_FROM matches in a segment,
each facet's postings are arrays (document, value) and the counts are one
`bincount` of the postings whose document matched (where numpy is loaded:
`arrays`; the warm-up builds the arrays).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.search import arrays
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

# From this many matches in a segment, counted with arrays (see above).
NUMPY_FROM = 2_000


class Table:
    """One segment's facets: facet -> value -> its documents (local docnums), and
    the same as arrays for big result sets (made on first need)."""

    def __init__(self, values: dict[str, dict[str, set[int]]]) -> None:
        self.values = values
        self._arrays: dict[str, tuple[list[str], Any, Any]] | None = None

    def arrays(self) -> dict[str, tuple[list[str], Any, Any]]:
        """facet -> (its values, the postings' documents ascending, their value numbers)."""
        if self._arrays is None:
            np = arrays.load()
            built = {}
            for name, values in self.values.items():
                names = list(values)
                docs = np.fromiter(
                    (d for held in values.values() for d in held),
                    dtype=np.int64,
                    count=sum(map(len, values.values())),
                )
                codes = np.repeat(
                    np.arange(len(names), dtype=np.int64), [len(h) for h in values.values()]
                )
                order = np.argsort(docs, kind="stable")
                built[name] = (names, docs[order], codes[order])
            self._arrays = built
        return self._arrays


def _segment_table(reader: Any) -> Table:
    """The facet values of one segment reader, each with its documents."""
    table: dict[str, dict[str, set[int]]] = {}
    for name, field in FACET_FIELDS.items():
        values: dict[str, set[int]] = {}
        if field in reader.schema:
            from_bytes = reader.schema[field].from_bytes
            for btext in list(reader.lexicon(field)):
                # Blocks decoded in C (`_term_ids`): Whoosh's all_ids() walked every
                # posting in Python, 0.2 s for the first search at 50,000 articles.
                values[from_bytes(btext)] = set(_term_ids(reader, field, btext))
        table[name] = values
    return Table(table)


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
        if len(docs) >= NUMPY_FROM and arrays.loaded() is not None:
            _count_arrays(table, base, docs, counts)
            continue
        for name, values in table.values.items():
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


def _count_arrays(
    table: Table, base: int, docs: set[int], counts: dict[str, dict[str, list[int]]]
) -> None:
    """`count`'s work for one segment's big result set, with the table's arrays."""
    np = arrays.load()
    postings = table.arrays()
    matched = np.fromiter(docs, dtype=np.int64, count=len(docs))
    mask = np.zeros(int(matched.max()) + 1, dtype=bool)  # the segment's matched documents
    mask[matched] = True
    for name, (names, held, codes) in postings.items():
        selected = held[held < len(mask)]
        chosen = mask[selected]
        picked = codes[: len(selected)][chosen]
        if not len(picked):
            continue
        numbers = np.bincount(picked)
        # The first matching document of each value: postings are in document order.
        present, first = np.unique(picked, return_index=True)
        firsts = selected[chosen][first]
        found = counts[name]
        for k, doc in zip(present.tolist(), firsts.tolist(), strict=True):
            value = names[k]
            seen = found.get(value)
            if seen is None:
                found[value] = [int(numbers[k]), base + doc]
            else:
                seen[0] += int(numbers[k])
