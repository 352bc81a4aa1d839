"""import_paths end to end on real archives in tmp_path."""

from __future__ import annotations

import codecs
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from archive import audit
from archive.ingest import DEFAULT_MAX_BYTES, ImportReport, import_paths
from archive.models import Article, ArticleCollection, AuditEvent, IndexQueue, Original
from archive.store import Archive
from archive.tasks import CancelToken
from tests.archive.ingest.samples import ARTICLE, docx_bytes, eml_bytes, html_page, pdf_bytes
from tests.archive.ingest.test_plaintext import DIGEST
from tests.archive.ingest.test_textnorm import UNICODE_BURMESE, ZAWGYI_BURMESE


def article_text(n: int) -> str:
    return (
        f"Report number {n} from the northern districts\n\n"
        f"date 2022-01-{(n % 28) + 1:02d}\n\n"
        f"Volunteers counted {n} families sheltering in the school at dawn, "
        "according to a coordinator who asked not to be named.\n"
    )


def count(archive: Archive, model: type, *where: object) -> int:
    with archive.session() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def test_import_one_of_each_format(archive: Archive, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "teachers.md").write_text(ARTICLE, encoding="utf-8")
    paragraphs = ["The river rose two metres overnight and closed the only bridge to town."] * 3
    (src / "page.html").write_text(html_page("River closes bridge", paragraphs), encoding="utf-8")
    (src / "report.pdf").write_bytes(pdf_bytes([["Flood Report", "Water rose in the night."]]))
    (src / "memo.docx").write_bytes(docx_bytes("Relief Memo", ["Tents were handed out."]))
    (src / "mail.eml").write_bytes(eml_bytes("Field note", "Two convoys arrived."))

    result = import_paths(archive, [src], index=False)

    assert result.failed == []
    titles = sorted(item.title for item in result.imported)
    assert titles == sorted(
        [
            "Teachers march in the river town",
            "River closes bridge",
            "Flood Report",
            "Relief Memo",
            "Field note",
        ]
    )
    with archive.session() as session:
        article = session.exec(select(Article).where(Article.imported_from == "teachers.md")).one()
        original = session.get(Original, article.original_sha256)
        assert original is not None
        raw = (src / "teachers.md").read_bytes()
        assert original.data == raw
        assert original.sha256 == hashlib.sha256(raw).hexdigest()
        assert (original.media_type, original.size) == ("text/markdown", len(raw))
        assert article.text_sha256 == hashlib.sha256(article.text.encode()).hexdigest()
        assert article.language == "en"
        assert article.imported_at is not None
        # Every article is queued for the index and audited, by the local user.
        queued = set(session.exec(select(IndexQueue.article_id)))
        assert {i.id for i in result.imported} <= queued
        events = list(session.exec(select(AuditEvent).where(AuditEvent.action == "article.import")))
        assert {e.target_id for e in events} == {i.id for i in result.imported}
        assert all(e.user_id for e in events)
        assert audit.verify(session).ok


def test_second_import_adds_nothing(archive: Archive, tmp_path: Path) -> None:
    for n in range(5):
        (tmp_path / f"a{n}.txt").write_text(article_text(n), encoding="utf-8")
    first = import_paths(archive, [tmp_path], index=False)
    assert len(first.imported) == 5
    before = (count(archive, Article), count(archive, Original), count(archive, AuditEvent))

    second = import_paths(archive, [tmp_path], index=False)

    assert second.imported == [] and second.failed == []
    assert sorted(d.id for d in second.duplicates) == sorted(i.id for i in first.imported)
    assert (count(archive, Article), count(archive, Original), count(archive, AuditEvent)) == before


def test_same_bytes_twice_in_one_run(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(article_text(1), encoding="utf-8")
    (tmp_path / "two.txt").write_text(article_text(1), encoding="utf-8")
    result = import_paths(archive, [tmp_path], index=False)
    assert len(result.imported) == 1
    assert [(d.path, d.id) for d in result.duplicates] == [
        (str(tmp_path / "two.txt"), result.imported[0].id)
    ]


def test_digest_parts_share_the_original_and_reimport_is_duplicate(
    archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "digest.txt"
    path.write_text(DIGEST, encoding="utf-8")
    result = import_paths(archive, [path], index=False)
    assert [i.title for i in result.imported] == [
        "Hospital Nurses Walk Out Over Unpaid Wages",
        "Coastal Bus Drivers Join Strike",
    ]
    with archive.session() as session:
        parts = list(session.exec(select(Article).order_by(col(Article.published))))
        assert len({p.original_sha256 for p in parts}) == 1
        assert [p.meta["digest_part"] for p in parts] == [1, 2]
    again = import_paths(archive, [path], index=False)
    assert [d.id for d in again.duplicates] == [i.id for i in result.imported]
    assert count(archive, Article) == 2


def test_bad_inputs_each_get_a_reason(archive: Archive, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(article_text(7), encoding="utf-8")
    (tmp_path / "zero.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n \t\n", encoding="utf-8")
    (tmp_path / "junk.txt").write_bytes(os.urandom(3000) + b"\x00" * 10)
    (tmp_path / "cut.pdf").write_bytes(pdf_bytes([["Some text on a page."]] * 3)[:300])
    (tmp_path / "scan.pdf").write_bytes(pdf_bytes([[]]))
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not text")
    (tmp_path / "big.txt").write_text("word " * 1000, encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("secret notes", encoding="utf-8")
    bad_utf8 = "Café owners met the mayor; ".encode() + b"\xc3\x28\xff" + b" the talks went on."
    (tmp_path / "badutf8.txt").write_bytes(bad_utf8)
    text16 = "Jamal Idris reported from the border crossing in March."
    (tmp_path / "utf16bom.txt").write_bytes(codecs.BOM_UTF16_LE + text16.encode("utf-16-le"))
    (tmp_path / "utf16.txt").write_bytes(text16.encode("utf-16-be"))

    result = import_paths(
        archive, [tmp_path, tmp_path / "missing.txt"], index=False, max_bytes=4000
    )

    errors = {Path(f.path).name: f.error for f in result.failed}
    assert "empty" in errors["zero.txt"]
    assert "empty" in errors["blank.txt"]
    assert "not a text file" in errors["junk.txt"]
    assert "incomplete" in errors["cut.pdf"]
    assert "OCR" in errors["scan.pdf"]  # a grey box: nothing read (or no Tesseract to read it)
    assert "this image cannot be read" in errors["photo.jpg"]
    assert "larger than the import limit of 3.9 KB (4.9 KB)" in errors["big.txt"]
    assert ".hidden.txt" not in errors
    assert any("skipped 1 hidden" in w for w in result.warnings)
    assert "no such file" in errors["missing.txt"]
    imported = {Path(i.path).name for i in result.imported}
    assert imported == {"good.txt", "badutf8.txt", "utf16bom.txt", "utf16.txt"}
    with archive.session() as session:
        texts = {a.imported_from: a for a in session.exec(select(Article))}
    assert texts["utf16bom.txt"].text == text16
    assert texts["utf16.txt"].text == text16
    assert texts["utf16.txt"].meta["encoding"] == "utf-16-be"
    assert texts["badutf8.txt"].text.startswith("Café owners met the mayor; ")
    assert texts["badutf8.txt"].meta["undecodable_bytes"] >= 1
    # Nothing half-written for the failures, and the archive folder (inside
    # tmp_path here) was not imported.
    assert count(archive, Original) == 4
    assert not any("arch" in Path(f.path).parts for f in result.failed)


def test_size_limit_is_named(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 300_000, encoding="utf-8")
    result = import_paths(archive, [path], index=False, max_bytes=1024 * 1024)
    [failure] = result.failed
    assert "larger than the import limit of 1.0 MB" in failure.error
    assert DEFAULT_MAX_BYTES > 1024 * 1024


def test_folder_of_a_thousand_files_with_broken_ones(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for sub in range(4):
        (folder / f"box{sub}").mkdir(parents=True)
    broken = {17, 250, 512, 999}
    for n in range(1000):
        path = folder / f"box{n % 4}" / f"item{n:04d}.txt"
        if n in broken:
            path.write_bytes(b"" if n % 2 else os.urandom(500) + b"\x00")
        else:
            path.write_text(article_text(n), encoding="utf-8")
    seen: list[tuple[int, int | None]] = []

    result = import_paths(
        archive, [folder], index=False, progress=lambda d, t, m: seen.append((d, t))
    )

    assert len(result.imported) == 996
    assert sorted(int(Path(f.path).stem[4:]) for f in result.failed) == sorted(broken)
    assert count(archive, Article) == 996
    assert seen[-1] == (1000, 1000)
    assert result.files == 1000


def test_zawgyi_file_is_converted_and_marked(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "burmese.txt"
    raw = f"{ZAWGYI_BURMESE}\n\n{ZAWGYI_BURMESE}\n".encode()
    path.write_bytes(raw)
    result = import_paths(archive, [path], index=False)
    with archive.session() as session:
        article = session.get(Article, result.imported[0].id)
        assert article is not None
        assert UNICODE_BURMESE in article.text
        assert article.meta["converted_from"] == "zawgyi"
        assert article.language == "my"
        original = session.get(Original, article.original_sha256)
        assert original is not None and original.data == raw


def test_eml_attachments_become_linked_articles(archive: Archive, tmp_path: Path) -> None:
    statement = b"Statement of the relief committee\n\nWe received forty tents on Monday.\n"
    path = tmp_path / "note.eml"
    path.write_bytes(
        eml_bytes(
            "Convoy arrived",
            "The convoy reached the camp at noon.",
            [
                ("statement.txt", statement, "text/plain"),
                ("memo.pdf", pdf_bytes([["Convoy Memo", "Six trucks."]]), "application/pdf"),
                ("photo.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
            ],
        )
    )
    result = import_paths(archive, [path], index=False)
    assert result.failed == []
    by_title = {i.title: i for i in result.imported}
    assert set(by_title) == {"Convoy arrived", "Statement of the relief committee", "Convoy Memo"}
    message_id = by_title["Convoy arrived"].id
    assert by_title["Convoy Memo"].path == f"{path}#memo.pdf"
    with archive.session() as session:
        children = list(session.exec(select(Article).where(Article.parent_id == message_id)))
        assert {c.title for c in children} == {"Statement of the relief committee", "Convoy Memo"}
        child = next(c for c in children if c.imported_from == "statement.txt")
        original = session.get(Original, child.original_sha256)
        assert original is not None and original.data == statement
        message = session.get(Article, message_id)
        assert message is not None
        entries = {e["name"]: e for e in message.meta["attachments"]}
        assert entries["statement.txt"]["article_id"] == child.id
        assert "skipped" in entries["photo.jpg"]
    again = import_paths(archive, [path], index=False)
    assert [d.id for d in again.duplicates] == [message_id]
    assert count(archive, Article) == 3


def test_collection_gets_new_articles_and_duplicates(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(article_text(1), encoding="utf-8")
    first = import_paths(archive, [tmp_path / "a.txt"], index=False)
    (tmp_path / "b.txt").write_text(article_text(2), encoding="utf-8")
    result = import_paths(archive, [tmp_path], collection="Case North", index=False)
    assert len(result.imported) == 1 and len(result.duplicates) == 1
    with archive.session() as session:
        members = set(session.exec(select(ArticleCollection.article_id)))
    assert members == {first.imported[0].id, result.imported[0].id}


def test_cancel_stops_between_files_and_keeps_what_was_done(
    archive: Archive, tmp_path: Path
) -> None:
    for n in range(10):
        (tmp_path / f"f{n:02d}.txt").write_text(article_text(n), encoding="utf-8")
    token = CancelToken()

    def progress(done: int, total: int | None, message: str) -> None:
        if done == 3:
            token.cancel()

    result = import_paths(archive, [tmp_path], progress=progress, cancel=token, index=False)
    assert result.cancelled
    assert len(result.imported) == 3
    assert count(archive, Article) == 3


def test_report_json_shape() -> None:
    from archive.ingest import Duplicate, Failure, ImportedItem

    report = ImportReport(
        imported=[ImportedItem("i1", "T", "a.txt")],
        duplicates=[Duplicate("b.txt", "i1")],
        failed=[Failure("c.txt", "empty file")],
    )
    assert report.to_json() == {
        "imported": [{"id": "i1", "title": "T", "path": "a.txt"}],
        "duplicates": [{"path": "b.txt", "id": "i1"}],
        "failed": [{"path": "c.txt", "error": "empty file"}],
    }


def test_many_files_are_written_in_several_batches(archive: Archive, tmp_path: Path) -> None:
    import archive.ingest.pipeline as pipeline

    for n in range(25):
        (tmp_path / f"f{n:02d}.txt").write_text(article_text(n), encoding="utf-8")
    old = pipeline.BATCH_FILES
    pipeline.BATCH_FILES = 10
    try:
        result = import_paths(archive, [tmp_path], index=False)
    finally:
        pipeline.BATCH_FILES = old
    assert len(result.imported) == 25
    with archive.session() as session:
        assert audit.verify(session).ok


def test_import_with_index_makes_articles_searchable(archive: Archive, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "teachers.md").write_text(ARTICLE, encoding="utf-8")
    result = import_paths(archive, [src], collection="Case T")
    assert result.warnings == []
    assert archive.index.pending() == 0
    found = archive.index.search("salaries")
    assert [hit.id for hit in found.hits] == [result.imported[0].id]


def test_a_pipe_in_a_folder_is_skipped_not_read(archive: Archive, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "pipe.txt")
    (src / "ok.txt").write_text(article_text(3), encoding="utf-8")
    result = import_paths(archive, [src], index=False)
    assert len(result.imported) == 1
    [failure] = result.failed
    assert failure.path.endswith("pipe.txt") and "not a regular file" in failure.error


def test_html_only_email_body(archive: Archive, tmp_path: Path) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "desk@example.org"
    message["Subject"] = "Evening summary"
    message["Date"] = "Sat, 06 Mar 2021 18:00:00 +0000"
    paragraphs = "".join(
        f"<p>Paragraph {n}: the market reopened after the curfew was lifted in the east.</p>"
        for n in range(4)
    )
    message.set_content(f"<html><body><article>{paragraphs}</article></body></html>", "html")
    (tmp_path / "summary.eml").write_bytes(message.as_bytes())
    result = import_paths(archive, [tmp_path / "summary.eml"], index=False)
    [item] = result.imported
    with archive.session() as session:
        article = session.get(Article, item.id)
        assert article is not None
        assert "market reopened" in article.text and "<p>" not in article.text
        assert (article.byline, article.published) == ("desk@example.org", "2021-03-06")


def test_a_file_the_database_refuses_does_not_sink_its_batch(
    archive: Archive, tmp_path: Path
) -> None:
    with archive.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON article WHEN NEW.title = 'Poison' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
        )
    src = tmp_path / "src"
    src.mkdir()
    for n in range(3):
        (src / f"f{n}.txt").write_text(article_text(n), encoding="utf-8")
    (src / "poison.txt").write_text("Poison\n\nThis one the database refuses.", encoding="utf-8")

    result = import_paths(archive, [src], index=False)

    assert len(result.imported) == 3
    [failure] = result.failed
    assert failure.path.endswith("poison.txt")
    assert "could not be saved in the archive" in failure.error
    assert count(archive, Article) == 3
    assert count(archive, Original) == 3
    with archive.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse_poison")
    again = import_paths(archive, [src], index=False)
    assert [i.title for i in again.imported] == ["Poison"]


def test_refused_file_and_its_copy_in_the_same_run(archive: Archive, tmp_path: Path) -> None:
    import archive.ingest.pipeline as pipeline

    with archive.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_a BEFORE INSERT ON article WHEN NEW.imported_from = 'a.txt' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
        )
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Same words\n\nIn two files.", encoding="utf-8")
    (src / "b.txt").write_text("Same words\n\nIn two files.", encoding="utf-8")
    old = pipeline.BATCH_FILES
    pipeline.BATCH_FILES = 1  # a.txt fails in the first batch, b.txt comes in the second
    try:
        result = import_paths(archive, [src], index=False)
    finally:
        pipeline.BATCH_FILES = old
    assert [Path(f.path).name for f in result.failed] == ["a.txt"]
    assert [Path(i.path).name for i in result.imported] == ["b.txt"]
    assert result.duplicates == []
    assert count(archive, Original) == 1


def test_mbox_gives_one_article_per_message(archive: Archive, tmp_path: Path) -> None:
    one = eml_bytes("First dispatch", "From the north: roads are open again.\n")
    two = eml_bytes(
        "Second dispatch",
        "Shelling stopped at noon.\n",
        [("list.txt", b"Names of the missing\n\nSeven names follow.\n", "text/plain")],
        date="Sat, 06 Mar 2021 10:00:00 +0000",
    )
    mbox = b"".join(
        b"From reporter@example.org Fri Mar  5 09:30:00 2021\n" + raw.replace(b"\r\n", b"\n")
        + b"\n"
        for raw in (one, two)
    )  # fmt: skip
    (tmp_path / "dispatches.mbox").write_bytes(mbox)
    result = import_paths(archive, [tmp_path / "dispatches.mbox"], index=False)
    assert result.failed == []
    titles = [i.title for i in result.imported]
    assert titles == ["First dispatch", "Second dispatch", "Names of the missing"]
    with archive.session() as session:
        first = session.get(Article, result.imported[0].id)
        assert first is not None
        # The body line "From the north" is text, not a message separator.
        assert first.text.startswith("From the north: roads are open again.")
        child = session.get(Article, result.imported[2].id)
        assert child is not None and child.parent_id == result.imported[1].id


def test_forwarded_message_becomes_its_own_article(archive: Archive, tmp_path: Path) -> None:
    from email.message import EmailMessage
    from email.parser import BytesParser
    from email.policy import default

    inner = BytesParser(policy=default).parsebytes(
        eml_bytes("Original report", "Nine houses burned in the village.\n")
    )
    outer = EmailMessage()
    outer["From"] = "editor@example.org"
    outer["Subject"] = "Fwd: Original report"
    outer["Date"] = "Sun, 07 Mar 2021 08:00:00 +0000"
    outer.set_content("See the message below.\n")
    outer.add_attachment(inner)
    (tmp_path / "fwd.eml").write_bytes(outer.as_bytes())
    result = import_paths(archive, [tmp_path / "fwd.eml"], index=False)
    assert result.failed == []
    assert [i.title for i in result.imported] == ["Fwd: Original report", "Original report"]


def test_a_slow_commit_never_makes_the_next_batch_bigger(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches shrink when a commit takes longer than BATCH_SECONDS, down to
    # _MIN_BATCH_FILES; a batch already smaller than that (2 here) grew to it, so a
    # loaded machine turned 4 batches of 2 files into 2 (a clean-clone run failed).
    from archive import changes
    from archive.ingest import pipeline

    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)
    monkeypatch.setattr(pipeline, "BATCH_SECONDS", 0.0)  # every commit is "slow"
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(7):
        (folder / f"a{i}.txt").write_text(f"Title {i}\n\nBody {i}.\n")
    import_paths(archive, [folder])
    batches = [e for e in changes.history(archive, 20) if e.label == "Import in"]
    assert len(batches) == 4


def test_batches_keep_their_size_when_no_one_else_writes(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sesame import` holds the write lock alone: a slow commit keeps the batch size
    # (on a loaded machine 2,000 files became 329 changes of 5 or 6 files).
    from archive import changes
    from archive.ingest import pipeline

    monkeypatch.setattr(pipeline, "BATCH_FILES", 20)
    monkeypatch.setattr(pipeline, "BATCH_SECONDS", 0.0)  # every commit is "slow"
    for name, shared in (("alone", False), ("shared", True)):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(40):
            (folder / f"a{i}.txt").write_text(f"{name} {i}\n\nBody {i} of {name}.\n")
        import_paths(archive, [folder], shared=shared, index=False)
    labels = [e.label for e in changes.history(archive, 20)]
    assert labels.count("Import alone") == 2  # 20 + 20
    assert labels.count("Import shared") == 4  # 20, 10, 5, 5 (the window's tags wait less)


def test_a_new_archive_gets_its_empty_index_before_the_first_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first batch's catch-up rebuilt a missing index in this process from that
    # batch's articles; the empty index is built first now.
    from archive.search import index as search_index

    rebuilt: list[int] = []
    real = search_index.SearchIndex.rebuild

    def counting(self: Any, *args: Any, **kwargs: Any) -> int:
        count = real(self, *args, **kwargs)
        rebuilt.append(count)
        return count

    monkeypatch.setattr(search_index.SearchIndex, "rebuild", counting)
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(f"Title {i}\n\nBody {i} river.\n")
    with Archive.open(tmp_path / "new", create=True) as archive:
        import_paths(archive, [folder])
        assert archive.index.search("river").total == 3
    assert rebuilt == [0]
