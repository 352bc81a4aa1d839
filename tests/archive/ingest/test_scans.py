"""Scans and images: pages joined with their offsets, Tesseract's word table, limits, languages.

These need no Tesseract (a stand-in program answers where one is asked);
reading real pages is in test_ocr_import.py.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from archive.ingest import ocr, scans, textnorm
from archive.ingest.errors import UnreadableFile
from archive.ingest.pdf import read_pdf
from archive.ingest.readers import MAIL_ATTACHMENTS, READERS
from archive.store import Archive

from .samples import pdf_bytes
from .scanned import encode

page_texts = st.lists(
    st.text(alphabet=st.sampled_from("ab ကျ\n\t.\u00a0"), max_size=40), min_size=1, max_size=6
)


@settings(max_examples=150, deadline=None)
@given(page_texts)
def test_pages_join_into_canonical_text_with_their_offsets(pages: list[str]) -> None:
    text, starts = scans.join_pages(pages)
    assert textnorm.normalise(text) == text
    assert len(starts) == len(pages)
    assert starts == sorted(starts)
    for page, start in zip(pages, starts, strict=True):
        body = textnorm.normalise(page)
        assert text[start : start + len(body)] == body
    meta = {"ocr": {"pages": [{"start": s} for s in starts]}}
    for index, (page, start) in enumerate(zip(pages, starts, strict=True)):
        if textnorm.normalise(page):
            assert scans.page_at(meta, start) == index


def _table(rows: list[tuple[int, int, int, int, str, float]]) -> dict[str, list[object]]:
    """Tesseract's word table from (level, block, paragraph, line, text, conf) rows."""
    keys = ("level", "block_num", "par_num", "line_num", "text", "conf")
    return {key: [row[i] for row in rows] for i, key in enumerate(keys)}


def test_words_become_lines_and_paragraphs_with_a_mean_confidence() -> None:
    data = _table(
        [
            (1, 0, 0, 0, "", -1),
            (4, 1, 1, 1, "", -1),
            (5, 1, 1, 1, "More", 96),
            (5, 1, 1, 1, "than", 90),
            (5, 1, 1, 2, "600", 84.5),
            (5, 1, 1, 2, "  ", -1),
            (5, 2, 1, 1, "police", "70"),  # older pytesseract: strings
        ]
    )
    page = ocr.page_text(data)
    assert page.text == "More than\n600\n\npolice"
    assert page.words == 4
    assert page.confidence == pytest.approx((96 + 90 + 84.5 + 70) / 4, abs=0.05)
    assert ocr.page_text(_table([])) == ocr.PageText("", None, 0)


def test_article_languages_choose_tesseract_languages() -> None:
    installed = frozenset({"eng", "mya", "tha"})
    assert ocr.languages_for(["my", "en"], installed) == "mya+eng"
    assert ocr.languages_for(["zh", "en"], installed) == "eng"  # no chi_sim data
    assert ocr.languages_for(["my", "th", "en", "mya"], installed) == "mya+tha+eng"
    assert ocr.languages_for([], installed) == "eng"


def _fake_tesseract(folder: Path, languages: list[str]) -> None:
    program = folder / "tesseract"
    listing = "\n".join(f"echo {code}" for code in languages)
    program.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then\n'
        "echo 'List of available languages in \"/usr/share/tessdata/\" (3):'\n"
        f"{listing}\nexit 0\nfi\n"
        'if [ "$1" = "--version" ]; then echo "tesseract 9.9.9"; exit 0; fi\n'
        "exit 1\n"
    )
    program.chmod(0o755)


def test_ocr_languages_are_checked_against_the_installed_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tesseract(tmp_path, ["eng", "mya", "osd"])
    monkeypatch.setenv("PATH", str(tmp_path))
    assert ocr.check_languages("eng+mya") == "eng+mya"
    assert ocr.check_languages(" mya, eng ,mya") == "mya+eng"
    with pytest.raises(ocr.UnknownLanguage, match=r"tha .*installed: eng\+mya"):
        ocr.check_languages("eng+tha")
    with pytest.raises(ocr.UnknownLanguage):
        ocr.check_languages("+")
    with pytest.raises(ocr.UnknownLanguage):
        ocr.check_languages("osd")  # orientation data, not a language
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(ocr.OcrUnavailable, match="tesseract-ocr"):
        ocr.check_languages("eng")


def test_the_archive_languages_are_the_default(
    archive: Archive, add_article: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tesseract(tmp_path, ["eng", "mya", "osd"])
    monkeypatch.setenv("PATH", str(tmp_path))
    assert ocr.archive_languages(archive) == "eng"  # an empty archive
    with archive.transaction() as session:
        from archive.models import Article

        session.add_all(
            [Article(title="a", text="x", language="my"), Article(title="b", text="y")]
            + [Article(title=f"e{i}", text="z", language="en") for i in range(2)]
        )
    assert ocr.archive_languages(archive) == "eng+mya"  # most common first
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert ocr.archive_languages(archive) == "eng"


def test_images_and_scanned_pdfs_ask_for_ocr() -> None:
    for extension in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        media_type, reader = READERS[extension]
        assert media_type.startswith("image/")
        with pytest.raises(scans.NeedsOcr):
            reader(b"\x89PNG", f"page{extension}")
        assert extension not in MAIL_ATTACHMENTS  # an e-mail's logos are not OCR'd
    with pytest.raises(scans.NeedsOcr, match="no text layer"):
        read_pdf(pdf_bytes([[]]), "scan.pdf")


def _blank(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, "PNG")
    return out.getvalue()


def _claiming(png: bytes, width: int, height: int) -> bytes:
    """A small PNG whose header claims another size (a decompression bomb's trick)."""
    ihdr = png[12:29]
    body = ihdr[:4] + struct.pack(">II", width, height) + ihdr[12:]
    crc = struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return png[:12] + body + crc + png[33:]


def test_an_image_bomb_is_refused_before_it_is_decoded() -> None:
    bomb = _claiming(_blank(10, 10), 60_000, 60_000)  # 3.6 gigapixels
    with pytest.raises(UnreadableFile, match="too large"):
        scans.page_count(bomb)
    with pytest.raises(UnreadableFile, match="too large"):
        list(scans.iter_pages(bomb))
    big = _claiming(_blank(10, 10), 10_000, 9_000)  # 90 MP: over the limit, under Pillow's error
    with pytest.raises(UnreadableFile, match="too large"):
        list(scans.iter_pages(big))


def test_a_huge_pdf_page_is_drawn_within_the_pixel_limit() -> None:
    page = Image.new("L", (60, 60), 255)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=0.25)  # 240 x 240 inches
    image = next(scans.iter_pages(out.getvalue(), dpi=300))
    assert image.width * image.height <= scans.MAX_PIXELS


def test_damaged_images_get_a_reason() -> None:
    for junk in (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"\xff\xd8\xff\xe0 not a jpeg", b"GIF89a"):
        with pytest.raises(UnreadableFile, match="cannot be read"):
            list(scans.iter_pages(junk))
    cut = _blank(400, 400)[:-30]  # the end of the pixel data is missing
    with pytest.raises(UnreadableFile, match="damaged or cut short"):
        list(scans.iter_pages(cut))


def test_pages_of_a_tiff_and_a_pdf_render_in_order() -> None:
    pages = [Image.new("L", (200 + 10 * n, 100), 255) for n in range(3)]
    tiff = encode(pages, "tiff")
    assert scans.page_count(tiff) == 3
    assert [p.width for p in scans.iter_pages(tiff)] == [200, 210, 220]
    assert scans.render_page(tiff, 2).width == 220
    pdf = encode(pages, "pdf")
    assert scans.page_count(pdf) == 3
    assert [round(p.width / 10) for p in scans.iter_pages(pdf, dpi=300)] == [20, 21, 22]
    assert abs(scans.render_page(pdf, 1, dpi=150).width - 105) <= 1
    with pytest.raises(UnreadableFile, match="no page 4"):
        scans.render_page(pdf, 3)
    with pytest.raises(UnreadableFile, match="no page 4"):
        scans.render_page(tiff, 3)


def test_transparent_pixels_are_paper() -> None:
    clear = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    [page] = scans.iter_pages(out.getvalue())
    assert page.convert("L").getextrema() == (255, 255)
