"""The suggestions panel: run off the GUI thread, grouped by entity, accept one, chosen
mentions or all, reject, undo."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel

from archive import annotate, changes, entities
from desktop.panels.suggestions import SuggestionsPanel
from tests.desktop.reader.articles import add_article

CDM_TEXT = (
    "Doctors joined the CDM in Yangon. Bankers joined the CDM on Tuesday. "
    "Police officers joined the CDM too, and more than 600 police officers marched.\n"
)


def select(panel: SuggestionsPanel, row: int, mention: int | None = None) -> None:
    """Select a group row, or one mention row of it (added to the selection)."""
    index = panel.model.index(row, 0)
    if mention is not None:
        index = panel.model.index(mention, 0, index)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    panel.view.selectionModel().select(index, flags)


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
    select(panel, row)
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


def test_one_row_per_entity_accept_chosen_mentions(qtbot, ctx, model_tester) -> None:
    article_id = add_article(ctx.archive, CDM_TEXT)
    panel = SuggestionsPanel(ctx)
    qtbot.addWidget(panel)
    model_tester(panel.model)
    ctx.articleShown.emit(article_id)
    with qtbot.waitSignal(panel.suggestionsReady, timeout=5000):
        panel.run_button.click()
    m = panel.model
    row = [g.label for g in m.groups()].index("CDM ×3")
    assert m.data(m.index(row, 1)) == "CDM ×3" and m.rowCount(m.index(row, 0)) == 3
    assert "3 suggestions" not in panel.label.text() and "mentions" in panel.label.text()
    select(panel, row, 0)
    select(panel, row, 2)
    assert panel.picked() == {row: [0, 2]}
    panel.accept_button.click()
    made = annotate.list_annotations(ctx.archive, article_id)
    assert [a.start for a in made] == [CDM_TEXT.index("CDM"), CDM_TEXT.rindex("CDM")]
    assert {a.entity for a in made} == {"CDM"}
    left = [g for g in m.groups() if g.entity_name == "CDM"]
    assert [g.label for g in left] == ["CDM"]  # the one mention left, alone on its row
    ctx.writer.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    # A group row accepts every mention at once, as one undo step.
    panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    row = [g.label for g in m.groups()].index("CDM ×3")
    panel.accept_rows([row])
    assert len(annotate.list_annotations(ctx.archive, article_id)) == 3
    assert len(entities.list_entities(ctx.archive, "actor")) == 1


def test_edit_and_accept_fills_the_as_of_like_the_f_form(
    qtbot, ctx, article_id, model_tester
) -> None:
    panel = ready_panel(qtbot, ctx, article_id, model_tester)
    dialog = panel.edit_and_accept(quotes(panel).index("More than 600 police officers"))
    assert dialog.as_of_edit.text() == "2021-03-05"  # the published date, as F gives it
    dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    assert ann.as_of == "2021-03-05"
