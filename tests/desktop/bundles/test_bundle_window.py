"""Bundles in the real window: verdict before import, report after, undo, drop, export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from archive import annotate
from archive.bundles.reader import verify_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import add_report, tag


def _colleague_bundle(tmp_path: Path) -> Path:
    out = tmp_path / "colleague.sesame"
    with Archive.open(tmp_path / "other", create=True) as other:
        aid = add_report(other)
        tag(other, aid, "Daw Hnin Wai", entity_name="Hnin Wai", note="witness")
        export_bundle(other, out)
    return out


def test_import_shows_the_verdict_then_merges_as_one_undo_step(qtbot, window, tmp_path) -> None:
    path = _colleague_bundle(tmp_path)
    with qtbot.waitSignal(window.bundles.verified, timeout=20_000) as verified:
        window.bundles.check(path, then_import=True)
    assert verified.args[0].ok
    dialog = window.bundles.dialog
    assert dialog.objectName() == "bundleVerdict" and "every hash holds" in dialog.text.text()
    assert annotate.list_annotations(window.ctx.archive) == []  # nothing before agreeing
    with qtbot.waitSignal(window.bundles.imported, timeout=20_000) as imported:
        dialog.import_button.click()
    assert imported.args[0].added["annotations"] == 1
    assert window.bundles.dialog.objectName() == "bundleReport"
    assert [a.note for a in annotate.list_annotations(window.ctx.archive)] == ["witness"]
    assert window.undo_action.text().startswith("&Undo Import bundle from")
    window.undo_action.trigger()
    assert window.ctx.writer.wait()
    assert annotate.list_annotations(window.ctx.archive) == []


def test_a_damaged_bundle_is_refused_with_its_reason(qtbot, window, tmp_path) -> None:
    path = _colleague_bundle(tmp_path)
    bad = tmp_path / "bad.sesame"
    bad.write_bytes(path.read_bytes()[:-40])  # cut short on the way
    with qtbot.waitSignal(window.bundles.verified, timeout=20_000) as verified:
        window.bundles.check(bad, then_import=True)
    assert not verified.args[0].ok and "truncated" in verified.args[0].reason
    assert window.bundles.dialog.windowTitle() == "Bundle refused"
    assert not hasattr(window.bundles.dialog, "import_button")


def test_a_dropped_bundle_is_verified(qtbot, window, tmp_path) -> None:
    path = _colleague_bundle(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.bundles.verified, timeout=20_000) as verified:
        window.dropEvent(event)
    assert verified.args[0].ok


def test_export_with_a_passphrase(qtbot, window, tmp_path) -> None:
    add_report(window.ctx.archive)
    out = tmp_path / "mine.sesame"
    choice = {"scope": "archive", "passphrase": "long enough pass", "recipient": None}
    with qtbot.waitSignal(window.bundles.exported, timeout=20_000) as exported:
        window.bundles.run_export(out, choice, None, [])
    assert exported.args[0].encrypted and out.exists()
    assert not verify_bundle(out).ok
    assert verify_bundle(out, passphrase="long enough pass").ok


def test_a_name_without_the_ending_asks_before_replacing_the_file_it_becomes(
    qtbot, window, dialogs, tmp_path
) -> None:
    add_report(window.ctx.archive)
    kept = tmp_path / "case.v2.sesame"
    kept.write_bytes(b"an earlier bundle")
    # The file dialog was told "case.v2" (no such file, so it asked nothing); the ending is
    # added to it: case.v2.sesame, which exists.
    dialogs.answer("save", tmp_path / "case.v2")
    dialogs.answer("confirm", False)
    window.bundle_export_action.trigger()
    dialog = window.bundles.dialog
    assert dialog.objectName() == "exportBundleDialog"
    dialog.plain.setChecked(True)
    dialog._accept()
    assert dialogs.answers["confirm"] == []  # asked, answered No
    assert not window.ctx.tasks.busy and kept.read_bytes() == b"an earlier bundle"
    dialogs.answer("save", tmp_path / "case.v2")
    dialogs.answer("confirm", True)
    window.bundle_export_action.trigger()
    window.bundles.dialog.plain.setChecked(True)
    with qtbot.waitSignal(window.bundles.exported, timeout=20_000) as exported:
        window.bundles.dialog._accept()
    assert exported.args[0].path == str(kept) and verify_bundle(kept).ok
    # A name typed with its ending: the file dialog asked about that very file, once.
    dialogs.answer("save", kept)
    window.bundle_export_action.trigger()
    window.bundles.dialog.plain.setChecked(True)
    with qtbot.waitSignal(window.bundles.exported, timeout=20_000):
        window.bundles.dialog._accept()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sesame") == [kept.name]
