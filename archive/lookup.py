"""What a person types to name a record, resolved with plain SQL (no ORM).

An article is named by its id or by a unique, literal prefix of it (6
characters or more); a collection by its id or its name (exact, then ignoring
case if only one matches). Each rule is written once, on a DB-API connection
(`read_connection()` of an `Archive` or of an `archive.reader.Reader`, or an ORM
session's own through `session_connection`), so `sesame show` reads without
SQLAlchemy and every other command and the window resolve the same way.
"""

from __future__ import annotations

from typing import Any

from archive.errors import BadIdPrefix, NotFound

ID_LENGTH = 32  # models.new_id: UUID hex
PREFIX_MIN = 6  # shorter prefixes would match too much to be safe to act on


def session_connection(session: Any) -> Any:
    """The DB-API connection under an ORM session, its pending rows flushed first (a
    lookup inside a change sees what the change made)."""
    session.flush()
    return session.connection().connection.driver_connection


def article_id(conn: Any, ident: str) -> str:
    """The id of the article `ident` names: its id, or a unique id prefix.

    A full id that names nothing raises NotFound; a shortened one (too short, naming
    no article or several) raises BadIdPrefix, a usage error, with what to type.
    """
    if conn.execute("SELECT 1 FROM article WHERE id = ?", (ident,)).fetchone():
        return ident
    if len(ident) >= ID_LENGTH:
        raise NotFound(f"No article with id {ident}. `sesame list` shows the ids.")
    if len(ident) < PREFIX_MIN:
        raise BadIdPrefix(
            f"No article with id {ident} (an id prefix needs at least {PREFIX_MIN} "
            "characters). `sesame list` shows the ids."
        )
    # substr, not LIKE: in a LIKE pattern _ and % would be wildcards.
    matches = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM article WHERE substr(id, 1, ?) = ?", (len(ident), ident)
        ).fetchall()
    ]
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        raise BadIdPrefix(
            f"The id prefix {ident} matches {len(matches)} articles; give more of the id "
            "(`sesame list` shows the ids)."
        )
    raise BadIdPrefix(
        f"No article with id {ident}, nor one whose id starts so. `sesame list` shows the ids."
    )


def find_collection_id(conn: Any, ident: str) -> str | None:
    """The id of the collection with this id or name (exact, then ignoring case when
    only one matches), or None."""
    row = conn.execute("SELECT id FROM collection WHERE id = ?", (ident,)).fetchone()
    if row is None:
        row = conn.execute("SELECT id FROM collection WHERE name = ? LIMIT 1", (ident,)).fetchone()
    if row is None:
        # SQLite's lower() folds ASCII only; the name is folded by Python's, as before.
        rows = conn.execute(
            "SELECT id FROM collection WHERE lower(name) = ? LIMIT 2", (ident.lower(),)
        ).fetchall()
        row = rows[0] if len(rows) == 1 else None
    return None if row is None else str(row[0])


def collection_id(conn: Any, ident: str) -> str:
    """The id of the collection `ident` names; NotFound if none does."""
    found = find_collection_id(conn, ident)
    if found is None:
        raise NotFound(f"No collection named {ident!r}. `sesame collections` lists them.")
    return found
