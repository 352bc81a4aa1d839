"""Crash safety as a figure: `sesame import`, `tag`, `reindex` and `import-bundle`
killed (SIGKILL) at random moments.

After every kill no child process is left running (the file reader, Whoosh's
writers), and the archive must hold: SQLite's integrity check, every article a
finished command reported present with its original, search agreeing with the
database, the audit chain, and `sesame check` exiting 0. The normal suite kills 50
times; `make stress` (the slow marker) 500 times.

Each kill lands at a random moment inside the command's own run time, measured
once on this machine, so the kills spread over start-up, the writes, the index
and the close rather than bunching before the first write.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import text

from archive.cli import main
from archive.ingest import import_paths
from archive.store import Archive

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["police", "river", "market", "vote", "strike", "curfew", "convoy", "clinic"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def _sesame(archive_dir: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from archive.cli import main; sys.exit(main())",
        "--archive",
        str(archive_dir),
        *args,
    ]


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def _write_files(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(count):
        token = f"tok{seed}x{i}"
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        (folder / f"a{i:03d}.txt").write_text(f"Report {token}\n\n{token} {words}\n", "utf-8")


def _run(cmd: list[str], kill_after: float | None) -> tuple[int | None, str]:
    """Run `cmd`; SIGKILL it after `kill_after` seconds. (exit code or None, stdout)."""
    proc = subprocess.Popen(
        cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            try:
                children = psutil.Process(proc.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                children = []
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            # No orphan is left running: the file reader, Whoosh's writer processes.
            _gone, alive = psutil.wait_procs(children, timeout=5)
            assert not alive, f"left running after the kill: {[p.cmdline() for p in alive]}"
            return None, ""
    out, err = proc.communicate(timeout=300)
    if proc.returncode != 0:
        out += err  # the reason, for the assertion's message
    return proc.returncode, out


def _timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    code, out = _run(cmd, None)
    assert code == 0, out
    return time.perf_counter() - started


def _holds(archive_dir: Path, titles: set[str], annotations: set[str]) -> None:
    """Everything the issue asks to hold after a kill."""
    with Archive.open(archive_dir) as archive:
        with archive.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            rows = conn.execute(
                text(
                    "SELECT a.id, a.title, a.original_sha256, o.sha256 FROM article a "
                    "LEFT JOIN original o ON o.sha256 = a.original_sha256 "
                    "WHERE a.retracted_at IS NULL"
                )
            ).all()
            stored = {r[0] for r in conn.execute(text("SELECT id FROM annotation"))}
        assert all(r[3] is not None for r in rows if r[2]), "an article lost its original"
        present = {r[1] for r in rows}
        assert titles <= present, f"reported but missing: {sorted(titles - present)[:3]}"
        assert annotations <= stored, "a reported tag is missing"
        # Search agrees with the database: a few articles found by their own word
        # (`sesame check` below compares every index entry with its row).
        for title in random.Random(len(rows)).sample(sorted(present), min(3, len(present))):
            token = title.split()[-1]
            hits = archive.index.search(token, limit=5, facets=False).hits
            assert [h.title for h in hits] == [title], token
    # The custody check: integrity, originals, rows against the audit log, the
    # audit chain and its signed head, the index against the database.
    code, out = _cli("--archive", str(archive_dir), "check")
    assert code == 0, out


def _reported_titles(out: str) -> set[str]:
    report = json.loads(out)
    return {item["title"] for item in report.get("imported", [])}


def _seed_archive(archive_dir: Path, data: Path, count: int, seed: int) -> None:
    _write_files(data, count, seed)
    code, out = _run(_sesame(archive_dir, "import", str(data)), None)
    assert code == 0, out


def kill_imports(tmp_path: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    archive_dir = tmp_path / "arch"
    first = tmp_path / "first"
    _write_files(first, 30, seed)
    span = _timed(_sesame(archive_dir, "--json", "import", str(first)))
    titles = {a["title"] for a in json.loads(_run(_sesame(archive_dir, "--json", "list"), None)[1])}
    for k in range(kills):
        data = tmp_path / f"data{k}"
        _write_files(data, 30, seed * 1000 + k)
        code, out = _run(
            _sesame(archive_dir, "--json", "import", str(data)), rng.uniform(0.05, span * 1.1)
        )
        if code is not None:
            assert code == 0, out
            titles |= _reported_titles(out)
        _holds(archive_dir, titles, set())


def kill_tags(tmp_path: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    archive_dir = tmp_path / "arch"
    _seed_archive(archive_dir, tmp_path / "data", 20, seed)
    ids = [a["id"] for a in json.loads(_run(_sesame(archive_dir, "--json", "list"), None)[1])]

    def tag(k: int) -> list[str]:
        return _sesame(
            archive_dir,
            "--json",
            "tag",
            ids[k % len(ids)],
            "--quote",
            "Report",
            "--type",
            "actor",
            "--entity",
            f"Actor {k}",
            "--allow-overlap",
        )

    span = _timed(tag(0))
    tagged: set[str] = set()
    for k in range(1, kills + 1):
        code, out = _run(tag(k), rng.uniform(0.05, span * 1.1))
        if code is not None:
            assert code == 0, out
            tagged.add(json.loads(out)["id"])
        _holds(archive_dir, set(), tagged)


def kill_reindexes(tmp_path: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    archive_dir = tmp_path / "arch"
    _seed_archive(archive_dir, tmp_path / "data", 80, seed)
    span = _timed(_sesame(archive_dir, "reindex"))
    for _ in range(kills):
        _run(_sesame(archive_dir, "reindex"), rng.uniform(0.05, span * 1.1))
        _holds(archive_dir, set(), set())


def kill_bundle_imports(tmp_path: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    sender = tmp_path / "sender"
    _seed_archive(sender, tmp_path / "data", 40, seed)
    ids = [a["id"] for a in json.loads(_run(_sesame(sender, "--json", "list"), None)[1])]
    for k, article in enumerate(ids[:10]):
        code, out = _run(
            _sesame(
                sender,
                "tag",
                article,
                "--quote",
                "Report",
                "--type",
                "actor",
                "--entity",
                f"Sender actor {k}",
            ),
            None,
        )
        assert code == 0, out
    bundle = tmp_path / "work.sesame"
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text("correct horse battery staple\n", "utf-8")
    code, out = _run(
        _sesame(sender, "export-bundle", str(bundle), "--passphrase-file", str(passphrase)),
        None,
    )
    assert code == 0, out
    importer = _sesame(
        tmp_path / "receiver", "import-bundle", str(bundle), "--passphrase-file", str(passphrase)
    )
    span = _timed(importer)
    for k in range(kills):
        receiver = tmp_path / f"receiver{k}"
        if k % 2:  # every other receiver has articles of its own (imported in-process)
            own = tmp_path / f"own{k}"
            _write_files(own, 3, seed * 100 + k)
            with Archive.open(receiver, create=True) as archive:
                import_paths(archive, [own])
        cmd = importer.copy()
        cmd[cmd.index("--archive") + 1] = str(receiver)
        code, out = _run(cmd, rng.uniform(0.05, span * 1.1))
        if not (receiver / "archive.sqlite").exists():
            continue  # killed before the archive was made: nothing to hold
        titles: set[str] = set()
        if code is not None:
            assert code == 0, out
            with Archive.open(sender) as arch, arch.engine.connect() as conn:
                titles = {r[0] for r in conn.execute(text("SELECT title FROM article"))}
        _holds(receiver, titles, set())


# The normal suite: 50 kills in all. Each process start costs about a second on a
# quiet 2-core machine (a bundle import about 2.5 s: the passphrase's scrypt), so
# these run for about 90 s together; the timeout allows a loaded machine.
@pytest.mark.timeout(600)
def test_kill_import(tmp_path: Path) -> None:
    kill_imports(tmp_path, kills=16, seed=1)


@pytest.mark.timeout(600)
def test_kill_tag(tmp_path: Path) -> None:
    kill_tags(tmp_path, kills=16, seed=2)


@pytest.mark.timeout(600)
def test_kill_reindex(tmp_path: Path) -> None:
    kill_reindexes(tmp_path, kills=12, seed=3)


@pytest.mark.timeout(600)
def test_kill_bundle_import(tmp_path: Path) -> None:
    kill_bundle_imports(tmp_path, kills=6, seed=4)


# `make stress`: 500 kills.
STRESS: list[tuple[Any, int]] = [
    (kill_imports, 160),
    (kill_tags, 140),
    (kill_reindexes, 120),
    (kill_bundle_imports, 80),
]


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "kills"), STRESS, ids=lambda v: getattr(v, "__name__", v))
def test_stress_kills(tmp_path: Path, scenario: Any, kills: int) -> None:
    scenario(tmp_path, kills=kills, seed=kills)
