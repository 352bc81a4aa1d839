"""`sesame backup OUT` and `sesame restore BACKUP DIR` (see `archive.backup`)."""

from __future__ import annotations

import argparse

from archive.cli import EXIT_OK, AddCommand, Output, open_archive, quoted


def cmd_backup(args: argparse.Namespace, out: Output) -> int:
    from pathlib import Path

    from archive.backup import write_backup

    with open_archive(args, write=True, create=False) as archive:
        progress = out.progress("Backing up")
        try:
            info = write_backup(archive, Path(args.out), progress)
        finally:
            if progress is not None:
                progress.finish()
    if out.as_json:
        out.json(info.to_json())
    else:
        kind = "an encrypted" if info.encrypted else "a"
        out.line(
            f"Wrote {kind} backup of {quoted(str(archive.path))} to {quoted(str(info.path))} "
            f"({info.database_bytes:,} bytes; database SHA-256 {info.database_sha256[:16]}…)."
        )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: Output) -> int:
    from pathlib import Path

    from archive.backup import restore_backup

    progress = out.progress("Restoring")
    try:
        doc = restore_backup(Path(args.backup), Path(args.dir), progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    if out.as_json:
        out.json(doc)
    else:
        out.line(
            f"Restored the backup of {doc['backed_up_at']} into {quoted(doc['archive'])}: "
            "the custody check holds and the search index was rebuilt."
        )
        for warning in doc["warnings"]:
            out.line(f"  (not vouched for: {warning})")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `backup` and `restore` to the `sesame` parser."""
    p = add(
        "backup",
        cmd_backup,
        "write a consistent backup of the archive to one new file (encrypted if it is)",
    )
    p.add_argument("out", metavar="OUT", help="the backup file to write (never overwritten)")
    p = add(
        "restore",
        cmd_restore,
        "check a backup (hash, integrity, custody) and restore it into a new folder",
    )
    p.add_argument("backup", metavar="BACKUP", help="a file written by `sesame backup`")
    p.add_argument("dir", metavar="DIR", help="the new archive folder (never overwritten)")
