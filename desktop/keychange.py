"""File → Encrypt archive… and File → Re-key archive…: `archive.keychange` in the window.

The questions go through `desktop.dialogs` (scripted in tests). The work
replaces the archive's files, so nothing may use the archive meanwhile: the
window is closed first (its layout saved, its jobs stopped), and a small
progress window with Cancel follows the job, which runs on a `TaskRunner`
of the switcher's. Then a window opens again on the archive: the encrypted
(or re-keyed) one after a success, the old one, unchanged, after an error or
a Cancel. Before it starts and when it ends the person is told plainly that
the old files are deleted but not erased (an SSD may keep them) and that
earlier backups stay as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive import encryption, keychange
from archive.encryption import MIN_PASSPHRASE
from archive.errors import ArchiveError
from archive.store import Archive
from desktop import dialogs
from desktop.encryption import add_to_file_menu
from desktop.tasks import Job, TaskRunner

if TYPE_CHECKING:
    from desktop.archive_switch import ArchiveSwitcher
    from desktop.main_window import MainWindow


def tr(text: str) -> str:
    return QCoreApplication.translate("keychange", text)


ENCRYPT_TITLE = "Encrypt archive"
REKEY_TITLE = "Re-key archive"


def _leftovers(kind: str) -> str:
    if kind == "encrypt":
        return tr(
            "The old plain files are deleted, but not erased: on an SSD, a journaling "
            "file system or in a snapshot their bytes may survive (no secure erase is "
            "possible there; full-disk encryption covers them). Backups made before stay "
            "plain: delete them or keep them as safe as the archive."
        )
    return tr(
        "The old encrypted files are deleted, but not erased: on an SSD their bytes may "
        "survive, and they still open with the old key. Backups made before stay under "
        "the old key and passphrase."
    )


class KeyChangeProgress(QDialog):
    """The job's label, a progress bar and Cancel, while no archive window is open."""

    def __init__(self, title: str, job: Job) -> None:
        super().__init__(None)
        self.setWindowTitle(title)
        self.job = job
        self.label = QLabel(job.label, self)
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.cancel_button = QPushButton(tr("Cancel"), self)
        self.cancel_button.setToolTip(tr("Stop; the archive stays as it was"))
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.setMinimumWidth(420)
        job.progressed.connect(self._progress)

    def _progress(self, done: int, total: int | None, message: str) -> None:
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)
        if message:
            self.label.setText(message)

    def reject(self) -> None:
        """Cancel (or the window's close button): ask the job to stop; it closes this."""
        if not self.job.finished:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(tr("Cancelling…"))


def _busy(window: MainWindow, title: str) -> bool:
    if window.ctx.tasks.working or window.ctx.writer.busy:
        dialogs.error(
            window, title, tr("A job is still running. Wait until it ends, then try again.")
        )
        return True
    return False


def _new_passphrase(window: QWidget, title: str, label: str) -> str | None:
    new = dialogs.ask_secret(window, title, label.format(MIN_PASSPHRASE))
    if new is None:
        return None
    if len(new) < MIN_PASSPHRASE:
        dialogs.error(window, title, tr("The passphrase is too short; nothing was changed."))
        return None
    if dialogs.ask_secret(window, title, tr("The same passphrase again:")) != new:
        dialogs.error(window, title, tr("The two passphrases differ; nothing was changed."))
        return None
    return new


def encrypt(window: MainWindow, switcher: ArchiveSwitcher) -> None:
    """Ask for a passphrase (twice), then encrypt the window's plain archive."""
    title = tr(ENCRYPT_TITLE)
    if window.ctx.archive.encrypted:
        dialogs.info(window, title, tr("This archive is already encrypted."))
        return
    if _busy(window, title):
        return
    question = tr(
        "Encrypt this archive? Its database and search index are encrypted under a "
        "passphrase; it then opens only with it, and a forgotten passphrase cannot be "
        "recovered. The window closes while it works and opens again when it is done."
    )
    if not dialogs.confirm(window, title, question + "\n\n" + _leftovers("encrypt")):
        return
    passphrase = _new_passphrase(
        window, title, tr("The archive's passphrase (at least {0} characters):")
    )
    if passphrase is None:
        return
    _start(window, switcher, "encrypt", passphrase, None)


def rekey(window: MainWindow, switcher: ArchiveSwitcher) -> None:
    """Ask for the current passphrase (and perhaps a new one), then re-key the archive."""
    title = tr(REKEY_TITLE)
    archive = window.ctx.archive
    if archive.data_key is None:
        dialogs.info(window, title, tr("This archive is not encrypted: it has no key to replace."))
        return
    if _busy(window, title):
        return
    current = dialogs.ask_secret(window, title, tr("The current passphrase:"))
    if current is None:
        return
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        encryption.forget_unlocked()
        right = encryption.unlock(archive.path, current) == archive.data_key
    except encryption.WrongPassphrase:
        right = False
    except ArchiveError as exc:
        QGuiApplication.restoreOverrideCursor()
        dialogs.error(window, title, str(exc))
        return
    QGuiApplication.restoreOverrideCursor()
    if not right:
        dialogs.error(window, title, tr("Wrong passphrase; nothing was changed."))
        return
    question = tr(
        "Give this archive a new random key? Everything is encrypted again, so the old "
        "key file and its passphrase no longer open it. The window closes while it works."
    )
    if not dialogs.confirm(window, title, question + "\n\n" + _leftovers("rekey")):
        return
    new = None
    if dialogs.confirm(
        window,
        title,
        tr("Set a new passphrase too? (Do, if the passphrase may be known to someone.)"),
    ):
        new = _new_passphrase(window, title, tr("The new passphrase (at least {0} characters):"))
        if new is None:
            return
    _start(window, switcher, "rekey", current, new)


def _start(
    window: MainWindow,
    switcher: ArchiveSwitcher,
    kind: str,
    passphrase: str,
    new_passphrase: str | None,
) -> Job:
    """Close the window, run the key change with a progress window, open a window again."""
    title = tr(ENCRYPT_TITLE if kind == "encrypt" else REKEY_TITLE)
    archive = window.ctx.archive
    folder = archive.path
    was_encrypted = archive.encrypted
    window.save_layout()
    window.shutdown()
    window.hide()
    switcher.window = None
    runner = getattr(switcher, "keychange_tasks", None)
    if runner is None:
        runner = TaskRunner(switcher)
        switcher.keychange_tasks = runner  # type: ignore[attr-defined]
    if kind == "encrypt":
        job = runner.run(
            tr("Encrypting the archive"), keychange.encrypt_archive, archive, passphrase
        )
    else:
        job = runner.run(
            tr("Re-keying the archive"),
            keychange.rekey_archive,
            archive,
            passphrase,
            new_passphrase=new_passphrase,
        )
    job.ask_before_quit = True
    progress = KeyChangeProgress(title, job)
    switcher.keychange_progress = progress  # type: ignore[attr-defined]

    def reopen(passphrase_now: str | None) -> MainWindow | None:
        progress.hide()
        progress.deleteLater()
        window.deleteLater()
        archive.close()  # already closed by the key change, unless it failed before
        try:
            opened = Archive.open(folder, passphrase=passphrase_now)
        except ArchiveError as exc:
            dialogs.error(None, title, tr("The archive could not be opened again: {0}").format(exc))
            QCoreApplication.quit()
            return None
        return switcher.show(opened)

    def done(rep: Any) -> None:
        shown = reopen(new_passphrase or passphrase)
        if shown is not None:
            shown.statusBar().showMessage(
                tr("Encrypted.") if kind == "encrypt" else tr("Re-keyed."), 8000
            )
            dialogs.info(shown, title, _done_text(kind, rep) + "\n\n" + _leftovers(kind))

    def failed(message: str, _details: str) -> None:
        shown = reopen(passphrase if was_encrypted else None)
        dialogs.error(shown, title, message)

    def cancelled() -> None:
        shown = reopen(passphrase if was_encrypted else None)
        if shown is not None:
            shown.statusBar().showMessage(tr("Cancelled; the archive is as it was."), 8000)

    job.succeeded.connect(done)
    job.failed.connect(failed)
    job.cancelled.connect(cancelled)
    progress.show()
    return job


def _done_text(kind: str, rep: keychange.KeyChangeReport) -> str:
    what = tr("The archive is encrypted") if kind == "encrypt" else tr("The archive has a new key")
    text = tr(
        "{0}: {1} rows and {2} original(s) checked, {3} index file(s) sealed, before the "
        "swap ({4:.1f} s)."
    ).format(what, sum(rep.tables.values()), rep.originals, rep.index_files, rep.seconds)
    if kind == "rekey" and not rep.passphrase_changed:
        text += " " + tr("The passphrase is unchanged.")
    return text


def install_menu(window: MainWindow, switcher: ArchiveSwitcher) -> tuple[QAction, QAction]:
    """Add Encrypt archive… and Re-key archive… to the File menu, before its last separator."""
    encrypted = window.ctx.archive.encrypted
    enc = QAction(tr("E&ncrypt archive…"), window)
    enc.setToolTip(tr("Encrypt this plain archive in place under a passphrase"))
    enc.setEnabled(not encrypted)
    enc.triggered.connect(lambda: encrypt(window, switcher))
    key = QAction(tr("Re-&key archive…"), window)
    key.setToolTip(tr("A new random key for this encrypted archive, everything re-encrypted"))
    key.setEnabled(encrypted)
    key.triggered.connect(lambda: rekey(window, switcher))
    add_to_file_menu(window, [enc, key])
    window.encrypt_action = enc  # type: ignore[attr-defined]
    window.rekey_action = key  # type: ignore[attr-defined]
    return enc, key
