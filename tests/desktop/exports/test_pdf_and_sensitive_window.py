"""File → Export → PDF report and the "leave out what is flagged sensitive" box, in the window."""

from __future__ import annotations

import json

from archive import models
from tests.archive.bundles.conftest import add_report, tag


def test_pdf_from_the_menu_without_sensitive(qtbot, window, dialogs, tmp_path) -> None:
    archive = window.ctx.archive
    aid = add_report(archive)
    secret = tag(archive, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
    tag(archive, aid, "More than 250 nurses", "figure")
    with archive.change("flag") as ch:
        row = ch.session.get(models.Annotation, secret)
        assert row is not None
        row.sensitive = True
        ch.session.add(row)
    out = tmp_path / "report.pdf"
    dialogs.answer("save", out)
    window.export_actions["pdf"].trigger()
    dialog = window.exports.dialog
    assert dialog.windowTitle() == "Export PDF report"
    dialog.sensitive.setChecked(True)
    with qtbot.waitSignal(window.exports.exported, timeout=60_000) as exported:
        dialog._accept()
    result = exported.args[0]
    assert result["format"] == "pdf" and result["annotations"] == 1 and result["pages"] >= 2
    assert out.read_bytes().startswith(b"%PDF")


def test_w3c_dialog_checkbox_leaves_out_sensitive(qtbot, window, dialogs, tmp_path) -> None:
    archive = window.ctx.archive
    aid = add_report(archive)
    tag(archive, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
    with archive.change("flag") as ch:
        art = ch.session.get(models.Article, aid)
        assert art is not None
        art.sensitive = True
        ch.session.add(art)
    out = tmp_path / "a.jsonld"
    dialogs.answer("save", out)
    window.export_actions["w3c"].trigger()
    window.exports.dialog.sensitive.setChecked(True)
    with qtbot.waitSignal(window.exports.exported, timeout=20_000):
        window.exports.dialog._accept()
    assert json.loads(out.read_text("utf-8"))["total"] == 0
