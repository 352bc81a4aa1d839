"""The library's Date column: a web capture without a publication date shows the day it
was captured, in italics, with a tooltip saying so; sorting and the date filter use it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from archive.ingest import import_paths
from archive.library import COLUMNS, LibraryFilter, library_rows
from archive.store import Archive
from desktop.library.model import LibraryModel
from tests.archive.ingest.captures import pages, wacz_bytes

DATE = COLUMNS.index("published")


def test_captures_show_their_capture_day_and_sort_and_filter_by_it(
    qtbot, archive: Archive, tmp_path: Path
) -> None:
    captured = pages(2)  # captured on 2024-03-02 and 2024-03-03
    (tmp_path / "crawl.wacz").write_bytes(wacz_bytes(captured))
    (tmp_path / "dated.txt").write_text(
        "Dated report\n\nDate first published: 5 March 2021\n\nTwo convoys arrived at dawn.\n"
    )
    (tmp_path / "undated.txt").write_text("Field note\n\nNo date anywhere in it.\n")
    result = import_paths(archive, [tmp_path], index=False)
    assert not result.failed, result.failed
    rows = library_rows(archive)
    captures = sorted(r.captured for r in rows if r.captured)
    assert captures == sorted(d[:10] for _, _, d in captured)
    [dated] = [r for r in rows if r.published]
    assert dated.published == "2021-03-05" and dated.captured == ""
    assert len(rows) == 4  # and the undated note: neither date

    model = LibraryModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(rows)
    model.sort(DATE, Qt.SortOrder.DescendingOrder)
    shown = [model.index(r, DATE).data() for r in range(model.rowCount())]
    # Newest first: the two captures (2024), the dated report (2021), the undated note.
    assert shown[:2] == sorted(captures, reverse=True)
    assert shown[2:] == ["2021-03-05", ""]
    for r in range(2):
        index = model.index(r, DATE)
        font = index.data(Qt.ItemDataRole.FontRole)
        assert font is not None and font.italic()
        assert index.data(Qt.ItemDataRole.ToolTipRole) == (
            f"Captured {shown[r]} (no publication date known)"
        )
    published = model.index(2, DATE)
    assert published.data(Qt.ItemDataRole.FontRole) is None
    assert published.data(Qt.ItemDataRole.ToolTipRole) is None

    model.set_filter(LibraryFilter(date_from="2024"))
    assert model.rowCount() == 2
    model.set_filter(LibraryFilter(date_to="2022"))
    assert [model.index(r, DATE).data() for r in range(model.rowCount())] == [shown[2]]
