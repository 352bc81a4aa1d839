"""Writing an export's file atomically: a temporary file beside OUT, renamed when complete.

A cancelled or failed export never leaves half a file under OUT's name,
and an existing OUT is replaced only by a complete new one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import InvalidInput


def output_path(out: str | Path, example: str) -> Path:
    """OUT as a path; refused if it is a folder or its folder does not exist."""
    path = Path(out).expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give the file's name, e.g. {example}.")
    if not path.parent.is_dir():
        raise InvalidInput(f"The folder {path.parent} does not exist.")
    return path


@contextmanager
def atomic_file(out: Path) -> Iterator[Path]:
    """A temporary path to write; renamed to `out` (flushed to disk) when the block ends well."""
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
