"""The bulk writer's postings pool: each term's postings in arrays, written a block at a time.

Whoosh's `PostingPool` keeps one tuple per posting (field, term bytes,
document, weight, value: about 250 bytes each), sorts all of them at commit
and then feeds them one by one through five Python calls each (the field
writer's `add`, the postings writer's `add_posting` with its asserts, a
field-length lookup per posting). For 1,000 generated articles with
Sesame's schema that was 731,521 postings and the commit took 64% of the
writer's time (11.1 of 17.6 CPU s at load 14); the tuples also made a child
spill its pool to disk every ~900 articles at 128 MB.

`TermPool` keeps, per field and term, the documents (`array('I')`), weights
(`array('f')`, what Whoosh stores) and values of its postings in the order
they come (documents are added in increasing order, and segments merged in
come after them), so nothing is sorted but the distinct terms. At commit
`write_terms` hands the field writer a block of up to `blocklimit` postings
at a time, with the block's statistics computed by C-level built-ins, and
lets Whoosh's own `_write_block` / `finish_postings` encode it: the bytes
written are the same as Whoosh's own path (tests/archive/search/
test_postings_pool.py compares every term, posting and value). Past
`limitmb` the pool is written to a sorted run in the writer's temp folder;
runs are merged at commit, term by term.

Installed by `whoosh_fixes` for every `SegmentWriter` (bulk writers, the
children of `building`, merges and one-article commits). Whoosh's
multi-process writer without `multisegment` merges its sub-writers' pool
runs itself, which this pool does not support (Sesame always passes
`multisegment=True`).
"""

from __future__ import annotations

import contextlib
import heapq
import pickle
from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.util import random_name
from whoosh.writing import PostingPool

# Bytes a posting and a new term cost in memory here (arrays' items, the
# value's pointer; a term's dict entry, three containers): for `limitmb`.
_POSTING_BYTES = 4 + 4 + 8
_VALUE_BYTES = 33  # a bytes object's header
_TERM_BYTES = 64 + 64 + 56 + 100

# (documents, weights, values) of one term.
Postings = tuple[array, array, list]  # type: ignore[type-arg]


class TermPool(PostingPool):
    """Postings kept per field and term in arrays (see the module's docstring)."""

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._fields: dict[str, dict[bytes, Postings]] = {}
        self._size = 0
        self._runs: list[str] = []
        # False once a term got a document lower than its last (then sorted at commit).
        self._ordered = True

    def _terms_of(self, fieldname: str) -> dict[bytes, Postings]:
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting: (fieldname, term bytes, document number, weight, value bytes)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if docnum == -1:  # Whoosh's marker for spelling words, never written as postings
            return
        terms = self._terms_of(fieldname)
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = (array("I"), array("f"), [])
            self._size += _TERM_BYTES + len(tbytes)
        elif docnum < postings[0][-1]:
            self._ordered = False
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(vbytes or b"")
        self._size += _POSTING_BYTES + (_VALUE_BYTES + len(vbytes) if vbytes else 0)
        if self._size > self.limit:
            self.save()

    def add_field(
        self, fieldname: str, docnum: int, items: Any, boost: float, scorable: bool
    ) -> int:
        """A document's postings of one field (`field.index(value)`); returns its length."""
        terms = self._terms_of(fieldname)
        length = 0
        size = 0
        get = terms.get
        for tbytes, freq, weight, vbytes in items:
            postings = get(tbytes)
            if postings is None:
                postings = terms[tbytes] = (array("I"), array("f"), [])
                size += _TERM_BYTES + len(tbytes)
            postings[0].append(docnum)
            postings[1].append(weight * boost)
            if vbytes:
                postings[2].append(vbytes)
                size += _POSTING_BYTES + _VALUE_BYTES + len(vbytes)
            else:
                postings[2].append(b"")
                size += _POSTING_BYTES
            if scorable:
                length += freq
        self._size += size
        if self._size > self.limit:
            self.save()
        return length

    # -- runs on disk --------------------------------------------------------------

    def save(self) -> None:
        """Write the postings held in memory to a run (sorted by field and term)."""
        if not self._fields:
            return
        path = f"{random_name()}.run"
        with self.tempstore.create_file(path).raw_file() as f:
            for fieldname, tbytes, postings in self._sorted_memory():
                ids, weights, values = postings
                pickle.dump((fieldname, tbytes, ids.tobytes(), weights.tobytes(), values), f, -1)
        self._runs.append(path)
        self._fields = {}
        self._size = 0

    def _read_run(self, path: str) -> Iterator[tuple[str, bytes, Postings]]:
        f = self.tempstore.open_file(path).raw_file()
        try:
            while True:
                try:
                    fieldname, tbytes, idb, wb, values = pickle.load(f)
                except EOFError:
                    return
                ids, weights = array("I"), array("f")
                ids.frombytes(idb)
                weights.frombytes(wb)
                yield fieldname, tbytes, (ids, weights, values)
        finally:
            f.close()
            self._remove_run(path)

    def cleanup(self) -> None:
        for path in self._runs:
            with contextlib.suppress(OSError):
                self._remove_run(path)
        self._runs = []

    def reduce_to(self, target: int, k: int) -> None:
        raise NotImplementedError("TermPool: use the multi-process writer with multisegment=True")

    # -- reading back, in order ----------------------------------------------------

    def _sorted_memory(self) -> Iterator[tuple[str, bytes, Postings]]:
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                postings = terms[tbytes]
                if not self._ordered:
                    postings = _sorted_postings(postings)
                yield fieldname, tbytes, postings

    def terms(self) -> Iterator[tuple[str, bytes, Postings]]:
        """Every (fieldname, term bytes, postings), sorted by field and term."""
        if not self._runs:
            yield from self._sorted_memory()
            return
        self.save()
        streams = [self._read_run(path) for path in self._runs]
        self._runs = []
        merged = heapq.merge(*streams, key=lambda r: (r[0], r[1]))  # stable: runs in order
        last: tuple[str, bytes] | None = None
        held: Postings | None = None
        for fieldname, tbytes, postings in merged:
            if last == (fieldname, tbytes) and held is not None:
                held[0].extend(postings[0])
                held[1].extend(postings[1])
                held[2].extend(postings[2])
                continue
            if last is not None and held is not None:
                yield last[0], last[1], _ordered_postings(held, self._ordered)
            last, held = (fieldname, tbytes), postings
        if last is not None and held is not None:
            yield last[0], last[1], _ordered_postings(held, self._ordered)

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """Whoosh's interface: one (field, term, document, weight, value) at a time."""
        for fieldname, tbytes, (ids, weights, values) in self.terms():
            for docnum, weight, value in zip(ids, weights, values, strict=True):
                yield fieldname, tbytes, docnum, weight, value

    items = iter_postings


def _sorted_postings(postings: Postings) -> Postings:
    ids, weights, values = postings
    order = sorted(range(len(ids)), key=ids.__getitem__)
    return (
        array("I", [ids[i] for i in order]),
        array("f", [weights[i] for i in order]),
        [values[i] for i in order],
    )


def _ordered_postings(postings: Postings, ordered: bool) -> Postings:
    return postings if ordered else _sorted_postings(postings)


def write_terms(fieldwriter: Any, schema: Any, lengths: Any, pool: TermPool) -> None:
    """Write the pool's postings through a W3 field writer, a block at a time.

    The same calls and the same block statistics as Whoosh's
    `FieldWriter.add_postings` posting by posting (`lengths`: the new
    segment's per-document reader, for the field lengths)."""
    lastfn: str | None = None
    lens: list[int] | None = None
    for fieldname, tbytes, (ids, weights, values) in pool.terms():
        if fieldname != lastfn:
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            lens = _field_lengths(lengths, fieldname)
            lastfn = fieldname
        fieldwriter.start_term(tbytes)
        writer = fieldwriter._postwriter
        limit = writer._blocklimit
        count = len(ids)
        for start in range(0, count, limit):
            end = min(start + limit, count)
            block_ids = ids[start:end]
            block_weights = weights[start:end]
            writer._ids = block_ids
            writer._weights = block_weights
            # Whoosh keeps only non-empty values.
            writer._values = [v for v in values[start:end] if v]
            writer._maxweight = max(0, max(block_weights))
            if lens is None:
                writer._minlength, writer._maxlength = None, 0
            else:
                found = [n for n in map(lens.__getitem__, block_ids) if n]
                writer._minlength = min(found) if found else None
                writer._maxlength = max(found) if found else 0
            if end < count:
                writer._write_block()
        fieldwriter.finish_term()
    if lastfn is not None:
        fieldwriter.finish_field()


def _field_lengths(lengths: Any, fieldname: str) -> list[int] | None:
    """Each document's length of `fieldname` (None: the field keeps no lengths)."""
    if lengths is None:
        return None
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    if lengths._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) is None:
        return None
    dfl = lengths.doc_field_length
    return [dfl(d, fieldname) for d in range(lengths.doc_count_all())]
