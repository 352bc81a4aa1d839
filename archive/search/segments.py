"""Writer settings and segment merge policies of the search index."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from typing import Any

from whoosh.reading import SegmentReader

# Writer settings measured fastest here (issue 3). limitmb was 256 with Whoosh's
# own pool, which counted ~200 bytes a posting; `postings_pool.TermPool` counts
# what it holds (~20-80 bytes a posting), so 128 keeps more in memory than 256 did.
BULK_WRITER = {"procs": 2, "limitmb": 128, "multisegment": True}
# Commits never merge on their own (a merge made a one-tag commit take 264 ms
# at p95); once a commit would leave this many segments, its MERGE_BATCH
# smallest are merged into one, so each document is rewritten only about
# log16(n) times during a big import (Whoosh's MERGE_SMALL merged a third of
# the import time away).
MAX_SEGMENTS = 16
MERGE_BATCH = 8
# Merges outside imports (after tag changes) take the smallest segments,
# at most SMALL_MERGE_DOCS[k] documents in all, each of at most a third of
# that, for the first tier k that has MIN_SMALL_MERGE of them: one-article
# segments merge into ones of up to 50, those into ones of up to 500 (so
# each document is rewritten a few times, not at every merge). Merges run beside the tag commits
# (`archive.search.merging`): before that, a merge held every tag behind it
# (up to 129 s after an import at 50,000 articles, issue 15). The big
# segments an import leaves are merged only by later imports (above) and by
# rebuilds.
SMALL_MERGE_DOCS = (50, 500)
MIN_SMALL_MERGE = 3


def bulk_writer() -> dict[str, Any]:
    """The bulk writer settings; one process inside the desktop app.

    The parallel writer forks, and forking a process that runs Qt threads
    can deadlock the child on a lock some other thread held.
    """
    if "PySide6.QtCore" in sys.modules:
        return {**BULK_WRITER, "procs": 1}
    _children_die_with_parent()
    return dict(BULK_WRITER)


_registered = False


def _children_die_with_parent() -> None:
    """The parallel writer's forked processes get SIGKILL when their parent dies.

    A SIGKILLed import left Whoosh's two writer processes running for good in 6
    of 54 kills, holding the dead process's output open (issue 10). Linux only
    (PR_SET_PDEATHSIG); elsewhere nothing changes. Only os.fork() runs this hook
    (subprocess does not), so it reaches the writer's processes and no others.
    """
    global _registered
    if _registered or not sys.platform.startswith("linux"):
        return
    _registered = True

    def after_fork_in_child() -> None:
        with contextlib.suppress(Exception):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:  # the parent died before the hook ran
                os._exit(1)

    os.register_at_fork(after_in_child=after_fork_in_child)


def _merge_segments(writer: Any, segments: list[Any], chosen: list[Any]) -> list[Any]:
    """Merge `chosen` into the writer's new segment; returns the segments kept."""
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


def merge_smallest_when_many(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: nothing, until MAX_SEGMENTS; then the MERGE_BATCH smallest."""
    if len(segments) + 1 < MAX_SEGMENTS:
        return list(segments)
    smallest = sorted(segments, key=lambda s: s.doc_count_all())[:MERGE_BATCH]
    return _merge_segments(writer, list(segments), smallest)


def big_to_merge(segments: list[Any], adding: int) -> list[Any]:
    """The segments a catch-up in child processes copies into its own (`building`).

    Nothing until the index would have MAX_SEGMENTS; then the MERGE_BATCH
    smallest of those too big for a background merge (which takes only
    segments of up to SMALL_MERGE_DOCS[-1] // MIN_SMALL_MERGE documents, so
    the two never take the same segment).
    """
    if len(segments) + adding < MAX_SEGMENTS:
        return []
    floor = SMALL_MERGE_DOCS[-1] // MIN_SMALL_MERGE
    big = [s for s in segments if s.doc_count_all() > floor]
    chosen = sorted(big, key=lambda s: s.doc_count_all())[:MERGE_BATCH]
    return chosen if len(chosen) >= 2 else []


def small_segments(segments: list[Any]) -> list[Any]:
    """The segments a background merge takes now (see SMALL_MERGE_DOCS); [] for none."""
    ordered = sorted(segments, key=lambda s: s.doc_count_all())
    for limit in SMALL_MERGE_DOCS:
        chosen: list[Any] = []
        docs = 0
        for segment in ordered:
            size = segment.doc_count_all()
            # Only segments well below the tier's size: a segment of nearly
            # `limit` documents is not rewritten for every few tags.
            if size > limit // MIN_SMALL_MERGE or docs + size > limit:
                break
            chosen.append(segment)
            docs += size
        if len(chosen) >= MIN_SMALL_MERGE:
            return chosen
    return []


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: merge the small segments (`small_segments`), never a big one."""
    small = small_segments(list(segments))
    if not small:
        return list(segments)
    return _merge_segments(writer, list(segments), small)
