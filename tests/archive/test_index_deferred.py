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
