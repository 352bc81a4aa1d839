"""Suggestions for the open article: review candidates, accept or reject them.

The rules run off the GUI thread (through the app's task helper); nothing is
tagged until a person accepts it. Candidates are grouped by entity
(`archive.suggest.group_suggestions`): one row "CDM ×10" whose mentions are
its children, so a click accepts every mention, or the chosen ones. Accepting
makes annotations with origin "suggestion" (one undo step per click, however
many rows were accepted).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from archive import entities, figures, suggest, tagtypes
from archive.suggest import Suggestion, SuggestionGroup
from archive.tagform import FIGURE_TYPE
from desktop.context import AppContext
from desktop.models import Index
from desktop.tag_form import TagDialog, choices_for
from desktop.widgets import (
    button_rows,
    open_held,
    run_read,
    short,
    swatch,
    tell,
    tip,
    write,
)

# Chosen candidates: group row -> its chosen mention positions, or None for all.
Picked = dict[int, list[int] | None]


def suggestion_details(s: Suggestion) -> str:
    """What accepting a suggestion would record besides its span, in words."""
    if s.type == "figure":
        claim = figures.claim_text(s.value, s.qualifier, s.counted)
        return f"{claim}, as of {s.as_of}" if s.as_of else claim
    parts = [s.entity_name or ""]
    if s.aliases:
        parts.append(f"(also {', '.join(s.aliases)})")
    if s.date:
        parts.append(s.date)
    return " ".join(p for p in parts if p)


def group_details(g: SuggestionGroup) -> str:
    """What accepting every mention of a group would record, in words."""
    if g.count == 1:
        return suggestion_details(g.first)
    also = f" (also {', '.join(g.aliases)})" if g.aliases else ""
    return f"{g.entity_name or ''}{also}"


class SuggestionTreeModel(QAbstractItemModel):
    """Groups of `Suggestion` (type, quote or "CDM ×10", what would be recorded, why); a
    group of several mentions has them as its child rows. A child's internal id is its
    group's row + 1; a group's is 0."""

    COLUMNS = ("Type", "Quote", "Details", "Why")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[SuggestionGroup] = []
        self._types: dict[str, tagtypes.TagTypeInfo] = {}

    def set_suggestions(
        self, rows: list[Suggestion], types: dict[str, tagtypes.TagTypeInfo] | None = None
    ) -> None:
        """Replace every row with `rows`, grouped by entity."""
        self.beginResetModel()
        self._groups = suggest.group_suggestions(sorted(rows, key=lambda s: (s.start, s.end)))
        if types is not None:
            self._types = dict(types)
        self.endResetModel()

    def groups(self) -> list[SuggestionGroup]:
        """Every group shown, in row order."""
        return list(self._groups)

    def group(self, row: int) -> SuggestionGroup:
        """The group in `row`."""
        return self._groups[row]

    def suggestion(self, row: int) -> Suggestion:
        """The first mention of the group in `row`."""
        return self._groups[row].first

    def suggestions(self) -> list[Suggestion]:
        """The first mention of every group, in row order (one a row)."""
        return [g.first for g in self._groups]

    def all_suggestions(self) -> list[Suggestion]:
        """Every mention of every group."""
        return [m for g in self._groups for m in g.members]

    def drop(self, gone: list[Suggestion]) -> None:
        """Take mentions off the list (accepted or rejected); an emptied group goes."""
        ids = {id(s) for s in gone}
        self.set_suggestions([s for s in self.all_suggestions() if id(s) not in ids])

    def picked_suggestions(self, picked: Picked) -> list[Suggestion]:
        """The mentions `picked` names, in text order."""
        out: list[Suggestion] = []
        for row, mentions in picked.items():
            members = self._groups[row].members
            out += members if mentions is None else [members[k] for k in sorted(set(mentions))]
        return sorted(out, key=lambda s: (s.start, s.end))

    # -- the model -------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index | None = None) -> Any:  # type: ignore[override, unused-ignore]
        if index is None:
            return super().parent()  # parent() with no index: the QObject's parent
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        group = self._groups[parent.row()]
        return group.count if group.count > 1 else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.tr(self.COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = index.column()
        parent_id = index.internalId()
        if parent_id:
            group = self._groups[parent_id - 1]
            mention = group.members[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                if col == 1:
                    return short(mention.quote)
                if col == 2:
                    return f"[{mention.start}–{mention.end}]"
                if col == 3:
                    return mention.reason
            elif role == Qt.ItemDataRole.ToolTipRole and col == 1:
                return tip(mention.quote)
            return None
        group = self._groups[index.row()]
        s = group.first
        tag_type = self._types.get(s.type)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return tag_type.label if tag_type else s.type
            if col == 1:
                return short(group.label)
            if col == 2:
                return group_details(group)
            if col == 3:
                return s.reason
        elif role == Qt.ItemDataRole.DecorationRole and col == 0 and tag_type:
            return swatch(tag_type.colour)
        elif role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return tip("\n".join(dict.fromkeys(m.quote for m in group.members)))
        return None


class SuggestionsPanel(QWidget):
    """Candidates for the open article, to accept or reject one by one or in bulk.

    Public API: `run()`, `model`, `view`, `accept_rows(rows)`, `accept_picked(picked)`,
    `reject_rows(rows)`, `picked()` (the view's selection: whole groups or chosen
    mentions), `edit_and_accept(row, mentions)` (opens the form; `edit_dialog`),
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
        self.model = SuggestionTreeModel(self)
        self.view = QTreeView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setColumnWidth(0, 90)
        self.view.setColumnWidth(1, 220)
        self.view.setColumnWidth(2, 180)
        self.view.doubleClicked.connect(self._show_index)
        self.label = QLabel(self.tr("Open an article, then ask for suggestions."))
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people

        self.run_button = QPushButton(self.tr("&Suggest"))
        self.run_button.setToolTip(self.tr("Find candidate actors, events and figures"))
        self.run_button.clicked.connect(self.run)
        self.accept_button = QPushButton(self.tr("&Accept"))
        self.accept_button.setToolTip(
            self.tr("Tag the selected candidates (Enter): a group row tags all its mentions")
        )
        self.accept_button.clicked.connect(lambda: self.accept_picked(self.picked()))
        self.reject_button = QPushButton(self.tr("&Reject"))
        self.reject_button.setToolTip(self.tr("Drop the selected candidates (Delete)"))
        self.reject_button.clicked.connect(lambda: self.reject_picked(self.picked()))
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
            (QKeySequence(Qt.Key.Key_Return), lambda: self.accept_picked(self.picked())),
            (QKeySequence(QKeySequence.StandardKey.Delete), lambda: self.reject_picked(
                self.picked()
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
        self.suggestionsReady.emit(self.model.rowCount())

    def _failed(self, run_id: int, message: str) -> None:
        self.running = False
        self.run_button.setEnabled(True)
        if run_id == self._run_id:
            self.label.setText(message)
            tell(self, message)

    def _update_label(self) -> None:
        if not self.article_id:
            self.label.setText(self.tr("Open an article, then ask for suggestions."))
            return
        rows, mentions = self.model.rowCount(), len(self.model.all_suggestions())
        text = self.tr("{0} suggestions to review").format(rows)
        if mentions != rows:
            text = self.tr("{0} suggestions ({1} mentions) to review").format(rows, mentions)
        self.label.setText(text)

    # -- reviewing -----------------------------------------------------------

    def picked(self) -> Picked:
        """The view's selection: a group row chooses all its mentions, a mention row itself."""
        picked: Picked = {}
        indexes = self.view.selectionModel().selectedRows()
        for index in indexes:
            if not index.parent().isValid():
                picked[index.row()] = None
        for index in indexes:
            parent = index.parent()
            if parent.isValid() and picked.get(parent.row(), []) is not None:
                picked.setdefault(parent.row(), []).append(index.row())  # type: ignore[union-attr]
        return dict(sorted(picked.items()))

    def _show_index(self, index: QModelIndex) -> None:
        parent = index.parent()
        if parent.isValid():
            self.show_row(parent.row(), index.row())
        else:
            self.show_row(index.row())

    def show_row(self, row: int, mention: int = 0) -> None:
        """Show a candidate's passage (or one mention's) in the reader."""
        s = self.model.group(row).members[mention]
        if self.article_id:
            self.ctx.open_article(self.article_id, [(s.start, s.end)])

    def accept_rows(self, rows: list[int]) -> bool:
        """Tag every mention of the groups in `rows` (one undo step)."""
        return self.accept_picked(dict.fromkeys(rows))

    def accept_picked(self, picked: Picked) -> bool:
        """Tag the chosen mentions (one undo step) and take them off the list.

        They leave the list at once; if the archive refuses, they come back. The
        mentions of a group are linked to its one entity, with every name they give.
        """
        picked = {r: m for r, m in picked.items() if 0 <= r < self.model.rowCount()}
        if not picked or not self.article_id:
            return False
        article_id = self.article_id
        plan = [(self.model.group(r), m) for r, m in picked.items()]
        chosen = self.model.picked_suggestions(picked)
        label = "Accept suggestion" if len(chosen) == 1 else f"Accept {len(chosen)} suggestions"

        def accept(ch: Any) -> None:
            for group, mentions in plan:
                suggest.accept_group(ch, article_id, group, mentions)

        write(
            self,
            self.ctx,
            label,
            accept,
            on_error=lambda _message: self._put_back(article_id, chosen),
        )
        self.model.drop(chosen)
        self._update_label()
        return True

    def _put_back(self, article_id: str, chosen: list[Suggestion]) -> None:
        """Refused: show the candidates again (if the same article is still on the list)."""
        if self.article_id == article_id:
            self.model.set_suggestions([*self.model.all_suggestions(), *chosen])
            self._update_label()

    def _edit_current(self) -> None:
        picked = self.picked()
        if picked:
            row, mentions = next(iter(picked.items()))
            self.edit_and_accept(row, mentions)

    def edit_and_accept(self, row: int, mentions: list[int] | None = None) -> Any:
        """Open the tagging form filled in from a candidate; confirming accepts it as changed
        (every chosen mention of its group, all of them without `mentions`)."""
        group = self.model.group(row)
        chosen = [group.members[k] for k in sorted(set(mentions))] if mentions else group.members
        s = chosen[0]
        types = {t.key: t for t in tagtypes.list_tag_types(self.ctx.archive)}
        label = types[s.type].label if s.type in types else s.type
        dialog = TagDialog(
            type_key=s.type,
            type_label=label,
            start=s.start,
            end=s.end,
            quote=s.quote if len(chosen) == 1 else group.label,
            choices=choices_for(self.ctx, s.type),
            figure=s.type == FIGURE_TYPE,
            prefill={
                "entity": group.entity_name or s.entity_name or "",
                "value": s.value,
                "qualifier": s.qualifier,
                "counted": s.counted,
                "date": s.date,
                # The same as-of the F form and `sesame suggest --accept` record.
                "as_of": s.as_of,
            },
            title=self.tr("Accept {0}").format(label),
            parent=self,
        )
        dialog.tagRequested.connect(lambda req: self._accept_edited(group, chosen, req))
        open_held(self, "edit_dialog", dialog)
        return dialog

    def _accept_edited(self, group: SuggestionGroup, chosen: list[Suggestion], req: Any) -> bool:
        if not self.article_id:
            return False
        article_id = self.article_id
        s = chosen[0]
        overrides: dict[str, Any] = {"note": req.note}
        details = req.event_details()
        if details:
            pass  # the entity is made (or its details updated) in the change, first
        elif req.entity_id:
            overrides["entity_id"] = req.entity_id
        else:
            overrides["entity_name"] = req.new_entity_name  # None: no entity
            # The suggested aliases go with the suggested name, not with another one.
            same = req.new_entity_name in (s.entity_name, group.entity_name)
            overrides["entity_aliases"] = list(group.aliases) if same else []
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
            suggest.accept_suggestions(ch, article_id, chosen, **fields)

        write(
            self,
            self.ctx,
            "Accept suggestion" if len(chosen) == 1 else f"Accept {len(chosen)} suggestions",
            accept,
            on_error=lambda _message: self._put_back(article_id, chosen),
        )
        self.model.drop(chosen)
        self._update_label()
        return True

    def reject_rows(self, rows: list[int]) -> None:
        """Take candidates (whole groups) off the list without tagging anything."""
        self.reject_picked(dict.fromkeys(rows))

    def reject_picked(self, picked: Picked) -> None:
        """Take the chosen mentions off the list without tagging anything."""
        picked = {r: m for r, m in picked.items() if 0 <= r < self.model.rowCount()}
        self.model.drop(self.model.picked_suggestions(picked))
        self._update_label()

    def accept_all(self) -> bool:
        """Accept every candidate shown."""
        return self.accept_rows(list(range(self.model.rowCount())))

    def reject_all(self) -> None:
        """Reject every candidate shown."""
        self.reject_rows(list(range(self.model.rowCount())))
