"""Web pages saved by a browser as one HTML file (.html, .htm), and where they came from.

Any .html file is read by the HTML reader; this module adds what a saving
tool wrote into the page about its capture:

- SingleFile (the browser extension of the field) opens the page with a
  comment: "Page saved with SingleFile", "url: …", "saved date: …" (a
  JavaScript date: "Tue Mar 05 2024 10:00:00 GMT+0100 (…)", or ISO 8601);
- Chrome's and Internet Explorer's "Save as… Webpage, complete" write
  "<!-- saved from url=(0042)https://… -->" (a URL, no time).

The URL becomes the article's, the saved date its capture time, the tool its
`collected_with`. Nothing the page refers to is fetched.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from archive.ingest.html import read_html
from archive.ingest.parsed import ParsedArticle
from archive.provenance import iso_utc, parse_timestamp

_HEAD = 64 * 1024  # the comments sit at the top of the file
_SINGLEFILE = re.compile(rb"<!--\s*Page saved with SingleFile(.*?)-->", re.S | re.I)
_SF_FIELD = re.compile(r"^\s*(url|saved date)\s*:\s*(.+?)\s*$", re.M | re.I)
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_JS_DATE = re.compile(
    r"(?:\w{3}\s+)?(\w{3})\s+(\d{1,2})\s+(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\s*GMT([+-]\d{4})?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def saved_date(text: str) -> str | None:
    """SingleFile's "saved date" (JavaScript Date.toString() or ISO 8601) as ISO UTC."""
    iso = parse_timestamp(text)
    if iso:
        return iso
    found = _JS_DATE.search(text)
    if not found:
        return None
    month = _MONTHS.get(found.group(1).lower()[:3])
    if month is None:
        return None
    zone = found.group(7) or "+0000"
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    try:
        when = datetime(
            int(found.group(3)),
            month,
            int(found.group(2)),
            int(found.group(4)),
            int(found.group(5)),
            int(found.group(6)),
            tzinfo=timezone(-offset if zone[0] == "-" else offset),
        )
        return iso_utc(when)
    except (ValueError, OverflowError):
        return None


def _text(value: bytes) -> str:
    return " ".join(value.decode("utf-8", "replace").split())[:2000]


def read_saved_page(data: bytes, name: str) -> list[ParsedArticle]:
    """One article from a saved web page, with its capture's URL and time when it says them."""
    articles = read_html(data, name)
    head = data[:_HEAD]
    singlefile = _SINGLEFILE.search(head)
    if singlefile:
        fields = {
            key.lower(): " ".join(value.split())
            for key, value in _SF_FIELD.findall(singlefile.group(1).decode("utf-8", "replace"))
        }
        for article in articles:
            if fields.get("url"):
                article.url = fields["url"][:2000]
            article.captured_at = saved_date(fields.get("saved date", ""))
            article.collected_with = "SingleFile"
            article.meta["capture"] = {"format": "SingleFile", "file": name}
        return articles
    saved_from = _SAVED_FROM.search(head)
    if saved_from:
        for article in articles:
            article.url = _text(saved_from.group(1)) or article.url
            article.collected_with = "web browser (Save as… Webpage, complete)"
            article.meta["capture"] = {"format": "saved page", "file": name}
    return articles
