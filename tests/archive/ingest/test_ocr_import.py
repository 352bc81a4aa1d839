"""Importing scans and images: pages rendered here, read back by the real Tesseract.

Each page is a few lines at 300 dpi (about a second of OCR). The English page
must come back with at least 95% of its words right; the Burmese page must be
found by `sesame search` for its key words.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlmodel import select

from archive.cli import main
from archive.ingest import import_paths, scans
from archive.ingest.errors import UnreadableFile
from archive.models import Article, Original
from archive.store import Archive
from archive.tasks import CancelToken

from .scanned import (
    BURMESE,
    BURMESE_KEY_WORDS,
    ENGLISH,
    encode,
    needs_tesseract,
    render,
    words_right,
)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def articles(archive: Archive) -> list[Article]:
    with archive.session() as session:
        return list(session.exec(select(Article).order_by(Article.imported_from)))


@pytest.fixture
def english_page() -> bytes:
    return encode([render(ENGLISH)], "png")


def test_an_english_page_reads_back_with_95_percent_of_its_words(
    archive: Archive, tmp_path: Path, english_page: bytes
) -> None:
    needs_tesseract()
    (tmp_path / "leaflet.png").write_bytes(english_page)
    result = import_paths(archive, [tmp_path / "leaflet.png"], ocr_languages="eng")
    assert not result.failed and not result.warnings, (result.failed, result.warnings)
    [article] = articles(archive)
    assert words_right(ENGLISH, article.text) >= 0.95, article.text
    assert article.text_origin == "ocr"
    assert article.ocr_confidence is not None and 50 < article.ocr_confidence <= 100
    assert article.title == "Police surround the market in Hpakant"
    assert article.language == "en"
    assert article.meta["pages"] == 1
    [page] = article.meta["ocr"]["pages"]
    assert page["start"] == 0 and page["words"] > 50
    assert article.meta["ocr"]["languages"] == "eng"
    with archive.session() as session:  # the original is the image itself
        original = session.get(Original, article.original_sha256)
        assert original is not None
        assert original.data == english_page and original.media_type == "image/png"
    again = import_paths(archive, [tmp_path / "leaflet.png"], ocr_languages="eng")
    assert [d.id for d in again.duplicates] == [article.id]


def test_a_pdf_without_a_text_layer_is_read_page_by_page(archive: Archive, tmp_path: Path) -> None:
    needs_tesseract()
    first = render(ENGLISH[:3])
    second = render(ENGLISH[3:])
    (tmp_path / "scan.pdf").write_bytes(encode([first, second], "pdf"))
    seen: list[tuple[int, int | None, str]] = []
    result = import_paths(
        archive,
        [tmp_path / "scan.pdf"],
        ocr_languages="eng",
        progress=lambda done, total, message: seen.append((done, total, message)),
    )
    assert not result.failed
    [article] = articles(archive)
    assert article.text_origin == "ocr" and article.meta["pages"] == 2
    assert article.meta["ocr"]["dpi"] == scans.OCR_DPI
    assert words_right(ENGLISH, article.text) >= 0.95, article.text
    starts = [page["start"] for page in article.meta["ocr"]["pages"]]
    assert starts[0] == 0 and article.text[starts[1] :].startswith("witnesses said")
    assert scans.page_at(article.meta, starts[1] + 3) == 1
    pages = [message for _, _, message in seen if "OCR page" in message]
    assert pages[:2] == ["scan.pdf · OCR page 1/2", "scan.pdf · OCR page 2/2"]


def test_a_burmese_page_is_found_by_its_key_words(tmp_path: Path) -> None:
    needs_tesseract()
    (tmp_path / "notice.png").write_bytes(encode([render(BURMESE, "my")], "png"))
    folder = str(tmp_path / "arch")
    code, out, err = run(
        "--archive", folder, "--json", "import", "--ocr-lang", "mya", str(tmp_path)
    )
    assert code == 0, (out, err)
    [imported] = json.loads(out)["imported"]
    with Archive.open(Path(folder)) as archive:
        [article] = articles(archive)
        assert article.language == "my" and article.text_origin == "ocr"
    for word in BURMESE_KEY_WORDS:
        code, out, err = run("--archive", folder, "--json", "search", word)
        assert code == 0, err
        found = [hit["id"] for hit in json.loads(out)["hits"]]
        assert found == [imported["id"]], (word, article.text)


def test_a_multi_page_tiff_reports_its_empty_page(archive: Archive, tmp_path: Path) -> None:
    needs_tesseract()
    blank = render([""])
    (tmp_path / "pages.tiff").write_bytes(encode([render(ENGLISH[:3]), blank], "tiff"))
    result = import_paths(archive, [tmp_path / "pages.tiff"], ocr_languages="eng")
    assert not result.failed
    assert any("page 2 of 2" in warning and "no text" in warning for warning in result.warnings)
    [article] = articles(archive)
    assert article.meta["ocr"]["empty_pages"] == [2]
    assert article.meta["ocr"]["pages"][1] == {
        "start": len(article.text),
        "confidence": None,
        "words": 0,
    }


def test_a_page_with_no_text_at_all_fails_with_a_reason(archive: Archive, tmp_path: Path) -> None:
    needs_tesseract()
    (tmp_path / "blank.png").write_bytes(encode([render([""])], "png"))
    result = import_paths(archive, [tmp_path / "blank.png"], ocr_languages="eng")
    [failure] = result.failed
    assert "no text found" in failure.error and "--ocr-lang" in failure.error
    assert articles(archive) == []


def test_cancel_between_pages_leaves_the_scan_out(archive: Archive, tmp_path: Path) -> None:
    needs_tesseract()
    (tmp_path / "a.txt").write_text("A note written before the scan.\n", encoding="utf-8")
    page = render(ENGLISH[:2])
    (tmp_path / "b.pdf").write_bytes(encode([page, page, page], "pdf"))
    token = CancelToken()

    def progress(done: int, total: int | None, message: str) -> None:
        if "OCR page 2/" in message:
            token.cancel()

    result = import_paths(archive, [tmp_path], ocr_languages="eng", progress=progress, cancel=token)
    assert result.cancelled
    assert [Path(i.path).name for i in result.imported] == ["a.txt"]
    assert [a.imported_from for a in articles(archive)] == ["a.txt"]


def test_a_page_that_takes_too_long_is_given_up(english_page: bytes) -> None:
    needs_tesseract()
    reader = scans.ScanReader(languages="eng", timeout=0.01)
    with pytest.raises(UnreadableFile, match="longer than"):
        reader.read(english_page, "slow.png")


def test_without_tesseract_each_scan_fails_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, english_page: bytes
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "photo.jpg").write_bytes(
        encode([render(ENGLISH[:1]).convert("RGB")], "png")  # bytes of a PNG: still an image
    )
    (tmp_path / "in" / "note.txt").write_text("A plain note.\n", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    folder = str(tmp_path / "arch")
    code, out, err = run("--archive", folder, "import", str(tmp_path / "in"))
    assert code == 1
    assert "Traceback" not in out + err
    assert "photo.jpg" in out and "sudo apt-get install tesseract-ocr" in out
    assert "Imported 1 article(s)" in out
    code, out, err = run("--archive", folder, "import", "--ocr-lang", "mya", str(tmp_path / "in"))
    assert code == 1 and "tesseract-ocr" in out  # --ocr-lang cannot be checked: same message


def test_an_unknown_ocr_language_is_a_usage_error(tmp_path: Path) -> None:
    needs_tesseract()
    (tmp_path / "note.txt").write_text("A plain note.\n", encoding="utf-8")
    folder = tmp_path / "arch"
    code, _, err = run("--archive", str(folder), "import", "--ocr-lang", "xx+eng", str(tmp_path))
    assert code == 2
    assert "xx" in err and "installed:" in err and "mya" in err
    assert not folder.exists()  # checked before the archive is made
