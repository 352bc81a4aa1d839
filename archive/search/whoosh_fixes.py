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

(The other trap, `Searcher.refresh()` reusing readers that miss new
deletions, is avoided in `index.py` by opening a new searcher instead.)
"""

from __future__ import annotations

from typing import Any

import whoosh
from whoosh.codec import whoosh3
from whoosh.filedb import structfile

PATCHED_VERSION = (2, 7, 5)


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


apply()
