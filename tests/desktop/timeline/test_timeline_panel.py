"""The timeline view: precision drawn as bands, lanes, filters, zoom, an event's passages."""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QPoint, Qt

from desktop.timeline.panel import PassageRole, TimelinePanel
from tests.archive.test_timeline import build_case


def _shown(qtbot: Any, ctx: Any) -> tuple[TimelinePanel, dict[str, str]]:
    ids = build_case(ctx.archive)
    panel = TimelinePanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 420)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.show()
    qtbot.waitUntil(lambda: panel.actor_box.count() > 1, timeout=10000)
    return panel, ids


def _names(panel: TimelinePanel) -> list[str]:
    return [e.name for e in panel.canvas.layout_.events]


def test_events_drawn_by_precision_in_lanes_that_do_not_collide(qtbot: Any, ctx: Any) -> None:
    panel, ids = _shown(qtbot, ctx)
    canvas = panel.canvas
    assert _names(panel) == [
        "Campaign", "Nurses' strike", "Detentions", "Hospital raid", "Mandalay marches",
    ]  # fmt: skip
    assert "1 undated not shown" in panel.count_label.text()
    raid, strike, week = (canvas.event_rect(ids[k]) for k in ("raid", "strike", "detentions"))
    assert raid is not None and strike is not None and week is not None
    # February 2021 has 28 days, an ISO week 7: the bands are that wide, the day a bar.
    assert abs(strike.width() - 28 * canvas.ppd) <= 2
    assert abs(week.width() - 7 * canvas.ppd) <= 2
    assert raid.width() < strike.width() / 5
    lay = canvas.layout_
    for lane in range(lay.lanes):
        spans = [(lay.first[i], lay.last[i]) for i in lay.lane_events[lane]]
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))
    # The campaign (January to April) shares no lane with what falls inside it.
    campaign = lay.index_of(ids["campaign"])
    assert campaign is not None
    assert sum(1 for i in range(len(lay.events)) if lay.lane[i] == lay.lane[campaign]) == 1
    # Everything fits at first; zoomed in, a paint looks at fewer events.
    assert sorted(canvas.visible_events()) == list(range(5))
    canvas.select(ids["raid"])
    for _ in range(8):
        qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.ppd > 20
    assert ids["raid"] in {lay.events[i].event_id for i in canvas.visible_events()}
    assert len(canvas.visible_events()) < 5
    qtbot.keyClick(canvas, Qt.Key.Key_0)
    assert len(canvas.visible_events()) == 5
    canvas.grab()  # paints without error at every zoom
    canvas.zoom(1000)
    canvas.grab()


def test_filters_by_actor_role_and_collection(qtbot: Any, ctx: Any) -> None:
    panel, ids = _shown(qtbot, ctx)
    actors = [panel.actor_box.itemText(i) for i in range(panel.actor_box.count())]
    assert actors == ["Any actor", "Hnin Wai", "Kyaw Swar Lin"]
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.actor_box.setCurrentIndex(panel.actor_box.findData(ids["hnin"]))
    assert _names(panel) == ["Nurses' strike", "Hospital raid"]
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.role_box.setCurrentIndex(panel.role_box.findData("perpetrator"))
    assert _names(panel) == []
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.actor_box.setCurrentIndex(0)
    assert _names(panel) == ["Hospital raid"]
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.role_box.setCurrentIndex(0)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.collection_box.setCurrentIndex(panel.collection_box.findData("Case"))
    assert _names(panel) == ["Nurses' strike", "Detentions", "Mandalay marches"]


def test_clicking_an_event_lists_its_passages_and_opens_one(qtbot: Any, ctx: Any) -> None:
    panel, ids = _shown(qtbot, ctx)
    canvas = panel.canvas
    for _ in range(6):
        canvas.zoom(1.5, canvas.x_of(canvas.layout_.first[canvas.layout_.index_of(ids["raid"])]))
    rect = canvas.event_rect(ids["raid"])
    assert rect is not None
    with qtbot.waitSignal(panel.passagesShown, timeout=10000) as shown:
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.args == [ids["raid"]]
    assert "Hospital raid" in panel.event_label.text() and "Yangon" in panel.event_label.text()
    found = [panel.passages.item(i).data(PassageRole) for i in range(panel.passages.count())]
    assert sorted(p.why for p in found) == ["perpetrator: Kyaw Swar Lin", "tag", "victim: Hnin Wai"]
    tagged = next(i for i, p in enumerate(found) if p.why == "tag")
    with qtbot.waitSignal(ctx.articleOpenRequested) as opened:
        panel.passages.itemActivated.emit(panel.passages.item(tagged))
    assert opened.args == [ids["one"], [(found[tagged].start, found[tagged].end)]]
    # A click on empty space clears the choice.
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 300))
    assert canvas.selected is None and panel.passages.count() == 0


def test_a_change_is_read_again_keeping_the_view(qtbot: Any, ctx: Any) -> None:
    from archive import entities

    panel, _ids = _shown(qtbot, ctx)
    panel.canvas.zoom(3)
    ppd = panel.canvas.ppd
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        entities.create_entity(ctx.archive, "event", "Vigil", date_start="2021-03-03")
        ctx.entitiesChanged.emit()
    assert "Vigil" in _names(panel) and panel.canvas.ppd == ppd


def test_view_menu_opens_the_timeline_with_its_shortcut(qtbot: Any, window: Any) -> None:
    from PySide6.QtGui import QKeySequence

    build_case(window.ctx.archive)
    dock = next(d for d in window.view_docks if d.objectName() == "timelineDock")
    assert not dock.isVisible()
    action = dock.toggleViewAction()
    assert action.shortcut() == QKeySequence("Ctrl+Shift+T")
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions()
    panel = dock.widget()
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        action.trigger()
    assert dock.isVisible() and len(panel.canvas.layout_.events) == 5


def test_days_in_a_row_take_two_lanes(qtbot: Any, ctx: Any) -> None:
    from archive import entities

    for name, day in (("First day", "2021-03-04"), ("Next day", "2021-03-05")):
        entities.create_entity(ctx.archive, "event", name, date_start=day)
    panel = TimelinePanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.show()
    lay = panel.canvas.layout_
    assert [e.name for e in lay.events] == ["First day", "Next day"]
    assert lay.lane[0] != lay.lane[1]  # side by side in one lane they read as one bar
