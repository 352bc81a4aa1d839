"""The import summary: counts, then every failure with its reason.

A file that held several articles (a mailbox, a digest) is listed once per
article, each row saying which ("digest.mbox, article 2 of 3"), and the
counts say from how many files they came.
"""

from __future__ import annotations

import os.path
from collections import Counter
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models import Index, RowTableModel


def summary_text(summary: dict[str, Any]) -> str:
    """One sentence saying what an import did."""
    imported = len(summary.get("imported", []))
    duplicates = len(summary.get("duplicates", []))
    failed = len(summary.get("failed", []))
    files = len({str(item.get("path", "")) for item in summary.get("imported", [])})
    parts = [f"{imported} article{'s' if imported != 1 else ''} imported"]
    if files and files != imported:
        parts[0] += f" from {files} file{'s' if files != 1 else ''}"
    if duplicates:
        parts.append(f"{duplicates} already in the archive")
    if failed:
        parts.append(f"{failed} could not be imported")
    text = ", ".join(parts) + "."
    if summary.get("cancelled"):
        text = "Import cancelled: " + text + " What was imported before cancelling is kept."
    return text


def file_cells(
    paths: list[str], items: list[dict[str, Any]], value: Callable[[dict[str, Any]], str]
) -> list[list[str]]:
    """The rows of a summary table: a file's name, "name, article K of N" when the file held
    N articles, then `value(item)`."""
    totals = Counter(paths)
    seen: Counter[str] = Counter()
    rows = []
    for path, item in zip(paths, items, strict=True):
        # os.path, not pathlib: building the summary of 5,000 files on the GUI thread,
        # just as the import ends, took 30 ms with a Path per file and 20 ms with this.
        name = os.path.basename(path)
        if totals[path] > 1:
            seen[path] += 1
            name = f"{name}, article {seen[path]} of {totals[path]}"
        rows.append([name, value(item)])
    return rows


def summary_tables(summary: dict[str, Any]) -> dict[str, tuple[list[list[str]], list[str]]]:
    """Each table of the summary as (rows, tooltips): one row per item, its file's name
    (the full path in the tooltip; which article of the file, when it held several),
    then the reason, title or article it duplicates.

    The window's import task builds these on its pool thread (`summary["tables"]`): on
    the window's thread, as a 5,000-file import ended, they took 17-20 ms (issue 8)."""
    values: dict[str, Callable[[dict[str, Any]], str]] = {
        "failed": lambda f: str(f.get("error", "")),
        "imported": lambda i: str(i.get("title", "")),
        "duplicates": lambda d: str(d.get("id", ""))[:8],
    }
    tables = {}
    for name, value in values.items():
        items = summary.get(name, [])
        paths = [str(item.get("path", "")) for item in items]
        tables[name] = (file_cells(paths, items, value), paths)
    return tables


class RowsModel(RowTableModel):
    """Plain rows of text: a model, so 5,000 rows cost nothing until shown."""

    def __init__(self, headers: list[str], rows: list[list[str]], tips: list[str] | None = None):
        super().__init__()
        self.COLUMNS = tuple(headers)
        self._rows = rows
        self.tips = tips  # tooltip of each row's first cell (the full path)

    def header(self, section: int) -> str:
        return self.COLUMNS[section]  # translated by whoever made the dialog

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cells = self.item(index)
        if cells is None:
            return None
        value = cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 0 and self.tips is not None:
                return self.tips[index.row()]
            return value
        return None


# Rows measured for wrapping up to this many; beyond, measuring every row on
# each resize would stall the window, and the tooltip holds the whole reason.
WRAP_ROWS = 500


def _table(
    headers: list[str], rows: list[list[str]], tips: list[str] | None = None, wrap: bool = False
) -> QTableView:
    table = QTableView()
    table.setModel(RowsModel(headers, rows, tips))
    table.model().setParent(table)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    header = table.horizontalHeader()
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    header.resizeSection(0, 200)
    wrap = wrap and len(rows) <= WRAP_ROWS
    table.setWordWrap(wrap)
    if wrap:
        # Long reasons ("this PDF is incomplete … copy it again") wrap instead of ending in "…".
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class ImportSummaryDialog(QDialog):
    """Non-modal: the window stays usable while it is open."""

    openRequested = Signal(str)

    def __init__(self, summary: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importSummary")
        self.setWindowTitle(self.tr("Import finished"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(720, 420)
        self.summary = summary
        self.message = QLabel(summary_text(summary))
        self.message.setWordWrap(True)
        self.tabs = QTabWidget()

        failed = summary.get("failed", [])
        imported = summary.get("imported", [])
        duplicates = summary.get("duplicates", [])
        tables = summary.get("tables") or summary_tables(summary)
        rows, tips = tables["failed"]
        self.failed_table = _table(
            [self.tr("File"), self.tr("Why it could not be imported")], rows, tips, wrap=True
        )
        self.imported_table = _table([self.tr("File"), self.tr("Title")], *tables["imported"])
        self.imported_table.activated.connect(
            lambda index: self.openRequested.emit(str(imported[index.row()].get("id", "")))
        )
        self.duplicate_table = _table(
            [self.tr("File"), self.tr("Same as article")], *tables["duplicates"]
        )
        if failed:
            self.tabs.addTab(self.failed_table, self.tr("Failed (%d)") % len(failed))
        self.tabs.addTab(self.imported_table, self.tr("Imported (%d)") % len(imported))
        if duplicates:
            self.tabs.addTab(
                self.duplicate_table, self.tr("Already in the archive (%d)") % len(duplicates)
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.accepted.connect(self.close)
        # Not failures: an OCR page with no text, a capture's skipped records, ...
        self.notes = QLabel("\n".join(str(w) for w in summary.get("warnings", [])))
        self.notes.setObjectName("importNotes")
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(summary.get("warnings")))
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.notes)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
