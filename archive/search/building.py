"""Index catch-ups of many articles written in child processes, never in the caller's.

Indexing in Python holds the interpreter lock, and Whoosh's postings sort
holds it in one C call for seconds (issue 8): in the desktop app an import's
deferred backlog indexed in-process stood the import still for ~100 s per
1,000 articles and froze the window for seconds, while tags queued behind it.
Here a big catch-up runs in fresh processes (`subprocess`, never fork: forking
a process with Qt threads can deadlock), one per half of the articles, each
opening the archive's database read-only and writing ONE new Whoosh segment
into the index folder without taking the index's lock and without touching
its table of contents. The parent meanwhile goes on committing small changes
(tags) as usual; when the children are done it swaps their segments in under
its own lock (`SearchIndex._land`), the same way a background merge is
finished (`archive.search.merging`):

- the old versions of the children's articles are deleted, except those the
  parent re-indexed meanwhile, whose copies in the new segments are deleted
  instead (the parent's are newer);
- the marker's generation moves past the children's queue rows only then, so
  until the segments are in, a search reports those changes as pending;
- once the index has many segments, the first child also copies the smallest
  big ones into its segment (`segments.big_to_merge`), and those are replaced
  by it, deletions made in them meanwhile carried over (as `MergeJob.finish`
  does): without this each job would leave one or two more segments for good.

Kill safety: a child gets SIGKILL when its parent dies (PR_SET_PDEATHSIG,
Linux), and a killed child leaves only files no table of contents names
(deleted by Whoosh's next clean-up or by the next open) and its private temp
folder (removed on open); the marker never ran ahead, so the next open
replays the rows. Only plain archives use this: an encrypted archive's index
is sealed and kept in memory by its storage (`storage.SealedStorage`), and
its data key is not handed to other processes; it indexes in-process.

The child is `python -m archive.search.building`; its request is one JSON
line on stdin, its answers JSON lines on stdout (progress, then the result).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import whoosh.index as windex
from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.writing import SegmentWriter

from archive.children import die_with_parent, popen
from archive.search import merging

# Each child writes at most this much of the postings pool in memory before
# spilling to its temp folder (Whoosh's limitmb). At 128 MB each of the two
# children peaked at 211 MB PSS in a 10,000-article import (589 MB for the whole
# tree), at 64 MB at 138 MB (443 MB): issue 15 asks for <= 600 MB at 50,000.
CHILD_LIMIT_MB = 64


class BuildFailed(Exception):
    """A child process did not deliver its segment (the caller indexes in-process)."""


# Terms with fewer postings than this keep them in their term-table entry, with no
# posting block (Whoosh's default, 1, inlines none). Most terms of a segment have a
# few postings (82% at most 4, 1,000 generated articles), and each block was a
# pickle, a zlib call and a header: 600 articles' commit went from 5.7 to 4.3-4.7
# CPU s (load 14), the segment 2% smaller. Readers read inlined postings as they do
# a one-article commit's (`recent.small_codec`), and `expand` reads them directly.
INLINE_LIMIT = 5


class _NamedCodec(W3Codec):
    """Whoosh's codec, writing a segment of a name chosen by the parent."""

    def __init__(self, segid: str) -> None:
        super().__init__(inlinelimit=INLINE_LIMIT)
        self._segid = segid

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        # The segment refers to a plain codec: it is pickled into the parent's TOC.
        return W3Segment(W3Codec(), indexname, segid=self._segid)


def _random_segid() -> str:
    return W3Segment._random_id()  # type: ignore[no-any-return]


def _segment_name(segid: str) -> str:
    """The segment id Whoosh's clean-up compares ("MAIN_<segid>")."""
    return str(W3Segment(W3Codec(), windex._DEF_INDEX_NAME, segid=segid).segment_id())


@dataclass
class Merged:
    """A segment a child copied into its new one: where its documents went."""

    segid: str
    base: int  # its documents start here in the new segment
    docmap: dict[int, int] | None  # old -> new number (None: base + old)
    deleted: set[int]  # its deleted documents when the child read it (not copied)

    def new_number(self, docnum: int) -> int | None:
        if docnum in self.deleted:
            return None
        return self.docmap.get(docnum) if self.docmap is not None else self.base + docnum


@dataclass
class Built:
    """One child's new segment: its added articles by document number, what it merged."""

    segment: Any
    added: list[str]
    merged: list[Merged]


@dataclass
class _Child:
    """One child process and what it reported."""

    process: subprocess.Popen[bytes]
    segid: str  # the new segment's random part (its files: MAIN_<segid>.*)
    temp: str
    merge: list[str] = field(default_factory=list)  # big segments copied in too
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class BuildJob:
    """Children indexing the articles of queue rows (lo, hi] into new segments."""

    folder: Path
    lo: int
    hi: int
    ids: list[str]
    children: list[_Child] = field(default_factory=list)
    # Articles the parent indexed itself while the job ran (theirs are newer).
    rewritten: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.time)
    finished: threading.Event = field(default_factory=threading.Event)
    cancelled: bool = False
    landed: bool = False  # its segments are in the index

    @property
    def progress(self) -> tuple[int, int]:
        return sum(c.done for c in self.children), len(self.ids)

    def protected(self) -> set[str]:
        """Segment ids (as `Segment.segment_id()`) whose files Whoosh's clean-up must keep."""
        return {_segment_name(c.segid) for c in self.children} | {
            s for c in self.children for s in c.merge
        }

    def segments(self) -> list[Built]:
        """What each child wrote (children with nothing to write are left out).

        Raises BuildFailed if a child failed."""
        out = []
        for child in self.children:
            if child.error is not None or child.result is None:
                raise BuildFailed(child.error or "the indexing process ended without a result")
            if child.result.get("segment"):
                segment = pickle.loads(base64.b64decode(child.result["segment"]))
                merged = [
                    Merged(
                        str(sid),
                        int(base),
                        None if docmap is None else {int(k): int(v) for k, v in docmap.items()},
                        {int(d) for d in deleted},
                    )
                    for sid, base, docmap, deleted in child.result.get("merged", [])
                ]
                out.append(Built(segment, list(child.result["added"]), merged))
        return out

    def cancel(self) -> None:
        """Stop the children (their files are removed by `discard`)."""
        self.cancelled = True
        for child in self.children:
            with contextlib.suppress(Exception):
                child.process.kill()

    def discard(self) -> None:
        """Remove what the children wrote (a job not swapped in)."""
        self.cancel()
        self.finished.wait(30)
        for child in self.children:
            for path in self.folder.glob(f"*_{child.segid}.*"):
                with contextlib.suppress(OSError):
                    path.unlink()
            _remove_tree(self.folder / child.temp)
        self.release()

    def release(self) -> None:
        with merging._PROTECTED_LOCK:
            merging._PROTECTED.difference_update(self.protected())


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def start(
    db_path: Path,
    folder: Path,
    lo: int,
    hi: int,
    ids: list[str],
    processes: int,
    merge: list[str] | None = None,
) -> BuildJob:
    """Start `processes` children over `ids` (queue rows lo < seq <= hi); returns at once.

    `merge`: ids of segments the first child copies into its new segment.

    The children are started by `archive.children` (they die with this process,
    never with the thread that asked: catch-ups are started from pool threads and
    idle timers that end while the children index); a thread of the job waits
    for them."""
    job = BuildJob(folder=folder, lo=lo, hi=hi, ids=ids)
    _spawn(job, db_path, ids, processes, merge)
    threading.Thread(target=_watch, args=(job,), name="index-build", daemon=True).start()
    return job


def _spawn(
    job: BuildJob, db_path: Path, ids: list[str], processes: int, merge: list[str] | None
) -> None:
    """Start the children of `job` and hand each its request."""
    folder = job.folder
    processes = max(1, min(processes, len(ids)))
    share = -(-len(ids) // processes)
    parts = [ids[i : i + share] for i in range(0, len(ids), share)]
    for number, part in enumerate(parts):
        segid = _random_segid()
        temp = f"build-{uuid.uuid4().hex[:12]}.tmp"
        folded = list(merge or []) if number == 0 else []
        with merging._PROTECTED_LOCK:
            merging._PROTECTED.update([_segment_name(segid), *folded])
        try:
            process = popen(
                [sys.executable, "-m", "archive.search.building"],
                background=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=str(Path(__file__).resolve().parents[2]),
                close_fds=True,
            )
        except OSError:
            job.cancel()  # the ones started already
            job.release()
            with merging._PROTECTED_LOCK:
                merging._PROTECTED.difference_update([_segment_name(segid), *folded])
            raise
        child = _Child(process, segid, temp, folded, total=len(part))
        job.children.append(child)
        request = {
            "db": str(db_path),
            "folder": str(folder),
            "ids": part,
            "segid": segid,
            "temp": temp,
            "merge": folded,
            "parent": os.getpid(),
        }
        assert process.stdin is not None
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.close()
        except OSError as exc:
            child.error = f"the indexing process could not be started ({exc})"


def _watch(job: BuildJob) -> None:
    """Read each child's answers until it ends (blocking reads: no interpreter lock held)."""
    readers = []
    for child in job.children:
        reader = threading.Thread(target=_read_child, args=(child,), daemon=True)
        reader.start()
        readers.append(reader)
    for reader in readers:
        reader.join()
    job.finished.set()


def _read_child(child: _Child) -> None:
    stream: IO[bytes] | None = child.process.stdout
    assert stream is not None
    try:
        for line in stream:
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                if "done" in message:
                    child.done = int(message["done"])
                elif "error" in message:
                    child.error = str(message["error"])
                elif "segment" in message:
                    child.result = message
    finally:
        code = child.process.wait()
        if child.result is None and child.error is None:
            child.error = f"the indexing process ended (exit status {code})"


# -- the child ---------------------------------------------------------------------


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def build_segment(
    db_path: Path, folder: Path, ids: list[str], segid: str, temp: str, merge: list[str]
) -> None:
    """In the child: write the documents of `ids` into one new segment `segid` of `folder`,
    then copy the segments `merge` into it."""
    from sqlalchemy import create_engine
    from whoosh.filedb.filestore import FileStorage

    from archive.search import whoosh_fixes  # noqa: F401  (the same fixes as the parent)
    from archive.search.documents import load_documents
    from archive.search.state import sync_folder

    def connect() -> sqlite3.Connection:
        # Read-only: this process never writes the database (a plain archive's).
        conn = sqlite3.connect(f"file:{quote(str(db_path))}?mode=ro", uri=True, timeout=30)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    engine = create_engine("sqlite://", creator=connect)
    ix = windex.FileIndex(FileStorage(str(folder)))
    view = merging._IndexView(ix)
    view.storage._temp_name = temp
    writer = SegmentWriter(view, _lk=False, codec=_NamedCodec(segid), limitmb=CHILD_LIMIT_MB)
    started = time.time()
    added: list[str] = []
    try:
        with engine.connect() as conn:
            for done, (article_id, doc) in enumerate(load_documents(conn, ids), start=1):
                if doc is not None:
                    writer.add_document(**doc)
                    added.append(article_id)
                if done % 100 == 0:
                    _send({"done": done})
        merged = _copy_segments(writer, ix, merge)
        segment = writer._finalize_segment() if added or merged else None
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    writer._finish()  # removes the temp folder
    sync_folder(folder, started)  # the segment on disk before the parent names it
    payload = base64.b64encode(pickle.dumps(segment)).decode() if segment is not None else ""
    _send({"done": len(ids)})
    _send({"segment": payload, "added": added, "merged": merged})


def _copy_segments(writer: SegmentWriter, ix: Any, wanted: list[str]) -> list[Any]:
    """Copy the live documents of the segments `wanted` into the writer (MergeJob.run's way)."""
    from whoosh.reading import SegmentReader

    merged: list[Any] = []
    fieldnames = set(writer.schema.names())
    for segment in writer.segments:
        if segment.segment_id() not in wanted:
            continue
        reader = SegmentReader(ix.storage, writer.schema, segment)
        try:
            base = writer.docnum
            names = fieldnames | {f for f in reader.indexed_field_names() if f in writer.schema}
            docmap = writer.write_per_doc(names, reader)
            writer.add_postings_to_pool(reader, base, docmap)
            writer._added = True
            merged.append([segment.segment_id(), base, docmap, sorted(segment.deleted_docs())])
        finally:
            reader.close()
    return merged


def main() -> int:
    """The child's entry point: one request on stdin, answers on stdout."""
    request = json.loads(sys.stdin.readline())
    die_with_parent(int(request["parent"]))
    try:
        build_segment(
            Path(request["db"]),
            Path(request["folder"]),
            list(request["ids"]),
            str(request["segid"]),
            str(request["temp"]),
            [str(s) for s in request.get("merge", [])],
        )
    except Exception as exc:
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        _send({"error": f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
