"""Scans: PDFs without a text layer and images (PNG, JPEG, TIFF), read page by page by OCR.

The image readers registered for `.png`, `.jpg`, `.tif`, ... and the PDF
reader for a PDF without a text layer raise `NeedsOcr`; the import pipeline
then hands the file to its `ScanReader`, which renders each page (pypdfium2
for PDFs, Pillow for images, every frame of a multi-page TIFF), reads it with
Tesseract (`archive.ingest.ocr`) and reports progress page by page, honouring
cancel between pages. The original is the file itself, as for every import;
the article is marked `text_origin="ocr"` with its mean word confidence, and
`meta["ocr"]` keeps where each page starts in the text and how sure Tesseract
was of it. The reader draws a page beside the text with `render_page`.

Bounded: a page image is at most `MAX_PIXELS` (Pillow's decompression-bomb
limit; a PDF page is rendered smaller rather than bigger), a file at most
`MAX_PAGES` pages, a page at most `ocr.PAGE_TIMEOUT` seconds of Tesseract.
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.ingest import ocr, textnorm
from archive.ingest.errors import UnreadableFile
from archive.ingest.parsed import ParsedArticle, ReadArticles
from archive.ingest.plaintext import parse_article
from archive.tasks import CancelToken

if TYPE_CHECKING:
    from PIL.Image import Image

    from archive.store import Archive

# extension -> media type of an image original.
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
OCR_DPI = 300  # what Tesseract reads best
VIEW_DPI = 110  # the reader's page image: a page on a screen, quick to render
# Pillow's own decompression-bomb limit (89.5 megapixels: an A4 page at
# 1,000 dpi); a bigger image is refused, never decoded.
MAX_PIXELS = 89_478_485
MAX_PAGES = 2_000
# pdfium is not thread-safe: the import's OCR and the reader's page image
# may render at the same time, so every call into it holds this lock.
_PDFIUM = threading.Lock()

PageProgress = Callable[[int, int], None]  # (pages done, pages)


class NeedsOcr(UnreadableFile):
    """A file whose text must be read by OCR (a scan, a photograph)."""


def read_image(data: bytes, name: str) -> list[ParsedArticle]:
    """The reader of image files: their text is read by OCR (the pipeline's ScanReader)."""
    raise NeedsOcr("an image: its text is read by OCR")


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


# -- pages ------------------------------------------------------------------------


def _too_big(width: int, height: int) -> UnreadableFile:
    return UnreadableFile(
        f"this image is too large to read safely ({width} x {height} pixels, "
        f"{width * height / 1e6:.0f} megapixels; the limit is {MAX_PIXELS / 1e6:.0f}); "
        "save it at a lower resolution (300 dpi is enough for OCR) and import that"
    )


def _open_image(data: bytes) -> Any:
    from PIL import Image, ImageFile, UnidentifiedImageError

    # WeasyPrint (the PDF report) sets this for the whole process when imported, and
    # a truncated scan would then read as a page with its end blank, without a word.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise UnreadableFile(
            f"this image is too large to read safely ({exc}); save it at a lower resolution"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UnreadableFile(
            "this image cannot be read: it is damaged or not an image of a known kind "
            "(PNG, JPEG, TIFF)"
        ) from exc
    return image


def _frame(image: Any, index: int) -> Image:
    """Frame `index` of an open image, upright, as greyscale or RGB on white."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    try:
        image.seek(index)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_big(width, height)
        frame = ImageOps.exif_transpose(image.copy())
        if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
            # Transparent pixels are paper, not ink.
            rgba = frame.convert("RGBA")
            white = PILImage.new("RGB", rgba.size, "white")
            white.paste(rgba, mask=rgba.getchannel("A"))
            return white
        if frame.mode not in ("L", "RGB"):
            return frame.convert("RGB")
        return frame
    except UnreadableFile:
        raise
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise UnreadableFile(
            f"page {index + 1} of this image cannot be read: it is damaged or cut short"
        ) from exc


def _pdf_document(data: bytes) -> Any:
    import pypdfium2

    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnreadableFile(
                "this PDF is protected by a password; save an unprotected copy and import that"
            ) from exc
        raise UnreadableFile(f"this PDF is damaged and cannot be read ({exc})") from exc


def _render_pdf_page(document: Any, index: int, dpi: int) -> Image:
    import pypdfium2

    try:
        page = document[index]
        try:
            width, height = page.get_size()  # points, 1/72 inch
            scale = dpi / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = math.sqrt(MAX_PIXELS / max(width * height, 1.0)) * 0.99
            bitmap = page.render(scale=scale, grayscale=True)
            image: Image = bitmap.to_pil()
            bitmap.close()
        finally:
            page.close()
    except pypdfium2.PdfiumError as exc:
        raise UnreadableFile(f"page {index + 1} of this PDF cannot be drawn ({exc})") from exc
    return image


def page_count(data: bytes) -> int:
    """How many pages a scan has (a PDF's pages, an image's frames)."""
    if is_pdf(data):
        with _PDFIUM:
            document = _pdf_document(data)
            try:
                return len(document)
            finally:
                document.close()
    image = _open_image(data)
    return int(getattr(image, "n_frames", 1))


def iter_pages(data: bytes, dpi: int = OCR_DPI) -> Iterator[Image]:
    """Every page of a scan as an image, in order (PDF pages drawn at `dpi`)."""
    if is_pdf(data):
        with _PDFIUM:
            document = _pdf_document(data)
            count = len(document)
        try:
            for index in range(count):
                with _PDFIUM:
                    image = _render_pdf_page(document, index, dpi)
                yield image
        finally:
            with _PDFIUM:
                document.close()
        return
    image = _open_image(data)
    for index in range(int(getattr(image, "n_frames", 1))):
        yield _frame(image, index)


def render_page(data: bytes, index: int, dpi: int = VIEW_DPI) -> Image:
    """Page `index` (0-based) of a scan as an image, for the reader."""
    if is_pdf(data):
        with _PDFIUM:
            document = _pdf_document(data)
            try:
                if not 0 <= index < len(document):
                    raise UnreadableFile(f"this PDF has no page {index + 1}")
                return _render_pdf_page(document, index, dpi)
            finally:
                document.close()
    image = _open_image(data)
    if not 0 <= index < int(getattr(image, "n_frames", 1)):
        raise UnreadableFile(f"this image has no page {index + 1}")
    return _frame(image, index)


# -- reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class PageRecord:
    """Where a page's text starts in the article, and how sure Tesseract was of it."""

    start: int
    confidence: float | None
    words: int


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """The article text of pages' texts, and each page's start offset in it.

    Each page is normalised on its own and pages are joined by a blank line, so
    the whole is canonical (`textnorm.normalise` leaves it as it is) and a page's
    offsets stay where they were found. An empty page starts where the next
    text would.
    """
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for page in pages:
        body = textnorm.normalise(page)
        if body and parts:
            length += 2
        starts.append(length)
        if body:
            parts.append(body)
            length += len(body)
    return "\n\n".join(parts), starts


class ScanReader:
    """Reads the scans of one import: languages decided once, progress and cancel per page."""

    def __init__(
        self,
        archive: Archive | None = None,
        languages: str | None = None,
        *,
        progress: PageProgress | None = None,
        cancel: CancelToken | None = None,
        timeout: float = ocr.PAGE_TIMEOUT,
        dpi: int = OCR_DPI,
    ) -> None:
        self.archive = archive
        self.languages = languages
        self.progress = progress
        self.cancel = cancel
        self.timeout = timeout
        self.dpi = dpi

    def _languages(self) -> str:
        if self.languages is None:
            self.languages = (
                ocr.archive_languages(self.archive) if self.archive else ocr.DEFAULT_LANGUAGES
            )
        return self.languages

    def read(self, data: bytes, name: str) -> ReadArticles:
        """One article from a scan's pages. Raises Cancelled between pages when asked."""
        pages = page_count(data)  # a damaged file is named as such, Tesseract or not
        if pages > MAX_PAGES:
            raise UnreadableFile(
                f"this scan has {pages} pages, more than the {MAX_PAGES} Sesame reads "
                "by OCR in one file; split it and import the parts"
            )
        if ocr.tesseract_program() is None:
            kind = "a scan without a text layer" if is_pdf(data) else "an image"
            raise ocr.OcrUnavailable(
                f"this is {kind}: its text must be read by OCR, and the Tesseract OCR "
                f"program is not installed; {ocr.INSTALL_HINT}"
            )
        languages = self._languages()
        texts: list[str] = []
        found: list[ocr.PageText] = []
        for number, image in enumerate(iter_pages(data, self.dpi), start=1):
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            if self.progress is not None:
                self.progress(number - 1, pages)
            page = ocr.recognise(image, languages, self.timeout)
            texts.append(page.text)
            found.append(page)
        if self.progress is not None:
            self.progress(pages, pages)
        text, starts = join_pages(texts)
        if not text:
            raise UnreadableFile(
                f"no text found: OCR ({languages}) read nothing on its {pages} page(s); "
                "if it holds text in another language, choose that language "
                "(sesame import --ocr-lang, or the import dialog)"
            )
        article = parse_article(text, name)
        records = [
            PageRecord(start, page.confidence, page.words)
            for start, page in zip(starts, found, strict=True)
        ]
        words = sum(page.words for page in found)
        weighted = sum((page.confidence or 0.0) * page.words for page in found)
        article.text_origin = "ocr"
        article.ocr_confidence = round(weighted / words, 1) if words else None
        empty = [number for number, page in enumerate(found, start=1) if not page.words]
        article.meta["pages"] = pages
        article.meta["ocr"] = {
            "engine": ocr.tesseract_version() or "tesseract",
            "languages": languages,
            "dpi": self.dpi if is_pdf(data) else None,
            "pages": [
                {"start": r.start, "confidence": r.confidence, "words": r.words} for r in records
            ],
            "empty_pages": empty,
        }
        read = ReadArticles([article])
        for number in empty:
            read.notes.append(
                f"page {number} of {pages}: OCR ({languages}) found no text on it "
                "(a blank page or a picture; or text in another language)"
            )
        return read


def ocr_pages(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-page records of an OCR article's `meta` ([] for any other article)."""
    found = meta.get("ocr") if isinstance(meta, dict) else None
    pages = found.get("pages") if isinstance(found, dict) else None
    return [p for p in pages if isinstance(p, dict)] if isinstance(pages, list) else []


def page_at(meta: dict[str, Any], offset: int) -> int:
    """The 0-based page of an OCR article that holds text offset `offset`."""
    page = 0
    for index, record in enumerate(ocr_pages(meta)):
        start = record.get("start")
        if isinstance(start, int) and start <= offset:
            page = index
    return page


def article_page(archive: Archive, article_id: str, index: int, dpi: int = VIEW_DPI) -> Image:
    """Page `index` of an OCR article, drawn from its stored original (the reader's image).

    Raises NotFound for an unknown article, UnreadableFile when the article has
    no page image (not a scan, or its original is missing).
    """
    from archive.errors import NotFound
    from archive.models import Article, Original

    with archive.session() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise NotFound(f"No article with id {article_id}; it may have been deleted.")
        if article.text_origin != "ocr" or not article.original_sha256:
            raise UnreadableFile("this article's text was not read from page images")
        original = session.get(Original, article.original_sha256)
        if original is None:
            raise UnreadableFile("the original of this article is missing from the archive")
        data = bytes(original.data)
    return render_page(data, index, dpi)
