"""The relation graph view: nodes and edges of every role and relation, a node opening it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt

from archive import roles
from desktop.graph.panel import ClaimRole, GraphPanel
from tests.archive.test_timeline import build_case


def _shown(qtbot: Any, ctx: Any) -> tuple[GraphPanel, dict[str, str]]:
    ids = build_case(ctx.archive)
    roles.add_relation(
        ctx.archive, ids["kyaw"], ids["hnin"], "commands", annotation_id=ids["perp_ann"]
    )
    panel = GraphPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    with qtbot.waitSignal(panel.loaded, timeout=20000):
        panel.show()
    return panel, ids


def test_every_role_and_relation_is_drawn(qtbot: Any, ctx: Any) -> None:
    panel, ids = _shown(qtbot, ctx)
    # With the events tagged that have no role yet (detentions, marches).
    assert set(panel.items) == {
        ids["raid"], ids["strike"], ids["kyaw"], ids["hnin"], ids["detentions"], ids["marches"],
    }  # fmt: skip
    assert sorted(c.kind for c in panel.data.claims) == ["relation", "role", "role", "role"]
    assert panel.count_label.text() == "6 actor(s) and event(s), 3 role(s), 1 relation(s)"
    # Laid out apart: no two nodes on one spot.
    spots = {(round(i.pos().x()), round(i.pos().y())) for i in panel.items.values()}
    assert len(spots) == 6
    panel.view.grab()


def test_clicking_a_node_opens_it_and_its_claims_open_the_reader(qtbot: Any, ctx: Any) -> None:
    panel, ids = _shown(qtbot, ctx)
    item = panel.items[ids["raid"]]
    at = panel.view.mapFromScene(item.scenePos())
    with qtbot.waitSignal(panel.nodeOpened, timeout=5000) as opened:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert opened.args == [ids["raid"]]
    assert panel.node_label.text().startswith("Hospital raid (event)\n2021-03-02")
    claims = [panel.claims.item(i).data(ClaimRole) for i in range(panel.claims.count())]
    assert sorted(c.what for c in claims) == ["Perpetrator", "Victim"]
    perp = next(c for c in claims if c.what == "Perpetrator")
    assert perp.quote == "Major Kyaw Swar Lin" and perp.end - perp.start == len(perp.quote)
    with qtbot.waitSignal(ctx.articleOpenRequested) as shown:
        panel.claims.itemActivated.emit(panel.claims.item(claims.index(perp)))
    assert shown.args == [ids["one"], [(perp.start, perp.end)]]


def test_an_empty_archive_says_what_to_do(qtbot: Any, ctx: Any) -> None:
    panel = GraphPanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=20000):
        panel.show()
    assert "No roles or relations yet" in panel.count_label.text()


def test_view_menu_opens_the_graph(qtbot: Any, window: Any) -> None:
    from PySide6.QtGui import QKeySequence

    dock = next(d for d in window.view_docks if d.objectName() == "graphDock")
    assert not dock.isVisible()
    assert dock.toggleViewAction().shortcut() == QKeySequence("Ctrl+Shift+G")
    with qtbot.waitSignal(dock.widget().loaded, timeout=20000):
        dock.toggleViewAction().trigger()
    assert dock.isVisible()


def _uncovered_point(panel: GraphPanel, item: Any) -> Any:
    """A viewport point where `item` is the topmost node (a label or another node
    laid out close by can cover its centre: the spring layout packs small graphs)."""
    centre = panel.view.mapFromScene(item.scenePos())
    box = panel.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    candidates = [centre] + [
        QPoint(x, y) for x in range(box.left(), box.right()) for y in range(box.top(), box.bottom())
    ]
    for point in candidates:
        under = panel.view.items(point)
        if under and (under[0] is item or under[0].parentItem() is item):
            return point
    return centre


def test_activating_a_node_asks_for_it_in_the_entities_panel(qtbot: Any, ctx: Any) -> None:
    panel, ids = _shown(qtbot, ctx)
    assert not panel.entity_button.isEnabled()  # nothing chosen yet
    at = _uncovered_point(panel, panel.items[ids["kyaw"]])
    with qtbot.waitSignal(ctx.entityOpenRequested, timeout=5000) as asked:
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert asked.args == [ids["kyaw"]]
    assert panel.current == ids["kyaw"]  # and its claims are listed here
    # Enter on the selected node, and the button, ask for the same.
    panel.open_node(ids["raid"])
    with qtbot.waitSignal(ctx.entityOpenRequested, timeout=5000) as asked:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert asked.args == [ids["raid"]]
    assert panel.entity_button.isEnabled()
    with qtbot.waitSignal(ctx.entityOpenRequested, timeout=5000) as asked:
        qtbot.mouseClick(panel.entity_button, Qt.MouseButton.LeftButton)
    assert asked.args == [ids["raid"]]
    # A double click on empty space asks for nothing.
    from PySide6.QtCore import QPoint

    size = panel.view.viewport().size()
    corner = next(
        p
        for p in (
            QPoint(x, y) for x in range(2, size.width(), 15) for y in range(2, size.height(), 15)
        )
        if panel.view.itemAt(p) is None
    )
    with qtbot.assertNotEmitted(ctx.entityOpenRequested, wait=200):
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=corner)


def test_the_window_shows_an_asked_for_entity_in_the_entities_panel(
    qtbot: Any, window: Any
) -> None:
    ids = build_case(window.ctx.archive)
    dock = window.findChild(type(window.panel_docks[0]), "entitiesDock")
    entities = dock.widget()
    with qtbot.waitSignal(entities.loaded, timeout=10000):
        entities.refresh()
    window.panel_docks[0].raise_()  # another panel in front
    window.ctx.entityOpenRequested.emit(ids["kyaw"])
    qtbot.waitUntil(lambda: entities.selected_ids()[:1] == [ids["kyaw"]], timeout=5000)
    assert entities.isVisible()
    # Hidden by the panel's type filter: the filter is cleared, then it is shown.
    with qtbot.waitSignal(entities.loaded, timeout=10000):
        entities.set_type_filter("actor")
    assert entities.model.row_of(ids["raid"]) is None
    with qtbot.waitSignal(entities.loaded, timeout=10000):
        window.ctx.entityOpenRequested.emit(ids["raid"])
    qtbot.waitUntil(lambda: entities.selected_ids()[:1] == [ids["raid"]], timeout=5000)
