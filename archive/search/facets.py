"""Facet counts (source, year, language, tag type, entity) over a result set.

Whoosh's own grouping categorises each matching document in Python through
several layers; here each facet field is read once per searcher into a
docnum -> values table, and counting a result set is a Counter over it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from whoosh.reading import IndexReader

# facet name -> index field
FACET_FIELDS = {
    "source": "f_source",
    "year": "year",
    "lang": "lang",
    "tag": "tag",
    "entity": "f_entity",
}
TOP = 25


class FacetTables:
    """docnum -> values of every facet field, for one reader."""

    def __init__(self, reader: IndexReader) -> None:
        self.tables: dict[str, list[tuple[str, ...]]] = {}
        size = reader.doc_count_all()
        for name, field in FACET_FIELDS.items():
            table: list[tuple[str, ...]] = [()] * size
            if field in reader.schema and reader.field_length(field) >= 0:
                from_bytes = reader.schema[field].from_bytes
                for btext in list(reader.lexicon(field)):
                    value = from_bytes(btext)
                    for docnum in reader.postings(field, btext).all_ids():
                        table[docnum] = (*table[docnum], value)
            self.tables[name] = table

    def count(self, docnums: Iterable[int]) -> dict[str, dict[str, int]]:
        """facet -> {value: documents}, the TOP most frequent values of each facet."""
        docs = list(docnums)
        result: dict[str, dict[str, int]] = {}
        for name, table in self.tables.items():
            counter: Counter[str] = Counter()
            for docnum in docs:
                values = table[docnum]
                if values:
                    counter.update(values)
            result[name] = dict(counter.most_common(TOP))
        return result
