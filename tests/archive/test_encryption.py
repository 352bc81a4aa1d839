"""Encrypted archives: SQLCipher database, the key file, passphrases, the CLI."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import cli, encryption
from archive.errors import ArchiveError, NotAnArchive
from archive.store import Archive

pytestmark = pytest.mark.usefixtures("fast_kdf")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_an_encrypted_archive_opens_with_its_passphrase_only(tmp_path: Path) -> None:
    folder = tmp_path / "enc"
    with Archive.open(folder, create=True, encrypt=True, passphrase="correct horse") as arch:
        assert arch.encrypted
        archive_id = arch.archive_id
    head = (folder / "archive.sqlite").read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    keyfile = json.loads((folder / "keyfile.json").read_text())
    assert keyfile["kdf"]["name"] == "argon2id" and keyfile["kdf"]["memory_cost_kib"] == 64
    encryption.forget_unlocked()
    with Archive.open(folder, passphrase="correct horse") as arch:
        assert arch.archive_id == archive_id
    with Archive.open(folder, passphrase="correct horse", readonly=True) as arch:
        assert arch.archive_id == archive_id
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())
    with pytest.raises(encryption.WrongPassphrase, match="Wrong passphrase"):
        Archive.open(folder, passphrase="wrong")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()) == before


def test_plain_sqlite_cannot_read_it(tmp_path: Path) -> None:
    folder = tmp_path / "enc"
    Archive.open(folder, create=True, encrypt=True, passphrase="pw").close()
    conn = sqlite3.connect(folder / "archive.sqlite")
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()
    (folder / "keyfile.json").rename(tmp_path / "kept.json")
    with pytest.raises(NotAnArchive, match=r"key file keyfile\.json is missing"):
        Archive.open(folder)


def test_a_passphrase_is_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "enc"
    Archive.open(folder, create=True, encrypt=True, passphrase="pw").close()
    encryption.forget_unlocked()
    monkeypatch.delenv("SESAME_PASSPHRASE", raising=False)
    with pytest.raises(encryption.PassphraseNeeded, match="encrypted archive: give the passphrase"):
        Archive.open(folder)
    monkeypatch.setenv("SESAME_PASSPHRASE", "pw")
    Archive.open(folder).close()


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "enc"
    Archive.open(folder, create=True, encrypt=True, passphrase="pw").close()
    doc = json.loads((folder / "keyfile.json").read_text())
    doc["kdf"]["iterations"] = 2  # weakened or changed parameters: the wrap no longer holds
    (folder / "keyfile.json").write_text(json.dumps(doc))
    encryption.forget_unlocked()
    with pytest.raises(encryption.WrongPassphrase):
        Archive.open(folder, passphrase="pw")
    doc["kdf"]["memory_cost_kib"] = 10**9
    (folder / "keyfile.json").write_text(json.dumps(doc))
    with pytest.raises(ArchiveError, match="damaged"):
        Archive.open(folder, passphrase="pw")


def test_another_archives_key_file_does_not_open_it(tmp_path: Path) -> None:
    for name in ("a", "b"):
        Archive.open(tmp_path / name, create=True, encrypt=True, passphrase="pw").close()
    (tmp_path / "b" / "keyfile.json").replace(tmp_path / "a" / "keyfile.json")
    encryption.forget_unlocked()
    with pytest.raises(NotAnArchive, match="does not open the database"):
        Archive.open(tmp_path / "a", passphrase="pw")


def test_a_plain_archive_is_never_encrypted_in_place(tmp_path: Path) -> None:
    Archive.open(tmp_path / "p", create=True).close()
    with pytest.raises(ArchiveError, match="already a plain"):
        Archive.open(tmp_path / "p", create=True, encrypt=True, passphrase="pw")


def test_writes_migrations_and_wal_work_encrypted(tmp_path: Path) -> None:
    from archive import models

    folder = tmp_path / "enc"
    with Archive.open(folder, create=True, encrypt=True, passphrase="pw") as arch:
        with arch.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA user_version").scalar() >= 4
        with arch.change("Add a tag type") as ch:
            ch.session.add(models.TagType(key="place", label="Place", colour="#fff"))
    with Archive.open(folder, passphrase="pw") as arch, arch.session() as session:
        assert session.get(models.TagType, "place") is not None


def test_cli_init_encrypt_change_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "enc"
    monkeypatch.delenv("SESAME_PASSPHRASE", raising=False)
    code, out, err = run("init", "--encrypt", "--archive", str(folder), "--json")
    assert code == 2 and "needs a passphrase" in err and not folder.exists()
    pw = tmp_path / "pw.txt"
    pw.write_text("first one\n")
    code, out, _ = run(
        "init", "--encrypt", "--archive", str(folder), "--passphrase-file", str(pw), "--json"
    )
    assert code == 0 and json.loads(out)["encrypted"] is True
    code, out, err = run("list", "--archive", str(folder))
    assert code == 2 and "give the passphrase" in err
    monkeypatch.setenv("SESAME_PASSPHRASE", "nope")
    code, out, err = run("list", "--archive", str(folder))
    assert code == 2 and "Wrong passphrase" in err
    new = tmp_path / "new.txt"
    new.write_text("second one\n")
    code, out, err = run(
        "passphrase",
        "change",
        "--archive",
        str(folder),
        "--passphrase-file",
        str(pw),
        "--new-passphrase-file",
        str(new),
    )
    assert code == 0, err
    encryption.forget_unlocked()
    assert run("list", "--archive", str(folder), "--passphrase-file", str(pw))[0] == 2
    assert run("list", "--archive", str(folder), "--passphrase-file", str(new))[0] == 0
    plain = tmp_path / "plain"
    assert run("init", "--archive", str(plain))[0] == 0
    code, _, err = run(
        "passphrase", "change", "--archive", str(plain), "--new-passphrase-file", str(new)
    )
    assert code == 2 and "not encrypted" in err
    code, _, err = run("init", "--encrypt", "--archive", str(plain), "--passphrase-file", str(pw))
    assert code == 2 and "already a plain" in err


def test_the_passphrase_is_asked_on_a_terminal_twice_for_a_new_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass
    import sys

    monkeypatch.delenv("SESAME_PASSPHRASE", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["typed one", "typed two"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt, stream=None: next(answers))
    folder = tmp_path / "enc"
    code, _, err = run("init", "--encrypt", "--archive", str(folder))
    assert code == 2 and "differ" in err and not folder.exists()
    answers = iter(["typed one", "typed one", "typed one"])
    assert run("init", "--encrypt", "--archive", str(folder))[0] == 0
    encryption.forget_unlocked()
    assert run("list", "--archive", str(folder))[0] == 0


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=12), inner, max_size=5)
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_a_hostile_key_file_is_a_clear_refusal(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "keyfile.json").write_bytes(data)
    with pytest.raises(ArchiveError):
        encryption.unlock(folder, "pw")


def test_the_lock_and_read_only_opening_hold_for_an_encrypted_archive(tmp_path: Path) -> None:
    from archive.errors import ArchiveLocked

    folder = tmp_path / "enc"
    with Archive.open(folder, create=True, encrypt=True, passphrase="pw") as writer:
        with pytest.raises(ArchiveLocked):
            Archive.open(folder, passphrase="pw")
        with Archive.open(folder, passphrase="pw", readonly=True) as reader:
            assert reader.readonly and reader.archive_id == writer.archive_id
        assert (folder / "tmp").is_dir()  # libraries' temp files go here while it is open
    assert not (folder / "tmp").exists()


def test_reindex_and_check_of_an_encrypted_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_PASSPHRASE", "pw")
    folder = tmp_path / "enc"
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("The convoy crossed the bridge at dawn.", encoding="utf-8")
    assert run("init", "--encrypt", "--archive", str(folder))[0] == 0
    assert run("import", str(src), "--archive", str(folder))[0] == 0
    assert run("reindex", "--archive", str(folder))[0] == 0
    code, out, _ = run("search", "convoy", "--archive", str(folder), "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    assert run("check", "--archive", str(folder))[0] == 0
    # A sealed index file changed on disk: the index is rebuilt, never trusted.
    segment = max((folder / "index").glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    data[40] ^= 1
    segment.write_bytes(bytes(data))
    code, out, _ = run("search", "convoy", "--archive", str(folder), "--json")
    assert code == 0 and json.loads(out)["total"] == 1
