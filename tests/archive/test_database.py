"""The database's first read (archive/database.py): a write a killed program left half
done in a rollback journal is rolled back, not reported as a damaged archive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archive import encryption
from archive.store import DB_NAME, Archive

PASSPHRASE = "correct horse battery staple 9"

# A child that writes in rollback-journal mode (as a re-key leaves the old database)
# with a tiny page cache, so pages spill into the file, then is killed mid-transaction.
_HALF_WRITE = """
import os, sys
sys.path.insert(0, {root!r})
from archive import encryption
from archive.database import driver, keyed
folder, encrypted = sys.argv[1], sys.argv[2] == "1"
key = encryption.unlock(__import__("pathlib").Path(folder), {pw!r}) if encrypted else None
conn = driver(key).connect(folder + "/archive.sqlite")
keyed(conn, key)
conn.execute("PRAGMA journal_mode=DELETE").fetchone()
conn.execute("PRAGMA cache_size=2")
conn.execute("CREATE TABLE junk(x)")
conn.commit()
conn.execute("BEGIN")
for i in range(3000):
    conn.execute("INSERT INTO junk VALUES (?)", ("x" * 500,))
os.kill(os.getpid(), 9)
"""


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_an_archive_killed_mid_write_in_journal_mode_opens(tmp_path: Path, encrypted: bool) -> None:
    folder = tmp_path / "arc"
    archive = Archive.open(
        folder, create=True, encrypt=encrypted, passphrase=PASSPHRASE if encrypted else None
    )
    archive.close()
    encryption.forget_unlocked()
    script = _HALF_WRITE.format(root=str(Path(__file__).resolve().parents[2]), pw=PASSPHRASE)
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), "1" if encrypted else "0"],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -9, done.stderr.decode()
    journal = folder / (DB_NAME + "-journal")
    assert journal.exists() and journal.stat().st_size > 0  # a hot journal is left
    passphrase = PASSPHRASE if encrypted else None
    for readonly in (True, False):
        opened = Archive.open(folder, passphrase=passphrase, readonly=readonly)
        with opened.session() as session:
            rows = session.connection().exec_driver_sql("SELECT count(*) FROM junk").scalar()
        assert rows == 0  # the half-done transaction rolled back; the table it made kept
        opened.close()
        encryption.forget_unlocked()
