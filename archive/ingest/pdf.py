"""PDF files: the text layer, page by page.

A PDF made from a scan has pictures of pages and no text layer: the reader
raises `NeedsOcr` and the import reads its pages by OCR (`archive.ingest.scans`).
A PDF cut short (an interrupted download) is refused rather than half-read.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from typing import Any

from archive.ingest import textnorm
from archive.ingest.errors import UnreadableFile
from archive.ingest.metadata import find_date, shorten
from archive.ingest.parsed import ParsedArticle
from archive.ingest.plaintext import parse_article
from archive.ingest.scans import NeedsOcr

NO_TEXT_LAYER = "no text layer: this PDF is a scan; its text is read by OCR"
# Producer-made titles that say nothing about the article.
_USELESS_TITLES = ("untitled", "microsoft word -", "document", "slide 1")


def _check_complete(data: bytes) -> None:
    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise UnreadableFile("not a PDF file: it does not start with the PDF header")
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableFile(
            "this PDF is incomplete (truncated: its end is missing); "
            "download or copy it again and import the complete file"
        )


# Typographic ligatures that PDF text layers hand back as single characters;
# left in, "oﬃcials" would never match a search or a quote for "officials".
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
    }
)
_SPACE_RUNS = re.compile(r"[ \t\u00a0]+")


def clean_layout(text: str) -> str:
    """Undo PDF layout artefacts: ligature characters, tabs and runs of spaces between words."""
    return _SPACE_RUNS.sub(" ", text.translate(_LIGATURES))


def _info_value(info: Any, key: str) -> str | None:
    try:
        value = info.get(key) if info else None
    except Exception:  # broken info dictionaries raise on access
        return None
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def read_pdf(data: bytes, name: str) -> list[ParsedArticle]:
    """One article from the text layer of a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    _check_complete(data)
    # pypdf logs warnings for every quirk of real-world PDFs; failures are ours to report.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(
                "this PDF is protected by a password; save an unprotected copy and import that"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except UnreadableFile:
        raise
    except FileNotDecryptedError as exc:
        raise UnreadableFile(
            "this PDF is protected by a password; save an unprotected copy and import that"
        ) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, IndexError, zlib.error) as exc:
        # PyPdfError: any of pypdf's own, its LimitReachedError for a declared size
        # past its limits among them (found by tests/archive/ingest/test_fuzz_readers.py).
        raise UnreadableFile(f"this PDF is damaged and cannot be read ({exc})") from exc
    raw = "\n\n".join(clean_layout(page).strip() for page in pages)
    if not raw.strip():
        raise NeedsOcr(NO_TEXT_LAYER)
    canon = textnorm.canonical(raw)
    article = parse_article(canon.text, name)
    article.meta["pages"] = len(pages)
    if canon.converted_from:
        article.meta["converted_from"] = canon.converted_from
    title = _info_value(info, "/Title")
    if title and not title.lower().startswith(_USELESS_TITLES):
        article.title = shorten(title, 300)
    author = _info_value(info, "/Author")
    if author and not article.byline:
        article.byline = author
    # The file's creation date is when the PDF was made (often "Save as PDF"
    # years later), not when the article was published: kept, never used as a date.
    created = _info_value(info, "/CreationDate")  # D:20210305...
    if created and created.startswith("D:") and len(created) >= 10:
        found = find_date(f"{created[2:6]}-{created[6:8]}-{created[8:10]}")
        if found:
            article.meta["pdf_created"] = found.iso
    return [article]
