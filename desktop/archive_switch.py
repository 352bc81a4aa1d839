"""Which archive the window shows: File → New archive…, Open archive…, Open recent.

One archive per investigation is how people work, so the app can move from
one archive folder to another without restarting. `ArchiveSwitcher` opens
the new archive first (so a folder that cannot be opened leaves the current
one as it was), then builds a main window on it in the place of the old one
(same size and layout, from the settings) and closes the old archive. The
folders opened last are kept in the settings for Open recent.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from archive.errors import ArchiveError
from archive.store import Archive
from desktop import dialogs
from desktop import encryption as enc
from desktop import keychange as keychange_ui
from desktop import settings as st
from desktop.app import open_error_text, repair_index_in_background
from desktop.main_window import MainWindow, create_main_window

MAX_RECENT = 8


def read_recent(prefs: st.Settings) -> list[str]:
    """The archive folders opened last, most recent first."""
    try:
        paths = json.loads(prefs.get(st.RECENT_ARCHIVES) or "[]")
    except ValueError:
        return []
    return [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []


def remember(prefs: st.Settings, path: Path) -> list[str]:
    """Put `path` first in the recent archives (once; at most MAX_RECENT kept)."""
    key = str(path.resolve())
    paths = [key, *(p for p in read_recent(prefs) if p != key)][:MAX_RECENT]
    prefs.set(st.RECENT_ARCHIVES, json.dumps(paths))
    return paths


def forget(prefs: st.Settings, path: str) -> list[str]:
    """Take `path` out of the recent archives (it could not be opened)."""
    paths = [p for p in read_recent(prefs) if p != path]
    prefs.set(st.RECENT_ARCHIVES, json.dumps(paths))
    return paths


class ArchiveSwitcher(QObject):
    """Owns the main window and its archive; replaces both when another archive is opened."""

    # The window now showing (a new one after each switch).
    windowChanged = Signal(object)

    def __init__(self, prefs: st.Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.window: MainWindow | None = None

    # -- the window ------------------------------------------------------------

    def show(self, archive: Archive) -> MainWindow:
        """Show a main window on `archive` (an open archive this switcher now owns)."""
        window = create_main_window(archive, self.prefs)
        window.newArchiveRequested.connect(self.new_archive)
        window.openArchiveRequested.connect(self.open_archive)
        window.recentArchiveRequested.connect(self.open_recent)
        enc.install_menu(window)  # File → Back up archive…, Change passphrase…
        keychange_ui.install_menu(window, self)  # File → Encrypt archive…, Re-key archive…
        window.set_recent_archives(remember(self.prefs, archive.path))
        self.prefs.sync()
        window.show()
        repair_index_in_background(window.ctx)
        self.window = window
        self.windowChanged.emit(window)
        return window

    def shutdown(self) -> None:
        """Stop the window's work and close its archive (the app is quitting)."""
        if self.window is not None:
            self.window.shutdown()
            self.window.ctx.archive.close(finish_index=False)  # the next open catches up
            self.window = None

    # -- the File menu -----------------------------------------------------------

    def new_archive(self) -> bool:
        """Ask for an empty folder (and whether to encrypt) and make a new archive there."""
        choice = enc.ask_new_archive(self.window, self._start_dir())
        return choice is not None and self.switch(
            choice.folder, create=True, new_passphrase=choice.passphrase
        )

    def open_archive(self) -> bool:
        """Ask for an archive folder and open it."""
        folder = dialogs.open_folder(self.window, self.tr("Open archive"), self._start_dir())
        return folder is not None and self.switch(folder, create=False)

    def open_recent(self, path: str) -> bool:
        """Open an archive of the Open recent menu (forgotten if it is gone)."""
        if self.switch(Path(path), create=False):
            return True
        if not (Path(path) / "archive.sqlite").exists() and self.window is not None:
            self.window.set_recent_archives(forget(self.prefs, path))
        return False

    def switch(self, folder: Path, *, create: bool, new_passphrase: str | None = None) -> bool:
        """Show the archive in `folder` instead of the current one; False if it cannot be
        (or the person cancelled its passphrase). `new_passphrase`: a new encrypted one."""
        old = self.window
        folder = folder.expanduser().resolve()
        if old is not None and folder == old.ctx.archive.path:
            old.statusBar().showMessage(self.tr("This archive is already open."), 4000)
            return False
        if (
            old is not None
            and old.ctx.tasks.working
            and not dialogs.confirm(
                old,
                self.tr("Work in progress"),
                self.tr(
                    "A job is still running. Stop it and open the other archive? "
                    "What it finished is kept."
                ),
            )
        ):
            return False
        try:
            opened = enc.open_archive(old, folder, create=create, new_passphrase=new_passphrase)
            if opened is None:
                return False
            archive = opened
        except ArchiveError as exc:
            title, message = open_error_text(folder, exc)
            dialogs.error(old, self.tr(title), message)
            return False
        except OSError as exc:
            dialogs.error(
                old,
                self.tr("The archive cannot be opened"),
                self.tr("Sesame could not use the folder {0}: {1}").format(
                    folder, exc.strerror or exc
                ),
            )
            return False
        if old is not None:
            old.save_layout()  # the new window takes the same place and layout
            old.shutdown()
        self.show(archive)
        if old is not None:
            old.hide()
            old.deleteLater()
            old.ctx.archive.close(finish_index=False)
        return True

    def _start_dir(self) -> str:
        if self.window is None:
            return str(Path.home())
        return str(self.window.ctx.archive.path.parent)
