"""The reader beside a scan: the OCR banner, the page image toggle, the page that follows the caret.

The scanned article is stored as an import stores one (a two-page PDF without
a text layer as its original, text_origin "ocr"), so the page images are
drawn by pdfium from the real bytes; no Tesseract is needed here.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from archive import models
from archive.store import Archive, mark_for_index
from desktop.reader import ReaderPanel
from tests.archive.ingest.scanned import encode, render
from tests.desktop.reader.test_reader import open_reader

PAGE_ONE = "Police surround the market in Hpakant"
PAGE_TWO = "At least 19 officers were injured"
TEXT = f"{PAGE_ONE}\n\n{PAGE_TWO}"


def add_scan(archive: Archive, *, sensitive: bool = False) -> str:
    """A machine-read article whose original is a two-page scan (page two narrower)."""
    data = encode([render([PAGE_ONE], width=1600), render([PAGE_TWO], width=1000)], "pdf")
    sha = hashlib.sha256(data).hexdigest()
    meta = {
        "pages": 2,
        "ocr": {
            "engine": "tesseract 5.3.0",
            "languages": "eng+mya",
            "pages": [
                {"start": 0, "confidence": 93.0, "words": 6},
                {"start": len(PAGE_ONE) + 2, "confidence": 89.0, "words": 6},
            ],
            "empty_pages": [],
        },
    }
    with archive.transaction() as session:
        session.add(
            models.Original(sha256=sha, media_type="application/pdf", size=len(data), data=data)
        )
        session.flush()
        article = models.Article(
            title=PAGE_ONE,
            text=TEXT,
            language="en",
            original_sha256=sha,
            imported_from="scan.pdf",
            meta=meta,
            text_origin="ocr",
            ocr_confidence=91.0,
            sensitive=sensitive,
        )
        session.add(article)
        session.flush()
        mark_for_index(session, article.id)
        return article.id


def page_width(reader: ReaderPanel) -> int:
    image = reader.scan.page_view.image
    return 0 if image is None else image.width()


def caret_to(reader: ReaderPanel, offset: int) -> None:
    cursor = reader.view.textCursor()
    cursor.setPosition(offset)  # ASCII text: code points are UTF-16 units
    cursor.movePosition(QTextCursor.MoveOperation.Right)
    reader.view.setTextCursor(cursor)


def test_a_scan_shows_its_banner_and_the_page_at_the_caret(qtbot, ctx) -> None:
    reader = open_reader(qtbot, ctx, add_scan(ctx.archive))
    scan = reader.scan
    assert scan.banner.isVisible()
    assert "Machine-read text: OCR (eng+mya), mean word confidence 91%" in scan.banner.text()
    assert scan.action.isEnabled() and scan.action.isChecked()
    assert scan.page_view.isVisible()
    qtbot.waitUntil(lambda: scan.page_view.image is not None, timeout=10000)
    assert scan.page_view.label.text() == "Page 1 of 2"
    first = scan.page_view.image
    assert first is not None and first.height() > 0
    assert not scan.page_view.picture.pixmap().isNull()

    caret_to(reader, TEXT.index(PAGE_TWO) + 3)
    qtbot.waitUntil(lambda: scan.page_view.label.text() == "Page 2 of 2", timeout=5000)
    qtbot.waitUntil(lambda: scan.drawn is not None and scan.drawn[1] == 1, timeout=10000)
    assert 0 < page_width(reader) < first.width()  # page two is the narrower one

    scan.page_view.previous.click()
    qtbot.waitUntil(lambda: scan.drawn is not None and scan.drawn[1] == 0, timeout=10000)
    assert page_width(reader) == first.width()

    reader.view.setFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(reader.view, Qt.Key.Key_P, modifiers)  # the toggle: text alone
    assert not scan.action.isChecked()
    assert not scan.page_view.isVisible()
    assert scan.toggle.isVisible() and scan.toggle.text() == "Page image"
    scan.toggle.click()
    assert scan.action.isChecked() and scan.page_view.isVisible()


def test_an_article_with_its_own_text_has_no_banner_and_no_page(qtbot, ctx, article_id) -> None:
    reader = open_reader(qtbot, ctx, add_scan(ctx.archive))
    with qtbot.waitSignal(ctx.articleShown, timeout=2000):
        ctx.open_article(article_id)
    assert not reader.scan.banner.isVisible() and not reader.scan.toggle.isVisible()
    assert not reader.scan.action.isEnabled()
    assert not reader.scan.page_view.isVisible()


def test_a_sensitive_scan_hides_its_page_until_revealed(qtbot, ctx) -> None:
    reader = open_reader(qtbot, ctx, add_scan(ctx.archive, sensitive=True))
    scan = reader.scan
    assert scan.page_view.isVisible()
    assert scan.page_view.image is None
    assert "hidden until you reveal it" in scan.page_view.picture.text()
    qtbot.wait(200)
    assert scan.page_view.image is None  # nothing drawn behind the notice
    reader.reveal()
    qtbot.waitUntil(lambda: scan.page_view.image is not None, timeout=10000)
    reader.hide_sensitive()
    assert scan.page_view.image is None
