"""File → Import options…: the OCR languages of scans and images, and an import that uses them."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from archive.models import Article
from desktop import settings as st
from desktop.importing.ocr_choice import OcrLanguageChoice, choices, language_name
from tests.archive.ingest.scanned import BURMESE, encode, needs_tesseract, render


def test_the_languages_offered() -> None:
    assert choices(frozenset({"mya", "eng", "tha"})) == [
        "",
        "eng",
        "mya",
        "tha",
        "eng+mya",
        "eng+tha",
    ]
    assert choices(frozenset({"mya"})) == ["", "mya"]
    assert language_name("eng+mya") == "English + Burmese (eng+mya)"
    assert language_name("xyz") == "xyz (xyz)"


def test_without_tesseract_the_choice_says_why(qtbot, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    combo = OcrLanguageChoice()
    qtbot.addWidget(combo)
    assert not combo.isEnabled()
    assert "tesseract-ocr" in combo.toolTip()
    assert combo.languages() == ""


def test_a_scan_imported_from_the_window_is_read_in_the_chosen_language(
    qtbot, window, tmp_path: Path
) -> None:
    needs_tesseract()
    dialog = window.importer.import_options()
    combo = dialog.ocr_languages
    assert combo.currentData() == ""  # automatic at first
    combo.setCurrentIndex(combo.findData("mya"))
    dialog.save()
    assert st.Settings().get(st.OCR_LANGUAGES) == "mya"

    scan = tmp_path / "notice.png"
    scan.write_bytes(encode([render(BURMESE, "my")], "png"))
    with qtbot.waitSignal(window.importer.importFinished, timeout=60000) as finished:
        window.importer.import_paths([scan])
    summary = finished.args[0]
    assert not summary["failed"] and len(summary["imported"]) == 1
    with window.ctx.archive.session() as session:
        [article] = session.exec(select(Article)).all()
    assert article.text_origin == "ocr" and article.meta["ocr"]["languages"] == "mya"
    assert not window.importer.summary.notes.isVisible()
    window.importer.summary.close()

    fresh = OcrLanguageChoice()  # the next dialog opens on the saved choice
    qtbot.addWidget(fresh)
    assert fresh.currentData() == "mya"


def test_the_summary_shows_what_was_noted(qtbot) -> None:
    from desktop.importing.summary import ImportSummaryDialog

    note = "pages.tiff: page 2 of 2: OCR (eng) found no text on it"
    summary = {"imported": [], "duplicates": [], "failed": [], "warnings": [note]}
    dialog = ImportSummaryDialog(summary)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.notes.isVisible() and dialog.notes.text() == note
