"""Merging small segments without holding the index: tags never wait for a merge.

A Whoosh merge rewrites every term of every segment it takes, in Python:
on the loaded 2-core machine ten one-article segments took over 2 s, and
the index writer is held all that time, so a tag made meanwhile could not
be committed and a search could not show it (issue 15: 1.0-1.3 s per tag in
a burst, once 129 s). Here the slow part runs beside the other commits:

1. under the caller's lock: read the segment list, pick the segments, and
   remember which of their documents are deleted (`begin`);
2. without it: copy those segments into a new one (`MergeJob.run`), while
   tags keep committing their own small segments;
3. under the lock again (`MergeJob.finish`): if the picked segments are all
   still there, delete in the new segment the documents deleted in them
   since step 1 (an article re-indexed by a tag), then write a table of
   contents with the new segment in place of the picked ones.

Whoosh deletes the files of segments missing from each new table of
contents; the files being merged, and the new segment's, are protected from
that while the merge runs (`whoosh.index.clean_files` is wrapped). Every
Whoosh writer keeps its temporary files in one folder (MAIN.tmp) and
deletes the folder when it finishes: the merge's writer gets a folder of
its own, or the first tag committed during a merge destroyed its files.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import whoosh.index as windex
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

_PROTECTED: set[str] = set()
_PROTECTED_LOCK = threading.Lock()
_original_clean_files = windex.clean_files


def _clean_files(storage: Any, indexname: str, gen: int, segments: list[Any]) -> None:
    """Whoosh's clean-up, keeping the files of segments a merge is reading or writing."""
    with _PROTECTED_LOCK:
        protected = set(_PROTECTED)
    if not protected:
        _original_clean_files(storage, indexname, gen, segments)
        return

    class _Named:
        def __init__(self, name: str) -> None:
            self._name = name

        def segment_id(self) -> str:
            return self._name

    _original_clean_files(storage, indexname, gen, [*segments, *map(_Named, protected)])


windex.clean_files = _clean_files


class _PrivateTemp:
    """The index's storage, with temporary files in a folder of the merge's own."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage
        self._temp_name = f"merge-{uuid.uuid4().hex[:12]}.tmp"

    def temp_storage(self, name: str | None = None) -> Any:
        return self._storage.temp_storage(self._temp_name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._storage.list())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)


class _IndexView:
    """What SegmentWriter reads from an index, over the private-temp storage."""

    def __init__(self, ix: Any) -> None:
        self._ix = ix
        self.storage = _PrivateTemp(ix.storage)
        self.indexname = ix.indexname

    def _read_toc(self) -> Any:
        return self._ix._read_toc()

    def lock(self, name: str) -> Any:
        return self._ix.lock(name)


class MergeJob:
    """One merge of `chosen` segments of `ix` into a new one (see the module docstring)."""

    def __init__(self, ix: Any, chosen: list[Any]) -> None:
        self.ix = ix
        # No Whoosh lock: the caller's lock serialises the commits.
        self.writer = SegmentWriter(_IndexView(ix), _lk=False)
        ids = {s.segment_id() for s in chosen}
        # The writer's own copies of the segments, as of its table of contents.
        self.chosen = [s for s in self.writer.segments if s.segment_id() in ids]
        self.deleted = {s.segment_id(): set(s.deleted_docs()) for s in self.chosen}
        self.maps: list[tuple[str, int, dict[int, int] | None]] = []
        self.new_segment: Any = None
        self._names = {*ids, self.writer.newsegment.segment_id()}
        with _PROTECTED_LOCK:
            _PROTECTED.update(self._names)

    def run(self) -> None:
        """Copy the chosen segments into the new one (no lock needed)."""
        writer = self.writer
        fieldnames = set(writer.schema.names())
        for segment in self.chosen:
            reader = SegmentReader(self.ix.storage, writer.schema, segment)
            try:
                base = writer.docnum
                names = fieldnames | {f for f in reader.indexed_field_names() if f in writer.schema}
                docmap = writer.write_per_doc(names, reader)
                writer.add_postings_to_pool(reader, base, docmap)
                writer._added = True
                self.maps.append((segment.segment_id(), base, docmap))
            finally:
                reader.close()
        self.new_segment = writer._finalize_segment()

    def finish(self) -> bool:
        """Swap the new segment in (under the caller's lock); False if it no longer fits."""
        try:
            toc = self.ix._read_toc()
            current = {s.segment_id(): s for s in toc.segments}
            if self.new_segment is None or any(sid not in current for sid, _, _ in self.maps):
                return False  # another commit merged them meanwhile: drop this one
            for sid, base, docmap in self.maps:
                for docnum in set(current[sid].deleted_docs()) - self.deleted[sid]:
                    self.new_segment.delete_document(
                        docmap[docnum] if docmap is not None else base + docnum
                    )
            merged = {sid for sid, _, _ in self.maps}
            final = [s for s in toc.segments if s.segment_id() not in merged]
            final.append(self.new_segment)
            self.writer.generation = toc.generation + 1
            self.writer._commit_toc(final)
            return True
        finally:
            self.close()

    def close(self) -> None:
        """Release the protection (and the writer's temporary files)."""
        with _PROTECTED_LOCK:
            _PROTECTED.difference_update(self._names)
        if not self.writer.is_closed:
            if self.new_segment is None:
                self.writer.cancel()  # closes the half-written segment's files
            else:
                self.writer._finish()
