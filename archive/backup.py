"""Backups of an archive: one file written while the archive is open, checked before restore.

A backup (`write_backup`) is an uncompressed tar file holding

    sesame-backup.json   format, archive id, time, whether it is encrypted,
                         the database's SHA-256 and size
    archive.sqlite       a consistent copy made with SQLite's online backup API
                         (`store.backup_database`); SQLCipher-encrypted under the
                         same data key when the archive is encrypted
    keyfile.json         the encrypted archive's key file (the passphrase it had
                         when the backup was made opens the backup)

The search index is derived and not kept: a restore rebuilds it from the
database, which costs time but can never restore an index that disagrees.
The audit head is signed just before the copy, so the copy's log is covered
by its own checkpoint. `restore_backup` unpacks into a new folder beside the
destination, checks the database's hash, `PRAGMA integrity_check` and the
whole custody check (`archive.custody`), rebuilds and compares the index,
and only then moves the folder into place; it never overwrites an archive.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import __version__, encryption
from archive.errors import ArchiveError, SesameError
from archive.paths import fsync_path
from archive.tasks import CancelToken, ProgressFn, report

if TYPE_CHECKING:
    from archive.store import Archive

FORMAT = "sesame-backup"
FORMAT_VERSION = 1
MANIFEST = "sesame-backup.json"
DB_MEMBER = "archive.sqlite"
KEY_MEMBER = encryption.KEYFILE_NAME
SUFFIX = ".sesame-backup"


class BackupRefused(SesameError):
    """A backup that is damaged or does not hold (exit status 1); nothing was restored."""


@dataclass
class BackupInfo:
    """What a backup holds (its manifest)."""

    path: Path
    archive_id: str
    created_at: str
    encrypted: bool
    database_sha256: str
    database_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "backup": str(self.path),
            "archive_id": self.archive_id,
            "created_at": self.created_at,
            "encrypted": self.encrypted,
            "database_sha256": self.database_sha256,
            "database_bytes": self.database_bytes,
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse_existing(path: Path, what: str) -> None:
    if path.exists() and not (path.is_dir() and not any(path.iterdir())):
        raise ArchiveError(
            f"{path} already exists; Sesame never overwrites {what}. Choose a new name."
        )


def write_backup(
    archive: Archive,
    out: Path,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> BackupInfo:
    """Write a backup of the open (writable) `archive` to the new file `out`."""
    from archive import audit, models
    from archive.store import backup_database

    out = Path(out).expanduser().absolute()
    _refuse_existing(out, "a file")
    if archive.readonly:
        raise ArchiveError(
            "A backup signs the audit log's head first, which a read-only archive cannot; "
            "copy the whole archive folder instead."
        )
    if not out.parent.is_dir():
        raise ArchiveError(f"The folder {out.parent} does not exist; nothing was written.")
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        audit.checkpoint(archive)  # the copy's newest entries are vouched for
        db_copy = staging / DB_MEMBER
        report(progress, 0, None, "Copying the database")

        def copied(done: int, total: int) -> None:
            if cancel is not None:
                cancel.raise_if_cancelled()
            report(progress, done, total, "Copying the database")

        backup_database(archive, db_copy, copied)
        if cancel is not None:
            cancel.raise_if_cancelled()
        report(progress, 0, None, "Checking the copy")
        info = BackupInfo(
            path=out,
            archive_id=archive.archive_id,
            created_at=models.utcnow().isoformat(),
            encrypted=archive.encrypted,
            database_sha256=_sha256(db_copy),
            database_bytes=db_copy.stat().st_size,
        )
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "sesame": __version__}
        manifest |= {k: v for k, v in info.to_json().items() if k != "backup"}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
        if archive.encrypted:
            shutil.copyfile(archive.path / KEY_MEMBER, staging / KEY_MEMBER)
        tmp = staging / "backup.tar"
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            for name in (MANIFEST, DB_MEMBER, KEY_MEMBER):
                if (staging / name).exists():
                    tar.add(staging / name, arcname=name, recursive=False)
        fsync_path(tmp)
        os.replace(tmp, out)
        fsync_path(out.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report(progress, 1, 1, "Backed up")
    return info


def _unpack(backup: Path, folder: Path) -> dict[str, Any]:
    """Unpack the expected members (regular files only) into `folder`; the manifest."""
    allowed = {MANIFEST, DB_MEMBER, KEY_MEMBER}
    try:
        with tarfile.open(backup, "r:") as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            if (
                len(set(names)) != len(names)
                or not set(names) <= allowed
                or MANIFEST not in names
                or DB_MEMBER not in names
                or not all(m.isfile() for m in members)
            ):
                raise BackupRefused(
                    f"{backup} is not a Sesame backup (its members are {sorted(names)[:10]}); "
                    "nothing was restored."
                )
            for member in members:
                source = tar.extractfile(member)
                assert source is not None
                with source, open(folder / member.name, "xb") as dest:
                    shutil.copyfileobj(source, dest, 1 << 20)
    except (tarfile.TarError, EOFError) as exc:
        raise BackupRefused(
            f"{backup} is not a Sesame backup, or it is damaged ({exc}); nothing was restored."
        ) from exc
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text("utf-8"))
        if manifest.get("format") != FORMAT or int(manifest.get("version", 0)) > FORMAT_VERSION:
            raise ValueError("not a backup format this Sesame reads")
        str(manifest["archive_id"]), str(manifest["database_sha256"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupRefused(
            f"The backup {backup} has a damaged description ({exc}); nothing was restored."
        ) from exc
    return manifest


def restore_backup(
    backup: Path,
    dest: Path,
    *,
    passphrase: str | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Check `backup` and restore it as the new archive folder `dest`; returns a summary.

    `BackupRefused` (nothing restored) names what does not hold.
    """
    from archive.custody import check_custody
    from archive.store import Archive

    backup = Path(backup).expanduser().absolute()
    dest = Path(dest).expanduser().absolute()
    if not backup.is_file():
        raise ArchiveError(f"There is no backup file {backup}.")
    _refuse_existing(dest, "an archive (or any folder that holds files)")
    if not dest.parent.is_dir():
        raise ArchiveError(f"The folder {dest.parent} does not exist; nothing was restored.")
    staging = dest.parent / f".{dest.name}.restoring-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        report(progress, 0, None, "Unpacking the backup")
        manifest = _unpack(backup, staging)
        if _sha256(staging / DB_MEMBER) != manifest["database_sha256"]:
            raise BackupRefused(
                f"The database inside {backup} does not match the SHA-256 recorded when the "
                "backup was made: the backup is damaged. Nothing was restored."
            )
        if bool(manifest.get("encrypted")) != (staging / KEY_MEMBER).exists():
            raise BackupRefused(f"The backup {backup} lacks its key file; nothing was restored.")
        report(progress, 0, None, "Checking the archive")
        archive = Archive.open(staging, passphrase=passphrase)
        try:
            if archive.archive_id != manifest["archive_id"]:
                raise BackupRefused(
                    f"The database inside {backup} is of another archive than its description "
                    "says; nothing was restored."
                )
            custody = check_custody(archive)
            report(progress, 0, None, "Rebuilding the search index")
            archive.sync_index(progress=progress, force=True)
            index = archive.index.check()
        finally:
            archive.close()
        if not custody.ok or not index.ok:
            problems = custody.summary() if not custody.ok else "the rebuilt index disagrees"
            raise BackupRefused(
                f"The backup {backup} does not hold: {problems}. Nothing was restored; keep "
                "the backup as it is."
            )
        if dest.is_dir():
            dest.rmdir()  # an empty folder, checked above
        staging.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {
        "archive": str(dest),
        "archive_id": manifest["archive_id"],
        "backed_up_at": manifest.get("created_at"),
        "encrypted": bool(manifest.get("encrypted")),
        "warnings": [f.message for f in custody.findings if f.severity != "fail"],
    }
