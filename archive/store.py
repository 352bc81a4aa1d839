"""Open and create archive folders (DESIGN "An archive on disk").

Connections are made by `archive.database` (no ORM there), engines only here. An
archive folder holds

    archive.sqlite   all data, originals included, WAL mode
    index/           the Whoosh index (derived, rebuildable)
    lock             held while a process has the archive open for writing
    keyfile.json     only in an encrypted archive: its data key, wrapped under the
                     passphrase (`archive.encryption`); the database is then SQLCipher
                     and the index's files are sealed (`archive.search.storage`)

The plain path is unchanged by encryption: one stat() for the key file.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import NullPool, QueuePool
from sqlmodel import Session, SQLModel, select

from archive import __version__, database, encryption, memory, models, private_temp
from archive.errors import (
    ArchiveError,
    ArchiveLocked,
    ArchiveReadOnly,
    NotAnArchive,
)

if TYPE_CHECKING:
    from archive.changes import Change, ChangeSet
    from archive.search import SearchIndex

DB_NAME = database.DB_NAME
INDEX_DIR = database.INDEX_DIR
LOCK_NAME = database.LOCK_NAME
APPLICATION_ID = database.APPLICATION_ID

BUILTIN_TAG_TYPES = [
    models.TagType(key="actor", label="Actor", colour="#8ecae6", shortcut="A", builtin=True),
    models.TagType(key="event", label="Event", colour="#ffb703", shortcut="E", builtin=True),
    models.TagType(key="figure", label="Figure", colour="#b5e48c", shortcut="F", builtin=True),
]


def _migration_1(conn: Any) -> None:
    """The first schema: every table of the data model, built-in tag types."""
    SQLModel.metadata.create_all(conn)
    for tag_type in BUILTIN_TAG_TYPES:
        conn.execute(
            models.TagType.__table__.insert().values(**tag_type.model_dump())  # type: ignore[attr-defined]
        )
    archive_id = models.new_id()
    conn.execute(
        models.Meta.__table__.insert(),  # type: ignore[attr-defined]
        [
            {"key": "archive_id", "value": archive_id},
            {"key": "created_at", "value": models.utcnow().isoformat()},
            {"key": "created_by_version", "value": __version__},
        ],
    )


def _migration_2(conn: Any) -> None:
    """Core changes: the change log (undo / redo, history), a change id on audit entries,
    and the bundle exchange record.

    Migration 1 builds tables from today's models, so on a new archive both
    may exist already: each step checks first.
    """
    columns = {row[1] for row in conn.execute(text("PRAGMA table_info(auditevent)"))}
    if "change_id" not in columns:
        conn.execute(text("ALTER TABLE auditevent ADD COLUMN change_id VARCHAR"))
        conn.execute(
            text("CREATE INDEX IF NOT EXISTS ix_auditevent_change_id ON auditevent (change_id)")
        )
    models.Change.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
    models.Exchange.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


def _migration_3(conn: Any) -> None:
    """Articles can be retracted (hidden, never deleted), with the reason."""
    article_columns = {row[1] for row in conn.execute(text("PRAGMA table_info(article)"))}
    for column, kind in (("retracted_at", "DATETIME"), ("retracted_reason", "VARCHAR")):
        if column not in article_columns:
            conn.execute(text(f"ALTER TABLE article ADD COLUMN {column} {kind}"))


def _add_columns(conn: Any, table: str, columns: list[tuple[str, str]]) -> None:
    """ALTER TABLE ADD COLUMN for each (name, SQL type and default) not there yet."""
    present = {row[1] for row in conn.execute(text(f"PRAGMA table_info({table})"))}
    for column, kind in columns:
        if column not in present:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def _migration_4(conn: Any) -> None:
    """The evidence model and new kinds of sources (issues 13 and 14): review,
    verification and sensitive flags on articles and passages, figure ranges, date
    and place precision, roles and relations, case notes, provenance, OCR, copies."""
    review = [
        ("verification", "VARCHAR NOT NULL DEFAULT 'unverified'"),
        ("verification_note", "VARCHAR NOT NULL DEFAULT ''"),
        ("sensitive", "BOOLEAN NOT NULL DEFAULT 0"),
        ("sensitive_reason", "VARCHAR NOT NULL DEFAULT ''"),
    ]
    _add_columns(
        conn,
        "article",
        [
            ("review_status", "VARCHAR NOT NULL DEFAULT 'unread'"),
            ("assignee", "VARCHAR"),
            *review,
            ("captured_at", "VARCHAR"),
            ("collected_by", "VARCHAR"),
            ("collected_with", "VARCHAR"),
            ("collected_from", "VARCHAR"),
            ("text_origin", "VARCHAR NOT NULL DEFAULT 'text'"),
            ("ocr_confidence", "FLOAT"),
            ("copy_group", "VARCHAR"),
            ("copy_group_by", "VARCHAR NOT NULL DEFAULT 'auto'"),
        ],
    )
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_article_copy_group ON article (copy_group)"))
    _add_columns(conn, "annotation", [("low", "FLOAT"), ("high", "FLOAT"), *review])
    _add_columns(conn, "entity", [("date_precision", "VARCHAR"), ("place_precision", "VARCHAR")])
    _add_columns(conn, "collection", [("notes", "VARCHAR NOT NULL DEFAULT ''")])
    for name in ("roletype", "role", "relationtype", "relation", "copysignature"):
        SQLModel.metadata.tables[name].create(conn, checkfirst=True)
    for name, builtins in (
        ("roletype", models.BUILTIN_ROLE_TYPES),
        ("relationtype", models.BUILTIN_RELATION_TYPES),
    ):
        table = SQLModel.metadata.tables[name]
        for key, label in builtins:
            conn.execute(
                table.insert().prefix_with("OR IGNORE").values(key=key, label=label, builtin=True)
            )


# Numbered migrations: MIGRATIONS[n - 1] takes a database from version n - 1
# to n. Never edit a released one; append a new one that alters the schema.
MIGRATIONS: list[Callable[[Any], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
]
SCHEMA_VERSION = len(MIGRATIONS)


if SCHEMA_VERSION != database.SCHEMA_VERSION:  # the light readers check against it
    raise RuntimeError(
        f"archive.database.SCHEMA_VERSION is {database.SCHEMA_VERSION}, but there are "
        f"{SCHEMA_VERSION} migrations: set it to {SCHEMA_VERSION}."
    )

# The connection and header functions live in `archive.database` (no SQLAlchemy there,
# so that `archive.reader` can open an archive without it); the old names stay.
_ro_uri = database.ro_uri
_unwritable = database.unwritable
_needs_immutable = database.needs_immutable
_driver = database.driver
_keyed = database.keyed
_connect = database.connect
_looks_encrypted = database.looks_encrypted
_read_header = database.read_header
SQLITE_MAGIC = database.SQLITE_MAGIC


class Archive:
    """An open archive folder. Use `Archive.open()`; close it when done."""

    def __init__(
        self,
        path: Path,
        engine: Engine,
        lock: filelock.BaseFileLock | None,
        data_key: bytes | None = None,
    ) -> None:
        self.path = path
        self.engine = engine
        self._lock = lock
        # An encrypted archive's data key (None: a plain archive); kept while it is open
        # for the index's sealed files, backups and a new passphrase.
        self.data_key = data_key
        self._temp: private_temp.PrivateTemp | None = None
        self._index: SearchIndex | None = None
        # How long a search waits for child processes indexing an import before it
        # answers with their articles as pending (None: until they are done; the
        # window sets a short wait: desktop.operations.IndexCatchUp).
        self.search_patience: float | None = None
        self.readonly = lock is None
        # Why a read-only archive is read-only when it could not be otherwise (media).
        self.readonly_reason: str | None = None
        # The audit head when a writable archive opened (`audit.checkpoint` compares).
        self.audit_head_at_open: tuple[int, str] | None = None
        # Same pool and hooks; its transactions begin IMMEDIATE (see `transaction`).
        self._write_engine = engine.execution_options(sesame_begin="BEGIN IMMEDIATE")
        # Per thread: changes made inside `index_deferred()` skip the catch-up.
        self._deferred = threading.local()
        self._index_lock = threading.Lock()

    # -- opening -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        readonly: bool = False,
        passphrase: str | None = None,
        encrypt: bool = False,
        kdf: encryption.KdfParams | None = None,
    ) -> Archive:
        """Open the archive in folder `path`.

        `create`: make the folder and an empty archive if there is none;
        `encrypt`: that new archive is encrypted under `passphrase` (with `kdf`'s
        Argon2id parameters). An encrypted archive is opened with `passphrase`, or
        the one `encryption.passphrase_for` finds (`WrongPassphrase`,
        `PassphraseNeeded`: nothing is changed).
        `readonly`: read without taking the write lock (for `list`, `show`).
        Raises an `ArchiveError` subclass with a message that says what to do.
        """
        if not str(path).strip():
            raise ArchiveError("No archive folder given (an empty path); name a folder.")
        path = Path(path).expanduser().resolve()
        db_path = path / DB_NAME
        from archive import keychange

        keychange.recover(path)  # an encrypt / re-key a crash interrupted (one stat if none)
        if not db_path.exists():
            passphrase = cls._prepare_new(
                path, create=create, readonly=readonly, encrypt=encrypt, passphrase=passphrase
            )
        else:
            cls._refuse_unusable_database(db_path)
        new = not db_path.exists()
        key = None if new else cls._unlock(path, passphrase, encrypt=encrypt)
        if not new:
            cls._check_header(db_path, key)

        lock = None if readonly else cls._take_lock(path)
        made_keyfile = False
        archive: Archive | None = None
        try:
            if new and encrypt:
                key = encryption.create_keyfile(path, passphrase or "", kdf)
                made_keyfile = True
            if db_path.exists() and db_path.stat().st_size > 0:
                # Checked again under the lock: another process may have migrated it.
                cls._check_header(db_path, key)
            immutable = readonly and _needs_immutable(path)
            engine = create_engine(
                "sqlite://",
                creator=lambda: _connect(db_path, readonly, immutable, key),
                poolclass=NullPool if readonly else QueuePool,
            )
            _install_begin_hook(engine)
            archive = cls(path, engine, lock, key)
            if readonly:
                archive.readonly_reason = _unwritable(path)
            if not readonly:
                if key is not None:
                    archive._temp = private_temp.enter(path)
                archive._migrate()
                from archive import audit

                audit.opened(archive)
            else:
                version = _read_header(db_path, key)[1]
                if version < SCHEMA_VERSION:
                    raise database.older_format(path)
            return archive
        except BaseException:
            if archive is not None and archive._temp is not None:
                private_temp.leave(archive._temp)
            if made_keyfile and not db_path.exists():
                (path / encryption.KEYFILE_NAME).unlink(missing_ok=True)
            if lock is not None:
                lock.release()
            raise

    @classmethod
    def open_for_parent(cls, path: str | Path) -> Archive:
        """The plain archive its parent process holds open, opened in a child process
        that writes on the parent's behalf (the window's imports: `archive.ingest.child`).

        The write lock is not taken (the parent holds it, and waits for this process)
        and nothing is migrated (the parent did that); changes are written as in any
        process (BEGIN IMMEDIATE, the audit chain read in the transaction, each change
        signing its head). Closing signs no checkpoint: the parent's close does. An
        encrypted archive is refused: its data key never leaves its process.
        """
        path = Path(path).expanduser().resolve()
        db_path = path / DB_NAME
        if encryption.is_encrypted(path):
            raise ArchiveError(
                f"The archive {path} is encrypted: its changes are written in the process "
                "that unlocked it, never in another one."
            )
        if not db_path.is_file():
            raise NotAnArchive(f"There is no archive database in {path}.")
        version = _read_header(db_path)[1]
        if version != SCHEMA_VERSION:
            raise ArchiveError(
                f"The archive {path} is at format {version}, not {SCHEMA_VERSION}: the "
                "process that holds it open must have it migrated first."
            )
        engine = create_engine(
            "sqlite://", creator=lambda: _connect(db_path, False), poolclass=QueuePool
        )
        _install_begin_hook(engine)
        archive = cls(path, engine, None)
        archive.readonly = False  # no lock of its own, but writable: the parent's lock
        from archive import audit

        audit.opened(archive)
        return archive

    @classmethod
    def _prepare_new(
        cls, path: Path, *, create: bool, readonly: bool, encrypt: bool, passphrase: str | None
    ) -> str | None:
        """Checks before a new archive is made in `path` (and its folder made); returns
        the new archive's passphrase when it is to be encrypted."""
        cls._refuse_lost_database(path)
        if not create or readonly:
            raise NotAnArchive(
                f"There is no archive in {path}. Create one with `sesame init` "
                "(or `sesame import FILES`, which creates it)."
            )
        if path.exists() and not path.is_dir():
            raise NotAnArchive(f"{path} is a file, not an archive folder.")
        # Never scatter an archive among someone's files (a mistyped --archive).
        leftovers = {LOCK_NAME, INDEX_DIR, DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME}
        if path.is_dir() and any(p.name not in leftovers for p in path.iterdir()):
            raise NotAnArchive(
                f"{path} holds other files and no Sesame archive. Choose an empty or "
                "new folder for a new archive, or the folder of an existing one."
            )
        if encrypt:  # asked before anything is made: no passphrase, no folder
            passphrase = passphrase or encryption.passphrase_for(path, new=True)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(
                f"The archive folder {path} cannot be made: {exc.strerror}."
            ) from exc
        return passphrase

    @classmethod
    def _refuse_unusable_database(cls, db_path: Path) -> None:
        if db_path.is_dir():
            raise NotAnArchive(f"{db_path} is a folder, not an archive database.")
        if db_path.stat().st_size == 0 and not cls._wal_holds_data(db_path.parent):
            # Never replaced by a new archive: that would give good evidence's folder a
            # new, empty archive (a new archive id) and hide what happened.
            raise NotAnArchive(
                f"The archive database {db_path} is empty (0 bytes): a crash, a full disk "
                "or a failed copy emptied it. Sesame will not put a new archive in its "
                "place. Restore the archive from a backup; for a new archive, choose "
                "another folder."
            )

    @staticmethod
    def _unlock(path: Path, passphrase: str | None, *, encrypt: bool) -> bytes | None:
        """An existing archive's data key (None for a plain one)."""
        if encryption.is_encrypted(path):
            return encryption.unlock(path, passphrase or encryption.passphrase_for(path))
        if encrypt:
            raise ArchiveError(
                f"{path} is already a plain (unencrypted) archive; it was not encrypted. "
                "Encrypt it with `sesame encrypt` (File → Encrypt archive…), or create the "
                "encrypted archive in a new folder."
            )
        return None

    @staticmethod
    def _take_lock(path: Path) -> filelock.BaseFileLock:
        """The archive's write lock, or an error saying why it cannot be had."""
        reason = _unwritable(path)
        if reason is not None:
            raise ArchiveReadOnly(
                f"The archive {path} is read-only: {reason}. Commands that only read "
                "(list, show, search, check) open it read-only; to change it, copy "
                "the folder to a writable place. Nothing was changed.",
                reason,
            )
        lock_path = path / LOCK_NAME
        if lock_path.is_dir() or (lock_path.exists() and not lock_path.is_file()):
            raise ArchiveError(
                f"The archive's lock {lock_path} is not a file (a folder or something "
                "else is in its place). Remove it when no window or sesame command "
                "has the archive open, then try again; the archive was not changed."
            )
        lock = filelock.FileLock(str(lock_path), timeout=0, thread_local=False)
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise ArchiveLocked(
                f"The archive {path} is open in another window or another sesame "
                "command. Close it there and try again."
            ) from exc
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise ArchiveReadOnly(
                    f"The archive {path} is read-only: its lock file cannot be "
                    f"written ({exc.strerror}). Commands that only read open it "
                    "read-only; nothing was changed.",
                    f"its lock file cannot be written ({exc.strerror})",
                ) from exc
            raise ArchiveError(
                f"The archive's lock {lock_path} cannot be taken: {exc.strerror}. "
                "Nothing was changed."
            ) from exc
        return lock

    @staticmethod
    def _wal_holds_data(path: Path) -> bool:
        wal = path / (DB_NAME + "-wal")
        return wal.is_file() and wal.stat().st_size > 0

    @staticmethod
    def _refuse_lost_database(path: Path) -> None:
        """No database, but what an archive leaves beside one: it went missing; never
        make a new archive in its place."""
        if not path.is_dir():
            return
        index = path / INDEX_DIR
        traces = [
            p.name for p in (path / (DB_NAME + "-wal"), path / (DB_NAME + "-shm")) if p.exists()
        ]
        if index.is_dir() and any(index.iterdir()):
            traces.append(INDEX_DIR + "/")
        if encryption.is_encrypted(path):
            traces.append(encryption.KEYFILE_NAME)
        if traces:
            raise NotAnArchive(
                f"The archive database {path / DB_NAME} is missing, though the folder "
                f"still holds {', '.join(traces)}: it was moved or deleted. Sesame will not "
                "put a new archive in its place. Restore it from a backup; for a new "
                "archive, choose another folder."
            )

    @staticmethod
    def _check_header(db_path: Path, key: bytes | None = None) -> None:
        database.check_header(db_path, key)

    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            version = conn.execute(text("PRAGMA user_version")).scalar_one()
            for number in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[number - 1](conn)
            if version < SCHEMA_VERSION:
                conn.execute(text(f"PRAGMA application_id={APPLICATION_ID}"))
                conn.execute(text(f"PRAGMA user_version={SCHEMA_VERSION}"))

    # -- using ---------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def encrypted(self) -> bool:
        """Whether this is an encrypted archive (SQLCipher database, sealed index)."""
        return self.data_key is not None

    @property
    def index_dir(self) -> Path:
        return self.path / INDEX_DIR

    def session(self) -> Session:
        """A new ORM session; objects stay usable after commit."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def read_connection(self) -> Iterator[Any]:
        """A DB-API connection of the engine's pool, for plain SQL reads without the ORM:
        the search index reads its hits' rows through it (`archive.reader` has the same)."""
        with self.engine.connect() as conn:
            yield conn.connection.driver_connection

    def change(
        self, label: str, origin: str = "manual", *, sync: bool = True, group: str | None = None
    ) -> AbstractContextManager[Change]:
        """Open a core change: the one way to write (see `archive.changes`).

            with archive.change("Tag as actor") as ch:
                annotate.create_annotation(ch, ...)
            ch.changes  # what it did

        `sync=False` leaves the search-index catch-up to a later `sync_index()`;
        consecutive changes with one `group` (the batches of an import) are
        undone and redone as one step.
        """
        from archive.changes import begin

        return begin(self, label, origin, sync=sync, group_id=group)

    def undo(self, *, sync: bool = True) -> ChangeSet:
        """Revert the newest change still done (itself a recorded change)."""
        from archive.changes import undo

        return undo(self, sync=sync)

    def redo(self, *, sync: bool = True) -> ChangeSet:
        """Re-apply the change undone last."""
        from archive.changes import redo

        return redo(self, sync=sync)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error.

        Only `archive.changes` writes through it (a test checks this): every
        other writer opens a change.

        It starts with BEGIN IMMEDIATE (taking the write lock first, waiting up
        to the busy timeout): a transaction that read first and wrote later
        would otherwise fail at once with "database is locked" whenever another
        thread committed in between (a background import or index catch-up).
        """
        engine = self.engine if self.readonly else self._write_engine
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def meta(self, key: str) -> str | None:
        """A value of the archive's Meta table."""
        with self.session() as session:
            row = session.get(models.Meta, key)
            return row.value if row else None

    @property
    def archive_id(self) -> str:
        value = self.meta("archive_id")
        assert value is not None, "archive without an id"
        return value

    @property
    def index(self) -> SearchIndex:
        """The search index of this archive (opened on first use, by one thread only)."""
        if self._index is None:
            with self._index_lock:
                # Two threads reaching here first must not both build an index.
                if self._index is None:
                    from archive.search import SearchIndex

                    self._index = SearchIndex(self)
        return self._index

    def sync_index(
        self, progress: Any = None, cancel: Any = None, *, force: bool | None = None
    ) -> None:
        """Let the search index catch up with the database (not inside `index_deferred`).

        Without `progress` or `force=True`, a large batch of pending changes
        may be left for a later, bigger commit (see `SearchIndex.catch_up`);
        searching, closing and the next open always apply it first, so no
        search ever disagrees with the database.
        """
        if self.readonly or getattr(self._deferred, "active", False):
            return
        self.index.catch_up(progress=progress, cancel=cancel, force=force)

    @contextmanager
    def index_deferred(self) -> Iterator[None]:
        """On this thread, changes skip the index catch-up; the caller runs `sync_index` later.

        The window uses it so that a tag or an undo never waits for the search
        index (or for an import holding the index's write lock) on the GUI thread.
        """
        previous = getattr(self._deferred, "active", False)
        self._deferred.active = True
        try:
            yield
        finally:
            self._deferred.active = previous

    def close(self, *, finish_index: bool = True) -> None:
        """Sign the audit log's head if this session wrote to it, close the index and the
        database, and release the write lock.

        `finish_index=False` (the window quitting) leaves the search index's pending
        work to the next open instead of doing it now (`SearchIndex.close`)."""
        if self._lock is not None:
            from archive import audit

            # Closing must go on whatever happens; `sesame check` reports an unsigned tail.
            with suppress(Exception):
                audit.checkpoint(self, only_if_written=True)
        if self._index is not None:
            with suppress(Exception):
                self._index.close(finish=finish_index)
            self._index = None
        self.engine.dispose()
        if self._temp is not None:
            private_temp.leave(self._temp)
            self._temp = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        memory.release_survivors()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def backup_database(
    archive: Archive, target: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """Copy the archive's database into the new file `target` with SQLite's (SQLCipher's)
    online backup API: a consistent snapshot while the archive stays open (a write
    during the copy restarts it). An encrypted archive's copy is encrypted under the
    same data key."""
    key = archive.data_key
    source = _connect(archive.db_path, readonly=True, key=key)
    dest = _driver(key).connect(str(target))
    try:
        _keyed(dest, key)

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        # 1,024 pages (4 MiB) a step: the writer waits at most one step for the copy.
        source.backup(dest, pages=1024, progress=step)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dest.close()
        source.close()


def _install_begin_hook(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, decide when transactions begin.

    pysqlite's own implicit BEGIN skips some statements, so a failed import
    could leave half its rows; SQLAlchemy's documented fix is to emit BEGIN
    ourselves.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sesame_begin", "BEGIN"))


def mark_for_index(session: Session, article_id: str, op: str = "upsert") -> None:
    """Queue an article for (re)indexing in the caller's transaction."""
    session.add(models.IndexQueue(article_id=article_id, op=op))


def generation(session: Session) -> int:
    """The highest index-queue number handed out so far (0 for none)."""
    row = session.exec(text("SELECT seq FROM sqlite_sequence WHERE name='indexqueue'")).first()  # type: ignore[call-overload]
    return int(row[0]) if row else 0


def tag_types(session: Session) -> list[models.TagType]:
    """Every tag type, built-in first."""
    return list(
        session.exec(
            select(models.TagType).order_by(
                models.TagType.builtin.desc(),  # type: ignore[attr-defined]
                models.TagType.key,
            )
        )
    )
