"""An archive's SQLite file at the DB-API level: its names, its connections, its header.

The one place a database connection is made (sqlite3, or SQLCipher's module
of the same API for an encrypted archive), and the checks of a database's
header (ours? which format?) made before anything else. `archive.store`
builds its SQLAlchemy engine on `connect`; `archive.reader` opens an
archive read-only through the same functions without loading the ORM
(`sesame search` on a current index: SQLAlchemy and SQLModel are ~70 % of
the command's start-up).

This module imports no SQLAlchemy and nothing heavy: it must stay cheap.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from archive import encryption
from archive.errors import ArchiveError, ArchiveTooNew, NotAnArchive

DB_NAME = "archive.sqlite"
INDEX_DIR = "index"
LOCK_NAME = "lock"
# "SESM": marks the SQLite file as ours, so a stray database is never migrated.
APPLICATION_ID = 0x5345534D
# The newest database format this version reads: the number of migrations in
# `archive.store.MIGRATIONS` (store checks the two agree when it is imported).
SCHEMA_VERSION = 4


def ro_uri(db_path: Path, immutable: bool = False) -> str:
    """A read-only SQLite URI for `db_path` (quoted: a folder named "a#b?c" stays one path).

    `immutable`: the file is on media nothing can write to (a read-only folder
    with no unfinished WAL), so SQLite needs no -shm file beside it.
    """
    return f"file:{quote(str(db_path))}?mode=ro" + ("&immutable=1" if immutable else "")


def unwritable(path: Path) -> str | None:
    """Why the archive folder (or its database) cannot be written, or None if it can."""
    db_path = path / DB_NAME
    if not os.access(path, os.W_OK):
        return "its folder cannot be written (read-only media, or a write-protected copy)"
    if db_path.exists() and not os.access(db_path, os.W_OK):
        return f"its database file {DB_NAME} is read-only"
    return None


def needs_immutable(path: Path) -> bool:
    """Read-only folder and no unfinished writes: SQLite must not look for a -shm file."""
    wal = path / (DB_NAME + "-wal")
    return not os.access(path, os.W_OK) and not (wal.exists() and wal.stat().st_size > 0)


def _roll_back(db_path: Path, key: bytes | None, module: Any) -> None:
    """Roll back the write a killed program left half done (a hot rollback journal).

    The archive runs in WAL mode, but a re-key takes the old database out of
    it (`keychange`): killed during a write there, it leaves
    `archive.sqlite-journal`, which only a connection that may write can roll
    back. Read-only, every open of the archive failed ("attempt to write a
    readonly database"), reported as a damaged database to restore from a
    backup, though SQLite's own recovery gives back the last committed state.
    """
    journal = db_path.with_name(db_path.name + "-journal")
    if not journal.exists() or journal.stat().st_size == 0:
        return
    try:
        conn = module.connect(str(db_path))
    except module.Error:
        return  # (the read below says what is wrong)
    try:
        keyed(conn, key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls it back
    except module.DatabaseError:
        pass  # not this key's database, or damaged: the read below says so
    finally:
        conn.close()


def driver(key: bytes | None) -> Any:
    """The DB-API module: sqlite3, or SQLCipher's (same API) for an encrypted archive."""
    if key is None:
        return sqlite3
    import sqlcipher3  # type: ignore[import-untyped]

    return sqlcipher3


def keyed(conn: Any, key: bytes | None) -> None:
    """Give SQLCipher the raw data key (the first statement on the connection)."""
    if key is not None:
        # A wrong key is our message, not SQLCipher's log lines on stderr.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(encryption.sqlcipher_key(key))
        # Sorts and temporary tables in memory: never in a temp file outside the archive.
        conn.execute("PRAGMA temp_store=MEMORY")
        # Every page read from disk is decrypted and checked: keep more of them decrypted
        # (16 MiB a connection; SQLite's default is 2 MiB).
        conn.execute("PRAGMA cache_size=-16384")


def connect(
    db_path: Path, readonly: bool, immutable: bool = False, key: bytes | None = None
) -> sqlite3.Connection:
    """Make one SQLite (or, with `key`, SQLCipher) connection with the pragmas every
    connection needs."""
    module = driver(key)
    conn: sqlite3.Connection
    if readonly:
        conn = module.connect(
            ro_uri(db_path, immutable), uri=True, check_same_thread=False, timeout=30
        )
        keyed(conn, key)
    else:
        conn = module.connect(str(db_path), check_same_thread=False, timeout=30)
        keyed(conn, key)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed import survives a power cut, not just a crash.
        conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


SQLITE_MAGIC = b"SQLite format 3\x00"


def looks_encrypted(db_path: Path) -> bool:
    """A database file that does not start as plain SQLite does (SQLCipher's starts with
    its random salt)."""
    try:
        with open(db_path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError:
        return False
    return len(head) == len(SQLITE_MAGIC) and head != SQLITE_MAGIC


def read_header(db_path: Path, key: bytes | None = None) -> tuple[int, int, bool]:
    """(application_id, user_version, has_tables) read without writing anything (but
    the rollback of a write a stopped program left half done: `_roll_back`)."""
    folder = db_path.parent
    for side in ("-wal", "-journal"):
        unfinished = folder / (DB_NAME + side)
        if not os.access(folder, os.W_OK) and unfinished.exists() and unfinished.stat().st_size > 0:
            raise ArchiveError(
                f"The archive {folder} is on read-only media with unfinished writes "
                f"({DB_NAME}{side}): SQLite cannot read it without writing beside it. Copy "
                "the whole folder to a writable place and open the copy; nothing was changed."
            )
    module = driver(key)
    _roll_back(db_path, key, module)
    try:
        conn = module.connect(ro_uri(db_path, needs_immutable(folder)), uri=True)
    except module.Error as exc:
        raise NotAnArchive(f"{db_path} cannot be read as a database: {exc}.") from exc
    try:
        keyed(conn, key)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except module.DatabaseError as exc:
        if key is not None:
            raise NotAnArchive(
                f"The key file {encryption.KEYFILE_NAME} does not open the database {db_path}: "
                "it belongs to another archive, or the database is damaged. Restore the "
                "archive (database and key file together) from a backup; nothing was changed."
            ) from exc
        if looks_encrypted(db_path):
            raise NotAnArchive(
                f"{db_path} is not a plain database: an encrypted archive whose key file "
                f"{encryption.KEYFILE_NAME} is missing, or a damaged file. Put the key file "
                "back beside it (or restore the archive from a backup); nothing was changed."
            ) from exc
        raise NotAnArchive(
            f"{db_path} is not a Sesame archive (or it is damaged): {exc}. "
            "Choose another folder, or restore the archive from a backup."
        ) from exc
    finally:
        conn.close()
    return app_id, version, has_tables


def check_header(db_path: Path, key: bytes | None = None) -> int:
    """Refuse a database that is not ours or is newer than this version; its format."""
    app_id, version, has_tables = read_header(db_path, key)
    if app_id != APPLICATION_ID and (has_tables or app_id != 0):
        raise NotAnArchive(
            f"{db_path} is a database, but not a Sesame archive. Choose another folder."
        )
    if version > SCHEMA_VERSION:
        raise ArchiveTooNew(
            f"The archive {db_path.parent} was written by a newer version of Sesame "
            f"(format {version}; this version reads up to {SCHEMA_VERSION}). "
            "Update Sesame to open it; the archive has not been changed."
        )
    return int(version)


def older_format(path: Path) -> ArchiveError:
    """The error of a read-only open of an archive whose format must first be upgraded."""
    return ArchiveError(
        f"The archive {path} uses an older format. Open it once without "
        "--read-only (or in the app) to upgrade it."
    )
