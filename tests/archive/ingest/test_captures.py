"""Web captures imported end to end: WARC, WARC.gz, WACZ, MHTML, SingleFile (issue 14)."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from archive.ingest import import_paths
from archive.ingest.errors import UnreadableFile
from archive.ingest.mhtml import read_mhtml
from archive.ingest.parsed import ParsedArticle
from archive.ingest.savedpage import read_saved_page, saved_date
from archive.ingest.wacz import read_wacz
from archive.ingest.warc import read_warc
from archive.models import Article, Original
from archive.provenance import Provenance
from archive.store import Archive
from tests.archive.ingest.captures import (
    mhtml_bytes,
    pages,
    plain_message,
    singlefile_html,
    wacz_bytes,
    warc_bytes,
)


def articles(archive: Archive) -> list[Article]:
    with archive.session() as session:
        return list(session.exec(select(Article).order_by(Article.url)))


def test_wacz_with_three_pages_imports_three_articles_once(
    archive: Archive, tmp_path: Path
) -> None:
    captured = pages(3)
    path = tmp_path / "crawl.wacz"
    path.write_bytes(wacz_bytes(captured))

    first = import_paths(archive, [path], index=False)

    assert first.failed == []
    assert len(first.imported) == 3
    assert any("skipped" in w and "image" in w for w in first.warnings)
    rows = articles(archive)
    assert [(a.url, a.captured_at) for a in rows] == [(u, d) for u, _, d in captured]
    assert {a.collected_with for a in rows} == {"Browsertrix-Crawler 1.1"}
    assert all(a.collected_from == a.url and a.collected_by for a in rows)
    assert rows[0].title == "Story 0 from the port"
    with archive.session() as session:
        for row in rows:
            original = session.get(Original, row.original_sha256)
            assert original is not None and original.media_type == "application/warc"
            # The whole WARC record, headers included, as it was captured.
            assert original.data.startswith(b"WARC/1.0\r\n")
            assert f"WARC-Target-URI: {row.url}".encode() in original.data
            assert original.data.endswith(b"</html>\r\n\r\n")
            assert hashlib.sha256(original.data).hexdigest() == row.original_sha256
        # The container itself is not an original: its records are.
        assert session.get(Original, hashlib.sha256(path.read_bytes()).hexdigest()) is None

    again = import_paths(archive, [path], index=False)
    assert again.imported == [] and again.failed == []
    assert len(again.duplicates) == 3
    assert len(articles(archive)) == 3


def test_warc_and_warc_gz_keep_the_same_record(archive: Archive, tmp_path: Path) -> None:
    captured = pages(2)
    plain = read_warc(warc_bytes(captured), "a.warc")
    zipped = read_warc(warc_bytes(captured, gzip=True), "a.warc.gz")
    assert [a.url for a in plain] == [a.url for a in zipped] == [u for u, _, _ in captured]
    assert plain[0].collected_with == "auto-archiver 0.11"
    assert plain[0].captured_at == captured[0][2]
    # Record ids differ between the two writes; the shape of each record is whole.
    for article in [*plain, *zipped]:
        assert article.original is not None
        assert article.original.startswith(b"WARC/1.0") and article.original.endswith(b"\r\n\r\n")
    path = tmp_path / "site.warc.gz"
    path.write_bytes(warc_bytes(captured, gzip=True))
    result = import_paths(archive, [path], index=False)
    assert len(result.imported) == 2 and result.failed == []
    assert (
        "8 record(s) skipped (not captured HTML pages): 2 image, 2 CSS, 2 script, 2 redirect"
        in (" ".join(result.warnings))
    )


def test_wrong_payload_digest_fails_that_record_only(archive: Archive, tmp_path: Path) -> None:
    captured = pages(3)
    path = tmp_path / "tampered.warc"
    path.write_bytes(warc_bytes(captured, bad_digest={captured[1][0]}))
    result = import_paths(archive, [path], index=False)
    assert len(result.imported) == 2
    assert len(result.failed) == 1
    failure = result.failed[0]
    assert failure.path == f"{path}#{captured[1][0]}"
    assert "digest does not match" in failure.error
    assert captured[1][0] not in {a.url for a in articles(archive)}


def test_non_html_only_warc_is_refused_with_the_count(tmp_path: Path) -> None:
    only = warc_bytes(pages(2), resources=True)
    # Drop the pages: write resources alone.
    from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

    from tests.archive.ingest.captures import write_resource

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    write_resource(writer, "https://x.example/logo.png", "image/png", b"\x89PNG....")
    write_resource(writer, "https://x.example/site.css", "text/css", b"body{}")
    with pytest.raises(UnreadableFile, match=r"no captured HTML pages.*2 record\(s\) skipped"):
        read_warc(buf.getvalue(), "assets.warc")
    assert only  # the helper writes pages too (used above)


def test_truncated_gzip_keeps_the_pages_before_the_cut(archive: Archive, tmp_path: Path) -> None:
    data = warc_bytes(pages(4), gzip=True)
    cut = data[: len(data) * 2 // 3]
    read = read_warc(cut, "cut.warc.gz")
    assert 1 <= len(read) < 4
    assert any("cut short" in n for n in read.notes)  # type: ignore[attr-defined]
    with pytest.raises(UnreadableFile, match="damaged"):
        read_warc(data[:200], "cut.warc.gz")
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:200])
    result = import_paths(archive, [path], index=False)
    assert len(result.failed) == 1 and "damaged" in result.failed[0].error


def test_gzip_bomb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bomb = gzip.compress(b"WARC/1.0\r\n" + b"X" * (80 << 20))
    with pytest.raises(UnreadableFile, match="gzip bomb"):
        read_warc(bomb, "bomb.warc.gz")


def test_zip_bomb_in_a_wacz_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.warc", b"\0" * (300 << 20))
        zf.writestr("pages/pages.jsonl", "")
    with pytest.raises(UnreadableFile, match="zip bomb"):
        read_wacz(out.getvalue(), "bomb.wacz")


def test_wacz_whose_warc_does_not_match_its_datapackage_fails(
    archive: Archive, tmp_path: Path
) -> None:
    captured = pages(2)
    good = wacz_bytes(captured)
    # Swap in a different WARC but keep the datapackage's hash of the first.
    other = warc_bytes(pages(2, "https://elsewhere.example/"), gzip=True, software=None)
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            data = other if info.filename.startswith("archive/") else src.read(info)
            zf.writestr(info.filename, data)
    path = tmp_path / "swapped.wacz"
    path.write_bytes(out.getvalue())
    result = import_paths(archive, [path], index=False)
    assert result.imported == []
    assert len(result.failed) == 1 and "datapackage.json" in result.failed[0].error


@pytest.mark.parametrize(
    "data, message",
    [
        (b"PK\x03\x04 not really a zip", "not a valid WACZ"),
        (b"", "not a valid WACZ"),
    ],
)
def test_broken_wacz_says_so(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        read_wacz(data, "x.wacz")


def test_wacz_without_warcs() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("pages/pages.jsonl", "")
    with pytest.raises(UnreadableFile, match="no WARC files"):
        read_wacz(out.getvalue(), "x.wacz")


def test_mhtml_page_with_its_url_time_and_tool(archive: Archive, tmp_path: Path) -> None:
    url = "https://news.example.org/curfew"
    path = tmp_path / "curfew.mhtml"
    path.write_bytes(mhtml_bytes(url, "Curfew in Derin"))
    (article,) = read_mhtml(path.read_bytes(), path.name)
    assert article.url == url
    assert article.captured_at == "2024-03-05T10:30:00Z"
    assert article.collected_with == "Saved by Blink (MHTML)"
    assert article.title == "Curfew in Derin"
    assert "600 police" in article.text
    result = import_paths(archive, [path], index=False, provenance=Provenance("Aung", None, None))
    assert result.failed == []
    (row,) = articles(archive)
    assert (row.collected_by, row.collected_with, row.collected_from) == (
        "Aung",
        "Saved by Blink (MHTML)",
        url,
    )
    with archive.session() as session:
        original = session.get(Original, row.original_sha256)
        assert original is not None and original.data == path.read_bytes()


def test_mhtml_that_is_not_a_page() -> None:
    with pytest.raises(UnreadableFile, match="not an MHTML file"):
        read_mhtml(plain_message(), "mail.mhtml")
    with pytest.raises(UnreadableFile):
        read_mhtml(b"\x00\x01garbage", "x.mht")


def test_singlefile_page_gives_its_url_and_saved_date() -> None:
    data = singlefile_html(
        "https://news.example.org/strike",
        "Strike at the port",
        "Tue Mar 05 2024 17:30:00 GMT+0700 (Indochina Time)",
    )
    (article,) = read_saved_page(data, "strike.html")
    assert article.url == "https://news.example.org/strike"
    assert article.captured_at == "2024-03-05T10:30:00Z"
    assert article.collected_with == "SingleFile"


def test_chrome_saved_page_gives_its_url() -> None:
    html = (
        b"<!-- saved from url=(0031)https://news.example.org/flood -->\n"
        + (singlefile_html("x", "Flood", "x").split(b"-->", 1)[1])
    )
    (article,) = read_saved_page(html, "flood.html")
    assert article.url == "https://news.example.org/flood"
    assert article.captured_at is None


@pytest.mark.parametrize(
    "text, iso",
    [
        ("Tue Mar 05 2024 17:30:00 GMT+0700 (Indochina Time)", "2024-03-05T10:30:00Z"),
        ("Mon Dec 31 2023 23:30:00 GMT-0100", "2024-01-01T00:30:00Z"),
        ("2024-03-05T10:30:00.000Z", "2024-03-05T10:30:00Z"),
        ("yesterday", None),
        ("Fri Feb 30 2024 10:00:00 GMT+0000", None),
    ],
)
def test_saved_date(text: str, iso: str | None) -> None:
    assert saved_date(text) == iso


def test_plain_files_get_the_default_provenance(archive: Archive, tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("Field note\n\nTwo convoys arrived at dawn.\n")
    import_paths(archive, [tmp_path / "note.txt"], index=False)
    (row,) = articles(archive)
    assert row.collected_with == "Sesame import"
    assert row.collected_by  # the local user
    assert row.captured_at is None and row.collected_from is None


def test_given_provenance_wins(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "crawl.wacz"
    path.write_bytes(wacz_bytes(pages(1)))
    import_paths(
        archive,
        [path],
        index=False,
        provenance=Provenance("  Ma  Thida ", "Hunchly", "field laptop 2"),
    )
    (row,) = articles(archive)
    assert (row.collected_by, row.collected_with, row.collected_from) == (
        "Ma Thida",
        "Hunchly",
        "field laptop 2",
    )
    assert row.meta["capture"]["format"] == "WACZ"


def test_reimport_reads_no_page_again(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.ingest.warc as warc_module

    path = tmp_path / "crawl.wacz"
    path.write_bytes(wacz_bytes(pages(3)))
    import_paths(archive, [path], index=False)
    calls: list[str] = []
    real = warc_module.read_html

    def counting(data: bytes, name: str) -> list[ParsedArticle]:
        calls.append(name)
        return real(data, name)

    monkeypatch.setattr(warc_module, "read_html", counting)
    again = import_paths(archive, [path], index=False)
    assert (again.imported, again.failed, len(again.duplicates)) == ([], [], 3)
    assert calls == []
    # Outside an import nothing is known: every page is read.
    assert len(read_wacz(path.read_bytes(), path.name)) == 3
    assert len(calls) == 3


def test_wacz_whose_members_add_up_to_too_much_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    import archive.ingest.wacz as wacz_module

    # Scaled down (the real floor is 256 MB): each member under the ratio limit,
    # together more than the WACZ's own size allows.
    monkeypatch.setattr(wacz_module, "EXPANSION_FLOOR", 1 << 20)
    monkeypatch.setattr(wacz_module, "MAX_EXPANSION", 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(3):
            zf.writestr(f"archive/part{n}.warc", os.urandom(300_000) + bytes(300_000))
    with pytest.raises(UnreadableFile, match="add up to more than"):
        read_wacz(out.getvalue(), "many.wacz")
