"""Encrypting an existing plain archive (`sesame encrypt`) and re-keying an encrypted one
(`sesame rekey`): a new data key, everything re-encrypted, crash-safe.

Both build the new archive beside the old one, inside the archive folder, in
`keychange/` (STAGING):

1. the old archive is brought up to date (its search index caught up, its
   audit head signed) and closed except for its write lock, which is held to
   the end; its database leaves WAL mode (`journal_mode=DELETE`, which also
   proves no other program has it open) so that no WAL file can be left beside
   the new database;
2. a new random data key, wrapped under the passphrase, in `keychange/keyfile.json`;
3. the database exported through SQLCipher's `sqlcipher_export` into the new,
   encrypted `keychange/archive.sqlite` (one transaction; every table's row
   count compared inside it);
4. every search-index file re-sealed under the new key (`keychange/index/`):
   the index is not rebuilt, its bytes are the same ones sealed again;
5. the new archive opened as an archive: one audit entry (`archive.encrypt` or
   `archive.rekey`, its head signed), `PRAGMA integrity_check` and
   `cipher_integrity_check`, the whole custody check (every original re-hashed,
   rows against the audit log, the audit chain and its checkpoint, the index
   against the database), and the index must open without a rebuild;
6. the swap: `keychange/READY` (the new database's first 16 bytes, SQLCipher's
   salt) is written and fsync'd, then the new database is renamed over
   `archive.sqlite` (the commit point: one rename), then the key file, then
   the index folder, then `keychange/` is removed.

A kill before the rename leaves the old archive as it was (its staging folder
is removed when it is next opened). A kill after it leaves a swap that
`recover` (called by `Archive.open`, under the write lock) finishes: the key
file and the index of the new archive are moved in, so an archive is always
opened as either the old one or the new one, never a mix (as SQLite's own hot
journal is replayed by the next reader). tests/archive/test_keychange.py kills
the commands at many points to hold this.

What this cannot do, said in the CLI, the dialog and docs/security.md: the old
plain (or old-key) bytes are deleted, not erased; an SSD, a journaling or
copy-on-write file system, or a snapshot may keep them. Backups made before
are as they were (plain, or under the old key).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock

from archive import encryption
from archive.errors import ArchiveError, SesameError
from archive.paths import fsync_path as _fsync  # the kill tests wrap this name
from archive.tasks import CancelToken, ProgressFn, report

if TYPE_CHECKING:
    from archive.store import Archive

STAGING = "keychange"
READY = "READY"
HEAD_BYTES = 16  # SQLCipher's per-file random salt: tells the new database from the old
# What the CLI, the dialog and docs/security.md say after a key change.
LEFTOVERS_WARNING = (
    "The old {what} files were deleted, not erased: on an SSD, a journaling or "
    "copy-on-write file system, or in a snapshot their bytes may survive (no secure "
    "erase is possible there; full-disk encryption covers them). Backups made before "
    "this are still {before}."
)


class KeyChangeRefused(SesameError):
    """The new archive did not hold; the old one is unchanged (exit status 1)."""


@dataclass
class KeyChangeReport:
    """What an encrypt or re-key did."""

    archive: Path
    kind: str  # "encrypt" | "rekey"
    tables: dict[str, int] = field(default_factory=dict)
    index_files: int = 0
    originals: int = 0
    passphrase_changed: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def leftovers(self) -> str:
        if self.kind == "encrypt":
            return LEFTOVERS_WARNING.format(what="plain (unencrypted)", before="plain")
        return LEFTOVERS_WARNING.format(what="database and index", before="under the old key")

    def to_json(self) -> dict[str, Any]:
        return {
            "archive": str(self.archive),
            "done": self.kind,
            "encrypted": True,
            "rows": sum(self.tables.values()),
            "tables": self.tables,
            "index_files": self.index_files,
            "originals_rehashed": self.originals,
            "passphrase_changed": self.passphrase_changed,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
            "leftovers": self.leftovers,
        }


# -- small file helpers ---------------------------------------------------------------


def _head(db_path: Path) -> str:
    with open(db_path, "rb") as fh:
        return fh.read(HEAD_BYTES).hex()


def _raw_connect(db_path: Path, key: bytes | None) -> Any:
    """A connection of the driver the file needs (sqlite3, or SQLCipher's with the key), in
    autocommit."""
    if key is None:
        conn: Any = sqlite3.connect(str(db_path), check_same_thread=False, timeout=5)
    else:
        import sqlcipher3  # type: ignore[import-untyped]

        conn = sqlcipher3.connect(str(db_path), check_same_thread=False, timeout=5)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(encryption.sqlcipher_key(key))
    conn.isolation_level = None
    return conn


def _close_keeping_lock(archive: Archive) -> filelock.BaseFileLock:
    """Close the archive's index and database but keep its write lock, which the key
    change holds until the new files are in place."""
    lock = archive._lock  # the one caller that keeps it past close
    if lock is None:
        raise ArchiveError(f"The archive {archive.path} is not open for writing.")
    archive._lock = None  # close() then neither signs again nor releases it
    archive.close()
    return lock


# -- recovery (called by Archive.open) -----------------------------------------------


def recover(folder: Path) -> None:
    """Finish or undo a key change a crash interrupted in `folder` (one stat when none).

    Runs only when it can take the archive's write lock: a key change still
    running in another process is left alone.
    """
    staging = folder / STAGING
    if not staging.is_dir() or not os.access(folder, os.W_OK):
        return
    from archive.store import DB_NAME, LOCK_NAME

    lock = filelock.FileLock(str(folder / LOCK_NAME), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except (filelock.Timeout, OSError):
        return
    try:
        if not staging.is_dir():
            return
        ready = _read_ready(staging)
        if ready is None or (staging / DB_NAME).exists():
            # Interrupted before the commit point: the old archive is whole; drop the new.
            shutil.rmtree(staging, ignore_errors=True)
            return
        if _head(folder / DB_NAME) != ready:
            raise ArchiveError(
                f"An interrupted key change in {folder} left {STAGING}/, but the database "
                "is neither the old nor the new one. Nothing was changed; restore the "
                "archive from a backup, or keep the folder as it is and ask for help."
            )
        _finish_swap(folder, staging)
    finally:
        lock.release()


def _read_ready(staging: Path) -> str | None:
    try:
        doc = json.loads((staging / READY).read_text("utf-8"))
        head = doc["database_head"]
        return head if isinstance(head, str) and len(head) == 2 * HEAD_BYTES else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _finish_swap(folder: Path, staging: Path) -> None:
    """After the commit point: the key file and the index of the new archive move in."""
    from archive.store import INDEX_DIR

    new_key = staging / encryption.KEYFILE_NAME
    if new_key.exists():
        os.replace(new_key, folder / encryption.KEYFILE_NAME)
        _fsync(folder)
    new_index = staging / INDEX_DIR
    index = folder / INDEX_DIR
    if new_index.is_dir():
        if index.exists():
            # ".old-" folders are removed by the index when it opens, if not here.
            index.rename(folder / f"{INDEX_DIR}.old-{uuid.uuid4().hex[:8]}")
        new_index.rename(index)
        _fsync(folder)
    for old in folder.glob(f"{INDEX_DIR}.old-*"):
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    _fsync(folder)


# -- the operations ---------------------------------------------------------------------


def encrypt_archive(
    archive: Archive,
    passphrase: str,
    *,
    kdf: encryption.KdfParams | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> KeyChangeReport:
    """Encrypt the open, writable, plain `archive` under `passphrase`.

    The archive is closed when this returns or raises (open it again, with the
    passphrase after a success); an error before the swap leaves it unchanged, but
    for its database being out of WAL mode until it is next opened.
    """
    if archive.readonly:
        raise ArchiveError(f"The archive {archive.path} is open read-only; nothing was changed.")
    if archive.encrypted:
        raise ArchiveError(
            f"The archive {archive.path} is already encrypted. To replace its key, use "
            "`sesame rekey`; nothing was changed."
        )
    if not passphrase:
        raise ArchiveError("An encrypted archive needs a passphrase; nothing was changed.")
    return _change_key(archive, passphrase, "encrypt", kdf, progress, cancel, False)


def rekey_archive(
    archive: Archive,
    passphrase: str,
    *,
    new_passphrase: str | None = None,
    kdf: encryption.KdfParams | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> KeyChangeReport:
    """Give the open, writable, encrypted `archive` a new random data key (and, with
    `new_passphrase`, a new passphrase); `passphrase` is its current one."""
    if archive.readonly:
        raise ArchiveError(f"The archive {archive.path} is open read-only; nothing was changed.")
    if archive.data_key is None:
        raise ArchiveError(
            f"The archive {archive.path} is not encrypted: it has no key to replace. "
            "Encrypt it with `sesame encrypt`; nothing was changed."
        )
    if encryption.unlock(archive.path, passphrase) != archive.data_key:
        raise encryption.WrongPassphrase(
            "The key file changed since the archive was opened; nothing was changed."
        )
    wrap = new_passphrase or passphrase
    return _change_key(archive, wrap, "rekey", kdf, progress, cancel, bool(new_passphrase))


def _change_key(
    archive: Archive,
    passphrase: str,
    kind: str,
    kdf: encryption.KdfParams | None,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
    new_passphrase: bool,
) -> KeyChangeReport:
    from archive import audit
    from archive.store import DB_NAME

    started = time.perf_counter()
    folder = archive.path
    old_key = archive.data_key
    staging = folder / STAGING
    rep = KeyChangeReport(folder, kind, passphrase_changed=new_passphrase)
    verb = "Encrypting" if kind == "encrypt" else "Re-keying"

    def check() -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()

    # 1. The old archive up to date, its head signed, then closed but for its lock.
    report(progress, 0, None, "Bringing the search index up to date")
    archive.sync_index(force=True)
    audit.checkpoint(archive)
    check()
    lock = _close_keeping_lock(archive)
    committed = False
    try:
        _leave_wal(folder / DB_NAME, old_key)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        new_key = os.urandom(encryption.KEY_BYTES)
        report(progress, 0, None, "Wrapping the new key (Argon2id)")
        encryption.write_keyfile_for(staging, new_key, passphrase, kdf)
        # The new archive is opened to be checked, and again after the swap (the key
        # file moves unchanged): one derivation, not three (0.7 s each).
        encryption.remember_unlocked(staging, passphrase, new_key)
        check()
        # 2-3. The database.
        report(progress, 0, None, f"{verb} the database")
        rep.tables = _export(folder / DB_NAME, old_key, staging / DB_NAME, new_key, cancel)
        _fsync(staging / DB_NAME)
        # 4. The index, sealed again.
        rep.index_files = _reseal_index(archive, old_key, staging, new_key, progress, cancel)
        check()
        # 5. The new archive must hold.
        report(progress, 0, None, "Checking the new archive")
        rep.originals, rep.warnings = _verify(staging, passphrase, kind, rep, cancel)
        check()
        # 6. The swap.
        report(progress, 0, None, "Swapping in the new archive")
        _commit(folder, staging)
        committed = True
        _finish_swap(folder, staging)
    except BaseException:
        encryption.forget_unlocked()
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)
        # After the commit point the next Archive.open finishes the swap (`recover`).
        lock.release()
        raise
    lock.release()
    rep.seconds = time.perf_counter() - started
    report(progress, 1, 1, "Done")
    return rep


def _leave_wal(db_path: Path, key: bytes | None) -> None:
    """Checkpoint the old database and take it out of WAL mode (which needs it to be the
    only connection: another program reading the archive is named)."""
    conn = _raw_connect(db_path, key)
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except Exception as exc:  # sqlite3 or sqlcipher3 OperationalError
        if "locked" in str(exc) or "busy" in str(exc):
            raise ArchiveError(
                f"Another program is reading the archive {db_path.parent} (a sesame "
                "command, or another window). Close it and try again; nothing was changed."
            ) from exc
        raise
    finally:
        conn.close()
    wal = db_path.with_name(db_path.name + "-wal")
    if str(mode).lower() != "delete" or (wal.exists() and wal.stat().st_size > 0):
        raise ArchiveError(
            f"The archive {db_path.parent} could not leave its write-ahead log; nothing "
            "was changed. Close every window and command using it and try again."
        )
    for extra in (wal, db_path.with_name(db_path.name + "-shm")):
        extra.unlink(missing_ok=True)


def _tables(conn: Any, schema: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type='table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]


def _export(
    source: Path, old_key: bytes | None, target: Path, new_key: bytes, cancel: CancelToken | None
) -> dict[str, int]:
    """sqlcipher_export of the whole database into the new encrypted file, in one
    transaction; every table's row count compared. Returns the counts."""
    import sqlcipher3

    # The plain database is read through SQLCipher's library too: two SQLite libraries
    # in one process do not see each other's locks, so none of sqlite3's may be open
    # (the archive was closed above).
    conn = sqlcipher3.connect(str(source), check_same_thread=False, timeout=5)
    conn.isolation_level = None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if old_key is not None:
            conn.execute(encryption.sqlcipher_key(old_key))
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{new_key.hex()}'\"", (str(target),))
        if cancel is not None:
            # Checked every 10,000 virtual-machine steps: a Cancel stops the export.
            conn.set_progress_handler(lambda: 1 if cancel.cancelled else 0, 10000)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("SELECT sqlcipher_export('enc')")
            conn.set_progress_handler(None, 0)
            for pragma in ("user_version", "application_id"):
                value = int(conn.execute(f"PRAGMA main.{pragma}").fetchone()[0])
                conn.execute(f"PRAGMA enc.{pragma} = {value}")
            counts: dict[str, int] = {}
            tables = _tables(conn, "main")
            if tables != _tables(conn, "enc"):
                raise KeyChangeRefused(
                    "The new database lacks tables of the old; nothing was changed."
                )
            for table in tables:
                old = conn.execute(f'SELECT count(*) FROM main."{table}"').fetchone()[0]
                new = conn.execute(f'SELECT count(*) FROM enc."{table}"').fetchone()[0]
                if old != new:
                    raise KeyChangeRefused(
                        f"The new database holds {new} rows of {table}, the old {old}; "
                        "nothing was changed."
                    )
                counts[table] = int(old)
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(Exception):
                conn.execute("ROLLBACK")
            if cancel is not None and cancel.cancelled:
                cancel.raise_if_cancelled()
            if isinstance(exc, sqlcipher3.Error):
                raise ArchiveError(
                    f"The database could not be copied: {exc}. Nothing was changed."
                ) from exc
            raise
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    return counts


def _reseal_index(
    archive: Archive,
    old_key: bytes | None,
    staging: Path,
    new_key: bytes,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> int:
    """Every index file read (unsealed with the old key) and sealed under the new one."""
    from archive.search.state import MARKER, sync_folder
    from archive.search.storage import SealedStorage

    source = archive.index_dir
    target = staging / source.name
    target.mkdir()
    names = (
        sorted(
            p.name
            for p in source.iterdir()
            if p.is_file() and not p.name.endswith(("WRITELOCK", ".tmp")) and p.name != MARKER
        )
        if source.is_dir()
        else []
    )
    old = None if old_key is None else SealedStorage(str(source), encryption.index_key(old_key))
    new = SealedStorage(str(target), encryption.index_key(new_key))
    for i, name in enumerate(names):
        if cancel is not None:
            cancel.raise_if_cancelled()
        report(progress, i, len(names), "Sealing the search index")
        data = (source / name).read_bytes() if old is None else old.read_plain(name)
        new.write_sealed(name, data)
    if (source / MARKER).is_file():
        shutil.copyfile(source / MARKER, target / MARKER)
    sync_folder(target)
    return len(names)


def _verify(
    staging: Path, passphrase: str, kind: str, rep: KeyChangeReport, cancel: CancelToken | None
) -> tuple[int, list[str]]:
    """Open the new archive, record the change in its audit log, and check all of it."""
    from archive.custody import check_custody
    from archive.store import Archive

    arch = Archive.open(staging, passphrase=passphrase)
    try:
        if arch.data_key is None:
            raise KeyChangeRefused("The new archive is not encrypted; nothing was changed.")
        params = json.loads((staging / encryption.KEYFILE_NAME).read_text("utf-8"))["kdf"]
        label = "Encrypt the archive" if kind == "encrypt" else "Re-key the archive"
        with arch.change(label, origin="manual") as ch:
            ch.audit(
                "archive",
                kind,
                arch.archive_id,
                after={
                    "database": "sqlcipher 4",
                    "index": "aes-256-gcm per file",
                    "kdf": {k: v for k, v in params.items() if k != "salt"},
                    "key_fingerprint": hashlib.sha256(b"sesame key id" + arch.data_key).hexdigest()[
                        :16
                    ],
                    "passphrase_changed": rep.passphrase_changed,
                    "rows": sum(rep.tables.values()),
                },
            )
        with arch.engine.connect() as conn:
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            cipher = conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()
        if integrity != "ok" or cipher:
            raise KeyChangeRefused(
                f"The new database does not pass its integrity check ({integrity}, "
                f"{len(cipher)} page error(s)); nothing was changed."
            )
        if arch.index.generation < 0:
            raise KeyChangeRefused(
                "The re-sealed search index does not open with the new key; nothing was changed."
            )
        index = arch.index.check()
        if not index.ok:
            raise KeyChangeRefused(
                "The re-sealed search index disagrees with the database; nothing was changed."
            )
        if cancel is not None:
            cancel.raise_if_cancelled()
        custody = check_custody(arch)
        if not custody.ok:
            raise KeyChangeRefused(
                f"The new archive does not hold: {custody.summary()}. Nothing was changed; "
                "run `sesame check` on the archive."
            )
        originals = int(custody.counts.get("originals", 0))
        warnings = [f.message for f in custody.findings if f.severity != "fail"]
    finally:
        arch.close()
    for leftover in ("lock", "tmp"):
        path = staging / leftover
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return originals, warnings


def _commit(folder: Path, staging: Path) -> None:
    """The commit point: READY written and flushed, then one rename of the database."""
    from archive.store import DB_NAME

    new_db = staging / DB_NAME
    for side in ("-wal", "-shm", "-journal"):
        if (staging / (DB_NAME + side)).exists():
            raise KeyChangeRefused(
                f"The new database still has a {side[1:]} file; nothing was changed."
            )
    ready = staging / READY
    with open(ready, "w", encoding="utf-8") as fh:
        json.dump({"database_head": _head(new_db)}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    _fsync(staging)
    os.rename(new_db, folder / DB_NAME)
    _fsync(folder)
