"""`sesame encrypt` and `sesame rekey`: real SQLCipher files, the checks before the swap,
and SIGKILLs at every step of the swap (a kill leaves the old archive or the new one)."""

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

import pytest
from sqlalchemy import text

from archive import cli, encryption, keychange
from archive.search.storage import MAGIC
from archive.store import Archive

ROOT = Path(__file__).resolve().parents[2]
PW = "correct horse battery"
NEW_PW = "another long passphrase"


pytestmark = pytest.mark.usefixtures("fast_kdf")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _files(folder: Path, count: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    src = folder.parent / f"src{seed}"
    src.mkdir(parents=True)
    words = ["police", "river", "market", "convoy", "clinic", "curfew"]
    for i in range(count):
        body = " ".join(rng.choice(words) for _ in range(40))
        (src / f"a{i}.txt").write_text(f"Report tok{seed}x{i}\n\ntok{seed}x{i} {body}\n", "utf-8")
    return src


def _plain_archive(tmp_path: Path, count: int = 12) -> Path:
    folder = tmp_path / "arch"
    src = _files(folder, count)
    assert run("--archive", str(folder), "import", str(src))[0] == 0
    ids = [a["id"] for a in json.loads(run("--archive", str(folder), "--json", "list")[1])]
    code, _, err = run(
        "--archive", str(folder), "tag", ids[0], "--quote", "Report", "--type", "actor",
        "--entity", "Tin Min Tun",
    )  # fmt: skip
    assert code == 0, err
    return folder


def _pw_file(tmp_path: Path, name: str, value: str) -> str:
    path = tmp_path / name
    path.write_text(value + "\n", "utf-8")
    return str(path)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def _assert_sealed(folder: Path) -> None:
    """Not one plain index file is left (the marker is plain JSON with no content)."""
    for path in (folder / "index").iterdir():
        if path.is_file() and path.name not in ("sesame-index.json",) and path.stat().st_size:
            assert path.read_bytes().startswith(MAGIC), f"{path.name} is not sealed"
    assert not list(folder.glob("index.*")), "a replaced index folder was left"


def _holds(folder: Path, passphrase: str | None, titles: int) -> None:
    """The archive opens, searches and passes `sesame check` and `audit verify`."""
    encryption.forget_unlocked()
    with Archive.open(folder, passphrase=passphrase) as arch:
        assert arch.encrypted == (passphrase is not None)
        with arch.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("SELECT count(*) FROM article")).scalar() == titles
        hits = arch.index.search("tok0x3", limit=5, facets=False).hits
        assert [h.title for h in hits] == ["Report tok0x3"]
    args = ["--archive", str(folder)]
    if passphrase is not None:
        os.environ["SESAME_PASSPHRASE"] = passphrase
    try:
        for command in (["check"], ["audit", "verify"]):
            code, out, err = run(*args, *command)
            assert code == 0, out + err
    finally:
        os.environ.pop("SESAME_PASSPHRASE", None)
    assert not (folder / keychange.STAGING).exists()
    if passphrase is not None:
        _assert_sealed(folder)


def test_encrypt_then_open_with_the_passphrase_and_search(tmp_path: Path) -> None:
    folder = _plain_archive(tmp_path)
    with Archive.open(folder) as arch:
        archive_id = arch.archive_id
    pw = _pw_file(tmp_path, "pw.txt", PW)
    code, out, err = run("--archive", str(folder), "--passphrase-file", pw, "--json", "encrypt")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["done"] == "encrypt" and doc["originals_rehashed"] == 12
    assert doc["tables"]["article"] == 12 and doc["index_files"] >= 1
    assert "deleted, not erased" in err and "still plain" in err
    assert (folder / "archive.sqlite").read_bytes()[:16] != b"SQLite format 3\x00"
    assert sorted(p.name for p in folder.iterdir()) == [
        "archive.sqlite",
        "index",
        "keyfile.json",
        "lock",
    ]
    _holds(folder, PW, 12)
    encryption.forget_unlocked()
    with Archive.open(folder, passphrase=PW) as arch:
        assert arch.archive_id == archive_id  # the same archive, its id kept
        with arch.session() as session:
            rows = session.exec(  # type: ignore[call-overload]
                text("SELECT action, target_id FROM auditevent ORDER BY seq DESC LIMIT 1")
            ).all()
        assert rows == [("archive.encrypt", archive_id)]
    # The words are nowhere in the folder any more.
    for data in _snapshot(folder).values():
        assert b"tok0x3" not in data and "tok0x3".encode("utf-16-le") not in data
    # The text output says it too.
    code, _, err = run("--archive", str(folder), "--passphrase-file", pw, "encrypt")
    assert code == 2 and "already encrypted" in err


def test_text_output_names_the_leftovers(tmp_path: Path) -> None:
    folder = _plain_archive(tmp_path, 4)
    pw = _pw_file(tmp_path, "pw.txt", PW)
    code, out, err = run("--archive", str(folder), "--passphrase-file", pw, "encrypt")
    assert code == 0, err
    assert "Encrypted" in out and "deleted, not erased" in out and "still plain" in out


def test_a_wrong_or_missing_passphrase_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    folder = _plain_archive(tmp_path, 4)
    before = _snapshot(folder)
    # No passphrase at all (no terminal): refused before anything is done.
    code, _, err = run("--archive", str(folder), "encrypt")
    assert code == 2 and "needs a passphrase" in err
    # Two different passphrases typed on a terminal.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["first passphrase", "second passphrase"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt, stream=None: next(answers))
    code, _, err = run("--archive", str(folder), "encrypt")
    assert code == 2 and "differ" in err
    assert _snapshot(folder) == before
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    # Re-key on a plain archive; then the encrypted archive with a wrong passphrase.
    code, _, err = run("--archive", str(folder), "rekey")
    assert code == 2 and "not encrypted" in err
    assert _snapshot(folder) == before
    pw = _pw_file(tmp_path, "pw.txt", PW)
    assert run("--archive", str(folder), "--passphrase-file", pw, "encrypt")[0] == 0
    encrypted = _snapshot(folder)
    wrong = _pw_file(tmp_path, "wrong.txt", "not the passphrase")
    encryption.forget_unlocked()
    for command in (["rekey"], ["encrypt"], ["list"]):
        code, _, err = run("--archive", str(folder), "--passphrase-file", wrong, *command)
        assert code == 2 and "Wrong passphrase" in err, err
    assert _snapshot(folder) == encrypted


def test_rekey_replaces_the_data_key(tmp_path: Path) -> None:
    folder = _plain_archive(tmp_path)
    pw = _pw_file(tmp_path, "pw.txt", PW)
    assert run("--archive", str(folder), "--passphrase-file", pw, "encrypt")[0] == 0
    old_keyfile = (folder / "keyfile.json").read_bytes()
    encryption.forget_unlocked()
    old_key = encryption.unlock(folder, PW)
    new = _pw_file(tmp_path, "new.txt", NEW_PW)
    code, out, err = run(
        "--archive", str(folder), "--passphrase-file", pw, "--json", "rekey",
        "--new-passphrase-file", new,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["passphrase_changed"] is True and "under the old key" in err
    encryption.forget_unlocked()
    assert encryption.unlock(folder, NEW_PW) != old_key
    _holds(folder, NEW_PW, 12)
    # The old key file with the old passphrase no longer opens the database.
    (folder / "keyfile.json").write_bytes(old_keyfile)
    encryption.forget_unlocked()
    code, _, err = run("--archive", str(folder), "--passphrase-file", pw, "list")
    assert code == 2 and "does not open the database" in err


def test_rekey_keeps_the_passphrase_unless_asked(tmp_path: Path) -> None:
    folder = tmp_path / "enc"
    Archive.open(folder, create=True, encrypt=True, passphrase=PW).close()
    pw = _pw_file(tmp_path, "pw.txt", PW)
    encryption.forget_unlocked()
    before = encryption.unlock(folder, PW)
    code, out, err = run("--archive", str(folder), "--passphrase-file", pw, "rekey")
    assert code == 0, err
    assert "passphrase is unchanged" in out
    encryption.forget_unlocked()
    assert encryption.unlock(folder, PW) != before


def test_rekey_takes_a_new_passphrase_from_the_environment_or_asks_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "enc"
    Archive.open(folder, create=True, encrypt=True, passphrase=PW).close()
    pw = _pw_file(tmp_path, "pw.txt", PW)
    encryption.forget_unlocked()
    # --change-passphrase with none given and no terminal to ask on: nothing is changed.
    before = _snapshot(folder)
    code, _, err = run("--archive", str(folder), "--passphrase-file", pw, "rekey",
                       "--change-passphrase")  # fmt: skip
    assert code == 2 and "Give the new passphrase" in err and _snapshot(folder) == before
    monkeypatch.setenv("SESAME_NEW_PASSPHRASE", NEW_PW)
    code, out, err = run("--archive", str(folder), "--passphrase-file", pw, "--json", "rekey")
    assert code == 0 and json.loads(out)["passphrase_changed"] is True, err
    encryption.forget_unlocked()
    encryption.unlock(folder, NEW_PW)


def test_a_new_archive_that_does_not_hold_is_never_swapped_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _plain_archive(tmp_path, 4)
    # Simulate an export that loses a row: the counts inside the transaction differ.
    real = keychange._tables

    def fewer(conn, schema):  # type: ignore[no-untyped-def]
        names = real(conn, schema)
        if schema == "enc":
            conn.execute(
                "DELETE FROM enc.original WHERE rowid IN (SELECT min(rowid) FROM enc.original)"
            )
        return names

    monkeypatch.setattr(keychange, "_tables", fewer)
    pw = _pw_file(tmp_path, "pw.txt", PW)
    code, _, err = run("--archive", str(folder), "--passphrase-file", pw, "encrypt")
    assert code == 1 and "rows of original" in err, err
    assert not (folder / "keyfile.json").exists() and not (folder / "keychange").exists()
    _holds(folder, None, 4)


def test_the_gui_path_cancel_leaves_the_plain_archive(tmp_path: Path) -> None:
    from archive.tasks import Cancelled, CancelToken

    folder = _plain_archive(tmp_path, 4)
    token = CancelToken()
    seen: list[str] = []

    def progress(done: int, total: int | None, message: str = "") -> None:
        seen.append(message)
        if "Sealing" in message:
            token.cancel()

    arch = Archive.open(folder)
    with pytest.raises(Cancelled):
        keychange.encrypt_archive(arch, PW, progress=progress, cancel=token)
    arch.close()
    assert not (folder / "keychange").exists() and not (folder / "keyfile.json").exists()
    _holds(folder, None, 4)


# -- kills ------------------------------------------------------------------------------

_KILLER = """
import os, signal, sys
from archive import encryption, keychange
encryption.DEFAULT_KDF = encryption.KdfParams(iterations=1, lanes=1, memory_cost_kib=64)
calls = [0]
real = keychange._fsync
def fsync(path):
    real(path)
    calls[0] += 1
    if calls[0] == int(os.environ["KILL_AT_FSYNC"]):
        os.kill(os.getpid(), signal.SIGKILL)
keychange._fsync = fsync
from archive.cli import main
sys.exit(main())
"""


def _sesame(folder: Path, kill_at: int, *args: str, after: float | None = None) -> int | None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KILL_AT_FSYNC": str(kill_at),
        "SESAME_PASSPHRASE": PW,
        "SESAME_NEW_PASSPHRASE": NEW_PW,
    }
    cmd = [sys.executable, "-c", _KILLER, "--archive", str(folder), *args]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if after is not None:
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=300)
    return None if proc.returncode == -signal.SIGKILL else proc.returncode


def _which(folder: Path, passphrases: list[str | None]) -> str | None:
    """Which of the passphrases (None: plain) opens the archive now."""
    for passphrase in passphrases:
        encryption.forget_unlocked()
        try:
            Archive.open(folder, passphrase=passphrase, readonly=True).close()
        except encryption.PassphraseNeeded:
            continue
        except encryption.WrongPassphrase:
            continue
        return passphrase or "plain"
    return None


# The encrypt and re-key runs call keychange._fsync six times: the new database written,
# READY written, the database renamed in (the commit point), the key file, the index,
# the staging folder removed. A kill after each, and at random moments.
FSYNCS = 6


def _copy(base: Path, folder: Path) -> Path:
    import shutil

    shutil.copytree(base, folder)
    return folder


@pytest.mark.timeout(600)
def test_kill_encrypt_at_every_step(tmp_path: Path) -> None:
    results = []
    base = _plain_archive(tmp_path / "base", 8)
    for kill_at in range(1, FSYNCS + 1):
        folder = _copy(base, tmp_path / f"k{kill_at}")
        code = _sesame(folder, kill_at, "encrypt")
        state = _which(folder, [None, PW])
        assert state is not None, f"killed at fsync {kill_at}: nothing opens the archive"
        results.append((kill_at, code, state))
        _holds(folder, None if state == "plain" else PW, 8)
    # Before the commit point the plain archive stays; after it the new one is finished.
    assert [s for _k, _c, s in results] == ["plain", "plain"] + [PW] * (FSYNCS - 2), results


@pytest.mark.timeout(600)
def test_kill_rekey_at_every_step(tmp_path: Path) -> None:
    results = []
    base = _plain_archive(tmp_path / "base", 8)
    pw = _pw_file(tmp_path, "pw.txt", PW)
    assert run("--archive", str(base), "--passphrase-file", pw, "encrypt")[0] == 0
    for kill_at in range(1, FSYNCS + 1):
        folder = _copy(base, tmp_path / f"k{kill_at}")
        encryption.forget_unlocked()
        code = _sesame(folder, kill_at, "rekey", "--change-passphrase")
        state = _which(folder, [PW, NEW_PW])
        assert state is not None, f"killed at fsync {kill_at}: neither key opens the archive"
        results.append((kill_at, code, state))
        _holds(folder, state, 8)
    assert [s for _k, _c, s in results] == [PW, PW] + [NEW_PW] * (FSYNCS - 2), results


def kill_rekeys_at_random_moments(tmp_path: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    base = _plain_archive(tmp_path / "base", 8)
    started = time.perf_counter()
    assert _sesame(_copy(base, tmp_path / "probe"), 0, "encrypt") == 0
    span = time.perf_counter() - started
    folder = _copy(base, tmp_path / "arch")
    state: str | None = "plain"
    for _ in range(max(1, kills // 3)):  # encrypts killed at random moments
        _sesame(folder, 0, "encrypt", after=rng.uniform(0.05, span * 1.1))
        state = _which(folder, [None, PW])
        assert state is not None, "a killed encrypt left an archive nothing opens"
        _holds(folder, None if state == "plain" else PW, 8)
        if state != "plain":
            break
    if state == "plain":
        assert _sesame(folder, 0, "encrypt") == 0
    current = PW
    for k in range(kills):
        nxt = NEW_PW if current == PW else PW
        env_new = {"SESAME_PASSPHRASE": current, "SESAME_NEW_PASSPHRASE": nxt}
        os.environ.update(env_new)
        try:
            _sesame_env(folder, rng.uniform(0.05, span * 1.1), current, nxt)
        finally:
            for name in env_new:
                os.environ.pop(name, None)
        state = _which(folder, [current, nxt])
        assert state is not None, f"kill {k}: neither key opens the archive"
        _holds(folder, state, 8)
        current = state


def _sesame_env(folder: Path, after: float, current: str, new: str) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KILL_AT_FSYNC": "0",
        "SESAME_PASSPHRASE": current,
        "SESAME_NEW_PASSPHRASE": new,
    }
    cmd = [sys.executable, "-c", _KILLER, "--archive", str(folder), "rekey", "--change-passphrase"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.wait(timeout=after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=300)


@pytest.mark.timeout(600)
def test_kill_encrypt_and_rekey_at_random_moments(tmp_path: Path) -> None:
    kill_rekeys_at_random_moments(tmp_path, kills=6, seed=7)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_stress_kill_rekeys(tmp_path: Path) -> None:
    """`make stress`: 60 re-keys killed at random moments."""
    kill_rekeys_at_random_moments(tmp_path, kills=60, seed=60)
