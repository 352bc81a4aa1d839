"""The main window's default layout leaves nothing important cut off (QA finding 15)."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QTabBar

from archive import annotate
from tests.desktop.reader.articles import TEXT, add_article
from tests.desktop.reader.articles import model_tester as model_tester  # a fixture


def default_window(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.resize(1280, 800)  # the default size on a common laptop screen
    qtbot.waitUntil(lambda: window.width() == 1280, timeout=2000)
    window.default_layout()
    qtbot.wait(50)


def right_tab_bar(window) -> QTabBar:  # type: ignore[no-untyped-def]
    titles = {d.windowTitle() for d in window.panel_docks}
    for bar in window.findChildren(QTabBar):
        if bar.isVisible() and {bar.tabText(i) for i in range(bar.count())} == titles:
            return bar
    raise AssertionError("no tab bar with the panels' tabs")


def test_reader_text_takes_the_width_and_panel_tabs_are_whole(qtbot, window) -> None:
    article_id = add_article(window.ctx.archive)
    with qtbot.waitSignal(window.ctx.articleShown, timeout=2000):
        window.ctx.open_article(article_id)
    default_window(qtbot, window)
    reader = window.reader
    # No column of details beside the text: the text has the reader's width.
    assert reader.view.width() >= reader.width() * 0.9
    assert reader.view.width() >= 450
    assert "A Actor" in reader.side_label.text()
    bar = right_tab_bar(window)
    fm = bar.fontMetrics()
    for i in range(bar.count()):
        assert bar.tabRect(i).width() > fm.horizontalAdvance(bar.tabText(i)), bar.tabText(i)
    # The whole bar is in view.
    assert bar.tabRect(bar.count() - 1).right() <= bar.width()


def fully_visible(view, column: int) -> bool:  # type: ignore[no-untyped-def]
    header = view.horizontalHeader()
    left = header.sectionViewportPosition(column)
    return left >= 0 and left + header.sectionSize(column) <= view.viewport().width()


def dock(window, name: str) -> QDockWidget:  # type: ignore[no-untyped-def]
    found = next(d for d in window.panel_docks if d.objectName() == name)
    found.show()
    found.raise_()
    return found


def test_entity_and_mentions_columns_need_no_scrolling(qtbot, window, model_tester) -> None:
    archive = window.ctx.archive
    article_id = add_article(archive)
    start = TEXT.index("Major Aung Test")
    annotate.create_annotation(
        archive,
        article_id,
        start,
        start + 15,
        "actor",
        entity_name="Major Aung Test of the Test Workers Union",
        note="a long note about who this is and why the tag was made",
    )
    with qtbot.waitSignal(window.ctx.articleShown, timeout=2000):
        window.ctx.open_article(article_id)
    default_window(qtbot, window)

    panel = dock(window, "annotationsDock").widget()
    model_tester(panel.model)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    qtbot.wait(20)
    assert fully_visible(panel.view, panel.model.TYPE)
    assert fully_visible(panel.view, panel.model.ENTITY)
    assert panel.view.horizontalHeader().sectionSize(panel.model.QUOTE) >= 60
    # Who tagged it is in the quote's tooltip (the column is hidden).
    tip = panel.model.index(0, panel.model.QUOTE).data(3)
    assert "Tagged by" in tip

    entities_panel = dock(window, "entitiesDock").widget()
    model_tester(entities_panel.model)
    entities_panel.refresh()
    qtbot.waitUntil(lambda: entities_panel.model.rowCount() == 1, timeout=5000)
    qtbot.wait(20)
    view = entities_panel.view
    assert fully_visible(view, entities_panel.model.NAME)
    assert fully_visible(view, entities_panel.model.MENTIONS)
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=10000)


def test_library_titles_get_the_width(qtbot, window) -> None:
    add_article(window.ctx.archive, title="A fairly long title of a test article about a harbour")
    window.library.reload()
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1, timeout=5000)
    default_window(qtbot, window)
    header = window.library.table.horizontalHeader()
    viewport = window.library.table.viewport().width()
    assert header.sectionSize(0) >= viewport * 0.4
    assert header.length() <= viewport  # no horizontal scrolling
    # The date filters' placeholders are not cut; the format is in the tooltip.
    for edit in (window.library.date_from, window.library.date_to):
        room = edit.width() - 2 * edit.fontMetrics().averageCharWidth()
        assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= room
        assert "YYYY-MM-DD" in edit.toolTip()


def test_the_search_box_stays_in_view_in_a_narrow_window(qtbot, window) -> None:
    window.resize(760, 600)
    qtbot.wait(50)
    edit = window.search.query_edit
    assert edit.isVisible() and edit.width() >= 150
    window.find_action.trigger()
    assert not window.search_dock.isHidden()
