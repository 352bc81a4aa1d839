"""Table models the panels and dialogs share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel):
    """A flat table: one object a row (`_rows`), fixed column names (`COLUMNS`).

    Subclasses give `data()`; `item(index)` is the row object of a valid index.
    """

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    @contextmanager
    def resetting(self) -> Iterator[None]:
        """Wrap a change of every row (and of what `data()` reads besides) in a model reset."""
        self.beginResetModel()
        try:
            yield
        finally:
            self.endResetModel()

    def set_rows(self, rows: Iterable[Any]) -> None:
        """Replace every row."""
        with self.resetting():
            self._rows = list(rows)

    def replace_rows(self, rows: Iterable[Any]) -> None:
        """Show `rows` instead, telling views only what differs: rows removed, inserted
        and changed (by `id`), so selection, current row and scrolling stay; a reset
        only when the kept rows come in another order."""
        new = list(rows)
        new_ids = [r.id for r in new]
        wanted = set(new_ids)
        if len(wanted) != len(new) or len({r.id for r in self._rows}) != len(self._rows):
            self.set_rows(new)  # ids not unique: no row-by-row diff
            return
        # Removals, bottom up, a run of neighbours at a time.
        gone = [i for i, r in enumerate(self._rows) if r.id not in wanted]
        for first, last in reversed(runs_of(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        kept = [r.id for r in self._rows]
        have = set(kept)
        if [i for i in new_ids if i in have] != kept:
            self.set_rows(new)  # reordered: tell it as a reset
            return
        # Insertions, top down: the rows kept are already in their new order.
        fresh = [i for i, row_id in enumerate(new_ids) if row_id not in have]
        for first, last in runs_of(fresh):
            self.beginInsertRows(QModelIndex(), first, last)
            self._rows[first:first] = new[first : last + 1]
            self.endInsertRows()
        # What is left: rows whose values changed.
        changed = [i for i, r in enumerate(new) if self._rows[i] is not r and self._rows[i] != r]
        self._rows = new
        last_column = max(self.columnCount() - 1, 0)
        for first, last in runs_of(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))

    def row(self, row: int) -> Any:
        """The object shown in `row`."""
        return self._rows[row]

    def rows(self) -> list[Any]:
        """Every object shown, in row order."""
        return list(self._rows)

    def row_of(self, row_id: str) -> int | None:
        """The row showing the object whose `id` is `row_id`, if any."""
        for row, item in enumerate(self._rows):
            if item.id == row_id:
                return row
        return None

    def find(self, row_id: str) -> Any | None:
        """The object whose `id` is `row_id`, if shown."""
        row = self.row_of(row_id)
        return None if row is None else self._rows[row]

    def item(self, index: Index) -> Any | None:
        """The object of a valid index's row (None for an invalid or stale index)."""
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        return self._rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.header(section)
        return None

    def header(self, section: int) -> str:
        """The title of a column (translated)."""
        return self.tr(self.COLUMNS[section])


def runs_of(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as (first, last) runs of neighbours: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs
