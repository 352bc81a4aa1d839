"""Catch-ups written by child processes (archive/search/building.py): the segments
they write are swapped in with the changes made meanwhile kept, a killed child
leaves the index recoverable, children die with their parent, and an encrypted
archive indexes in its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlmodel import select

from archive import encryption, models
from archive.search import index as search_index
from archive.search import merging, segments
from archive.store import Archive, mark_for_index

from .helpers import add_articles

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def small_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Children from 10 articles on (not 100), two from 30: small, quick tests."""
    monkeypatch.setattr(search_index, "CHILD_MIN", 10)
    monkeypatch.setattr(search_index, "CHILD_PAIR", 30)


def _articles(word: str, count: int) -> list[dict[str, Any]]:
    return [
        {"title": f"{word}-title-{i}", "text": f"{word} {word}{i} shared"} for i in range(count)
    ]


def _sizes(archive: Archive) -> list[int]:
    reader = archive.index._searcher.reader()
    return sorted(r.doc_count_all() for r, _ in reader.leaf_readers())


def _start(archive: Archive) -> Any:
    """Start a catch-up in children and return its job (without waiting)."""
    archive.index.catch_up(force=True, wait=False)
    job = archive.index._job
    assert job is not None, "no child processes were started"
    return job


def test_children_index_a_big_batch(archive: Archive) -> None:
    archive.sync_index()
    add_articles(archive, *_articles("river", 40))
    assert archive.index.catch_up(force=True) == 40
    assert archive.index._job is None
    assert _sizes(archive) == [20, 20]  # two children, one segment each
    assert archive.index.search("river", limit=100).total == 40
    assert archive.index.search("river7").total == 1
    assert archive.index.pending() == 0
    assert archive.index.check().ok


def test_changes_made_while_children_run_are_kept(archive: Archive) -> None:
    archive.sync_index()
    ids = add_articles(archive, *_articles("old", 12))
    archive.index.catch_up(force=True)
    # An edit of an indexed article and new articles, indexed by children ...
    with archive.transaction() as session:
        article = session.get(models.Article, ids[0])
        assert article is not None
        article.text = "old edited first"
        mark_for_index(session, ids[0])
    new = add_articles(archive, *_articles("lake", 15))
    job = _start(archive)
    # The files the children write are spared by Whoosh's clean-up at every commit
    # made here meanwhile (it compares whole segment ids: "MAIN_<id>").
    assert {f"MAIN_{c.segid}" for c in job.children} <= merging._PROTECTED
    # ... while here one of theirs is edited again and one is retracted (tags):
    with archive.transaction() as session:
        article = session.get(models.Article, new[0])
        assert article is not None
        article.text = "lake changed meanwhile"
        mark_for_index(session, new[0])
        gone = session.get(models.Article, new[1])
        assert gone is not None
        gone.retracted_at = models.utcnow()
        mark_for_index(session, new[1])
    assert archive.index.catch_up() == 2  # applied here at once, beside the children
    assert archive.index.pending() > 0  # the children's rows are not searchable yet
    assert archive.index.search("meanwhile").total == 1
    job.finished.wait(120)
    archive.index.catch_up(force=True)
    assert archive.index._job is None and archive.index.pending() == 0
    assert archive.index.search("meanwhile").total == 1
    assert archive.index.search("lake0").total == 0  # the children's older copy went
    assert archive.index.search("lake1").total == 0  # retracted
    assert archive.index.search("lake", limit=100).total == 14
    assert archive.index.search("edited").total == 1
    assert archive.index.search("old", limit=100).total == 12
    assert archive.index.check().ok


def test_children_merge_big_segments_once_there_are_many(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments, "MAX_SEGMENTS", 4)
    monkeypatch.setattr(segments, "MERGE_BATCH", 3)
    monkeypatch.setattr(segments, "SMALL_MERGE_DOCS", (3, 9))  # "big": more than 3
    archive.sync_index()
    for n in range(3):
        add_articles(archive, *_articles(f"w{n}x", 12))
        archive.index.catch_up(force=True)
    assert _sizes(archive) == [12, 12, 12]
    ids = add_articles(archive, *_articles("last", 12))
    job = _start(archive)
    assert job.children[0].merge  # the first child copies the three in
    # A re-indexed article of a segment being merged: its old copy must not come back.
    with archive.transaction() as session:
        first = session.exec(
            select(models.Article).where(models.Article.title == "w0x-title-0")
        ).one()
        first.text = "w0x0 rewritten here"
        mark_for_index(session, first.id)
    archive.index.catch_up()
    archive.index.catch_up(force=True)
    assert archive.index.pending() == 0
    # One segment of the four (the deleted copy of the rewritten article may have
    # been skipped by the child or carried over as a deletion) and the tag's own.
    assert len(_sizes(archive)) == 2 and _sizes(archive)[0] == 1
    assert archive.index._searcher.reader().doc_count() == 48
    assert archive.index.search("rewritten").total == 1
    assert archive.index.search("shared", limit=100).total == 47  # all but the rewritten
    assert archive.index.search("last", limit=100).total == len(ids)
    assert archive.index.check().ok


def test_a_killed_child_leaves_the_index_recoverable(archive_dir: Path) -> None:
    with Archive.open(archive_dir, create=True) as archive:
        archive.sync_index()
        add_articles(archive, *_articles("kill", 20))
        job = _start(archive)
        for child in job.children:
            child.process.send_signal(signal.SIGKILL)
        job.finished.wait(30)
        # The next catch-up finds the children failed and indexes here instead.
        archive.index.catch_up(force=True)
        assert archive.index.search("kill", limit=100).total == 20
        assert archive.index.check().ok
        assert not list(archive.index_dir.glob("build-*.tmp"))
    with Archive.open(archive_dir) as archive:
        assert archive.index.pending() == 0
        assert archive.index.check().ok


def test_children_outlive_the_thread_that_started_them(archive: Archive) -> None:
    # PR_SET_PDEATHSIG fires when the thread that started a process ends: a catch-up
    # started from a pool thread or an idle timer must not be killed when it ends.
    archive.sync_index()
    add_articles(archive, *_articles("thread", 800))
    jobs: list[Any] = []

    def begin() -> None:
        job = _start(archive)
        jobs.append(job)
        deadline = time.time() + 60
        while not any(c.done >= 100 for c in job.children) and time.time() < deadline:
            time.sleep(0.01)

    starter = threading.Thread(target=begin)
    starter.start()
    starter.join()
    (job,) = jobs
    # A child is past its PR_SET_PDEATHSIG (it reported progress) and still indexing.
    assert any(0 < c.done < c.total for c in job.children)
    assert job.finished.wait(120)
    assert [c.process.returncode for c in job.children] == [0, 0]
    archive.index.catch_up(force=True)
    assert archive.index.search("thread", limit=1000).total == 800
    assert archive.index.check().ok


def test_closing_while_children_run_waits_for_them(archive_dir: Path) -> None:
    with Archive.open(archive_dir, create=True) as archive:
        archive.sync_index()
        add_articles(archive, *_articles("close", 20))
        _start(archive)
    with Archive.open(archive_dir) as archive:
        assert archive.index.pending() == 0
        assert archive.index.search("close", limit=100).total == 20


def test_the_window_quitting_leaves_the_children_work_to_the_next_open(
    archive_dir: Path,
) -> None:
    archive = Archive.open(archive_dir, create=True)
    archive.sync_index()
    add_articles(archive, *_articles("later", 20))
    job = _start(archive)
    archive.close(finish_index=False)
    assert job.cancelled and job.finished.wait(30)
    assert not list(archive_dir.glob("**/build-*.tmp"))
    with Archive.open(archive_dir) as archive:
        archive.sync_index(force=True)  # what the window does at start, in the background
        assert archive.index.pending() == 0
        assert archive.index.search("later", limit=100).total == 20
        assert archive.index.check().ok  # nothing half-swapped in, nothing twice


_PARENT = """
import os, signal, sys, time
from archive.search import index as search_index
from archive.store import Archive
from tests.archive.search.helpers import add_articles
search_index.CHILD_MIN = 10
with Archive.open(sys.argv[1], create=True) as archive:
    archive.sync_index()
    add_articles(archive, *({"title": f"p{i}", "text": f"p {i}"} for i in range(400)))
    archive.index.catch_up(force=True, wait=False)
    print(" ".join(str(c.process.pid) for c in archive.index._job.children), flush=True)
    time.sleep(60)
"""


def test_children_die_with_their_parent(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(tmp_path / "a")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert pids
    parent.send_signal(signal.SIGKILL)
    parent.wait(30)
    deadline = time.monotonic() + 10
    alive = [p for p in pids if psutil.pid_exists(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if psutil.pid_exists(p) and _running(p)]
    assert not alive, "an indexing process outlived its parent"
    # The next open repairs the index from the queue.
    with Archive.open(tmp_path / "a") as archive:
        assert archive.index.search("p", limit=1000).total == 400
        assert archive.index.check().ok


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_an_encrypted_archive_indexes_in_its_own_process(tmp_path: Path) -> None:
    kdf = encryption.KdfParams(iterations=1, lanes=1, memory_cost_kib=64)
    with Archive.open(
        tmp_path / "e", create=True, encrypt=True, passphrase="pw", kdf=kdf
    ) as archive:
        archive.sync_index()
        add_articles(archive, *_articles("sealed", 20))
        archive.index.catch_up(force=True, wait=False)
        assert archive.index._job is None  # its key never leaves this process
        assert archive.index.search("sealed", limit=100).total == 20
        assert archive.index.check().ok


def test_a_search_waits_for_children_unless_told_not_to(archive: Archive) -> None:
    archive.sync_index()
    add_articles(archive, *_articles("wait", 20))
    archive.search_patience = 0.0  # the window's way (desktop.operations.IndexCatchUp)
    results = archive.index.search("wait", limit=100)
    assert archive.index._job is not None  # the search started the children ...
    assert results.pending == 20 and results.total == 0  # ... and said what it lacks
    archive.search_patience = None  # scripts and the CLI
    results = archive.index.search("wait", limit=100)
    assert results.pending == 0 and results.total == 20


def test_a_rebuild_writes_its_segments_in_children(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new index (`sesame reindex`, a bundle into a new archive) is written as a
    # catch-up is: two children, one segment each, kept as they are (no optimize).
    ids = add_articles(archive, *_articles("delta", 40))
    with archive.transaction() as session:  # a retracted article stays out of the index
        article = session.get(models.Article, ids[0])
        assert article is not None
        article.retracted_at = models.utcnow()
    started: list[int] = []
    real_start = search_index.building.start

    def spy(*args: Any, **kwargs: Any) -> Any:
        job = real_start(*args, **kwargs)
        started.append(len(job.children))
        return job

    monkeypatch.setattr(search_index.building, "start", spy)
    assert archive.index.rebuild() == 40
    assert started == [2]
    assert _sizes(archive) == [19, 20]
    assert archive.index.search("delta", limit=100).total == 39
    assert archive.index.search("delta7").total == 1
    assert archive.index.search("delta0").total == 0
    # Terms of a few postings are kept inline in the term table (building.INLINE_LIMIT):
    # wildcards, fuzzy terms and phrases read them as they read posting blocks.
    assert archive.index.search("delta1*", limit=100).total == 11  # delta1, delta10-19
    assert archive.index.search("*lta3", limit=100).total == 1
    assert archive.index.search('"delta delta7"').total == 1
    assert archive.index.search("delta7~").total >= 1
    assert archive.index.pending() == 0
    assert archive.index.check().ok
    assert not list(archive.index.folder.glob("build-*.tmp"))


def test_a_rebuild_whose_children_fail_is_written_here(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_articles(archive, *_articles("echo", 20))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no python here")

    monkeypatch.setattr(search_index.building, "start", broken)
    assert archive.index.rebuild() == 20
    assert archive.index.search("echo", limit=100).total == 20
    assert archive.index.check().ok
