"""The suggestions panel: run off the GUI thread, accept one or all, reject, undo."""

from __future__ import annotations

from archive import annotate, changes, entities
from desktop.panels.suggestions import SuggestionsPanel


def ready_panel(qtbot, ctx, article_id, model_tester) -> SuggestionsPanel:
    panel = SuggestionsPanel(ctx)
    qtbot.addWidget(panel)
    model_tester(panel.model)
    ctx.articleShown.emit(article_id)
    with qtbot.waitSignal(panel.suggestionsReady, timeout=5000) as ready:
        panel.run_button.click()
    assert ready.args[0] == panel.model.rowCount() >= 4
    return panel


def quotes(panel: SuggestionsPanel) -> list[str]:
    return [s.quote for s in panel.model.suggestions()]


def test_accept_one_then_undo(qtbot, ctx, article_id, model_tester) -> None:
    panel = ready_panel(qtbot, ctx, article_id, model_tester)
    row = quotes(panel).index("Major Aung Test")
    m = panel.model
    assert m.data(m.index(row, 2)) == "Aung Test (also Major Aung Test)"
    panel.view.selectRow(row)
    panel.accept_button.click()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert (ann.quote, ann.type, ann.origin, ann.entity) == (
        "Major Aung Test", "actor", "suggestion", "Aung Test"
    )  # fmt: skip
    assert "Major Aung Test" not in quotes(panel)
    ctx.writer.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert entities.list_entities(ctx.archive, "actor") == []  # the entity it made is gone too
    ctx.writer.redo()
    (again,) = annotate.list_annotations(ctx.archive, article_id)
    assert again.id == ann.id and again.entity_id == ann.entity_id


def test_reject_then_accept_all(qtbot, ctx, article_id, model_tester) -> None:
    panel = ready_panel(qtbot, ctx, article_id, model_tester)
    total = panel.model.rowCount()
    figure_rows = [i for i, s in enumerate(panel.model.suggestions()) if s.type != "figure"]
    panel.reject_rows(figure_rows)
    assert {s.type for s in panel.model.suggestions()} == {"figure"}
    assert annotate.list_annotations(ctx.archive, article_id) == []
    kept = panel.model.rowCount()
    assert 0 < kept < total
    panel.accept_all()
    stored = annotate.list_annotations(ctx.archive, article_id)
    assert len(stored) == kept and {a.origin for a in stored} == {"suggestion"}
    assert {(a.value, a.qualifier) for a in stored} >= {(600, "more than"), (1500, "about")}
    assert panel.model.rowCount() == 0
    assert len(changes.history(ctx.archive)) == 1  # one click, one undo step
    ctx.writer.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []


def test_nothing_is_tagged_without_a_person(qtbot, ctx, article_id, model_tester) -> None:
    ready_panel(qtbot, ctx, article_id, model_tester)
    assert annotate.list_annotations(ctx.archive, article_id) == []


def test_edit_then_accept_one(qtbot, ctx, article_id, model_tester) -> None:
    panel = ready_panel(qtbot, ctx, article_id, model_tester)
    row = quotes(panel).index("about 1,500 people")
    dialog = panel.edit_and_accept(row)
    assert dialog.value_edit.text() == "1500" and dialog.qualifier_combo.currentText() == "about"
    dialog.value_edit.setText("1,600")
    dialog.entity_edit.setText("people at the market")
    dialog.note_edit.setText("checked against the photo")
    dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert (ann.origin, ann.value, ann.entity, ann.note) == (
        "suggestion", 1600, "people at the market", "checked against the photo"
    )  # fmt: skip
    assert "about 1,500 people" not in quotes(panel)
    ctx.writer.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert entities.list_entities(ctx.archive, "figure") == []


def test_keeping_the_suggested_name_keeps_its_aliases(qtbot, ctx, article_id, model_tester) -> None:
    panel = ready_panel(qtbot, ctx, article_id, model_tester)
    dialog = panel.edit_and_accept(quotes(panel).index("Major Aung Test"))
    assert dialog.entity_edit.text() == "Aung Test"
    dialog.accept()
    (actor,) = entities.list_entities(ctx.archive, "actor")
    assert (actor.name, actor.aliases) == ("Aung Test", ["Major Aung Test"])
