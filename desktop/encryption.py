"""Encrypted archives and backups in the window: the New archive dialog's "Encrypt this
archive", the passphrase asked when an encrypted archive opens, File → Change
passphrase… and File → Back up archive….

The questions go through `ask_new_archive` and `desktop.dialogs.ask_secret`
(replaced by scripted answers in tests: no modal dialog may block). A wrong
passphrase says so and asks again; Cancel leaves the archive closed. The
key derivation (Argon2id, ~0.7 s) runs while the window shows a busy cursor
when opening, and on the task runner when changing the passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive import encryption
from archive.encryption import MIN_PASSPHRASE  # the one rule, the CLI's too
from archive.store import DB_NAME, Archive
from desktop import dialogs

if TYPE_CHECKING:
    from desktop.main_window import MainWindow


def tr(text: str) -> str:
    return QCoreApplication.translate("encryption", text)


@dataclass
class NewArchiveChoice:
    """The New archive dialog's answer: the folder, and the passphrase if encrypted."""

    folder: Path
    passphrase: str | None = None


class NewArchiveDialog(QDialog):
    """A folder for the new archive, and "Encrypt this archive" with a passphrase twice."""

    def __init__(self, parent: QWidget | None, start_dir: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("New archive"))
        self.folder = QLineEdit(self)
        self.folder.setPlaceholderText(tr("an empty or new folder"))
        browse = QPushButton(tr("Choose…"), self)
        browse.clicked.connect(lambda: self._browse(start_dir))
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.encrypt = QCheckBox(tr("Encrypt this archive"), self)
        self.encrypt.setToolTip(
            tr(
                "The database and the search index are encrypted on disk; the archive "
                "opens only with the passphrase. A forgotten passphrase cannot be recovered."
            )
        )
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit(self)
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Folder:"), row)
        form.addRow("", self.encrypt)
        form.addRow(tr("Passphrase:"), self.passphrase)
        form.addRow(tr("Passphrase again:"), self.again)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for widget in (self.folder, self.passphrase, self.again):
            widget.textChanged.connect(self._update)
        self.encrypt.toggled.connect(self._update)
        self._update()

    def _browse(self, start_dir: str) -> None:
        chosen = dialogs.open_folder(self, tr("New archive: choose an empty folder"), start_dir)
        if chosen is not None:
            self.folder.setText(str(chosen))

    def problem_text(self) -> str:
        """Why OK is not possible yet ("" when it is)."""
        if not self.folder.text().strip():
            return tr("Choose a folder for the archive.")
        if not self.encrypt.isChecked():
            return ""
        if len(self.passphrase.text()) < MIN_PASSPHRASE:
            return tr("The passphrase needs at least {0} characters.").format(MIN_PASSPHRASE)
        if self.passphrase.text() != self.again.text():
            return tr("The two passphrases differ.")
        return ""

    def _update(self) -> None:
        encrypted = self.encrypt.isChecked()
        self.passphrase.setEnabled(encrypted)
        self.again.setEnabled(encrypted)
        problem = self.problem_text()
        self.problem.setText(problem)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)

    def choice(self) -> NewArchiveChoice:
        return NewArchiveChoice(
            Path(self.folder.text().strip()).expanduser(),
            self.passphrase.text() if self.encrypt.isChecked() else None,
        )


def ask_new_archive(parent: QWidget | None, start_dir: str) -> NewArchiveChoice | None:
    """Show the New archive dialog (modal); None when cancelled."""
    dialog = NewArchiveDialog(parent, start_dir)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()
    finally:
        dialog.deleteLater()


def ask_passphrase(parent: QWidget | None, folder: Path, *, wrong: bool) -> str | None:
    """The passphrase of the encrypted archive in `folder` (None: cancelled)."""
    label = tr("Passphrase of the encrypted archive {0}:").format(folder.name)
    if wrong:
        label = tr("Wrong passphrase: it does not unlock this archive. Try again.") + "\n" + label
    return dialogs.ask_secret(parent, tr("Encrypted archive"), label)


def _busy() -> None:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)


def _idle() -> None:
    QGuiApplication.restoreOverrideCursor()


def open_archive(
    parent: QWidget | None, folder: Path, *, create: bool, new_passphrase: str | None = None
) -> Archive | None:
    """Open (or make) the archive in `folder`, asking for its passphrase if it is
    encrypted, again after a wrong one; None when the person cancels.

    `new_passphrase`: make a new encrypted archive under it. Other errors raise
    (`ArchiveError`, `OSError`) for the caller's message.
    """
    if new_passphrase is not None:
        _busy()
        try:
            return Archive.open(folder, create=True, encrypt=True, passphrase=new_passphrase)
        finally:
            _idle()
    if not (encryption.is_encrypted(folder) and (folder / DB_NAME).exists()):
        return Archive.open(folder, create=create)
    wrong = False
    while True:
        passphrase = ask_passphrase(parent, folder, wrong=wrong)
        if passphrase is None:
            return None
        _busy()
        try:
            return Archive.open(folder, create=create, passphrase=passphrase)
        except encryption.WrongPassphrase:
            wrong = True
        finally:
            _idle()


# -- File menu: Change passphrase…, Back up archive… ------------------------------------


def change_passphrase(window: MainWindow) -> None:
    """Ask the current passphrase, then the new one twice; re-wrap the key in the background."""
    archive = window.ctx.archive
    title = tr("Change passphrase")
    if archive.data_key is None:
        dialogs.info(window, title, tr("This archive is not encrypted: it has no passphrase."))
        return
    current = dialogs.ask_secret(window, title, tr("The current passphrase:"))
    if current is None:
        return
    new = dialogs.ask_secret(
        window, title, tr("The new passphrase (at least {0} characters):").format(MIN_PASSPHRASE)
    )
    if new is None:
        return
    if len(new) < MIN_PASSPHRASE:
        dialogs.error(window, title, tr("The new passphrase is too short; nothing was changed."))
        return
    if dialogs.ask_secret(window, title, tr("The new passphrase again:")) != new:
        dialogs.error(window, title, tr("The two new passphrases differ; nothing was changed."))
        return
    data_key = archive.data_key

    def rewrap() -> None:
        encryption.forget_unlocked()
        if encryption.unlock(archive.path, current) != data_key:
            raise encryption.WrongPassphrase("The key file changed since the archive opened.")
        encryption.change_passphrase(archive.path, data_key, new)

    def failed(message: str, _details: str) -> None:
        dialogs.error(window, title, message)

    window.ctx.tasks.run(
        tr("Changing the passphrase"),
        rewrap,
        with_progress=False,
        ask_before_quit=True,
        on_result=lambda _r: window.statusBar().showMessage(
            tr("The passphrase was changed; the old one no longer opens the archive."), 8000
        ),
        on_error=failed,
    )


def back_up(window: MainWindow) -> None:
    """Ask where, then write a backup (`archive.backup`) in the background with progress."""
    from archive.backup import SUFFIX, write_backup

    archive = window.ctx.archive
    title = tr("Back up archive")
    suggested = archive.path.parent / f"{archive.path.name}{SUFFIX}"
    out = dialogs.save_file(
        window, title, str(suggested), tr("Sesame backups (*{0})").format(SUFFIX)
    )
    if out is None:
        return
    if out.exists():
        dialogs.error(window, title, tr("{0} already exists; choose a new name.").format(out))
        return
    window.ctx.tasks.run(
        tr("Backing up the archive"),
        write_backup,
        archive,
        out,
        ask_before_quit=True,
        on_result=lambda info: window.statusBar().showMessage(
            tr("Backed up to {0}.").format(info.path), 8000
        ),
        on_error=lambda message, _d: dialogs.error(window, title, message),
    )


def add_to_file_menu(window: MainWindow, actions: list[QAction]) -> None:
    """Put `actions` in the File menu before its last separator (the one above Quit)."""
    file_menu = cast(QMenu, window.menuBar().actions()[0].menu())
    separators = [a for a in file_menu.actions() if a.isSeparator()]
    if separators:
        file_menu.insertActions(separators[-1], actions)
    else:
        file_menu.addActions(actions)


def install_menu(window: MainWindow) -> tuple[QAction, QAction]:
    """Add Back up archive… and Change passphrase… to the window's File menu, before
    its last separator (above Quit)."""
    backup = QAction(tr("&Back up archive…"), window)
    backup.setToolTip(tr("Write a consistent copy of this archive to one file"))
    backup.triggered.connect(lambda: back_up(window))
    passphrase = QAction(tr("Change &passphrase…"), window)
    passphrase.setEnabled(window.ctx.archive.encrypted)
    passphrase.triggered.connect(lambda: change_passphrase(window))
    add_to_file_menu(window, [backup, passphrase])
    window.backup_action = backup  # type: ignore[attr-defined]
    window.change_passphrase_action = passphrase  # type: ignore[attr-defined]
    return backup, passphrase
