"""Kill an importing process at random moments: the next open repairs the index."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from archive.store import Archive

IMPORTER = """
import sys
from pathlib import Path
from archive.store import Archive
from archive.ingest import import_paths

archive = Archive.open(sys.argv[1], create=True)
for folder in sorted(Path(sys.argv[2]).iterdir()):
    import_paths(archive, [folder], index=True)
    print("batch", folder.name, flush=True)
archive.close()
"""


def _write_folders(root: Path, rounds: int, per_round: int, seed: int) -> None:
    rng = random.Random(seed)
    for r in range(rounds):
        folder = root / f"round{r:03d}"
        folder.mkdir(parents=True)
        for i in range(per_round):
            token = f"tok{seed}x{r}x{i}"
            words = " ".join(rng.choice(["police", "river", "market", "vote"]) for _ in range(30))
            (folder / f"a{i:03d}.txt").write_text(f"Report {token}\n\n{token} {words}\n", "utf-8")


def _agree(archive_dir: Path) -> tuple[int, int]:
    """Open the archive as the app would; search and DB must list the same articles."""
    with Archive.open(archive_dir) as archive:
        with archive.engine.connect() as conn:
            db_ids = {r[0] for r in conn.execute(text("SELECT id FROM article"))}
        results = archive.index.search("police OR river OR market OR vote", limit=100_000)
        found_ids = {hit.id for hit in results.hits}
        assert results.total == len(db_ids)
        assert found_ids == db_ids
        report = archive.index.check()
        assert report.ok, report
        return len(db_ids), report.index_generation


def _kill_during_import(tmp_path: Path, iterations: int, seed: int) -> None:
    rng = random.Random(seed)
    archive_dir = tmp_path / "arch"
    script = tmp_path / "importer.py"
    script.write_text(IMPORTER, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    for iteration in range(iterations):
        data = tmp_path / f"data{iteration}"
        _write_folders(data, rounds=6, per_round=40, seed=seed * 1000 + iteration)
        proc = subprocess.Popen(
            [sys.executable, str(script), str(archive_dir), str(data)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.8, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if (archive_dir / "archive.sqlite").exists():
            _agree(archive_dir)


def test_kill_during_import_then_open_agrees(tmp_path: Path) -> None:
    _kill_during_import(tmp_path, iterations=2, seed=1)


@pytest.mark.slow
def test_kill_during_import_many_times(tmp_path: Path) -> None:
    _kill_during_import(tmp_path, iterations=40, seed=2)
