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
