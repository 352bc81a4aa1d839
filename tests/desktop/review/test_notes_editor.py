"""The case-notes editor: write, preview, links that open passages, insert link, save, undo."""

from __future__ import annotations

from archive import annotate, collections, entities, notes
from desktop.library.panel import LibraryPanel
from desktop.notes import NotesEditor
from tests.desktop.reader.articles import TEXT

PHRASE = "More than 600 police officers"


def _setup(ctx, article_id: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    coll = collections.create_collection(ctx.archive, "Strike case")
    collections.add_articles(ctx.archive, coll.id, [article_id])
    s, e = annotate.find_quote(TEXT, PHRASE)
    ann = annotate.create_annotation(ctx.archive, article_id, s, e, "figure", entity_name="police")
    return coll.id, ann.id


def test_write_link_preview_open_and_save(qtbot, ctx, article_id, dialogs) -> None:
    coll_id, ann_id = _setup(ctx, article_id)
    editor = NotesEditor(ctx, coll_id)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.windowTitle() == "Case notes — Strike case"
    assert not editor.link_action.isEnabled()  # no passage under the reader's cursor
    editor.editor.setPlainText("# Strike\n\nThe police figure: ")
    editor.editor.moveCursor(editor.editor.textCursor().MoveOperation.End)
    ctx.annotationAtCursor.emit(ann_id)
    assert editor.link_action.isEnabled()
    editor.link_action.trigger()
    assert editor.editor.toPlainText().endswith(
        f"[More than 600 police officers](sesame:annotation/{ann_id})"
    )
    editor.editor.appendPlainText("Gone: sesame:entity/abcdef123456")
    assert editor.dirty and editor.windowTitle().endswith("*")
    editor.render_preview()
    preview = editor.preview.toHtml()
    assert f'href="sesame:annotation/{ann_id}"' in preview
    assert 'href="sesame:entity/abcdef123456"' in preview  # a bare link is clickable too
    # A link opens its passage in the reader.
    with qtbot.waitSignal(ctx.articleOpenRequested, timeout=2000) as opened:
        editor.open_link(f"sesame:annotation/{ann_id}")
    start = TEXT.index(PHRASE)
    assert opened.args == [article_id, [(start, start + len(PHRASE))]]
    editor.open_link("sesame:entity/abcdef123456")
    assert "points nowhere" in editor.status_label.text()
    editor.save()
    stored = notes.get_notes(ctx.archive, coll_id)
    assert stored.notes == editor.editor.toPlainText() and not editor.dirty
    assert "1 link(s) point nowhere" in editor.status_label.text()
    assert ctx.writer.undoText() == "Case notes of Strike case"
    ctx.writer.undo()
    assert notes.get_notes(ctx.archive, coll_id).notes == ""


def test_an_entity_link_opens_its_first_mention(qtbot, ctx, article_id) -> None:
    coll_id, ann_id = _setup(ctx, article_id)
    entity_id = annotate.get_annotation(ctx.archive, ann_id).entity_id
    editor = NotesEditor(ctx, coll_id)
    qtbot.addWidget(editor)
    with qtbot.waitSignal(ctx.articleOpenRequested, timeout=2000) as opened:
        editor.open_link(f"sesame:entity/{entity_id}")
    assert opened.args[0] == article_id
    lonely = entities.create_entity(ctx.archive, "actor", "Nobody tagged")
    editor.open_link(f"sesame:entity/{lonely.id}")
    assert "no passage tagged yet" in editor.status_label.text()


def test_closing_with_unsaved_notes_asks_and_the_library_opens_the_editor(
    qtbot, ctx, article_id, dialogs
) -> None:
    coll_id, _ = _setup(ctx, article_id)
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()
    editor = panel.open_notes(coll_id)
    assert isinstance(editor, NotesEditor) and editor.isVisible()
    assert panel.open_notes(coll_id) is editor  # one window per collection
    editor.editor.setPlainText("draft")
    dialogs.answer("confirm", False)
    editor.close()
    assert editor.isVisible()
    dialogs.answer("confirm", True)
    editor.close()
    qtbot.waitUntil(lambda: not panel.findChildren(NotesEditor), timeout=2000)
    # The Collections menu offers it for the collection shown.
    panel.collection_box.setCurrentIndex(panel.collection_box.findData(coll_id))
    panel._fill_collection_menu()
    texts = [a.text() for a in panel.collection_menu.actions()]
    assert "Case notes of “Strike case”…" in texts


def test_ctrl_k_inserts_the_link_beside_the_real_window(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    from tests.desktop.reader.articles import add_article

    ctx = window.ctx
    article_id = add_article(ctx.archive, TEXT, title="River district report")
    coll_id, ann_id = _setup(ctx, article_id)
    editor = window.library.open_notes(coll_id)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow, timeout=2000)
    editor.editor.setFocus()
    ctx.annotationAtCursor.emit(ann_id)
    qtbot.keyClick(editor.editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert f"sesame:annotation/{ann_id}" in editor.editor.toPlainText()
    editor.editor.setPlainText("")
    editor.close()
