"""The import summary: counts, then every failure with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


def summary_text(summary: dict[str, Any]) -> str:
    """One sentence saying what an import did."""
    imported = len(summary.get("imported", []))
    duplicates = len(summary.get("duplicates", []))
    failed = len(summary.get("failed", []))
    parts = [f"{imported} article{'s' if imported != 1 else ''} imported"]
    if duplicates:
        parts.append(f"{duplicates} already in the archive")
    if failed:
        parts.append(f"{failed} could not be imported")
    text = ", ".join(parts) + "."
    if summary.get("cancelled"):
        text = "Import cancelled: " + text + " What was imported before cancelling is kept."
    return text


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(r, c, item)
    table.resizeColumnToContents(0)
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
        self.failed_table = _table(
            [self.tr("File"), self.tr("Why it could not be imported")],
            [[Path(str(f.get("path", ""))).name, str(f.get("error", ""))] for f in failed],
        )
        for r, f in enumerate(failed):
            self.failed_table.item(r, 0).setToolTip(str(f.get("path", "")))
        imported = summary.get("imported", [])
        self.imported_table = _table(
            [self.tr("File"), self.tr("Title")],
            [[Path(str(i.get("path", ""))).name, str(i.get("title", ""))] for i in imported],
        )
        self.imported_table.itemActivated.connect(
            lambda item: self.openRequested.emit(str(imported[item.row()].get("id", "")))
        )
        duplicates = summary.get("duplicates", [])
        self.duplicate_table = _table(
            [self.tr("File"), self.tr("Same as article")],
            [[Path(str(d.get("path", ""))).name, str(d.get("id", ""))[:8]] for d in duplicates],
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
