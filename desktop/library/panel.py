"""The library: a filterable, sortable table of every article, and collections."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive import collections as coll
from archive import models
from archive.errors import InvalidInput
from archive.library import COLUMNS, LibraryFilter, library_rows, review_terms
from desktop import dialogs
from desktop.context import AppContext
from desktop.library import collections_ui, copies_ui
from desktop.library.model import LibraryModel, load_view
from desktop.widgets import run_read, selecting_click

if TYPE_CHECKING:
    from desktop.delta import ViewDelta

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# The date filters' tooltips: the format, and what to do about a wrong date.
DATE_HINT = "Published on or after / before: YYYY, YYYY-MM or YYYY-MM-DD"
DATE_FIX = "Write a date as YYYY, YYYY-MM or YYYY-MM-DD"
FILTER_HINT = (
    "Words of the title, source or language; and status:reviewed, assignee:NAME, "
    "verification:disputed, flag:sensitive or -flag:sensitive; copies:GROUP for one group of "
    "copies of one story"
)


class LibraryPanel(QWidget):
    """Filter bar, article table and collection actions."""

    # Emitted after every load of the rows, all of them or those a write changed (tests and
    # the status bar wait on it).
    loaded = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("libraryPanel")
        self.model = LibraryModel(self)
        self._loading = False
        self._reload_again = False
        # Rows read after a write while a full load was running (see _delta).
        self._after_load: list[tuple[list[Any], list[str]]] = []

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(
            self.tr("Filter by title, source, language, status:, flag:sensitive")
        )
        self.filter_edit.setToolTip(self.tr(FILTER_HINT))
        self.status_box = QComboBox()
        self.status_box.setObjectName("libraryStatusBox")
        self.status_box.setToolTip(self.tr("Show only articles with this review status"))
        self.status_box.addItem(self.tr("Any status"), "")
        for status in models.REVIEW_STATUSES:
            self.status_box.addItem(status.replace("_", " ").capitalize(), status)
        self.status_box.addItem(self.tr("Sensitive"), "flag:sensitive")
        self.filter_edit.setClearButtonEnabled(True)
        self.collection_box = QComboBox()
        self.collection_box.setToolTip(self.tr("Show one collection only"))
        self.tag_box = QComboBox()
        self.tag_box.setToolTip(self.tr("Show only articles with this kind of tag"))
        # Short placeholders fit a narrow dock; the format is in the tooltip.
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText(self.tr("from date"))
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText(self.tr("to date"))
        for edit in (self.date_from, self.date_to):
            edit.setMinimumWidth(90)
            edit.setClearButtonEnabled(True)
            edit.setToolTip(self.tr(DATE_HINT))
        self.collection_button = QToolButton()
        self.collection_button.setText(self.tr("Collections"))
        self.collection_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.collection_menu = QMenu(self)
        self.collection_menu.aboutToShow.connect(self._fill_collection_menu)
        self.collection_button.setMenu(self.collection_menu)

        self.table = QTableView()
        self.table.setObjectName("libraryTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures 100,000 rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(36)
        # Widths from the font, not measured over the rows (there may be 100,000):
        # the short columns just fit, so the title gets the rest of the dock.
        fm = self.table.fontMetrics()
        pad = fm.averageCharWidth() + 6
        header.resizeSection(1, fm.horizontalAdvance("Coastal Her") + pad)
        header.resizeSection(2, fm.horizontalAdvance("2024-03-04") + pad)
        header.resizeSection(3, fm.horizontalAdvance("Lang") + pad)
        header.resizeSection(4, fm.horizontalAdvance("Tags") + pad)
        header.resizeSection(
            COLUMNS.index("review_status"), fm.horizontalAdvance("In review") + pad
        )
        header.resizeSection(COLUMNS.index("assignee"), fm.horizontalAdvance("Assignee") + pad)
        header.resizeSection(COLUMNS.index("copies"), fm.horizontalAdvance("Copies") + pad)
        self.table.sortByColumn(COLUMNS.index("published"), Qt.SortOrder.DescendingOrder)
        # The review and copies columns show once the archive uses them (an archive
        # nobody reviews keeps the title its width); the header's menu shows or
        # hides any of them, and the person's choice then holds.
        self._chosen_columns: dict[int, bool] = {}
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self._show_optional_columns()
        self.model.dataChanged.connect(
            lambda first, last, *_: self._show_optional_columns(
                [self.model.rows()[i] for i in self.model.view_slice(first.row(), last.row())]
            )
        )
        # One click opens the article (as in a mail client); Ctrl or Shift clicks only
        # select, for the bulk actions. Enter and double-click open it too.
        self.table.clicked.connect(self._clicked)
        self.table.activated.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.count_label = QLabel()

        # Two rows: the dock is narrow next to the reader. The combos shrink to a
        # few letters (their full text in the popup) so that the window fits at
        # 1280 pixels with the reader at its width (tests/desktop/test_layout.py).
        for box in (self.collection_box, self.tag_box, self.status_box):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(5)
        first = QHBoxLayout()
        first.addWidget(self.filter_edit, 2)
        first.addWidget(self.status_box, 1)
        first.addWidget(self.collection_button)
        second = QHBoxLayout()
        second.addWidget(self.collection_box, 2)
        second.addWidget(self.tag_box, 1)
        second.addWidget(self.date_from, 1)
        second.addWidget(self.date_to, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        # Typing filters after a short pause, so each key does not refilter 100k rows.
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.date_from.textChanged.connect(self._filter_timer.start)
        self.date_to.textChanged.connect(self._filter_timer.start)
        self.collection_box.currentIndexChanged.connect(self.apply_filter)
        self.tag_box.currentIndexChanged.connect(self.apply_filter)
        self.status_box.currentIndexChanged.connect(self.apply_filter)

        # Keyboard first: Down from the filter moves into the table.
        to_table = QAction(self)
        to_table.setShortcut(QKeySequence(Qt.Key.Key_Down))
        to_table.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        to_table.triggered.connect(self.focus_table)
        self.filter_edit.addAction(to_table)

        ctx.articlesChanged.connect(self.reload)
        ctx.annotationsChanged.connect(self.refresh_article)
        ctx.changed.connect(self._delta)
        self._fill_tag_box()
        self._fill_collection_box()

    # -- loading -------------------------------------------------------------

    def reload(self) -> None:
        """Read every row again, off the GUI thread."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self._load_spec = self.model.view_spec()
        self.count_label.setText(self.tr("Loading the library…"))
        self.ctx.tasks.run(
            self.tr("Loading the library"),
            load_view,
            self.ctx.archive,
            *self.model.view_spec(),
            on_result=self._loaded,
            on_error=self._load_failed,
            on_cancelled=self._load_failed,
        )

    def _show_optional_columns(self, changed: list[Any] | None = None) -> None:
        """Show each optional column the rows use (unless the person chose otherwise).

        After a write only the rows it `changed` are looked at, and a column is only
        shown, never hidden (the next full load hides an unused one): no scan of every
        row for a tag."""
        rows = self.model.rows() if changed is None else changed
        used = {
            "review_status": any(r.review_status != "unread" for r in rows),
            "assignee": any(r.assignee for r in rows),
            "copies": any(r.copies > 1 for r in rows),
        }
        for name, in_use in used.items():
            column = COLUMNS.index(name)
            if changed is not None and not in_use:
                continue
            self.table.setColumnHidden(column, not self._chosen_columns.get(column, in_use))

    def _column_menu(self, pos: Any) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column in range(1, len(COLUMNS)):
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            action = menu.addAction(str(title))
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.toggled.connect(lambda on, c=column: self._choose_column(c, on))
        menu.popup(header.mapToGlobal(pos))

    def _choose_column(self, column: int, shown: bool) -> None:
        self._chosen_columns[column] = shown
        self.table.setColumnHidden(column, not shown)

    def _loaded(self, loaded: Any) -> None:
        self._loading = False
        rows, view = loaded
        # The filter or sort may have changed while loading: then order here.
        spec_now = self.model.view_spec()
        self.model.set_rows(rows, view if spec_now == self._load_spec else None)
        for newer, gone in self._after_load:
            self.model.apply_rows(newer, gone)
        self._after_load.clear()
        self._fill_collection_box()
        self._update_count()
        self._show_optional_columns()
        self.loaded.emit(self.model.total)
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _load_failed(self, *args: Any) -> None:
        self._loading = False
        self.count_label.setText(self.tr("The library could not be read: %s") % (args[:1] or ""))

    def refresh_article(self, article_id: str) -> None:
        """One article's annotations changed: refresh its row (off the GUI thread)."""
        if article_id:
            self._read_rows({article_id}, collections=False, tag_types=False)

    def _delta(self, delta: ViewDelta) -> None:
        """The window's writes: read again only the rows they may have changed (an
        annotation added or removed, an article edited or retracted, a collection's
        members), off the GUI thread; a relink or a note changes no row."""
        ids = delta.library_articles()
        # A copy split or joined changes the Copies count of the whole group.
        groups = delta.copy_groups
        if groups:
            ids |= {row.id for row in self.model.rows() if row.copy_group in groups}
        if ids or delta.collections_changed or delta.tagtypes_changed:
            self._read_rows(
                ids, collections=delta.collections_changed, tag_types=delta.tagtypes_changed
            )

    def _read_rows(self, ids: set[str], *, collections: bool, tag_types: bool) -> None:
        archive, wanted = self.ctx.archive, sorted(ids)

        def read() -> tuple[list[Any], list[tuple[str, str]] | None, list[Any] | None]:
            from archive.tagtypes import list_tag_types

            return (
                library_rows(archive, wanted) if wanted else [],
                collections_ui.collection_names(archive) if collections else None,
                list_tag_types(archive) if tag_types else None,
            )

        def show(found: tuple[list[Any], list[tuple[str, str]] | None, list[Any] | None]) -> None:
            rows, names, types = found
            returned = {r.id for r in rows}
            gone = [i for i in wanted if i not in returned]
            if self._loading:  # a full load (maybe older) is on its way: these go on top
                self._after_load.append((rows, gone))
            else:
                self.model.apply_rows(rows, gone)
            if names is not None:
                self._fill_collection_box(names)
            if types is not None:
                self._fill_tag_box(types)
            self._update_count()
            self._show_optional_columns(rows)
            self.loaded.emit(self.model.total)

        run_read(
            self.ctx,
            self,
            self.tr("Reading the library"),
            read,
            on_result=show,
            on_error=lambda message: self.count_label.setText(message),
            now=self.ctx.writer.inline,
        )

    # -- filtering -----------------------------------------------------------

    def _fill_tag_box(self, types: list[Any] | None = None) -> None:
        current = self.tag_box.currentData()
        self.tag_box.blockSignals(True)
        self.tag_box.clear()
        self.tag_box.addItem(self.tr("Any tags"), None)
        try:
            from archive.tagtypes import list_tag_types

            for tag_type in list_tag_types(self.ctx.archive) if types is None else types:
                self.tag_box.addItem(self.tr("With %s") % tag_type.label.lower(), tag_type.key)
            self.tag_box.setCurrentIndex(max(self.tag_box.findData(current), 0))
        finally:
            self.tag_box.blockSignals(False)

    def _fill_collection_box(self, names: list[tuple[str, str]] | None = None) -> None:
        current = self.collection_box.currentData()
        self.collection_box.blockSignals(True)
        self.collection_box.clear()
        self.collection_box.addItem(self.tr("All collections"), None)
        if names is None:
            names = collections_ui.collection_names(self.ctx.archive)
        for coll_id, name in names:
            self.collection_box.addItem(name, coll_id)
        i = self.collection_box.findData(current)
        self.collection_box.setCurrentIndex(max(i, 0))
        self.collection_box.blockSignals(False)
        if i < 0 and current is not None:
            self.apply_filter()

    def current_filter(self) -> LibraryFilter:
        """The filter the bar's fields describe (bad dates are ignored and marked)."""
        dates = []
        for edit in (self.date_from, self.date_to):
            text = edit.text().strip()
            ok = not text or bool(_DATE.match(text))
            edit.setStyleSheet("" if ok else "color: #d33;")
            edit.setToolTip(self.tr(DATE_HINT) if ok else self.tr(DATE_FIX))
            dates.append(text if ok else "")
        # Review terms typed in the filter (status:reviewed, -flag:sensitive); an unknown
        # value is marked and left out, as a bad date is.
        try:
            text, review = review_terms(self.filter_edit.text())
            self.filter_edit.setStyleSheet("")
            self.filter_edit.setToolTip(self.tr(FILTER_HINT))
        except InvalidInput as exc:
            text, review = self.filter_edit.text(), {}
            self.filter_edit.setStyleSheet("color: #d33;")
            self.filter_edit.setToolTip(str(exc))
        chosen = self.status_box.currentData()
        if chosen == "flag:sensitive":
            review.setdefault("sensitive", True)
        elif chosen:
            review.setdefault("review_status", chosen)
        return LibraryFilter(
            text=text,
            collection_id=self.collection_box.currentData(),
            tag_type=self.tag_box.currentData(),
            date_from=dates[0],
            date_to=dates[1],
            **review,
        )

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if shown == total:
            self.count_label.setText(self.tr("%n article(s)", "", total))
        else:
            self.count_label.setText(
                self.tr("%1 of %2 articles").replace("%1", str(shown)).replace("%2", str(total))
            )

    # -- acting on rows ------------------------------------------------------

    def focus_table(self) -> None:
        """Move the keyboard into the table (Enter then opens the current article)."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.article_id(r) for r in rows]

    def _clicked(self, index: QModelIndex) -> None:
        if not selecting_click():
            self._activated(index)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            article_id = self.model.article_id(index.row())
            if article_id != self.ctx.current_article_id:  # a double-click's second click
                self.ctx.open_article(article_id, [])

    def _context_menu(self, pos: QPoint) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        if len(ids) == 1:
            menu.addAction(self.tr("Open"), lambda: self.ctx.open_article(ids[0], []))
            menu.addAction(self.tr("Details…"), lambda: self.edit_details(ids[0]))
        self._add_collection_actions(menu, ids)
        self._add_review_actions(menu, ids)
        copies_ui.add_actions(self, menu, ids)
        menu.addSeparator()
        menu.addAction(self.tr("Retract…"), lambda: self.retract(ids))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _add_review_actions(self, menu: QMenu, ids: list[str]) -> None:
        """Review status and the sensitive flag of the selected articles (one step each)."""
        status_menu = menu.addMenu(self.tr("Review status"))
        for status in models.REVIEW_STATUSES:
            status_menu.addAction(
                status.replace("_", " ").capitalize(),
                functools.partial(self.set_review_status, ids, status),
            )
        flagged = self.flagged_sensitive(ids)
        # The one that applies; both only for a selection with some of each.
        if len(flagged) < len(ids):
            mark = menu.addAction(self.tr("Mark sensitive"), lambda: self.set_sensitive(ids, True))
            mark.setObjectName("markSensitive")
        if flagged:
            clear = menu.addAction(
                self.tr("Mark not sensitive"), lambda: self.set_sensitive(ids, False)
            )
            clear.setObjectName("markNotSensitive")

    def flagged_sensitive(self, ids: list[str]) -> set[str]:
        """Those of `ids` whose article itself is flagged sensitive (a sensitive passage
        does not make the article so: the library's flag column shows either)."""
        from archive import review

        parts = review.sensitive_parts(self.ctx.archive, ids)  # two small queries
        return {aid for aid, (whole, _) in parts.items() if whole}

    def set_review_status(self, ids: list[str], status: str) -> None:
        from archive import review

        self._write(
            "Review",
            lambda ch: review.set_review(ch, ids, status=status),
            self.tr("Status not set"),
            lambda _r: None,
        )

    def set_sensitive(self, ids: list[str], sensitive: bool) -> None:
        from archive import review

        self._write(
            "Mark sensitive" if sensitive else "Mark not sensitive",
            lambda ch: review.flag_articles(ch, ids, sensitive),
            self.tr("Not marked"),
            lambda _r: None,
        )

    def edit_details(self, article_id: str) -> Any:
        """Open the (non-blocking) form that corrects an article's record."""
        from desktop.library.article_form import ArticleForm

        form = ArticleForm(self.ctx, article_id, self)
        self._article_form = form
        form.show()
        return form

    def retract(self, ids: list[str]) -> None:
        """Ask why, then retract the articles (one undoable change; they leave the list)."""
        from archive import articles

        reason = dialogs.ask_text(
            self,
            self.tr("Retract"),
            self.tr("Why are these articles retracted? (They stay in the archive, hidden.)"),
        )
        if not reason:
            return

        def retract_all(ch: Any) -> None:
            for article_id in ids:
                articles.retract_article(ch, article_id, reason)

        self._write(
            f"Retract {len(ids)} article(s)", retract_all, self.tr("Not retracted"), lambda _r: None
        )

    def _fill_collection_menu(self) -> None:
        self.collection_menu.clear()
        self.collection_menu.addAction(self.tr("New collection…"), self.new_collection)
        ids = self.selected_ids()
        if ids:
            self._add_collection_actions(self.collection_menu, ids)
        coll_id = self.collection_box.currentData()
        if coll_id:
            self.collection_menu.addSeparator()
            self.collection_menu.addAction(
                self.tr("Case notes of “%s”…") % self.collection_box.currentText(),
                lambda: self.open_notes(coll_id),
            )
            self.collection_menu.addAction(
                self.tr("Delete collection “%s”…") % self.collection_box.currentText(),
                lambda: self.delete_collection(coll_id),
            )

    def open_notes(self, coll_id: str) -> Any:
        """Open the case-notes editor of a collection (a window of its own)."""
        from desktop.notes import open_notes

        return open_notes(self.ctx, coll_id, self)

    def _add_collection_actions(self, menu: QMenu, ids: list[str]) -> None:
        add_menu = menu.addMenu(self.tr("Add to collection"))
        for coll_id, name in collections_ui.collection_names(self.ctx.archive):
            add_menu.addAction(name, functools.partial(self.add_to_collection, coll_id, ids))
        add_menu.addSeparator()
        add_menu.addAction(self.tr("New collection…"), lambda: self.new_collection(add_ids=ids))
        coll_id = self.collection_box.currentData()
        if coll_id:
            menu.addAction(
                self.tr("Remove from “%s”") % self.collection_box.currentText(),
                lambda: self.remove_from_collection(coll_id, ids),
            )

    def _write(
        self, label: str, fn: Callable[[Any], Any], title: str, on_done: Callable[[Any], None]
    ) -> None:
        """A collection change through the window's writer; a refusal is shown as an error."""
        self.ctx.writer.change(
            label,
            fn,
            on_done=lambda result: on_done(result) if shiboken6.isValid(self) else None,
            on_error=lambda message: dialogs.error(self, title, message),
        )

    def new_collection(self, add_ids: list[str] | None = None) -> None:
        """Ask for a name and create a collection (adding `add_ids` to it), in the background."""
        name = dialogs.ask_text(self, self.tr("New collection"), self.tr("Name of the case:"))
        if not name:
            return
        ids = list(add_ids or [])

        def create(ch: Any) -> str:
            coll_id = coll.create_collection(ch, name).id
            if ids:
                coll.add_articles(ch, coll_id, ids)
            return coll_id

        self._write(
            f"New collection {name}",
            create,
            self.tr("Collection not created"),
            lambda _coll_id: self._collections_changed(ids),
        )

    def add_to_collection(self, coll_id: str, ids: list[str]) -> None:
        self._write(
            "Add to collection",
            lambda ch: coll.add_articles(ch, coll_id, ids),
            self.tr("Not added"),
            lambda _n: self._collections_changed(ids),
        )

    def remove_from_collection(self, coll_id: str, ids: list[str]) -> None:
        self._write(
            "Remove from collection",
            lambda ch: coll.remove_articles(ch, coll_id, ids),
            self.tr("Not removed"),
            lambda _n: self._collections_changed(ids),
        )

    def delete_collection(self, coll_id: str) -> None:
        if not dialogs.confirm(
            self,
            self.tr("Delete collection"),
            self.tr("Delete this collection? Its articles stay in the archive."),
        ):
            return

        self._write(
            "Delete collection",
            lambda ch: coll.delete_collection(ch, coll_id),
            self.tr("Not deleted"),
            self._collections_changed,
        )

    def _collections_changed(self, _result: Any = None) -> None:
        """A collection write is committed: its rows and the collection box were updated
        from the writer's change set (`_delta`); nothing more to read."""
