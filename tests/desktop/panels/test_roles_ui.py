"""Roles and relations in the window: "Add role…" / "Add relation…" from the reader's
selection and from an annotation, and an entity's roles and relations in the entities
panel, each opening its passage (desktop/roles.py)."""

from __future__ import annotations

from archive import annotate, entities, roles
from desktop.panels.annotations import AnnotationsPanel
from desktop.panels.entities import EntitiesPanel
from tests.desktop.reader.articles import TEXT
from tests.desktop.reader.test_reader import open_reader, select_with_qt

SENTENCE = "Later, the army staged a march through the town."


def _action(actions, name):  # type: ignore[no-untyped-def]
    return next(a for a in actions if a.objectName() == name)


def test_add_role_from_the_readers_selection(qtbot, ctx, article_id) -> None:
    entities.create_entity(ctx.archive, "actor", "Tatmadaw", aliases=["the army"])
    reader = open_reader(qtbot, ctx, article_id)
    select_with_qt(reader, TEXT, SENTENCE)
    _action(reader.view.context_actions(), "addRole").trigger()
    dialog = reader.role_dialog
    assert dialog is not None and SENTENCE in dialog.quote_label.text()
    dialog.accept()  # nothing named yet: the form says so and stays open
    assert dialog.error_label.isVisible() and reader.role_dialog is dialog
    dialog.event_edit.setText("March through the town")  # a new event
    dialog.actor_edit.setText("the army")  # an alias of an existing actor
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("perpetrator"))
    dialog.accept()
    qtbot.waitUntil(lambda: len(roles.list_roles(ctx.archive)) == 1, timeout=5000)
    [role] = roles.list_roles(ctx.archive)
    assert (role.event, role.actor, role.role, role.quote) == (
        "March through the town", "Tatmadaw", "perpetrator", SENTENCE)  # fmt: skip
    ann = annotate.get_annotation(ctx.archive, role.annotation_id)
    assert (ann.type, ann.entity) == ("event", "March through the town")
    # One undo step takes the role, its passage and its new event.
    ctx.writer.undo()
    qtbot.waitUntil(lambda: roles.list_roles(ctx.archive) == [], timeout=5000)
    assert annotate.list_annotations(ctx.archive, article_id) == []


def test_add_relation_from_an_annotation(qtbot, ctx, article_id) -> None:
    start = TEXT.index("Major Aung Test")
    ann = annotate.create_annotation(
        ctx.archive, article_id, start, start + 15, "actor", entity_name="Aung Test"
    )
    panel = AnnotationsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_article(article_id)
    [record] = [a for a in panel.model.rows() if a.id == ann.id]
    actions = panel.role_actions(record)
    _action(actions, "addRelation").trigger()
    dialog = panel.relation_dialog
    assert dialog.subject_edit.text() == "Aung Test"  # the annotation's actor first
    dialog.object_edit.setText("Test Workers Union")
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("member_of"))
    dialog.from_edit.setText("March 2021")
    dialog.accept()
    assert "must look like" in dialog.error_label.text()
    dialog.from_edit.setText("2021-03")
    dialog.accept()
    qtbot.waitUntil(lambda: len(roles.list_relations(ctx.archive)) == 1, timeout=5000)
    [rel] = roles.list_relations(ctx.archive)
    assert (rel.subject, rel.type, rel.object, rel.annotation_id, rel.date_start) == (
        "Aung Test", "member_of", "Test Workers Union", ann.id, "2021-03")  # fmt: skip
    assert rel.first_cited == "2021-03-05"


def test_entities_panel_lists_roles_and_relations(qtbot, ctx, article_id, model_tester) -> None:
    start = TEXT.index(SENTENCE)
    for kind, name in (("event", "March"), ("actor", "Tatmadaw"), ("actor", "LID 33")):
        entities.create_entity(ctx.archive, kind, name)
    role = roles.add_role(ctx.archive, "March", "Tatmadaw", "perpetrator", quote=SENTENCE)
    roles.add_relation(
        ctx.archive, "LID 33", "Tatmadaw", "part_of", annotation_id=role.annotation_id
    )
    panel = EntitiesPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=10000)
    model_tester(panel.claims_model)
    march = next(e for e in entities.list_entities(ctx.archive, "event"))
    panel.select_entity(march.id)
    m = panel.claims_model
    assert [m.data(m.index(r, 0)) for r in range(m.rowCount())] == [
        "Tatmadaw — perpetrator — March"]  # fmt: skip
    tatmadaw = entities.find_entity  # the actor: its role and its relation
    with ctx.archive.session() as session:
        actor_id = tatmadaw(session, "Tatmadaw", "actor").id  # type: ignore[union-attr]
    panel.select_entity(actor_id)
    assert [m.data(m.index(r, 0)) for r in range(m.rowCount())] == [
        "Tatmadaw — perpetrator — March", "LID 33 — part of — Tatmadaw"]  # fmt: skip
    assert m.data(m.index(1, 2)) == "2021-03-05"
    assert "2" in panel.claims_label.text()
    with qtbot.waitSignal(ctx.articleOpenRequested) as opened:
        panel.open_claim(1)
    assert opened.args == [article_id, [(start, start + len(SENTENCE))]]
    # A new role shows without reselecting (roles are announced with the entities).
    ctx.writer.change(
        "Add role",
        lambda ch: roles.add_role(
            ch, "March", "LID 33", "perpetrator", annotation_id=role.annotation_id
        ),
    )
    panel.select_entity(march.id)
    qtbot.waitUntil(lambda: m.rowCount() == 2, timeout=5000)
