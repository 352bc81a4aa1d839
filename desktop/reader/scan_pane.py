"""The page image beside a machine-read article's text (issue 14).

For an article whose text was read by OCR (`text_origin == "ocr"`), a banner
above the text says so, with Tesseract's mean confidence and languages, and a
toggle beside it, *Page image* (Ctrl+Shift+P), shows the page the caret is on
beside the text. Pages are drawn from the stored
original (`archive.ingest.scans.article_page`) on the task runner's threads,
never on the GUI thread; a page drawn for an article or page no longer shown
is dropped. While any of the article is concealed (sensitive), its page image
is hidden too: the picture would show what the blur hides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive.ingest import scans
from archive.reading import ReadingArticle

if TYPE_CHECKING:
    from desktop.reader.panel import ReaderPanel

SHORTCUT = "Ctrl+Shift+P"


def _draw(archive: Any, article_id: str, page: int, dpi: int) -> QImage:
    """The worker side: one page as a QImage (unlike a QPixmap, made off the GUI thread)."""
    image = scans.article_page(archive, article_id, page, dpi)
    if image.mode != "L":
        image = image.convert("RGB")
    data = image.tobytes()
    fmt = QImage.Format.Format_Grayscale8 if image.mode == "L" else QImage.Format.Format_RGB888
    channels = 1 if image.mode == "L" else 3
    return QImage(data, image.width, image.height, image.width * channels, fmt).copy()


def ocr_summary(article: ReadingArticle) -> str:
    """The banner's words: machine-read, how sure, in which languages."""
    found = article.meta.get("ocr") if isinstance(article.meta, dict) else None
    languages = found.get("languages") if isinstance(found, dict) else None
    sure = (
        f"mean word confidence {article.ocr_confidence:.0f}%"
        if article.ocr_confidence is not None
        else "confidence unknown"
    )
    where = f" ({languages})" if languages else ""
    return (
        f"Machine-read text: OCR{where}, {sure}. "
        "Check names and figures against the page image before you rely on them."
    )


class PageImage(QWidget):
    """One page of a scan, fitted to the pane's width, with page navigation."""

    pageRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerPageImage")
        self.image: QImage | None = None
        self.page = 0
        self.pages = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        bar = QHBoxLayout()
        self.previous = QToolButton(self)
        self.previous.setText("◀")
        self.previous.setToolTip(self.tr("Previous page"))
        self.next = QToolButton(self)
        self.next.setText("▶")
        self.next.setToolTip(self.tr("Next page"))
        self.label = QLabel(self)
        self.label.setObjectName("readerPageLabel")
        bar.addWidget(self.previous)
        bar.addWidget(self.label, 1)
        bar.addWidget(self.next)
        layout.addLayout(bar)
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(False)
        self.area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.picture = QLabel(self.area)
        self.picture.setObjectName("readerPagePicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.picture)
        layout.addWidget(self.area, 1)
        self.previous.clicked.connect(lambda: self.pageRequested.emit(self.page - 1))
        self.next.clicked.connect(lambda: self.pageRequested.emit(self.page + 1))

    def show_state(self, page: int, pages: int, text: str | None = None) -> None:
        """Say which page is (being) shown, or `text` instead of a picture."""
        self.page, self.pages = page, pages
        self.label.setText(self.tr("Page %d of %d") % (page + 1, pages) if pages else "")
        self.previous.setEnabled(page > 0)
        self.next.setEnabled(page + 1 < pages)
        if text is not None:
            self.image = None
            self.picture.setPixmap(QPixmap())
            self.picture.setText(text)
            self.picture.adjustSize()

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.picture.setText("")
        self._fit()

    def _fit(self) -> None:
        if self.image is None or self.image.isNull():
            return
        width = max(self.area.viewport().width() - 4, 50)
        scaled = self.image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(QPixmap.fromImage(scaled))
        self.picture.resize(scaled.size())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()


class ScanPane(QObject):
    """The OCR banner, the page-image toggle and the page beside the text, for one reader."""

    def __init__(self, reader: ReaderPanel) -> None:
        super().__init__(reader)
        self.reader = reader
        self.ctx = reader.ctx
        self.article: ReadingArticle | None = None
        self.wanted: tuple[str, int] | None = None  # the page asked for last
        self.drawn: tuple[str, int] | None = None  # the page on screen
        self.pending: tuple[str, int] | None = None  # the page being drawn
        self.opened_at = -1

        # The banner and the toggle in a row of their own above the text: the
        # reader's toolbar is hidden in the window (its tag actions are shown there)
        # and is rebuilt whenever the tag types change.
        self.bar = QWidget(reader)
        self.bar.setObjectName("readerOcrBar")
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(12, 2, 12, 4)
        self.banner = QLabel(self.bar)
        self.banner.setObjectName("readerOcrBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#readerOcrBanner { color: #8a5a00; }")
        self.toggle = QToolButton(self.bar)
        self.toggle.setObjectName("readerPageImageToggle")
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        row.addWidget(self.banner, 1)
        row.addWidget(self.toggle)
        self.bar.hide()
        layout = reader.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(reader.splitter), self.bar)

        # The text and the page side by side, in the reader's upper pane.
        self.split = QSplitter(Qt.Orientation.Horizontal, reader.splitter)
        self.split.setObjectName("readerScanSplit")
        reader.splitter.insertWidget(0, self.split)
        self.split.addWidget(reader.view)
        self.page_view = PageImage(self.split)
        self.split.addWidget(self.page_view)
        self.split.setCollapsible(0, False)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        reader.splitter.setCollapsible(0, False)
        self.page_view.hide()
        self.page_view.pageRequested.connect(self.show_page)

        self.action = QAction(self.tr("Page image"), reader)
        self.action.setObjectName("showPageImage")
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.setToolTip(
            self.tr("Show the scanned page beside its machine-read text (%s)") % SHORTCUT
        )
        self.action.setEnabled(False)
        self.action.toggled.connect(self._toggled)
        self.toggle.setDefaultAction(self.action)
        reader.addAction(self.action)
        reader.reveal_state.changed.connect(self._refresh)

    # -- what is shown ---------------------------------------------------------

    def _pages(self) -> int:
        if self.article is None:
            return 0
        pages = self.article.meta.get("pages")
        return pages if isinstance(pages, int) and pages > 0 else 1

    def show_article(self, article: ReadingArticle | None) -> None:
        """Set up for a newly shown article (OCR or not)."""
        ocr = article is not None and article.text_origin == "ocr"
        self.article = article if ocr else None
        self.drawn = self.wanted = None
        # An article opens on its first page; the page follows the caret once it moves.
        self.opened_at = self.reader.view.caret_code_point()
        self.bar.setVisible(ocr)
        self.action.setEnabled(ocr)
        if article is not None and ocr:
            self.banner.setText(ocr_summary(article))
        self._refresh()

    def follow(self, cp: int) -> None:
        """Show the page that holds text position `cp` (the caret)."""
        if cp == self.opened_at:
            return
        self.opened_at = -1
        if self.article is not None and self.page_view.isVisible():
            self.show_page(scans.page_at(self.article.meta, cp))

    def _hidden(self) -> bool:
        from desktop.review.reveal import concealed

        return concealed(self.article, self.reader.reveal_state).anything

    def _refresh(self) -> None:
        visible = self.article is not None and self.action.isChecked()
        self.page_view.setVisible(visible)
        if not visible or self.article is None:
            return
        if self.split.sizes()[1] == 0:
            half = max(self.split.width() // 2, 200)
            self.split.setSizes([half, half])
        if self.wanted is None:
            self.show_page(0)
        elif self._hidden():
            self.drawn = None
            self.show_page(self.wanted[1])
        elif self.drawn != self.wanted:
            self.show_page(self.wanted[1])

    def _toggled(self, _checked: bool) -> None:
        self._refresh()

    def show_page(self, page: int) -> None:
        """Draw page `page` (0-based) of the open article, off the GUI thread."""
        if self.article is None:
            return
        pages = self._pages()
        page = min(max(page, 0), pages - 1)
        key = (self.article.id, page)
        if self._hidden():
            self.wanted, self.drawn = key, None
            self.page_view.show_state(
                page,
                pages,
                self.tr("Sensitive content: the page image is hidden until you reveal it."),
            )
            return
        if key == self.wanted and key in (self.drawn, self.pending):
            return  # on screen already, or being drawn
        self.wanted = key
        self.page_view.show_state(page, pages, self.tr("Drawing the page…"))
        if key == self.pending:
            return
        self.pending = key
        self.ctx.tasks.run(
            self.tr("Drawing a page"),
            _draw,
            self.ctx.archive,
            self.article.id,
            page,
            scans.VIEW_DPI,
            with_progress=False,
            show=False,
            on_result=lambda image, key=key: self._drawn(key, image),
            on_error=lambda message, _details, key=key: self._failed(key, message),
        )

    def _drawn(self, key: tuple[str, int], image: QImage) -> None:
        if key == self.pending:
            self.pending = None
        if key != self.wanted or self._hidden():
            return  # another page was asked for since (it has a job of its own)
        self.drawn = key
        self.page_view.show_state(key[1], self._pages())
        self.page_view.set_image(image)

    def _failed(self, key: tuple[str, int], message: str) -> None:
        if key == self.pending:
            self.pending = None
        if key == self.wanted:
            self.page_view.show_state(
                key[1], self._pages(), self.tr("The page cannot be drawn: %s") % message
            )
