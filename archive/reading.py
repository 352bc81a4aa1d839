"""What a reader shows: an article with its annotations, and text positions.

Two Qt-free helpers for the desktop reader (DESIGN "Text and offsets"):

- `Utf16Map` converts between the archive's Unicode code points and the
  UTF-16 code units that Qt counts in. Every boundary between the two worlds
  goes through it, so the rule lives (and is tested) in one place.
- `load_article` reads an article with everything the reader draws for each
  annotation (tag type colour, entity name, author) in a few queries, so that
  the window never touches the database itself. `sesame show` reads through
  it too (its provenance fields are for the command line). Both read with
  plain SQL on `archive.read_connection()`, which an `Archive` and an
  `archive.reader.Reader` have: `sesame show` starts without SQLAlchemy.

`overlap_segments` cuts overlapping spans into pieces that each know which
spans cover them, which is how overlaps are drawn visibly.

`markdown_markup` finds the Markdown syntax an imported `.md` file keeps in
its text (`# Title`, `[The Irrawaddy](#)`, `**bold**`): the reader draws it
as rendered (the syntax hidden, headings bold) without changing the text, so
every annotation offset still points into the stored text; syntax that an
annotation covers stays visible (dimmed), since the tag quotes it.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from archive.errors import NotFound
from archive.vocabularies import REVIEW_STATUSES, VERIFICATIONS

# Characters outside the Basic Multilingual Plane take two UTF-16 code units.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Map:
    """Convert offsets of one text between code points and UTF-16 code units.

    Built once per text in O(n); each conversion is O(log k) for k characters
    outside the BMP, and free when there are none.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # Code-point positions of astral characters, and the same in UTF-16 units.
        self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)]
        self._astral_u16 = [cp + i for i, cp in enumerate(self._astral_cp)]
        self.length = len(text)
        self.utf16_length = len(text) + len(self._astral_cp)

    @property
    def identity(self) -> bool:
        """True when both kinds of offset are the same (no astral characters)."""
        return not self._astral_cp

    def to_utf16(self, cp: int) -> int:
        """The UTF-16 offset of code-point offset `cp` (clamped to the text)."""
        cp = max(0, min(cp, self.length))
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def to_code_point(self, u16: int) -> int:
        """The code-point offset of UTF-16 offset `u16` (clamped to the text).

        An offset in the middle of a surrogate pair (which Qt's cursor never
        produces) rounds down to the start of that character.
        """
        u16 = max(0, min(u16, self.utf16_length))
        if not self._astral_u16:
            return u16
        # Astral characters that end at or before u16 each count one unit extra.
        k = bisect_left(self._astral_u16, u16 - 1)
        if k < len(self._astral_u16) and self._astral_u16[k] == u16 - 1:
            return self._astral_cp[k]
        return u16 - k

    def span_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        """A code-point span as a UTF-16 span."""
        return self.to_utf16(start), self.to_utf16(end)

    def span_to_code_points(self, start: int, end: int) -> tuple[int, int]:
        """A UTF-16 span (e.g. a Qt selection) as a code-point span, start <= end."""
        a, b = self.to_code_point(start), self.to_code_point(end)
        return (a, b) if a <= b else (b, a)


def overlap_segments(
    spans: Sequence[tuple[int, int]],
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Cut `spans` into disjoint pieces, each with the indexes of the spans covering it.

    Pieces covered by no span are left out; covering indexes are ordered by
    span start, then by longer span first (outer before inner), so the last
    one is the innermost. Empty spans are ignored.
    """
    order = sorted(
        (i for i, (s, e) in enumerate(spans) if e > s),
        key=lambda i: (spans[i][0], -spans[i][1]),
    )
    bounds = sorted({p for i in order for p in spans[i]})
    segments: list[tuple[int, int, tuple[int, ...]]] = []
    active: list[int] = []
    nxt = 0
    for a, b in itertools.pairwise(bounds):
        while nxt < len(order) and spans[order[nxt]][0] <= a:
            active.append(order[nxt])
            nxt += 1
        active = [i for i in active if spans[i][1] > a]
        if active:
            segments.append((a, b, tuple(active)))
    return segments


_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S[^\n]*)$", re.MULTILINE)
_LINK = re.compile(r"(!?\[)([^\]\n]+)(\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\))")
_BOLD = re.compile(r"(\*\*|__)(?=\S)([^\n]+?)(?<=\S)\1")


@dataclass
class Markup:
    """How the reader draws a Markdown text: code-point spans of syntax to hide, of syntax
    to dim (an annotation covers it), of heading text and of bold text."""

    hidden: list[tuple[int, int]] = field(default_factory=list)
    dimmed: list[tuple[int, int]] = field(default_factory=list)
    headings: list[tuple[int, int]] = field(default_factory=list)
    strong: list[tuple[int, int]] = field(default_factory=list)  # **bold** text


def markdown_markup(text: str, keep: Sequence[tuple[int, int]] = ()) -> Markup:
    """The Markdown syntax of `text` (heading marks, link and image brackets with their
    targets, bold marks) and its headings; syntax overlapping a span of `keep` (the
    annotations) is dimmed, not hidden. Text without such syntax gives nothing."""
    syntax: list[tuple[int, int]] = []
    markup = Markup()
    for m in _HEADING.finditer(text):
        syntax.append((m.start(1), m.start(2)))
        markup.headings.append((m.start(2), m.end(2)))
    for m in _LINK.finditer(text):
        syntax += [(m.start(1), m.end(1)), (m.start(3), m.end(3))]
    for m in _BOLD.finditer(text):
        syntax += [(m.start(1), m.end(1)), (m.end(2), m.end())]
        markup.strong.append((m.start(2), m.end(2)))
    for start, end in sorted(syntax):
        covered = any(s < end and start < e for s, e in keep)
        (markup.dimmed if covered else markup.hidden).append((start, end))
    return markup


@dataclass
class ReadingAnnotation:
    """One annotation as the reader and the annotation panel show it."""

    id: str
    start: int
    end: int
    quote: str
    type_key: str
    type_label: str
    colour: str
    entity_id: str | None = None
    entity_name: str | None = None
    note: str = ""
    author: str | None = None
    origin: str = "manual"
    orphaned: bool = False
    value: float | None = None
    qualifier: str | None = None
    counted: str | None = None
    as_of: str | None = None
    # Review of the claim (archive.review); a sensitive passage is blurred until revealed.
    verification: str = VERIFICATIONS[0]
    verification_note: str = ""
    sensitive: bool = False
    sensitive_reason: str = ""
    # Figures as ranges: the low and high estimates (`value` is the best).
    low: float | None = None
    high: float | None = None


_READING_FIELDS = tuple(f.name for f in dataclasses.fields(ReadingAnnotation))


@dataclass
class ReadingArticle:
    """An article's metadata and text with its annotations, ordered by start."""

    id: str
    title: str
    source: str | None
    byline: str | None
    published: str | None
    url: str | None
    language: str | None
    text: str
    annotations: list[ReadingAnnotation] = field(default_factory=list)
    # Where it came from (chain of custody), as `sesame show` prints it.
    published_precision: str = "unknown"
    imported_at: str = ""  # ISO timestamp
    imported_from: str = ""
    original_sha256: str | None = None
    text_sha256: str = ""
    parent_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Review (archive.review); a sensitive article is blurred in the reader until revealed.
    review_status: str = REVIEW_STATUSES[0]
    assignee: str | None = None
    verification: str = VERIFICATIONS[0]
    verification_note: str = ""
    sensitive: bool = False
    sensitive_reason: str = ""
    # Provenance (issue 14): a capture's time, who collected it, with what, from where.
    captured_at: str | None = None
    collected_by: str | None = None
    collected_with: str | None = None
    collected_from: str | None = None
    # "ocr": the text was machine-read from page images (archive.ingest.scans).
    text_origin: str = "text"
    ocr_confidence: float | None = None

    def header_lines(self) -> list[str]:
        """Title, then source / byline / date / URL, as plain text lines."""
        lines = [self.title or "(untitled)"]
        details = [x for x in (self.source, self.byline, self.published) if x]
        if details:
            lines.append(" · ".join(details))
        if self.url and self.captured_at:
            lines.append(f"{self.url} · captured {capture_time(self.captured_at)}")
        elif self.url:
            lines.append(self.url)
        return lines

    def machine_read(self) -> str | None:
        """For OCR text, what `sesame show` says of it: engine languages, confidence; else None."""
        if self.text_origin != "ocr":
            return None
        found = self.meta.get("ocr") if isinstance(self.meta, dict) else None
        languages = found.get("languages") if isinstance(found, dict) else None
        pages = self.meta.get("pages") if isinstance(self.meta, dict) else None
        sure = (
            f"mean word confidence {self.ocr_confidence:.0f}%"
            if self.ocr_confidence is not None
            else "confidence unknown"
        )
        parts = [f"OCR ({languages})" if languages else "OCR", sure]
        if isinstance(pages, int) and pages > 0:
            parts.append(f"{pages} page(s)")
        return "machine-read: " + ", ".join(parts) + "; check it against the original"

    def annotations_at(self, cp: int) -> list[ReadingAnnotation]:
        """The annotations covering code-point position `cp` (outer first)."""
        found = [a for a in self.annotations if a.start <= cp < a.end]
        found.sort(key=lambda a: (a.start, -a.end))
        return found


def capture_time(iso: str) -> str:
    """A capture time as the reader shows it: "2024-03-05 10:00 UTC"."""
    if len(iso) >= 16 and iso[10] == "T":
        return f"{iso[:10]} {iso[11:16]} UTC"
    return iso


def stored_time(value: Any) -> str:
    """A time column in ISO form, as the ORM gives it back: SQLite holds UTC without
    an offset ("2024-03-05 10:00:00.123456"), SQLModel returns it aware, in UTC."""
    if value is None:
        return ""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    when = when.replace(tzinfo=UTC) if when.utcoffset() is None else when.astimezone(UTC)
    return when.isoformat()


# The one read of annotations, for both of their shapes: the window's `ReadingAnnotation`
# (below) and the command line's `AnnotationRecord` (annotation_records.py). A name here
# is an annotation column, or the tag type's label and colour, the entity's name, the
# author's display name.
_ANNOTATION_SQL_OF = {
    name: f'a."{name}"'
    for name in (
        "id", "article_id", "start", "end", "quote", "type_key", "entity_id", "note",
        "created_by", "created_at", "updated_at", "origin", "orphaned", "prefix", "suffix",
        "value", "qualifier", "counted", "as_of", "verification", "verification_note",
        "sensitive", "sensitive_reason", "low", "high",
    )
} | {
    "type_label": "coalesce(t.label, a.type_key)",
    "colour": "coalesce(t.colour, '#cccccc')",
    "entity_name": "e.name",
    "author": "u.display_name",
}  # fmt: skip
_ANNOTATION_FLAGS = frozenset({"orphaned", "sensitive"})  # stored 0 / 1, read as bool
_ANNOTATION_JOINS = """
FROM annotation AS a
LEFT JOIN tagtype AS t ON t."key" = a.type_key
LEFT JOIN entity AS e ON e.id = a.entity_id
LEFT JOIN user AS u ON u.id = a.created_by"""
# The reader draws outer spans first; the command line lists by article, then position.
OUTER_FIRST = 'a.start, a."end" DESC'
BY_POSITION = 'a.article_id, a.start, a."end"'


def annotation_rows(
    conn: Any,
    names: Sequence[str],
    *,
    annotation_id: str | None = None,
    article_id: str | None = None,
    type_key: str | None = None,
    entity_id: str | None = None,
    orphaned: bool | None = None,
    order: str = BY_POSITION,
) -> list[list[Any]]:
    """Annotations as lists of the values `names` asks for, in that order (a dataclass's
    fields: `cls(*row)`; flags as bool, times as stored); each filter given is an exact
    stored value, `order` is OUTER_FIRST or BY_POSITION. Read on a DB-API connection
    (`read_connection()` of an `Archive` or a `Reader`)."""
    # Plain columns in one joined query, picked and ordered by SQLite: a thousand ORM
    # objects cost more than the read, and a dict per row doubled the rows' Python time.
    columns = ", ".join(_ANNOTATION_SQL_OF[name] for name in names)
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("a.id", annotation_id),
        ("a.article_id", article_id),
        ("a.type_key", type_key),
        ("a.entity_id", entity_id),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if orphaned is not None:
        where.append("a.orphaned = ?")
        params.append(int(orphaned))
    sql = f"SELECT {columns} {_ANNOTATION_JOINS}"
    sql += (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
    flags = [i for i, name in enumerate(names) if name in _ANNOTATION_FLAGS]
    rows = []
    for values in conn.execute(sql, params).fetchall():
        row = list(values)
        for i in flags:
            row[i] = bool(row[i])
        rows.append(row)
    return rows


def load_annotations(archive: Any, article_id: str) -> list[ReadingAnnotation]:
    """Every annotation of an article with its type, entity and author, by start."""
    with archive.read_connection() as conn:
        rows = annotation_rows(conn, _READING_FIELDS, article_id=article_id, order=OUTER_FIRST)
    return [ReadingAnnotation(*row) for row in rows]


# The columns of `ReadingArticle` read as they are stored (the others: below). Not the
# same list as bundles/writer.py's ARTICLE_V2_TEXT, on purpose: that one is bundle format
# 2's text fields, fixed by the format's version (docs/bundle-format.md); this one is
# what the reader and `sesame show` read today, and grows with the schema.
_ARTICLE_COLUMNS = (
    "id",
    "title",
    "source",
    "byline",
    "published",
    "url",
    "language",
    "text",
    "published_precision",
    "imported_from",
    "original_sha256",
    "text_sha256",
    "parent_id",
    "review_status",
    "assignee",
    "verification",
    "verification_note",
    "sensitive_reason",
    "captured_at",
    "collected_by",
    "collected_with",
    "collected_from",
    "text_origin",
    "ocr_confidence",
)
_ARTICLE_SQL = (
    "SELECT "
    + ", ".join(f'"{name}"' for name in _ARTICLE_COLUMNS)
    + ", imported_at, meta, sensitive FROM article WHERE id = ?"
)


def load_article(archive: Any, article_id: str, *, with_annotations: bool = True) -> ReadingArticle:
    """An article with its annotations (unless `with_annotations` is False); raises
    NotFound if there is none."""
    with archive.read_connection() as conn:
        row = conn.execute(_ARTICLE_SQL, (article_id,)).fetchone()
    if row is None:
        raise NotFound(f"No article with id {article_id}; it may have been deleted.")
    count = len(_ARTICLE_COLUMNS)
    fields: dict[str, Any] = dict(zip(_ARTICLE_COLUMNS, row[:count], strict=True))
    imported_at, meta, sensitive = row[count:]
    reading = ReadingArticle(
        **fields,
        imported_at=stored_time(imported_at),
        meta=dict(json.loads(meta) or {}) if isinstance(meta, str) else dict(meta or {}),
        sensitive=bool(sensitive),
    )
    if with_annotations:
        reading.annotations = load_annotations(archive, article_id)
    return reading
