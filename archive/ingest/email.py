"""E-mail messages (.eml): subject, sender, date and body; attachments apart.

The message becomes one article (title = subject, byline = sender,
published = the Date header). Attachments of a type Sesame reads become
articles of their own, linked to the message by `parent_id`; the others are
listed in the message's `meta["attachments"]`.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import PurePath
from typing import Any

from archive.ingest import textnorm
from archive.ingest.errors import UnreadableFile
from archive.ingest.metadata import shorten
from archive.ingest.parsed import Attachment, ParsedArticle


def _header(message: EmailMessage, key: str) -> str | None:
    try:
        value = message.get(key)
    except Exception:  # a malformed header raises on parsing
        value = message.get_all(key, [None])[0] if hasattr(message, "get_all") else None
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _body_text(message: EmailMessage) -> str:
    from archive.ingest.html import read_html

    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # unknown or wrong charset: decode ourselves
        payload = part.get_payload(decode=True) or b""
        content = textnorm.decode(payload).text if payload.strip() else ""
    if isinstance(content, bytes):
        content = textnorm.decode(content).text if content.strip() else ""
    if part.get_content_subtype() == "html":
        try:
            return read_html(content.encode("utf-8"), "body.html")[0].text
        except UnreadableFile:
            return ""
    return content


def read_eml(data: bytes, name: str, supported: frozenset[str]) -> list[ParsedArticle]:
    """The message as one article; supported attachments ride along in `attachments`."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not (
        message.keys() and (message.get("From") or message.get("Subject") or message.get("Date"))
    ):
        raise UnreadableFile("not an e-mail message: it has no From, Subject or Date header")
    subject = _header(message, "Subject")
    sender = _header(message, "From")
    byline = None
    if sender:
        addresses = getaddresses([sender])
        if addresses:
            display, address = addresses[0]
            byline = display or address or sender
    published, precision = None, "unknown"
    date_header = _header(message, "Date")
    if date_header:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            published, precision = parsedate_to_datetime(date_header).date().isoformat(), "day"

    meta: dict[str, Any] = {"email": {}}
    for key in ("From", "To", "Cc", "Date", "Message-ID", "Subject"):
        value = _header(message, key)
        if value:
            meta["email"][key.lower()] = value

    attachments: list[Attachment] = []
    listed: list[dict[str, Any]] = []
    for part in message.iter_attachments():
        filename = part.get_filename() or ""
        payload = part.get_payload(decode=True)
        if isinstance(part.get_payload(), list) and not payload:
            continue  # a forwarded message/rfc822 part: its text is in the body
        size = len(payload or b"")
        entry: dict[str, Any] = {"name": filename, "type": part.get_content_type(), "size": size}
        if filename and PurePath(filename).suffix.lower() in supported and payload:
            attachments.append(Attachment(PurePath(filename).name, payload))
        else:
            entry["skipped"] = "not a type Sesame imports" if filename else "no file name"
        listed.append(entry)
    if listed:
        meta["attachments"] = listed

    canon = textnorm.canonical(_body_text(message))
    if canon.converted_from:
        meta["converted_from"] = canon.converted_from
    if not canon.text and not attachments:
        raise UnreadableFile("this e-mail has no text and no attachment Sesame can import")
    return [
        ParsedArticle(
            title=shorten(subject, 300) if subject else "(no subject)",
            text=canon.text,
            byline=byline,
            published=published,
            published_precision=precision,
            meta=meta,
            attachments=attachments,
        )
    ]
