"""What a format reader hands to the import pipeline."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Attachment:
    """A file inside another one (an e-mail attachment), imported on its own."""

    name: str
    data: bytes


@dataclass
class ParsedArticle:
    """One article read from a file: canonical text plus the metadata found."""

    title: str
    text: str
    source: str | None = None
    url: str | None = None
    byline: str | None = None
    published: str | None = None  # "2021-03-05", "2021-03" or "2021"
    published_precision: str = "unknown"  # day | month | year | unknown
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    # Provenance found in the file (issue 14): a web capture's time (ISO 8601 UTC)
    # and the tool that made it.
    captured_at: str | None = None
    collected_with: str | None = None
    # An article with its own evidence inside a container (one WARC record of a
    # WARC or WACZ file): those exact bytes are its original, not the whole file.
    original: bytes | None = None
    original_media_type: str | None = None
    # How the text was obtained: "text" (the file's own) or "ocr" (machine-read
    # from page images, with Tesseract's mean word confidence, 0..100).
    text_origin: str = "text"
    ocr_confidence: float | None = None


class ReadArticles(list[ParsedArticle]):
    """A reader's articles, plus the parts of the file it refused or left out.

    `failures`: (part, reason) of parts that failed (a capture whose digest does
    not match), reported as failures of `file#part`; `notes`: what was left out
    and why ("12 records skipped: ..."), reported as import warnings.
    """

    def __init__(self, articles: list[ParsedArticle] | None = None) -> None:
        super().__init__(articles or [])
        self.failures: list[tuple[str, str]] = []
        self.notes: list[str] = []
        # (part, sha256) of parts whose original the archive already holds
        # (`KNOWN_ORIGINALS`): left unread, reported as duplicates.
        self.known: list[tuple[str, str]] = []


# While an import reads a file: whether the archive already holds an original of
# this SHA-256, so a container reader can skip a capture it holds (no text read).
KNOWN_ORIGINALS: ContextVar[Callable[[str], bool] | None] = ContextVar(
    "KNOWN_ORIGINALS", default=None
)
