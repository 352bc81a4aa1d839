"""The library's review columns and filters: the status combo and the query syntax."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QAbstractItemModelTester

from archive import annotate, models, review
from archive.library import COLUMNS
from desktop.library.panel import LibraryPanel


def _add(archive) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ids = {}
    with archive.transaction() as s:
        for title in ("Harbour strike", "Water prices", "Market raid"):
            a = models.Article(
                title=title, source="Coast Herald", published="2022-05-01", text=title
            )
            s.add(a)
            s.flush()
            ids[title] = a.id
    return ids


@pytest.fixture
def setup(qtbot, ctx):  # type: ignore[no-untyped-def]
    ids = _add(ctx.archive)
    panel = LibraryPanel(ctx)
    qtbot.addWidget(panel)
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()
    return panel, ids


def _titles(panel) -> set[str]:  # type: ignore[no-untyped-def]
    m = panel.model
    return {m.index(r, 0).data() for r in range(m.rowCount())}


def _reload(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()


def test_status_and_assignee_columns_and_the_status_combo(qtbot, setup) -> None:
    panel, ids = setup
    review.set_review(panel.ctx.archive, ids["Water prices"], status="in_review", assignee="Aung")
    _reload(qtbot, panel)
    row = panel.model.row_of(ids["Water prices"])
    assert panel.model.index(row, COLUMNS.index("review_status")).data() == "in review"
    assert panel.model.index(row, COLUMNS.index("assignee")).data() == "Aung"
    panel.status_box.setCurrentIndex(panel.status_box.findData("in_review"))
    assert _titles(panel) == {"Water prices"}
    assert panel.count_label.text() == "1 of 3 articles"
    panel.status_box.setCurrentIndex(panel.status_box.findData("unread"))
    assert _titles(panel) == {"Harbour strike", "Market raid"}
    panel.status_box.setCurrentIndex(0)
    assert panel.model.rowCount() == 3


def test_the_filter_text_takes_review_terms(qtbot, setup) -> None:
    panel, ids = setup
    archive = panel.ctx.archive
    review.set_review(archive, [ids["Harbour strike"], ids["Market raid"]], status="reviewed")
    review.verify_article(archive, ids["Market raid"], "disputed")
    ann = annotate.create_annotation(archive, ids["Harbour strike"], 0, 7, "actor", entity_name="H")
    review.flag(archive, ann.id, True, "personal")  # a passage: its article counts
    review.set_review(archive, ids["Water prices"], assignee="Mya Thet")
    _reload(qtbot, panel)
    qtbot.keyClicks(panel.filter_edit, "status:reviewed")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=3000)
    assert _titles(panel) == {"Harbour strike", "Market raid"}
    panel.filter_edit.setText("status:reviewed -flag:sensitive")
    panel.apply_filter()
    assert _titles(panel) == {"Market raid"}
    panel.filter_edit.setText("flag:sensitive")
    panel.apply_filter()
    assert _titles(panel) == {"Harbour strike"}
    panel.filter_edit.setText("verification:disputed market")
    panel.apply_filter()
    assert _titles(panel) == {"Market raid"}
    panel.filter_edit.setText('assignee:"mya thet"')
    panel.apply_filter()
    assert _titles(panel) == {"Water prices"}
    # An unknown value is marked, says what is known, and filters nothing.
    panel.filter_edit.setText("status:done")
    panel.apply_filter()
    assert "color" in panel.filter_edit.styleSheet()
    assert "unread, in_review" in panel.filter_edit.toolTip()
    # The combo's "Sensitive" is the same filter.
    panel.filter_edit.clear()
    panel.status_box.setCurrentIndex(panel.status_box.findData("flag:sensitive"))
    panel.apply_filter()
    assert _titles(panel) == {"Harbour strike"}
    assert panel.filter_edit.styleSheet() == ""


def test_several_articles_at_once_from_the_context_menu(qtbot, setup) -> None:
    panel, ids = setup
    chosen = [ids["Harbour strike"], ids["Market raid"]]
    panel.set_review_status(chosen, "relevant")
    assert {review.get_review(panel.ctx.archive, i).review_status for i in chosen} == {"relevant"}
    assert panel.ctx.writer.undoText() == "Review"
    panel.set_sensitive(chosen, True)
    assert all(review.get_review(panel.ctx.archive, i).sensitive for i in chosen)
    panel.status_box.setCurrentIndex(panel.status_box.findData("flag:sensitive"))
    # The writer's articlesChanged reloads the library in the background.
    qtbot.waitUntil(lambda: _titles(panel) == {"Harbour strike", "Market raid"}, timeout=5000)
    panel.ctx.writer.undo()
    assert not review.get_review(panel.ctx.archive, chosen[0]).sensitive
