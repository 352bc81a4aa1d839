"""The entity registry: entities by type with mention counts, every mention, rename,
aliases and merge (each an undo step)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QLocale, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive import annotate, entities, tagtypes
from archive.entities import EntityInfo, Mention
from archive.errors import SesameError
from archive.models import DATE_PRECISIONS, PLACE_PRECISIONS, new_id
from desktop.context import AppContext
from desktop.models import Index, RowTableModel
from desktop.review.reveal import QuoteMask, RevealState, repaint
from desktop.roles import ClaimTableModel, entity_claims
from desktop.tag_form import precision_combo
from desktop.widgets import (
    RereadingPanel,
    ask_text,
    button_rows,
    make_table,
    open_held,
    run_read,
    selected_rows,
    short,
    show_status,
    swatch,
    tell,
    tip,
    write,
)

SortRole = Qt.ItemDataRole.UserRole + 2


def fit_to_texts(view: QTableView, column: int, texts: set[str]) -> None:
    """Make `column` as wide as the longest of `texts` (and its header), from the view's
    font: what ResizeToContents gives, without asking every cell for its size."""
    metrics = view.fontMetrics()
    # The delegate's own padding: the focus frame's margin on each side, plus one.
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
    widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
    header = view.horizontalHeader()
    header.resizeSection(column, max(widest + 2 * (margin + 1) + 2, header.sectionSizeHint(column)))


class EntityTableModel(RowTableModel):
    """Rows of `EntityInfo`: name, type, aliases, mentions."""

    COLUMNS = ("Name", "Type", "Aliases", "Mentions")
    NAME, TYPE, ALIASES, MENTIONS = range(4)
    IdRole = Qt.ItemDataRole.UserRole + 1

    _rows: list[EntityInfo]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._types: dict[str, tagtypes.TagTypeInfo] = {}

    def set_entities(self, rows: list[EntityInfo], types: dict[str, tagtypes.TagTypeInfo]) -> None:
        """Replace every row."""
        with self.resetting():
            self._rows = list(rows)
            self._types = dict(types)

    def entity(self, row: int) -> EntityInfo:
        """The entity in `row`."""
        return self._rows[row]

    def names(self) -> dict[str, str]:
        """Entity id -> name of every entity shown."""
        return {info.id: info.name for info in self._rows}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        info = self.item(index)
        if info is None:
            return None
        col = index.column()
        tag_type = self._types.get(info.type)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(info, col, tag_type)
        if role == SortRole:  # asked twice per comparison as rows come in: kept direct
            if col == self.MENTIONS:
                return info.mentions
            return str(self._display(info, col, tag_type)).casefold()
        elif role == Qt.ItemDataRole.DecorationRole and col == self.NAME and tag_type:
            return swatch(tag_type.colour)
        elif role == Qt.ItemDataRole.TextAlignmentRole and col == self.MENTIONS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == Qt.ItemDataRole.ToolTipRole:
            return tip(_tooltip_text(info))
        elif role == self.IdRole:
            return info.id
        return None

    def _display(self, info: EntityInfo, col: int, tag_type: tagtypes.TagTypeInfo | None) -> Any:
        if col == self.NAME:
            return info.name
        if col == self.TYPE:
            return tag_type.label if tag_type else info.type
        if col == self.ALIASES:
            return ", ".join(info.aliases)
        if col == self.MENTIONS:
            return info.mentions
        return None


def _tooltip_text(info: EntityInfo) -> str:
    """Name, other names, description, and an event's date and place: one per line."""
    lines = [info.name]
    if info.aliases:
        lines.append("Also: " + ", ".join(info.aliases))
    if info.description:
        lines.append(info.description)
    if info.date_start or info.place:
        when = info.date_start or ""
        if info.date_end:
            when += f" – {info.date_end}"
        lines.append(" ".join(x for x in (when, info.place or "") if x))
    return "\n".join(lines)


class MentionTableModel(RowTableModel):
    """Rows of `Mention`: article, source, date, quote, note."""

    COLUMNS = ("Article", "Source", "Date", "Quote", "Note")

    _rows: list[Mention]
    mask: QuoteMask | None = None  # quotes of sensitive passages hidden until revealed

    def quote(self, m: Mention) -> str:
        """The mention's quote, or that it is hidden (`desktop.review.reveal.QuoteMask`)."""
        if self.mask is None:
            return m.quote
        return self.mask.quote(m.quote, m.article_id, m.annotation_id, m.start, m.end)

    def set_mentions(self, rows: list[Mention]) -> None:
        """Replace every row."""
        self.set_rows(rows)

    def mention(self, row: int) -> Mention:
        """The mention in `row`."""
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        m = self.item(index)
        if m is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                m.article_title or "(untitled)",
                m.article_source or "",
                m.article_published or "",
                short(self.quote(m)),
                m.note,
            ][col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return tip(self.quote(m) + ("\n(orphaned)" if m.orphaned else ""))
        return None


class EntityDetailsDialog(QDialog):
    """Description of an entity; for events also a date or date range and a place.

    Non-blocking: `open()` it and listen to `detailsChosen(dict)`.
    """

    detailsChosen = Signal(object)  # a dict (Signal(dict) copies it through a QVariantMap)

    def __init__(self, info: EntityInfo, *, event: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Details of {0}").format(info.name))
        self.is_event = event
        form = QFormLayout()
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setPlainText(info.description)
        self.description_edit.setTabChangesFocus(True)
        form.addRow(self.tr("&Description:"), self.description_edit)
        self.start_edit = QLineEdit(info.date_start or "", self)
        self.start_edit.setPlaceholderText("YYYY-MM-DD")
        self.end_edit = QLineEdit(info.date_end or "", self)
        self.end_edit.setPlaceholderText(self.tr("(optional) YYYY-MM-DD"))
        self.place_edit = QLineEdit(info.place or "", self)
        self.date_precision_combo = precision_combo(
            self, DATE_PRECISIONS, info.date_precision, self.tr("(as typed)")
        )
        self.place_precision_combo = precision_combo(
            self, PLACE_PRECISIONS, info.place_precision, self.tr("(not said)")
        )
        if event:
            form.addRow(self.tr("&Date:"), self.start_edit)
            form.addRow(self.tr("&Until:"), self.end_edit)
            form.addRow(self.tr("Date p&recision:"), self.date_precision_combo)
            form.addRow(self.tr("&Place:"), self.place_edit)
            form.addRow(self.tr("Place prec&ision:"), self.place_precision_combo)
        else:
            for widget in (
                self.start_edit,
                self.end_edit,
                self.place_edit,
                self.date_precision_combo,
                self.place_precision_combo,
            ):
                widget.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def details(self) -> dict[str, Any]:
        """The fields as `update_entity` takes them (empty dates and place: None)."""
        values: dict[str, Any] = {"description": self.description_edit.toPlainText().strip()}
        if self.is_event:
            values["date_start"] = self.start_edit.text().strip() or None
            values["date_end"] = self.end_edit.text().strip() or None
            values["place"] = self.place_edit.text().strip() or None
            # "(as typed)": the core reads the precision from the dates (2021-03: a month).
            if self.date_precision_combo.currentData():
                values["date_precision"] = self.date_precision_combo.currentData()
            values["place_precision"] = self.place_precision_combo.currentData() or None
        return values

    def accept(self) -> None:
        """Confirm: emit the details."""
        super().accept()
        self.detailsChosen.emit(self.details())


class EntitiesPanel(RereadingPanel):
    """Entities by type with mention counts; the selected one's mentions below.

    Public API: `refresh()` (reads in the background, then `loaded`),
    `set_type_filter(key | None)`, `model`, `proxy`, `view`, `mentions_model`,
    `mentions_view`, `select_entity(id)`,
    `selected_ids()`, `open_mention(row)`, `create(type_key, name)`, `rename(id, name)`,
    `set_aliases(id, aliases)`, `set_details(id, **fields)`, `merge(keep_id, other_id)`,
    `details_dialog` (the open details form, if any).
    """

    statusMessage = Signal(str)
    # The list was read again (after `refresh()`, which reads in the background).
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entitiesPanel")
        self.ctx = ctx
        self._type_key: str | None = None
        self._current_id: str | None = None
        # The current entity's mentions, read with the rows after a write (see _fill).
        self._details: _Details | None = None
        # The entity to make current once the next read lands (e.g. one just created).
        self._wanted: str | None = None

        self.type_combo = QComboBox(self)
        self.type_combo.currentIndexChanged.connect(self._type_chosen)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filter names"))
        self.filter_edit.setClearButtonEnabled(True)

        self.model = EntityTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = make_table(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(EntityTableModel.NAME, Qt.SortOrder.AscendingOrder)
        # Name and mentions always in view in a narrow dock (aliases: see the tooltip).
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        # Type and mentions fit their longest text, measured by `_fit_columns` from the
        # font: ResizeToContents asked every row's cells for their size (some 80 `data`
        # calls a row) each time rows came in, 135-210 ms of the window's thread after a
        # bundle import of 100 entities (bench/bundle_window_bench.py --trace); 2-3 ms so.
        fixed = QHeaderView.ResizeMode.Fixed
        header.setSectionResizeMode(EntityTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(EntityTableModel.TYPE, fixed)
        header.setSectionResizeMode(EntityTableModel.MENTIONS, fixed)
        self.view.setColumnWidth(EntityTableModel.ALIASES, 90)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)

        self.mentions_model = MentionTableModel(self)
        self.mentions_view = make_table(self, multi=False)
        self.mentions_view.setModel(self.mentions_model)
        # Article and quote share the width; source, date and note just fit, measured as
        # the entity columns are (`_fit_mentions`: ResizeToContents was 20-40 ms of the
        # GUI thread for an entity's 78 mentions, each time they were read again).
        fit = QHeaderView.ResizeMode.ResizeToContents
        fixed = QHeaderView.ResizeMode.Fixed
        mentions_header = self.mentions_view.horizontalHeader()
        mentions_header.setStretchLastSection(False)
        for col, mode in enumerate(
            (stretch := QHeaderView.ResizeMode.Stretch, fixed, fixed, stretch, fixed)
        ):
            mentions_header.setSectionResizeMode(col, mode)
        self.mentions_view.doubleClicked.connect(lambda index: self.open_mention(index.row()))
        self.mentions_label = QLabel(self.tr("Mentions"))
        self.mentions_label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people
        # An event's roles; an actor's roles and relations (archive.roles), each opening
        # the passage it rests on.
        self.claims_model = ClaimTableModel(self)
        self.claims_view = make_table(self, multi=False)
        self.claims_view.setModel(self.claims_model)
        claims_header = self.claims_view.horizontalHeader()
        claims_header.setStretchLastSection(False)
        for col, mode in enumerate((stretch, stretch, fit)):
            claims_header.setSectionResizeMode(col, mode)
        self.claims_view.doubleClicked.connect(lambda index: self.open_claim(index.row()))
        self.claims_label = QLabel(self.tr("Roles and relations"))
        self.claims_label.setTextFormat(Qt.TextFormat.PlainText)

        self.new_button = QPushButton(self.tr("&New…"))
        self.new_button.setToolTip(self.tr("Add an entity of the type chosen above"))
        self.new_button.clicked.connect(self._ask_new)
        self.rename_button = QPushButton(self.tr("&Rename…"))
        self.rename_button.clicked.connect(self._ask_rename)
        self.aliases_button = QPushButton(self.tr("&Aliases…"))
        self.aliases_button.setToolTip(self.tr("Other names of this entity, separated by ;"))
        self.aliases_button.clicked.connect(self._ask_aliases)
        self.merge_button = QPushButton(self.tr("&Merge…"))
        self.merge_button.setToolTip(
            self.tr("Select two entities of one type, then merge one into the other")
        )
        self.merge_button.clicked.connect(self._offer_merge)
        self.details_button = QPushButton(self.tr("&Details…"))
        self.details_button.setToolTip(self.tr("Description; for events a date and a place"))
        self.details_button.clicked.connect(self._ask_details)
        self.details_dialog: EntityDetailsDialog | None = None

        top = QHBoxLayout()
        top.addWidget(self.type_combo)
        top.addWidget(self.filter_edit, 1)
        buttons = button_rows(
            (self.new_button, self.rename_button, self.aliases_button),
            (self.details_button, self.merge_button),
        )
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.view, 1)
        upper_layout.addLayout(buttons)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.mentions_label)
        lower_layout.addWidget(self.mentions_view, 1)
        lower_layout.addWidget(self.claims_label)
        lower_layout.addWidget(self.claims_view, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self._watch_changes(ctx)
        RevealState.of(ctx).changed.connect(self._reveal_changed)
        self._fill_types()
        self.refresh()

    # -- content -------------------------------------------------------------

    def _fill_types(self) -> None:
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem(self.tr("All types"), None)
        self._types = {t.key: t for t in tagtypes.list_tag_types(self.ctx.archive)}
        for info in self._types.values():
            self.type_combo.addItem(swatch(info.colour), info.label, info.key)
        index = self.type_combo.findData(self._type_key)
        self.type_combo.setCurrentIndex(max(index, 0))
        self.type_combo.blockSignals(False)

    def _type_chosen(self, _index: int) -> None:
        self._type_key = self.type_combo.currentData()
        self.refresh()

    def set_type_filter(self, type_key: str | None) -> None:
        """Show only entities of one tag type (None: all)."""
        self.type_combo.setCurrentIndex(max(self.type_combo.findData(type_key), 0))
        self._type_key = type_key
        self.refresh()

    def concerns(self, delta: Any) -> bool:
        """Entities, roles or relations written, a mention linked or unlinked, or a
        mention of the entity shown edited (its quote or note)."""
        return (
            delta.entities_changed
            or bool(delta.linked_entities)
            or (self._current_id is not None and self._current_id in delta.annotation_entities)
        )

    def refresh(self) -> None:
        """Read entities and counts again, and the current entity's mentions (off the GUI
        thread); the rows that differ are updated in place; `loaded` says when done."""
        generation, type_key, archive = self._next_read(), self._type_key, self.ctx.archive
        current = self._wanted or self._current_id

        def read() -> tuple[list[tagtypes.TagTypeInfo], list[EntityInfo], _Details | None]:
            return (
                tagtypes.list_tag_types(archive),
                entities.list_entities(archive, type_key),
                _details_or_none(archive, current),
            )

        run_read(
            self.ctx,
            self,
            "Reading entities",
            read,
            on_result=lambda result: self._fill(generation, *result),
            on_error=lambda message: show_status(self, message),
        )

    def _fill(
        self,
        generation: int,
        types: list[tagtypes.TagTypeInfo],
        rows: list[EntityInfo],
        details: _Details | None = None,
    ) -> None:
        if generation != self._generation:
            return  # a newer read is on its way
        current = self._wanted or self._current_id
        self._wanted = None
        shown = {t.key: t for t in types}
        if shown == self.model._types:
            self.model.replace_rows(rows)  # the selection and the scroll position stay
        else:
            self.model.set_entities(rows, shown)
        self._types = shown
        self._fit_columns()
        if current and self.model.row_of(current) is not None:
            if details is not None and details.entity_id == current:
                self._details = details  # read with the rows: no read here
            self.select_entity(current)
        else:
            self._current_id = None
            self.mentions_model.set_mentions([])
            self._fit_mentions()
            self.mentions_label.setText(self.tr("Mentions"))
            self.claims_model.set_rows([])
            self.claims_label.setText(self.tr("Roles and relations"))
        self.loaded.emit()

    def _fit_columns(self) -> None:
        """Type and mentions as wide as their longest text (and their header): the type
        labels shown and the largest count, measured once, not every row's cell."""
        model = self.model
        rows = model.rows()
        labels = {t.label for t in model._types.values()} | {
            r.type for r in rows if r.type not in model._types
        }
        most = max((r.mentions for r in rows), default=0)
        fit_to_texts(self.view, EntityTableModel.TYPE, labels)
        fit_to_texts(self.view, EntityTableModel.MENTIONS, {QLocale().toString(most)})

    def _fit_mentions(self) -> None:
        """The mentions' source, date and note columns as wide as their longest text."""
        rows = self.mentions_model.rows()
        for column, texts in (
            (1, {m.article_source or "" for m in rows}),
            (2, {m.article_published or "" for m in rows}),
            (4, {m.note for m in rows}),
        ):
            fit_to_texts(self.mentions_view, column, texts)

    def select_entity(self, entity_id: str) -> None:
        """Make an entity current (and show its mentions)."""
        row = self.model.row_of(entity_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.setCurrentIndex(index)
        self.view.selectRow(index.row())
        self._show_mentions(entity_id)

    def selected_ids(self) -> list[str]:
        """Ids of the selected entities (current one first)."""
        ids = [
            self.model.entity(self.proxy.mapToSource(self.proxy.index(r, 0)).row()).id
            for r in selected_rows(self.view)
        ]
        if self._current_id in ids:
            ids.remove(self._current_id)
            ids.insert(0, self._current_id)
        return ids

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        info = self.model.entity(self.proxy.mapToSource(current).row())
        self._show_mentions(info.id)

    def _show_mentions(self, entity_id: str) -> None:
        self._current_id = entity_id
        details, self._details = self._details, None
        if details is None or details.entity_id != entity_id:
            try:
                details = _read_details(self.ctx.archive, entity_id)
            except SesameError as exc:
                self.statusMessage.emit(str(exc))
                return
        found, info, claims = details.mentions, details.info, details.claims
        mask = QuoteMask(RevealState.of(self.ctx), details.parts)
        self.mentions_model.mask = self.claims_model.mask = mask
        self.mentions_model.set_mentions(found)
        self._fit_mentions()
        self.mentions_label.setText(self.tr("Mentions of {0}: {1}").format(info.name, len(found)))
        self.claims_model.set_rows(claims)
        self.claims_label.setText(
            self.tr("Roles and relations of {0}: {1}").format(info.name, len(claims))
        )

    def _reveal_changed(self) -> None:
        repaint(self.mentions_model)
        repaint(self.claims_model)

    def open_claim(self, row: int) -> None:
        """Open the passage a role or relation rests on, in the reader."""
        claim = self.claims_model.row(row)
        try:
            ann = annotate.get_annotation(self.ctx.archive, claim.annotation_id)
        except SesameError as exc:
            self.statusMessage.emit(str(exc))
            return
        self.ctx.open_article(ann.article_id, [(ann.start, ann.end)])

    def open_mention(self, row: int) -> None:
        """Open the article of a mention in the reader, at its span."""
        m = self.mentions_model.mention(row)
        self.ctx.open_article(m.article_id, [(m.start, m.end)])

    # -- changes -------------------------------------------------------------

    def _write(self, label: str, fn: Any, on_done: Any = None, wanted: str | None = None) -> None:
        if wanted is not None:
            self._wanted = wanted
        write(self, self.ctx, label, fn, on_done=on_done, on_error=self._refused)

    def _refused(self, _message: str) -> None:
        self._wanted = None

    def add_entity(self, type_key: str, name: str) -> str:
        """Add an entity (one undo step, in the background); returns the id it will have."""
        entity_id = new_id()
        self._write(
            f"New {type_key} “{name}”",
            lambda ch: entities.create_entity(ch, type_key, name, entity_id=entity_id),
            wanted=entity_id,
        )
        return entity_id

    def _ask_new(self) -> None:
        type_key = self._type_key or "actor"
        label = self._types[type_key].label if type_key in self._types else type_key
        ask_text(
            self,
            self.tr("New {0}").format(label),
            self.tr("Name of the new {0} (choose another type in the list above):").format(
                label.lower()
            ),
            "",
            lambda name: self.add_entity(type_key, name),
        )

    def rename(self, entity_id: str, new_name: str) -> None:
        """Rename an entity, keeping the old name as an alias (one undo step)."""
        self._write(
            f"Rename to “{new_name}”",
            lambda ch: entities.rename_entity(ch, entity_id, new_name),
        )

    def set_aliases(self, entity_id: str, aliases: list[str]) -> None:
        """Replace an entity's aliases (one undo step)."""
        self._write("Change aliases", lambda ch: entities.set_aliases(ch, entity_id, list(aliases)))

    def set_details(self, entity_id: str, **details: Any) -> None:
        """Set description, and for events date(s) and place (one undo step)."""
        self._write("Edit details", lambda ch: entities.update_entity(ch, entity_id, **details))

    def _ask_details(self) -> None:
        info = self._current_info()
        if info is None:
            return
        dialog = EntityDetailsDialog(info, event=info.type == "event", parent=self)
        dialog.detailsChosen.connect(lambda values: self.set_details(info.id, **values))
        open_held(self, "details_dialog", dialog)

    def merge(self, keep_id: str, other_id: str) -> None:
        """Merge OTHER into KEEP (in the background): its mentions follow, its names become
        aliases."""
        names = self.model.names()
        text = f"Merge “{names.get(other_id, '?')}” into “{names.get(keep_id, '?')}”"
        self._write(text, lambda ch: entities.merge_entities(ch, keep_id, other_id), wanted=keep_id)

    def _current_info(self) -> EntityInfo | None:
        return None if self._current_id is None else self.model.find(self._current_id)

    def _ask_rename(self) -> None:
        info = self._current_info()
        if info is None:
            return
        ask_text(
            self,
            self.tr("Rename"),
            self.tr("New name (the old one stays as an alias):"),
            info.name,
            lambda name: self.rename(info.id, name),
        )

    def _ask_aliases(self) -> None:
        info = self._current_info()
        if info is None:
            return
        ask_text(
            self,
            self.tr("Aliases"),
            self.tr("Other names of {0}, separated by ;").format(info.name),
            "; ".join(info.aliases),
            lambda text: self.set_aliases(info.id, [a for a in text.split(";") if a.strip()]),
        )

    def _offer_merge(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 2:
            tell(self, self.tr("Select exactly two entities to merge."))
            return
        names = self.model.names()
        a, b = ids
        menu = QMenu(self)
        menu.addAction(
            self.tr("Merge “{0}” into “{1}”").format(names[b], names[a]),
            lambda: self.merge(a, b),
        )
        menu.addAction(
            self.tr("Merge “{0}” into “{1}”").format(names[a], names[b]),
            lambda: self.merge(b, a),
        )
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self.merge_button.mapToGlobal(self.merge_button.rect().bottomLeft()))


@dataclass
class _Details:
    """What the panel shows of its current entity: mentions, claims, sensitive parts."""

    entity_id: str
    info: EntityInfo
    mentions: list[Mention]
    claims: list[Any]
    parts: dict[str, Any]


def _read_details(archive: Any, entity_id: str) -> _Details:
    """An entity's mentions, roles and relations and their articles' sensitive parts
    (on a pool thread after a write; SesameError if the entity is gone)."""
    from archive import review

    found = entities.mentions(archive, entity_id)
    info = entities.get_entity(archive, entity_id)
    claims = entity_claims(archive, entity_id, info.type)
    parts = review.sensitive_parts(
        archive, [m.article_id for m in found] + [c.article_id for c in claims]
    )
    return _Details(entity_id, info, found, claims, parts)


def _details_or_none(archive: Any, entity_id: str | None) -> _Details | None:
    if entity_id is None:
        return None
    try:
        return _read_details(archive, entity_id)
    except SesameError:
        return None  # gone: the panel shows another one
