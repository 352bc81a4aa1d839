"""Web archives (.warc, .warc.gz): each captured HTML page becomes an article.

A page is a `response` record with status 200 and an HTML content type; its
text is read by the HTML reader (`archive.ingest.html`), its URL is the
record's WARC-Target-URI, its capture time the WARC-Date, its tool the
warcinfo record's `software`. The page's original is its WARC record,
headers included, byte for byte (for .warc.gz the record as it is once its
gzip member is inflated), so the evidence of each capture is kept exactly.
A record whose WARC-Payload-Digest (or Block-Digest) does not match fails on
its own. Redirects, images, CSS, scripts, requests and metadata records are
skipped, and the count is said. Nothing is ever fetched.

Hostile input is bounded: records, inflated bytes, one record's size and the
pages kept all have limits (below), and any damage ends in an UnreadableFile
with a message, never a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from archive.ingest.errors import UnreadableFile
from archive.ingest.html import read_html
from archive.ingest.parsed import KNOWN_ORIGINALS, ParsedArticle, ReadArticles
from archive.provenance import parse_timestamp

MAX_RECORDS = 200_000  # records looked at in one file
MAX_PAGES = 20_000  # pages kept from one file
MAX_RECORD_BYTES = 32 * 1024 * 1024  # one page's record
MAX_PAGE_BYTES = 512 * 1024 * 1024  # all pages' records kept in memory
# Inflated bytes read from one .warc.gz: at most this many times its size (and
# this floor), so a gzip bomb ends with a message instead of filling the disk cache.
MAX_EXPANSION = 20
EXPANSION_FLOOR = 64 * 1024 * 1024

WARC_MEDIA_TYPE = "application/warc"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class _Tally:
    skipped: Counter[str]
    records: int = 0
    kept_bytes: int = 0
    declared: int = 0  # the records' Content-Length, added up


def _kind(content_type: str) -> str:
    """What a skipped response was, for the note: "image", "CSS", "script", ..."""
    ct = content_type.split(";")[0].strip().lower()
    if ct.startswith("image/"):
        return "image"
    if ct == "text/css":
        return "CSS"
    if "javascript" in ct or ct.endswith("/ecmascript"):
        return "script"
    if ct.startswith(("font/", "application/font")):
        return "font"
    return ct or "untyped"


def skipped_note(skipped: Counter[str]) -> str | None:
    """ "12 record(s) skipped (not captured HTML pages): 5 image, 3 CSS, ..." or None."""
    total = sum(skipped.values())
    if not total:
        return None
    parts = ", ".join(f"{n} {kind}" for kind, n in skipped.most_common(8))
    return f"{total} record(s) skipped (not captured HTML pages): {parts}"


def _record_bytes(data: bytes, offset: int, length: int, gzipped: bool) -> bytes:
    raw = data[offset : offset + length]
    if not gzipped:
        # warcio's length leaves out the CRLF CRLF that ends a record (WARC 1.1 §4);
        # with it, a record reads the same from a .warc as from a .warc.gz.
        end = offset + length
        return raw + b"\r\n\r\n" if data[end : end + 4] == b"\r\n\r\n" else raw
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(raw, MAX_RECORD_BYTES + 65536)
    if inflater.unconsumed_tail:
        raise UnreadableFile("a record is larger than the size limit once inflated")
    if not inflater.eof:
        raise _CutShort
    return out


class _CutShort(Exception):
    """A record's gzip member ends before its end: the file was cut short."""


class _Reading:
    """One WARC file being read: its pages, its tallies, its tool."""

    def __init__(
        self, data: bytes, name: str, container: str | None, titles: dict[str, str] | None
    ) -> None:
        self.data, self.name, self.container, self.titles = data, name, container, titles
        self.gzipped = data[:2] == b"\x1f\x8b"
        self.limit = max(EXPANSION_FLOOR, MAX_EXPANSION * len(data))
        self.result = ReadArticles()
        self.tally = _Tally(Counter())
        self.software: str | None = None
        self.truncated = False

    def run(self) -> None:
        from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

        if self.gzipped:
            self.truncated = _check_inflation(self.data, self.limit)
        iterator = ArchiveIterator(io.BytesIO(self.data), check_digests=True)
        for record in iterator:
            self.tally.records += 1
            if self.tally.records > MAX_RECORDS:
                raise UnreadableFile(
                    f"more than {MAX_RECORDS:,} records in one file: split it "
                    "(warcio extract, or export fewer pages) and import the parts"
                )
            _check_length(record, self.tally, self.limit)
            if record.rec_type == "warcinfo" and self.software is None:
                self.software = _warcinfo_software(record.content_stream().read(65536))
                continue
            page = _page(record, self.tally)
            if page is not None:
                self.page(iterator, record, page)

    def page(self, iterator: Any, record: Any, content_type: str) -> None:
        # Read before the offsets: asking for them reads the record to its end.
        body = record.content_stream().read(MAX_RECORD_BYTES + 1)
        offset = iterator.get_record_offset()
        length = iterator.get_record_length()
        uri = str(record.rec_headers.get_header("WARC-Target-URI") or "")
        problems = list(record.digest_checker.problems)
        if record.digest_checker.passed is False or problems:
            self.result.failures.append(
                (
                    uri,
                    "the capture's recorded digest does not match its bytes "
                    f"({'; '.join(problems) or 'digest failed'}): the record was "
                    "changed or damaged after capture, so it was not imported",
                )
            )
            return
        try:
            original = _record_bytes(self.data, offset, length, self.gzipped)
        except _CutShort:
            self.result.failures.append(
                (uri, "the file is cut short in the middle of this capture: it was not imported")
            )
            return
        known = KNOWN_ORIGINALS.get()
        if known is not None:
            # A capture the archive holds is not read again (a re-import of a
            # 1,000-page WACZ took as long as its first import).
            sha = hashlib.sha256(original).hexdigest()
            if known(sha):
                self.result.known.append((uri, sha))
                return
        article = _article(record, body, content_type, uri, self.name, self.titles)
        if article is None:
            self.tally.skipped["page without text"] += 1
            return
        article.original = original
        article.original_media_type = WARC_MEDIA_TYPE
        capture = article.meta.setdefault("capture", {})
        capture.update({"format": "WARC", "file": self.name})
        if self.container:
            capture["warc"] = self.container
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        if record_id:
            capture["record_id"] = str(record_id)
        self.tally.kept_bytes += len(article.original)
        if len(self.result) >= MAX_PAGES or self.tally.kept_bytes > MAX_PAGE_BYTES:
            raise UnreadableFile(
                f"more than {MAX_PAGES:,} pages or {MAX_PAGE_BYTES >> 20} MB of "
                "pages in one file: split it and import the parts"
            )
        self.result.append(article)

    def damaged(self, exc: BaseException) -> None:
        """The file broke off: what was read stands, else the whole file fails."""
        if not self.result and not self.result.failures and not self.result.known:
            raise UnreadableFile(_damaged(self.gzipped, exc)) from exc
        self.result.notes.append(
            f"the file ends damaged after {len(self.result)} page(s) ({_short(exc)}); "
            "the pages before the damage were read"
        )

    def finish(self) -> ReadArticles:
        result = self.result
        if self.tally.records == 0 and self.truncated:
            raise UnreadableFile(_damaged(True, EOFError("the gzip stream is cut short")))
        if self.tally.records == 0:
            raise UnreadableFile(
                "not a WARC file (no WARC records found); a web archive starts with "
                "'WARC/1.0' or is a gzip of such records"
            )
        for article in result:
            if self.software:
                article.collected_with = article.collected_with or self.software
                article.meta["capture"]["software"] = self.software
        if self.truncated:
            result.notes.append(
                f"the file is cut short (its last gzip member is incomplete): the "
                f"{len(result)} page(s) before the cut were read; take the file again "
                "from its source for the rest"
            )
        note = skipped_note(self.tally.skipped)
        if note:
            result.notes.append(note)
        if not result and not result.failures and not result.known:
            raise UnreadableFile(
                "no captured HTML pages in this web archive"
                + (f": {note}" if note else "")
                + " (only response records with status 200 and an HTML type become articles)"
            )
        return result


def read_warc_bytes(
    data: bytes, name: str, *, container: str | None = None, titles: dict[str, str] | None = None
) -> ReadArticles:
    """The captured HTML pages of one WARC file (plain or gzipped), as articles.

    `container`: the WACZ member path this WARC came from (kept in the meta);
    `titles`: page titles by URL from a WACZ's pages.jsonl, used when a page has none.
    """
    reading = _Reading(data, name, container, titles)
    # warcio writes warnings about damaged records to stderr: they would be
    # noise on the terminal; what matters becomes our message.
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            reading.run()
    except UnreadableFile:
        raise
    except Exception as exc:  # warcio on hostile bytes raises many kinds
        reading.damaged(exc)
    return reading.finish()


def _check_inflation(data: bytes, limit: int) -> bool:
    """Refuse a gzip whose members inflate to more than `limit` bytes (a gzip bomb).

    Inflated once, output discarded (about 1 s per GB), before warcio reads it:
    warcio reads header lines whole, so an endless line would fill memory.
    Returns whether the gzip is cut short (warcio reads such a file silently).
    """
    total, rest = 0, data
    while rest[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        chunk = rest
        try:
            while True:
                total += len(inflater.decompress(chunk, 1 << 22))
                if total > limit:
                    raise UnreadableFile(
                        f"this gzipped web archive inflates to more than {limit >> 20} MB "
                        f"({MAX_EXPANSION} times its size, at least {EXPANSION_FLOOR >> 20} MB): "
                        "a damaged or hostile file (a gzip bomb?); it was not read"
                    )
                if inflater.eof:
                    rest = inflater.unused_data
                    break
                chunk = inflater.unconsumed_tail
                if not chunk:
                    return True
        except zlib.error:
            return False  # damaged: warcio says so
    return False


def _check_length(record: object, tally: _Tally, limit: int) -> None:
    """Every record names its length, and together they stay within `limit`."""
    value = record.rec_headers.get_header("Content-Length")  # type: ignore[attr-defined]
    try:
        length = int(value)
    except (TypeError, ValueError):
        raise UnreadableFile(
            "a record of this web archive has no valid Content-Length: the file is damaged"
        ) from None
    tally.declared += max(length, 0)
    if tally.declared > limit:
        raise UnreadableFile(
            f"the records of this web archive add up to more than {limit >> 20} MB: "
            "split it and import the parts"
        )


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _damaged(gzipped: bool, exc: BaseException) -> str:
    what = "gzipped web archive (.warc.gz)" if gzipped else "web archive (.warc)"
    return (
        f"this {what} is damaged or not a WARC file ({_short(exc)}); if it was cut short "
        "in a download or copy, take the file again from its source"
    )


def _warcinfo_software(block: bytes) -> str | None:
    for line in block.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "software":
            text = " ".join(value.split())[:200]
            return text or None
    return None


def _page(record: object, tally: _Tally) -> str | None:
    """The HTML content type of a page record, or None (and the kind counted) to skip it."""
    rec_type = getattr(record, "rec_type", "")
    if rec_type != "response":
        tally.skipped[f"{rec_type or 'untyped'} record"] += 1
        return None
    http = getattr(record, "http_headers", None)
    if http is None:
        tally.skipped["response without HTTP headers"] += 1
        return None
    status = str(http.get_statuscode() or "")
    content_type = str(http.get_header("Content-Type") or "")
    if status != "200":
        tally.skipped["redirect" if status.startswith("3") else f"status {status}"] += 1
        return None
    if not content_type.split(";")[0].strip().lower().startswith(_HTML_TYPES):
        tally.skipped[_kind(content_type)] += 1
        return None
    length = record.rec_headers.get_header("Content-Length")  # type: ignore[attr-defined]
    try:
        too_big = int(length or 0) > MAX_RECORD_BYTES
    except ValueError:
        too_big = False
    if too_big:
        tally.skipped["page over the size limit"] += 1
        return None
    return content_type


def _article(
    record: object,
    body: bytes,
    content_type: str,
    uri: str,
    name: str,
    titles: dict[str, str] | None,
) -> ParsedArticle | None:
    if len(body) > MAX_RECORD_BYTES or not body.strip():
        return None
    try:
        (article,) = read_html(with_charset(body, content_type), name)
    except UnreadableFile:
        return None
    date = record.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]
    article.url = uri or article.url
    article.captured_at = parse_timestamp(str(date)) if date else None
    if titles and not article.title and uri in titles:
        article.title = titles[uri]
    return article


def with_charset(body: bytes, content_type: str) -> bytes:
    """The page, with the charset of its HTTP header made visible to the HTML reader."""
    lowered = content_type.lower()
    if "charset=" not in lowered or b"charset" in body[:4096].lower():
        return body
    charset = lowered.split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if not charset or len(charset) > 40:
        return body
    return f'<meta charset="{charset}">'.encode("ascii", "replace") + body


def read_warc(data: bytes, name: str) -> list[ParsedArticle]:
    """`sesame import` of a .warc or .warc.gz file."""
    return read_warc_bytes(data, name)
