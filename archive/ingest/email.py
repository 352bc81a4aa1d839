"""E-mail (.eml messages, .mbox mailboxes): subject, sender, date and body.

A message becomes one article (title = subject, byline = sender,
published = the Date header). Attachments of a type Sesame reads, and
forwarded messages, become articles of their own, linked to the message by
`parent_id`; the others are listed in the message's `meta["attachments"]`.
A mailbox gives one article per message; all of them keep the mailbox file
as their original.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
from email.message import EmailMessage, Message
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


def _safe_name(text: str) -> str:
    name = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in text).strip()
    return name[:80] or "message"


def _body_text(message: EmailMessage) -> str:
    from archive.ingest.html import read_html

    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # unknown or wrong charset: decode ourselves
        payload = _decoded_payload(part)
        content = textnorm.decode(payload).text if payload.strip() else ""
    if isinstance(content, bytes):
        content = textnorm.decode(content).text if content.strip() else ""
    if part.get_content_subtype() == "html":
        try:
            return read_html(content.encode("utf-8"), "body.html")[0].text
        except UnreadableFile:
            return ""
    return str(content)


def _decoded_payload(part: Message) -> bytes:
    """The part's bytes with its transfer encoding undone (b"" for a multipart)."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _forwarded(part: Message) -> Message | None:
    """The message inside a message/rfc822 attachment (a forwarded e-mail), if any."""
    if part.get_content_type() != "message/rfc822":
        return None
    parts = part.get_payload()
    if isinstance(parts, list) and parts and isinstance(parts[0], Message):
        return parts[0]
    return None


# What the standard library's e-mail parser raises on malformed headers and parts
# (found by tests/archive/ingest/test_fuzz_readers.py: an address with nothing
# after "<", a group where a mailbox should be, a part with no content).
_MALFORMED = (
    IndexError,
    AttributeError,
    ValueError,
    TypeError,
    KeyError,
    LookupError,
    OverflowError,  # a Date header's year past the calendar's
)


def read_eml(data: bytes, name: str, supported: frozenset[str]) -> list[ParsedArticle]:
    """The message as one article; supported attachments ride along in `attachments`."""
    try:
        return _read_eml(data, name, supported)
    except _MALFORMED as exc:
        raise UnreadableFile(
            f"a malformed e-mail: its headers or parts cannot be read ({type(exc).__name__})"
        ) from exc


def _read_eml(data: bytes, name: str, supported: frozenset[str]) -> list[ParsedArticle]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not (
        message.keys()
        and (_header(message, "From") or _header(message, "Subject") or _header(message, "Date"))
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
        payload = _decoded_payload(part)
        inner = _forwarded(part)
        if inner is not None:  # imported as an e-mail of its own
            payload = inner.as_bytes()
            if not filename:
                inner_subject = str(inner.get("Subject") or "forwarded message")
                filename = f"{_safe_name(inner_subject)}.eml"
        size = len(payload)
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


# "From sender@example.org Fri Mar  5 09:30:00 2021": a time and a year, so that
# an unquoted body line such as "From the north..." does not split a message.
_MBOX_SEPARATOR = re.compile(rb"^From \S+ .*\b\d{1,2}:\d{2}(?::\d{2})?\b.*\b\d{4}\b")


def _mbox_messages(data: bytes) -> list[bytes]:
    """The messages of an mbox file, split at its "From " separator lines."""
    chunks: list[list[bytes]] = []
    for line in data.splitlines(keepends=True):
        if _MBOX_SEPARATOR.match(line) and (not chunks or chunks[-1][-1:] in ([b"\n"], [b"\r\n"])):
            chunks.append([])
            continue
        if not chunks:
            if line.strip():
                raise UnreadableFile("not an mbox mailbox: it does not start with a 'From ' line")
            continue
        # mboxrd quoting: ">From " (and ">>From ") lines stand for one level less.
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]
        chunks[-1].append(line)
    return [b"".join(chunk) for chunk in chunks]


def read_mbox(data: bytes, name: str, supported: frozenset[str]) -> list[ParsedArticle]:
    """One article per message of an mbox mailbox (each with its attachments)."""
    articles: list[ParsedArticle] = []
    for number, raw in enumerate(_mbox_messages(data), start=1):
        try:
            [article] = read_eml(raw, name, supported)
        except UnreadableFile:
            continue  # an empty or broken message among good ones
        article.meta.update({"mailbox": name, "mailbox_message": number})
        articles.append(article)
    if not articles:
        raise UnreadableFile("this mailbox holds no message Sesame can import")
    return articles
