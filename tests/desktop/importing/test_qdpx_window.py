"""File → Import REFI-QDA project…: read in the background, one undoable change, the report."""

from __future__ import annotations

from sqlmodel import select

from archive import models
from tests.archive.ingest import qdpx_shapes as shapes


def test_import_from_the_menu_then_undo(qtbot, window, dialogs, tmp_path) -> None:
    path = shapes.maxqda(tmp_path / "m.qdpx")
    dialogs.answer("files", [path])
    with qtbot.waitSignal(window.qdpx_import.imported, timeout=30_000) as done:
        window.qdpx_import_action.trigger()
    report = done.args[0]
    assert report.added["annotations"] == 3 and report.not_placed
    shown = window.qdpx_import.dialog
    assert shown.objectName() == "qdpxReport" and shown.isVisible() and not shown.isModal()
    assert shown.items.count() == len(report.not_placed)
    with window.ctx.archive.session() as s:
        assert len(s.exec(select(models.Annotation)).all()) == 3
    window.ctx.writer.undo()
    assert window.ctx.writer.wait()
    with window.ctx.archive.session() as s:
        assert s.exec(select(models.Annotation)).all() == []
    shown.close()


def test_a_malformed_file_is_an_error_message(qtbot, window, dialogs, tmp_path) -> None:
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    job = window.qdpx_import.run(bad)
    qtbot.waitUntil(lambda: job not in window.ctx.tasks.jobs, timeout=20_000)
    title, message = dialogs.of_kind("error")[-1][1:3]
    assert title == "Project not imported" and "not a REFI-QDA project" in message
