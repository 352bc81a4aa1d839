"""The figures view: one figure's claims from different sources, side by side."""

from __future__ import annotations

from archive import annotate
from desktop.panels.figures import FiguresPanel
from tests.desktop.reader.articles import TEXT, add_article


def test_claims_of_one_figure_side_by_side(qtbot, ctx, article_id, model_tester) -> None:
    other_text = "Over 500 police officers had joined by then, the union said.\n"
    other_id = add_article(
        ctx.archive, other_text, title="Union figures", source="Other Wire", published="2021-03-09"
    )
    s1 = TEXT.index("More than 600 police officers")
    annotate.create_annotation(
        ctx.archive, article_id, s1, s1 + 29, "figure", entity_name="police who joined"
    )
    s2 = other_text.index("Over 500 police officers")
    annotate.create_annotation(
        ctx.archive, other_id, s2, s2 + 24, "figure", entity_name="police who joined"
    )
    panel = FiguresPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=10000)
    model_tester(panel.groups_model)
    model_tester(panel.claims_model)
    assert panel.groups_model.rowCount() == 1
    panel.select_group(0)
    m = panel.claims_model
    rows = [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]
    assert rows == [
        ["600", "", "more than", "police officers", "2021-03-05", "Test Wire",
         "More than 600 police officers"],
        ["500", "", "more than", "police officers", "2021-03-09", "Other Wire",
         "Over 500 police officers"],
    ]  # fmt: skip
    g = panel.groups_model
    assert [g.data(g.index(0, c)) for c in range(g.columnCount())] == [
        "police who joined", 2, "500 – 600", "", 2, "Other Wire, Test Wire"]  # fmt: skip
    assert "(2 independent); range 500 – 600" in panel.claims_label.text()
    with qtbot.waitSignal(ctx.articleOpenRequested) as opened:
        panel.open_claim(1)
    assert opened.args == [other_id, [(s2, s2 + 24)]]


def test_a_hidden_figures_view_catches_up_when_shown(qtbot, ctx, article_id) -> None:
    panel = FiguresPanel(ctx)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=10000)
    assert panel.groups_model.rowCount() == 0
    from archive import annotate

    start = TEXT.index("More than 600 police officers")
    ctx.writer.change(
        "Tag",
        lambda ch: annotate.create_annotation(
            ch, article_id, start, start + 29, "figure", entity_name="police who joined"
        ),
    )
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=10000)
    assert panel.groups_model.rowCount() == 0  # hidden: not read yet
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.show()
    assert [g.name for g in panel.groups_model.rows()] == ["police who joined"]


def test_unlinked_figures_shown_by_default_as_on_the_command_line(qtbot, ctx) -> None:
    from archive import figures

    panel = FiguresPanel(ctx)
    qtbot.addWidget(panel)
    assert panel.unlinked_box.isChecked() is figures.SHOW_UNLINKED is True


def test_compare_wide_floats_the_dock_with_figures_beside_claims(qtbot, ctx) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    dock = QDockWidget("Figures", window)
    panel = FiguresPanel(ctx)
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    assert panel.splitter.orientation() == Qt.Orientation.Vertical  # narrow: stacked
    panel.wide_button.click()
    screen = dock.screen().availableGeometry()
    assert dock.isFloating() and dock.width() == min(1100, screen.width() - 40)
    assert dock.frameGeometry().intersects(dock.screen().availableGeometry())
    assert panel.splitter.orientation() == Qt.Orientation.Horizontal
    dock.setFloating(False)
    assert panel.splitter.orientation() == Qt.Orientation.Vertical


def test_a_range_and_a_conflict_show_in_the_figures_view(qtbot, ctx, article_id) -> None:
    text = "Between 700 and 800 police officers had joined, a second union said.\n"
    other = add_article(ctx.archive, text, title="Second", source="Test Wire")
    s1 = TEXT.index("More than 600 police officers")
    annotate.create_annotation(
        ctx.archive, article_id, s1, s1 + 29, "figure", entity_name="police", value=19
    )
    annotate.create_annotation(
        ctx.archive, other, 0, text.index(" had"), "figure", entity_name="police"
    )
    panel = FiguresPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=10000)
    g = panel.groups_model
    # 19 (the value given) against 700-800: no number fits both; one publication, once.
    assert [g.data(g.index(0, c)) for c in range(1, 5)] == [2, "19 – 800", "conflict", 1]
    panel.select_group(0)
    m = panel.claims_model
    assert [m.data(m.index(r, 1)) for r in range(m.rowCount())] == ["", "700 – 800"]
    assert "the sources conflict" in panel.claims_label.text()
