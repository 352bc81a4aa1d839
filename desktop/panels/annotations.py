"""The annotations of the open article: list, jump to, edit note, retype, relink, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive import annotate, entities, review, tagtypes
from archive.errors import SesameError
from archive.reading import ReadingAnnotation, load_annotations
from archive.tagform import FIGURE_TYPE, event_prefill
from desktop import roles as role_ui
from desktop.article_reads import ArticleReads
from desktop.context import AppContext
from desktop.models import Index, RowTableModel
from desktop.review.claims import claim_actions
from desktop.review.reveal import RevealState
from desktop.tag_form import EntityDialog, TagDialog, choices_for
from desktop.widgets import (
    button_rows,
    make_table,
    open_held,
    selected_rows,
    short,
    swatch,
    tip,
    write,
)

if TYPE_CHECKING:
    from desktop.delta import ViewDelta


# A bundle import's conflict copy (their version beside yours, archive/conflicts.py).
CONFLICT_TIP = (
    "Their version of a passage you both edited: File → Bundle conflicts… keeps mine, "
    "theirs or both"
)


def _copy_mark(ann: ReadingAnnotation) -> str:
    return " (theirs: conflict)" if ann.origin.startswith("conflict:") else ""


class AnnotationTableModel(RowTableModel):
    """Rows of `ReadingAnnotation`: type, quote, entity, note, author.

    The note column is editable; an edit is not applied here but announced
    with `noteEdited(annotation_id, note)` so that it goes through undo.
    """

    COLUMNS = ("Type", "Quote", "Entity", "Note", "Author")
    TYPE, QUOTE, ENTITY, NOTE, AUTHOR = range(5)
    IdRole = Qt.ItemDataRole.UserRole + 1

    noteEdited = Signal(str, str)

    _rows: list[ReadingAnnotation]
    # Whether a row's quote is hidden (a sensitive passage not revealed this session).
    hidden: Any = None

    def set_annotations(self, annotations: list[ReadingAnnotation]) -> None:
        """Replace every row."""
        self.set_rows(annotations)

    def annotation(self, row: int) -> ReadingAnnotation:
        """The annotation shown in `row`."""
        return self._rows[row]

    def annotations(self) -> list[ReadingAnnotation]:
        """Every annotation shown, in row order."""
        return self.rows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        ann = self.item(index)
        if ann is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(ann, col)
        if role == Qt.ItemDataRole.EditRole and col == self.NOTE:
            return ann.note
        elif role == Qt.ItemDataRole.ForegroundRole and ann.orphaned:
            return QColor("#888888")
        elif role == Qt.ItemDataRole.FontRole and ann.orphaned:
            font = QFont()
            font.setItalic(True)
            return font
        elif role == Qt.ItemDataRole.DecorationRole and col == self.TYPE:
            return swatch(ann.colour)
        elif role == Qt.ItemDataRole.ToolTipRole:
            if col == self.QUOTE and self.hidden is not None and self.hidden(ann):
                return tip("Sensitive: Reveal in the reader (or the context menu) shows it")
            if col == self.QUOTE:
                by = f"\nTagged by {ann.author}" if ann.author else ""
                copy = "\n" + CONFLICT_TIP if ann.origin.startswith("conflict:") else ""
                return tip(ann.quote + ("\n(orphaned)" if ann.orphaned else "") + by + copy)
            if col == self.NOTE:
                return tip(ann.note)
        elif role == self.IdRole:
            return ann.id
        return None

    def _display(self, ann: ReadingAnnotation, col: int) -> str | None:
        if col == self.TYPE:
            return ann.type_label
        if col == self.QUOTE:
            if self.hidden is not None and self.hidden(ann):
                return "(sensitive: hidden)"
            return short(ann.quote) + (" (orphaned)" if ann.orphaned else "") + _copy_mark(ann)
        if col == self.ENTITY:
            if self.hidden is not None and self.hidden(ann):
                return ""  # the name is often the very words hidden
            return ann.entity_name or ""
        if col == self.NOTE:
            return ann.note
        if col == self.AUTHOR:
            return ann.author or ""
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.NOTE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.NOTE or role != Qt.ItemDataRole.EditRole:
            return False
        ann = self._rows[index.row()]
        note = str(value or "").strip()
        if note == ann.note:
            return False
        ann.note = note
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.noteEdited.emit(ann.id, note)
        return True


class AnnotationsPanel(QWidget):
    """The open article's annotations with the actions a person needs on them.

    Public API: `show_article(id)`, `refresh()`, `model`, `view`,
    `selected_ids()`, `jump_to(row)`, `set_note(id, note)`,
    `change_type(ids, type_key)`, `change_entity(id, entity_id, new_name)`,
    `delete(ids)`, `entity_dialog` (the open entity picker, if any).
    """

    statusMessage = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationsPanel")
        self.ctx = ctx
        self.article_id: str | None = None
        self.entity_dialog: Any = None

        self.model = AnnotationTableModel(self)
        self.model.noteEdited.connect(self.set_note)
        self.view = make_table(self)
        self.view.setModel(self.model)
        # Type and entity always in view in a narrow dock: quote and entity share
        # what is left; the author is in the quote's tooltip (and the reader's details).
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        stretch = QHeaderView.ResizeMode.Stretch
        header.setSectionResizeMode(
            AnnotationTableModel.TYPE, QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(AnnotationTableModel.QUOTE, stretch)
        header.setSectionResizeMode(AnnotationTableModel.ENTITY, stretch)
        self.view.setColumnWidth(AnnotationTableModel.NOTE, 60)
        self.view.setColumnHidden(AnnotationTableModel.AUTHOR, True)
        self.view.doubleClicked.connect(
            lambda index: (
                self.jump_to(index.row()) if index.column() != AnnotationTableModel.NOTE else None
            )
        )

        self.jump_button = QPushButton(self.tr("&Go to"))
        self.jump_button.setToolTip(self.tr("Select this passage in the reader"))
        self.jump_button.clicked.connect(lambda: self._with_current(self.jump_to))
        self.type_button = QToolButton()
        self.type_button.setText(self.tr("Type"))
        self.type_button.setToolTip(self.tr("Change the tag type of the selected annotations"))
        self.type_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.type_menu = QMenu(self.type_button)
        self.type_menu.aboutToShow.connect(self._fill_type_menu)
        self.type_button.setMenu(self.type_menu)
        self.entity_button = QPushButton(self.tr("&Entity…"))
        self.entity_button.setToolTip(self.tr("Link the selected annotation to another entity"))
        self.entity_button.clicked.connect(lambda: self._with_current(self.pick_entity))
        self.edit_button = QPushButton(self.tr("Ed&it…"))
        self.edit_button.setToolTip(
            self.tr("Edit entity, note and figure fields (or double-click the note cell)")
        )
        self.edit_button.clicked.connect(lambda: self._with_current(self.edit))
        self.delete_button = QPushButton(self.tr("&Delete"))
        self.delete_button.clicked.connect(lambda: self.delete(self.selected_ids()))

        delete_action = QAction(self.tr("Delete annotation"), self)
        delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(lambda: self.delete(self.selected_ids()))
        self.view.addAction(delete_action)
        # Verify claim…, Mark sensitive, Reveal passage (desktop.review.claims).
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.reveal_state = RevealState.of(ctx)
        self._article_hidden = False
        self.model.hidden = lambda ann: (
            self._article_hidden or (ann.sensitive and not self.reveal_state.is_revealed(ann.id))
        )
        self.reveal_state.changed.connect(self.refresh)

        buttons = button_rows(
            (self.jump_button, self.edit_button, self.delete_button),
            (self.type_button, self.entity_button),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        ctx.articleShown.connect(self.show_article)
        ctx.annotationAtCursor.connect(self._follow_reader)
        ctx.annotationsChanged.connect(self._annotations_changed)
        ctx.entitiesChanged.connect(self._reread)
        ctx.changed.connect(self._delta)
        self._reads = 0
        self._stale = False
        if ctx.current_article_id:
            self.show_article(ctx.current_article_id)

    # -- content -------------------------------------------------------------

    def show_article(self, article_id: str) -> None:
        """List the annotations of an article ("" for none)."""
        self.article_id = article_id or None
        self.refresh()

    def refresh(self) -> None:
        """Read the annotations again, keeping the selection where possible."""
        self._reads += 1  # a read still on its way is older than this one
        self._stale = False
        keep = set(self.selected_ids())
        if self.article_id is None:
            self.model.set_annotations([])
            return
        try:
            flagged = review.get_review(self.ctx.archive, self.article_id).sensitive
        except SesameError:
            flagged = False
        self._article_hidden = flagged and not self.reveal_state.is_revealed(self.article_id)
        self.model.set_annotations(load_annotations(self.ctx.archive, self.article_id))
        for ann_id in keep:
            row = self.model.row_of(ann_id)
            if row is not None:
                self.view.selectRow(row)

    def _annotations_changed(self, article_id: str) -> None:
        if self.article_id and article_id in (self.article_id, ""):
            self._reread()

    def _delta(self, delta: ViewDelta) -> None:
        """The window's writes: read again only if they touched the rows shown."""
        if self.article_id and delta.concerns_article(
            self.article_id, [a.entity_id for a in self.model.annotations()]
        ):
            self._reread()

    def _reread(self) -> None:
        """Read the rows again off the GUI thread and show what differs (rows removed,
        inserted, changed: the selection stays); hidden in a shown window (a background
        tab), only note it and read when shown."""
        if self.article_id is None:
            return
        if self.window().isVisible() and not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self._reads += 1
        generation, article_id = self._reads, self.article_id

        def show(found: tuple[list[ReadingAnnotation], Any]) -> None:
            if generation == self._reads and article_id == self.article_id:
                annotations, fields = found
                flagged = bool(fields is not None and fields.sensitive)
                self._article_hidden = flagged and not self.reveal_state.is_revealed(article_id)
                self.model.replace_rows(annotations)

        ArticleReads.of(self.ctx).request(article_id, self, show)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale:
            self._reread()

    def _follow_reader(self, annotation_id: str) -> None:
        """Show which row the reader's cursor is in (without jumping back to it)."""
        row = self.model.row_of(annotation_id) if annotation_id else None
        if row is None:
            return
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)

    def _context_menu(self, pos: Any) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        ann = self.model.annotation(index.row())
        menu.addActions(claim_actions(self.ctx, self, ann))
        menu.addSeparator()
        menu.addActions(self.role_actions(ann, menu))
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def role_actions(self, ann: ReadingAnnotation, parent: QObject | None = None) -> list[QAction]:
        """ "Add role…" and "Add relation…" anchored to one annotation (owned by `parent`,
        e.g. the context menu, else by the panel)."""
        article_id = self.article_id or ""
        anchor = role_ui.Anchor(article_id, ann.quote, annotation_id=ann.id)
        return role_ui.claim_actions(
            self.ctx, self, lambda: anchor, ann.entity_name or "", ann.type_key, parent
        )

    def selected_ids(self) -> list[str]:
        """Ids of the selected annotations."""
        return [self.model.annotation(r).id for r in selected_rows(self.view)]

    def _with_current(self, fn: Any) -> None:
        rows = selected_rows(self.view)
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        if rows:
            fn(rows[0])

    # -- actions -------------------------------------------------------------

    def jump_to(self, row: int) -> None:
        """Select the annotation's passage in the reader and scroll to it."""
        ann = self.model.annotation(row)
        if self.article_id:
            self.ctx.open_article(self.article_id, [(ann.start, ann.end)])

    def edit(self, row: int) -> None:
        """Open the (non-blocking) form with the annotation's entity, note and figure fields."""
        ann = self.model.annotation(row)
        prefill = {
            "entity": ann.entity_name or "",
            "note": ann.note,
            "value": ann.value,
            "qualifier": ann.qualifier,
            "counted": ann.counted,
            "as_of": ann.as_of,
            "low": ann.low,
            "high": ann.high,
        }
        if ann.type_key == "event" and ann.entity_id:
            prefill.update(event_prefill(self.ctx.archive, ann.entity_id))
        dialog = TagDialog(
            type_key=ann.type_key,
            type_label=ann.type_label,
            start=ann.start,
            end=ann.end,
            quote=ann.quote,
            choices=choices_for(self.ctx, ann.type_key),
            figure=ann.type_key == FIGURE_TYPE,
            prefill=prefill,
            title=self.tr("Edit {0}").format(ann.type_label),
            parent=self,
        )
        dialog.tagRequested.connect(lambda req: self.apply_edit(ann.id, req))
        open_held(self, "entity_dialog", dialog)

    def apply_edit(self, annotation_id: str, req: Any) -> None:
        """Store what the edit form changed (one undo step; nothing if nothing changed)."""
        ann: ReadingAnnotation | None = self.model.find(annotation_id)
        if ann is None:
            return
        changes: dict[str, Any] = {}
        if req.note != ann.note:
            changes["note"] = req.note
        if ann.type_key == "figure":
            for key, value in req.figure_fields().items():
                if value != getattr(ann, key):
                    changes[key] = value
        details = req.event_details()
        relink = req.new_entity_name or req.entity_id != ann.entity_id or details
        if not changes and not relink:
            return

        def edit(ch: Any) -> None:
            entity_id = entities.link_entity(
                ch, ann.type_key, req.entity_id, req.new_entity_name, details
            )
            fields = dict(changes)
            if entity_id != ann.entity_id:
                fields["entity_id"] = entity_id
            if fields:
                annotate.update_annotation(ch, annotation_id, **fields)

        write(self, self.ctx, "Edit annotation", edit)

    def set_note(self, annotation_id: str, note: str) -> None:
        """Change an annotation's note (one undo step)."""
        write(
            self,
            self.ctx,
            "Edit note",
            lambda ch: annotate.update_annotation(ch, annotation_id, note=note),
            on_error=lambda _message: self.refresh(),
        )

    def _fill_type_menu(self) -> None:
        self.type_menu.clear()
        for info in tagtypes.list_tag_types(self.ctx.archive):
            action = self.type_menu.addAction(swatch(info.colour), info.label)
            action.triggered.connect(
                lambda _=False, key=info.key: self.change_type(self.selected_ids(), key)
            )

    def change_type(self, annotation_ids: list[str], type_key: str) -> None:
        """Give annotations another tag type (their entity link is dropped if it no longer fits)."""
        if not annotation_ids:
            return
        by_id = {a.id: a for a in self.model.annotations()}
        edits: list[tuple[str, dict[str, Any]]] = []
        for ann_id in annotation_ids:
            ann = by_id.get(ann_id)
            if ann is None or ann.type_key == type_key:
                continue
            changes: dict[str, Any] = {"type_key": type_key}
            if ann.entity_id:
                changes["entity_id"] = None
            edits.append((ann_id, changes))
        if not edits:
            return

        def retype(ch: Any) -> None:
            for ann_id, changes in edits:
                annotate.update_annotation(ch, ann_id, **changes)

        write(self, self.ctx, f"Change type to {type_key}", retype)

    def pick_entity(self, row: int) -> None:
        """Open the (non-blocking) entity picker for the annotation in `row`."""
        ann = self.model.annotation(row)
        dialog = EntityDialog(
            type_label=ann.type_label,
            choices=choices_for(self.ctx, ann.type_key),
            current=ann.entity_name or "",
            parent=self,
        )
        dialog.entityChosen.connect(
            lambda entity_id, new_name: self.change_entity(ann.id, entity_id, new_name)
        )
        open_held(self, "entity_dialog", dialog)

    def change_entity(
        self, annotation_id: str, entity_id: str | None, new_name: str | None = None
    ) -> None:
        """Link an annotation to an entity, a new entity called `new_name`, or none."""
        ann: ReadingAnnotation | None = self.model.find(annotation_id)
        if ann is None or (not new_name and entity_id == ann.entity_id):
            return

        def relink(ch: Any) -> None:
            target = entities.link_entity(ch, ann.type_key, entity_id, new_name)
            annotate.update_annotation(ch, annotation_id, entity_id=target)

        write(self, self.ctx, "Change entity", relink)

    def delete(self, annotation_ids: list[str]) -> None:
        """Delete annotations (one undo step)."""
        if not annotation_ids:
            return
        ids = list(annotation_ids)
        label = "Delete annotation" if len(ids) == 1 else f"Delete {len(ids)} annotations"

        def remove(ch: Any) -> None:
            for ann_id in ids:
                annotate.delete_annotation(ch, ann_id)

        write(self, self.ctx, label, remove)
