"""The window on encrypted bundles and a cancelled verification: what it says, what it asks."""

from __future__ import annotations

from pathlib import Path

from archive import annotate
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import add_report


def _export(tmp_path: Path, name: str, **kw) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    with Archive.open(tmp_path / f"other-{name}", create=True) as other:
        add_report(other)
        export_bundle(other, out, **kw)
    return out


def test_a_bundle_for_someone_elses_key_is_refused_without_asking(qtbot, window, tmp_path) -> None:
    from pyrage import x25519

    theirs = str(x25519.Identity.generate().to_public())
    path = _export(tmp_path, "k.sesame", recipients=[theirs])
    with qtbot.waitSignal(window.bundles.verified, timeout=20_000) as verified:
        window.bundles.check(path, then_import=True)  # a passphrase question would fail here
    assert not verified.args[0].ok and "someone else's key" in verified.args[0].reason
    assert window.bundles.dialog.windowTitle() == "Bundle refused"


def test_no_passphrase_given_says_nothing_was_imported(qtbot, window, tmp_path, dialogs) -> None:
    path = _export(tmp_path, "p.sesame", passphrase="a long passphrase")
    dialogs.answer("secret", None)  # Cancel at the prompt
    job = window.bundles.check(path, then_import=True)
    qtbot.waitUntil(lambda: job.finished, timeout=20_000)
    qtbot.waitUntil(lambda: "Nothing was imported" in window.statusBar().currentMessage())
    assert "no passphrase" in window.statusBar().currentMessage()
    assert annotate.list_annotations(window.ctx.archive) == []


def test_the_right_passphrase_opens_the_verdict(qtbot, window, tmp_path, dialogs) -> None:
    path = _export(tmp_path, "p.sesame", passphrase="a long passphrase")
    dialogs.answer("secret", "a long passphrase")
    with qtbot.waitSignal(window.bundles.verified, timeout=20_000) as verified:
        window.bundles.check(path, then_import=True)
    assert verified.args[0].ok


def test_a_cancelled_verification_shows_no_verdict(qtbot, window, tmp_path) -> None:
    path = _export(tmp_path, "c.sesame")
    seen: list[object] = []
    window.bundles.verified.connect(seen.append)
    job = window.bundles.check(path, then_import=True)
    job.token.cancel()
    qtbot.waitUntil(lambda: job.finished, timeout=20_000)
    qtbot.waitUntil(lambda: "verification cancelled" in window.statusBar().currentMessage())
    assert seen == [] and window.bundles.dialog is None


def _verified(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    from tests.desktop.bundles.test_bundle_window import _colleague_bundle

    path = _colleague_bundle(tmp_path)
    with qtbot.waitSignal(window.bundles.verified, timeout=20_000):
        window.bundles.check(path, then_import=True)
    return window.bundles.dialog


def test_a_cancelled_merge_leaves_nothing(qtbot, window, tmp_path) -> None:
    from tests.archive.test_changes import dump

    before = dump(window.ctx.archive)
    dialog = _verified(qtbot, window, tmp_path)
    dialog.import_button.click()
    job = window.ctx.writer.job
    assert job is not None and job.show  # in the status bar, with Cancel
    assert window.task_status.job is job
    job.token.cancel()
    assert window.ctx.writer.wait()
    qtbot.waitUntil(lambda: "Nothing was imported" in window.statusBar().currentMessage())
    assert dump(window.ctx.archive) == before
    assert not window.undo_action.text().startswith("&Undo Import bundle")


def test_the_undo_of_an_import_shows_and_can_be_cancelled(qtbot, window, tmp_path) -> None:
    from tests.archive.test_changes import dump

    dialog = _verified(qtbot, window, tmp_path)
    with qtbot.waitSignal(window.bundles.imported, timeout=20_000):
        dialog.import_button.click()
    assert window.ctx.writer.wait()
    after = dump(window.ctx.archive)
    window.undo_action.trigger()
    job = window.ctx.writer.job
    assert job is not None and job.show and job.label.startswith("Undo Import bundle from")
    job.token.cancel()
    assert window.ctx.writer.wait()
    assert dump(window.ctx.archive) == after
    assert window.undo_action.text().startswith("&Undo Import bundle from")
    window.undo_action.trigger()
    assert window.ctx.writer.wait()
    assert annotate.list_annotations(window.ctx.archive) == []
