"""Provenance of an article (issue 14): who collected it, when, from where, with which tool.

Every article carries four fields (columns of `models.Article`): `captured_at`
(when a web capture was taken, ISO 8601 UTC), `collected_by` (a person),
`collected_with` (a tool: "auto-archiver", "SingleFile", "Sesame import") and
`collected_from` (the URL, device or place). An import sets them
(`Provenance`, `sesame import --collected-by …`); `articles.edit_article`
corrects them afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.errors import InvalidInput

FIELDS = ("captured_at", "collected_by", "collected_with", "collected_from")
PLAIN_IMPORT = "Sesame import"  # collected_with of a file that is not a capture

_ISO_ZONE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.I)


@dataclass(frozen=True)
class Provenance:
    """What an import says about the articles it adds; None: the default.

    Defaults: `collected_by` the local user, `collected_with` the capture's tool
    for a capture (else "Sesame import"), `collected_from` a capture's URL.
    Given values win over what a file says (the file's own tool stays in the
    article's meta).
    """

    collected_by: str | None = None
    collected_with: str | None = None
    collected_from: str | None = None

    def cleaned(self) -> Provenance:
        return Provenance(
            *(_clean(v) for v in (self.collected_by, self.collected_with, self.collected_from))
        )


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split())[:500] or None


def iso_utc(value: datetime) -> str:
    """A time as ISO 8601 UTC to the second: 2024-03-05T10:00:00Z (naive means UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc:%H:%M:%S}Z"


def parse_timestamp(value: str) -> str | None:
    """An ISO 8601 time ("2024-03-05T10:00:00Z", "2024-03-05 17:30+07:00",
    "2024-03-05") as UTC (`iso_utc`); None if it is not one. A time without a
    zone is taken as UTC."""
    text = value.strip()
    if not text or len(text) > 40:
        return None
    if _ISO_ZONE.search(text) and text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        return iso_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):  # not a time, or outside the years a time can have
        return None


def check_timestamp(value: str | None) -> str | None:
    """`parse_timestamp` for a person's input: None/"" clears, anything else must parse."""
    if value is None or not value.strip():
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise InvalidInput(
            f"The capture time {value.strip()[:60]!r} is not an ISO 8601 time; write it like "
            "2024-03-05T10:00:00Z (or 2024-03-05 17:30+07:00, or 2024-03-05)."
        )
    return parsed


def clean_text(value: str | None) -> str | None:
    """A provenance text field as stored: one line, trimmed; "" is None."""
    return _clean(value)
