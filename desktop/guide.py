"""The user guide inside the app: its Markdown rendered in a window, with its pictures.

F1 (Help → User guide) opens `GuideWindow` on the guide that ships with the
package (`desktop.resources.guide_path`, the one place that knows where it
is). Everything stays offline: only local files are ever loaded (the guide
and the pictures beside it), a link to the web is shown, never followed,
and pictures wider than the window are scaled down to fit it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QResizeEvent, QTextCursor, QTextDocument, QTextFragment, QTextImageFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop import layout as window_layout
from desktop.resources import guide_path

LOCAL_SCHEMES = frozenset({"", "file", "qrc"})


class GuideBrowser(QTextBrowser):
    """A text browser that loads local resources only, and fits pictures to its width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # links are handled by the window: local ones only
        self.refused: list[str] = []  # remote resources asked for and not loaded

    def loadResource(self, kind: int, url: QUrl | str) -> Any:
        url = QUrl(url)
        if url.scheme().lower() not in LOCAL_SCHEMES:
            self.refused.append(url.toString())
            return None  # never the network
        return super().loadResource(kind, url)

    def fit_images(self) -> None:
        """Scale every picture wider than the text area down to its width."""
        room = max(self.viewport().width() - 2 * int(self.document().documentMargin()) - 4, 100)
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fragment.isValid() and fmt.isImageFormat():
                    self._fit_image(fragment, fmt.toImageFormat(), room)
                it += 1
            block = block.next()

    def _fit_image(self, fragment: QTextFragment, fmt: QTextImageFormat, room: int) -> None:
        image = self.document().resource(QTextDocument.ResourceType.ImageResource, fmt.name())
        natural = getattr(image, "width", lambda: 0)()
        width = float(min(natural, room)) if natural else 0.0
        if not width or abs(fmt.width() - width) < 1:
            return
        fmt.setWidth(width)
        fmt.setHeight(image.height() * width / natural)
        cursor = self.textCursor()
        cursor.setPosition(fragment.position())
        end = fragment.position() + fragment.length()
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(fmt)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_images()


class GuideWindow(QWidget):
    """A window of its own showing the user guide, rendered."""

    def __init__(self, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("guideWindow")
        self.setWindowTitle(self.tr("User guide"))
        self.path = path or guide_path()
        self.browser = GuideBrowser(self)
        self.browser.anchorClicked.connect(self.follow)
        self.browser.historyChanged.connect(self._update_buttons)
        self.back_button = QPushButton(self.tr("Back"), self)
        self.back_button.clicked.connect(self.browser.backward)
        self.home_button = QPushButton(self.tr("Contents"), self)
        self.home_button.clicked.connect(self.browser.home)
        self.link_label = QLabel(self)  # where a web link would go (not followed)
        self.link_label.setObjectName("guideLinkLabel")
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.home_button)
        row.addWidget(self.link_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.browser, 1)
        area = window_layout.available_geometry(parent)
        self.resize(min(900, int(area.width() * 0.7)), min(760, int(area.height() * 0.85)))
        self.browser.setSource(
            QUrl.fromLocalFile(str(self.path)), QTextDocument.ResourceType.MarkdownResource
        )
        self.browser.fit_images()
        self._update_buttons()

    def follow(self, url: QUrl) -> None:
        """Go to a link of the guide: its own sections and local files; the web is not opened."""
        if url.scheme().lower() not in LOCAL_SCHEMES:
            text = self.tr("Web link, not opened (Sesame stays offline): {0}")
            self.link_label.setText(text.format(url.toString()))
            return
        if url.isRelative() and not url.path() and url.fragment():
            self.browser.scrollToAnchor(url.fragment())
            return
        target = self.browser.source().resolved(url)
        kind = (
            QTextDocument.ResourceType.MarkdownResource
            if target.path().endswith(".md")
            else QTextDocument.ResourceType.UnknownResource
        )
        self.browser.setSource(target, kind)
        self.browser.fit_images()

    def _update_buttons(self) -> None:
        self.back_button.setEnabled(self.browser.isBackwardAvailable())


def show_guide(parent: QWidget) -> GuideWindow | None:
    """Show the guide window of `parent` (made on first use); None if the guide is missing."""
    existing = parent.findChild(GuideWindow, "guideWindow")
    if existing is None:
        if not guide_path().is_file():
            return None
        existing = GuideWindow(parent=parent)
    existing.show()
    window_layout.fit_window(existing)
    existing.raise_()
    existing.activateWindow()
    return existing
