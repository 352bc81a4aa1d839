"""The main window: wires the reader, library, search and panels together.

It holds no logic of its own beyond menus, toolbar, status bar, docks, drag
and drop, and remembering its layout; every view talks to the others through
the shared `AppContext`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QToolBar,
    QWidget,
)

from archive.library import article_text
from archive.store import Archive
from desktop import dialogs
from desktop import layout as window_layout
from desktop import settings as st
from desktop.bundles.controller import BundleController, is_bundle
from desktop.context import AppContext
from desktop.exports.controller import ExportController
from desktop.fonts import FontWarner
from desktop.importing.controller import ImportController
from desktop.library.panel import LibraryPanel
from desktop.resources import guide_path
from desktop.search.panel import SearchPanel
from desktop.tasks import TaskRunner, TaskStatusWidget
from desktop.theme import apply_theme

# Features of other issues: shown so people know they are coming, never clickable.
COMING_SOON: dict[str, str] = {}


def _rebuild_index(archive: Archive, progress: Any = None, cancel: Any = None) -> int:
    """The worker side of File → Rebuild search index (a pool thread)."""
    return archive.index.rebuild(progress=progress, cancel=cancel)


class MainWindow(QMainWindow):
    """The one window of the app."""

    # File → New archive…, Open archive…, Open recent (desktop.archive_switch answers).
    newArchiveRequested = Signal()
    openArchiveRequested = Signal()
    recentArchiveRequested = Signal(str)

    def __init__(self, ctx: AppContext, prefs: st.Settings) -> None:
        super().__init__()
        self.ctx = ctx
        self.prefs = prefs
        self.setObjectName("mainWindow")
        # Qt adds the application display name (" — Sesame") itself.
        self.setWindowTitle(ctx.archive.path.name)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.resize(window_layout.default_size(window_layout.available_geometry()))

        self.importer = ImportController(ctx, self)
        self.font_warner = FontWarner(self)
        self.reader = self._make_reader()
        self.setCentralWidget(self.reader)

        self.library = LibraryPanel(ctx)
        self.library_dock = self._dock("Library", "libraryDock", self.library)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.library_dock)
        self.search = SearchPanel(ctx)
        self.search_dock = self._dock("Search", "searchDock", self.search)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.search_dock)
        self.panel_docks = self._make_panel_docks()
        self.view_docks = self._make_view_docks()
        self.bundles = BundleController(ctx, self, self.library, self.search)
        self.exports = ExportController(ctx, self, self.library, self.search)

        self.task_status = TaskStatusWidget(ctx.tasks)
        self.archive_label = QLabel(self.tr("Archive: {0}").format(ctx.archive.path))
        self.archive_label.setObjectName("archiveLabel")
        self.archive_label.setToolTip(self.tr("The archive folder open in this window"))
        self.statusBar().addWidget(self.archive_label, 1)
        self.statusBar().addPermanentWidget(self.task_status)
        from desktop.fixity import FixityController

        self.fixity = FixityController(ctx, self)  # File → Check originals; when it last ran
        self.statusBar().addPermanentWidget(self.fixity.label)
        self.library.loaded.connect(
            lambda n: self.statusBar().showMessage(
                self.tr("%n article(s) in the archive", "", n), 4000
            )
        )

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self.search.hitsShown.connect(self.search_dock.raise_)
        ctx.articleShown.connect(self._article_shown)
        ctx.entityOpenRequested.connect(self.show_entity)
        self.restore_layout()
        self.library.reload()

    # -- building ------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(self.tr(title), self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        return dock

    def _make_reader(self) -> QWidget:
        from desktop.reader import ReaderPanel

        return ReaderPanel(self.ctx)

    def _make_panel_docks(self) -> list[QDockWidget]:
        from desktop.panels import create_docks

        docks = list(create_docks(self.ctx))
        for dock in docks:
            dock.setParent(self)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return docks

    def _make_view_docks(self) -> list[QDockWidget]:
        """Views that open from the View menu (hidden at first): timeline, relation graph."""
        from desktop.graph import create_dock as graph_dock
        from desktop.timeline import create_dock as timeline_dock

        docks = [timeline_dock(self.ctx), graph_dock(self.ctx)]
        for dock in docks:
            dock.setParent(self)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            dock.hide()
        return docks

    def _action(
        self,
        text: str,
        slot: object = None,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(self.tr(text), self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if slot is not None:
            action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self.new_archive_action = self._action(
            "&New archive…", self.newArchiveRequested.emit, "Ctrl+Shift+N"
        )
        self.new_archive_action.setToolTip(self.tr("Make a new archive in an empty folder"))
        self.open_archive_action = self._action("Open &archive…", self.openArchiveRequested.emit)
        self.open_archive_action.setToolTip(self.tr("Open another archive folder"))
        self.import_files_action = self._action(
            "&Import files…", self.importer.import_files, QKeySequence.StandardKey.Open
        )
        self.import_files_action.setToolTip(self.tr("Import articles (HTML, text, PDF, …)"))
        self.import_folder_action = self._action(
            "Import &folder…", self.importer.import_folder, "Ctrl+Shift+O"
        )
        self.import_options_action = self._action("Import &options…", self.importer.import_options)
        self.import_options_action.setToolTip(
            self.tr("Who collected the next imports, with which tool, from where")
        )
        self.bundle_import_action = self._action(
            "Import &bundle…", self.bundles.import_bundle, "Ctrl+Shift+I"
        )
        self.bundle_export_action = self._action(
            "&Export bundle…", self.bundles.export_bundle, "Ctrl+Shift+E"
        )
        self.bundle_verify_action = self._action("&Verify bundle…", self.bundles.verify_bundle)
        self.bundle_conflicts_action = self._action(
            "Bundle &conflicts…", self.bundles.show_conflicts
        )
        self.bundle_conflicts_action.setToolTip(
            self.tr("Passages edited on both sides: keep mine, theirs or both")
        )
        from desktop.importing.qdpx import QdpxImportController

        self.qdpx_import = QdpxImportController(self.ctx, self)
        self.qdpx_import_action = self._action("Import REFI-&QDA project…", self.qdpx_import.ask)
        self.qdpx_import_action.setToolTip(
            self.tr("A .qdpx project or .qdc codebook from NVivo, ATLAS.ti, MAXQDA, QualCoder")
        )
        self.export_actions = {
            fmt: self._action(text, lambda _=False, fmt=fmt: self.exports.export(fmt))
            for fmt, text in (
                ("w3c", "Export &W3C Web Annotations…"),
                ("csv", "Export &CSV…"),
                ("report", "Export HTML &report…"),
                ("pdf", "Export &PDF report…"),
                ("qdpx", "Export to REFI-&QDA (.qdpx)…"),
            )
        }
        self.save_original_action = self._action(
            "Save &original as…", lambda: self.exports.save_original()
        )
        self.save_original_action.setToolTip(
            self.tr("The exact file the article was imported from")
        )
        self.reindex_action = self._action("&Rebuild search index", self.rebuild_index)
        self.check_action = self._action("C&heck archive…", self.check_archive)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.undo_action = self.ctx.writer.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.ctx.writer.createRedoAction(self, self.tr("&Redo"))
        # Ctrl+Shift+Z and Ctrl+Y both redo everywhere; a key listed twice is
        # "ambiguous" to Qt and then does nothing, so each goes in once.
        redo_keys = [QKeySequence("Ctrl+Shift+Z")]
        for binding in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo):
            if binding not in redo_keys:
                redo_keys.append(binding)
        self.redo_action.setShortcuts(redo_keys)
        self.find_action = self._action(
            "&Search…", self.focus_search, QKeySequence.StandardKey.Find
        )
        self.library_action = self._action("Show &library", self.focus_library, "Ctrl+L")
        self.guide_action = self._action(
            "User &guide", self.open_guide, QKeySequence.StandardKey.HelpContents
        )
        self.about_action = self._action("&About Sesame", self.about)
        self.identity_action = self._action(
            "Your &identity and contacts…", self.bundles.show_identity
        )
        self.coming_soon: dict[str, QAction] = {}
        for key, text in COMING_SOON.items():
            action = QAction(self.tr(text) + " " + self.tr("(coming soon)"), self)
            action.setEnabled(False)
            action.setObjectName(key)
            self.coming_soon[key] = action
        for action in (self.find_action, self.library_action, self.import_files_action):
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.new_archive_action)
        file_menu.addAction(self.open_archive_action)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.set_recent_archives([])
        file_menu.addSeparator()
        file_menu.addAction(self.import_files_action)
        file_menu.addAction(self.import_folder_action)
        file_menu.addAction(self.import_options_action)
        file_menu.addAction(self.qdpx_import_action)
        file_menu.addSeparator()
        for action in (
            self.bundle_import_action,
            self.bundle_export_action,
            self.bundle_verify_action,
            self.bundle_conflicts_action,
        ):
            file_menu.addAction(action)
        export_menu = file_menu.addMenu(self.tr("&Export"))
        export_menu.addActions(list(self.export_actions.values()))
        export_menu.addActions(list(self.coming_soon.values()))
        file_menu.addAction(self.save_original_action)
        file_menu.addSeparator()
        file_menu.addAction(self.reindex_action)
        file_menu.addAction(self.check_action)
        file_menu.addAction(self.fixity.action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        self.tagging_actions = self._tagging_actions()
        if self.tagging_actions:
            tag_menu = bar.addMenu(self.tr("&Tag"))
            tag_menu.addActions(self.tagging_actions)

        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.library_action)
        view_menu.addSeparator()
        for dock in (self.library_dock, self.search_dock, *self.panel_docks):
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addActions([dock.toggleViewAction() for dock in self.view_docks])
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu(self.tr("&Theme"))
        group = QActionGroup(self)
        current = self.prefs.get(st.THEME)
        for key, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            action = theme_menu.addAction(self.tr(label))
            action.setCheckable(True)
            action.setChecked(key == current)
            action.triggered.connect(lambda _=False, k=key: self.set_theme(k))
            group.addAction(action)

        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.guide_action)
        help_menu.addAction(self.identity_action)
        help_menu.addAction(self.about_action)

    def set_recent_archives(self, paths: list[str]) -> None:
        """Fill File → Open recent (this window's own archive left out)."""
        self.recent_menu.clear()
        current = str(self.ctx.archive.path)
        for path in (p for p in paths if p != current):
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.recentArchiveRequested.emit(p))
        self.recent_menu.setEnabled(not self.recent_menu.isEmpty())

    def _tagging_actions(self) -> list[QAction]:
        from desktop.panels import tagging_actions

        return list(tagging_actions(self.ctx, self))

    def _make_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Main"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # The search box comes first: when the window is narrow, a toolbar hides
        # its last items behind "»", and Ctrl+F must always reach the box.
        toolbar.addWidget(self.search.query_edit_for_toolbar())
        toolbar.addSeparator()
        toolbar.addAction(self.import_files_action)
        toolbar.addAction(self.import_folder_action)
        toolbar.addSeparator()
        # Short labels here: the menu's "Undo Tag as Actor “U Kyaw Moe Tun”" would
        # push the search box off the toolbar; the full text is the tooltip.
        self.toolbar_undo = self._short_copy(self.undo_action, self.tr("Undo"))
        self.toolbar_redo = self._short_copy(self.redo_action, self.tr("Redo"), redo=True)
        toolbar.addAction(self.toolbar_undo)
        toolbar.addAction(self.toolbar_redo)
        if self.tagging_actions:
            toolbar.addSeparator()
            toolbar.addActions(self.tagging_actions)
        self.addToolBar(toolbar)

    def _short_copy(self, full: QAction, label: str, redo: bool = False) -> QAction:
        """A toolbar twin of undo/redo with a fixed label (and no shortcut of its own)."""
        stack = self.ctx.writer
        short = QAction(label, self)
        short.setEnabled(full.isEnabled())
        short.setToolTip(full.text().replace("&", ""))
        # Bound to `short`'s own slots, so the connections end with it.
        (stack.canRedoChanged if redo else stack.canUndoChanged).connect(short.setEnabled)
        (stack.redoTextChanged if redo else stack.undoTextChanged).connect(short.setToolTip)
        short.triggered.connect(stack.redo if redo else stack.undo)
        return short

    # -- actions -------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_dock.show()
        self.search_dock.raise_()
        self.search.focus_query()

    def focus_library(self) -> None:
        self.library_dock.show()
        self.library_dock.raise_()
        self.library.filter_edit.setFocus()

    def set_theme(self, key: str) -> None:
        self.prefs.set(st.THEME, key)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, key)

    def rebuild_index(self) -> None:
        """Build the search index again from the database, as `sesame reindex` does (off
        the GUI thread, with progress and cancel: a cancelled rebuild keeps the old
        index). Searches and tags go on meanwhile; the new index is swapped in whole."""
        self.ctx.tasks.run(
            self.tr("Rebuilding the search index"),
            _rebuild_index,
            self.ctx.archive,
            ask_before_quit=True,
            on_result=lambda count: self.statusBar().showMessage(
                (
                    self.tr("The search index was rebuilt: 1 article.")
                    if count == 1
                    else self.tr("The search index was rebuilt: %d articles.") % count
                ),
                10000,
            ),
            on_cancelled=lambda: self.statusBar().showMessage(
                self.tr("Rebuilding the search index was cancelled; the index is as it was."),
                10000,
            ),
            on_error=lambda msg, _d: dialogs.error(self, self.tr("Search index"), msg),
        )

    def check_archive(self) -> None:
        """`sesame check` off the GUI thread: custody, the search index, the case notes'
        broken links (a warning); its result in a dialog (desktop/archive_check.py)."""
        from desktop.archive_check import CheckResult, run_check

        archive = self.ctx.archive

        def shown(result: CheckResult) -> None:
            from archive import fixity
            from archive.models import utcnow

            title = self.tr("Check archive")
            ok, failures, at = result.ok, result.failures, utcnow().isoformat()
            # Its last result is kept and shown in the status bar beside the fixity run's.
            self.ctx.writer.change(
                "Custody check",
                lambda ch: fixity.record_custody(ch, ok, failures, at),
                origin="check",
                on_done=lambda _r: self.fixity.refresh(),
            )
            (dialogs.info if ok else dialogs.error)(self, title, result.text())

        self.ctx.tasks.run(
            self.tr("Checking the archive"),
            run_check,
            archive,
            with_progress=False,
            on_result=shown,
            on_error=lambda msg, _d: dialogs.error(self, self.tr("Check archive"), msg),
        )

    def open_guide(self) -> None:
        """The user guide, rendered in a window of its own (offline: local files only)."""
        from desktop.guide import show_guide

        if show_guide(self) is None:
            dialogs.info(
                self,
                self.tr("User guide"),
                self.tr("The user guide is missing; it should be the file {0}").format(
                    guide_path()
                ),
            )

    def about(self) -> None:
        from archive import __version__

        dialogs.info(
            self,
            self.tr("About Sesame"),
            self.tr(
                "Sesame %s — an offline evidence archive.\n\n"
                "Nothing you import, search or tag ever leaves this machine."
            )
            % __version__,
        )

    def show_entity(self, entity_id: str) -> None:
        """Raise the Entities panel with an entity current (the relation graph asks)."""
        from desktop.panels.entities import EntitiesPanel

        dock = self.findChild(QDockWidget, "entitiesDock")
        panel = dock.widget() if dock is not None else None
        if dock is None or not isinstance(panel, EntitiesPanel):
            return
        dock.show()
        dock.raise_()
        panel.filter_edit.clear()
        if panel.model.row_of(entity_id) is not None:
            panel.select_entity(entity_id)
            return

        def select_when_read() -> None:  # hidden by its type filter, or not read yet
            panel.loaded.disconnect(select_when_read)
            panel.select_entity(entity_id)

        panel.loaded.connect(select_when_read)
        panel.set_type_filter(None)

    def _article_shown(self, article_id: str) -> None:
        title = ""
        if article_id:
            row = self.library.model.library_row(article_id)
            title = row.title if row else ""
        self.setWindowTitle(
            f"{title} — {self.ctx.archive.path.name}" if title else self.ctx.archive.path.name
        )
        if article_id:
            # Read off the GUI thread: an article can be long.
            self.ctx.tasks.run(
                self.tr("Checking fonts"),
                article_text,
                self.ctx.archive,
                article_id,
                with_progress=False,
                show=False,
                on_result=self.font_warner.check,
            )

    # -- drag and drop -------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            for bundle in [p for p in paths if is_bundle(p)]:
                self.bundles.check(bundle, then_import=True)
            articles = [p for p in paths if not is_bundle(p)]
            if articles:
                self.importer.import_paths(articles)

    # -- layout and closing --------------------------------------------------

    def restore_layout(self) -> None:
        """Restore the saved size now, and the dock layout once the window shows."""
        geometry = self.prefs.get(st.WINDOW_GEOMETRY)
        self._first_start = not (
            isinstance(geometry, QByteArray)
            and not geometry.isEmpty()
            and self.restoreGeometry(geometry)
        )
        self._layout_pending = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._layout_pending:
            # Docks are tabified only once the window is shown: tabifying before
            # leaves a stray, stale tab bar drawn over the reader (Qt 6.11).
            self._layout_pending = False
            state = self.prefs.get(st.WINDOW_STATE)
            if not (
                isinstance(state, QByteArray) and not state.isEmpty() and self.restoreState(state)
            ):
                self.default_layout()
            # Stacked before tabbing, the docks made the window taller than a small
            # screen; and a saved size may be from a bigger one. Fit now, and again
            # once the tabbed docks' smaller minimum sizes are in.
            self._fit_after_layout()
            QTimer.singleShot(0, self, self._fit_after_layout)
            QTimer.singleShot(500, self, self._fit_once_framed)

    def _fit_after_layout(self) -> None:
        window_layout.fit_window(self, first_start=self._first_start)
        self._fit_floating_docks()  # a dock left floating on a bigger screen
        self._frame_margins = window_layout.frame_margins(self)

    def _fit_once_framed(self) -> None:
        # The window manager may add its title bar and borders only after the first
        # show; they count, so fit again if they appeared.
        if window_layout.frame_margins(self) != self._frame_margins:
            self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Bring the whole window inside its screen's available area (floating docks too)."""
        window_layout.fit_window(self)
        self._fit_floating_docks()

    def _fit_floating_docks(self) -> None:
        area = window_layout.available_geometry(self)
        for dock in self.findChildren(QDockWidget):
            if dock.isFloating() and dock.isVisible():
                window_layout.fit_window(dock, area)

    def default_layout(self) -> None:
        """First start: library and search on the left, panels on the right, tabbed."""
        self.tabifyDockWidget(self.library_dock, self.search_dock)
        self.library_dock.raise_()
        for other in self.panel_docks[1:]:
            self.tabifyDockWidget(self.panel_docks[0], other)
        if self.panel_docks:
            self.panel_docks[0].raise_()
        # The reader gets most of the width; the right-hand dock is wide enough
        # for its tab titles ("Annotations", "Entities", ...) to show whole.
        width = max(self.width(), 1000)
        docks = [self.library_dock]
        sizes = [int(width * 0.33)]
        if self.panel_docks:
            docks.append(self.panel_docks[0])
            sizes.append(max(int(width * 0.25), self._panel_tabs_width()))
        self.resizeDocks(docks, sizes, Qt.Orientation.Horizontal)

    def _panel_tabs_width(self) -> int:
        """The width the right-hand dock's tab titles need, side by side."""
        fm = self.fontMetrics()
        titles = [dock.windowTitle() for dock in self.panel_docks]
        # Per tab: the style's padding on both sides of the text.
        return sum(fm.horizontalAdvance(t) + 3 * fm.averageCharWidth() + 12 for t in titles) + 8

    def save_layout(self) -> None:
        self.prefs.set(st.WINDOW_GEOMETRY, self.saveGeometry())
        self.prefs.set(st.WINDOW_STATE, self.saveState())
        self.prefs.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.ctx.tasks.working and not dialogs.confirm(
            self,
            self.tr("Work in progress"),
            self.tr("A job is still running. Stop it and quit? What it finished is kept."),
        ):
            event.ignore()
            return
        self.save_layout()
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop background work before the archive closes."""
        self.ctx.tasks.close(60000)


def create_main_window(archive: Archive, prefs: st.Settings | None = None) -> MainWindow:
    """The main window on an open archive, with its context and task runner."""
    ctx = AppContext(archive)
    ctx.tasks = TaskRunner(ctx)
    return MainWindow(ctx, prefs or st.Settings())
