"""A malformed query explains itself and keeps what was shown (QA finding 19)."""

from __future__ import annotations

from PySide6.QtTest import QAbstractItemModelTester

from tests.desktop.reader.articles import add_article


def test_a_malformed_query_keeps_the_previous_results(qtbot, window) -> None:
    archive = window.ctx.archive
    add_article(archive, "Police closed the harbour road on Monday.\n", title="Harbour")
    add_article(archive, "The police chief spoke to the council.\n", title="Council")
    panel = window.search
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    with qtbot.waitSignal(panel.hitsShown, timeout=30000):
        panel.search("police")
    assert panel.model.rowCount() == 2
    facets = panel.facets.topLevelItemCount()
    assert facets >= 1
    with qtbot.waitSignal(panel.searchFailed, timeout=30000):
        panel.search('police "unclosed')
    assert "cannot be run" in panel.status.text()
    assert panel.model.rowCount() == 2
    assert panel.facets.topLevelItemCount() == facets
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=10000)
