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


# -- replace_rows: only what differs is told ------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PySide6.QtCore import QPersistentModelIndex  # noqa: E402

_IDS = [f"t{i}" for i in range(12)]


def _things(ids: list[str], names: list[int]) -> list[Thing]:
    return [Thing(i, f"n{names[k % len(names)]}") for k, i in enumerate(ids)]


@settings(max_examples=60, deadline=None)
@given(
    first=st.lists(st.sampled_from(_IDS), unique=True, max_size=10),
    second=st.lists(st.sampled_from(_IDS), unique=True, max_size=10),
    names=st.lists(st.integers(0, 2), min_size=1, max_size=5),
    keep_order=st.booleans(),
)
def test_replace_rows_ends_with_the_new_rows_and_resets_only_on_reorder(
    qapp, first: list[str], second: list[str], names: list[int], keep_order: bool
) -> None:
    model = ThingModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(_things(first, [0]))
    if keep_order:  # the kept rows stay in their order (the usual case: a tag, an edit)
        order = {i: n for n, i in enumerate(first)}
        kept = sorted((i for i in second if i in order), key=order.__getitem__)
        second = kept + [i for i in second if i not in order]
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    shown = [model.index(r, 0) for r in range(model.rowCount())]
    persistent = [(model.data(i), QPersistentModelIndex(i)) for i in shown]
    new = _things(second, names)
    model.replace_rows(new)
    assert [(t.id, t.name) for t in model.rows()] == [(t.id, t.name) for t in new]
    for r, thing in enumerate(new):
        assert model.index(r, 1).data() == thing.name
    if keep_order:
        assert resets == []
        # A row still shown is still pointed at by the views' persistent indexes.
        for row_id, index in persistent:
            if row_id in second:
                assert index.isValid() and model.data(model.index(index.row(), 0)) == row_id
            else:
                assert not index.isValid()
