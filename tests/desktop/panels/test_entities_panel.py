"""The entities view: types, mention counts, every mention, rename, aliases, merge and undo."""

from __future__ import annotations

from archive import annotate, entities
from desktop.panels.entities import EntitiesPanel, EntityTableModel
from tests.desktop.reader.articles import TEXT, add_article


def make_panel(qtbot, ctx, model_tester) -> EntitiesPanel:
    panel = EntitiesPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    model_tester(panel.model)
    model_tester(panel.proxy)
    model_tester(panel.mentions_model)
    settle(qtbot, ctx)
    return panel


def settle(qtbot, ctx) -> None:
    """Wait until background reads (and the index catch-up) have landed."""
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=10000)


def two_spellings(ctx, article_id: str) -> tuple[str, str, str]:
    """One actor tagged under two spellings in two articles."""
    other_text = "Yesterday Maj. Aung Test met the press again.\n"
    other_id = add_article(ctx.archive, other_text, title="Second report", published="2021-03-07")
    start = TEXT.index("Major Aung Test")
    a = annotate.create_annotation(
        ctx.archive, article_id, start, start + 15, "actor", entity_name="Major Aung Test"
    )
    s2 = other_text.index("Maj. Aung Test")
    b = annotate.create_annotation(
        ctx.archive, other_id, s2, s2 + 14, "actor", entity_name="Maj. Aung Test"
    )
    assert a.entity_id and b.entity_id
    return a.entity_id, b.entity_id, other_id


def counts(panel: EntitiesPanel) -> dict[str, int]:
    m = panel.model
    return {
        m.data(m.index(r, EntityTableModel.NAME)): m.data(m.index(r, EntityTableModel.MENTIONS))
        for r in range(m.rowCount())
    }


def test_merge_two_spellings_and_undo(qtbot, ctx, article_id, model_tester) -> None:
    keep, other, _ = two_spellings(ctx, article_id)
    panel = make_panel(qtbot, ctx, model_tester)
    assert counts(panel) == {"Major Aung Test": 1, "Maj. Aung Test": 1}
    panel.merge(keep, other)
    settle(qtbot, ctx)
    assert counts(panel) == {"Major Aung Test": 2}
    assert panel.mentions_model.rowCount() == 2
    assert entities.get_entity(ctx.archive, keep).aliases == ["Maj. Aung Test"]
    ctx.writer.undo()
    settle(qtbot, ctx)
    assert counts(panel) == {"Major Aung Test": 1, "Maj. Aung Test": 1}
    assert entities.get_entity(ctx.archive, other, follow=False).merged_into is None
    ctx.writer.redo()
    settle(qtbot, ctx)
    assert counts(panel) == {"Major Aung Test": 2}


def test_merge_button_offers_both_directions(qtbot, ctx, article_id, model_tester) -> None:
    keep, other, _ = two_spellings(ctx, article_id)
    panel = make_panel(qtbot, ctx, model_tester)
    panel.view.selectAll()
    panel.select_entity(keep)
    panel.view.selectAll()
    assert set(panel.selected_ids()) == {keep, other}
    assert panel.selected_ids()[0] == keep


def test_mentions_open_the_article_at_the_span(qtbot, ctx, article_id, model_tester) -> None:
    keep, _, _ = two_spellings(ctx, article_id)
    panel = make_panel(qtbot, ctx, model_tester)
    panel.select_entity(keep)
    assert panel.mentions_model.rowCount() == 1
    start = TEXT.index("Major Aung Test")
    with qtbot.waitSignal(ctx.articleOpenRequested) as opened:
        panel.open_mention(0)
    assert opened.args == [article_id, [(start, start + 15)]]


def test_rename_keeps_old_name_as_alias_and_undo(qtbot, ctx, article_id, model_tester) -> None:
    keep, _, _ = two_spellings(ctx, article_id)
    panel = make_panel(qtbot, ctx, model_tester)
    panel.rename(keep, "Aung Test")
    settle(qtbot, ctx)
    info = entities.get_entity(ctx.archive, keep)
    assert info.name == "Aung Test" and "Major Aung Test" in info.aliases
    panel.set_aliases(keep, ["Major Aung Test", "Bo Aung Test"])
    settle(qtbot, ctx)
    assert entities.get_entity(ctx.archive, keep).aliases == ["Major Aung Test", "Bo Aung Test"]
    ctx.writer.undo()
    settle(qtbot, ctx)
    ctx.writer.undo()
    settle(qtbot, ctx)
    info = entities.get_entity(ctx.archive, keep)
    assert info.name == "Major Aung Test" and info.aliases == []


def test_refused_change_is_reported_not_pushed(qtbot, ctx, article_id, model_tester) -> None:
    keep, _other, _ = two_spellings(ctx, article_id)
    panel = make_panel(qtbot, ctx, model_tester)
    with qtbot.waitSignal(panel.statusMessage) as message:
        panel.set_aliases(keep, ["Maj. Aung Test"])
    assert "already names" in message.args[0]
    assert not ctx.writer.canUndo()


def test_type_filter(qtbot, ctx, article_id, model_tester) -> None:
    two_spellings(ctx, article_id)
    entities.create_entity(ctx.archive, "event", "The march")
    panel = make_panel(qtbot, ctx, model_tester)
    assert panel.model.rowCount() == 3
    panel.set_type_filter("event")
    settle(qtbot, ctx)
    assert counts(panel) == {"The march": 0}
    panel.set_type_filter(None)
    settle(qtbot, ctx)
    panel.filter_edit.setText("maj")
    assert panel.proxy.rowCount() == 2


def test_event_details_dialog_and_undo(qtbot, ctx, article_id, model_tester) -> None:
    event = entities.create_entity(ctx.archive, "event", "The march")
    panel = make_panel(qtbot, ctx, model_tester)
    panel.select_entity(event.id)
    panel.details_button.click()
    dialog = panel.details_dialog
    assert dialog is not None and dialog.place_edit.isVisibleTo(dialog)
    dialog.description_edit.setPlainText("A march through the town")
    dialog.start_edit.setText("2021-03-08")
    dialog.place_edit.setText("River district")
    dialog.accept()
    settle(qtbot, ctx)
    info = entities.get_entity(ctx.archive, event.id)
    assert (info.description, info.date_start, info.place) == (
        "A march through the town", "2021-03-08", "River district"
    )  # fmt: skip
    ctx.writer.undo()
    settle(qtbot, ctx)
    info = entities.get_entity(ctx.archive, event.id)
    assert (info.description, info.date_start, info.place) == ("", None, None)


def test_new_entity_through_the_dialog_and_undo(qtbot, ctx, model_tester) -> None:
    from PySide6.QtWidgets import QInputDialog

    panel = make_panel(qtbot, ctx, model_tester)
    panel.set_type_filter("event")
    settle(qtbot, ctx)
    panel.new_button.click()
    dialog = panel.findChild(QInputDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.setTextValue("  The   march ")
    dialog.accept()
    settle(qtbot, ctx)
    (info,) = entities.list_entities(ctx.archive, "event")
    assert info.name == "The march" and panel.model.rowCount() == 1
    ctx.writer.undo()
    settle(qtbot, ctx)
    assert entities.list_entities(ctx.archive, "event") == []
    assert panel.model.rowCount() == 0


def test_a_hidden_view_catches_up_when_shown(qtbot, ctx, article_id, model_tester) -> None:
    panel = EntitiesPanel(ctx)
    qtbot.addWidget(panel)
    model_tester(panel.model)
    settle(qtbot, ctx)  # its first read (of an empty archive) has landed
    start = TEXT.index("the market")
    from archive import annotate

    ctx.writer.change(
        "Tag",
        lambda ch: annotate.create_annotation(
            ch, article_id, start, start + 10, "actor", entity_name="Market traders"
        ),
    )
    settle(qtbot, ctx)
    assert panel.model.rowCount() == 0  # hidden: not read yet
    panel.show()
    settle(qtbot, ctx)
    assert counts(panel) == {"Market traders": 1}


def test_type_and_mentions_columns_fit_their_longest_text(
    qtbot, ctx, article_id, model_tester
) -> None:
    """Measured from the font once per read (ResizeToContents measured every cell)."""
    from archive import tagtypes

    two_spellings(ctx, article_id)
    panel = make_panel(qtbot, ctx, model_tester)
    header = panel.view.horizontalHeader()
    metrics = panel.view.fontMetrics()

    def fits(column: int) -> bool:
        m = panel.model
        width = panel.view.columnWidth(column)
        return width >= header.sectionSizeHint(column) and all(
            metrics.horizontalAdvance(str(m.data(m.index(r, column)))) < width
            for r in range(m.rowCount())
        )

    assert fits(EntityTableModel.TYPE) and fits(EntityTableModel.MENTIONS)
    # An entity's mentions: source, date and note fit too.
    keep = next(r.id for r in panel.model.rows() if r.name == "Major Aung Test")
    annotate.update_annotation(
        ctx.archive,
        entities.mentions(ctx.archive, keep)[0].annotation_id,
        note="Named by two witnesses at the hospital gate",
    )
    panel.refresh()
    settle(qtbot, ctx)
    panel.select_entity(keep)
    qtbot.waitUntil(lambda: panel.mentions_model.rowCount() == 1, timeout=10000)
    mm, mv = panel.mentions_model, panel.mentions_view
    for column in (1, 2, 4):
        text = str(mm.data(mm.index(0, column)))
        assert text and mv.fontMetrics().horizontalAdvance(text) < mv.columnWidth(column)
    before = panel.view.columnWidth(EntityTableModel.TYPE)
    tagtypes.create_tag_type(ctx.archive, "witness", "Witness of the hospital strike", "#884422")
    entities.create_entity(ctx.archive, "witness", "Ko Min")
    panel.refresh()
    settle(qtbot, ctx)
    assert panel.model.rowCount() == 3
    assert fits(EntityTableModel.TYPE) and panel.view.columnWidth(EntityTableModel.TYPE) > before
