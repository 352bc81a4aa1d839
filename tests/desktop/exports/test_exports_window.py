"""Exports in the real window: File → Export W3C / CSV in the background, Save original as…."""

from __future__ import annotations

import csv
import io
import json

from archive.exports.selection import Selection
from tests.archive.bundles.conftest import add_report, tag
from tests.archive.exports.conftest import BURMESE


def test_the_export_menu_is_live(window) -> None:
    texts = [a.text() for a in window.export_actions.values()]
    assert texts == [
        "Export &W3C Web Annotations…",
        "Export &CSV…",
        "Export HTML &report…",
        "Export &PDF report…",
        "Export to REFI-&QDA (.qdpx)…",
    ]
    assert all(a.isEnabled() for a in window.export_actions.values())
    assert not window.coming_soon


def test_csv_from_the_menu_asks_options_then_the_file(qtbot, window, dialogs, tmp_path) -> None:
    archive = window.ctx.archive
    aid = add_report(archive, BURMESE, title="ရန်ကုန်")
    tag(archive, aid, "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်", "figure")
    out = tmp_path / "figures.csv"
    dialogs.answer("save", out)
    window.export_actions["csv"].trigger()
    dialog = window.exports.dialog
    assert dialog.objectName() == "exportOptionsDialog"
    dialog.kind.setCurrentIndex(dialog.kind.findData("figures"))
    dialog.bom.setChecked(True)
    with qtbot.waitSignal(window.exports.exported, timeout=20_000) as exported:
        dialog._accept()
    assert exported.args[0]["rows"] == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0]["value"] == "600" and rows[0]["article_title"] == "ရန်ကုန်"


def test_w3c_in_the_background_and_cancel(qtbot, window, tmp_path) -> None:
    archive = window.ctx.archive
    aid = add_report(archive)
    tag(archive, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
    out = tmp_path / "a.jsonld"
    with qtbot.waitSignal(window.exports.exported, timeout=20_000):
        window.exports.run_export("w3c", out, Selection(), {})
    assert json.loads(out.read_text("utf-8"))["total"] == 1
    gone = tmp_path / "cancelled.jsonld"
    job = window.exports.run_export("w3c", gone, Selection(), {})
    job.cancel()
    qtbot.waitUntil(lambda: job not in window.ctx.tasks.jobs, timeout=20_000)
    assert not gone.exists() or json.loads(gone.read_text("utf-8"))["total"] == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_save_original_as(qtbot, window, dialogs, tmp_path) -> None:
    archive = window.ctx.archive
    aid = add_report(archive, BURMESE)
    out = tmp_path / "original.txt"
    dialogs.answer("save", out)
    with qtbot.waitSignal(window.exports.originalSaved, timeout=20_000) as saved:
        window.exports.save_original(aid)
    assert out.read_bytes() == BURMESE.encode("utf-8") and saved.args[0].size == len(
        out.read_bytes()
    )
    window.ctx.current_article_id = None
    window.save_original_action.trigger()
    assert dialogs.of_kind("info")[-1][2] == "Open an article first."


def test_report_in_the_background(qtbot, window, tmp_path) -> None:
    archive = window.ctx.archive
    aid = add_report(archive, BURMESE)
    tag(archive, aid, "ဒေါ်ခင်ခင်", entity_name="ဒေါ်ခင်ခင်")
    out = tmp_path / "r.html"
    with qtbot.waitSignal(window.exports.exported, timeout=20_000) as exported:
        window.exports.run_export("report", out, Selection(), {})
    assert exported.args[0]["annotations"] == 1
    assert "<mark" in out.read_text("utf-8")


def test_qdpx_in_the_background(qtbot, window, tmp_path) -> None:
    import zipfile

    archive = window.ctx.archive
    aid = add_report(archive)
    tag(archive, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
    out = tmp_path / "p.qdpx"
    with qtbot.waitSignal(window.exports.exported, timeout=20_000) as exported:
        window.exports.run_export("qdpx", out, Selection(), {})
    assert exported.args[0]["selections"] == 1
    assert "project.qde" in zipfile.ZipFile(out).namelist()


def test_a_name_without_suffix_asks_before_replacing_the_file_it_becomes(
    qtbot, window, dialogs, tmp_path
) -> None:
    archive = window.ctx.archive
    add_report(archive)
    kept = tmp_path / "case.csv"
    kept.write_bytes(b"an earlier export")
    # The file dialog was told "case" (no such file, so it asked nothing); it becomes case.csv.
    dialogs.answer("save", tmp_path / "case")
    dialogs.answer("confirm", False)
    window.export_actions["csv"].trigger()
    window.exports.dialog._accept()
    assert dialogs.answers["confirm"] == []  # asked, answered No
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=20_000)
    assert kept.read_bytes() == b"an earlier export"
    dialogs.answer("save", tmp_path / "case")
    dialogs.answer("confirm", True)
    window.export_actions["csv"].trigger()
    with qtbot.waitSignal(window.exports.exported, timeout=20_000):
        window.exports.dialog._accept()
    assert kept.read_bytes() != b"an earlier export"
