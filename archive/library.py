"""The library listing: one light row per article, with annotation counts.

The desktop library table shows every article of the archive and must stay
smooth with 100,000 of them, so rows are read in three set queries (no query
per row, no article text) and then filtered and sorted in memory with the
plain functions below, which know nothing about Qt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from archive import models
from archive.tasks import CancelToken, ProgressFn, report

# Columns a library can be sorted by, in the order the table shows them.
COLUMNS = ("title", "source", "published", "language", "annotations")


@dataclass(frozen=True, slots=True)
class LibraryRow:
    """What the library shows for one article."""

    id: str
    title: str
    source: str
    published: str  # ISO date string, "" when unknown
    language: str
    imported_at: str  # ISO timestamp
    annotations: int = 0
    # Annotation count per tag type key.
    tag_counts: dict[str, int] = field(default_factory=dict)
    # Ids of the collections holding this article.
    collections: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class LibraryFilter:
    """Which rows to show; empty fields do not filter."""

    text: str = ""  # words that must all appear in title, source or language
    collection_id: str | None = None
    tag_type: str | None = None  # only articles with at least one such annotation
    date_from: str = ""  # ISO date (or prefix: "2021", "2021-03")
    date_to: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.text.strip()
            or self.collection_id
            or self.tag_type
            or self.date_from
            or self.date_to
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _rows_query(article_ids: Sequence[str] | None) -> Any:
    a = models.Article.__table__  # type: ignore[attr-defined]
    query = select(a.c.id, a.c.title, a.c.source, a.c.published, a.c.language, a.c.imported_at)
    if article_ids is not None:
        query = query.where(a.c.id.in_(list(article_ids)))
    return query


def library_rows(
    archive: Any,
    article_ids: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[LibraryRow]:
    """Every article of `archive` (or only `article_ids`) as library rows.

    Reads no article text. Rows come in the order of the database; sort them
    with `sort_rows`.
    """
    ann = models.Annotation.__table__  # type: ignore[attr-defined]
    member = models.ArticleCollection.__table__  # type: ignore[attr-defined]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    collections: dict[str, set[str]] = defaultdict(set)
    with archive.engine.connect() as conn:
        report(progress, 0, None, "Reading annotation counts")
        count_query = select(ann.c.article_id, ann.c.type_key, func.count()).group_by(
            ann.c.article_id, ann.c.type_key
        )
        member_query = select(member.c.article_id, member.c.collection_id)
        if article_ids is not None:
            ids = list(article_ids)
            count_query = count_query.where(ann.c.article_id.in_(ids))
            member_query = member_query.where(member.c.article_id.in_(ids))
        for article_id, type_key, n in conn.execute(count_query):
            counts[article_id][type_key] = int(n)
        for article_id, collection_id in conn.execute(member_query):
            collections[article_id].add(collection_id)
        if cancel is not None:
            cancel.raise_if_cancelled()
        report(progress, 0, None, "Reading articles")
        rows = []
        for article_id, title, source, published, language, imported_at in conn.execute(
            _rows_query(article_ids)
        ):
            tag_counts = counts.get(article_id, {})
            rows.append(
                LibraryRow(
                    id=article_id,
                    title=_text(title),
                    source=_text(source),
                    published=_text(published),
                    language=_text(language),
                    imported_at=_text(imported_at),
                    annotations=sum(tag_counts.values()),
                    tag_counts=dict(tag_counts),
                    collections=frozenset(collections.get(article_id, ())),
                )
            )
    report(progress, len(rows), len(rows), "")
    return rows


def _date_bounds_match(published: str, date_from: str, date_to: str) -> bool:
    """Compare ISO dates of mixed precision ("2021", "2021-03", "2021-03-05").

    An article dated only "2021-03" matches a range that touches March 2021:
    both sides are cut to the shorter precision before comparing.
    """
    if not published:
        return False
    if date_from:
        n = min(len(published), len(date_from))
        if published[:n] < date_from[:n]:
            return False
    if date_to:
        n = min(len(published), len(date_to))
        if published[:n] > date_to[:n]:
            return False
    return True


def row_matches(row: LibraryRow, flt: LibraryFilter, words: Sequence[str] | None = None) -> bool:
    """Whether `row` passes the filter (`words`: the lower-cased text words, precomputed)."""
    if flt.collection_id and flt.collection_id not in row.collections:
        return False
    if flt.tag_type and not row.tag_counts.get(flt.tag_type):
        return False
    if (flt.date_from or flt.date_to) and not _date_bounds_match(
        row.published, flt.date_from, flt.date_to
    ):
        return False
    if words is None:
        words = flt.text.casefold().split()
    if words:
        haystack = f"{row.title}\n{row.source}\n{row.language}".casefold()
        return all(w in haystack for w in words)
    return True


def filter_rows(rows: Sequence[LibraryRow], flt: LibraryFilter) -> list[int]:
    """Indexes of the rows passing `flt`, in the order of `rows`."""
    if flt.is_empty:
        return list(range(len(rows)))
    words = flt.text.casefold().split()
    return [i for i, row in enumerate(rows) if row_matches(row, flt, words)]


def sort_key(column: str) -> Any:
    """A key function sorting rows by `column` (one of COLUMNS); ties by title."""
    if column == "annotations":
        return lambda r: (r.annotations, r.title.casefold())
    if column == "published":
        return lambda r: (r.published, r.title.casefold())
    if column not in COLUMNS:
        raise ValueError(f"Unknown library column {column!r}; use one of {', '.join(COLUMNS)}.")
    return lambda r: (getattr(r, column).casefold(), r.title.casefold())


def sort_rows(
    rows: Sequence[LibraryRow], indexes: Sequence[int], column: str, descending: bool = False
) -> list[int]:
    """`indexes` into `rows`, sorted by `column`."""
    key = sort_key(column)
    return sorted(indexes, key=lambda i: key(rows[i]), reverse=descending)


def article_text(archive: Any, article_id: str) -> str:
    """The canonical text of one article ("" if there is no such article)."""
    a = models.Article.__table__  # type: ignore[attr-defined]
    with archive.engine.connect() as conn:
        value = conn.execute(select(a.c.text).where(a.c.id == article_id)).scalar_one_or_none()
    return value or ""


def article_count(archive: Any) -> int:
    """How many articles the archive holds."""
    a = models.Article.__table__  # type: ignore[attr-defined]
    with archive.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(a)).scalar_one())
