"""Sensitive quotes hidden in the Entities, Figures, Timeline and Graph panels until revealed
(the reader's RevealState); the library offers the sensitive mark that applies; the timeline's
axis names the year; the graph's labels drawn by zoom."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu, QWidget

from archive import annotate, review
from desktop.review.reveal import HIDDEN_QUOTE, QuoteMask, RevealState
from tests.archive.test_timeline import build_case

SECRET = "Daw Hnin Wai"


Shown = Callable[..., Any]


@pytest.fixture
def case(ctx: Any) -> dict[str, str]:
    """The timeline tests' case (build_case), the victim's passage marked sensitive."""
    ids = build_case(ctx.archive)
    review.flag_annotation(ctx.archive, ids["victim_ann"], True, "personal")
    return ids


@pytest.fixture
def shown(qtbot: Any, ctx: Any, request: pytest.FixtureRequest) -> Shown:
    """`shown(Panel, size=None, check=None)`: the panel made, shown and waited for (its
    first `loaded`, no background task left); `check` names a model to test from the start."""

    def make(cls: type[QWidget], size: tuple[int, int] | None = None, check: str = "") -> Any:
        panel: Any = cls(ctx)
        qtbot.addWidget(panel)
        loads: list[object] = []
        panel.loaded.connect(lambda *_: loads.append(None))
        if check:
            request.getfixturevalue("model_tester")(getattr(panel, check))
        if size:
            panel.resize(*size)
        panel.show()
        qtbot.waitUntil(lambda: bool(loads) and not ctx.tasks.busy, timeout=20000)
        return panel

    return make


def test_quote_mask_follows_the_reveal_state(qtbot: Any, ctx: Any) -> None:
    state = RevealState.of(ctx)
    mask = QuoteMask(state, {"art": (False, [("p1", 10, 20)]), "whole": (True, [])})
    assert mask.quote("x", "art", "p1") == HIDDEN_QUOTE
    assert mask.quote("x", "art", "p2", 15, 30) == HIDDEN_QUOTE  # overlaps the passage
    assert mask.quote("x", "art", "p2", 20, 30) == "x"
    assert mask.quote("x", "whole", "any") == HIDDEN_QUOTE
    state.reveal(["p1", "whole"])
    assert mask.quote("x", "art", "p1") == "x" and mask.quote("x", "whole", "any") == "x"


def test_entities_panel_hides_mentions_and_claims(
    ctx: Any, case: dict[str, str], shown: Shown
) -> None:
    from desktop.panels.entities import EntitiesPanel

    ids = case
    panel = shown(EntitiesPanel, check="mentions_model")
    panel.select_entity(ids["hnin"])
    m, c = panel.mentions_model, panel.claims_model
    assert m.data(m.index(0, 3)) == HIDDEN_QUOTE
    quotes = {c.data(c.index(r, 1)) for r in range(c.rowCount())}
    assert quotes == {HIDDEN_QUOTE} and c.rowCount() == 2
    assert SECRET not in (c.data(c.index(0, 0), 3) or "")  # the tooltip too
    RevealState.of(ctx).reveal([ids["victim_ann"]])
    assert m.data(m.index(0, 3)) == SECRET
    assert {c.data(c.index(r, 1)) for r in range(c.rowCount())} == {SECRET}
    panel.select_entity(ids["kyaw"])  # not sensitive: shown
    assert m.data(m.index(0, 3)) == "Major Kyaw Swar Lin"


def test_figures_panel_hides_claims_of_sensitive_articles(
    ctx: Any, article_id: str, shown: Shown
) -> None:
    from desktop.panels.figures import FiguresPanel
    from tests.desktop.reader.articles import TEXT

    start = TEXT.index("More than 600 police officers")
    annotate.create_annotation(
        ctx.archive, article_id, start, start + 29, "figure", entity_name="police"
    )
    review.flag_articles(ctx.archive, [article_id], True, "graphic")
    panel = shown(FiguresPanel)
    panel.select_group(0)
    m = panel.claims_model
    assert m.data(m.index(0, 6)) == HIDDEN_QUOTE
    RevealState.of(ctx).reveal([article_id])
    assert m.data(m.index(0, 6)) == "More than 600 police officers"


def test_timeline_panel_hides_passages_and_names_the_year(
    qtbot: Any, ctx: Any, case: dict[str, str], shown: Shown
) -> None:
    from desktop.timeline.canvas import _ticks, context_label
    from desktop.timeline.panel import TimelinePanel

    ids = case
    panel = shown(TimelinePanel, size=(1100, 420))
    panel.canvas.selected = ids["raid"]
    with qtbot.waitSignal(panel.passagesShown, timeout=10000):
        panel.show_passages(ids["raid"])
    texts = [panel.passages.item(i).text() for i in range(panel.passages.count())]
    assert any(HIDDEN_QUOTE in t for t in texts) and not any(SECRET in t for t in texts)
    assert any("Major Kyaw Swar Lin" in t for t in texts)
    RevealState.of(ctx).reveal([ids["victim_ann"]])
    texts = [panel.passages.item(i).text() for i in range(panel.passages.count())]
    assert any(SECRET in t for t in texts)
    # The axis: the left edge names month and year (days) or the year (months).
    assert context_label(date(2021, 3, 4), 60) == "Mar 2021"
    assert context_label(date(2021, 3, 4), 2) == "2021"
    assert context_label(date(2021, 3, 4), 0.01) == ""
    labels = {label for _, label, _ in _ticks(date(2020, 12, 30), date(2021, 1, 2), 30)}
    assert "1 Jan 2021" in labels
    panel.canvas.grab()


def test_graph_panel_hides_quotes_and_draws_labels_by_zoom(
    ctx: Any, case: dict[str, str], shown: Shown
) -> None:
    from desktop.graph.panel import CLAIM_LOD, NAME_LOD, GraphPanel, ZoomLabel

    ids = case
    panel = shown(GraphPanel, size=(900, 500))
    # Events with no role are drawn too (detentions, marches).
    assert {ids["detentions"], ids["marches"]} <= set(panel.items)
    panel.open_node(ids["hnin"])
    texts = [panel.claims.item(i).text() for i in range(panel.claims.count())]
    assert texts and all(HIDDEN_QUOTE in t for t in texts)
    tips = [line.toolTip() for line, c in panel.lines if c.annotation_id == ids["victim_ann"]]
    assert tips and all(SECRET not in t for t in tips)
    RevealState.of(ctx).reveal([ids["victim_ann"]])
    texts = [panel.claims.item(i).text() for i in range(panel.claims.count())]
    assert all(SECRET in t for t in texts)
    # Labels: names from NAME_LOD, claims from CLAIM_LOD, or for the chosen node.
    kyaw = panel.items[ids["kyaw"]]
    name = next(c for c in kyaw.childItems() if isinstance(c, ZoomLabel))
    claim_labels = [
        x for x in panel.scene.items() if isinstance(x, ZoomLabel) and x.lod == CLAIM_LOD
    ]
    assert claim_labels
    assert not name.shown_at(NAME_LOD / 2) and name.shown_at(NAME_LOD)
    theirs = [x for x in claim_labels if kyaw in x.owners]
    assert theirs and not any(x.shown_at(NAME_LOD) for x in theirs)
    panel.open_node(ids["kyaw"])  # selected: its name, and its claims' labels once apart
    assert name.shown_at(0.1) and not any(x.shown_at(0.1) for x in theirs)
    assert all(x.shown_at(NAME_LOD) for x in theirs)
    panel.view.grab()


def test_library_menu_offers_the_sensitive_mark_that_applies(qtbot: Any, ctx: Any) -> None:
    from desktop.library.panel import LibraryPanel
    from tests.desktop.reader.articles import add_article

    plain = add_article(ctx.archive, "A plain report.\n", title="Plain")
    flagged = add_article(ctx.archive, "A graphic report.\n", title="Graphic")
    review.flag_articles(ctx.archive, [flagged], True, "graphic")
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)

    def offered(ids: list[str]) -> set[str]:
        menu = QMenu(panel)
        panel._add_review_actions(menu, ids)
        return {a.objectName() for a in menu.actions() if a.objectName()}

    assert offered([plain]) == {"markSensitive"}
    assert offered([flagged]) == {"markNotSensitive"}
    assert offered([plain, flagged]) == {"markSensitive", "markNotSensitive"}
