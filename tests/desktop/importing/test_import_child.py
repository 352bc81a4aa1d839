"""The window's imports run in a child process (archive.ingest.child); encrypted ones in-process.

Real files, a real archive and the real window: the pipeline is made unusable in
the window's process, so an import that ran there would fail these tests.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import Qt

from archive import changes, custody
from archive.ingest import child, pipeline
from archive.library import library_rows
from archive.store import Archive

GOOD = "a good long passphrase"


@pytest.fixture
def no_pipeline_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The import pipeline refuses to run in this (the window's) process."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the import ran in the window's process")

    monkeypatch.setattr(pipeline, "import_paths", refuse)


def _reports(folder: Path, n: int) -> Path:
    folder.mkdir()
    words = ["strike", "police", "union", "march", "curfew", "hospital", "nurses", "river"]
    for i in range(n):
        body = " ".join(words[(i * 7 + k) % len(words)] for k in range(120))
        (folder / f"report-{i:04d}.txt").write_text(
            f"Report {i}\n\n{body} serial{i}.\n", encoding="utf-8"
        )
    return folder


def _import_child() -> psutil.Process | None:
    for proc in psutil.Process().children():
        try:
            if "archive.ingest.child" in " ".join(proc.cmdline()):
                return proc
        except psutil.Error:
            continue
    return None


def _provenance(archive: Archive) -> set[tuple[str, str, str]]:
    with archive.read_connection() as conn:
        return set(conn.execute("SELECT collected_by, collected_with, collected_from FROM article"))


def _holds(archive: Archive) -> None:
    report = custody.check_custody(archive)
    assert report.ok, report.summary()


@pytest.mark.usefixtures("no_pipeline_here")
def test_an_import_runs_in_a_child_and_is_searchable_and_undoable(
    qtbot, window, article_files
) -> None:
    archive = window.ctx.archive
    with (
        qtbot.waitSignal(window.importer.importFinished, timeout=60000) as finished,
        qtbot.waitSignal(window.library.loaded, timeout=60000),
    ):
        window.importer.import_paths(article_files)
    summary = finished.args[0]
    assert len(summary["imported"]) == 3 and not summary["failed"]
    assert summary["cancelled"] is False and summary["warnings"] == []
    assert window.importer.summary.isVisible()
    assert "3 articles imported" in window.importer.summary.message.text()
    assert window.library.model.rowCount() == 3
    # The provenance defaults reached the child: the local user collected them.
    assert {p[0] for p in _provenance(archive)} == {"Test User"}
    # The Edit menu offers to undo the import (a change made outside the writer).
    qtbot.waitUntil(lambda: window.ctx.writer.undoText().startswith("Import"), timeout=5000)
    # The search index caught up: the window's search finds the imported articles.
    window.find_action.trigger()
    qtbot.keyClicks(window.search.query_edit, "police")
    with qtbot.waitSignal(window.search.hitsShown, timeout=30000) as shown:
        qtbot.keyClick(window.search.query_edit, Qt.Key.Key_Return)
    assert shown.args[0] == 2
    _holds(archive)
    window.ctx.writer.undo()
    assert window.ctx.writer.wait()
    assert library_rows(archive) == []
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 0, timeout=30000)
    assert window.ctx.writer.redoText().startswith("Import")


@pytest.mark.usefixtures("no_pipeline_here")
def test_the_import_options_reach_the_child(qtbot, window, tmp_path) -> None:
    from archive.provenance import Provenance

    (tmp_path / "note.txt").write_text("A note\n\nAbout the march.\n", encoding="utf-8")
    window.importer.provenance = Provenance("Aye Aye", "field phone", "Mandalay")
    with qtbot.waitSignal(window.importer.importFinished, timeout=60000):
        window.importer.import_paths([tmp_path / "note.txt"])
    assert _provenance(window.ctx.archive) == {("Aye Aye", "field phone", "Mandalay")}


@pytest.mark.usefixtures("no_pipeline_here")
def test_cancel_stops_the_child_and_keeps_what_it_saved(qtbot, window, tmp_path) -> None:
    archive = window.ctx.archive
    folder = _reports(tmp_path / "in", 800)
    with qtbot.waitSignal(window.importer.importFinished, timeout=120000) as finished:
        job = window.importer.import_paths([folder])
        qtbot.waitUntil(lambda: job.done >= 30, timeout=60000)
        assert _import_child() is not None
        assert window.task_status.job is job
        window.task_status.cancel_button.click()  # the status bar's Cancel
    summary = finished.args[0]
    assert summary["cancelled"] is True
    imported = {i["id"] for i in summary["imported"]}
    assert 0 < len(imported) < 800
    # What the summary lists is exactly what the archive holds.
    assert {r.id for r in library_rows(archive)} == imported
    qtbot.waitUntil(lambda: _import_child() is None, timeout=10000)
    _holds(archive)
    # The import undoes as one step, whatever batches it committed.
    window.ctx.writer.undo()
    assert window.ctx.writer.wait()
    assert library_rows(archive) == []


@pytest.mark.usefixtures("no_pipeline_here")
def test_a_killed_child_gives_a_clear_error_and_a_consistent_archive(
    qtbot, window, dialogs, tmp_path
) -> None:
    archive = window.ctx.archive
    folder = _reports(tmp_path / "in", 800)
    with qtbot.waitSignal(window.importer.importFinished, timeout=120000) as finished:
        job = window.importer.import_paths([folder])
        qtbot.waitUntil(lambda: job.done >= 150, timeout=60000)
        proc = _import_child()
        assert proc is not None
        os.kill(proc.pid, signal.SIGKILL)
    assert "stopped unexpectedly" in finished.args[0]["error"]
    ((_kind, title, message),) = dialogs.of_kind("error")
    assert title == "Import failed"
    assert "killed by signal 9" in message and "Import the same files again" in message
    # Only whole batches were saved, and the archive holds (rows, audit chain, originals).
    _holds(archive)
    saved = len(library_rows(archive))
    assert saved < 800
    # Importing again adds the rest; what was saved is reported as already there.
    with qtbot.waitSignal(window.importer.importFinished, timeout=120000) as again:
        window.importer.import_paths([folder])
    summary = again.args[0]
    assert len(summary["duplicates"]) == saved and not summary["failed"]
    assert len(summary["imported"]) == 800 - saved
    assert len(library_rows(archive)) == 800
    _holds(archive)


def test_an_encrypted_archives_import_stays_in_the_window_process(
    qtbot, settings, monkeypatch, tmp_path, article_files
) -> None:
    from archive import encryption
    from desktop.main_window import create_main_window

    monkeypatch.setattr(
        encryption, "DEFAULT_KDF", encryption.KdfParams(iterations=1, lanes=1, memory_cost_kib=64)
    )

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an encrypted archive's import was sent to another process")

    monkeypatch.setattr(child, "import_in_child", refuse)
    archive = Archive.open(tmp_path / "sealed", create=True, encrypt=True, passphrase=GOOD)
    assert not child.available(archive)
    win = create_main_window(archive, settings)
    qtbot.addWidget(win)
    try:
        with qtbot.waitSignal(win.library.loaded, timeout=10000):
            win.show()
        with (
            qtbot.waitSignal(win.importer.importFinished, timeout=60000) as finished,
            qtbot.waitSignal(win.library.loaded, timeout=60000),
        ):
            win.importer.import_paths(article_files)
        assert len(finished.args[0]["imported"]) == 3
        assert win.library.model.rowCount() == 3
        qtbot.waitUntil(lambda: win.ctx.writer.undoText().startswith("Import"), timeout=5000)
        assert changes.history(archive, 5)[0].label.startswith("Import")
        assert len(archive.index.search("police").hits) == 2
    finally:
        win.shutdown()
        archive.close()


@pytest.mark.usefixtures("no_pipeline_here")
def test_the_window_works_little_as_an_import_ends(
    qtbot, window, article_files, monkeypatch
) -> None:
    # Measured (issue 8): as a 5,000-file import ended the window stalled while it built
    # the summary's rows and the views' reads ran beside it. Now the rows come built from
    # the worker, the views read after the summary is shown, the index a little later.
    from desktop.importing import summary as summary_module

    built_here: list[int] = []
    real = summary_module.summary_tables

    def counting(summary: dict) -> dict:
        import threading

        if threading.current_thread() is threading.main_thread():
            built_here.append(1)
        return real(summary)

    monkeypatch.setattr(summary_module, "summary_tables", counting)
    order: list[str] = []
    window.ctx.articlesChanged.connect(lambda: order.append("views read"))
    with qtbot.waitSignal(window.importer.importFinished, timeout=60000) as finished:
        window.importer.import_paths(article_files)
    order.append("summary shown")
    summary = finished.args[0]
    assert set(summary["tables"]) == {"failed", "imported", "duplicates"}
    rows, tips = summary["tables"]["imported"]
    assert [r[0] for r in rows] == [Path(t).name for t in tips] and len(rows) == 3
    assert built_here == []
    qtbot.waitUntil(lambda: order == ["summary shown", "views read"], timeout=5000)
    assert window.importer.summary.imported_table.model().rowCount() == 3
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 3, timeout=30000)
