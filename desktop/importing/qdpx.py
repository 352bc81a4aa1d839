"""File → Import REFI-QDA project…: a .qdpx or .qdc from another tool, and the report after it.

The file is read in the background (progress, cancel: `archive.ingest.qdpx`
refuses a malformed one with a message, never a traceback), then imported as
one core change through the window's writer (`archive.ingest.qdpx_import`:
one undo step). The report says what was added and lists what could not be
placed; it is a window of its own, not modal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout, QWidget

from desktop import dialogs
from desktop import settings as st
from desktop.context import AppContext

FILTER = "REFI-QDA projects and codebooks (*.qdpx *.qdc);;All files (*)"


def _read(path: Path, progress: Any = None, cancel: Any = None) -> Any:
    """The worker side: the project read (nothing written yet)."""
    from archive.ingest.qdpx import read_project

    if progress is not None:
        progress(0, None, "Reading the project")
    project = read_project(path)
    if cancel is not None:
        cancel.raise_if_cancelled()
    return project


class QdpxReportDialog(QDialog):
    """What an import did: its one line, then each thing that could not be placed."""

    def __init__(self, report: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qdpxReport")
        self.setWindowTitle(self.tr("REFI-QDA project imported"))
        layout = QVBoxLayout(self)
        summary = QLabel(report.line())
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(summary)
        self.items = QListWidget()
        for item in report.not_placed:
            self.items.addItem(
                self.tr("Not placed: {0} — {1}").format(item["what"], item["reason"])
            )
        if self.items.count():
            layout.addWidget(self.items)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class QdpxImportController(QObject):
    """Asks for a file, reads it in the background, imports it through the writer."""

    imported = Signal(object)  # the QdpxReport

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.prefs = st.Settings()
        self.dialog: QWidget | None = None

    def ask(self) -> None:
        """File → Import REFI-QDA project…."""
        start = self.prefs.get(st.LAST_IMPORT_DIR) or str(Path.home())
        paths = dialogs.open_files(
            self.window, self.tr("Import a REFI-QDA project"), start, self.tr(FILTER)
        )
        if paths:
            self.run(paths[0])

    def run(self, path: Path) -> Any:
        """Read `path` in the background, then import it (the reading job is returned)."""
        return self.ctx.tasks.run(
            self.tr("Reading a REFI-QDA project"),
            _read,
            path,
            on_result=lambda project: self._import(path, project),
            on_error=lambda message, _d: dialogs.error(
                self.window, self.tr("Project not imported"), message
            ),
            on_cancelled=lambda: self._status(self.tr("Import cancelled; nothing was changed.")),
        )

    def _import(self, path: Path, project: Any) -> None:
        from archive.ingest.qdpx_import import import_project

        self.ctx.writer.change(
            f"Import REFI-QDA project {project.name or path.name}"[:120],
            lambda ch: import_project(ch, project, str(path)),
            origin="qdpx",
            on_done=self._done,
            on_error=lambda message: dialogs.error(
                self.window, self.tr("Project not imported"), message
            ),
        )

    def _done(self, report: Any) -> None:
        self.ctx.articlesChanged.emit()
        self.ctx.entitiesChanged.emit()
        self._status(report.line())
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        self.dialog = QdpxReportDialog(report, self.window)
        self.dialog.show()
        self.imported.emit(report)

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)  # type: ignore[attr-defined]
