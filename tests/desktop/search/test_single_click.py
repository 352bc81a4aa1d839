"""One click on a search hit opens its article (a double click opens it once)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.desktop.reader.articles import add_article


def test_one_click_opens_a_hit_once(qtbot, window) -> None:
    archive = window.ctx.archive
    first = add_article(archive, "Police closed the harbour road on Monday.\n", title="Harbour")
    panel = window.search
    with qtbot.waitSignal(panel.hitsShown, timeout=30000):
        panel.search("harbour")
    opened: list[str] = []
    window.ctx.articleOpenRequested.connect(lambda article_id, _spans: opened.append(article_id))
    rect = panel.results.visualRect(panel.model.index(0))
    qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [first]
    qtbot.mouseDClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [first]  # the double click's clicks fall within one interval
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=10000)
