"""The import summary shows each failure's whole reason (QA finding 20)."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from desktop.importing.summary import ImportSummaryDialog, file_cells

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


def test_a_file_with_two_articles_says_so(qtbot) -> None:
    from desktop.importing.summary import summary_text

    summary = {
        "imported": [
            {"id": "a" * 32, "title": "Strike spreads", "path": "/x/digest.mbox"},
            {"id": "b" * 32, "title": "Police defect", "path": "/x/digest.mbox"},
            {"id": "c" * 32, "title": "Harbour", "path": "/x/harbour.txt"},
        ],
        "duplicates": [],
        "failed": [],
    }
    assert summary_text(summary) == "3 articles imported from 2 files."
    dialog = ImportSummaryDialog(summary)
    qtbot.addWidget(dialog)
    model = dialog.imported_table.model()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    cells = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert cells == ["digest.mbox, article 1 of 2", "digest.mbox, article 2 of 2", "harbour.txt"]
    assert model.index(1, 1).data() == "Police defect"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text("ab.é 1", min_size=1, max_size=4).filter(lambda n: n not in (".", "..")),
            min_size=1,
            max_size=3,
        ),
        min_size=1,
        max_size=12,
    )
)
def test_file_cells_name_each_file_as_pathlib_did(parts: list[list[str]]) -> None:
    """The file column (now os.path, for speed) names each file as Path(p).name did,
    and counts the articles of a file that held several."""
    paths = ["/" + "/".join(p) for p in parts]
    items = [{"title": str(i)} for i in range(len(paths))]
    cells = file_cells(paths, items, lambda item: str(item["title"]))
    totals = Counter(paths)
    seen: Counter[str] = Counter()
    for path, item, (name, value) in zip(paths, items, cells, strict=True):
        expected = PurePosixPath(path).name
        if totals[path] > 1:
            seen[path] += 1
            expected = f"{expected}, article {seen[path]} of {totals[path]}"
        assert (name, value) == (expected, item["title"])
