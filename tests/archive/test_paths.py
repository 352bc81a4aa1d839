"""Making a file once (`paths.create_exclusive`): 0600, whole, never overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from archive.paths import create_exclusive
from tests.archive.test_keys import at_once


def test_a_new_file_is_made_owner_only_and_its_content_returned(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "secret.key"
    assert create_exclusive(path, b"mine\n", private_folder=True) == b"mine\n"
    assert path.read_bytes() == b"mine\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]


def test_an_existing_file_is_never_replaced_and_its_content_is_returned(
    tmp_path: Path,
) -> None:
    path = tmp_path / "identity.json"
    path.write_bytes(b"theirs")
    assert create_exclusive(path, b"mine") == b"theirs"
    assert path.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["identity.json"]


def test_threads_making_one_file_at_once_all_read_the_winners(tmp_path: Path) -> None:
    # No lock here (the callers' locks are per process): the hard link alone decides.
    path = tmp_path / "once.txt"
    counter = iter(range(8))
    found = at_once(lambda: create_exclusive(path, f"{next(counter)}".encode()).decode())
    assert len(found) == 8 and len(set(found)) == 1
    assert path.read_text() == found[0]
    assert not list(tmp_path.glob("*.tmp"))
