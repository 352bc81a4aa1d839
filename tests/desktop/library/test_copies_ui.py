"""The library's copy groups: the Copies column, showing a group, split and join (pytest-qt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QMenu

from archive import copies
from archive.ingest import import_paths
from archive.library import COLUMNS
from desktop.library import copies_ui
from desktop.library.panel import LibraryPanel
from tests.archive.copies_pairs import WIRE, WIRE_BYLINE, WIRE_OTHER, WIRE_TRIMMED

TITLE = "Troops open fire on marchers in Mandalay"
OTHER = "Funerals held under guard after Mandalay shootings"


@pytest.fixture
def setup(qtbot, ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in (
        ("wire.txt", WIRE),
        ("byline.txt", WIRE_BYLINE),
        ("trimmed.txt", WIRE_TRIMMED),
        ("other.txt", WIRE_OTHER),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    result = import_paths(ctx.archive, [folder], index=False)
    ids = {Path(i.path).name: i.id for i in result.imported}
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()
    return panel, ids


def _copies_cell(panel: LibraryPanel, article_id: str) -> tuple[str, str]:
    row = panel.model.row_of(article_id)
    assert row is not None
    index = panel.model.index(row, COLUMNS.index("copies"))
    return index.data(), index.data(Qt.ItemDataRole.ToolTipRole) or ""


def _menu_actions(panel: LibraryPanel, ids: list[str]) -> dict[str, object]:
    menu = QMenu(panel)
    copies_ui.add_actions(panel, menu, ids)
    return {a.objectName(): a for a in menu.actions() if a.objectName()}


def _select(panel: LibraryPanel, ids: list[str]) -> None:
    panel.table.clearSelection()
    for article_id in ids:
        row = panel.model.row_of(article_id)
        assert row is not None
        panel.table.selectionModel().select(
            panel.model.index(row, 0),
            panel.table.selectionModel().SelectionFlag.Select
            | panel.table.selectionModel().SelectionFlag.Rows,
        )


def test_copies_column_shows_group_size_and_what_it_copies(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    panel, ids = setup
    shown, tip = _copies_cell(panel, ids["wire.txt"])
    assert shown == "×3"
    assert "Copy of 2 other article(s)" in tip and "copies:" in tip
    assert _copies_cell(panel, ids["other.txt"]) == ("", "")
    assert panel.model.headerData(COLUMNS.index("copies"), Qt.Orientation.Horizontal) == "Copies"


def test_show_its_copies_filters_the_library_to_the_group(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    panel, ids = setup
    actions = _menu_actions(panel, [ids["byline.txt"]])
    assert set(actions) == {"showCopiesAction", "splitCopiesAction"}
    actions["showCopiesAction"].trigger()  # type: ignore[attr-defined]
    assert panel.filter_edit.text().startswith("copies:")
    shown = {panel.model.article_id(r) for r in range(panel.model.rowCount())}
    assert shown == {ids["wire.txt"], ids["byline.txt"], ids["trimmed.txt"]}
    # Sorting by the column puts each group's members side by side.
    panel.filter_edit.clear()
    panel.apply_filter()
    panel.table.sortByColumn(COLUMNS.index("copies"), Qt.SortOrder.DescendingOrder)
    top = {panel.model.article_id(r) for r in range(3)}
    assert top == {ids["wire.txt"], ids["byline.txt"], ids["trimmed.txt"]}


def test_split_and_join_through_the_writer_and_undo(qtbot, setup) -> None:  # type: ignore[no-untyped-def]
    panel, ids = setup
    archive = panel.ctx.archive
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        _menu_actions(panel, [ids["trimmed.txt"]])["splitCopiesAction"].trigger()  # type: ignore[attr-defined]
    assert _copies_cell(panel, ids["trimmed.txt"])[0] == ""
    assert _copies_cell(panel, ids["wire.txt"])[0] == "×2"
    both = [ids["trimmed.txt"], ids["other.txt"]]
    _select(panel, both)
    assert sorted(panel.selected_ids()) == sorted(both)
    actions = _menu_actions(panel, panel.selected_ids())
    assert "joinCopiesAction" in actions and "showCopiesAction" not in actions
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        actions["joinCopiesAction"].trigger()  # type: ignore[attr-defined]
    assert _copies_cell(panel, ids["other.txt"])[0] == "×2"
    assert {frozenset(g.articles) for g in copies.copy_groups(archive)} == {
        frozenset([ids["wire.txt"], ids["byline.txt"]]),
        frozenset(both),
    }
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.ctx.writer.undo()
    assert _copies_cell(panel, ids["other.txt"])[0] == ""
