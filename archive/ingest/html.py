"""Saved web pages (.html, .htm): the article's main text and its metadata.

trafilatura finds the main text (leaving out navigation, share buttons and
comments) and the metadata (title, author, date, site name, canonical URL).
It is only ever given the page's text: nothing is downloaded, and pages that
refer to remote images or scripts are read as they are.
"""

from __future__ import annotations

import re
from configparser import ConfigParser
from functools import lru_cache
from typing import Any

from archive.ingest import textnorm
from archive.ingest.errors import UnreadableFile
from archive.ingest.metadata import find_date, shorten
from archive.ingest.parsed import ParsedArticle

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html[^>]*\slang\s*=\s*["']?([A-Za-z]{2,3})""", re.I)
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


@lru_cache(maxsize=1)
def _config() -> ConfigParser:
    from trafilatura.settings import use_config

    config = use_config()
    # Belt and braces: extraction never downloads, but should anything try to,
    # it gets no time and no redirects.
    config.set("DEFAULT", "DOWNLOAD_TIMEOUT", "0")
    config.set("DEFAULT", "MAX_REDIRECTS", "0")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    # Short articles (a press release, a brief) are articles too.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "25")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    return config


def decode_html(data: bytes) -> str:
    """The page's text, using its declared charset when it names a known one."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return textnorm.decode(data).text


def _plain_text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def read_html(data: bytes, name: str) -> list[ParsedArticle]:
    """One article from a saved web page."""
    import trafilatura
    from trafilatura.settings import Document

    page = decode_html(data)
    if not page.strip():
        raise UnreadableFile("empty file: there is no text in it")
    try:
        doc = trafilatura.bare_extraction(
            page,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            config=_config(),
        )
    except Exception as exc:  # lxml raises many kinds on broken markup
        raise UnreadableFile(f"this web page could not be read: {exc}") from exc
    # A Document unless as_dict=True (trafilatura 2; 1.x returned a dict).
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise UnreadableFile(
            "no article text found in this web page (it may be a script-only page; "
            "save it as text or PDF and import that)"
        )
    # trafilatura puts each block (paragraph, heading, list item) on one line;
    # a blank line between blocks matches the other formats' canonical text.
    canon = textnorm.canonical((doc.text or "").replace("\n", "\n\n"))
    meta: dict[str, Any] = {}
    if canon.converted_from:
        meta["converted_from"] = canon.converted_from
    for key in ("description", "hostname"):
        value = _plain_text(getattr(doc, key, None))
        if value:
            meta[key] = value

    title = _plain_text(doc.title)
    if not title:
        tag = _TITLE_TAG.search(page)
        title = _plain_text(tag.group(1)) if tag else None
    published, precision = None, "unknown"
    if doc.date:
        found = find_date(str(doc.date))
        if found:
            published, precision = found.iso, found.precision
    lang = _HTML_LANG.search(page[:4096])
    article = ParsedArticle(
        title=shorten(title, 300) if title else "",
        text=canon.text,
        source=_plain_text(doc.sitename),
        url=_plain_text(doc.url),
        byline=_plain_text(doc.author),
        published=published,
        published_precision=precision,
        language=(lang.group(1).lower() if lang else None),
        meta=meta,
    )
    return [article]
