"""Pages saved by a browser as one MIME file (.mhtml, .mht): "Webpage, single file".

An MHTML file is a MIME multipart/related message (read with the standard
library's email package): the page's HTML and its images, styles and frames
as parts. The article is the HTML part (the one at the snapshot's location,
else the first), read by the HTML reader; its URL is the
Snapshot-Content-Location header (or the part's Content-Location), its
capture time the Date header, its tool the From header ("<Saved by Blink>"
for Chrome and Edge). The other parts are never rendered or fetched. The
original is the whole file.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
from email.message import Message

from archive.ingest.errors import UnreadableFile
from archive.ingest.html import read_html
from archive.ingest.parsed import ParsedArticle
from archive.ingest.warc import with_charset
from archive.provenance import iso_utc

MAX_PARTS = 20_000  # parts looked at (a page with many images has hundreds)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _header(message: Message, name: str) -> str | None:
    value = message.get(name)
    if value is None:
        return None
    try:
        text = str(email.header.make_header(email.header.decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError):
        text = str(value)
    text = " ".join(text.split())
    return text[:2000] or None


def _captured_at(message: Message) -> str | None:
    date = _header(message, "Date")
    if not date:
        return None
    try:
        return iso_utc(email.utils.parsedate_to_datetime(date))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _tool(message: Message) -> str:
    sender = _header(message, "From") or ""
    sender = sender.strip("<> ")
    if sender.lower().startswith("saved by"):
        return f"{sender} (MHTML)"[:200]
    return "MHTML (web page saved as a single file)"


def _html_part(message: Message, location: str | None) -> Message | None:
    first: Message | None = None
    for count, part in enumerate(message.walk()):
        if count > MAX_PARTS:
            raise UnreadableFile(
                f"more than {MAX_PARTS:,} parts in this MHTML file: not a saved page "
                "Sesame can read"
            )
        if part.is_multipart() or part.get_content_type() not in _HTML_TYPES:
            continue
        if location and _header(part, "Content-Location") == location:
            return part
        if first is None:
            first = part
    return first


def read_mhtml(data: bytes, name: str) -> list[ParsedArticle]:
    """One article from a page saved as MHTML."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception as exc:  # the email package is lenient; this is a last resort
        raise UnreadableFile(f"this MHTML file could not be read ({type(exc).__name__})") from exc
    if not message.is_multipart() and message.get_content_type() not in _HTML_TYPES:
        raise UnreadableFile(
            "not an MHTML file (no MIME multipart page inside); a page saved as "
            "'Webpage, single file' starts with MIME headers such as 'MIME-Version: 1.0'"
        )
    location = _header(message, "Snapshot-Content-Location")
    part = _html_part(message, location)
    if part is None:
        raise UnreadableFile("no HTML page in this MHTML file (only images, styles or frames)")
    body = part.get_payload(decode=True)
    if not isinstance(body, bytes) or not body.strip():
        raise UnreadableFile("the page in this MHTML file is empty")
    charset = part.get_content_charset()
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    (article,) = read_html(with_charset(body, content_type), name)
    article.url = location or _header(part, "Content-Location") or article.url
    article.captured_at = _captured_at(message)
    article.collected_with = _tool(message)
    if not article.title:
        article.title = _header(message, "Subject") or ""
    article.meta["capture"] = {"format": "MHTML", "file": name}
    return [article]
