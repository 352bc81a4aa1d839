"""The tagging form's figure range (low / high, or a range typed as the value) and an
event's date and place precision, through the reader (issue 13)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from archive import annotate, entities
from tests.desktop.reader.articles import add_article
from tests.desktop.reader.test_reader import open_reader, select_with_qt

TEXT = "Between 500 and 600 police officers joined the strike in March 2021 in Yangon.\n"


def test_a_range_in_the_quote_fills_low_and_high(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "Between 500 and 600 police officers")
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    assert (dialog.value_edit.text(), dialog.low_edit.text(), dialog.high_edit.text()) == (
        "500", "500", "600")  # fmt: skip
    dialog.high_edit.setText("650")
    qtbot.keyClick(dialog.value_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(annotate.list_annotations(ctx.archive, article_id)) == 1)
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert (ann.value, ann.low, ann.high) == (500, 500, 650)


def test_a_range_typed_as_the_value_and_a_wrong_one(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "police officers")
    qtbot.keyClick(reader.view, Qt.Key.Key_F)
    dialog = reader.tag_dialog
    dialog.value_edit.setText("700")
    dialog.high_edit.setText("600")
    dialog.accept()
    assert dialog.error_label.isVisible() and "between the low and the high" in (
        dialog.error_label.text()
    )
    dialog.high_edit.setText("")
    dialog.value_edit.setText("500-600")
    dialog.accept()
    qtbot.waitUntil(lambda: len(annotate.list_annotations(ctx.archive, article_id)) == 1)
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert (ann.value, ann.low, ann.high) == (500, 500, 600)


def test_event_precision_fields(qtbot, ctx) -> None:
    article_id = add_article(ctx.archive, TEXT)
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, "joined the strike")
    qtbot.keyClick(reader.view, Qt.Key.Key_E)
    dialog = reader.tag_dialog
    dialog.entity_edit.setText("Police strike")
    dialog.date_edit.setText("2021-03")
    dialog.place_edit.setText("Yangon")
    dialog.place_precision_combo.setCurrentIndex(dialog.place_precision_combo.findData("town"))
    assert dialog.date_precision_combo.currentData() == ""  # as typed
    dialog.accept()
    qtbot.waitUntil(lambda: len(annotate.list_annotations(ctx.archive, article_id)) == 1)
    (info,) = [e for e in entities.list_entities(ctx.archive, "event")]
    assert (info.date_start, info.date_precision, info.place_precision) == (
        "2021-03", "month", "town")  # fmt: skip


def test_the_tooltip_shows_a_figures_range(qtbot, ctx) -> None:
    from archive.reading import load_annotations
    from desktop.reader.text_view import describe_annotation

    article_id = add_article(ctx.archive, TEXT)
    annotate.create_annotation(ctx.archive, article_id, 0, 35, "figure")
    [ann] = load_annotations(ctx.archive, article_id)
    assert "range 500–600" in describe_annotation(ann)
