"""`sesame show` says when an article's text was machine-read (OCR), in text and --json."""

from __future__ import annotations

import io
import json
from pathlib import Path

from archive.cli import main
from tests.archive.ingest.scanned import ENGLISH, encode, needs_tesseract, render


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_show_says_a_scan_was_machine_read_and_a_text_file_was_not(tmp_path: Path) -> None:
    needs_tesseract()
    arch = str(tmp_path / "arch")
    (tmp_path / "leaflet.png").write_bytes(encode([render(ENGLISH)], "png"))
    (tmp_path / "note.txt").write_text("Field note\n\nTwo convoys arrived at dawn.\n")
    code, _, err = run(
        "--archive", arch, "import", str(tmp_path / "leaflet.png"), str(tmp_path / "note.txt"),
        "--no-index", "--ocr-lang", "eng",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run("--archive", arch, "list", "--json")
    ids = {Path(row["imported_from"]).name: row["id"] for row in json.loads(out)}

    code, out, err = run("--archive", arch, "show", ids["leaflet.png"])
    assert code == 0, err
    [line] = [x for x in out.splitlines() if x.startswith("  text: ")]
    assert line.startswith("  text: machine-read: OCR (eng), mean word confidence ")
    assert "1 page(s); check it against the original" in line
    code, out, _ = run("--archive", arch, "show", ids["leaflet.png"], "--json")
    doc = json.loads(out)
    assert doc["text_origin"] == "ocr"
    assert isinstance(doc["ocr_confidence"], float) and 50 < doc["ocr_confidence"] <= 100
    assert f"confidence {doc['ocr_confidence']:.0f}%" in line

    code, out, _ = run("--archive", arch, "show", ids["note.txt"])
    assert "machine-read" not in out and "\n  text: " not in out
    code, out, _ = run("--archive", arch, "show", ids["note.txt"], "--json")
    doc = json.loads(out)
    assert (doc["text_origin"], doc["ocr_confidence"]) == ("text", None)
