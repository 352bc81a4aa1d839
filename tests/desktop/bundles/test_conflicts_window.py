"""The import's report resolves conflicts: both versions shown, Keep mine / theirs / both."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtTest import QAbstractItemModelTester

from archive import annotate
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import add_report, tag


def _their_edit(window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """I tag and send; Hla edits my tag and sends back; I edit it too: (her bundle, my id)."""
    archive = window.ctx.archive
    aid = add_report(archive)
    mine = tag(archive, aid, "Daw Hnin Wai", entity_name="Hnin Wai", note="first")
    export_bundle(archive, tmp_path / "1.sesame")
    me = os.environ["SESAME_CONFIG_DIR"]
    monkeypatch.setenv("SESAME_CONFIG_DIR", str(tmp_path / "hla-config"))
    monkeypatch.setenv("SESAME_USER", "Hla")
    with Archive.open(tmp_path / "hla", create=True) as hla:
        import_bundle(hla, tmp_path / "1.sesame")
        annotate.update_annotation(hla, mine, note="Hla's reading")
        export_bundle(hla, tmp_path / "2.sesame")
    monkeypatch.setenv("SESAME_CONFIG_DIR", me)
    monkeypatch.delenv("SESAME_USER")
    annotate.update_annotation(archive, mine, note="my reading")
    return tmp_path / "2.sesame", mine


def _report(qtbot, window, path: Path):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.bundles.verified, timeout=20_000):
        window.bundles.check(path, then_import=True)
    with qtbot.waitSignal(window.bundles.imported, timeout=30_000):
        window.bundles.dialog.import_button.click()
    dialog = window.bundles.dialog
    assert dialog.objectName() == "bundleReport"
    return dialog


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
def test_the_report_shows_both_versions_and_resolves(
    qtbot, window, tmp_path, monkeypatch, choice
) -> None:
    path, mine = _their_edit(window, tmp_path, monkeypatch)
    dialog = _report(qtbot, window, path)
    widget = dialog.conflicts
    [copy] = list(widget.boxes)
    text = widget.boxes[copy].findChildren(type(widget.status[copy]))
    shown = " ".join(label.text() for label in text)
    assert "Hla's reading" in shown and "my reading" in shown and "Tagged by" in shown
    assert "Sent by Hla (fingerprint" in shown  # who sent their version (QA F6)
    assert dialog.items.count() == 0  # the conflict is not listed a second time
    with qtbot.waitSignal(window.bundles.resolved, timeout=5_000):
        widget.buttons[copy][choice].click()
    assert window.ctx.writer.wait()
    notes = {a.id: a.note for a in annotate.list_annotations(window.ctx.archive)}
    expected = {
        "mine": {mine: "my reading"},
        "theirs": {mine: "Hla's reading"},
        "both": {mine: "my reading", copy: "Hla's reading"},
    }[choice]
    assert notes == expected
    assert widget.status[copy].text().startswith("Kept")
    assert window.undo_action.text().startswith("&Undo Resolve a conflict")


def test_the_copy_is_marked_in_the_annotations_panel_and_listed_in_file_menu(
    qtbot, window, tmp_path, monkeypatch
) -> None:
    from desktop.panels.annotations import AnnotationsPanel

    path, _mine = _their_edit(window, tmp_path, monkeypatch)
    _report(qtbot, window, path)
    job = window.bundles.show_conflicts()
    qtbot.waitUntil(lambda: job.finished, timeout=10_000)
    dialog = window.bundles.dialog
    assert dialog.objectName() == "bundleConflictsDialog" and len(dialog.conflicts.boxes) == 1
    panel = window.findChild(AnnotationsPanel)
    aid = annotate.list_annotations(window.ctx.archive)[0].article_id
    window.ctx.open_article(aid)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10_000)
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    quotes = [panel.model.index(r, 1).data() for r in range(2)]
    assert sorted(quotes) == ["Daw Hnin Wai", "Daw Hnin Wai (theirs: conflict)"]
