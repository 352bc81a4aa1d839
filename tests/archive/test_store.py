"""Opening, creating, locking and versioning archive folders."""

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from archive import audit, models
from archive.errors import ArchiveLocked, ArchiveTooNew, NotAnArchive
from archive.store import DB_NAME, SCHEMA_VERSION, Archive, generation, mark_for_index


def test_create_makes_folder_with_wal_and_builtin_tag_types(archive_dir: Path) -> None:
    with Archive.open(archive_dir, create=True) as arch:
        with arch.session() as session:
            keys = {t.key for t in session.exec(select(models.TagType))}
        assert keys == {"actor", "event", "figure"}
        assert len(arch.archive_id) == 32
    conn = sqlite3.connect(archive_dir / DB_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_missing_archive_is_not_created_without_create(archive_dir: Path) -> None:
    with pytest.raises(NotAnArchive, match="sesame init"):
        Archive.open(archive_dir)
    assert not archive_dir.exists()


def test_reopen_keeps_data_and_id(archive_dir: Path) -> None:
    with Archive.open(archive_dir, create=True) as arch, arch.transaction() as session:
        session.add(models.Article(title="Kept", text="body"))
        first_id = arch.archive_id
    with Archive.open(archive_dir) as arch:
        assert arch.archive_id == first_id
        with arch.session() as session:
            assert [a.title for a in session.exec(select(models.Article))] == ["Kept"]


def test_second_writer_is_told_the_archive_is_open(archive: Archive) -> None:
    with pytest.raises(ArchiveLocked, match="open in another window"):
        Archive.open(archive.path)


def test_lock_is_released_on_close(archive_dir: Path) -> None:
    Archive.open(archive_dir, create=True).close()
    Archive.open(archive_dir).close()


def test_reader_can_open_while_a_writer_holds_the_lock(archive: Archive) -> None:
    with archive.transaction() as session:
        session.add(models.Article(title="Visible", text="x"))
    with Archive.open(archive.path, readonly=True) as reader, reader.session() as session:
        assert session.exec(select(models.Article)).one().title == "Visible"


def test_newer_schema_is_refused_and_left_untouched(archive_dir: Path) -> None:
    Archive.open(archive_dir, create=True).close()
    db = archive_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(ArchiveTooNew, match="newer version of Sesame"):
        Archive.open(archive_dir)
    assert db.read_bytes() == before


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_NAME)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAnArchive, match="not a Sesame archive"):
        Archive.open(folder)


def test_junk_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(NotAnArchive):
        Archive.open(folder)


def test_failed_transaction_leaves_nothing(archive: Archive) -> None:
    with pytest.raises(RuntimeError), archive.transaction() as session:
        session.add(models.Article(title="half", text="x"))
        session.flush()
        raise RuntimeError("boom")
    with archive.session() as session:
        assert session.exec(select(models.Article)).all() == []


def test_generation_counts_queue_rows_and_never_goes_back(archive: Archive) -> None:
    with archive.transaction() as session:
        assert generation(session) == 0
        mark_for_index(session, "a")
        mark_for_index(session, "b")
    with archive.transaction() as session:
        assert generation(session) == 2
        for row in session.exec(select(models.IndexQueue)):
            session.delete(row)
    with archive.transaction() as session:
        mark_for_index(session, "c")
    with archive.session() as session:
        assert generation(session) == 3


def test_audit_chain_detects_tampering(archive: Archive) -> None:
    with archive.transaction() as session:
        for i in range(5):
            audit.record(
                session,
                user_id=None,
                action="test",
                target_type="x",
                target_id=str(i),
                after={"n": i},
            )
    with archive.session() as session:
        report = audit.verify(session)
        assert report.ok and report.checked == 5
    conn = sqlite3.connect(archive.db_path)
    conn.execute("""UPDATE auditevent SET "after" = '{"n": 99}' WHERE seq = 3""")
    conn.commit()
    conn.close()
    with archive.session() as session:
        report = audit.verify(session)
    assert not report.ok and report.first_broken_seq == 3


def test_audit_chain_detects_deletion(archive: Archive) -> None:
    with archive.transaction() as session:
        for i in range(4):
            audit.record(session, user_id=None, action="test", target_type="x", target_id=str(i))
    conn = sqlite3.connect(archive.db_path)
    conn.execute("DELETE FROM auditevent WHERE seq = 2")
    conn.commit()
    conn.close()
    with archive.session() as session:
        report = audit.verify(session)
    assert not report.ok and report.first_broken_seq == 2


def test_a_folder_of_other_files_is_not_turned_into_an_archive(tmp_path: Path) -> None:
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"not ours")
    with pytest.raises(NotAnArchive, match="holds other files"):
        Archive.open(folder, create=True)
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]


def test_version_3_archive_migrates_to_the_evidence_model(archive_dir: Path) -> None:
    """An archive written before migration 4 gains its columns and tables, rows kept."""
    with Archive.open(archive_dir, create=True) as arch, arch.transaction() as session:
        session.add(models.Article(id="a" * 32, title="Old", text="body"))
    conn = sqlite3.connect(archive_dir / DB_NAME)
    for table in ("roletype", "role", "relationtype", "relation", "copysignature"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP INDEX ix_article_copy_group")
    for table, column in (
        ("article", "review_status"),
        ("article", "sensitive"),
        ("article", "copy_group"),
        ("annotation", "low"),
        ("annotation", "verification"),
        ("entity", "date_precision"),
        ("collection", "notes"),
    ):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.close()
    with Archive.open(archive_dir) as arch, arch.session() as session:
        article = session.get(models.Article, "a" * 32)
        assert article is not None
        assert (article.title, article.review_status, article.sensitive) == ("Old", "unread", False)
        assert article.copy_group is None
        roles = {r.key for r in session.exec(select(models.RoleType))}
        assert {"perpetrator", "victim", "witness", "source", "intervening"} <= roles
        relations = {r.key for r in session.exec(select(models.RelationType))}
        assert relations >= {"member_of", "commands", "part_of"}
    conn = sqlite3.connect(archive_dir / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
