"""In the real main window: tag with F, undo with Ctrl+Z, merge two spellings, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from archive import annotate, entities
from tests.desktop.reader.articles import TEXT, add_article, utf16

PHRASE = "More than 600 police officers"


def settle(qtbot, window) -> None:
    """Let the background index catch-up finish, and check the index saw every change."""
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=10000)
    assert window.ctx.archive.index.pending() == 0


def focus_reader(qtbot, window) -> None:
    box = window.font_warner.box
    if box is not None and box.isVisible():  # a machine without a Myanmar font warns first
        box.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.reader.view.setFocus()


def test_tag_with_f_then_ctrl_z_and_redo(qtbot, window) -> None:
    article_id = add_article(window.ctx.archive)
    with qtbot.waitSignal(window.ctx.articleShown, timeout=2000):
        window.ctx.open_article(article_id)
    reader = window.reader
    start = TEXT.index(PHRASE)
    cursor = reader.view.textCursor()
    cursor.setPosition(utf16(TEXT[:start]))
    cursor.setPosition(utf16(TEXT[: start + len(PHRASE)]), QTextCursor.MoveMode.KeepAnchor)
    reader.view.setTextCursor(cursor)
    focus_reader(qtbot, window)
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.entity_edit, "police who joined")
    qtbot.keyClick(dialog.entity_edit, Qt.Key.Key_Return)
    assert window.ctx.writer.wait()  # the tag is written in the background
    (ann,) = annotate.list_annotations(window.ctx.archive, article_id)
    assert (ann.start, ann.end, ann.value, ann.entity) == (
        start, start + len(PHRASE), 600, "police who joined"
    )  # fmt: skip
    # The annotations dock lists it.
    panel = next(d.widget() for d in window.panel_docks if d.objectName() == "annotationsDock")
    assert panel.model.rowCount() == 1

    focus_reader(qtbot, window)
    qtbot.keyClick(reader.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.ctx.writer.wait()
    assert annotate.list_annotations(window.ctx.archive, article_id) == []
    assert panel.model.rowCount() == 0
    qtbot.keyClick(reader.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.ctx.writer.wait()
    (again,) = annotate.list_annotations(window.ctx.archive, article_id)
    assert again.id == ann.id
    settle(qtbot, window)


def test_merge_two_spellings_in_the_entities_dock_and_undo(qtbot, window) -> None:
    first = add_article(window.ctx.archive)
    other_text = "On Tuesday Maj. Aung Test spoke again.\n"
    second = add_article(window.ctx.archive, other_text, title="Second")
    s1, s2 = TEXT.index("Major Aung Test"), other_text.index("Maj. Aung Test")
    a = annotate.create_annotation(
        window.ctx.archive, first, s1, s1 + 15, "actor", entity_name="Major Aung Test"
    )
    b = annotate.create_annotation(
        window.ctx.archive, second, s2, s2 + 14, "actor", entity_name="Maj. Aung Test"
    )
    dock = next(d for d in window.panel_docks if d.objectName() == "entitiesDock")
    dock.show()
    dock.raise_()
    panel = dock.widget()
    panel.refresh()
    panel.merge(a.entity_id, b.entity_id)
    assert window.ctx.writer.wait()
    assert [e.name for e in entities.list_entities(window.ctx.archive, "actor")] == [
        "Major Aung Test"
    ]
    assert len(entities.mentions(window.ctx.archive, a.entity_id)) == 2
    window.undo_action.trigger()
    assert window.ctx.writer.wait()
    names = sorted(e.name for e in entities.list_entities(window.ctx.archive, "actor"))
    assert names == ["Maj. Aung Test", "Major Aung Test"]
    settle(qtbot, window)
