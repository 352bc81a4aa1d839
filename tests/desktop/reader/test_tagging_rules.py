"""The tagging controller: a selection snaps to whole words (a setting turns it off), and
the same entity on overlapping words asks first."""

from __future__ import annotations

from PySide6.QtCore import Qt

from archive import annotate
from desktop import settings as st
from desktop.tagging import TaggingController
from tests.desktop.reader.articles import TEXT
from tests.desktop.reader.test_reader import open_reader, select_with_qt

SHORT = "More than 600 police officer"  # a drag that stops one letter short


def test_a_drag_one_letter_short_tags_the_whole_word(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, SHORT)
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    assert reader.view.textCursor().selectedText() == "More than 600 police officers"
    dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.quote == "More than 600 police officers"


def test_snapping_can_be_turned_off_and_stays_off(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    controller = TaggingController.of(ctx)
    controller.snap_action.setChecked(False)
    assert st.Settings().get(st.SNAP_SELECTION) is False
    assert st.SNAP_SELECTION in st.ALL and st.SNAP_SELECTION.default is True
    select_with_qt(reader, TEXT, SHORT)
    assert controller.snap_action in reader.view.context_actions()
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    reader.tag_dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.quote == SHORT
    controller.snap_action.setChecked(True)


def test_the_same_entity_on_overlapping_words_asks_first(qtbot, ctx, article_id, dialogs) -> None:
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "Major Aung Test")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    reader.tag_dialog.entity_edit.setText("Aung Test")
    reader.tag_dialog.accept()
    assert len(annotate.list_annotations(ctx.archive, article_id)) == 1
    for answer, count in ((False, 1), (True, 2)):
        dialogs.answer("confirm", answer)
        select_with_qt(reader, TEXT, "Aung Test")
        qtbot.keyClick(reader.view, Qt.Key.Key_A)
        reader.tag_dialog.entity_edit.setText("Aung Test")
        reader.tag_dialog.accept()
        assert len(annotate.list_annotations(ctx.archive, article_id)) == count
    assert dialogs.answers["confirm"] == []  # asked twice, once for each try
    # Another entity on the same words is not a repeat: no question.
    select_with_qt(reader, TEXT, "Aung Test")
    qtbot.keyClick(reader.view, Qt.Key.Key_A)
    reader.tag_dialog.entity_edit.setText("Someone else")
    reader.tag_dialog.accept()
    assert len(annotate.list_annotations(ctx.archive, article_id)) == 3
