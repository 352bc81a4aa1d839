"""Suggestions for the open article: review candidates, accept or reject them.

The rules run off the GUI thread (through the app's task helper); nothing is
tagged until a person accepts it. Accepting makes annotations with origin
"suggestion" (one undo step per click, however many rows were accepted).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from archive import entities, figures, suggest, tagtypes
from archive.suggest import Suggestion
from archive.tagform import FIGURE_TYPE
from desktop.context import AppContext
from desktop.models import Index, RowTableModel
from desktop.tag_form import TagDialog, choices_for
from desktop.widgets import (
    button_rows,
    make_table,
    open_held,
    run_read,
    selected_rows,
    short,
    swatch,
    tell,
    tip,
    write,
)


def suggestion_details(s: Suggestion) -> str:
    """What accepting a suggestion would record besides its span, in words."""
    if s.type == "figure":
        return figures.claim_text(s.value, s.qualifier, s.counted)
    parts = [s.entity_name or ""]
    if s.aliases:
        parts.append(f"(also {', '.join(s.aliases)})")
    if s.date:
        parts.append(s.date)
    return " ".join(p for p in parts if p)


class SuggestionTableModel(RowTableModel):
    """Rows of `Suggestion`: type, quote, what would be recorded, why."""

    COLUMNS = ("Type", "Quote", "Details", "Why")

    _rows: list[Suggestion]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._types: dict[str, tagtypes.TagTypeInfo] = {}

    def set_suggestions(
        self, rows: list[Suggestion], types: dict[str, tagtypes.TagTypeInfo]
    ) -> None:
        """Replace every row."""
        with self.resetting():
            self._rows = list(rows)
            self._types = dict(types)

    def suggestion(self, row: int) -> Suggestion:
        """The suggestion in `row`."""
        return self._rows[row]

    def suggestions(self) -> list[Suggestion]:
        """Every suggestion shown."""
        return self.rows()

    def remove(self, rows: list[int]) -> None:
        """Drop rows (accepted or rejected), one contiguous block at a time."""
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._rows):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        s = self.item(index)
        if s is None:
            return None
        col = index.column()
        tag_type = self._types.get(s.type)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return tag_type.label if tag_type else s.type
            if col == 1:
                return short(s.quote)
            if col == 2:
                return suggestion_details(s)
            if col == 3:
                return s.reason
        elif role == Qt.ItemDataRole.DecorationRole and col == 0 and tag_type:
            return swatch(tag_type.colour)
        elif role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return tip(s.quote)
        return None


class SuggestionsPanel(QWidget):
    """Candidates for the open article, to accept or reject one by one or in bulk.

    Public API: `run()`, `model`, `view`, `accept_rows(rows)`, `reject_rows(rows)`,
    `edit_and_accept(row)` (opens the form; `edit_dialog`),
    `accept_all()`, `reject_all()`, `show_row(row)`, `running`.
    """

    statusMessage = Signal(str)
    # Emitted when a run has filled the list (for tests and the status bar).
    suggestionsReady = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestionsPanel")
        self.ctx = ctx
        self.article_id: str | None = None
        self.running = False  # a search for suggestions is on its way
        self._run_id = 0
        self.model = SuggestionTableModel(self)
        self.view = make_table(self)
        self.view.setModel(self.model)
        self.view.setColumnWidth(0, 80)
        self.view.setColumnWidth(1, 220)
        self.view.setColumnWidth(2, 180)
        self.view.doubleClicked.connect(lambda index: self.show_row(index.row()))
        self.label = QLabel(self.tr("Open an article, then ask for suggestions."))
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people

        self.run_button = QPushButton(self.tr("&Suggest"))
        self.run_button.setToolTip(self.tr("Find candidate actors, events and figures"))
        self.run_button.clicked.connect(self.run)
        self.accept_button = QPushButton(self.tr("&Accept"))
        self.accept_button.setToolTip(self.tr("Tag the selected candidates (Enter)"))
        self.accept_button.clicked.connect(lambda: self.accept_rows(selected_rows(self.view)))
        self.reject_button = QPushButton(self.tr("&Reject"))
        self.reject_button.setToolTip(self.tr("Drop the selected candidates (Delete)"))
        self.reject_button.clicked.connect(lambda: self.reject_rows(selected_rows(self.view)))
        self.edit_button = QPushButton(self.tr("&Edit && accept…"))
        self.edit_button.setToolTip(
            self.tr("Change the entity, note or figure fields, then accept (one candidate)")
        )
        self.edit_button.clicked.connect(self._edit_current)
        self.edit_dialog: Any = None
        self.accept_all_button = QPushButton(self.tr("Accept a&ll"))
        self.accept_all_button.clicked.connect(self.accept_all)
        self.reject_all_button = QPushButton(self.tr("Reject all"))
        self.reject_all_button.clicked.connect(self.reject_all)

        for key, slot in (
            (QKeySequence(Qt.Key.Key_Return), lambda: self.accept_rows(selected_rows(self.view))),
            (QKeySequence(QKeySequence.StandardKey.Delete), lambda: self.reject_rows(
                selected_rows(self.view)
            )),
        ):  # fmt: skip
            action = QAction(self)
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.view.addAction(action)

        buttons = button_rows(
            (self.accept_button, self.edit_button, self.reject_button),
            (self.accept_all_button, self.reject_all_button, self.run_button),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.label)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        ctx.articleShown.connect(self._article_shown)
        self._article_shown(ctx.current_article_id or "")

    # -- running -------------------------------------------------------------

    def _article_shown(self, article_id: str) -> None:
        if article_id == self.article_id:
            return
        self.article_id = article_id or None
        self._run_id += 1  # results of a run for another article are dropped
        self.model.set_suggestions([], {})
        self._update_label()
        if self.article_id and self.isVisible():
            self.run()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.article_id and self.model.rowCount() == 0 and not self.running:
            self.run()

    def run(self) -> None:
        """Look for suggestions in the open article (off the GUI thread when possible)."""
        if not self.article_id:
            return
        self._run_id += 1
        run_id, article_id = self._run_id, self.article_id
        self.label.setText(self.tr("Looking for suggestions…"))
        self.run_button.setEnabled(False)
        self.running = True
        run_read(
            self.ctx,
            self,
            "Finding suggestions",
            suggest.suggest_for_article,
            self.ctx.archive,
            article_id,
            on_result=lambda result: self._done(run_id, result),
            on_error=lambda message: self._failed(run_id, message),
        )

    def _done(self, run_id: int, result: list[Suggestion]) -> None:
        self.running = False
        self.run_button.setEnabled(True)
        if run_id != self._run_id:
            return
        types = {t.key: t for t in tagtypes.list_tag_types(self.ctx.archive)}
        self.model.set_suggestions(result, types)
        self._update_label()
        self.suggestionsReady.emit(len(result))

    def _failed(self, run_id: int, message: str) -> None:
        self.running = False
        self.run_button.setEnabled(True)
        if run_id == self._run_id:
            self.label.setText(message)
            tell(self, message)

    def _update_label(self) -> None:
        if not self.article_id:
            self.label.setText(self.tr("Open an article, then ask for suggestions."))
        else:
            self.label.setText(self.tr("{0} suggestions to review").format(self.model.rowCount()))

    # -- reviewing -----------------------------------------------------------

    def show_row(self, row: int) -> None:
        """Show a candidate's passage in the reader."""
        s = self.model.suggestion(row)
        if self.article_id:
            self.ctx.open_article(self.article_id, [(s.start, s.end)])

    def accept_rows(self, rows: list[int]) -> bool:
        """Tag the candidates in `rows` (one undo step) and take them off the list.

        They leave the list at once; if the archive refuses, they come back.
        """
        rows = sorted(set(rows))
        if not rows or not self.article_id:
            return False
        article_id = self.article_id
        chosen = [self.model.suggestion(r) for r in rows]
        label = "Accept suggestion" if len(chosen) == 1 else f"Accept {len(chosen)} suggestions"
        write(
            self,
            self.ctx,
            label,
            lambda ch: suggest.accept_suggestions(ch, article_id, chosen),
            on_error=lambda _message: self._put_back(article_id, chosen),
        )
        self.model.remove(rows)
        self._update_label()
        return True

    def _put_back(self, article_id: str, chosen: list[Suggestion]) -> None:
        """Refused: show the candidates again (if the same article is still on the list)."""
        if self.article_id == article_id:
            self.model.set_rows([*self.model.suggestions(), *chosen])
            self._update_label()

    def _edit_current(self) -> None:
        rows = selected_rows(self.view)
        if rows:
            self.edit_and_accept(rows[0])

    def edit_and_accept(self, row: int) -> Any:
        """Open the tagging form filled in from a candidate; confirming accepts it as changed."""
        s = self.model.suggestion(row)
        types = {t.key: t for t in tagtypes.list_tag_types(self.ctx.archive)}
        label = types[s.type].label if s.type in types else s.type
        dialog = TagDialog(
            type_key=s.type,
            type_label=label,
            start=s.start,
            end=s.end,
            quote=s.quote,
            choices=choices_for(self.ctx, s.type),
            figure=s.type == FIGURE_TYPE,
            prefill={
                "entity": s.entity_name or "",
                "value": s.value,
                "qualifier": s.qualifier,
                "counted": s.counted,
                "date": s.date,
            },
            title=self.tr("Accept {0}").format(label),
            parent=self,
        )
        dialog.tagRequested.connect(lambda req: self._accept_edited(s, req))
        open_held(self, "edit_dialog", dialog)
        return dialog

    def _accept_edited(self, s: Suggestion, req: Any) -> bool:
        if not self.article_id:
            return False
        article_id = self.article_id
        overrides: dict[str, Any] = {"note": req.note}
        details = req.event_details()
        if details:
            pass  # the entity is made (or its details updated) in the change, first
        elif req.entity_id:
            overrides["entity_id"] = req.entity_id
        else:
            overrides["entity_name"] = req.new_entity_name  # None: no entity
            # The suggested aliases go with the suggested name, not with another one.
            same = req.new_entity_name == s.entity_name
            overrides["entity_aliases"] = list(s.aliases) if same else []
        if s.type == "figure":
            overrides.update(req.figure_fields())
        elif req.as_of:
            overrides["as_of"] = req.as_of  # an event's date as this source gives it
        def accept(ch: Any) -> None:
            fields = dict(overrides)
            if details:
                # An event's date and place go on its entity.
                fields["entity_id"] = entities.link_entity(
                    ch, s.type, req.entity_id, req.new_entity_name, details
                )
            suggest.accept_suggestion(ch, article_id, s, **fields)

        write(
            self,
            self.ctx,
            "Accept suggestion",
            accept,
            on_error=lambda _message: self._put_back(article_id, [s]),
        )
        rows = [r for r, x in enumerate(self.model.suggestions()) if x is s]
        self.model.remove(rows)
        self._update_label()
        return True

    def reject_rows(self, rows: list[int]) -> None:
        """Take candidates off the list without tagging anything."""
        self.model.remove(rows)
        self._update_label()

    def accept_all(self) -> bool:
        """Accept every candidate shown."""
        return self.accept_rows(list(range(self.model.rowCount())))

    def reject_all(self) -> None:
        """Reject every candidate shown."""
        self.reject_rows(list(range(self.model.rowCount())))
