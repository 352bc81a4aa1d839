"""Article records corrected and retracted (issue 12 item 3), each an undoable, audited change.

A person corrects what an importer guessed: the title, the source (so that
a figure comparison names it), the byline, the published date and its
precision, the URL, the language, and its provenance (when it was captured,
who collected it, with which tool, from where: `archive.provenance`). The
text is never edited here (it is what the source said; see
`annotate.reanchor_article` for a new canonical text).

An article is retracted, never deleted: it leaves the library and the search
index (until restored), keeps its annotations and its original, and the
reason is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive import models, provenance
from archive.changes import Change, changing
from archive.entities import check_date
from archive.errors import InvalidInput
from archive.store import Archive

EDITABLE = (
    "title",
    "source",
    "byline",
    "published",
    "published_precision",
    "url",
    "language",
    *provenance.FIELDS,
)
PRECISIONS = ("day", "month", "year", "unknown")


@dataclass(frozen=True)
class ArticleRecord:
    """An article's corrected fields and retraction state."""

    id: str
    title: str
    source: str | None
    byline: str | None
    published: str | None
    published_precision: str
    url: str | None
    language: str | None
    retracted: bool
    retracted_reason: str | None
    captured_at: str | None = None
    collected_by: str | None = None
    collected_with: str | None = None
    collected_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _record(row: models.Article) -> ArticleRecord:
    return ArticleRecord(
        row.id,
        row.title,
        row.source,
        row.byline,
        row.published,
        row.published_precision,
        row.url,
        row.language,
        row.retracted_at is not None,
        row.retracted_reason,
        row.captured_at,
        row.collected_by,
        row.collected_with,
        row.collected_from,
    )


def _snapshot(row: models.Article) -> dict[str, Any]:
    return {k: getattr(row, k) for k in (*EDITABLE, "retracted_reason")} | {
        "retracted": row.retracted_at is not None
    }


def _row(ch: Change, article_id: str) -> models.Article:
    from archive.cli import find_article  # id or id prefix, one rule for every command

    return find_article(ch.session, article_id)


def _precision_of(date: str | None) -> str:
    if not date:
        return "unknown"
    return {4: "year", 7: "month", 10: "day"}.get(len(date), "unknown")


def edit_article(target: Archive | Change, article_id: str, **fields: Any) -> ArticleRecord:
    """Correct an article's record: any of `EDITABLE` (None or "" clears a field).

    A new published date sets its precision from its form (2021, 2021-03,
    2021-03-05) unless a precision is given.
    """
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} of an article.")
    with changing(target, "Edit article") as ch:
        row = _row(ch, article_id)
        before = _snapshot(row)
        for key, value in fields.items():
            if isinstance(value, str):
                value = " ".join(value.split()) if key != "url" else value.strip()
            if key == "title":
                if not value:
                    raise InvalidInput("An article needs a title.")
            elif key == "published":
                value = check_date(value or None, "The published date")
                if "published_precision" not in fields:
                    row.published_precision = _precision_of(value)
            elif key == "captured_at":
                value = provenance.check_timestamp(value)
            elif key in provenance.FIELDS:
                value = provenance.clean_text(value)
            elif key == "published_precision":
                if value not in PRECISIONS:
                    raise InvalidInput(
                        f"Precision {value!r} is not one of {', '.join(PRECISIONS)}."
                    )
            else:
                value = value or None
            setattr(row, key, value)
        after = _snapshot(row)
        if after == before:
            return _record(row)
        row.updated_at = models.utcnow()
        ch.session.add(row)
        ch.describe(f"Edit article {row.title[:40]}")
        ch.audit("article", "edit", row.id, before=before, after=after)
        return _record(row)


def retract_article(target: Archive | Change, article_id: str, reason: str) -> ArticleRecord:
    """Hide an article from the library and search; its annotations and original stay."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Say why the article is retracted (--reason).")
    with changing(target, "Retract article") as ch:
        row = _row(ch, article_id)
        if row.retracted_at is not None:
            raise InvalidInput(f"{row.title!r} is already retracted ({row.retracted_reason}).")
        before = _snapshot(row)
        row.retracted_at = models.utcnow()
        row.retracted_reason = reason
        ch.session.add(row)
        ch.describe(f"Retract {row.title[:40]}")
        ch.audit("article", "retract", row.id, before=before, after=_snapshot(row))
        return _record(row)


def restore_article(target: Archive | Change, article_id: str) -> ArticleRecord:
    """Bring a retracted article back to the library and search."""
    with changing(target, "Restore article") as ch:
        row = _row(ch, article_id)
        if row.retracted_at is None:
            raise InvalidInput(f"{row.title!r} is not retracted.")
        before = _snapshot(row)
        row.retracted_at = None
        row.retracted_reason = None
        ch.session.add(row)
        ch.describe(f"Restore {row.title[:40]}")
        ch.audit("article", "restore", row.id, before=before, after=_snapshot(row))
        return _record(row)


def get_article(archive: Archive, article_id: str) -> ArticleRecord:
    """An article's record by id or literal id prefix."""
    from archive.cli import find_article

    with archive.session() as session:
        return _record(find_article(session, article_id))
