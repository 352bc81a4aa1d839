"""Start the desktop app: `python main.py [--archive DIR]`.

Sets up the QApplication (name, theme), opens the archive with messages a
person can act on when it is locked, too new or not an archive, and shows the
main window (with the first-run questions on a new machine).
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from archive.errors import ArchiveError, ArchiveLocked, ArchiveTooNew, NotAnArchive
from archive.paths import default_archive_dir
from archive.store import Archive

if TYPE_CHECKING:
    from desktop.context import AppContext
    from desktop.tasks import Job

APP_NAME = "Sesame"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    # prog from sys.argv[0]: main.py in a checkout, sesame-desktop when installed.
    parser = argparse.ArgumentParser(
        description="Sesame: an offline evidence archive (desktop app)."
    )
    parser.add_argument(
        "--archive",
        metavar="DIR",
        help="archive folder to open (default: $SESAME_ARCHIVE or your user data folder)",
    )
    parser.add_argument("--no-first-run", action="store_true", help="skip the first-run questions")
    # Qt's own options (-style, -platform, ...) pass through untouched.
    args, _qt_args = parser.parse_known_args(list(argv))
    return args


def make_application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication (created once), named so Qt finds our settings and icons."""
    app = QApplication.instance()
    if app is None:
        # Fewer collector passes: each full pass pauses every thread, the GUI too.
        gc.set_threshold(20_000, 20, 20)
        QCoreApplication.setOrganizationName(APP_NAME)
        QCoreApplication.setApplicationName(APP_NAME)
        app = QApplication([sys.argv[0] if sys.argv else "sesame", *argv])
        app.setApplicationDisplayName(APP_NAME)
        app.setDesktopFileName("sesame")
    assert isinstance(app, QApplication)
    return app


def open_error_text(path: Path, exc: ArchiveError) -> tuple[str, str]:
    """(title, message) to show when the archive at `path` cannot be opened."""
    if isinstance(exc, ArchiveLocked):
        title = "The archive is already open"
    elif isinstance(exc, ArchiveTooNew):
        title = "The archive needs a newer Sesame"
    elif isinstance(exc, NotAnArchive):
        title = "This folder is not a Sesame archive"
    else:
        title = "The archive cannot be opened"
    return title, f"{exc}\n\nArchive folder: {path}"


def open_archive(path: Path) -> Archive | None:
    """Open (creating if needed) the archive at `path` for writing; an encrypted one asks
    for its passphrase (None: the person cancelled)."""
    from desktop.encryption import open_archive as open_asking

    return open_asking(None, path, create=True)


def repair_index_in_background(ctx: AppContext) -> Job:
    """Bring the search index up to date with the archive, off the GUI thread.

    Done at start-up, so an index left behind by a crash, a copied archive or
    an older version is repaired at once rather than on the first search.
    """
    job: Job = ctx.tasks.run("Checking the search index", ctx.archive.sync_index, force=True)
    return job


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; returns the process exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = make_application([])

    from desktop import settings as st
    from desktop.theme import apply_theme, follow_system

    prefs = st.Settings()
    apply_theme(app, prefs.get(st.THEME))
    follow_system(app, lambda: prefs.get(st.THEME))

    path = Path(args.archive).expanduser() if args.archive else default_archive_dir()
    try:
        opened = open_archive(path)
        if opened is None:
            return 0  # the passphrase was not given: nothing opened
        archive = opened
    except ArchiveError as exc:
        title, message = open_error_text(path, exc)
        QMessageBox.critical(None, title, message)
        return 2
    except OSError as exc:
        QMessageBox.critical(
            None,
            "The archive cannot be opened",
            f"Sesame could not use the folder {path}: {exc.strerror or exc}.\n\n"
            "Check that the folder exists and that you may write to it, or start "
            "Sesame with --archive and another folder.",
        )
        return 2

    from desktop.archive_switch import ArchiveSwitcher

    # The switcher owns the window and its archive (File → Open archive… replaces both).
    switcher = ArchiveSwitcher(prefs)
    window = switcher.show(archive)
    if not args.no_first_run:
        from desktop.first_run import maybe_run_first_run

        maybe_run_first_run(window)
    try:
        return app.exec()
    finally:
        switcher.shutdown()
