"""Importing files and folders from the window (menus and drag and drop).

The import itself is `archive.ingest.import_paths`, run through the task
helper with progress and cancel, in a child process for a plain archive
(`archive.ingest.child`); at the end a summary lists what was
imported, what was already there and what failed, with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from archive.provenance import Provenance
from desktop import dialogs
from desktop import settings as st
from desktop.context import AppContext
from desktop.importing.options import ImportOptionsDialog
from desktop.importing.summary import ImportSummaryDialog, summary_tables
from desktop.tasks import Job

log = logging.getLogger(__name__)

# After an import, the search index catches up this much later (see `_ended`), and
# the views read the new articles this long after the summary was shown.
INDEX_AFTER_IMPORT_MS = 500
VIEWS_AFTER_SUMMARY_MS = 50

FILE_FILTERS = (
    "Articles (*.html *.htm *.txt *.md *.pdf *.docx *.eml *.mbox "
    "*.warc *.warc.gz *.wacz *.mhtml *.mht *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"
)


def _run_import(
    archive: Any,
    paths: list[Path],
    provenance: Provenance | None = None,
    ocr_languages: str = "",
    progress: Any = None,
    cancel: Any = None,
) -> dict[str, Any]:
    """The worker side (a pool thread): the import, reported as plain data.

    A plain archive's import runs in a child process (`archive.ingest.child`) and
    this thread only waits on its pipe, so the pipeline never competes with the
    window's thread for the interpreter (issue 8); the search index catches up here
    from what its batches committed. An encrypted archive's runs on this thread:
    its key never leaves the process.
    """
    from archive.ingest import child

    if not child.available(archive):
        summary = child.import_in_process(
            archive, paths, provenance, ocr_languages, progress, cancel
        )
    else:

        def catch_up() -> None:
            # As each batch did in-process: a cheap check, or children started for 2,000.
            try:
                archive.sync_index(force=False)
            except Exception as exc:  # the next search, catch-up or open redoes it
                log.warning("index catch-up during an import failed: %s", exc)

        summary = child.import_in_child(
            archive, paths, provenance, ocr_languages, progress, cancel, tick=catch_up
        )
    # The summary's rows, built here rather than on the window's thread.
    summary["tables"] = summary_tables(summary)
    return summary


class ImportController(QObject):
    """Starts imports and shows their summaries."""

    # The summary of each finished import (the to_json() dict, plus "cancelled").
    # Signal(object), not Signal(dict): PySide copies a dict through a QVariantMap,
    # 60 ms on the window's thread for a 5,000-file summary (measured; object: 0.07).
    importFinished = Signal(object)

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.prefs = st.Settings()
        self.summary: ImportSummaryDialog | None = None
        self.job: Job | None = None
        # Who collected what is imported next (File → Import options…).
        self.provenance = Provenance()
        self.options: ImportOptionsDialog | None = None

    def import_options(self) -> ImportOptionsDialog:
        """Show (non-modal) the provenance the next imports record."""
        if self.options is not None and shiboken6.isValid(self.options):
            self.options.raise_()
            return self.options
        self.options = ImportOptionsDialog(self.provenance, self.window)
        self.options.changed.connect(self._set_provenance)
        self.options.show()
        return self.options

    def _set_provenance(self, provenance: Provenance) -> None:
        self.provenance = provenance

    def _start_dir(self) -> str:
        return self.prefs.get(st.LAST_IMPORT_DIR) or str(Path.home())

    def import_files(self) -> None:
        """Ask for files, then import them."""
        paths = dialogs.open_files(
            self.window, self.tr("Import articles"), self._start_dir(), FILE_FILTERS
        )
        if paths:
            self.prefs.set(st.LAST_IMPORT_DIR, str(paths[0].parent))
            self.import_paths(paths)

    def import_folder(self) -> None:
        """Ask for a folder, then import everything in it (recursively)."""
        folder = dialogs.open_folder(self.window, self.tr("Import a folder"), self._start_dir())
        if folder is not None:
            self.prefs.set(st.LAST_IMPORT_DIR, str(folder))
            self.import_paths([folder])

    def import_paths(self, paths: Sequence[Path]) -> Job | None:
        """Import files and folders off the GUI thread; returns the job."""
        paths = [Path(p) for p in paths]
        if not paths:
            return None
        label = (
            self.tr("Importing %s") % paths[0].name
            if len(paths) == 1
            else self.tr("Importing %d items") % len(paths)
        )
        self.job = self.ctx.tasks.run(
            label,
            _run_import,
            self.ctx.archive,
            paths,
            self.provenance,
            self.prefs.get(st.OCR_LANGUAGES),
            ask_before_quit=True,
            on_result=self._finished,
            on_error=self._failed,
            on_cancelled=self._cancelled,
        )
        return self.job

    def _ended(self) -> None:
        """What every end of an import does: the search index catches up with the rest of
        its batches (a plain archive's import never touches it: `archive.ingest.child`),
        once the views have read the new articles (a search before then catches up
        itself).

        Measured (issue 8): as a 5,000-file import ended, the window's own work (the
        summary, the library's new rows) took 50 ms alone but stalled it 150-340 ms,
        waiting for the interpreter lock while the library's read and the index's
        catch-up ran Python beside it."""
        self.job = None
        self.ctx.writer.index.request_later(INDEX_AFTER_IMPORT_MS)

    def _finished(self, summary: dict[str, Any]) -> None:
        self._ended()
        self.show_summary(summary)
        if summary.get("imported"):
            # The views read the new articles once the summary is drawn, not beside it
            # (a later pass of the event loop: keys and paints go between).
            QTimer.singleShot(VIEWS_AFTER_SUMMARY_MS, self.ctx.articlesChanged.emit)
        self.importFinished.emit(summary)

    def _cancelled(self) -> None:
        # Import functions normally return a report marked cancelled; this is
        # for one that raised Cancelled instead: what it committed stays.
        self._ended()
        self.ctx.articlesChanged.emit()
        summary = {"imported": [], "duplicates": [], "failed": [], "cancelled": True}
        self.show_summary(summary)
        self.importFinished.emit(summary)

    def _failed(self, message: str, _details: str) -> None:
        self._ended()
        self.ctx.articlesChanged.emit()
        dialogs.error(self.window, self.tr("Import failed"), message)
        self.importFinished.emit(
            {"imported": [], "duplicates": [], "failed": [], "error": message, "cancelled": False}
        )

    def show_summary(self, summary: dict[str, Any]) -> ImportSummaryDialog:
        """Show (non-modal) what the import did."""
        if self.summary is not None:
            # The dialog deletes itself when closed: only close it while it lives.
            previous, self.summary = self.summary, None
            if shiboken6.isValid(previous):
                previous.close()
        self.summary = ImportSummaryDialog(summary, self.window)
        self.summary.openRequested.connect(lambda aid: self.ctx.open_article(aid, []))
        self.summary.show()
        return self.summary
