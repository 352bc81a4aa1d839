"""What a format reader hands to the import pipeline."""

from __future__ import annotations

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
