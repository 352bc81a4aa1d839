"""The library listing: one light row per article, with annotation counts.

The desktop library table shows every article of the archive and must stay
smooth with 100,000 of them, so rows are read in three set queries (no query
per row, no article text) and then filtered and sorted in memory with the
plain functions below, which know nothing about Qt (`view_rows`).

`sesame list` reads through the same functions (`list_articles`): the same
rows, filter and sort, then the listing's fields (`LISTING_FIELDS`) of the
articles it shows. Everything here is plain SQL on `archive.read_connection()`,
which an `Archive` and an `archive.reader.Reader` both have: the window reads
through the ORM's engine, `sesame list` without importing SQLAlchemy (issue 15
item 5: its ~0.4 s of imports were most of a cold listing).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from archive.errors import InvalidInput
from archive.lookup import collection_id as find_collection_id
from archive.tasks import CancelToken, ProgressFn, report
from archive.vocabularies import REVIEW_STATUSES, VERIFICATIONS

# Columns a library can be sorted by, in the order the table shows them.
COLUMNS = (
    "title",
    "source",
    "published",
    "language",
    "annotations",
    "review_status",
    "assignee",
    "copies",
)


_NO_COUNTS: dict[str, int] = {}
_NO_COLLECTIONS: frozenset[str] = frozenset()


class LibraryRow(NamedTuple):
    """What the library shows for one article.

    A named tuple, not a dataclass: 100,000 of them are built at each load,
    and a tuple is several times cheaper to make. Treat `tag_counts` as
    read-only (rows may share the empty one).
    """

    id: str
    title: str
    source: str
    published: str  # ISO date string, "" when unknown
    language: str
    imported_at: str  # ISO timestamp
    annotations: int = 0
    # Annotation count per tag type key.
    tag_counts: dict[str, int] = _NO_COUNTS
    # Ids of the collections holding this article.
    collections: frozenset[str] = _NO_COLLECTIONS
    # Review (archive.review): status, assignee ("" for none), verification, and
    # whether the article or one of its passages is marked sensitive.
    review_status: str = "unread"
    assignee: str = ""
    verification: str = "unverified"
    sensitive: bool = False
    # Copies of one story (archive.copies): the group id ("" for none) and how many
    # articles the group holds (0 when the article is in none).
    copy_group: str = ""
    copies: int = 0
    # The day a web capture was taken (ISO date, "" for none): the Date column shows
    # it, set apart, where the article has no publication date (`shown_date`).
    captured: str = ""


def shown_date(row: LibraryRow) -> str:
    """The date the library shows, filters and sorts by: published, else captured."""
    return row.published or row.captured


@dataclass(frozen=True, slots=True)
class LibraryFilter:
    """Which rows to show; empty fields do not filter."""

    text: str = ""  # words that must all appear in title, source or language
    collection_id: str | None = None
    tag_type: str | None = None  # only articles with at least one such annotation
    date_from: str = ""  # ISO date (or prefix: "2021", "2021-03")
    date_to: str = ""
    review_status: str = ""  # one of REVIEW_STATUSES
    assignee: str = ""  # a name, ignoring case
    verification: str = ""  # one of VERIFICATIONS
    sensitive: bool | None = None  # True: only sensitive ones; False: none of them
    copy_group: str = ""  # a copy group's id (or its first characters): its members only

    @property
    def is_empty(self) -> bool:
        return not (
            self.text.strip()
            or self.collection_id
            or self.tag_type
            or self.date_from
            or self.date_to
            or self.review_status
            or self.assignee
            or self.verification
            or self.sensitive is not None
            or self.copy_group
        )


_ROWS_SQL = (
    "SELECT id, coalesce(title, ''), coalesce(source, ''), coalesce(published, ''), "
    "coalesce(language, ''), coalesce(imported_at, ''), retracted_at IS NOT NULL, "
    "review_status, coalesce(assignee, ''), verification, sensitive, "
    "coalesce(copy_group, ''), coalesce(substr(captured_at, 1, 10), '') FROM article"
)
# Group sizes over every article (not only the rows asked for); few rows, by the index.
_GROUPS_SQL = (
    "SELECT copy_group, count(*) FROM article WHERE copy_group IS NOT NULL "
    "AND retracted_at IS NULL GROUP BY copy_group"
)
# Counted here rather than with GROUP BY: SQLite sorts for the grouping in a
# temporary B-tree, three times slower than a plain scan for 150,000 rows.
_COUNTS_SQL = "SELECT article_id, type_key, sensitive FROM annotation"
_MEMBERS_SQL = "SELECT article_id, collection_id FROM articlecollection"
_CHUNK = 500


def _where_ids(sql: str, column: str, ids: Sequence[str] | None) -> tuple[str, list[str]]:
    if ids is None:
        return sql, []
    return f"{sql} WHERE {column} IN ({','.join('?' * len(ids))})", list(ids)


def library_rows(
    archive: Any,
    article_ids: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    *,
    retracted: bool = False,
) -> list[LibraryRow]:
    """Every article of `archive` (or only `article_ids`) as library rows.

    Reads no article text. Rows come in the order of the database; sort them
    with `sort_rows`. Retracted articles are left out unless `retracted`.
    """
    ids = list(dict.fromkeys(article_ids)) if article_ids is not None else None
    if ids is not None and len(ids) > _CHUNK:
        # SQLite limits the number of ? in one statement.
        rows: list[LibraryRow] = []
        for first in range(0, len(ids), _CHUNK):
            rows.extend(
                library_rows(
                    archive, ids[first : first + _CHUNK], None, cancel, retracted=retracted
                )
            )
        return rows
    if ids is not None and not ids:
        return []
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    collections: dict[str, set[str]] = defaultdict(set)
    sensitive_passages: set[str] = set()
    # Plain DB-API cursor: three set queries and C-speed fetches; SQLAlchemy's
    # per-row processing tripled the time of a 100,000-article load.
    with archive.read_connection() as conn:
        cur = conn.cursor()
        # One read transaction: the three queries see the same snapshot even
        # while an import commits next to them (WAL readers never wait).
        cur.execute("BEGIN")
        try:
            report(progress, 0, None, "Reading annotation counts")
            sql, params = _where_ids(_COUNTS_SQL, "article_id", ids)
            for article_id, type_key, passage_sensitive in cur.execute(sql, params):
                tags = counts[article_id]
                tags[type_key] = tags.get(type_key, 0) + 1
                if passage_sensitive:
                    sensitive_passages.add(article_id)
            sql, params = _where_ids(_MEMBERS_SQL, "article_id", ids)
            for article_id, collection_id in cur.execute(sql, params):
                collections[article_id].add(collection_id)
            if cancel is not None:
                cancel.raise_if_cancelled()
            report(progress, 0, None, "Reading articles")
            sql, params = _where_ids(_ROWS_SQL, "id", ids)
            fetched = cur.execute(sql, params).fetchall()
            group_sizes = dict(cur.execute(_GROUPS_SQL).fetchall())
        finally:
            # Read only: ending it either way is the same (a reader's connection is
            # kept open, so a cancelled read must not leave its transaction behind).
            if conn.in_transaction:
                cur.execute("ROLLBACK")
            cur.close()
    make = LibraryRow
    rows = []
    append = rows.append
    for (
        article_id,
        title,
        source,
        published,
        language,
        imported_at,
        gone,
        status,
        assignee,
        verified,
        sensitive,
        group,
        captured,
    ) in fetched:
        if gone and not retracted:
            continue
        article_tags = counts.get(article_id)
        member = collections.get(article_id)
        append(
            make(
                article_id,
                title,
                source,
                published,
                language,
                str(imported_at),
                sum(article_tags.values()) if article_tags else 0,
                article_tags if article_tags else _NO_COUNTS,
                frozenset(member) if member else _NO_COLLECTIONS,
                status,
                assignee,
                verified,
                bool(sensitive) or article_id in sensitive_passages,
                group,
                group_sizes.get(group, 0) if group else 0,
                captured,
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


# Review terms in a library filter's text, as in a search query: status:reviewed,
# assignee:aung (or assignee:"Aung Ko"), verification:disputed, flag:sensitive and
# -flag:sensitive; copies:GROUP shows a group of copies of one story.
_REVIEW_TERM = re.compile(
    r'(?<!\S)(-?)(status|assignee|verification|flag|copies):("[^"]*"|\S+)', re.IGNORECASE
)
_VOCABULARY = {
    "status": REVIEW_STATUSES,
    "verification": VERIFICATIONS,
    "flag": ("sensitive",),
}


def review_terms(text: str) -> tuple[str, dict[str, Any]]:
    """The filter text without its review terms, and those terms as `LibraryFilter` fields.

    Raises InvalidInput naming the known values for an unknown one; only `flag:` can be
    negated (`-flag:sensitive`).
    """
    fields: dict[str, Any] = {}

    def take(m: re.Match[str]) -> str:
        minus, name, value = m.group(1), m.group(2).lower(), m.group(3).strip('"')
        if name == "assignee":
            fields["assignee"] = " ".join(value.split())
        elif name == "copies":
            fields["copy_group"] = value.lower()
        else:
            word = value.lower().replace("-", "_")
            if word not in _VOCABULARY[name]:
                known = ", ".join(_VOCABULARY[name])
                raise InvalidInput(f"{name}:{value} is not known; write {name}: with {known}.")
            if name == "flag":
                fields["sensitive"] = not minus
            else:
                fields["review_status" if name == "status" else name] = word
        if minus and name != "flag":
            raise InvalidInput(f"-{name}: cannot be used in the library; only -flag:sensitive.")
        return " "

    rest = _REVIEW_TERM.sub(take, text)
    return " ".join(rest.split()), fields


def row_matches(row: LibraryRow, flt: LibraryFilter, words: Sequence[str] | None = None) -> bool:
    """Whether `row` passes the filter (`words`: the lower-cased text words, precomputed)."""
    if flt.collection_id and flt.collection_id not in row.collections:
        return False
    if flt.tag_type and not row.tag_counts.get(flt.tag_type):
        return False
    if (flt.date_from or flt.date_to) and not _date_bounds_match(
        row.published or row.captured, flt.date_from, flt.date_to
    ):
        return False
    if flt.review_status and row.review_status != flt.review_status:
        return False
    if flt.assignee and row.assignee.casefold() != flt.assignee.casefold():
        return False
    if flt.verification and row.verification != flt.verification:
        return False
    if flt.sensitive is not None and row.sensitive != flt.sensitive:
        return False
    if flt.copy_group and not (row.copy_group and row.copy_group.startswith(flt.copy_group)):
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
    """A key function sorting rows by `column` (one of COLUMNS).

    Single-value keys (no tie-breaking tuple): Python's sort is stable, and
    building a tuple per row doubled the time of sorting 100,000 rows.
    """
    if column == "annotations":
        return lambda r: r.annotations
    if column == "published":
        return shown_date
    if column == "copies":  # a group's members side by side, the largest groups at one end
        return lambda r: (r.copies, r.copy_group)
    if column not in COLUMNS:
        raise ValueError(f"Unknown library column {column!r}; use one of {', '.join(COLUMNS)}.")
    index = LibraryRow._fields.index(column)
    return lambda r: r[index].casefold()


def sort_rows(
    rows: Sequence[LibraryRow], indexes: Sequence[int], column: str, descending: bool = False
) -> list[int]:
    """`indexes` into `rows`, sorted by `column`."""
    key = sort_key(column)
    return sorted(indexes, key=lambda i: key(rows[i]), reverse=descending)


def view_rows(
    rows: Sequence[LibraryRow], flt: LibraryFilter, column: str, descending: bool
) -> list[int]:
    """Indexes of `rows` passing `flt`, sorted by `column` (what the library table shows)."""
    return sort_rows(rows, filter_rows(rows, flt), column, descending)


# What `sesame list --json` shows of each article, in this order.
LISTING_FIELDS = (
    "id",
    "title",
    "source",
    "url",
    "byline",
    "published",
    "language",
    "imported_from",
    "original_sha256",
    "text_sha256",
    "review_status",
    "assignee",
    "verification",
    "sensitive",
    # Provenance (issue 14).
    "captured_at",
    "collected_by",
    "collected_with",
    "collected_from",
)


# Columns SQLite stores as 0 / 1 that the listing gives as booleans.
_BOOLEAN_FIELDS = frozenset({"sensitive"})


def article_listing(archive: Any, article_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The `LISTING_FIELDS` of each article of `article_ids`, in that order (no text read)."""
    columns = ", ".join(f'"{name}"' for name in LISTING_FIELDS)
    found: dict[str, dict[str, Any]] = {}
    ids = list(article_ids)
    with archive.read_connection() as conn:
        for first in range(0, len(ids), _CHUNK):
            chunk = ids[first : first + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {columns} FROM article WHERE id IN ({marks})"
            for values in conn.execute(sql, chunk).fetchall():
                record = dict(zip(LISTING_FIELDS, values, strict=True))
                for name in _BOOLEAN_FIELDS:
                    record[name] = bool(record[name])
                found[values[0]] = record
    return [found[i] for i in ids if i in found]


def list_articles(
    archive: Any,
    collection: str | None = None,
    *,
    retracted: bool = False,
    review: LibraryFilter | None = None,
) -> list[dict[str, Any]]:
    """The articles `sesame list` shows (those of `collection`, an id or name, if given,
    and passing the review fields of `review`): the library's rows, filter and sort
    (newest first, by title within a day), with their `LISTING_FIELDS`; retracted ones
    only if `retracted`."""
    collection_id = None
    if collection:
        with archive.read_connection() as conn:
            collection_id = find_collection_id(conn, collection)
    flt = LibraryFilter(collection_id=collection_id)
    if review is not None:
        flt = replace(
            review, collection_id=collection_id, text="", tag_type=None, date_from="", date_to=""
        )
    rows = library_rows(archive, retracted=retracted)
    by_title = view_rows(rows, flt, "title", descending=False)
    view = sort_rows(rows, by_title, "published", descending=True)
    return article_listing(archive, [rows[i].id for i in view])


def article_text(archive: Any, article_id: str) -> str:
    """The canonical text of one article ("" if there is no such article)."""
    with archive.read_connection() as conn:
        row = conn.execute("SELECT text FROM article WHERE id = ?", (article_id,)).fetchone()
    return (row[0] if row else None) or ""


def article_count(archive: Any) -> int:
    """How many articles the archive holds."""
    with archive.read_connection() as conn:
        return int(conn.execute("SELECT count(*) FROM article").fetchone()[0])
