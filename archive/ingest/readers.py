"""Which reader handles which file extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from archive.ingest import textnorm
from archive.ingest.docx import read_docx
from archive.ingest.email import read_eml, read_mbox
from archive.ingest.errors import UnreadableFile
from archive.ingest.mhtml import read_mhtml
from archive.ingest.parsed import ParsedArticle
from archive.ingest.pdf import read_pdf
from archive.ingest.plaintext import parse_plaintext
from archive.ingest.savedpage import read_saved_page
from archive.ingest.scans import IMAGE_TYPES, read_image
from archive.ingest.wacz import read_wacz
from archive.ingest.warc import WARC_MEDIA_TYPE, read_warc

Reader = Callable[[bytes, str], list[ParsedArticle]]


def read_text(data: bytes, name: str) -> list[ParsedArticle]:
    """Articles from a plain-text or Markdown file (one, or one per digest part)."""
    decoded = textnorm.decode(data)
    canon = textnorm.canonical(decoded.text)
    if not canon.text:
        raise UnreadableFile("empty file: there is no text in it")
    articles = parse_plaintext(canon.text, name)
    for article in articles:
        if decoded.encoding != "utf-8":
            article.meta["encoding"] = decoded.encoding
        if decoded.replaced:
            article.meta["undecodable_bytes"] = decoded.replaced
        if canon.converted_from:
            article.meta["converted_from"] = canon.converted_from
    return articles


def _read_eml(data: bytes, name: str) -> list[ParsedArticle]:
    return read_eml(data, name, MAIL_ATTACHMENTS)


def _read_mbox(data: bytes, name: str) -> list[ParsedArticle]:
    return read_mbox(data, name, MAIL_ATTACHMENTS)


# extension -> (media type of the original, reader)
READERS: dict[str, tuple[str, Reader]] = {
    ".txt": ("text/plain", read_text),
    ".md": ("text/markdown", read_text),
    ".markdown": ("text/markdown", read_text),
    ".html": ("text/html", read_saved_page),
    ".htm": ("text/html", read_saved_page),
    ".pdf": ("application/pdf", read_pdf),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        read_docx,
    ),
    ".eml": ("message/rfc822", _read_eml),
    ".mbox": ("application/mbox", _read_mbox),
    # Web captures (issue 14): a page's original is its WARC record.
    ".warc": (WARC_MEDIA_TYPE, read_warc),
    ".warc.gz": (WARC_MEDIA_TYPE, read_warc),
    ".wacz": ("application/wacz", read_wacz),
    ".mhtml": ("multipart/related", read_mhtml),
    ".mht": ("multipart/related", read_mhtml),
    # Scans and photographs (issue 14): their text is read by OCR.
    **{extension: (media_type, read_image) for extension, media_type in IMAGE_TYPES.items()},
}

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(READERS)
# An e-mail's images (logos, signatures, photographs) are listed with it, not read
# by OCR one by one; a scan sent by e-mail is imported from its saved file.
MAIL_ATTACHMENTS = SUPPORTED_EXTENSIONS - frozenset(IMAGE_TYPES)
_DOUBLE = tuple(e for e in READERS if e.count(".") > 1)  # ".warc.gz"


def extension_of(name: str) -> str:
    """The extension that picks a file's reader: ".warc.gz" for a gzipped WARC, else the last."""
    lowered = name.lower()
    for extension in _DOUBLE:
        if lowered.endswith(extension):
            return extension
    return PurePath(name).suffix.lower()
