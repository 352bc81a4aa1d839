"""The import summary shows each failure's whole reason (QA finding 20)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from desktop.importing.summary import ImportSummaryDialog

REASON = (
    "This PDF is incomplete (it ends before its last page): download or copy it again, "
    "then import the new copy. Nothing from this file was added to the archive."
)


def test_a_long_failure_reason_wraps_and_is_the_tooltip(qtbot) -> None:
    summary = {
        "imported": [{"id": "a" * 32, "title": "Harbour strike", "path": "/x/harbour.txt"}],
        "duplicates": [],
        "failed": [{"path": "/some/folder/broken.pdf", "error": REASON}],
    }
    dialog = ImportSummaryDialog(summary)
    qtbot.addWidget(dialog)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.failed_table
    model = table.model()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    # Hovering the reason shows all of it; the file name shows the path.
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == REASON
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "/some/folder/broken.pdf"
    # The reason is wrapped over several lines, not cut with "…".
    assert table.wordWrap()
    line = table.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: table.rowHeight(0) >= 2 * line, timeout=2000)
    width = table.columnWidth(1)
    assert table.fontMetrics().horizontalAdvance(REASON) > width  # it would not fit on one line
    dialog.close()
