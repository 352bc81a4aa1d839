"""Search: the query bar, results with highlighted snippets, and facet filters.

Queries use the archive's query language (field prefixes, phrases,
AND/OR/NOT, wildcards, fuzzy terms). Every search runs off the GUI thread; a
malformed query is shown as a message under the bar.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive import review
from desktop import settings as st
from desktop.context import AppContext
from desktop.review.reveal import RevealState
from desktop.search.model import (
    HIT_ID_ROLE,
    MATCHES_ROLE,
    SearchResultsModel,
    SnippetDelegate,
)
from desktop.tasks import Job

FACET_LABELS = {
    "source": "Source",
    "year": "Year",
    "lang": "Language",
    "tag": "Tag type",
    "entity": "Entity",
}

HELP = (
    'Words match anywhere; use "quotes" for phrases, AND / OR / NOT, * and ? '
    "wildcards, ~ for fuzzy words, and fields: title:, source:, tag:figure, "
    'actor:"Name", published:[2021-03-01 TO 2021-03-31].'
)


def run_search(
    archive: Any,
    query: str,
    limit: int,
    sort: str,
    filters: dict[str, str] | None,
    progress: Any = None,
    cancel: Any = None,
) -> Any:
    """Worker side: bring the index up to date, then search (off the GUI thread)."""
    archive.sync_index(progress=progress, cancel=cancel)
    return archive.index.search(query, limit=limit, sort=sort, filters=filters or None)


class SearchPanel(QWidget):
    """Search bar, results, facets."""

    # Results arrived (count of hits shown).
    hitsShown = Signal(int)
    # A search failed (the message shown to the person).
    searchFailed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("searchPanel")
        self.prefs = st.Settings()
        self.filters: dict[str, str] = {}
        self.job: Job | None = None
        self._pending: tuple[str, bool] | None = None
        self.last_results: Any = None

        self.query_edit = QLineEdit()
        self.query_edit.setObjectName("searchQuery")
        self.query_edit.setPlaceholderText(self.tr("Search (Ctrl+F)…"))
        self.query_edit.setToolTip(self.tr(HELP))
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.setMinimumWidth(260)
        self.query_edit.returnPressed.connect(self.search)
        # Keyboard first: Down from the query moves into the results.
        to_results = QAction(self)
        to_results.setShortcut(QKeySequence(Qt.Key.Key_Down))
        to_results.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        to_results.triggered.connect(self.focus_results)
        self.query_edit.addAction(to_results)

        self.sort_box = QComboBox()
        self.sort_box.addItem(self.tr("Best match first"), "relevance")
        self.sort_box.addItem(self.tr("Newest first"), "date")
        i = self.sort_box.findData(self.prefs.get(st.SEARCH_SORT))
        self.sort_box.setCurrentIndex(max(i, 0))
        self.sort_box.currentIndexChanged.connect(self._sort_changed)
        self.status = QLabel(self.tr(HELP))
        self.status.setWordWrap(True)
        self.status.setObjectName("searchStatus")
        self.clear_filters_button = QPushButton(self.tr("Clear filters"))
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.clear_filters_button.setEnabled(False)

        self.model = SearchResultsModel(self)
        self.results = QListView()
        self.results.setObjectName("searchResults")
        self.results.setModel(self.model)
        self.results.setItemDelegate(SnippetDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # One click opens the hit (Enter and double-click too).
        self._last_opened: tuple[str | None, float] = (None, 0.0)
        self.results.clicked.connect(self.open_hit)
        self.results.activated.connect(self.open_hit)

        self.facets = QTreeWidget()
        self.facets.setObjectName("searchFacets")
        self.facets.setHeaderLabels([self.tr("Filter"), self.tr("Hits")])
        self.facets.setRootIsDecorated(True)
        self.facets.itemChanged.connect(self._facet_toggled)

        top = QHBoxLayout()
        top.addWidget(self.sort_box)
        top.addStretch(1)
        top.addWidget(self.clear_filters_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.results)
        splitter.addWidget(self.facets)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        ctx.articlesChanged.connect(self._archive_changed)
        # The window's writes: search again when articles or collections changed, or
        # many articles at once (a merge renames hundreds of mentions); not for a tag.
        ctx.changed.connect(
            lambda delta: (
                self._archive_changed()
                if delta.touches(("article", "collection", "articlecollection"))
                or len(delta.articles) > 20
                else None
            )
        )
        RevealState.of(ctx).changed.connect(self._reveal_changed)

    def query_edit_for_toolbar(self) -> QLineEdit:
        """The query field, placed in the main toolbar by the window."""
        return self.query_edit

    def focus_results(self) -> None:
        """Move the keyboard into the results (Enter then opens the current hit)."""
        if self.model.rowCount():
            self.results.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if not self.results.currentIndex().isValid():
                self.results.setCurrentIndex(self.model.index(0))

    def focus_query(self) -> None:
        self.query_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query_edit.selectAll()

    # -- searching -----------------------------------------------------------

    def search(self, query: str | None = None, keep_filters: bool = False) -> Job | None:
        """Run `query` (default: the bar's text) off the GUI thread."""
        if query is None:
            query = self.query_edit.text()
        else:
            self.query_edit.setText(query)
        query = query.strip()
        if not keep_filters:
            self.filters = {}
        if not query:
            self.model.clear()
            self.facets.clear()
            self.status.setText(self.tr(HELP))
            return None
        if self.job is not None and not self.job.finished:
            # One search at a time: the newest waits for the running one.
            self._pending = (query, keep_filters)
            self.job.cancel()
            return None
        self.status.setText(self.tr("Searching…"))
        self.job = self.ctx.tasks.run(
            self.tr("Searching"),
            run_search,
            self.ctx.archive,
            query,
            int(self.prefs.get(st.SEARCH_LIMIT)),
            self.sort_box.currentData(),
            dict(self.filters),
            on_result=lambda results, q=query: self._show(q, results),
            on_error=self._failed,
            show=False,
        )
        self.job.ended.connect(self._next)
        self.job.progressed.connect(self._progress)
        return self.job

    def _progress(self, done: int, total: int | None, _message: str) -> None:
        # Only the index catch-up reports progress: say why this search waits.
        if total:
            self.status.setText(
                self.tr("Bringing the search index up to date (%1 of %2 articles)…")
                .replace("%1", f"{done:,}")
                .replace("%2", f"{total:,}")
            )

    def _next(self) -> None:
        self.job = None
        if self._pending is not None:
            query, keep = self._pending
            self._pending = None
            self.search(query, keep_filters=keep)

    def _hidden_hits(self, hits: Any) -> set[str]:
        """Hits whose snippet would show a sensitive article or passage not revealed."""
        parts = review.sensitive_parts(self.ctx.archive, [h.id for h in hits])
        state = RevealState.of(self.ctx)
        hidden = set()
        for hit in hits:
            whole, passages = parts.get(hit.id, (False, []))
            if whole and not state.is_revealed(hit.id):
                hidden.add(hit.id)
                continue
            start = hit.snippet_start
            end = start + len(hit.snippet_text or hit.snippet or "")
            if any(s < end and start < e and not state.is_revealed(a) for a, s, e in passages):
                hidden.add(hit.id)
        return hidden

    def _reveal_changed(self) -> None:
        if self.model.hits:
            self.model.set_hidden(self._hidden_hits(self.model.hits))

    def _show(self, query: str, results: Any) -> None:
        if self._pending is not None:
            return  # a newer query is on its way
        self.last_results = results
        self.model.set_results(results.hits, results.total, self._hidden_hits(results.hits))
        shown = len(results.hits)
        notes = list(getattr(results, "notes", []) or [])
        if notes:
            # Not every match could be counted: say "at least" and why.
            self.status.setText(
                self.tr("At least %1 articles match (the best %2 are shown) — %3")
                .replace("%1", f"{results.total:,}")
                .replace("%2", str(shown))
                .replace("%3", " ".join(notes))
            )
        elif results.total == 0:
            self.status.setText(self.tr("No article matches “%s”.") % query)
        elif shown < results.total:
            self.status.setText(
                self.tr("%1 articles match; the best %2 are shown.")
                .replace("%1", str(results.total))
                .replace("%2", str(shown))
            )
        else:
            self.status.setText(self.tr("%n article(s) match.", "", results.total))
        self._fill_facets(results.facets or {})
        if shown:
            self.results.setCurrentIndex(self.model.index(0))
        self.hitsShown.emit(shown)

    def _failed(self, message: str, _details: str = "") -> None:
        if self._pending is not None:
            return
        # The previous results and filters stay: the person fixes the query and goes on.
        self.status.setText(self.tr("This search cannot be run: %s") % message)
        self.searchFailed.emit(message)

    def _sort_changed(self) -> None:
        self.prefs.set(st.SEARCH_SORT, self.sort_box.currentData())
        if self.query_edit.text().strip():
            self.search(keep_filters=True)

    def _archive_changed(self) -> None:
        if self.query_edit.text().strip() and self.model.rowCount():
            self.search(keep_filters=True)

    # -- facets --------------------------------------------------------------

    def _fill_facets(self, facets: dict[str, dict[str, int]]) -> None:
        self.facets.blockSignals(True)
        self.facets.clear()
        for name, values in facets.items():
            if not values:
                continue
            parent = QTreeWidgetItem([self.tr(FACET_LABELS.get(name, name.title())), ""])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.facets.addTopLevelItem(parent)
            chosen = self.filters.get(name)
            for value, count in sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0]))):
                item = QTreeWidgetItem([str(value), str(count)])
                item.setData(0, Qt.ItemDataRole.UserRole, (name, value))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    0, Qt.CheckState.Checked if value == chosen else Qt.CheckState.Unchecked
                )
                parent.addChild(item)
            parent.setExpanded(True)
        self.facets.resizeColumnToContents(0)
        self.facets.blockSignals(False)
        self.clear_filters_button.setEnabled(bool(self.filters))

    def _facet_toggled(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, Qt.ItemDataRole.UserRole)
        if not data:
            return
        name, value = data
        # One value per facet: ticking a value replaces the facet's filter.
        if item.checkState(0) == Qt.CheckState.Checked:
            self.filters[name] = value
        elif self.filters.get(name) == value:
            del self.filters[name]
        self.search(keep_filters=True)

    def set_filter(self, name: str, value: str | None) -> Job | None:
        """Filter the results by facet `name` (as if its box were ticked)."""
        if value:
            self.filters[name] = value
        else:
            self.filters.pop(name, None)
        return self.search(keep_filters=True)

    def clear_filters(self) -> None:
        self.filters = {}
        self.search(keep_filters=True)

    # -- opening -------------------------------------------------------------

    def open_hit(self, index: QModelIndex) -> None:
        """Show the hit's article with its matches highlighted (once for a double click:
        its first click opened it)."""
        if not index.isValid():
            return
        now = time.monotonic()
        hit = (index.data(HIT_ID_ROLE), now)
        last_id, last_time = self._last_opened
        if hit[0] == last_id and now - last_time < QApplication.doubleClickInterval() / 1000:
            return
        self._last_opened = hit
        self.ctx.open_article(index.data(HIT_ID_ROLE), list(index.data(MATCHES_ROLE) or []))
