"""The window and encrypted archives: New archive with "Encrypt this archive", the passphrase
asked on opening (again after a wrong one; Cancel opens nothing), Change passphrase…, Back up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import encryption
from archive.backup import restore_backup
from archive.store import Archive
from desktop import encryption as enc
from desktop.archive_switch import ArchiveSwitcher

GOOD = "a good long passphrase"


pytestmark = pytest.mark.usefixtures("fast_kdf")


@pytest.fixture
def switcher(qtbot, settings, tmp_path: Path) -> Iterator[ArchiveSwitcher]:  # type: ignore[no-untyped-def]
    switch = ArchiveSwitcher(settings)
    switch.show(Archive.open(tmp_path / "first", create=True))
    yield switch
    last = switch.window
    switch.shutdown()
    if last is not None:
        last.hide()
        last.deleteLater()
    qtbot.wait(1)


def _encrypted(tmp_path: Path, name: str = "secret") -> Path:
    folder = tmp_path / name
    Archive.open(folder, create=True, encrypt=True, passphrase=GOOD).close()
    encryption.forget_unlocked()
    return folder


def test_a_new_encrypted_archive(switcher: ArchiveSwitcher, dialogs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "case"
    dialogs.answer("folder", folder)
    dialogs.answer("new passphrase", GOOD)
    switcher.window.new_archive_action.trigger()
    window = switcher.window
    assert window.ctx.archive.path == folder.resolve() and window.ctx.archive.encrypted
    assert (folder / "keyfile.json").is_file()
    assert window.change_passphrase_action.isEnabled()
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Back up archive…" in texts and "Change &passphrase…" in texts


def test_opening_asks_again_after_a_wrong_passphrase(
    switcher: ArchiveSwitcher, dialogs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    folder = _encrypted(tmp_path)
    asked: list[bool] = []
    real = enc.ask_passphrase

    def recording(parent: Any, where: Path, *, wrong: bool) -> str | None:
        asked.append(wrong)
        return real(parent, where, wrong=wrong)

    monkeypatch.setattr(enc, "ask_passphrase", recording)
    dialogs.answer("folder", folder)
    dialogs.answer("secret", "not it")
    dialogs.answer("secret", GOOD)
    assert switcher.open_archive() is True
    assert asked == [False, True]
    assert switcher.window.ctx.archive.path == folder.resolve()


def test_cancel_opens_nothing(switcher: ArchiveSwitcher, dialogs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = switcher.window
    folder = _encrypted(tmp_path)
    dialogs.answer("folder", folder)
    dialogs.answer("secret", "wrong")
    dialogs.answer("secret", None)  # Cancel
    assert switcher.open_archive() is False
    assert switcher.window is first and first.ctx.archive.path == (tmp_path / "first").resolve()
    assert not dialogs.of_kind("error")
    Archive.open(folder, passphrase=GOOD).close()  # not left locked


def test_the_new_archive_dialog_wants_the_passphrase_twice(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = enc.NewArchiveDialog(None, str(tmp_path))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.folder.setText(str(tmp_path / "x"))
    assert ok.isEnabled() and dialog.choice().passphrase is None
    dialog.encrypt.setChecked(True)
    dialog.passphrase.setText(GOOD)
    dialog.again.setText(GOOD + "!")
    assert not ok.isEnabled() and "differ" in dialog.problem.text()
    dialog.passphrase.setText("short")
    dialog.again.setText("short")
    assert not ok.isEnabled()
    dialog.passphrase.setText(GOOD)
    dialog.again.setText(GOOD)
    assert ok.isEnabled() and dialog.choice().passphrase == GOOD


def _open_encrypted(switcher: ArchiveSwitcher, dialogs, folder: Path) -> Any:  # type: ignore[no-untyped-def]
    dialogs.answer("folder", folder)
    dialogs.answer("secret", GOOD)
    assert switcher.open_archive() is True
    return switcher.window


def test_change_passphrase(qtbot, switcher: ArchiveSwitcher, dialogs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _encrypted(tmp_path)
    window = _open_encrypted(switcher, dialogs, folder)
    new = "another long passphrase"
    for answer in (GOOD, new, new):
        dialogs.answer("secret", answer)
    window.change_passphrase_action.trigger()
    qtbot.waitUntil(lambda: not window.ctx.tasks.working, timeout=20000)
    assert not dialogs.of_kind("error")
    encryption.forget_unlocked()
    assert encryption.unlock(folder, new) == window.ctx.archive.data_key
    with pytest.raises(encryption.WrongPassphrase):
        encryption.unlock(folder, GOOD)
    for answer in ("not the current one", new, new):
        dialogs.answer("secret", answer)
    window.change_passphrase_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.of_kind("error")), timeout=20000)
    assert "Wrong passphrase" in dialogs.of_kind("error")[0][2]
    encryption.forget_unlocked()
    assert encryption.unlock(folder, new) == window.ctx.archive.data_key


def test_back_up_from_the_file_menu(
    qtbot, switcher: ArchiveSwitcher, dialogs, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = _encrypted(tmp_path)
    window = _open_encrypted(switcher, dialogs, folder)
    out = tmp_path / "secret.sesame-backup"
    dialogs.answer("save", out)
    window.backup_action.trigger()
    qtbot.waitUntil(out.exists, timeout=20000)
    qtbot.waitUntil(lambda: not window.ctx.tasks.working, timeout=20000)
    assert not dialogs.of_kind("error")
    encryption.forget_unlocked()
    restored = restore_backup(out, tmp_path / "restored", passphrase=GOOD)
    assert restored["encrypted"] is True
