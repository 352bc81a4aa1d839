"""A temporary folder inside an open encrypted archive, for libraries that write temp files.

Sesame itself writes no temporary file outside the archive, but libraries do:
pytesseract writes each page image and Tesseract's word table to the system's
temp folder, pypdf's JBIG2 decoding uses a temporary directory. While an
encrypted archive is open for writing, Python's `tempfile` (and TMPDIR, for
the programs it starts) point at the archive's own `tmp/` folder, emptied
when the archive opens and closes: what those libraries write then never
reaches the system's temp folder, which may be another disk, shared, or
never cleaned. (Those files are plain while they exist, as they are in
memory; docs/security.md says so.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

TMP_DIR = "tmp"

_lock = threading.Lock()


@dataclass
class PrivateTemp:
    """The temp folder in use, and what it replaced (restored by `leave`)."""

    folder: Path
    previous_tempdir: str | None
    previous_env: str | None


def _empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def enter(archive_folder: Path) -> PrivateTemp:
    """Point temp files at `archive_folder/tmp` (emptied first: a crash's leftovers)."""
    folder = archive_folder / TMP_DIR
    _empty(folder)
    folder.mkdir(mode=0o700)
    with _lock:
        token = PrivateTemp(folder, tempfile.tempdir, os.environ.get("TMPDIR"))
        tempfile.tempdir = str(folder)
        os.environ["TMPDIR"] = str(folder)
    return token


def leave(token: PrivateTemp) -> None:
    """Restore the temp folder `enter` replaced (if it is still ours) and empty ours."""
    with _lock:
        if tempfile.tempdir == str(token.folder):
            tempfile.tempdir = token.previous_tempdir
            if token.previous_env is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = token.previous_env
    _empty(token.folder)
