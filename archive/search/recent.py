"""Recent changes kept in memory beside the on-disk index: a tag is searchable at once.

A change to one article used to become searchable through a Whoosh commit
(a one-document segment, its table of contents, the folder's clean-up) and
a new searcher opened over every segment of the index: at 10,000 articles
on the loaded machine p95 360 ms back to back and 1.25 s in a burst 0.2 s
apart (issue 15; the goal is 50 ms at 50,000). Here a tag-sized change is
written as a Whoosh segment in memory (`RamStorage`, the same W3 codec, so
every fast path of `archive/search/` reads it as it reads a disk segment),
and searches see the disk segments plus these in-memory ones, in one
`MultiReader`:

- newest wins: an article a newer layer holds (re-indexed, or deleted: a
  layer may have no document for it) is masked in the disk segments and in
  older layers. Masks are deletions on shallow copies of the readers (the
  disk readers and their files are shared, untouched), so every per-segment
  cache, which already filters deletions when used, stays valid;
- the on-disk index is written later, in the background, by the usual
  catch-up (`SearchIndex._idle_work`): the marker file still says which
  queue rows the disk holds, so a crash before that loses nothing (the next
  open replays the queue); once a disk commit covers a layer's queue rows,
  the layer is dropped (`rebase`).

Nothing of an article is written to disk here (temporary files too stay in
memory), which an encrypted archive's index needs.
"""

from __future__ import annotations

import copy
import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh.codec import base
from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.filedb.filestore import RamStorage
from whoosh.matching import ListMatcher
from whoosh.reading import MultiReader, SegmentReader, TermInfo, TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from archive.search.expand import _term_ids


def small_codec() -> W3Codec:
    """The codec of one-article disk segments: single postings inline, no compression.

    One-article commits write every term of the article: 600 terms, each a
    posting block pickled and compressed. Kept inline in the term table and
    uncompressed, the segment has no posting blocks at all.
    """
    return W3Codec(inlinelimit=2, compression=0)


# -- a segment in memory -------------------------------------------------------------
#
# Written as a W3 segment in RamStorage, a 600-word article took 190 ms on the loaded
# machine (profiled at 10,000 articles, load 12), two thirds of it encoding its
# ~700 terms (posting blocks, the hashed term table): a search reads them once or
# twice before the layer is written to disk. Here the postings stay Python tuples;
# only the analysis is paid.

_Posting = tuple[int, float, bytes]  # docnum, weight, value


class _MemorySegment(W3Segment):
    """A segment whose postings, stored fields and lengths are Python objects.

    Term lists are sorted and term infos made when first asked for: a search
    reads a few terms of a layer, and building them all for its ~700 terms
    cost more than the analysis on the loaded machine.
    """

    def __init__(self, codec: _MemoryCodec, doccount: int) -> None:
        super().__init__(codec, "MAIN", doccount)
        self.stored: list[dict[str, Any]] = []
        self.lengths: list[dict[str, int]] = []
        self.postings: dict[str, dict[bytes, list[_Posting]]] = {}  # field -> term -> postings
        self.columns: dict[str, Any] = {}  # field -> (storage, column) of its column file
        self._sorted: dict[str, list[bytes]] = {}
        self._infos: dict[tuple[str, bytes], TermInfo] = {}

    def words(self, fieldname: str) -> list[bytes]:
        """The terms of one field, sorted."""
        found = self._sorted.get(fieldname)
        if found is None:
            found = self._sorted[fieldname] = sorted(self.postings.get(fieldname, ()))
        return found

    def info(self, fieldname: str, btext: bytes) -> TermInfo:
        """The term info of one term (KeyError if it is not here)."""
        key = (fieldname, btext)
        found = self._infos.get(key)
        if found is None:
            posts = self.postings[fieldname][btext]
            sizes = [self.lengths[d].get(fieldname, 1) for d, _, _ in posts]
            weights = [w for _, w, _ in posts]
            found = self._infos[key] = TermInfo(
                sum(weights),
                len(posts),
                min(sizes),
                max(sizes),
                max(weights),
                posts[0][0],
                posts[-1][0],
            )
        return found

    def should_assemble(self) -> bool:
        return False


class _MemoryCodec(base.Codec):
    length_stats = False

    def terms_reader(self, storage: Any, segment: Any) -> _MemoryTerms:
        return _MemoryTerms(segment)

    def per_document_reader(self, storage: Any, segment: Any) -> _MemoryPerDoc:
        return _MemoryPerDoc(segment)


class _MemoryCursor(base.FieldCursor):
    def __init__(self, terms: list[bytes], fieldobj: Any) -> None:
        self._terms = terms
        self._fieldobj = fieldobj
        self._pos = 0
        self._text: Any = None
        self.next()

    def first(self) -> Any:
        self._pos = 0
        return self.next()

    def find(self, term: Any) -> Any:
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._pos = bisect_left(self._terms, term)
        return self.next()

    def next(self) -> Any:
        if self._pos < len(self._terms):
            self._text = self._fieldobj.from_bytes(self._terms[self._pos])
            self._pos += 1
        else:
            self._text = None
        return self._text

    def text(self) -> Any:
        return self._text

    def term_info(self) -> Any:
        return None

    def is_valid(self) -> bool:
        return self._text is not None


class _MemoryTerms(base.TermsReader):
    def __init__(self, segment: _MemorySegment) -> None:
        self._segment = segment

    def __contains__(self, term: Any) -> bool:
        fieldname, btext = term
        return btext in self._segment.postings.get(fieldname, {})

    def cursor(self, fieldname: str, fieldobj: Any) -> Any:
        return _MemoryCursor(self._segment.words(fieldname), fieldobj)

    def terms(self) -> Iterator[tuple[str, bytes]]:
        for fieldname in sorted(self._segment.postings):
            for btext in self._segment.words(fieldname):
                yield fieldname, btext

    def terms_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[str, bytes]]:
        for fname in sorted(self._segment.postings):
            if fname < fieldname:
                continue
            words = self._segment.words(fname)
            start = bisect_left(words, prefix) if fname == fieldname else 0
            for btext in words[start:]:
                yield fname, btext

    def items(self) -> Iterator[tuple[tuple[str, bytes], TermInfo]]:
        info = self._segment.info
        return ((term, info(*term)) for term in self.terms())

    def items_from(
        self, fieldname: str, prefix: bytes
    ) -> Iterator[tuple[tuple[str, bytes], TermInfo]]:
        info = self._segment.info
        return ((term, info(*term)) for term in self.terms_from(fieldname, prefix))

    def term_info(self, fieldname: str, text: bytes) -> TermInfo:
        try:
            return self._segment.info(fieldname, text)
        except KeyError:
            raise TermNotFound(f"{fieldname}:{text!r}") from None

    # (KeyError for a missing term, as W3's: SegmentReader turns it into 0.)
    def frequency(self, fieldname: str, text: bytes) -> float:
        return float(sum(w for _, w, _ in self._segment.postings[fieldname][text]))

    def doc_frequency(self, fieldname: str, text: bytes) -> int:
        return len(self._segment.postings[fieldname][text])

    def matcher(self, fieldname: str, text: bytes, format_: Any, scorer: Any = None) -> Any:
        try:
            posts = self._segment.postings[fieldname][text]
        except KeyError:
            raise TermNotFound(f"{fieldname}:{text!r}") from None
        ids, weights, values = zip(*posts, strict=True)
        return ListMatcher(
            ids,
            weights,
            values,
            format_,
            scorer=scorer,
            term=(fieldname, text),
            terminfo=self._segment.info(fieldname, text),
        )

    def indexed_field_names(self) -> Any:
        return self._segment.postings.keys()


class _MemoryPerDoc(base.PerDocumentReader):
    def __init__(self, segment: _MemorySegment) -> None:
        self._segment = segment

    def doc_count(self) -> int:
        return int(self._segment.doc_count_all() - self._segment.deleted_count())

    def doc_count_all(self) -> int:
        return int(self._segment.doc_count_all())

    def has_deletions(self) -> bool:
        return bool(self._segment.has_deletions())

    def is_deleted(self, docnum: int) -> bool:
        return bool(self._segment.is_deleted(docnum))

    def deleted_docs(self) -> Any:
        return self._segment.deleted_docs()

    def supports_columns(self) -> bool:
        return True

    def has_column(self, fieldname: str) -> bool:
        return fieldname in self._segment.columns

    def column_reader(self, fieldname: str, column: Any) -> Any:
        storage, name = self._segment.columns[fieldname]
        return column.reader(
            storage.open_file(name), 0, storage.file_length(name), self.doc_count_all()
        )

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self._segment.lengths[docnum].get(fieldname, default)

    def field_length(self, fieldname: str) -> int:
        return sum(lengths.get(fieldname, 0) for lengths in self._segment.lengths)

    def _lengths(self, fieldname: str) -> list[int]:
        return [n[fieldname] for n in self._segment.lengths if fieldname in n]

    def min_field_length(self, fieldname: str) -> int:
        return min(self._lengths(fieldname), default=0)

    def max_field_length(self, fieldname: str) -> int:
        return max(self._lengths(fieldname), default=0)

    def has_vector(self, docnum: int, fieldname: str) -> bool:
        return False

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return dict(self._segment.stored[docnum])


# The analysed postings of long field values (an article's text), by field, language
# and value: the analysis is most of a layer's cost (about two thirds, profiled), and
# a documenter tags several passages of one article in a row, which never changes
# its text. Postings are a pure function of the three.
_ANALYSED: OrderedDict[tuple[str, str, str], list[tuple[bytes, int, float, bytes]]] = OrderedDict()
_ANALYSED_MAX = 128  # field values (four long fields per article)
_ANALYSED_MIN_CHARS = 200
_ANALYSED_LOCK = threading.Lock()


def _field_postings(field: Any, fieldname: str, value: Any) -> Any:
    """`field.index(value)`, from the cache for a long value analysed lately."""
    if not isinstance(value, str) or len(value) < _ANALYSED_MIN_CHARS:
        return field.index(value)
    key = (fieldname, getattr(value, "lang", ""), str(value))
    with _ANALYSED_LOCK:
        found = _ANALYSED.get(key)
        if found is not None:
            _ANALYSED.move_to_end(key)
            return found
    found = list(field.index(value))
    with _ANALYSED_LOCK:
        _ANALYSED[key] = found
        while len(_ANALYSED) > _ANALYSED_MAX:
            _ANALYSED.popitem(last=False)
    return found


def _add_document(
    segment: _MemorySegment,
    schema: Any,
    docnum: int,
    fields: dict[str, Any],
    postings: dict[str, dict[bytes, list[_Posting]]],
    column_values: dict[str, list[tuple[int, Any]]],
) -> None:
    """One document, as `SegmentWriter.add_document` adds it (fields in name order)."""
    stored: dict[str, Any] = {}
    lengths: dict[str, int] = {}
    for fieldname in sorted(name for name in fields if not name.startswith("_")):
        value = fields.get(fieldname)
        if value is None:
            continue
        field = schema[fieldname]
        if field.vector or field.separate_spelling():
            raise ValueError(f"field {fieldname} needs the disk writer")
        length = 0
        if field.indexed:
            terms = postings.setdefault(fieldname, {})
            for tbytes, freq, weight, vbytes in _field_postings(field, fieldname, value):
                length += freq
                found = terms.get(tbytes)
                if found is None:
                    terms[tbytes] = [(docnum, weight, vbytes)]
                else:
                    found.append((docnum, weight, vbytes))
        custom = fields.get(f"_stored_{fieldname}", value)
        if field.stored:
            stored[fieldname] = custom
        if field.scorable:
            lengths[fieldname] = byte_to_length(length_to_byte(length))
        if field.column_type and custom is not None:
            column_values.setdefault(fieldname, []).append((docnum, field.to_column_value(custom)))
    segment.stored.append(stored)
    segment.lengths.append(lengths)


def write_segment(schema: Any, docs: list[dict[str, Any]]) -> SegmentReader:
    """`docs` as one segment in memory, opened for reading.

    The same postings, stored fields, lengths (rounded as W3 stores them:
    the same scores as once on disk) and columns as a disk segment.
    """
    codec = _MemoryCodec()
    segment = _MemorySegment(codec, len(docs))
    storage = RamStorage()
    column_values: dict[str, list[tuple[int, Any]]] = {}
    for docnum, fields in enumerate(docs):
        _add_document(segment, schema, docnum, fields, segment.postings, column_values)
    for fieldname, values in column_values.items():
        name = f"{fieldname}.c"
        colfile = storage.create_file(name)
        writer = schema[fieldname].column_type.writer(colfile)
        for docnum, value in values:
            writer.add(docnum, value)
        writer.finish(len(docs))
        colfile.close()
        segment.columns[fieldname] = (storage, name)
    return SegmentReader(storage, schema, segment, codec=codec)


@dataclass
class Layer:
    """One change applied in memory: the queue rows up to `seq`, for the articles `ids`."""

    seq: int
    ids: frozenset[str]
    reader: SegmentReader | None  # None: only deletions
    doc_ids: list[str] = field(default_factory=list)  # article id of each document


def _masked(reader: Any, extra: set[int]) -> Any:
    """A copy of a segment reader that also treats `extra` as deleted (files shared)."""
    segment = copy.copy(reader.segment())
    segment._deleted = set(segment._deleted or ()) | extra
    perdoc = copy.copy(reader._perdoc)
    perdoc._segment = segment
    masked = copy.copy(reader)
    masked._segment = segment
    masked._perdoc = perdoc
    masked.__dict__.pop("deleted_docs_set", None)  # a cached property: computed again
    return masked


class RecentChanges:
    """The layers applied in memory and not yet on disk, and the view they make.

    Not thread-safe: `SearchIndex` calls it under its own lock.
    """

    def __init__(self) -> None:
        self.layers: list[Layer] = []
        self.generation = 0  # the last queue row applied here or on disk
        self._disk: Any = None  # the disk searcher the masks are of
        self._disk_docs: dict[str, list[tuple[int, list[int]]]] = {}  # id -> (leaf, docnums)

    def __len__(self) -> int:
        return len(self.layers)

    def add(self, schema: Any, seq: int, docs: Iterable[tuple[str, dict[str, Any] | None]]) -> None:
        """Apply one change: each (article id, document or None for a deleted article)."""
        pairs = list(docs)
        kept = [(aid, doc) for aid, doc in pairs if doc is not None]
        reader = write_segment(schema, [doc for _, doc in kept]) if kept else None
        layer = Layer(seq, frozenset(aid for aid, _ in pairs), reader, [aid for aid, _ in kept])
        self.layers.append(layer)
        self.generation = max(self.generation, seq)

    def rebase(self, disk: Any, covered: Callable[[int], bool], generation: int) -> None:
        """The disk index changed (to `disk`, a searcher): drop the layers it now covers."""
        self.layers = [layer for layer in self.layers if not covered(layer.seq)]
        self.generation = max(self.generation, generation)
        if disk is not self._disk:
            self._disk = disk
            self._disk_docs = {}

    def clear(self, generation: int) -> None:
        """Forget every layer; the disk holds the queue rows up to `generation`."""
        self.layers = []
        self.generation = generation
        self._disk = None
        self._disk_docs = {}

    def current_versions(self, rows: list[tuple[int, str]]) -> dict[str, Any]:
        """Of the articles of these queue rows (seq, article id), those whose newest
        layer holds their last row: article id -> a reader of the layer showing only
        the documents of such articles (None: deleted). A disk commit copies those
        instead of analysing the articles again."""
        last: dict[str, int] = {}
        for seq, aid in rows:
            last[aid] = max(seq, last.get(aid, 0))
        seen: set[str] = set()
        chosen: dict[int, set[str]] = {}  # layer index -> its articles taken
        for n in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[n]
            for aid in layer.ids - seen:
                seen.add(aid)
                if aid in last and layer.seq >= last[aid]:
                    chosen.setdefault(n, set()).add(aid)
        found: dict[str, Any] = {}
        for n, aids in chosen.items():
            layer = self.layers[n]
            reader = None
            if layer.reader is not None:
                hidden = {d for d, aid in enumerate(layer.doc_ids) if aid not in aids}
                if len(hidden) < len(layer.doc_ids):
                    reader = _masked(layer.reader, hidden) if hidden else layer.reader
            for aid in aids:
                found[aid] = reader if aid in layer.doc_ids else None
        return found

    def _on_disk(self, aid: str) -> list[tuple[int, list[int]]]:
        """The disk documents of one article: (leaf number, its docnums there)."""
        found = self._disk_docs.get(aid)
        if found is None:
            found = []
            leaves = self._disk.reader().leaf_readers() if self._disk is not None else []
            for n, (leaf, _base) in enumerate(leaves):
                docs = list(_term_ids(leaf, "id", aid.encode("utf-8")))
                if docs:
                    found.append((n, docs))
            self._disk_docs[aid] = found
        return found

    def view(self, disk: Any) -> Any:
        """A searcher over `disk` (a searcher) and the layers, older versions masked."""
        if not self.layers or disk is None:
            return disk
        if disk is not self._disk:
            self._disk = disk
            self._disk_docs = {}
        newer: set[str] = set()
        ram: list[Any] = []
        for layer in reversed(self.layers):
            if layer.reader is not None:
                hidden = {d for d, aid in enumerate(layer.doc_ids) if aid in newer}
                ram.append(_masked(layer.reader, hidden) if hidden else layer.reader)
            newer |= layer.ids
        ram.reverse()
        masks: dict[int, set[int]] = {}
        for aid in newer:
            for n, docs in self._on_disk(aid):
                masks.setdefault(n, set()).update(docs)
        readers = [
            _masked(leaf, masks[n]) if n in masks else leaf
            for n, (leaf, _base) in enumerate(disk.reader().leaf_readers())
        ]
        reader = MultiReader([*readers, *ram], generation=disk.reader().generation())
        return Searcher(reader, weighting=disk.weighting, closereader=False)
