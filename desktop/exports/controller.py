"""File → Export (W3C Web Annotation JSON-LD, CSV, HTML and PDF report, REFI-QDA) and
"Save original as…".

Each export asks what to export (`ExportOptionsDialog`), then where
(`desktop.dialogs.save_file`), and runs in the background through the task
helper, with progress and cancel. Saving an original writes the exact
bytes imported, checked against their SHA-256 first (`archive.exports.originals`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop import dialogs
from desktop import settings as st
from desktop.context import AppContext
from desktop.exports.dialog import ExportOptionsDialog

SUFFIX = {"w3c": ".jsonld", "csv": ".csv", "report": ".html", "pdf": ".pdf", "qdpx": ".qdpx"}
FILTER = {
    "w3c": "W3C Web Annotations (*.jsonld *.json);;All files (*)",
    "csv": "CSV (*.csv);;All files (*)",
    "report": "HTML (*.html *.htm);;All files (*)",
    "pdf": "PDF (*.pdf);;All files (*)",
    "qdpx": "REFI-QDA projects (*.qdpx);;All files (*)",
}
DEFAULT_NAME = {
    "w3c": "annotations.jsonld",
    "csv": "{kind}.csv",
    "report": "report.html",
    "pdf": "report.pdf",
    "qdpx": "project.qdpx",
}
LABELS = {
    "w3c": "W3C annotations",
    "csv": "CSV",
    "report": "an HTML report",
    "pdf": "a PDF report",
    "qdpx": "REFI-QDA",
}


def _export(fmt: str, archive: Any, path: Path, selection: Any, options: dict[str, Any],
            progress: Any = None, cancel: Any = None) -> Any:  # fmt: skip
    """The worker side: one export, its counts."""
    if fmt == "w3c":
        from archive.exports.w3c import export_w3c

        return export_w3c(archive, path, selection, progress=progress, cancel=cancel)
    if fmt == "qdpx":
        from archive.exports.qdpx import export_qdpx

        return export_qdpx(archive, path, selection, progress=progress, cancel=cancel)
    if fmt == "report":
        from archive.exports.report import export_report

        return export_report(archive, path, selection, progress=progress, cancel=cancel)
    if fmt == "pdf":
        from archive.exports.pdf import export_pdf

        return export_pdf(archive, path, selection, progress=progress, cancel=cancel)
    from archive.exports.csv_export import export_csv

    return export_csv(
        archive,
        path,
        selection,
        kind=options.get("kind") or "annotations",
        bom=bool(options.get("bom")),
        progress=progress,
        cancel=cancel,
    )


class ExportController(QObject):
    """The window's exports: File → Export → W3C / CSV / report, and Save original as…."""

    exported = Signal(object)  # the counts of each finished export
    originalSaved = Signal(object)  # the SavedOriginal of each saved file

    def __init__(
        self, ctx: AppContext, window: QWidget, library: Any = None, search: Any = None
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.library = library
        self.search = search
        self.prefs = st.Settings()
        self.dialog: QWidget | None = None

    def _start_dir(self) -> str:
        return self.prefs.get(st.LAST_IMPORT_DIR) or str(Path.home())

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)  # type: ignore[attr-defined]

    # -- exports ----------------------------------------------------------------------

    def export(self, fmt: str) -> ExportOptionsDialog:
        """Ask what to export (non-blocking), then where; then export in the background."""
        collection = selected = None
        ids: list[str] = []
        if self.library is not None:
            collection = self.library.collection_box.currentData()
            ids = self.library.selected_ids()
        name = self.library.collection_box.currentText() if collection else None
        query = self.search.query_edit.text().strip() if self.search is not None else ""
        selected = len(ids)
        dialog = ExportOptionsDialog(fmt, name, selected, query, self.window)
        dialog.chosen.connect(lambda choice: self._export_to(fmt, choice, collection, ids, query))
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        self.dialog = dialog
        dialog.show()
        return dialog

    def selection(
        self, choice: dict[str, Any], collection: str | None, ids: list[str], query: str
    ) -> Any:
        """The `Selection` the options name."""
        from archive.exports.selection import Selection

        scope = choice.get("scope")
        return Selection(
            collection=collection if scope == "collection" else None,
            article_ids=tuple(ids) if scope == "selected" else (),
            query=query if scope == "query" else None,
            pseudonymise=tuple(choice.get("pseudonymise") or ()),
            without_sensitive=bool(choice.get("without_sensitive")),
        )

    def _export_to(
        self, fmt: str, choice: dict[str, Any], collection: str | None, ids: list[str], query: str
    ) -> None:
        default = DEFAULT_NAME[fmt].format(kind=choice.get("kind") or "annotations")
        path = dialogs.save_file(
            self.window,
            self.tr("Export to file"),
            str(Path(self._start_dir()) / default),
            FILTER[fmt],
        )
        if path is None:
            return
        if not path.suffix:
            # The file dialog asked before replacing the name typed, not this one.
            path = path.with_suffix(SUFFIX[fmt])
            if path.exists() and not dialogs.confirm(
                self.window,
                self.tr("Replace file?"),
                self.tr("{0} already exists. Replace it?").format(path),
            ):
                return
        try:
            selection = self.selection(choice, collection, ids, query)
        except Exception as exc:  # InvalidInput: a contradictory choice
            dialogs.error(self.window, self.tr("Nothing exported"), str(exc))
            return
        self.run_export(fmt, path, selection, choice)

    def run_export(self, fmt: str, path: Path, selection: Any, options: dict[str, Any]) -> Any:
        """Export to `path` in the background (the job is returned)."""

        def done(result: dict[str, Any]) -> None:
            what = result.get("annotations", result.get("rows", result.get("selections", 0)))
            self._status(
                self.tr("Exported {0}: {1} ({2} articles)").format(
                    result["path"], what, result["articles"]
                )
            )
            self.exported.emit(result)

        return self.ctx.tasks.run(
            self.tr("Exporting {0}").format(LABELS[fmt]),
            _export,
            fmt,
            self.ctx.archive,
            path,
            selection,
            options,
            on_result=done,
            on_error=lambda message, _d: dialogs.error(
                self.window, self.tr("Nothing exported"), message
            ),
            on_cancelled=lambda: self._status(self.tr("Export cancelled; nothing was written.")),
        )

    # -- the original -------------------------------------------------------------------

    def save_original(self, article_id: str | None = None) -> Any:
        """Ask where, then write the exact file the article (default: the one read) came from."""
        from archive.exports.originals import original_name, save_original

        article_id = article_id or self.ctx.current_article_id
        if not article_id:
            dialogs.info(self.window, self.tr("Save original"), self.tr("Open an article first."))
            return None
        name = original_name(self.ctx.archive, article_id)
        if name is None:
            dialogs.info(
                self.window,
                self.tr("Save original"),
                self.tr("This article has no original file (it came as text, or in a bundle "
                        "that left it out)."),
            )  # fmt: skip
            return None
        path = dialogs.save_file(
            self.window,
            self.tr("Save original as"),
            str(Path(self._start_dir()) / Path(name).name),
            self.tr("All files (*)"),
        )
        if path is None:
            return None

        def done(saved: Any) -> None:
            self._status(
                self.tr("Original saved: {0} ({1} bytes, SHA-256 as recorded)").format(
                    saved.path, saved.size
                )
            )
            self.originalSaved.emit(saved)

        return self.ctx.tasks.run(
            self.tr("Saving an original"),
            save_original,
            self.ctx.archive,
            article_id,
            path,
            with_progress=False,
            on_result=done,
            on_error=lambda message, _d: dialogs.error(
                self.window, self.tr("Original not saved"), message
            ),
        )
