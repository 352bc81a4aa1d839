"""The search panel with review terms, and snippets of sensitive content hidden until revealed."""

from __future__ import annotations

from PySide6.QtTest import QAbstractItemModelTester

from archive import annotate, review
from desktop.review.reveal import RevealState
from desktop.search.model import HIDDEN_SNIPPET, HTML_ROLE
from tests.desktop.reader.articles import add_article


def _html(panel, title: str) -> str:  # type: ignore[no-untyped-def]
    m = panel.model
    rows = [r for r in range(m.rowCount()) if m.index(r).data() == title]
    return str(m.index(rows[0]).data(HTML_ROLE))


def test_review_terms_and_hidden_snippets_in_the_search_panel(qtbot, window) -> None:
    archive = window.ctx.archive
    harbour = add_article(archive, "Police closed the harbour road on Monday.\n", title="Harbour")
    add_article(archive, "The police chief spoke to the council.\n", title="Council")
    market = add_article(archive, "Police raided the market, a witness said.\n", title="Market")
    review.set_review(archive, [harbour, market], status="reviewed")
    review.flag(archive, harbour, True, "graphic")
    ann = annotate.create_annotation(archive, market, 0, 6, "actor", entity_name="Police")
    review.flag(archive, ann.id, True)
    panel = window.search
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    with qtbot.waitSignal(panel.hitsShown, timeout=30000):
        panel.search("police status:reviewed")
    assert {panel.model.index(r).data() for r in range(panel.model.rowCount())} == {
        "Harbour",
        "Market",
    }
    assert panel.model.total == 2
    # The sensitive article's snippet and the one over a sensitive passage are hidden.
    assert HIDDEN_SNIPPET in _html(panel, "Harbour") and "harbour road" not in _html(
        panel, "Harbour"
    )
    assert HIDDEN_SNIPPET in _html(panel, "Market")
    with qtbot.waitSignal(panel.hitsShown, timeout=30000):
        panel.search("police -flag:sensitive")
    assert [panel.model.index(r).data() for r in range(panel.model.rowCount())] == ["Council"]
    with qtbot.waitSignal(panel.hitsShown, timeout=30000):
        panel.search("police")
    assert HIDDEN_SNIPPET not in _html(panel, "Council")
    RevealState.of(window.ctx).reveal([harbour])
    assert "harbour road" in _html(panel, "Harbour")
    assert HIDDEN_SNIPPET in _html(panel, "Market")
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=10000)
