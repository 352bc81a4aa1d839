"""`SearchIndex`: the Whoosh index of an archive, kept in step with SQLite.

Every change to an article or its annotations adds an IndexQueue row in the
same SQLite transaction (`store.mark_for_index`). The index records the last
queue number it applied (its generation) and the archive it belongs to; on
open and before searching it replays the rows past that number, so after a
crash at any moment it is repaired by itself. An index that is missing,
damaged, of another archive or of another schema is rebuilt from the DB.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as windex
from whoosh.collectors import SortingCollector
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from archive import memory
from archive.errors import ArchiveError
from archive.search import (
    arrays,
    building,
    whoosh_fixes,  # noqa: F401  (installs fixes on import)
)
from archive.search.analysis import STEM_LANGUAGES, folded_words, warm_stems
from archive.search.building import BuildFailed, BuildJob
from archive.search.docsets import query_matches
from archive.search.expand import WORDS_FIELD, Budget, LexiconCache
from archive.search.facets import NUMPY_FROM as FACET_ARRAYS_FROM
from archive.search.facets import FacetCache, count
from archive.search.matchers import (
    PhraseCache,
    expand_terms,
    expansions,
    prepare,
)
from archive.search.merging import MergeJob
from archive.search.query import DEFAULT_FIELDS, parse_query, stem_for_languages
from archive.search.recent import RecentChanges, small_codec
from archive.search.results import (
    CheckReport,
    Hit,
    SearchResults,
)
from archive.search.rows import queued_after, read_articles
from archive.search.schema import SCHEMA_VERSION, build_schema
from archive.search.segments import (
    SMALL_MERGE_DOCS,
    big_to_merge,
    bulk_writer,
    merge_smallest_when_many,
    small_segments,
)
from archive.search.snippets import (
    highlight_tests,
    make_snippet,
    match_spans,
    merge_spans,
    word_spans,
)
from archive.search.state import IndexState, read_state, sync_folder, write_state
from archive.search.storage import index_storage
from archive.search.top import TopHits
from archive.tasks import CancelToken, ProgressFn, report

if TYPE_CHECKING:
    from archive.store import Archive

log = logging.getLogger(__name__)

# Catch-ups of at least this many articles use the multi-process writer.
BULK_THRESHOLD = 300
# Without a progress callback, catch-ups of DEFER_MIN..BULK_BATCH articles
# wait for more (see `catch_up`).
DEFER_MIN = 20
BULK_BATCH = 2000
# Catch-ups of at least this many articles are flushed to disk (fsync).
DURABLE_BATCH = 50
# Catch-ups of at least this many articles of a plain archive are written by
# child processes (`archive.search.building`): in-process, an import's
# deferred backlog held the interpreter lock for ~100 s per 1,000 articles in
# the desktop app (issue 8). A child costs about a second to start, on the
# other core. From CHILD_PAIR articles on, two children share the work.
CHILD_MIN = 100
# The idle worker stems this many of the biggest segment's commonest words ahead.
WARM_STEMS = 5000
CHILD_PAIR = 600
# Seconds without commits after which the small segments are merged in the
# background (a few dozen documents at most: segments.SMALL_MERGE_DOCS).
# 3 s, not 1: a merge runs beside the tags but competes with them for the
# interpreter (tags 1.2 s apart waited up to 0.8 s at 2,000 articles on the
# loaded machine while merges ran between them); a person tagging quickly
# leaves no 3 s gap, and 40 small segments start a merge anyway.
IDLE_MERGE_SECONDS = 3.0
# After an open, the warm-up reads what first searches need (`_warm_lexicons`).
WARM_AFTER_OPEN_SECONDS = 1.0
# A change arriving while the index is busy (a background merge) is applied
# by the background worker this soon after; past this many small segments a
# merge starts at once instead of after IDLE_MERGE_SECONDS.
BUSY_RETRY_SECONDS = 0.05
MERGE_SOON_SEGMENTS = 40  # a burst must not wait on merges; this is the safety valve


# One-article commits write no posting blocks (merges rewrite them normally later).
SMALL_CODEC = small_codec
# Changes applied in memory (`archive.search.recent`) are written to disk after
# IDLE_MERGE_SECONDS without changes, or at once (in the background) once this
# many are held: a search reads one small segment per held change. With 24, a
# burst of 60 tags 0.2 s apart wrote to disk twice beside them (p95 309 ms at
# 10,000 articles, load 18-23); with 64 none of them waited so (p95 71 ms, load
# 15), and 60 held segments cost a search no visible time (p50 48 ms).
RECENT_MAX = 64


# Applied queue rows are deleted once this many have piled up.
PRUNE_EVERY = 200


def _stem_languages(reader: Any) -> list[str]:
    """English plus every other stemmer language of the indexed articles."""
    try:
        found = {lang for lang in reader.field_terms("lang") if lang in STEM_LANGUAGES}
    except Exception:  # an empty index has no such field yet
        found = set()
    return ["en", *sorted(found - {"en"})]


# SQLAlchemy only where the index is written: a search of a current index reads through
# `read_connection` (plain DB-API), so `sesame search` starts without it (issue 15 item 5).
def text(sql: str) -> Any:
    """SQLAlchemy's `text()`, imported when first needed."""
    from sqlalchemy import text as sql_text

    return sql_text(sql)


def load_documents(conn: Any, ids: list[str]) -> Any:
    """`documents.load_documents` (which needs SQLAlchemy), imported when first needed."""
    from archive.search import documents

    return documents.load_documents(conn, ids)


def _db_generation(conn: Any) -> int:
    row = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name='indexqueue'")).first()
    return int(row[0]) if row else 0


class SearchIndex:
    """The search index of one open archive; safe to use from several threads."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.folder: Path = archive.index_dir
        # Writers (catch-up, rebuild, merge) take _write_lock; the searcher
        # and the index object are swapped and used under _read_lock.
        self._write_lock = threading.RLock()
        self._merge_lock = threading.Lock()  # held by a merge from start to end
        self._read_lock = threading.RLock()
        self._ix: windex.FileIndex | None = None
        self._searcher: Any = None  # the disk segments (writers find old versions in it)
        # Tag-sized changes applied in memory, not yet on disk (`recent`), and the
        # searcher searches use: the disk segments and those, older versions masked.
        self._recent = RecentChanges()
        self._recent_lock = threading.Lock()  # after _write_lock, before _read_lock
        self._view: Any = None
        self._facet_cache = FacetCache()
        self._lexicons = LexiconCache()  # per-segment word lists for wildcards
        self._phrases = PhraseCache()  # per-segment matches of phrases
        self._facets: list[Any] | None = None  # tables of the current searcher
        self._langs: list[str] | None = None  # stemmer languages in the current index
        self._disk_langs: list[str] | None = None  # those of the disk segments
        self._state: IndexState | None = None
        self._needs_build = False
        self._unpruned = 0
        self._merge_timer: threading.Timer | None = None
        self._warm_timer: threading.Timer | None = None  # the warm-up after an open
        self._idle_due = 0.0  # when the timer's idle work is due (`_idle_later`)
        # A catch-up written by child processes (queue rows job.lo < seq <= job.hi),
        # and the highest row applied in-process beyond it meanwhile.
        self._job: BuildJob | None = None
        self._ahead = 0
        # An encrypted archive's index is sealed, its key kept in this process.
        self._children_ok = archive.data_key is None
        self._closed = False
        self._archive_id = archive.archive_id
        self._open()

    # -- opening -------------------------------------------------------------

    def _open(self) -> None:
        if not self.archive.readonly:
            self._remove_leftovers()
        state = read_state(self.folder)
        ix = None
        searcher = None
        if (
            state is not None
            and state.archive_id == self._archive_id
            and state.schema_version == SCHEMA_VERSION
        ):
            try:
                storage = index_storage(self.archive, self.folder)
                if self.folder.is_dir() and storage.index_exists():
                    ix = storage.open_index()
                    if ix.latest_generation() < state.toc_generation:
                        raise ValueError("the index lost commits")
                    # The check opens every segment: keep what it opened as the first
                    # searcher (a check reader closed and a searcher opened again read
                    # each segment's term table twice, ~half of a cold search's open
                    # at 10,000 articles).
                    searcher = ix.searcher()
                    searcher.doc_count()
            except Exception as exc:  # damaged in any way: rebuild it
                log.warning("search index unusable (%s); it will be rebuilt", exc)
                if searcher is not None:
                    with contextlib.suppress(Exception):
                        searcher.close()
                ix = searcher = None
        if ix is None:
            if self.archive.readonly:
                raise ArchiveError(
                    "The search index of this archive must be rebuilt. Close the archive in "
                    "other windows and run `sesame reindex` (or search again without "
                    "--read-only)."
                )
            self._needs_build = True
            return
        self._ix = ix
        self._state = state
        self._searcher = searcher if searcher is not None else ix.searcher()
        # The word lists, facet tables and stems a first search needs, read soon in the
        # background: opened with nothing to catch up, no idle work ever read them, and
        # the window's first `re*` on a 50,000-article archive read lexicons for 10 s.
        if self._warm_timer is not None:
            self._warm_timer.cancel()
        timer = threading.Timer(WARM_AFTER_OPEN_SECONDS, self._warm_lexicons)
        timer.daemon = True
        self._warm_timer = timer
        timer.start()

    def _remove_leftovers(self) -> None:
        """Half-built or replaced index folders left by a crash, and the temporary
        folders of a killed merge or indexing process (`building`) inside the index."""
        for path in self.folder.parent.glob(self.folder.name + ".*"):
            if path.is_dir() and (".new-" in path.name or ".old-" in path.name):
                shutil.rmtree(path, ignore_errors=True)
        for pattern in ("build-*.tmp", "merge-*.tmp"):
            for path in self.folder.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)

    # -- keeping up with the database ----------------------------------------

    @property
    def generation(self) -> int:
        """The DB generation (IndexQueue number) the index reflects; -1 if unbuilt."""
        return self._state.generation if self._state and not self._needs_build else -1

    def pending(self) -> int:
        """How many articles have changes the index has not applied yet (-1: needs a rebuild)."""
        if self._needs_build or self._state is None:
            return -1
        if self.archive.readonly:  # nothing is applied here: the queue's rows as they are
            with self.archive.read_connection() as rconn:
                return queued_after(rconn, self._state.generation)
        job = self._job
        held = self._recent.generation  # (applied in memory: searchable)
        with self.archive.engine.connect() as conn:
            if job is None:
                return int(
                    conn.execute(
                        text("SELECT count(DISTINCT article_id) FROM indexqueue WHERE seq > :g"),
                        {"g": max(self._state.generation, held)},
                    ).scalar_one()
                )
            # Rows the children are indexing, and rows past what was applied meanwhile.
            return int(
                conn.execute(
                    text(
                        "SELECT count(DISTINCT article_id) FROM indexqueue "
                        "WHERE (seq > :lo AND seq <= :hi) OR seq > :top"
                    ),
                    {"lo": job.lo, "hi": job.hi, "top": max(job.hi, self._ahead, held)},
                ).scalar_one()
            )

    def catch_up(
        self,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
        *,
        force: bool | None = None,
        wait: bool = True,
    ) -> int:
        """Apply the queue entries past the index's generation; returns articles applied.

        Builds the index from scratch if it is missing or unusable.

        `force=None` (the default) lets a batch of DEFER_MIN or more articles
        wait, when there is no progress callback, until BULK_BATCH are
        pending: an import calling this after each of its 200-file batches
        then gets a few big parallel commits (Whoosh writes 200 documents at
        a third of the rate of 2,000). `force=False` (the import's batches)
        lets a batch of any size wait so. Waiting is always safe: searching,
        closing and IDLE_MERGE_SECONDS of idleness apply the rest, and after a crash
        the next open does. Smaller changes (tagging) are applied at once, in
        memory (`archive.search.recent`), and written to disk in the background
        after IDLE_MERGE_SECONDS without changes (or once RECENT_MAX are held);
        `force=True` writes them to disk now.

        CHILD_MIN or more articles of a plain archive are indexed by child
        processes (`archive.search.building`) while this process goes on; a
        forced catch-up (or one with progress) waits for them, outside the
        lock, unless `wait=False`.
        """
        if self.archive.readonly:
            return 0
        if progress is None and force is None:
            applied = self._catch_up_recent()
            if applied is not None:
                return applied
        total = 0
        waited: list[BuildJob] = []
        deferring = progress is None and force is not True
        while True:
            if deferring:
                # Tagging must not wait on the index: while a background merge
                # holds it, the change is left to that worker, which applies it
                # next (a search waits for it).
                if not self._write_lock.acquire(blocking=False):
                    self._schedule_idle_work(BUSY_RETRY_SECONDS)
                    return total
            else:
                self._write_lock.acquire()
            try:
                total += self._catch_up_locked(progress, cancel, force)
                job = self._job
            finally:
                self._write_lock.release()
            if job is None or not wait or deferring:
                # (Children's articles count once swapped in, by whichever thread.)
                return total + sum(len(j.ids) for j in waited if j.landed)
            self._wait_for(job, progress, cancel)
            waited.append(job)

    def _catch_up_locked(
        self, progress: ProgressFn | None, cancel: CancelToken | None, force: bool | None
    ) -> int:
        self._check_open()
        if self._needs_build or self._state is None:
            return self.rebuild(progress, cancel)
        assert self._ix is not None
        if self._job is not None and self._job.finished.is_set():
            self._land(self._job)
        assert self._state is not None
        started = time.time()
        job = self._job
        with self.archive.engine.connect() as conn:
            # One read transaction: queue rows and documents from one snapshot.
            db_gen = _db_generation(conn)
            if db_gen < self._state.generation:
                # The DB went back in time (restored from a backup): start over.
                conn.rollback()
                return self.rebuild(progress, cancel)
            # Past the rows the children are indexing, and those applied beside them.
            floor = max(job.hi, self._ahead) if job is not None else self._state.generation
            if db_gen <= floor:
                return 0
            backlog = db_gen - floor
            tag_sized = force is None and backlog < DEFER_MIN  # committed at once
            if progress is None and force is not True and not tag_sized and backlog < BULK_BATCH:
                self._schedule_idle_work()
                return 0
            rows = conn.execute(
                text("SELECT seq, article_id FROM indexqueue WHERE seq > :g ORDER BY seq"),
                {"g": floor},
            ).all()
            # Every row up to db_gen is visible in this snapshot, even when
            # the rows themselves were pruned or rolled back.
            ids = list(dict.fromkeys(r.article_id for r in rows))
            if self._for_children(floor, db_gen, ids):
                conn.rollback()
                return 0  # (a forced catch-up waits for the children)
            bulk = len(ids) >= BULK_THRESHOLD
            if bulk:
                writer = self._ix.writer(**bulk_writer())
            else:
                writer = self._ix.writer(codec=SMALL_CODEC())
            try:
                held: dict[str, Any] = {}
                if not bulk:  # written from memory: the same postings, analysed once
                    with self._recent_lock:
                        held = self._recent.current_versions([(r.seq, r.article_id) for r in rows])
                self._apply(writer, conn, ids, progress, cancel, held=held)
                if bulk:
                    writer.commit(mergetype=merge_smallest_when_many)
                else:  # a tag: never wait for a merge (the idle worker merges)
                    writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise
        if job is not None:
            # The marker stays below the children's rows until their segments are in.
            job.rewritten.update(ids)
            self._ahead = db_gen
            self._committed(self._state.generation, started, durable=len(ids) >= DURABLE_BATCH)
        else:
            self._committed(db_gen, started, durable=len(ids) >= DURABLE_BATCH)
        self._unpruned += len(rows)
        if bulk or self._unpruned >= PRUNE_EVERY:
            self._prune()
        small = self._small_segment_count()
        if small >= MERGE_SOON_SEGMENTS:
            self._schedule_idle_work(BUSY_RETRY_SECONDS)  # a burst of changes: merge now
        elif small > 1 or bulk:  # (after an import: read the new lexicons when idle)
            self._schedule_idle_work()
        return len(ids)

    # -- changes applied in memory (archive.search.recent) -------------------------

    def _catch_up_recent(self) -> int | None:
        """Apply a tag-sized backlog in memory; returns articles applied (None: not tag-sized).

        Needs neither the write lock nor a Whoosh commit, so a merge or a disk
        commit in the background never holds a tag back from search. The disk
        catch-up writes the same queue rows later (`_idle_work`).
        """
        if self._needs_build or self._state is None or self._closed:
            return None
        with self._recent_lock:
            state, job = self._state, self._job
            if state is None or self._searcher is None:
                return None
            floor = max(state.generation, self._recent.generation)
            if job is not None:
                floor = max(floor, job.hi, self._ahead)
            with self.archive.engine.connect() as conn:
                # One read transaction: queue rows and documents from one snapshot.
                db_gen = _db_generation(conn)
                if db_gen < state.generation:
                    return None  # restored from a backup: the disk path rebuilds
                if db_gen < self._recent.generation:
                    # Held changes of a database state that is gone (a restore): the
                    # disk holds every row up to its marker, read the rest again.
                    self._recent.clear(state.generation)
                    floor = state.generation if job is None else max(state.generation, job.hi)
                if db_gen <= floor:
                    return 0
                if db_gen - floor >= DEFER_MIN:
                    return None
                rows = conn.execute(
                    text("SELECT article_id FROM indexqueue WHERE seq > :g ORDER BY seq"),
                    {"g": floor},
                ).all()
                ids = list(dict.fromkeys(r.article_id for r in rows))
                docs = list(load_documents(conn, ids))
            with self._read_lock:
                if self._searcher is None:
                    return None
                schema = self._searcher.schema
            try:
                self._recent.add(schema, db_gen, docs)
            except ValueError as exc:  # a field only the disk writer writes: commit it
                log.info("change not held in memory (%s)", exc)
                return None
            held = len(self._recent)
            self._update_view()
        self._unpruned += len(rows)
        # Written to disk when idle, or now (in the background) once many are held.
        self._idle_later(BUSY_RETRY_SECONDS if held >= RECENT_MAX else IDLE_MERGE_SECONDS)
        return len(ids)

    def _update_view(self) -> None:
        """The searcher searches use: disk segments and changes held in memory (under
        _recent_lock)."""
        with self._read_lock:
            view = self._recent.view(self._searcher)
            if view is not self._view:
                self._view = view
                self._facets = None
                self._langs = None

    def _rebase_recent(self) -> None:
        """After a disk commit: drop the changes held in memory that the disk now holds."""
        state, job, ahead = self._state, self._job, self._ahead
        if state is None:
            return

        def covered(seq: int) -> bool:
            return seq <= state.generation or (job is not None and job.hi < seq <= ahead)

        with self._recent_lock:
            top = max(state.generation, ahead if job is not None else 0)
            self._recent.rebase(self._searcher, covered, top)
            self._update_view()

    # -- catch-ups written by child processes -------------------------------------

    def _for_children(self, lo: int, hi: int, ids: list[str]) -> bool:
        """Whether rows lo < seq <= hi are left to child processes (started now if none run)."""
        job = self._job
        if not self._children_ok:
            return False
        if job is not None:
            # Beside running children only tag-sized changes are applied here:
            # import batches indexed in-process meanwhile held the interpreter
            # for seconds in the window (faulthandler dumps, issue 8).
            return len(ids) >= DEFER_MIN
        if len(ids) < CHILD_MIN:
            return False
        try:
            self._start_job(lo, hi, ids)
        except OSError as exc:  # no Python to start (a frozen app): index here
            log.warning("no separate indexing process (%s); indexing here", exc)
            self._children_ok = False
            return False
        return True

    def _start_job(self, lo: int, hi: int, ids: list[str]) -> None:
        from archive.store import DB_NAME

        assert self._ix is not None
        processes = 2 if len(ids) >= CHILD_PAIR and (os.cpu_count() or 1) > 1 else 1
        merge = [s.segment_id() for s in big_to_merge(self._ix._segments(), processes)]
        job = building.start(
            self.archive.path / DB_NAME, self.folder, lo, hi, ids, processes, merge
        )
        self._job = job
        self._ahead = 0
        # Swapped in by the next catch-up; the idle worker makes it soon.
        threading.Thread(target=self._land_soon, args=(job,), daemon=True).start()

    def _land_soon(self, job: BuildJob) -> None:
        job.finished.wait()
        if not self._closed and self._job is job:
            self._schedule_idle_work(0.0)

    def _wait_for(
        self, job: BuildJob, progress: ProgressFn | None, cancel: CancelToken | None
    ) -> None:
        """Wait (without the lock) for the children, reporting their progress."""
        while not job.finished.wait(0.2):
            if cancel is not None:
                cancel.raise_if_cancelled()
            done, total = job.progress
            report(progress, done, total, "Indexing")

    def _land(self, job: BuildJob) -> None:
        """Swap the children's segments in (under the write lock); see `building`."""
        assert self._ix is not None and self._state is not None
        self._job = None
        ahead, self._ahead = self._ahead, 0
        try:
            pairs = job.segments()
        except BuildFailed as exc:
            # Nothing was swapped in: the rows are applied again in-process.
            log.warning("indexing in a separate process failed (%s); indexing here", exc)
            job.discard()
            self._children_ok = False
            return
        try:
            writer = self._ix.writer(codec=SMALL_CODEC())
            try:
                with self._read_lock:
                    assert self._searcher is not None
                    old = [
                        d
                        for aid in job.ids
                        if aid not in job.rewritten
                        for d in self._searcher.document_numbers(id=aid)
                    ]
                for docnum in old:
                    writer.delete_document(docnum)
                current = {s.segment_id(): s for s in writer.segments}
                replaced: set[str] = set()
                for built in pairs:
                    if any(m.segid not in current for m in built.merged):
                        raise BuildFailed("a segment the child merged is gone")
                    for docnum, aid in enumerate(built.added):
                        if aid in job.rewritten:  # indexed here meanwhile: ours is newer
                            built.segment.delete_document(docnum)
                    for m in built.merged:
                        # Deleted since the child read it (an article re-indexed here,
                        # or an old version just above): deleted in the copy too.
                        for docnum in current[m.segid].deleted_docs():
                            new = m.new_number(docnum)
                            if new is not None:
                                built.segment.delete_document(new)
                        replaced.add(m.segid)
                for built in pairs:  # a segment that cannot be read is never named
                    try:
                        SegmentReader(self._ix.storage, writer.schema, built.segment).close()
                    except Exception as exc:
                        raise BuildFailed(f"a new segment cannot be read ({exc})") from exc
                writer.segments = [s for s in writer.segments if s.segment_id() not in replaced]
                writer.segments.extend(b.segment for b in pairs)
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise
        except BuildFailed as exc:  # (an optimize replaced a merged segment meanwhile, ...)
            log.warning("the separate indexing process's work no longer fits (%s)", exc)
            job.discard()
            return
        except BaseException:
            job.discard()
            raise
        job.release()
        job.landed = True
        self._committed(max(job.hi, ahead), job.started)
        self._prune()
        self._schedule_idle_work()  # read the new lexicons, merge when idle

    def _drop_job(self) -> None:
        if self._job is not None:
            self._job.discard()
            self._job = None
            self._ahead = 0

    def _apply(
        self,
        writer: SegmentWriter,
        conn: Any,
        ids: list[str],
        progress: ProgressFn | None,
        cancel: CancelToken | None,
        *,
        fresh: bool = False,
        held: dict[str, Any] | None = None,
    ) -> None:
        """Delete the old versions of `ids` and add their documents: those in `held`
        (article id -> a reader of its version held in memory) from memory, the
        others read from the database."""
        total = len(ids)
        report(progress, 0, total, "Indexing")
        if not fresh:
            # Old versions are found with the long-lived searcher, which shows
            # exactly the writer's segments (it is reopened after every commit
            # under the write lock): update_document() would open a new
            # reader of every segment for every document.
            with self._read_lock:
                assert self._searcher is not None
                old = [d for aid in ids for d in self._searcher.document_numbers(id=aid)]
            for docnum in old:
                writer.delete_document(docnum)
        for reader in {id(r): r for r in (held or {}).values() if r is not None}.values():
            writer.add_reader(reader)
        loaded = [aid for aid in ids if aid not in (held or {})]
        for done, (_article_id, doc) in enumerate(load_documents(conn, loaded), start=1):
            if doc is not None:
                writer.add_document(**doc)
            if done % 10 == 0:
                # Hand the interpreter lock over now and then: in the desktop
                # app the window's thread waits for it (p99 stall 40 -> 20 ms).
                time.sleep(0)
            if done % 100 == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                report(progress, done, total, "Indexing")
        report(progress, total, total, "Indexing")

    def _committed(self, generation: int, started: float, *, durable: bool = True) -> None:
        """Record a commit: flush it, write the marker, refresh the searcher.

        `durable=False` (one tag change) skips the fsyncs, which cost more
        than the commit on a busy disk. After a power cut the marker may then
        be missing or claim a Whoosh commit that never reached the disk; the
        TOC generation recorded in it (checked on open) turns both into a
        rebuild, never into a wrong result.
        """
        assert self._ix is not None
        if durable:
            sync_folder(self.folder, started)
        state = IndexState(
            archive_id=self._archive_id,
            generation=generation,
            schema_version=SCHEMA_VERSION,
            toc_generation=self._ix.latest_generation(),
        )
        write_state(self.folder, state, durable=durable)
        self._state = state
        self._refresh()

    def _refresh(self) -> None:
        # Not Searcher.refresh(): it reuses segment readers and so misses
        # deletions made since in those segments (an updated article would
        # show up twice).
        assert self._ix is not None
        searcher = self._ix.searcher()
        with self._read_lock:
            old, self._searcher = self._searcher, searcher
            self._facets = None
            self._langs = self._disk_langs = None
            self._lexicons.keep_only(r for r, _ in searcher.reader().leaf_readers())
        self._rebase_recent()
        if old is not None:
            with contextlib.suppress(Exception):
                old.close()

    def _prune(self) -> None:
        """Delete queue rows the index has applied (their number stays in sqlite_sequence)."""
        if self._state is None:
            return
        with self.archive.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM indexqueue WHERE seq <= :g"), {"g": self._state.generation}
            )
        self._unpruned = 0

    def rebuild(self, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> int:
        """Build a new index from the DB in a new folder, then swap it in; returns articles."""
        if self.archive.readonly:
            raise ArchiveError("The archive is open read-only; the index cannot be rebuilt.")
        with self._write_lock:
            self._check_open()
            self._cancel_timers()
            self._drop_job()  # the new index takes every article
            new = self.folder.with_name(f"{self.folder.name}.new-{uuid.uuid4().hex[:8]}")
            new.mkdir(parents=True)
            try:
                storage = index_storage(self.archive, new).create()
                ix = storage.create_index(build_schema())
                with self.archive.engine.connect() as conn:
                    db_gen = _db_generation(conn)
                    ids = [
                        r[0] for r in conn.execute(text("SELECT id FROM article ORDER BY rowid"))
                    ]
                in_children = self._children_ok and len(ids) >= CHILD_MIN
                if in_children:
                    in_children = self._build_in_children(ix, new, ids, progress, cancel)
                bulk = len(ids) >= BULK_THRESHOLD and not in_children
                if not in_children:
                    with self.archive.engine.connect() as conn:
                        writer = ix.writer(**bulk_writer()) if bulk else ix.writer()
                        try:
                            self._apply(writer, conn, ids, progress, cancel, fresh=True)
                            writer.commit(merge=False)
                        except BaseException:
                            writer.cancel()
                            raise
                if bulk and len(ix._segments()) > 1:
                    # (One segment already is what optimize() would rewrite it into.)
                    report(progress, len(ids), len(ids), "Merging")
                    ix.optimize()
                sync_folder(new)
                write_state(
                    new,
                    IndexState(self._archive_id, db_gen, SCHEMA_VERSION, ix.latest_generation()),
                )
                ix.close()
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            self._swap_in(new, storage)
            self._prune()
            return len(ids)

    def _build_in_children(
        self,
        ix: Any,
        folder: Path,
        ids: list[str],
        progress: ProgressFn | None,
        cancel: CancelToken | None,
    ) -> bool:
        """Write a new index's segments (in `folder`, index `ix`) in child processes, as a
        catch-up does (`archive.search.building`); False if they could not (the caller
        indexes in-process).

        The two segments are kept as they are: Whoosh's forked writer pickled every
        document to its processes and its two segments were then merged into one
        (`optimize`) in this process (2,000 articles: 64 CPU s, 0.26x a plain Whoosh
        writer, against 32 for the catch-up's children).
        """
        from archive.store import DB_NAME

        processes = 2 if len(ids) >= CHILD_PAIR and (os.cpu_count() or 1) > 1 else 1
        try:
            job = building.start(self.archive.path / DB_NAME, folder, 0, 0, ids, processes)
        except OSError as exc:  # no Python to start (a frozen app): index here
            log.warning("no separate indexing process (%s); indexing here", exc)
            self._children_ok = False
            return False
        try:
            self._wait_for(job, progress, cancel)
            built = job.segments()
            writer = ix.writer(codec=SMALL_CODEC())
            try:
                writer.segments.extend(b.segment for b in built)
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise
        except BuildFailed as exc:
            log.warning("indexing in a separate process failed (%s); indexing here", exc)
            job.discard()
            self._children_ok = False
            return False
        except BaseException:
            job.discard()
            raise
        job.release()
        report(progress, len(ids), len(ids), "Indexing")
        return True

    def _swap_in(self, new: Path, storage: Any) -> None:
        with self._read_lock:
            self._close_searcher()
            old = self.folder.with_name(f"{self.folder.name}.old-{uuid.uuid4().hex[:8]}")
            if self.folder.exists():
                self.folder.rename(old)
            new.rename(self.folder)
            shutil.rmtree(old, ignore_errors=True)
            # The same storage, moved with its folder: a sealed one keeps the files it
            # has just written in memory, so they are not decrypted again.
            storage.folder = str(self.folder)
            self._ix = storage.open_index()
            # A new index: its random segment names may repeat old ones.
            self._lexicons = LexiconCache()
            self._phrases = PhraseCache()
            self._state = read_state(self.folder)
            self._searcher = self._ix.searcher()
            self._needs_build = False
        with self._recent_lock:  # (rows past the new marker are read again)
            self._recent.clear(self._state.generation if self._state else 0)
            self._update_view()

    # -- merging ---------------------------------------------------------------

    def _segment_count(self) -> int:
        with self._read_lock:
            if self._searcher is None:
                return 0
            return len(self._searcher.reader().leaf_readers())

    def _small_segment_count(self) -> int:
        """Segments small enough for a background merge (see segments.SMALL_MERGE_DOCS)."""
        with self._read_lock:
            if self._searcher is None:
                return 0
            sizes = [r.doc_count_all() for r, _ in self._searcher.reader().leaf_readers()]
        return sum(1 for n in sizes if n <= SMALL_MERGE_DOCS[0])

    def merge(self, optimize: bool = False) -> None:
        """Merge the small segments into one (all segments into one if `optimize`).

        The small-segment merge holds the index only to start and to finish
        (see `archive.search.merging`): changes made meanwhile are committed
        and searchable as usual. `optimize` holds it throughout.
        """
        if optimize:
            with self._write_lock:
                if self._closed or self._ix is None or self.archive.readonly:
                    return
                if self._segment_count() <= 1:
                    return
                started = time.time()
                self._ix.writer().commit(optimize=True)
                assert self._state is not None
                self._committed(self._state.generation, started)
            return
        if len(self._recent) and not self.archive.readonly:
            self.catch_up(force=True, wait=False)  # what is held in memory, on disk first
        with self._merge_lock:  # one merge at a time; close() waits for it
            with self._write_lock:
                if self._closed or self._ix is None or self.archive.readonly:
                    return
                chosen = small_segments(self._ix._segments())
                if not chosen:
                    return
                job = MergeJob(self._ix, chosen)
            started = time.time()
            try:
                job.run()
                sync_folder(self.folder, started)  # the new segment, before it is referenced
            except BaseException:
                job.close()
                raise
            with self._write_lock:
                if self._closed or job.ix is not self._ix:  # closed or rebuilt meanwhile
                    job.close()
                    return
                if job.finish():
                    assert self._state is not None
                    self._committed(self._state.generation, started)

    def _schedule_idle_work(self, delay: float = IDLE_MERGE_SECONDS) -> None:
        """Catch up and merge after `delay` seconds without writes (in the background)."""
        self._cancel_timers()
        self._idle_due = time.monotonic() + delay
        timer = threading.Timer(delay, self._idle_work)
        timer.daemon = True
        self._merge_timer = timer
        timer.start()

    def _idle_later(self, delay: float) -> None:
        """`_schedule_idle_work`, moving a waiting timer's time instead of starting a
        thread per tag (10 ms each on the loaded machine, profiled)."""
        due = time.monotonic() + delay
        if self._merge_timer is not None and due >= self._idle_due:
            self._idle_due = due
        else:
            self._schedule_idle_work(delay)

    def _idle_work(self) -> None:
        self._merge_timer = None
        if self._closed:
            return
        early = self._idle_due - time.monotonic()
        if early > 0.01:  # moved later by `_idle_later` meanwhile
            self._schedule_idle_work(early)
            return
        if not self._write_lock.acquire(blocking=False):
            self._schedule_idle_work(BUSY_RETRY_SECONDS)  # busy: try again shortly
            return
        try:
            if self._closed or self._ix is None:
                return
            # Never waits for child processes: their end schedules this again.
            self.catch_up(force=True, wait=False)
        except Exception as exc:  # background work: the next search or open redoes it
            log.warning("background indexing of the search index failed: %s", exc)
            return
        finally:
            self._write_lock.release()
        if len(self._recent):  # (applied in memory while this ran)
            self._idle_later(IDLE_MERGE_SECONDS)
        if self._job is not None:
            return  # merges and lexicons after the children's segments are in
        try:
            # Not under the lock: the merge takes it only to start and to finish.
            if self._would_merge():
                self.merge()
            self._warm_lexicons()
        except Exception as exc:
            log.warning("background merge of the search index failed: %s", exc)

    def _warm_lexicons(self) -> None:
        """Read the word lists wildcards need, so the first wildcard after an import is quick;
        and the facet tables and common stems, for the first search and tag.

        At 2,000 generated articles the first `pru*` took 1.2 s on the loaded
        machine, nearly all of it reading the new segments' lexicons.
        """
        with self._read_lock:
            searcher = self._searcher
            lexicons = self._lexicons
        if searcher is None or self._closed:
            return
        with contextlib.suppress(Exception):  # the searcher may be replaced meanwhile
            leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
            for leaf in leaves:
                if self._closed or self._searcher is not searcher:
                    return
                lexicons.rare(leaf, WORDS_FIELD)
                lexicons.short_words(leaf, WORDS_FIELD, self._article_words)
                # The other default fields, the Burmese n-grams too (every leading `*`
                # scans them: the first `*tion` at 50,000 articles read 16 of them).
                for name in DEFAULT_FIELDS:
                    if name != "text":  # (matched on its words: WORDS_FIELD above)
                        lexicons.get(leaf, name)
            arrays.load()  # for the searches' bulk paths (archive/search/arrays.py)
            tables = self._facet_cache.tables(searcher.reader())  # (each segment's, kept)
            for table, leaf in zip(tables, leaves, strict=True):
                if leaf.doc_count_all() >= FACET_ARRAYS_FROM:
                    table.arrays()  # for the first big result set's counts
            if leaves:
                # The commonest words stemmed ahead: an import's text was analysed in
                # child processes, and the first tag after it stemmed its ~300 words
                # cold (15 ms of a 55 ms tag, profiled at 50,000 articles).
                biggest = max(leaves, key=lambda r: r.doc_count_all())
                words = lexicons.get(biggest, WORDS_FIELD).words[:WARM_STEMS]
                warm_stems(w.decode("utf-8", "replace") for w in words)
        # What was just read (and the import's survivors) is long-lived: kept out of
        # the collector's passes, which otherwise fell on tags (archive.memory).
        memory.keep_out_of_collections()

    def _would_merge(self) -> bool:
        """Whether `merge_small_segments` has two or more segments to merge."""
        with self._read_lock:
            if self._searcher is None:
                return False
            segments = [r.segment() for r, _ in self._searcher.reader().leaf_readers()]
        return bool(small_segments([s for s in segments if s is not None]))

    def _cancel_timers(self) -> None:
        """Stop the idle merge and the warm-up after an open that are waiting to run:
        a write puts off both (its idle work warms the lexicons too), a close or a
        rebuild ends them."""
        if self._merge_timer is not None:
            self._merge_timer.cancel()
            self._merge_timer = None
        if self._warm_timer is not None:
            self._warm_timer.cancel()
            self._warm_timer = None

    # -- searching -------------------------------------------------------------

    def _ensure_current(self) -> int:
        """Catch up before searching; returns changes still pending (not searchable yet)."""
        if self.archive.readonly:
            return self.pending()
        # Tag-sized changes are applied in memory, holding nothing a merge or a
        # disk commit holds (`_catch_up_recent`).
        recent = self._catch_up_recent()
        if recent is not None and self._job is None:
            return 0  # every change applied, on disk or in memory
        # A rebuild takes minutes: past a short wait, search the index as it is,
        # and say how many changes it does not show yet.
        deadline = time.monotonic() + 2.0
        job = self._job
        if recent is None or (job is not None and job.finished.is_set()):
            if not self._write_lock.acquire(timeout=2.0):
                return max(self.pending(), 0)
            try:
                self.catch_up(force=True, wait=False)
            finally:
                self._write_lock.release()
        if self._job is None:
            return 0
        patience = getattr(self.archive, "search_patience", None)
        if patience is None:
            self.catch_up(force=True)  # scripts and the CLI: every change shown
            return 0
        # In the window, children indexing an import: wait a little, then say
        # what the search does not show yet (the import goes on meanwhile).
        job = self._job
        deadline = min(deadline, time.monotonic() + float(patience))
        if job.finished.wait(max(0.0, deadline - time.monotonic())) and self._write_lock.acquire(
            timeout=max(0.0, deadline - time.monotonic())
        ):
            try:
                self.catch_up(force=True, wait=False)
            finally:
                self._write_lock.release()
        return max(self.pending(), 0) if self._job is not None else 0

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        sort: str = "relevance",
        filters: dict[str, str] | None = None,
        facets: bool = True,
    ) -> SearchResults:
        """Articles matching `query` (see docs: fields, phrases, AND/OR/NOT, *, ~, ranges).

        Raises `QueryError` (an InvalidInput) for a malformed query.
        """
        if sort not in ("relevance", "date"):
            from archive.search.query import QueryError

            raise QueryError("Sort by 'relevance' or 'date'.")
        q = parse_query(query, filters)
        self._check_open()
        pending = self._ensure_current()
        with self._read_lock:
            if self._searcher is None:
                raise ArchiveError("The search index is not built yet; run `sesame reindex`.")
            searcher = self._view if self._view is not None else self._searcher
            if self._langs is None:
                # The disk segments' once per disk searcher (26 ms at 15 segments on
                # the loaded machine), the few in memory each time.
                if self._disk_langs is None:
                    self._disk_langs = _stem_languages(self._searcher.reader())
                langs = set(self._disk_langs)
                for layer in list(self._recent.layers):
                    if layer.reader is not None:
                        langs.update(_stem_languages(layer.reader))
                self._langs = ["en", *sorted(langs - {"en"})]
            q = stem_for_languages(q, self._langs)
            budget = Budget()
            budget.start()
            q = expand_terms(q, self._lexicons, budget, self._article_words)
            q = prepare(q, self._phrases)
            size = max(1, limit)
            collector: Any
            if sort == "date":
                collector = SortingCollector("published", limit=size, reverse=True)
            else:
                # Block quality lets Whoosh skip what cannot reach the top: the
                # total and the facets come from `query_matches`, not from here.
                collector = TopHits(limit=size)
            matched = query_matches(q, searcher)
            total = sum(len(docs) for _, docs in matched)
            if total:
                searcher.search_with_collector(q, collector)
                results = collector.results()
                top = [(r.docnum, r["id"], r.score or 0.0) for r in results]
            else:
                top = []
            notes = list(dict.fromkeys(n for e in expansions(q) if (n := e.note())))
            facet_counts: dict[str, dict[str, int]] = {}
            if facets:
                if self._facets is None:
                    self._facets = self._facet_cache.tables(searcher.reader())
                facet_counts = count(self._facets, ((s.base, docs) for s, docs in matched))
            spans = match_spans(searcher.reader(), q, [d for d, _, _ in top])
            tests = highlight_tests(q)
        hits = self._hits(top, spans, tests)
        return SearchResults(
            query=query,
            total=total,
            hits=hits,
            facets=facet_counts,
            pending=pending,
            notes=notes,
        )

    def _article_words(self, reader: Any, docnums: list[int]) -> dict[int, set[str]]:
        """The distinct folded words of these documents' article text (of one segment).

        Read from the database, which the index has just caught up with: the
        same words the `text_words` field holds (`expand` decides short
        articles and the last few undecided ones by them).
        """
        if not docnums:
            return {}
        by_id = {reader.stored_fields(d)["id"]: d for d in docnums}
        found: dict[int, set[str]] = {}
        with self.archive.read_connection() as conn:
            for row in read_articles(conn, list(by_id)):
                found[by_id[row.id]] = folded_words(row.text or "")
        return found

    def _hits(
        self, top: list[tuple[int, str, float]], spans: dict[int, Any], tests: list[Any]
    ) -> list[Hit]:
        if not top:
            return []
        ids = [aid for _, aid, _ in top]
        with self.archive.read_connection() as conn:
            by_id = {row.id: row for row in read_articles(conn, ids)}
        hits = []
        for docnum, aid, score in top:
            row = by_id.get(aid)
            if row is None:
                continue  # deleted since the search: never show what is gone
            term_spans, phrase_spans = spans.get(docnum, ([], []))
            if tests:
                term_spans = [*term_spans, *word_spans(row.text or "", tests)]
            snippet = make_snippet(row.text or "", list(term_spans), list(phrase_spans))
            hits.append(
                Hit(
                    id=aid,
                    title=row.title,
                    published=row.published,
                    source=row.source,
                    score=float(score),
                    snippet=snippet["snippet"],
                    matches=merge_spans(list(term_spans) + list(phrase_spans)),
                    snippet_text=snippet["text"],
                    snippet_start=snippet["start"],
                    snippet_matches=snippet["spans"],
                )
            )
        return hits

    # -- checking and closing ----------------------------------------------------

    def check(self) -> CheckReport:
        """Compare every article in the DB with its index entry (ids and content)."""
        from archive.search.documents import revision  # noqa: F401  (documented pairing)

        self._check_open()
        if len(self._recent) and not self.archive.readonly:
            self.catch_up(force=True)  # what is held in memory, on disk first
        with self.archive.engine.connect() as conn:
            db_gen = _db_generation(conn)
            ids = [r[0] for r in conn.execute(text("SELECT id FROM article"))]
            expected = {aid: doc["rev"] for aid, doc in load_documents(conn, ids) if doc}
        indexed: dict[str, str] = {}
        with self._read_lock:
            if self._ix is not None:
                with self._ix.reader() as reader:
                    for fields in reader.all_stored_fields():
                        indexed[fields["id"]] = fields.get("rev", "")
        missing = sorted(set(expected) - set(indexed))
        extra = sorted(set(indexed) - set(expected))
        stale = sorted(a for a in expected.keys() & indexed.keys() if expected[a] != indexed[a])
        return CheckReport(
            articles=len(expected),
            indexed=len(indexed),
            generation=db_gen,
            index_generation=self.generation,
            missing=missing,
            extra=extra,
            stale=stale,
        )

    def _check_open(self) -> None:
        if self._closed:
            raise ArchiveError("The search index is closed.")

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None
        self._view = None
        self._facets = None
        self._langs = self._disk_langs = None
        if self._ix is not None:
            with contextlib.suppress(Exception):
                self._ix.close()
            self._ix = None

    def close(self, *, finish: bool = True) -> None:
        """Finish pending work (prune applied queue rows) and release the index files.

        `finish=False` (the window quitting) leaves what is still to index for the
        next open, which catches up in the background: children still indexing are
        stopped and their files removed (their queue rows are not yet past the
        marker, so nothing is lost). Finishing there after a 5,000-file import kept
        the window closing for 384 s (bench/writes_bench.py, issue 8).
        """
        self._cancel_timers()
        with self._merge_lock, self._write_lock:  # a running merge ends first
            if self._closed:
                return
            job = self._job
            if not finish and job is not None:
                with contextlib.suppress(Exception):
                    if job.finished.is_set():
                        self._land(job)  # done already: swapping it in is quick
                    else:
                        self._job = None
                        job.discard()
            if (
                finish
                and not self.archive.readonly
                and self._state is not None
                and not self._needs_build
            ):
                # Apply what imports left waiting; if this fails the next open does it.
                with contextlib.suppress(Exception):
                    self.catch_up(force=True)
                self._cancel_timers()
            if not self.archive.readonly and self._unpruned and self._state is not None:
                with contextlib.suppress(Exception):
                    self._prune()
            with self._read_lock:
                self._close_searcher()
            self._closed = True
