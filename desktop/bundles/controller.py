"""Bundles from the window: export, verify and import `.sesame` files.

Export and verification run through the task helper (progress, cancel);
an import first verifies everything, shows the verdict and asks, and then
merges through the window's writer as one undoable change, after which a
report lists the conflicts, orphans and same-name entities to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop import dialogs
from desktop import settings as st
from desktop.bundles.dialogs import ExportDialog, ReportDialog, VerdictDialog
from desktop.context import AppContext

BUNDLE_FILTER = "Sesame bundles (*.sesame);;All files (*)"
SUFFIX = ".sesame"


def is_bundle(path: Path) -> bool:
    """Whether a dropped file is a bundle (by its name; its content is checked later)."""
    return path.suffix.lower() == SUFFIX


@dataclass
class Refusal:
    """A bundle that did not open: the verdict, and whether a passphrase might open it
    (not for one encrypted only for someone else's key: asking would mislead)."""

    verdict: Any
    passphrase_may_open: bool = False


def _open(
    path: Path,
    passphrase: str | None,
    archive: Any = None,
    progress: Any = None,
    cancel: Any = None,
) -> Any:
    """The worker side of verification: the verified bundle, or the `Refusal`.

    `archive`: where it may be imported; a new one gets its empty search index here,
    off the window's thread, so that the catch-up after the merge runs in child
    processes (`merge.prepare_index`)."""
    from archive import keys
    from archive.bundles.reader import (
        BundleForOtherKey,
        BundleLocked,
        BundleRefused,
        Verdict,
        open_bundle,
    )

    try:
        bundle = open_bundle(
            path,
            passphrase=passphrase,
            identity=keys.age_identity(),
            progress=progress,
            cancel=cancel,
        )
    except BundleRefused as exc:
        locked = isinstance(exc, BundleLocked)
        return Refusal(
            Verdict(ok=False, reason=str(exc), encrypted=locked),
            passphrase_may_open=locked and not isinstance(exc, BundleForOtherKey),
        )
    try:
        if archive is not None:
            from archive.bundles.merge import prepare_index

            prepare_index(archive)
        if cancel is not None:
            cancel.raise_if_cancelled()  # cancelled meanwhile: no verdict to show
    except BaseException:
        bundle.close()
        raise
    return bundle


# The bundle modules (and the cryptography they load) are imported on the worker
# threads: imported by the GUI thread, they stalled the window 0.8 s at the start of an
# export (bench/bundle_window_bench.py --debug, loaded machine).


def _export(*args: Any, **kwargs: Any) -> Any:
    from archive.bundles.writer import export_bundle

    return export_bundle(*args, **kwargs)


def _merge(ch: Any, bundle: Any) -> Any:
    from archive.bundles.merge import merge_bundle

    return merge_bundle(ch, bundle, release=True)


def _fill(dialog: Any, me: dict[str, str]) -> None:
    if shiboken6.isValid(dialog):  # closed (and deleted) before the keys were read
        dialog.show_identity(me)


def _open_conflicts(archive: Any) -> list[Any]:
    from archive.conflicts import open_conflicts

    return open_conflicts(archive)


def _give_back() -> None:
    from archive import memory

    memory.give_back()


class BundleController(QObject):
    """File → Export bundle…, Verify bundle…, Import bundle…, and dropped `.sesame` files."""

    # The report of each finished import (for tests and the status bar).
    imported = Signal(object)
    # The verdict of each verification.
    verified = Signal(object)
    exported = Signal(object)
    # A conflict's choice was asked for (its copy id): for tests.
    resolved = Signal(str)

    def __init__(
        self, ctx: AppContext, window: QWidget, library: Any = None, search: Any = None
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.library = library
        self.search = search  # the search panel: "the articles the current search finds"
        self.prefs = st.Settings()
        self.dialog: QWidget | None = None

    def _start_dir(self) -> str:
        return self.prefs.get(st.LAST_IMPORT_DIR) or str(Path.home())

    def _show(self, dialog: QWidget) -> None:
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        self.dialog = dialog
        dialog.show()

    # -- who you are ------------------------------------------------------------------

    def show_identity(self) -> Any:
        """Help → Your identity and contacts…: the dialog, its keys read in the background."""
        from desktop.bundles.identity import IdentityDialog, who_am_i

        dialog = IdentityDialog(self.window)
        self._show(dialog)
        return self.ctx.tasks.run(
            self.tr("Reading your keys"),
            who_am_i,
            with_progress=False,
            show=False,
            on_result=lambda me: _fill(dialog, me),
            on_error=lambda message, _d: dialogs.error(
                self.window, self.tr("Your keys cannot be read"), message
            ),
        )

    # -- export ---------------------------------------------------------------------

    def export_bundle(self) -> None:
        """Ask what to export and how to protect it, then where; export in the background."""
        collection = None
        selected: list[str] = []
        if self.library is not None:
            collection = self.library.collection_box.currentData()
            selected = self.library.selected_ids()
        name = self.library.collection_box.currentText() if collection else None
        query = self.search.query_edit.text().strip() if self.search is not None else ""
        dialog = ExportDialog(name, len(selected), self.window, query)
        dialog.chosen.connect(
            lambda choice: self._export_to({**choice, "query": query}, collection, selected)
        )
        self._show(dialog)

    def _export_to(
        self, choice: dict[str, Any], collection: str | None, selected: list[str]
    ) -> None:
        path = dialogs.save_file(
            self.window,
            self.tr("Export bundle"),
            str(Path(self._start_dir()) / "case.sesame"),
            BUNDLE_FILTER,
        )
        if path is None:
            return
        if path.suffix.lower() != SUFFIX:
            # The ending is added to the name typed ("case.v2" -> "case.v2.sesame": nothing
            # typed is dropped), and the file dialog asked before replacing that name, not
            # this one (as in desktop/exports/controller.py).
            path = path.with_name(path.name + SUFFIX)
            if path.exists() and not dialogs.confirm(
                self.window,
                self.tr("Replace file?"),
                self.tr("{0} already exists. Replace it?").format(path),
            ):
                return
        self.run_export(path, choice, collection, selected)

    def run_export(
        self, path: Path, choice: dict[str, Any], collection: str | None, selected: list[str]
    ) -> Any:
        """Export to `path` in the background (the job is returned)."""
        scope = choice["scope"]
        kwargs: dict[str, Any] = {
            "collection": collection if scope == "collection" else None,
            "article_ids": selected if scope == "selected" else None,
            "query": choice.get("query") if scope == "query" else None,
            "pseudonymise": tuple(choice.get("pseudonymise") or ()),
            "passphrase": choice.get("passphrase"),
            "recipients": [choice["recipient"]] if choice.get("recipient") else (),
            "without_sensitive": bool(choice.get("without_sensitive")),
        }

        def done(report: Any) -> None:
            lock = self.tr(", encrypted") if report.encrypted else ""
            self.window.statusBar().showMessage(  # type: ignore[attr-defined]
                self.tr("Bundle written: {0} ({1} article(s){2})").format(
                    report.path, report.counts["articles"], lock
                ),
                15000,
            )
            self.exported.emit(report)

        return self.ctx.tasks.run(
            self.tr("Exporting a bundle"),
            _export,
            self.ctx.archive,
            path,
            on_result=done,
            on_error=lambda message, _d: dialogs.error(
                self.window, self.tr("Bundle not written"), message
            ),
            **kwargs,
        )

    # -- verify and import -------------------------------------------------------------

    def verify_bundle(self) -> None:
        """Ask for a bundle and show the verdict (nothing is imported)."""
        path = self._ask_bundle(self.tr("Verify a bundle"))
        if path is not None:
            self.check(path, then_import=False)

    def import_bundle(self) -> None:
        """Ask for a bundle, verify it, show the verdict, and import if the person agrees."""
        path = self._ask_bundle(self.tr("Import a bundle"))
        if path is not None:
            self.check(path, then_import=True)

    def _ask_bundle(self, title: str) -> Path | None:
        paths = dialogs.open_files(self.window, title, self._start_dir(), BUNDLE_FILTER)
        return paths[0] if paths else None

    def check(self, path: Path, *, then_import: bool, passphrase: str | None = None) -> Any:
        """Verify `path` in the background; then the verdict (and the import, if asked)."""
        # An encrypted bundle is tried with the person's own key first; if that does not
        # open it, the passphrase is asked for (`_checked`).
        return self.ctx.tasks.run(
            self.tr("Verifying a bundle"),
            _open,
            path,
            passphrase,
            self.ctx.archive if then_import else None,
            on_result=lambda result: self._checked(path, result, then_import, passphrase),
            on_error=lambda message, _d: dialogs.error(
                self.window, self.tr("Bundle not read"), message
            ),
            on_cancelled=lambda: self._nothing(then_import, self.tr("verification cancelled")),
        )

    def _nothing(self, then_import: bool, why: str) -> None:
        """Say in the status bar that nothing was imported (or verified), and why."""
        text = (
            self.tr("Nothing was imported ({0}).")
            if then_import
            else self.tr("The bundle was not verified ({0}).")
        )
        self.window.statusBar().showMessage(text.format(why), 15000)  # type: ignore[attr-defined]

    def _checked(self, path: Path, result: Any, then_import: bool, passphrase: str | None) -> None:
        from archive.bundles.reader import Bundle

        verdict = result.verdict
        if isinstance(result, Refusal) and result.passphrase_may_open and passphrase is None:
            secret = dialogs.ask_secret(
                self.window,
                self.tr("Encrypted bundle"),
                self.tr("This bundle is encrypted. Its passphrase:"),
            )
            if secret:
                self.check(path, then_import=then_import, passphrase=secret)
            else:
                self._nothing(then_import, self.tr("no passphrase given"))
            return
        self.verified.emit(verdict)
        dialog = VerdictDialog(verdict, self.window)
        if then_import and isinstance(result, Bundle):
            dialog.importRequested.connect(lambda: self.merge(result))
        elif isinstance(result, Bundle):
            result.close()  # verified only: its file (or decrypted copy) is let go
        self._show(dialog)

    def merge(self, bundle: Any) -> None:
        """Merge a verified bundle as one undoable change (through the window's writer)."""

        def failed(message: str) -> None:
            bundle.close()
            dialogs.error(self.window, self.tr("Bundle not imported"), message)

        def merged(report: Any) -> None:
            bundle.close()
            # What the merge held is freed: given back to the system off this thread
            # while the index's child processes start (`archive.memory`).
            self.ctx.tasks.run(
                self.tr("Freeing memory"), _give_back, with_progress=False, show=False
            )
            self._merged(report)

        def cancelled() -> None:
            bundle.close()
            self._nothing(True, self.tr("cancelled; to import it, open the bundle again"))

        self.ctx.writer.change(
            f"Import bundle from {bundle.verdict.signer}",
            # `release`: the bundle's articles go once merged, before the change commits.
            lambda ch: _merge(ch, bundle),
            origin=f"bundle:{bundle.id}",
            on_done=merged,
            on_error=failed,
            # In the status bar with Cancel: a cancelled merge rolls back whole.
            long=True,
            on_cancelled=cancelled,
        )

    def _merged(self, report: Any) -> None:
        # The views were told by the writer, from the change set (`Writer.notify`): emitting
        # articlesChanged and entitiesChanged again here reloaded them a second time.
        copies = {c["incoming_copy"] for c in report.conflicts if c.get("incoming_copy")}
        if not copies:
            self._report(report, [])
            return
        # Both versions of each conflict, read off the window's thread, then the report.
        self.ctx.tasks.run(
            self.tr("Reading the conflicts"),
            _open_conflicts,
            self.ctx.archive,
            with_progress=False,
            show=False,
            on_result=lambda found: self._report(report, [c for c in found if c.id in copies]),
            on_error=lambda _m, _d: self._report(report, []),
        )

    def _report(self, report: Any, conflicts: list[Any]) -> None:
        dialog = ReportDialog(report, self.window, conflicts)
        self._resolving(dialog.conflicts)
        self._show(dialog)
        self.imported.emit(report)

    # -- conflicts --------------------------------------------------------------------

    def show_conflicts(self) -> Any:
        """File → Bundle conflicts…: every open conflict, with the choices."""

        def shown(found: list[Any]) -> None:
            from desktop.bundles.conflicts import ConflictsDialog

            dialog = ConflictsDialog(found, self.window)
            self._resolving(dialog.conflicts)
            self._show(dialog)

        return self.ctx.tasks.run(
            self.tr("Reading the conflicts"),
            _open_conflicts,
            self.ctx.archive,
            with_progress=False,
            show=False,
            on_result=shown,
            on_error=lambda message, _d: dialogs.error(
                self.window, self.tr("Conflicts not read"), message
            ),
        )

    def _resolving(self, widget: Any) -> None:
        """Each choice in `widget` is one undoable change through the window's writer."""

        def resolve(copy_id: str, choice: str) -> None:
            from desktop.bundles.conflicts import _resolve

            def done(_result: Any) -> None:
                if shiboken6.isValid(widget):
                    widget.resolved(copy_id, choice)

            def refused(message: str) -> None:
                if shiboken6.isValid(widget):
                    widget.refused(copy_id, message)

            self.ctx.writer.change(
                self.tr("Resolve a conflict: keep {0}").format(choice),
                lambda ch: _resolve(ch, copy_id, choice),
                on_done=done,
                on_error=refused,
            )
            self.resolved.emit(copy_id)

        widget.resolveRequested.connect(resolve)
