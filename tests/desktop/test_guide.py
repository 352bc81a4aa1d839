"""F1 shows the user guide inside the app: rendered Markdown with its pictures, offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QKeySequence, QTextDocument

from desktop import guide as guide_module
from desktop.guide import GuideWindow
from desktop.resources import guide_path


def images(window: GuideWindow) -> list[tuple[str, float, int]]:
    """(name, shown width, natural width) of every picture in the guide's document."""
    doc = window.browser.document()
    found = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                image = fmt.toImageFormat()
                resource = doc.resource(QTextDocument.ResourceType.ImageResource, image.name())
                natural = resource.width() if resource is not None else 0
                found.append((image.name(), image.width(), natural))
            it += 1
        block = block.next()
    return found


def test_f1_shows_the_rendered_guide_with_its_pictures(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    assert window.guide_action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    window.guide_action.trigger()
    shown = window.findChild(GuideWindow, "guideWindow")
    assert shown is not None
    qtbot.waitUntil(shown.isVisible, timeout=2000)
    text = shown.browser.document().toPlainText()
    # Rendered, not raw: the heading without its '#', bold without its '**'.
    assert text.startswith("Sesame user guide")
    assert shown.browser.document().begin().blockFormat().headingLevel() == 1
    assert not [line for line in text.splitlines() if line.startswith("#")]
    assert "**" not in text and "![" not in text
    assert shown.browser.source() == QUrl.fromLocalFile(str(guide_path()))
    pictures = images(shown)
    names = [name for name, _w, _n in pictures]
    assert names == ["img/library.png", "img/search.png", "img/reader.png", "img/reader-dark.png"]
    room = shown.browser.viewport().width()
    for name, width, natural in pictures:
        assert natural > 0, f"{name} was not loaded"
        assert 0 < width <= room, f"{name} is wider than the window"
    assert shown.browser.refused == []
    # F1 again brings the same window forward.
    window.guide_action.trigger()
    assert window.findChildren(GuideWindow) == [shown]


def test_nothing_remote_is_loaded_or_followed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n![remote](https://example.org/tracker.png)\n\n"
        "[a web page](https://example.org/) and [the other page](other.md)\n",
        encoding="utf-8",
    )
    (tmp_path / "other.md").write_text("# Other\n\nHello.\n", encoding="utf-8")
    shown = GuideWindow(page)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.wait(20)
    assert "https://example.org/tracker.png" in shown.browser.refused
    shown.follow(QUrl("https://example.org/"))
    assert shown.browser.source() == QUrl.fromLocalFile(str(page))
    assert "not opened" in shown.link_label.text()
    shown.follow(QUrl("other.md"))
    assert shown.browser.document().toPlainText().startswith("Other")
    assert shown.back_button.isEnabled()


def test_a_missing_guide_says_where_it_should_be(
    qtbot,
    window,
    dialogs,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    missing = tmp_path / "nowhere" / "guide.md"
    monkeypatch.setattr(guide_module, "guide_path", lambda: missing)
    monkeypatch.setattr("desktop.main_window.guide_path", lambda: missing)
    window.open_guide()
    [(_kind, title, text)] = dialogs.of_kind("info")
    assert title == "User guide" and str(missing) in text
    assert window.findChild(GuideWindow) is None
