"""The reader driven as a person would: open, select, press a key, fill in, confirm, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QDialogButtonBox

from archive import annotate, entities
from desktop.reader import ReaderPanel
from desktop.tag_form import TagDialog
from tests.desktop.reader.articles import TEXT, utf16

PHRASE = "More than 600 police officers"


def open_reader(qtbot, ctx, article_id: str) -> ReaderPanel:
    reader = ReaderPanel(ctx)
    qtbot.addWidget(reader)
    reader.resize(900, 600)
    reader.show()
    qtbot.waitExposed(reader)
    with qtbot.waitSignal(ctx.articleShown, timeout=2000) as shown:
        ctx.open_article(article_id)
    assert shown.args == [article_id]
    return reader


def select_with_qt(reader: ReaderPanel, text: str, phrase: str) -> None:
    """Select `phrase` with a QTextCursor at UTF-16 positions, as a mouse drag would."""
    start = text.index(phrase)
    cursor = reader.view.textCursor()
    cursor.setPosition(utf16(text[:start]))
    cursor.setPosition(utf16(text[: start + len(phrase)]), QTextCursor.MoveMode.KeepAnchor)
    reader.view.setTextCursor(cursor)
    reader.view.setFocus()


def test_header_is_plain_text_metadata(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    assert reader.title_label.text() == "River district report"
    assert reader.details_label.text() == "Test Wire · A. Reporter · 2021-03-05"
    assert reader.url_label.text() == "https://example.org/report"
    assert reader.url_label.textFormat() == Qt.TextFormat.PlainText
    assert reader.view.toPlainText() == TEXT
    assert ctx.current_article_id == article_id


def test_press_f_tags_a_figure_and_undo_removes_it(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, PHRASE)
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    assert isinstance(dialog, TagDialog) and dialog.isVisible()
    # Pre-filled by the core's figure parser.
    assert dialog.value_edit.text() == "600"
    assert dialog.qualifier_combo.currentText() == "more than"
    assert dialog.counted_edit.text() == "police officers"
    assert dialog.as_of_edit.text() == "2021-03-05"
    qtbot.keyClicks(dialog.entity_edit, "Police who joined the strike")
    dialog.note_edit.setText("first count")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    start = TEXT.index(PHRASE)
    # Code points, not UTF-16: the emoji before the span count once each.
    assert (ann.start, ann.end) == (start, start + len(PHRASE))
    assert utf16(TEXT[:start]) == start + 2  # 😀 and the skin-tone modifier
    assert ann.quote == PHRASE and ann.type == "figure"
    assert (ann.value, ann.qualifier, ann.counted) == (600, "more than", "police officers")
    assert ann.note == "first count" and ann.entity == "Police who joined the strike"
    assert reader.tag_dialog is None
    # The reader repainted: the tagged text now has the figure colour.
    fmt = char_format_at(reader, utf16(TEXT[: start + 2]))
    assert fmt.background().color() == QColor("#b5e48c")

    ctx.writer.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert entities.list_entities(ctx.archive, "figure") == []
    assert char_format_at(reader, utf16(TEXT[: start + 2])).background().style() == (
        Qt.BrushStyle.NoBrush
    )
    ctx.writer.redo()
    (again,) = annotate.list_annotations(ctx.archive, article_id)
    assert again.id == ann.id and again.entity == "Police who joined the strike"


def char_format_at(reader: ReaderPanel, u16: int):
    cursor = QTextCursor(reader.view.document())
    cursor.setPosition(u16 + 1)  # charFormat() is the format of the character before
    return cursor.charFormat()


def test_escape_cancels_and_nothing_is_stored(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "the army staged a march")
    qtbot.keyClick(reader.view, Qt.Key.Key_E)
    dialog = reader.tag_dialog
    assert dialog is not None and not dialog.value_edit.isVisibleTo(dialog)
    qtbot.keyClick(dialog.entity_edit, Qt.Key.Key_Escape)
    assert reader.tag_dialog is None
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert not ctx.writer.canUndo()


def test_enter_with_empty_name_tags_without_entity(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "the army staged a march")
    qtbot.keyClick(reader.view, Qt.Key.Key_E)
    # The name starts filled in and selected: one Backspace empties it.
    qtbot.keyClick(reader.tag_dialog.entity_edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(reader.tag_dialog.entity_edit, Qt.Key.Key_Return)
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.type == "event" and ann.entity_id is None
    assert ann.quote == "the army staged a march"


def test_alias_completion_links_the_existing_actor(qtbot, ctx, article_id) -> None:
    actor = entities.create_entity(ctx.archive, "actor", "Aung Test", aliases=["Major Aung Test"])
    reader = open_reader(qtbot, ctx, article_id)
    # A selection with a trailing space: the span is trimmed to the words.
    select_with_qt(reader, TEXT, "Major Aung Test ")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    dialog = reader.tag_dialog
    completer = dialog.entity_edit.completer()
    completer.setCompletionPrefix("major")
    assert completer.currentCompletion() == "Major Aung Test"
    dialog.entity_edit.setText("major aung test")
    dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.entity_id == actor.id and ann.quote == "Major Aung Test"
    assert len(entities.list_entities(ctx.archive, "actor")) == 1


def test_user_defined_type_gets_its_shortcut(qtbot, ctx, article_id) -> None:
    from archive import tagtypes
    from desktop.panels import tagging_actions

    reader = open_reader(qtbot, ctx, article_id)
    before = tagging_actions(ctx, reader)
    tagtypes.create_tag_type(ctx.archive, "place", "Place", "#cdb4db", "P")
    with qtbot.waitSignal(reader.tagging.actionsChanged):
        reader.tagging.refresh_types()
    after = tagging_actions(ctx, reader)
    assert after[: len(before)] == before  # the shell's menu entries stay valid
    assert [a.text() for a in after][-1] == "Tag as Place"
    select_with_qt(reader, TEXT, "the market")
    qtbot.keyClick(reader.view, Qt.Key.Key_P)
    reader.tag_dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.type == "place" and ann.quote == "the market"


def test_tag_without_selection_only_says_what_to_do(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    with qtbot.waitSignal(reader.statusMessage) as message:
        qtbot.keyClick(reader.view, Qt.Key.Key_A)
    assert "Select some text" in message.args[0]
    assert reader.tag_dialog is None


def test_search_highlights_scroll_to_and_select_the_first(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    start = TEXT.index("the market")
    ctx.open_article(article_id, [(start, start + 10), (0, 4)])
    assert reader.view.matches == [(start, start + 10), (0, 4)]
    assert len(reader.view.extraSelections()) == 2
    assert reader.selection_span() == (start, start + 10)
    assert reader.view.textCursor().selectedText() == "the market"


def test_overlapping_annotations_show_both(qtbot, ctx, article_id) -> None:
    outer = TEXT.index(PHRASE)
    inner = TEXT.index("police officers")
    annotate.create_annotation(ctx.archive, article_id, outer, outer + len(PHRASE), "figure")
    annotate.create_annotation(ctx.archive, article_id, inner, inner + 15, "actor")
    reader = open_reader(qtbot, ctx, article_id)
    only_outer = char_format_at(reader, utf16(TEXT[:outer]))
    both = char_format_at(reader, utf16(TEXT[: inner + 2]))
    assert not only_outer.fontUnderline()
    assert both.fontUnderline()
    assert both.background().color() != only_outer.background().color()
    # The side panel lists both annotations under the caret.
    cursor = reader.view.textCursor()
    cursor.setPosition(utf16(TEXT[: inner + 2]))
    reader.view.setTextCursor(cursor)
    assert reader.side_label.text().count("Test User") == 2  # two annotations, with authors


def test_tooltip_text_escapes_and_names_author(qtbot, ctx, article_id) -> None:
    from desktop.reader.text_view import describe_annotation

    start = TEXT.index("the market")
    annotate.create_annotation(
        ctx.archive, article_id, start, start + 10, "actor", note="<b>near</b> the stalls"
    )
    reader = open_reader(qtbot, ctx, article_id)
    (ann,) = reader.article.annotations_at(start + 1)
    html = describe_annotation(ann)
    assert "&lt;b&gt;near" in html and "Test User" in html


def test_the_shared_action_takes_the_key_when_the_window_is_active(qtbot, ctx, article_id) -> None:
    from desktop.panels import tagging_actions

    reader = open_reader(qtbot, ctx, article_id)
    actions = {a.data(): a for a in tagging_actions(ctx, reader)}
    assert actions["figure"].shortcut().toString() == "F"
    assert not reader.toolbar.isVisible()  # the window shows them in its own toolbar
    reader.activateWindow()
    qtbot.waitUntil(reader.isActiveWindow, timeout=2000)
    select_with_qt(reader, TEXT, PHRASE)
    with qtbot.waitSignal(actions["figure"].triggered, timeout=1000):
        qtbot.keyClick(reader.view, Qt.Key.Key_F)
    assert reader.tag_dialog is not None and reader.tag_dialog.type_key == "figure"
    reader.tag_dialog.reject()


def test_context_menu_offers_tag_actions_for_a_selection(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    assert reader.view.context_actions() == []
    select_with_qt(reader, TEXT, PHRASE)
    texts = [a.text() for a in reader.view.context_actions()]
    assert texts[:3] == ["Tag as Actor", "Tag as Event", "Tag as Figure"]


def test_typed_figure_fields_are_stored(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "about 1,500 people")
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    assert (dialog.value_edit.text(), dialog.qualifier_combo.currentText()) == ("1500", "about")
    dialog.value_edit.clear()
    qtbot.keyClicks(dialog.value_edit, "1,600")
    dialog.qualifier_combo.setCurrentText("at least")
    dialog.counted_edit.setText("people near the market")
    dialog.as_of_edit.setText("2021-03-04")
    qtbot.keyClick(dialog.as_of_edit, Qt.Key.Key_Return)
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert (ann.value, ann.qualifier, ann.counted, ann.as_of) == (
        1600, "at least", "people near the market", "2021-03-04"
    )  # fmt: skip


def test_a_wrong_value_keeps_the_form_open(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "about 1,500 people")
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    dialog.value_edit.setText("many")
    dialog.accept()
    assert dialog.isVisible() and "number" in dialog.error_label.text()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    dialog.reject()


def test_hover_shows_a_tooltip_with_type_entity_and_author(qtbot, ctx, article_id) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    start = TEXT.index("Major Aung Test")
    annotate.create_annotation(
        ctx.archive, article_id, start, start + 15, "actor", entity_name="Aung Test"
    )
    reader = open_reader(qtbot, ctx, article_id)
    cursor = QTextCursor(reader.view.document())
    cursor.setPosition(utf16(TEXT[: start + 3]))
    pos = reader.view.cursorRect(cursor).center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, reader.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(reader.view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    text = QToolTip.text()
    assert "Actor" in text and "Aung Test" in text and "Test User" in text
    QToolTip.hideText()


def test_orphaned_annotations_are_not_painted(qtbot, ctx, article_id) -> None:
    start = TEXT.index("the market")
    ann = annotate.create_annotation(ctx.archive, article_id, start, start + 10, "actor")
    annotate.reanchor_article(ctx.archive, article_id, TEXT.replace("the market", "a square"))
    reader = open_reader(qtbot, ctx, article_id)
    (shown,) = reader.annotations()
    assert shown.id == ann.id and shown.orphaned
    probe = min(shown.start, len(reader.article.text) - 2)
    fmt = char_format_at(reader, reader.view.offsets.to_utf16(probe))
    assert fmt.background().style() == Qt.BrushStyle.NoBrush


def test_new_entities_reach_the_picker(qtbot, ctx, article_id) -> None:
    from archive import entities

    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "Major Aung Test")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    assert reader.tag_dialog.entity_edit.model.stringList() == []
    reader.tag_dialog.reject()
    ctx.writer.change(
        "New actor",
        lambda ch: entities.create_entity(ch, "actor", "Aung Test", aliases=["Major Aung Test"]),
    )
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=5000)
    reader.view.setFocus()
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    assert reader.tag_dialog.entity_edit.model.stringList() == ["Aung Test", "Major Aung Test"]
    reader.tag_dialog.reject()


def test_the_side_panel_tells_a_newcomer_the_keys(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    assert "A Actor · E Event · F Figure" in reader.side_label.text()  # right after opening
    cursor = reader.view.textCursor()
    cursor.setPosition(3)
    reader.view.setTextCursor(cursor)
    assert "A Actor · E Event · F Figure" in reader.side_label.text()


def test_the_undo_step_is_named_for_the_menu(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "the army staged a march")
    qtbot.keyClick(reader.view, Qt.Key.Key_E)
    reader.tag_dialog.accept()
    assert ctx.writer.undoText() == "Tag as Event “the army staged a march”"


def test_alt_down_and_up_hop_between_annotations(qtbot, ctx, article_id) -> None:
    for phrase, type_key in (("Major Aung Test", "actor"), (PHRASE, "figure")):
        start = TEXT.index(phrase)
        annotate.create_annotation(ctx.archive, article_id, start, start + len(phrase), type_key)
    reader = open_reader(qtbot, ctx, article_id)
    reader.activateWindow()
    qtbot.waitUntil(reader.isActiveWindow, timeout=2000)
    reader.view.setFocus()
    qtbot.keyClick(reader.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert reader.view.textCursor().selectedText() == PHRASE
    qtbot.keyClick(reader.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert reader.view.textCursor().selectedText() == "Major Aung Test"
    qtbot.keyClick(reader.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert reader.view.textCursor().selectedText() == PHRASE


MARKDOWN = "# Police defect\n\nBy [The Irrawaddy](#), more than 600 police officers.\n"


def test_markdown_is_drawn_rendered_and_offsets_stay_the_stored_ones(qtbot, ctx) -> None:
    from tests.desktop.reader.articles import add_article

    article_id = add_article(ctx.archive, MARKDOWN)
    reader = open_reader(qtbot, ctx, article_id)
    view = reader.view
    assert view.toPlainText() == MARKDOWN  # the text is the stored one

    def foreground(pos: int) -> QColor:
        cursor = QTextCursor(view.document())
        cursor.setPosition(pos + 1)  # the format of the character before the cursor
        return cursor.charFormat().foreground().color()

    assert foreground(MARKDOWN.index("[")).alpha() == 0  # hidden
    assert foreground(MARKDOWN.index("](#)") + 1).alpha() == 0
    assert foreground(MARKDOWN.index("Irrawaddy")).alpha() != 0
    heading = QTextCursor(view.document())
    heading.setPosition(MARKDOWN.index("Police") + 1)
    assert heading.charFormat().fontWeight() >= 700
    # Tagging the link's words quotes the stored text at its own offsets.
    select_with_qt(reader, MARKDOWN, "The Irrawaddy")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    reader.tag_dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert (ann.start, ann.quote) == (MARKDOWN.index("The Irrawaddy"), "The Irrawaddy")
