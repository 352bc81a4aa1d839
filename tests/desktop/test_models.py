"""The shared row table model: rows, ids, headers, and Qt's model checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from desktop.models import Index, RowTableModel


@dataclass
class Thing:
    id: str
    name: str


class ThingModel(RowTableModel):
    COLUMNS = ("Id", "Name")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        thing = self.item(index)
        if thing is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (thing.id, thing.name)[index.column()]


def test_rows_ids_and_headers(qtbot) -> None:
    model = ThingModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert model.rowCount() == 0 and model.columnCount() == 2
    with qtbot.waitSignal(model.modelReset):
        model.set_rows(iter([Thing("a", "Ana"), Thing("b", "Bo")]))
    assert model.rowCount() == 2
    assert model.rowCount(model.index(0, 0)) == 0  # a flat table: no children
    assert model.row(1).name == "Bo"
    assert [t.id for t in model.rows()] == ["a", "b"]
    assert model.row_of("b") == 1 and model.row_of("zz") is None
    assert model.data(model.index(1, 1)) == "Bo"
    assert model.item(QModelIndex()) is None
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(1, Qt.Orientation.Vertical) is None
    assert model.headerData(2, Qt.Orientation.Horizontal) is None
    model.rows().clear()  # a copy: the model keeps its rows
    assert model.rowCount() == 2
    model.set_rows([])
    assert model.rowCount() == 0


def test_find_by_id() -> None:
    model = ThingModel()
    model.set_rows([Thing("a", "Ana"), Thing("b", "Bo")])
    found = model.find("b")
    assert found is not None and found.name == "Bo"
    assert model.find("zz") is None
