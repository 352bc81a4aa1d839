"""Fixes to Whoosh 2.7.5 (pinned), applied when the search package loads.

`BufferFile` wraps each file of an mmapped segment in `BytesIO(memoryview)`,
which copies the whole file: opening a searcher copied every term file of
the index into memory (2.5 ms per file at 10,000 articles, and growing with
the index). Most reads go through `get()`, which slices the mmap directly,
and stream reads (postings) now go through a small reader over the same
memory, which copies only what is read.

Writing a field without length columns (not scorable: ids, tags, the
`text_words` word sets) asked the file system whether the column file
exists once per posting, because "no column" was never remembered: a
stat() per posting, most of the commit time of such a field (2 s of 2.5 s
for 400 articles' word sets). The answer is now remembered per reader;
segments never gain columns after they are written.

Keeping a term's single posting inside its term-table entry (`inlinelimit`)
called `set_inline()`, a method the term info does not have (it is
`set_inlined()`): the code path was dead with the default limit. One-article
commits use it (`index.SMALL_CODEC`), so the name is given, and postings of
formats without values (word sets) get empty byte strings: otherwise reading
them back gave '' (a str), which a merge's posting pool refused.

Every `SegmentWriter` keeps its postings in `postings_pool.TermPool` (per
term arrays, written a block at a time at commit) instead of one tuple per
posting sorted and written one by one: the commit was 64% of a bulk
writer's time.

Whoosh meant to leave posting blocks of under 20 bytes uncompressed, but the
next line sets the compression again: every block, most of them a few
postings (82% of the terms of 1,000 generated articles have at most 4), went
through zlib, whose 6 bytes of header and checksum make a small block bigger.
Blocks whose pickle is under `SMALL_BLOCK` bytes are now written plain (the
level is recorded per block; readers decompress only what says so). Blocks
are pickled at protocol 5, not 2 (`BLOCK_PICKLE`; `pickle.loads` reads any).

`a ANDNOT b`: when the collector skipped `a` past its last document by
quality (`skip_to_quality`), `AndNotMatcher` asked the spent `a` for its
document (an IndexError: the search failed). It now stops there. And it
moved `b` up to `a`'s first document only when they started on the same
one: if `b` started before, `a`'s first document was matched even when `b`
held it. `a REQUIRE b` failed an assertion (or read past the end) whenever
the collector skipped `a` by quality: the intersection inside was asked
for its next match without checking it had one.

(The other trap, `Searcher.refresh()` reusing readers that miss new
deletions, is avoided in `index.py` by opening a new searcher instead.)
"""

from __future__ import annotations

import pickle
from typing import Any

import whoosh
from whoosh import fields, matching
from whoosh.codec import whoosh3
from whoosh.filedb import structfile
from whoosh.writing import SegmentWriter

from archive.search.analysis import WordTokenizer
from archive.search.positions import PackedCharacters
from archive.search.postings_pool import TermPool, write_terms

PATCHED_VERSION = (2, 7, 5)


_PEEK = 256  # bytes handed to pickle.load() at a time (a block header is ~30)


class _ViewReader:
    """A read-only file over a buffer that copies only the bytes read."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: Any) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        size = len(self._buf)
        end = size if n is None or n < 0 else min(start + n, size)
        self._pos = max(end, start)
        return bytes(self._buf[start:end])

    def peek(self, n: int = 0) -> bytes:
        # pickle.load() reads ahead through peek() and then consumes what it used;
        # without it the C unpickler called read() per opcode (~20 calls for a
        # posting block's header tuple: 15% of a phrase's time at 50,000 articles).
        return bytes(self._buf[self._pos : self._pos + _PEEK])

    def readline(self, limit: int = -1) -> bytes:
        size = len(self._buf)
        end = self._pos
        while end < size and self._buf[end] != 10:
            end += 1
        end = min(end + 1, size)
        if limit is not None and limit >= 0:
            end = min(end, self._pos + limit)
        return self.read(end - self._pos)

    def __iter__(self) -> Any:
        while self._pos < len(self._buf):
            yield self.readline()

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence == 1:
            pos += self._pos
        elif whence == 2:
            pos += len(self._buf)
        self._pos = pos
        return pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = b""


def _init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = _ViewReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    readers = self._readers
    if fieldname in readers:
        return readers[fieldname]
    if not self.has_column(fieldname):
        readers[fieldname] = None
        return None
    reader = self.column_reader(fieldname, column)
    readers[fieldname] = reader
    return reader


def _set_inline(self: Any, ids: Any, weights: Any, values: Any) -> None:
    if len(values) != len(ids):  # a format without values keeps none
        values = [b""] * len(ids)
    self.set_inlined(ids, weights, values)


# Posting blocks whose pickle is shorter than this are written uncompressed.
SMALL_BLOCK = 64
# Protocol 2 (Whoosh's) writes each byte string as latin-1 text to re-encode: a block
# of 128 "the" postings took 227 µs to unpickle, 14 µs at protocol 5 (any reads both).
BLOCK_PICKLE = 5
# Blocks of packed positions (search.positions) are written uncompressed: zlib took
# ~250 µs to inflate one block of "the" (36 KB), 18x its unpickling, and a phrase with
# "the" reads ~390 of them at 50,000 articles. Packed and plain, 8,000 generated
# articles' index is still 7% smaller than with pickled deltas compressed (164 / 177 MB).


def _write_block(self: Any, last: bool = False) -> None:
    """`W3PostingsWriter._write_block`, small blocks left uncompressed (see the docstring)."""
    if not self._blockcount:
        self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
    self._terminfo.add_block(self)
    data = (self._mini_ids(), self._mini_weights(), self._mini_values())
    databytes = whoosh3.dumps(data, BLOCK_PICKLE)
    comp = self._compression if len(databytes) >= SMALL_BLOCK else 0
    if type(self._format) is PackedCharacters:
        comp = 0  # packed positions are read plain
    if comp:
        databytes = whoosh3.zlib.compress(databytes, comp)
    ids = self._ids
    infobytes = whoosh3.dumps(
        (
            len(ids),
            ids[-1],
            self._maxweight,
            comp,
            whoosh3.length_to_byte(self._minlength),
            whoosh3.length_to_byte(self._maxlength),
        ),
        2,
    )
    postfile = self._postfile
    blocklength = len(infobytes) + len(databytes)
    postfile.write_int(-blocklength if last else blocklength)
    postfile.write(infobytes)
    postfile.write(databytes)
    self._blockcount += 1
    self._new_block()


def _dumps(obj: Any, protocol: int = 2) -> bytes:
    """The codec's pickles at protocol 3 where it asks for 2 (see `BLOCK_PICKLE`): a term's
    inlined postings (most terms of a segment) were pickled at 6.4 µs and 126 bytes
    with packed positions, 1.5 µs and 73 at 3; tuples of numbers come out the same."""
    return pickle.dumps(obj, 3 if protocol == 2 else protocol)


_writer_init = SegmentWriter.__init__
_flush_segment = SegmentWriter._flush_segment


def _init_writer(self: Any, *args: Any, **kwargs: Any) -> None:
    _writer_init(self, *args, **kwargs)
    self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=self.pool.limit >> 20)


def _flush_terms(self: Any) -> None:
    if not isinstance(self.pool, TermPool) or not isinstance(
        self.fieldwriter, whoosh3.W3FieldWriter
    ):
        _flush_segment(self)
        return
    self.perdocwriter.close()
    lengths = self.per_document_reader() if self.codec.length_stats else None
    write_terms(self.fieldwriter, self.schema, lengths, self.pool)
    self.fieldwriter.close()
    if lengths is not None:
        lengths.close()


def _add_document(self: Any, **fields: Any) -> None:
    """`SegmentWriter.add_document`, each field's postings handed to the pool at once."""
    self._check_state()
    pool = self.pool
    schema = self.schema
    if not isinstance(pool, TermPool) or any(
        name in schema and (schema[name].separate_spelling() or schema[name].vector)
        for name in fields
    ):
        _add_document_posting_by_posting(self, **fields)  # (pool.add, one at a time)
        return
    perdocwriter = self.perdocwriter
    docnum = self.docnum
    docboost = self._doc_boost(fields)
    fieldnames = sorted(name for name in fields if not name.startswith("_"))
    self._check_fields(schema, fieldnames)
    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                length = pool.add_field(
                    fieldname, docnum, field.index(value), boost, field.scorable
                )
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
    except Exception:
        perdocwriter.cancel_doc()
        raise
    perdocwriter.finish_doc()
    self._added = True
    self.docnum += 1


_add_document_posting_by_posting = SegmentWriter.add_document
_field_index = fields.FieldType.index


def _text_index(self: Any, value: Any, **kwargs: Any) -> Any:
    """A text field's postings, in one pass when its tokenizer can (`character_postings`)."""
    if (
        type(self.analyzer) is WordTokenizer  # (not its subclasses: MixedTokenizer)
        and type(self.format) is PackedCharacters
        and isinstance(value, str)
        and kwargs.get("mode", "index") == "index"
        and len(kwargs) <= 1
    ):
        return self.analyzer.character_postings(value, self.format.field_boost)
    return _field_index(self, value, **kwargs)


_and_not_find_next = matching.AndNotMatcher._find_next


def _and_not_next(self: Any) -> Any:
    if not self.a.is_active():
        return False
    return _and_not_find_next(self)


def _and_not_first(self: Any) -> None:
    if self.a.is_active():
        self._find_next()  # (moves `b` up to `a`, past `b`'s documents)


def _require_skip_to_quality(self: Any, minquality: float) -> int:
    skipped = self.a.skip_to_quality(minquality)
    both = self.child
    if both.a.is_active() and both.b.is_active() and both.a.id() != both.b.id():
        both._find_next()
    return int(skipped)


def apply() -> None:
    """Install the fixes (only on the Whoosh version they were written for)."""
    if tuple(whoosh.__version__[:3]) != PATCHED_VERSION:
        return
    cls = structfile.BufferFile
    if getattr(cls, "_sesame_lazy", False):
        return
    cls.__init__ = _init
    cls._sesame_lazy = True
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    whoosh3.W3TermInfo.set_inline = _set_inline
    whoosh3.W3PostingsWriter._write_block = _write_block
    whoosh3.dumps = _dumps
    SegmentWriter.__init__ = _init_writer
    SegmentWriter._flush_segment = _flush_terms
    SegmentWriter.add_document = _add_document
    fields.TEXT.index = _text_index
    matching.AndNotMatcher._find_next = _and_not_next
    matching.AndNotMatcher._find_first = _and_not_first
    matching.RequireMatcher.skip_to_quality = _require_skip_to_quality


apply()
