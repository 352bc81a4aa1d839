"""The annotations panel: a real model, jump to, edit note, retype, relink, delete, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt

from archive import annotate, entities
from desktop.panels import create_docks
from desktop.panels.annotations import AnnotationsPanel, AnnotationTableModel
from desktop.reader import ReaderPanel
from tests.desktop.reader.articles import TEXT


def tag(ctx, article_id: str, phrase: str, type_key: str, **kw) -> str:
    start = TEXT.index(phrase)
    return annotate.create_annotation(
        ctx.archive, article_id, start, start + len(phrase), type_key, **kw
    ).id


def make_panel(qtbot, ctx, article_id: str, model_tester) -> AnnotationsPanel:
    panel = AnnotationsPanel(ctx)
    qtbot.addWidget(panel)
    model_tester(panel.model)
    ctx.articleShown.emit(article_id)
    return panel


def test_lists_annotations_of_the_open_article(qtbot, ctx, article_id, model_tester) -> None:
    tag(ctx, article_id, "Major Aung Test", "actor", entity_name="Aung Test", note="officer")
    tag(ctx, article_id, "More than 600 police officers", "figure")
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    model = panel.model
    assert model.rowCount() == 2
    rows = [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    assert rows[0] == ["Figure", "More than 600 police officers", "", "", "Test User"]
    assert rows[1] == ["Actor", "Major Aung Test", "Aung Test", "officer", "Test User"]
    assert model.flags(model.index(0, AnnotationTableModel.NOTE)) & Qt.ItemFlag.ItemIsEditable
    ctx.articleShown.emit("")
    assert model.rowCount() == 0


def test_edit_note_through_the_model_and_undo(qtbot, ctx, article_id, model_tester) -> None:
    ann_id = tag(ctx, article_id, "the market", "actor", note="old")
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    index = panel.model.index(0, AnnotationTableModel.NOTE)
    assert panel.model.setData(index, "new note")
    assert annotate.get_annotation(ctx.archive, ann_id).note == "new note"
    ctx.writer.undo()
    assert annotate.get_annotation(ctx.archive, ann_id).note == "old"
    assert panel.model.data(panel.model.index(0, AnnotationTableModel.NOTE)) == "old"


def test_change_type_drops_entity_and_delete_with_undo(
    qtbot, ctx, article_id, model_tester
) -> None:
    ann_id = tag(ctx, article_id, "Major Aung Test", "actor", entity_name="Aung Test")
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    panel.change_type([ann_id], "event")
    changed = annotate.get_annotation(ctx.archive, ann_id)
    assert changed.type == "event" and changed.entity_id is None
    ctx.writer.undo()
    assert annotate.get_annotation(ctx.archive, ann_id).entity == "Aung Test"

    panel.view.selectRow(0)
    assert panel.selected_ids() == [ann_id]
    panel.delete_button.click()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert panel.model.rowCount() == 0
    ctx.writer.undo()
    assert [a.id for a in annotate.list_annotations(ctx.archive, article_id)] == [ann_id]
    assert panel.model.rowCount() == 1


def test_change_entity_to_a_new_one_and_back(qtbot, ctx, article_id, model_tester) -> None:
    ann_id = tag(ctx, article_id, "Major Aung Test", "actor")
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    panel.pick_entity(0)
    dialog = panel.entity_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.entity_edit.setText("Aung Test")
    dialog.accept()
    assert annotate.get_annotation(ctx.archive, ann_id).entity == "Aung Test"
    assert [e.name for e in entities.list_entities(ctx.archive, "actor")] == ["Aung Test"]
    ctx.writer.undo()
    assert annotate.get_annotation(ctx.archive, ann_id).entity_id is None
    assert entities.list_entities(ctx.archive, "actor") == []


def test_jump_to_selects_the_passage_in_the_reader(qtbot, ctx, article_id, model_tester) -> None:
    tag(ctx, article_id, "the market", "actor")
    reader = ReaderPanel(ctx)
    qtbot.addWidget(reader)
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    ctx.open_article(article_id)
    assert panel.model.rowCount() == 1
    panel.jump_to(0)
    assert reader.view.textCursor().selectedText() == "the market"


def test_create_docks_have_unique_object_names(qtbot, ctx) -> None:
    docks = create_docks(ctx)
    for dock in docks:
        qtbot.addWidget(dock)
    names = [d.objectName() for d in docks]
    assert len(names) == len(set(names)) >= 3
    assert all(names)


def test_edit_form_changes_figure_fields_and_undo(qtbot, ctx, article_id, model_tester) -> None:
    ann_id = tag(ctx, article_id, "More than 600 police officers", "figure")
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    panel.edit(0)
    dialog = panel.entity_dialog
    assert dialog.value_edit.text() == "600" and dialog.as_of_edit.text() == "2021-03-05"
    dialog.value_edit.setText("650")
    dialog.entity_edit.setText("police who joined")
    dialog.accept()
    ann = annotate.get_annotation(ctx.archive, ann_id)
    assert (ann.value, ann.entity) == (650, "police who joined")
    assert panel.model.data(panel.model.index(0, AnnotationTableModel.ENTITY)) == (
        "police who joined"
    )
    ctx.writer.undo()
    ann = annotate.get_annotation(ctx.archive, ann_id)
    assert (ann.value, ann.entity_id) == (600, None)
    assert entities.list_entities(ctx.archive, "figure") == []


def test_orphaned_rows_are_flagged(qtbot, ctx, article_id, model_tester) -> None:
    tag(ctx, article_id, "the market", "actor")
    annotate.reanchor_article(ctx.archive, article_id, TEXT.replace("the market", "a square"))
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    assert panel.model.data(panel.model.index(0, AnnotationTableModel.QUOTE)).endswith("(orphaned)")


def test_tooltips_show_text_as_written(qtbot, ctx, article_id, model_tester) -> None:
    tag(ctx, article_id, "the market", "actor", note='<img src="http://example.org/x.png"> a & b')
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    note_tip = panel.model.data(
        panel.model.index(0, AnnotationTableModel.NOTE), Qt.ItemDataRole.ToolTipRole
    )
    assert "<img" not in note_tip and "&lt;img" in note_tip and "a &amp; b" in note_tip


def test_the_row_follows_the_reader_cursor(qtbot, ctx, article_id, model_tester) -> None:
    tag(ctx, article_id, "Major Aung Test", "actor")
    tag(ctx, article_id, "the market", "actor")
    reader = ReaderPanel(ctx)
    qtbot.addWidget(reader)
    panel = make_panel(qtbot, ctx, article_id, model_tester)
    ctx.open_article(article_id)
    reader.select_span(TEXT.index("the market") + 2, TEXT.index("the market") + 2)
    assert panel.selected_ids() == [panel.model.annotation(1).id]
    reader.select_span(TEXT.index("Major Aung Test") + 1, TEXT.index("Major Aung Test") + 1)
    assert panel.selected_ids() == [panel.model.annotation(0).id]
