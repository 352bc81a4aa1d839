"""File → Rebuild search index builds the index again from the database, as
`sesame reindex` does (it only caught up before), off the window's thread."""

from __future__ import annotations

from typing import Any

from archive.ingest import import_paths
from archive.search.index import SearchIndex


def test_rebuild_builds_the_index_anew(qtbot, window, article_files, monkeypatch) -> None:
    archive = window.ctx.archive
    import_paths(archive, article_files)
    archive.sync_index(force=True)
    rebuilt: list[bool] = []
    real = SearchIndex.rebuild

    def spying(self: SearchIndex, progress: Any = None, cancel: Any = None) -> int:
        rebuilt.append(progress is not None and cancel is not None)
        return real(self, progress, cancel)

    monkeypatch.setattr(SearchIndex, "rebuild", spying)
    window.reindex_action.trigger()
    qtbot.waitUntil(lambda: "was rebuilt" in window.statusBar().currentMessage(), timeout=60000)
    assert rebuilt == [True]  # with progress and cancel, on the worker
    assert f"{len(article_files)} articles" in window.statusBar().currentMessage()
    assert archive.index.search("police").total >= 1


def test_a_cancelled_rebuild_keeps_the_index(qtbot, window, article_files) -> None:
    archive = window.ctx.archive
    import_paths(archive, article_files)
    archive.sync_index(force=True)
    before = archive.index.search("police").total
    window.reindex_action.trigger()
    job = window.ctx.tasks.jobs[-1]
    job.cancel()
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=60000)
    # Cancelled (or done before the cancel reached it): the index answers as before.
    assert archive.index.search("police").total == before
