"""The library table model: every article, filtered and sorted in memory.

Rows are read once, off the GUI thread (`archive.library.library_rows`), and
held as light tuples; filtering and sorting work on a list of indexes into
them, so 100,000 articles stay smooth and no row ever costs a query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from archive.library import (
    COLUMNS,
    LibraryFilter,
    LibraryRow,
    filter_rows,
    library_rows,
    shown_date,
    sort_key,
    sort_rows,
    view_rows,
)
from desktop.models import runs_of

# More runs of neighbouring rows than this to remove or insert: one reset instead.
_MOST_RUNS = 64

ARTICLE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

HEADERS = {
    "title": "Title",
    "source": "Source",
    "published": "Date",
    "language": "Lang.",
    "annotations": "Tags",
    "review_status": "Status",
    "assignee": "Assignee",
    "copies": "Copies",
}

HEADER_TIPS = {
    "published": "Date of publication; a web capture without one shows, in italics, "
    "the day it was captured",
    "language": "Language of the article",
    "annotations": "How many passages are tagged (annotations)",
    "review_status": "Review status (filter: status:reviewed, flag:sensitive)",
    "assignee": "Who reviews the article (filter: assignee:NAME)",
    "copies": "Copies of one story (reprints, wire copies) count as one source; "
    "sort by this column to see each group together",
}

Index = QModelIndex | QPersistentModelIndex


class LibraryModel(QAbstractTableModel):
    """Articles as table rows: title, source, date, language, annotation count."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[LibraryRow] = []
        self._by_id: dict[str, int] = {}
        self._view: list[int] = []  # indexes into _rows, filtered and sorted
        self._filter = LibraryFilter()
        self._sort_column = COLUMNS.index("published")
        self._descending = True

    # -- Qt model API --------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._view):
            return None
        row = self._rows[self._view[index.row()]]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(row, column)
            if column == "review_status":
                return value.replace("_", " ")
            if column == "copies":
                return f"×{value}" if value >= 2 else ""
            if column == "published":
                return shown_date(row)
            return value if column != "annotations" else int(value)
        if role == ARTICLE_ID_ROLE:
            return row.id
        if column == "published" and row.captured and not row.published:
            # A capture's day, not a publication date: set apart and said so.
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Captured {row.captured} (no publication date known)"
        if role == Qt.ItemDataRole.ToolTipRole and column == "title":
            return (
                f"{row.title}\n(sensitive: blurred in the reader)" if row.sensitive else row.title
            )
        if role == Qt.ItemDataRole.ToolTipRole and column == "review_status":
            return f"{row.review_status.replace('_', ' ')}; {row.verification}"
        if role == Qt.ItemDataRole.ToolTipRole and column == "annotations" and row.tag_counts:
            return ", ".join(f"{k}: {n}" for k, n in sorted(row.tag_counts.items()))
        if role == Qt.ItemDataRole.ToolTipRole and column == "copies" and row.copies >= 2:
            return copies_tip(row, self._group_titles(row))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("annotations", "copies"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return HEADERS[COLUMNS[section]]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(COLUMNS[section]) if 0 <= section < len(COLUMNS) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[self._view[p.row()]].id for p in persistent]
        self._view = sort_rows(self._rows, self._view, COLUMNS[column], self._descending)
        position = {self._rows[i].id: r for r, i in enumerate(self._view)}
        for old, article_id in zip(persistent, ids, strict=True):
            self.changePersistentIndex(old, self.index(position[article_id], old.column()))
        self.layoutChanged.emit()

    # -- ours ----------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many articles are loaded (before filtering)."""
        return len(self._rows)

    @property
    def current_filter(self) -> LibraryFilter:
        return self._filter

    def rows(self) -> Sequence[LibraryRow]:
        """Every row loaded (filtered out or not); read-only."""
        return self._rows

    def set_rows(self, rows: Sequence[LibraryRow], view: Sequence[int] | None = None) -> None:
        """Replace every row (after a load off the GUI thread).

        `view`: the rows' order under the current filter and sort, when the
        loader computed it off the GUI thread (see `load_view`).
        """
        self.beginResetModel()
        self._rows = list(rows)
        self._by_id = {r.id: i for i, r in enumerate(self._rows)}
        self._view = list(view) if view is not None else self._view_rows()
        self.endResetModel()

    def view_spec(self) -> tuple[LibraryFilter, str, bool]:
        """(filter, sort column, descending): what `load_view` needs."""
        return self._filter, COLUMNS[self._sort_column], self._descending

    def set_filter(self, flt: LibraryFilter) -> None:
        """Show only the rows passing `flt`."""
        if flt == self._filter:
            return
        self.beginResetModel()
        self._filter = flt
        self._view = self._view_rows()
        self.endResetModel()

    def update_rows(self, rows: Sequence[LibraryRow]) -> None:
        """Refresh or add some rows (e.g. after an article's annotations changed)."""
        self.apply_rows(rows, ())

    def apply_rows(self, rows: Sequence[LibraryRow], gone: Iterable[str]) -> None:
        """Refresh or add `rows` and drop the articles `gone` (deleted, retracted),
        telling views only what moved: rows removed, inserted, reordered, changed.

        A row whose filter membership and sort value stay is only repainted (a tag:
        no re-sort of 100,000 rows on the GUI thread); many scattered moves (an
        import undone) are told as one reset.
        """
        gone_ids = {g for g in gone if g in self._by_id}
        fresh = {r.id: r for r in rows}
        column = COLUMNS[self._sort_column]
        key = sort_key(column)
        moved = bool(gone_ids)
        for row_id, row in fresh.items():
            i = self._by_id.get(row_id)
            if i is None:
                moved = True
                continue
            old = self._rows[i]
            if key(old) != key(row) or (
                not self._filter.is_empty
                and bool(filter_rows([old], self._filter)) != bool(filter_rows([row], self._filter))
            ):
                moved = True
            self._rows[i] = row
        if not moved:
            self._repaint(fresh)
            return
        old_view = [self._rows[i].id for i in self._view]
        rows_now = [r for r in self._rows if r.id not in gone_ids]
        rows_now.extend(r for row_id, r in fresh.items() if row_id not in self._by_id)
        by_id = {r.id: i for i, r in enumerate(rows_now)}
        new_view = view_rows(rows_now, self._filter, column, self._descending)
        new_ids = [rows_now[i].id for i in new_view]
        staying = set(new_ids)
        removed = [p for p, row_id in enumerate(old_view) if row_id not in staying]
        kept = [row_id for row_id in old_view if row_id in staying]
        kept_set = set(kept)
        added = [p for p, row_id in enumerate(new_ids) if row_id not in kept_set]
        if len(runs_of(removed)) + len(runs_of(added)) > _MOST_RUNS:
            self.set_rows(rows_now, new_view)
            return
        # 1. Removals, bottom up, while the old rows are still there.
        current = old_view
        for first, last in reversed(runs_of(removed)):
            self.beginRemoveRows(QModelIndex(), first, last)
            current = current[:first] + current[last + 1 :]
            self._view = [self._by_id[row_id] for row_id in current]
            self.endRemoveRows()
        # 2. The new rows underneath (same rows shown, same order).
        self._rows, self._by_id = rows_now, by_id
        self._view = [by_id[row_id] for row_id in current]
        # 3. A changed order (a sort value moved): one layout change, selection kept.
        in_order = [row_id for row_id in new_ids if row_id in kept_set]
        if in_order != current:
            self.layoutAboutToBeChanged.emit()
            persistent = self.persistentIndexList()
            ids = [current[p.row()] for p in persistent]
            position = {row_id: r for r, row_id in enumerate(in_order)}
            self._view = [by_id[row_id] for row_id in in_order]
            for index, row_id in zip(persistent, ids, strict=True):
                self.changePersistentIndex(index, self.index(position[row_id], index.column()))
            self.layoutChanged.emit()
        # 4. Insertions, top down.
        for first, last in runs_of(added):
            self.beginInsertRows(QModelIndex(), first, last)
            self._view = [by_id[row_id] for row_id in new_ids[: last + 1]] + self._view[first:]
            self.endInsertRows()
        self._view = list(new_view)
        self._repaint(fresh)

    def _repaint(self, rows: dict[str, LibraryRow]) -> None:
        """dataChanged for the shown rows among `rows`, a run of neighbours at a time."""
        if not rows or not self._view:
            return
        wanted = {self._by_id[r] for r in rows if r in self._by_id}
        positions = [p for p, i in enumerate(self._view) if i in wanted]
        last_column = len(COLUMNS) - 1
        for first, last in runs_of(positions):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))

    def view_slice(self, first: int, last: int) -> list[int]:
        """Indexes into `rows()` of view rows `first` to `last` (inclusive)."""
        return self._view[max(first, 0) : last + 1]

    def article_id(self, row: int) -> str:
        """The article id shown in view row `row`."""
        return self._rows[self._view[row]].id

    def row_of(self, article_id: str) -> int | None:
        """The view row showing `article_id`, or None if it is filtered out."""
        i = self._by_id.get(article_id)
        if i is None:
            return None
        try:
            return self._view.index(i)
        except ValueError:
            return None

    def library_row(self, article_id: str) -> LibraryRow | None:
        i = self._by_id.get(article_id)
        return None if i is None else self._rows[i]

    def _group_titles(self, row: LibraryRow) -> list[str]:
        """The titles of the other articles in `row`'s copy group (hovering: a scan is fine)."""
        return [r.title for r in self._rows if r.copy_group == row.copy_group and r.id != row.id]

    def _view_rows(self) -> list[int]:
        return view_rows(self._rows, self._filter, COLUMNS[self._sort_column], self._descending)


def copies_tip(row: LibraryRow, others: Sequence[str]) -> str:
    """The Copies column's tooltip: which articles this one is a copy of."""
    listed = "\n".join(f"· {title}" for title in others[:8])
    more = f"\n… and {len(others) - 8} more" if len(others) > 8 else ""
    return (
        f"Copy of {len(others)} other article(s), counted as one source:\n{listed}{more}\n"
        f"(filter: copies:{row.copy_group[:8]})"
    )


def load_view(
    archive: Any,
    flt: LibraryFilter,
    column: str,
    descending: bool,
    progress: Any = None,
    cancel: Any = None,
) -> tuple[list[LibraryRow], list[int]]:
    """Worker side: read every row and order it (off the GUI thread)."""
    rows = library_rows(archive, progress=progress, cancel=cancel)
    return rows, view_rows(rows, flt, column, descending)
