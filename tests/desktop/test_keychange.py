"""File → Encrypt archive… and File → Re-key archive…: the window closes, the work runs with
progress and Cancel, and a window opens again on the encrypted (or re-keyed) archive, or on
the old one, unchanged, after a Cancel or a wrong passphrase."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import encryption
from archive.ingest import import_paths
from archive.store import Archive
from desktop.archive_switch import ArchiveSwitcher

GOOD = "a good long passphrase"
NEW = "another good passphrase"


pytestmark = pytest.mark.usefixtures("fast_kdf")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(5):
        (src / f"a{i}.txt").write_text(f"Report zq{i}word\n\nThe convoy zq{i}word.\n", "utf-8")
    path = tmp_path / "case"
    with Archive.open(path, create=True) as arch:
        import_paths(arch, [src])
    return path


@pytest.fixture
def switcher(qtbot, settings, folder: Path) -> Iterator[ArchiveSwitcher]:  # type: ignore[no-untyped-def]
    switch = ArchiveSwitcher(settings)
    switch.show(Archive.open(folder))
    yield switch
    runner = getattr(switch, "keychange_tasks", None)
    if runner is not None:
        runner.wait(60000)
    qtbot.wait(10)
    last = switch.window
    switch.shutdown()
    if last is not None:
        last.hide()
        last.deleteLater()
    qtbot.wait(1)


def _reopened(qtbot, switcher: ArchiveSwitcher, old) -> object:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: switcher.window is not None and switcher.window is not old, timeout=180000
    )
    return switcher.window


def test_encrypt_then_rekey_from_the_file_menu(
    qtbot, switcher: ArchiveSwitcher, dialogs, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from desktop import dialogs as d

    asked: list[str] = []
    scripted = d.confirm

    def confirm(parent, title: str, question: str) -> bool:  # type: ignore[no-untyped-def]
        asked.append(question)
        return scripted(parent, title, question)

    monkeypatch.setattr(d, "confirm", confirm)
    window = switcher.window
    assert window.encrypt_action.isEnabled() and not window.rekey_action.isEnabled()
    dialogs.answer("confirm", True)
    dialogs.answer("secret", GOOD)
    dialogs.answer("secret", GOOD)
    window.encrypt_action.trigger()
    shown = _reopened(qtbot, switcher, window)
    assert shown.ctx.archive.encrypted and shown.ctx.archive.path == folder.resolve()
    assert shown.rekey_action.isEnabled() and not shown.encrypt_action.isEnabled()
    assert "not erased" in asked[0] and "Backups made before stay plain" in asked[0]
    info = dialogs.of_kind("info")[-1]
    assert "The archive is encrypted" in info[2] and "not erased" in info[2]
    hits = shown.ctx.archive.index.search("zq3word", limit=5, facets=False).hits
    assert [h.title for h in hits] == ["Report zq3word"]
    for path in folder.rglob("*"):
        if path.is_file():
            assert b"zq3word" not in path.read_bytes(), path
    # Re-key, with a new passphrase.
    old_key = shown.ctx.archive.data_key
    dialogs.answer("secret", GOOD)  # the current one
    dialogs.answer("confirm", True)  # re-key
    dialogs.answer("confirm", True)  # a new passphrase too
    dialogs.answer("secret", NEW)
    dialogs.answer("secret", NEW)
    shown.rekey_action.trigger()
    again = _reopened(qtbot, switcher, shown)
    assert again.ctx.archive.encrypted and again.ctx.archive.data_key != old_key
    encryption.forget_unlocked()
    with pytest.raises(encryption.WrongPassphrase):
        encryption.unlock(folder, GOOD)
    assert encryption.unlock(folder, NEW) == again.ctx.archive.data_key


def test_a_wrong_current_passphrase_changes_nothing(
    qtbot, switcher: ArchiveSwitcher, dialogs, folder: Path
) -> None:  # type: ignore[no-untyped-def]
    window = switcher.window
    dialogs.answer("confirm", True)
    dialogs.answer("secret", GOOD)
    dialogs.answer("secret", GOOD)
    window.encrypt_action.trigger()
    shown = _reopened(qtbot, switcher, window)
    before = (folder / "keyfile.json").read_bytes()
    dialogs.answer("secret", "not the passphrase")
    shown.rekey_action.trigger()
    assert switcher.window is shown
    assert dialogs.of_kind("error")[-1][2].startswith("Wrong passphrase")
    assert (folder / "keyfile.json").read_bytes() == before


def test_cancel_leaves_the_plain_archive(
    qtbot, switcher: ArchiveSwitcher, dialogs, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from archive import keychange

    real = keychange._reseal_index

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        progress = switcher.keychange_progress  # type: ignore[attr-defined]
        progress.job.cancel()  # as the Cancel button does
        return real(*args, **kwargs)

    monkeypatch.setattr(keychange, "_reseal_index", slow)
    window = switcher.window
    dialogs.answer("confirm", True)
    dialogs.answer("secret", GOOD)
    dialogs.answer("secret", GOOD)
    window.encrypt_action.trigger()
    shown = _reopened(qtbot, switcher, window)
    assert not shown.ctx.archive.encrypted
    assert not (folder / "keyfile.json").exists() and not (folder / "keychange").exists()
    assert not dialogs.of_kind("error") and not dialogs.of_kind("info")  # cancelled, not failed
