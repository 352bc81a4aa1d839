"""`sesame backup` / `restore`: a consistent copy, encrypted like its archive, checked first."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest

from archive import cli, encryption
from archive.backup import BackupRefused, restore_backup, write_backup
from archive.store import Archive

WORD = "glimmerfrost"


pytestmark = pytest.mark.usefixtures("fast_kdf")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _archive_with_articles(tmp_path: Path, *extra: str) -> Path:
    folder = tmp_path / "arch"
    src = tmp_path / "src"
    src.mkdir()
    for n in range(3):
        (src / f"r{n}.txt").write_text(f"Report {n}: {WORD} seen at the bridge, {n} trucks.")
    if extra:
        assert run("init", "--archive", str(folder), *extra)[0] == 0
    code, _, err = run("import", str(src), "--archive", str(folder))
    assert code == 0, err
    return folder


def _rows(folder: Path, passphrase: str | None = None) -> dict[str, int]:
    with (
        Archive.open(folder, passphrase=passphrase, readonly=True) as arch,
        arch.engine.connect() as conn,
    ):
        return {
            t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
            for t in ("article", "original", "auditevent", "annotation")
        }


def test_backup_and_restore_a_plain_archive(tmp_path: Path) -> None:
    folder = _archive_with_articles(tmp_path)
    out = tmp_path / "a.sesame-backup"
    code, stdout, err = run("backup", str(out), "--archive", str(folder), "--json")
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["encrypted"] is False and out.is_file()
    assert run("backup", str(out), "--archive", str(folder))[0] == 2  # never overwritten
    dest = tmp_path / "restored"
    code, stdout, err = run("restore", str(out), str(dest), "--json")
    assert code == 0, err
    assert _rows(dest) == _rows(folder)
    code, stdout, _ = run("search", WORD, "--archive", str(dest), "--json")
    assert json.loads(stdout)["total"] == 3
    assert run("check", "--archive", str(dest))[0] == 0
    code, _, err = run("restore", str(out), str(dest))
    assert code == 2 and "never overwrites" in err


def test_a_backup_taken_while_the_archive_is_open_and_written(tmp_path: Path) -> None:
    folder = _archive_with_articles(tmp_path)
    with Archive.open(folder) as arch:
        from archive.annotate import create_annotation

        with arch.engine.connect() as conn:
            aid = conn.exec_driver_sql("SELECT id FROM article LIMIT 1").scalar_one()
        create_annotation(arch, aid, 0, 6, "actor")
        out = tmp_path / "open.sesame-backup"
        write_backup(arch, out)
        create_annotation(arch, aid, 7, 8, "actor")  # after the copy: not in it
    dest = tmp_path / "restored"
    restore_backup(out, dest)
    assert _rows(dest)["annotation"] == 1 and _rows(folder)["annotation"] == 2


def test_an_encrypted_archives_backup_is_encrypted_and_needs_its_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_PASSPHRASE", "backup pass")
    folder = _archive_with_articles(tmp_path, "--encrypt")
    out = tmp_path / "e.sesame-backup"
    code, stdout, err = run("backup", str(out), "--archive", str(folder), "--json")
    assert code == 0 and json.loads(stdout)["encrypted"] is True, err
    data = out.read_bytes()
    assert WORD.encode() not in data and b"Report" not in data
    with tarfile.open(out) as tar:
        assert sorted(tar.getnames()) == ["archive.sqlite", "keyfile.json", "sesame-backup.json"]
    encryption.forget_unlocked()
    monkeypatch.setenv("SESAME_PASSPHRASE", "wrong")
    code, _, err = run("restore", str(out), str(tmp_path / "r"))
    assert code == 2 and "Wrong passphrase" in err and not (tmp_path / "r").exists()
    assert not [p for p in tmp_path.iterdir() if ".restoring-" in p.name]
    monkeypatch.setenv("SESAME_PASSPHRASE", "backup pass")
    code, _, err = run("restore", str(out), str(tmp_path / "r"))
    assert code == 0, err
    assert _rows(tmp_path / "r", "backup pass") == _rows(folder, "backup pass")


def _repack(backup: Path, out: Path, change_db) -> None:  # type: ignore[no-untyped-def]
    work = out.parent / "work"
    work.mkdir()
    with tarfile.open(backup) as tar:
        tar.extractall(work, filter="data")
    change_db(work / "archive.sqlite")
    manifest = json.loads((work / "sesame-backup.json").read_text())
    manifest["database_sha256"] = hashlib.sha256((work / "archive.sqlite").read_bytes()).hexdigest()
    (work / "sesame-backup.json").write_text(json.dumps(manifest))
    with tarfile.open(out, "w") as tar:
        for name in ("sesame-backup.json", "archive.sqlite"):
            tar.add(work / name, arcname=name)


def test_a_damaged_or_tampered_backup_is_refused(tmp_path: Path) -> None:
    folder = _archive_with_articles(tmp_path)
    out = tmp_path / "a.sesame-backup"
    assert run("backup", str(out), "--archive", str(folder))[0] == 0
    damaged = tmp_path / "damaged.sesame-backup"
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    code, _, err = run("restore", str(damaged), str(tmp_path / "r1"))
    assert code == 1 and "damaged" in err and not (tmp_path / "r1").exists()

    def tamper(db: Path) -> None:
        conn = sqlite3.connect(db)
        conn.execute("UPDATE article SET title = 'forged'")
        conn.commit()
        conn.close()

    tampered = tmp_path / "tampered.sesame-backup"
    _repack(out, tampered, tamper)
    code, _, err = run("restore", str(tampered), str(tmp_path / "r2"))
    assert code == 1 and "does not hold" in err and not (tmp_path / "r2").exists()
    not_a_backup = tmp_path / "x.sesame-backup"
    not_a_backup.write_text("hello")
    with pytest.raises(BackupRefused):
        restore_backup(not_a_backup, tmp_path / "r3")
    assert not (tmp_path / "r3").exists()
