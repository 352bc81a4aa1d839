"""Event date and place in the panels' forms: the annotation edit form and
"edit and accept" of a suggestion keep them on the event's entity (QA finding 16)."""

from __future__ import annotations

from archive import annotate, entities
from desktop.panels.annotations import AnnotationsPanel
from desktop.panels.suggestions import SuggestionsPanel
from tests.desktop.reader.articles import add_article

TEXT = "Witnesses said the army staged a coup on Feb. 1 in the capital before dawn.\n"


def test_edit_form_shows_and_changes_the_events_details(qtbot, ctx, model_tester) -> None:
    article_id = add_article(ctx.archive, TEXT)
    coup = entities.create_entity(
        ctx.archive, "event", "Coup", date_start="2021-02-01", place="Naypyitaw"
    )
    start = TEXT.index("the army staged a coup")
    annotate.create_annotation(
        ctx.archive, article_id, start, start + 22, "event", entity_id=coup.id
    )
    panel = AnnotationsPanel(ctx)
    qtbot.addWidget(panel)
    model_tester(panel.model)
    ctx.articleShown.emit(article_id)
    panel.edit(0)
    dialog = panel.entity_dialog
    assert (dialog.date_edit.text(), dialog.place_edit.text()) == ("2021-02-01", "Naypyitaw")
    dialog.date_edit.setText("2021-02-01 to 2021-02-02")
    dialog.accept()
    info = entities.get_entity(ctx.archive, coup.id)
    assert (info.date_start, info.date_end, info.place) == ("2021-02-01", "2021-02-02", "Naypyitaw")
    ctx.writer.undo()
    assert entities.get_entity(ctx.archive, coup.id).date_end is None


def test_edit_and_accept_an_event_suggestion_with_date_and_place(qtbot, ctx, model_tester) -> None:
    article_id = add_article(ctx.archive, TEXT, published="2021-03-05")
    panel = SuggestionsPanel(ctx)
    qtbot.addWidget(panel)
    model_tester(panel.model)
    ctx.articleShown.emit(article_id)
    with qtbot.waitSignal(panel.suggestionsReady, timeout=5000):
        panel.run_button.click()
    row = next(i for i, s in enumerate(panel.model.suggestions()) if s.type == "event")
    dialog = panel.edit_and_accept(row)
    assert dialog.date_edit.text() == "2021-02-01"  # the suggester's date
    dialog.entity_edit.setText("Coup")
    dialog.place_edit.setText("Naypyitaw")
    dialog.accept()
    (ann,) = annotate.list_annotations(ctx.archive, article_id)
    info = entities.get_entity(ctx.archive, ann.entity_id)
    assert (info.name, info.date_start, info.place) == ("Coup", "2021-02-01", "Naypyitaw")
    assert ann.origin == "suggestion"
    ctx.writer.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert entities.list_entities(ctx.archive, "event") == []
