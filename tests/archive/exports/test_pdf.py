"""The PDF report: pages rendered and looked at, Burmese in a Myanmar font, nothing fetched."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest

from archive.exports.pdf import export_pdf, html_to_pdf, offline_fetcher, refuse_remote
from archive.exports.selection import Selection
from archive.store import Archive
from tests.archive.exports.conftest import filled  # noqa: F401  (fixture)


def _pages(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        texts = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def test_pages_hold_every_article_and_passage(
    archive: Archive,
    filled: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "r.pdf"
    result = export_pdf(archive, out, title="Strike report")
    assert result["format"] == "pdf" and result["articles"] == 2 and result["annotations"] == 5
    pages = _pages(out)
    assert result["pages"] == len(pages) >= 4  # the cover, an article a page, the indexes
    whole = "\n".join(pages)
    for quote in ("Daw Hnin Wai", "More than 250 nurses", "raided the general hospital"):
        assert quote in whole.replace("\r\n", " ").replace("\n", " ")
    assert "page 1 of" in pages[0] and f"page {len(pages)} of {len(pages)}" in pages[-1]
    assert all("Strike report" in p for p in pages)  # the running head
    # Each article starts a page of its own.
    tops = [p.splitlines()[0].strip() for p in pages]
    assert {"Strike spreads", "ရန်ကုန် သပိတ်"} <= set(tops)
    burmese = tops.index("ရန်ကုန် သပိတ်")
    assert any("Myanmar" in f or "Padauk" in f for f in _fonts(out, burmese))


def _fonts(path: Path, index: int) -> set[str]:
    """The names of the fonts the characters of a page are set in."""
    import ctypes

    import pypdfium2.raw as pdfium

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        textpage = pdf[index].get_textpage()
        names = set()
        for c in range(textpage.count_chars()):
            buf = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            pdfium.FPDFText_GetFontInfo(textpage.raw, c, buf, 256, ctypes.byref(flags))
            names.add(buf.value.decode("ascii", "replace"))
        textpage.close()
        return names
    finally:
        pdf.close()


def test_pages_render_with_marks_in_the_tag_colours(
    archive: Archive,
    filled: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "r.pdf"
    export_pdf(archive, out, Selection(collection="Case"))
    pdf = pypdfium2.PdfDocument(str(out))
    try:
        image = pdf[1].render(scale=1).to_pil().convert("RGB")  # the Burmese article
    finally:
        pdf.close()
    colours = {c for _, c in image.getcolors(maxcolors=1 << 20) or []}
    # The figure colour of the built-in tag types is painted behind its passage.
    from archive import tagtypes

    figure = next(t for t in tagtypes.list_tag_types(archive) if t.key == "figure").colour
    want = tuple(int(figure[i : i + 2], 16) for i in (1, 3, 5))
    assert any(all(abs(a - b) <= 3 for a, b in zip(c, want, strict=True)) for c in colours)


def test_nothing_remote_is_fetched(tmp_path: Path) -> None:
    import weasyprint

    with pytest.raises(ValueError, match="never fetches"):
        refuse_remote("http://example.org/x.css")
    with pytest.raises(ValueError):
        refuse_remote("file:///etc/passwd")
    assert refuse_remote("data:text/plain,hi")["string"] == b"hi"
    fetcher = offline_fetcher(weasyprint)
    for url in ("http://127.0.0.1:9/x", "file:///etc/passwd", "https://example.org/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url) if hasattr(fetcher, "fetch") else fetcher(url)
    page = (
        '<html><head><style>body{background:url("http://127.0.0.1:9/x.png")}</style>'
        '<link rel="stylesheet" href="file:///etc/passwd"></head>'
        '<body><h1>t</h1><img src="http://127.0.0.1:9/y.png"></body></html>'
    )
    html_to_pdf(page, tmp_path / "x.pdf")  # refused quietly: the PDF is still made
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
