"""An archive opened to read without the ORM: the quick start of `sesame search`, `list`
and `show` (issue 15 item 5).

`Archive.open` loads SQLAlchemy, SQLModel and the table classes (~70 % of a
search's start-up, `python -X importtime`), and a writable open takes the lock
so the index can catch up. When the index already shows exactly what the
database holds, a search needs none of that: `open_current` opens the archive
read-only through `archive.database` (plain sqlite3, or SQLCipher for an
encrypted archive, its key unlocked as `Archive.open` does), and its `index`
is the same `SearchIndex` the window searches, reading the rows a hit shows
with plain SQL (`read_connection`, which `Archive` has too: one read path).

`sesame list` and `sesame show` need no index: `open_readable` gives them the
same reader whenever the format is current, and they read through the same
plain-SQL functions as the window (`archive.library`, `archive.reading`,
`archive.annotation_records`, `archive.lookup`).

Anything else (an archive of an older format to migrate, for a search an index
behind the database, missing or of another schema, a database that is missing
or empty, a key change a crash interrupted) returns None, and the caller opens
the archive as before, which migrates, catches up, rebuilds, recovers or says
what is wrong in its usual words. A
database newer than this version, not ours, or a wrong passphrase, is
refused here with the same errors `Archive.open` raises.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from archive import database, encryption
from archive.errors import ArchiveError

if TYPE_CHECKING:
    from archive.search import SearchIndex
    from archive.store import Archive

log = logging.getLogger(__name__)

# What an encrypt / re-key a crash interrupted leaves (`archive.keychange.STAGING`, not
# imported: it brings filelock): `Archive.open` finishes or undoes it first.
KEY_CHANGE_LEFTOVER = "keychange"


def unlock(path: Path, passphrase: str | None) -> bytes | None:
    """An existing archive's data key (None for a plain one), as `Archive.open` unlocks it."""
    if encryption.is_encrypted(path):
        return encryption.unlock(path, passphrase or encryption.passphrase_for(path))
    return None


def db_generation(conn: Any) -> int:
    """The last IndexQueue number handed out: what an index must have applied to be current."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='indexqueue'").fetchone()
    return int(row[0]) if row else 0


class Reader:
    """A read-only archive without the ORM: its key, one DB-API connection, its index."""

    readonly = True
    readonly_reason: str | None = None

    def __init__(self, path: Path, key: bytes | None) -> None:
        self.path = path
        self.data_key = key
        self._conn: sqlite3.Connection | None = None
        self._conn_lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._archive_id: str | None = None

    @property
    def db_path(self) -> Path:
        return self.path / database.DB_NAME

    @property
    def index_dir(self) -> Path:
        return self.path / database.INDEX_DIR

    @property
    def encrypted(self) -> bool:
        return self.data_key is not None

    @contextmanager
    def read_connection(self) -> Iterator[Any]:
        """The reader's DB-API connection (read-only), for plain SQL reads."""
        with self._conn_lock:
            if self._conn is None:
                self._conn = database.connect(
                    self.db_path,
                    readonly=True,
                    immutable=database.needs_immutable(self.path),
                    key=self.data_key,
                )
            conn = self._conn
        yield conn

    @property
    def archive_id(self) -> str:
        if self._archive_id is None:
            with self.read_connection() as conn:
                row = conn.execute("SELECT value FROM meta WHERE key = 'archive_id'").fetchone()
            if row is None:
                raise ArchiveError(f"The archive {self.path} has no archive id (damaged).")
            self._archive_id = str(row[0])
        return self._archive_id

    @property
    def index(self) -> SearchIndex:
        """The archive's search index, read-only (it never catches up from here)."""
        if self._index is None:
            from archive.search import SearchIndex

            # Read-only: the index reaches only the paths that read (`read_connection`,
            # `data_key`, `index_dir`), never the writers that need `Archive.engine`.
            self._index = SearchIndex(cast("Archive", self))
        return self._index

    def index_is_current(self) -> bool:
        """Whether the index folder's marker names this archive, this index schema and
        exactly the database's generation (nothing to apply, nothing to rebuild)."""
        from archive.search.schema import SCHEMA_VERSION
        from archive.search.state import read_state

        state = read_state(self.index_dir)
        if state is None or state.schema_version != SCHEMA_VERSION:
            return False
        if state.archive_id != self.archive_id:
            return False
        with self.read_connection() as conn:
            return db_generation(conn) == state.generation

    def close(self) -> None:
        if self._index is not None:
            with suppress(Exception):
                self._index.close()
            self._index = None
        with self._conn_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_readable(path: str | Path, *, passphrase: str | None = None) -> Reader | None:
    """The archive at `path` opened read-only without the ORM, if it needs no migration
    or repair first: what `sesame list` and `sesame show` read (they need no index).

    None when the archive must be opened with `Archive.open` (see the module's
    docstring); raises `ArchiveTooNew`, `NotAnArchive`, `WrongPassphrase`,
    `PassphraseNeeded` as `Archive.open` would.
    """
    if not str(path).strip():
        return None
    folder = Path(path).expanduser().resolve()
    db_path = folder / database.DB_NAME
    try:
        if not db_path.is_file() or db_path.stat().st_size == 0:
            return None
        if (folder / KEY_CHANGE_LEFTOVER).exists():
            return None
    except OSError:
        return None
    key = unlock(folder, passphrase)
    if database.check_header(db_path, key) < database.SCHEMA_VERSION:
        return None  # Archive.open migrates it (or says it cannot, read-only)
    return Reader(folder, key)


def open_current(path: str | Path, *, passphrase: str | None = None) -> Reader | None:
    """The archive at `path` opened read-only without the ORM, if its index is current:
    what `sesame search` reads (`open_readable`, and the index's marker checked).

    None when the archive must be opened with `Archive.open` first (see the module's
    docstring); raises `ArchiveTooNew`, `NotAnArchive`, `WrongPassphrase`,
    `PassphraseNeeded` as `Archive.open` would.
    """
    reader = open_readable(path, passphrase=passphrase)
    if reader is None:
        return None
    try:
        if not reader.index_is_current():
            reader.close()
            return None
        reader.index  # noqa: B018  (opens the Whoosh index: ArchiveError if unusable)
    except Exception as exc:
        # The usual open repairs it or explains (a damaged index, a table missing).
        log.info("searching through the usual open: %s", exc)
        reader.close()
        return None
    except BaseException:
        reader.close()
        raise
    return reader
