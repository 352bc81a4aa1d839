"""The index's marker file: which archive and which DB generation it reflects.

The marker is written after every Whoosh commit, atomically and after the
new index files are flushed to disk. It may lag behind the index (a crash
between the two), which is harmless: replaying queue entries is idempotent.
It must never run ahead, or changes would be skipped.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

MARKER = "sesame-index.json"


@dataclass
class IndexState:
    """What an index folder reflects."""

    archive_id: str
    generation: int  # last IndexQueue seq applied
    schema_version: int
    toc_generation: int  # Whoosh's own commit counter at that point


def read_state(folder: Path) -> IndexState | None:
    """The marker of `folder`, or None if it is missing or unreadable."""
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
        return IndexState(
            archive_id=str(data["archive_id"]),
            generation=int(data["generation"]),
            schema_version=int(data["schema_version"]),
            toc_generation=int(data["toc_generation"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def sync_folder(folder: Path, since: float = 0.0) -> None:
    """fsync the files of `folder` changed after `since`, then the folder itself.

    Whoosh does not fsync; without this a power cut could leave a marker that
    claims changes whose index files never reached the disk.
    """
    for entry in os.scandir(folder):
        # A file may go between the listing and the open: a commit running
        # beside a background merge removes its segment's parts once they are
        # assembled (it fsyncs its own files).
        try:
            if not entry.is_file() or entry.stat().st_mtime < since - 1:
                continue
            fd = os.open(entry.path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_state(folder: Path, state: IndexState, *, durable: bool = True) -> None:
    """Replace the marker atomically (write, fsync, rename, fsync folder)."""
    tmp = folder / (MARKER + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(asdict(state), fh)
        fh.flush()
        if durable:
            os.fsync(fh.fileno())
    os.replace(tmp, folder / MARKER)
    if not durable:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
