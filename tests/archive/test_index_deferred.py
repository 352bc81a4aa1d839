"""`Archive.index_deferred`: changes on this thread leave the index catch-up to later."""

from __future__ import annotations

import threading

from archive import annotate, models
from archive.store import mark_for_index


def _article(archive) -> str:
    with archive.transaction() as session:
        article = models.Article(title="Deferred", text="The harbour police met on Monday.")
        session.add(article)
        session.flush()
        mark_for_index(session, article.id)
        return article.id


def test_changes_inside_skip_the_catch_up_until_asked(archive) -> None:
    article_id = _article(archive)
    archive.sync_index()
    assert archive.index.pending() == 0
    with archive.index_deferred():
        annotate.create_annotation(archive, article_id, 4, 11, "actor")
        assert archive.index.pending() == 1  # the change is queued, not applied
    assert archive.index.pending() == 1
    archive.sync_index()
    assert archive.index.pending() == 0


def test_other_threads_still_catch_up(archive) -> None:
    article_id = _article(archive)
    archive.sync_index()
    with archive.index_deferred():
        annotate.create_annotation(archive, article_id, 4, 11, "actor")
        worker = threading.Thread(target=archive.sync_index)
        worker.start()
        worker.join()
        assert archive.index.pending() == 0


def test_a_write_transaction_is_not_broken_by_another_threads_commit(archive) -> None:
    """Read, then (after another thread tried to commit) write: both land, none fails."""
    import time

    from sqlmodel import select

    first = _article(archive)
    other_done = threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            _article(archive)  # its own transaction, on another connection
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            other_done.set()

    with archive.transaction() as session:
        article = session.exec(select(models.Article).where(models.Article.id == first)).one()
        worker = threading.Thread(target=other_writer)
        worker.start()
        # Without BEGIN IMMEDIATE the other thread commits here, and the write
        # below fails at once with "database is locked" (a stale read snapshot).
        other_done.wait(0.3)
        time.sleep(0.05)
        article.title = "Changed"
        session.add(article)
    worker.join(30)
    assert errors == []
    with archive.session() as session:
        assert session.get(models.Article, first).title == "Changed"
        assert len(session.exec(select(models.Article)).all()) == 2


def test_two_threads_opening_the_index_first_get_one_index(archive) -> None:
    _article(archive)
    barrier = threading.Barrier(4)
    seen: list[object] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        barrier.wait()
        try:
            seen.append(archive.index)
            archive.sync_index()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len({id(x) for x in seen}) == 1
    assert archive.index.pending() == 0
