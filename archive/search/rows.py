"""The article columns a search shows or checks, read with plain SQL (no ORM).

A hit shows its article's title, date, source and a snippet of its text, and
a wildcard's candidates are checked against the text: both read here, on a
DB-API connection (`Archive.read_connection`, or `archive.reader`'s for a
`sesame search` that starts without SQLAlchemy), so the window and the command
line read one way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

# SQLite allows 32,766 variables; 500 a statement keeps each one small.
CHUNK = 500


class ArticleRow(NamedTuple):
    """What a search reads of one article."""

    id: str
    title: str
    published: str | None
    source: str | None
    text: str | None


def read_articles(conn: Any, ids: Sequence[str]) -> Iterator[ArticleRow]:
    """The rows of the articles `ids` that exist (in no particular order), read
    CHUNK at a time: memory stays flat for thousands of wildcard candidates."""
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        marks = ",".join("?" * len(chunk))
        cursor = conn.execute(
            f"SELECT id, title, published, source, text FROM article WHERE id IN ({marks})",
            chunk,
        )
        for row in cursor.fetchall():
            yield ArticleRow(*row)


def queued_after(conn: Any, generation: int) -> int:
    """How many articles have index-queue rows after `generation` (changed, not yet
    indexed): an article tagged five times meanwhile is one article, not five."""
    sql = "SELECT count(DISTINCT article_id) FROM indexqueue WHERE seq > ?"
    row = conn.execute(sql, (generation,)).fetchone()
    return int(row[0])
