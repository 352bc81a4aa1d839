"""A catalogue of hostile files (issue 10 item 4), beside the hostile states of
tests/archive/test_hostile_states.py: each case imports one crafted or broken file
with `sesame import` and expects exit 1 (or 0 with a note), a message that names
what happened, no traceback, and an archive whose every row and original is as it
was before. The readers run in the import's worker process (archive.ingest.sandbox)
with its memory and time limits.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.archive.conftest import REPORT
from tests.archive.test_hostile_states import run, snapshot


@pytest.fixture
def made(tmp_path: Path) -> dict[str, Any]:
    """An archive with one article, imported the ordinary way."""
    folder = tmp_path / "arch"
    src = tmp_path / "src"
    src.mkdir()
    (src / "report.txt").write_text(REPORT, encoding="utf-8")
    assert run("--archive", str(folder), "import", str(src))[0] == 0
    return {"dir": folder, "src": src}


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(body: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>',
        )
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _zip_bomb_docx(path: Path) -> None:
    path.write_bytes(_docx(_para("Cover note"), {"word/media/zeros.bin": bytes(100 * 1024**2)}))


def _many_paragraphs_docx(path: Path) -> None:
    path.write_bytes(_docx(_para("x") * 400_000))


def _billion_laughs_docx(path: Path) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE d [{entities}]>'
        f'<w:document xmlns:w="{W}"><w:body>{_para("&i;")}</w:body></w:document>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        z.writestr("word/document.xml", doc)
    path.write_bytes(buf.getvalue())


def _xxe_docx(path: Path) -> None:
    doc = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W}"><w:body>{_para("&x;")}</w:body></w:document>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        z.writestr("word/document.xml", doc)
    path.write_bytes(buf.getvalue())


def _eml_with_bomb(path: Path) -> None:
    bomb = _docx(_para("x"), {"word/media/zeros.bin": bytes(100 * 1024**2)})
    import base64

    body = base64.encodebytes(bomb).decode()
    path.write_text(
        "From: a@example.org\nTo: b@example.org\nSubject: Report\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\n'
        "See attached.\n--B\nContent-Type: application/octet-stream\n"
        'Content-Disposition: attachment; filename="bomb.docx"\n'
        f"Content-Transfer-Encoding: base64\n\n{body}\n--B--\n",
        "utf-8",
    )


def _truncated_pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<<")


def _middle_cut_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buf = io.BytesIO()
    writer.write(buf)
    data = buf.getvalue()
    path.write_bytes(data[: len(data) // 3] + data[2 * len(data) // 3 :])


def _encrypted_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with path.open("wb") as f:
        writer.write(f)


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _gzip_bomb_warc(path: Path) -> None:
    path.write_bytes(gzip.compress(b"WARC/1.0\r\n" + bytes(100 * 1024**2), 9))


def _wacz_bomb(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("datapackage.json", "{}")
        z.writestr("archive/data.warc", bytes(100 * 1024**2))
    path.write_bytes(buf.getvalue())


def _png_bomb(path: Path) -> None:
    from PIL import Image

    Image.new("1", (30_000, 30_000)).save(path, optimize=True)  # 900 megapixels


@dataclass
class FileCase:
    name: str
    file: str
    make: Callable[[Path], None]
    code: int
    message: str


CASES = [
    # A docx's media are never unpacked: its text imports, the zeros stay packed.
    FileCase("docx zip bomb in word/media", "bomb.docx", _zip_bomb_docx, 0, "Imported 1 article"),
    FileCase("docx 400,000 paragraphs", "many.docx", _many_paragraphs_docx, 1, "400,000 para"),
    FileCase("docx billion laughs", "laughs.docx", _billion_laughs_docx, 1, "laughs.docx"),
    FileCase("docx external entity", "xxe.docx", _xxe_docx, 1, "xxe.docx"),
    FileCase("docx not a zip", "fake.docx", _bytes(b"PK\x03\x04 broken"), 1, "fake.docx"),
    FileCase("eml with a zip bomb attached", "mail.eml", _eml_with_bomb, 0, "Imported 2"),
    FileCase("pdf truncated", "cut.pdf", _truncated_pdf, 1, "cut.pdf"),
    FileCase("pdf with its middle cut out", "middle.pdf", _middle_cut_pdf, 1, "middle.pdf"),
    FileCase("pdf encrypted", "locked.pdf", _encrypted_pdf, 1, "password"),
    FileCase("pdf that is html", "page.pdf", _bytes(b"<html>not a pdf</html>"), 1, "page.pdf"),
    FileCase("text of NUL bytes", "nul.txt", _bytes(bytes(4096)), 1, "nul.txt"),
    FileCase("warc gzip bomb", "bomb.warc.gz", _gzip_bomb_warc, 1, "bomb.warc.gz"),
    FileCase("warc of junk", "junk.warc", _bytes(b"WARC/1.0\r\nnonsense\r\n\r\n" * 50), 1, "junk"),
    FileCase("wacz zip bomb", "bomb.wacz", _wacz_bomb, 1, "bomb.wacz"),
    FileCase("mhtml without parts", "empty.mhtml", _bytes(b"MIME-Version: 1.0\n\n"), 1, "empty"),
    FileCase("png decompression bomb", "huge.png", _png_bomb, 1, "huge.png"),
    FileCase("png truncated", "cut.png", _bytes(b"\x89PNG\r\n\x1a\n\x00\x00"), 1, "cut.png"),
    FileCase("unknown extension", "data.xyz", _bytes(b"hello"), 1, "data.xyz"),
    FileCase("text of 6.5 million chars", "long.txt", _bytes(b"a b\n" * 1_625_000), 1, "split"),
    FileCase("one line of 6 million characters", "line.txt", _bytes(b"x" * 6_000_000), 1, "split"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(case: FileCase, made: dict[str, Any], tmp_path: Path) -> None:
    folder: Path = made["dir"]
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    path = hostile / case.file
    case.make(path)
    before = snapshot(folder)
    code, out, err = run("--archive", str(folder), "import", str(path))
    assert code == case.code, (out, err)
    assert case.message.lower() in (out + err).lower(), (out, err)
    assert "Traceback" not in out + err
    if code:
        assert "Imported 0 article(s)" in out
        assert snapshot(folder) == before


def test_a_symlink_out_of_the_folder_is_not_followed(made: dict[str, Any], tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret\n\nA file outside the imported folder.\n", "utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    os.symlink(outside, folder / "link.txt")
    before = snapshot(made["dir"])
    code, out, err = run("--archive", str(made["dir"]), "import", str(folder))
    assert "link.txt" in out + err and "Traceback" not in out + err
    assert snapshot(made["dir"]) == before, (code, out)
