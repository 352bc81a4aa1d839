"""The tagging form (entity, note, event and figure fields) and the entity picker, shared by
the reader, the annotations panel and the suggestions panel; its rules without Qt (what
it starts with, how a date or a number reads, the qualifiers) are `archive.tagform`'s.

The form never blocks: the reader opens it with `open()` and listens for
`tagRequested`. Enter confirms (an empty entity name means "no entity"),
Esc cancels. Names and aliases of existing entities of the tag type are
offered as completions; a name that matches none creates a new entity.
The entity field starts with the best name for the selection, fully
selected so typing replaces it. An event also gets a date (or range) and
a place, kept on its entity (the start date also on the tag, as its
as-of). A figure without a value is stored only after a second Enter (the
archive allows it; the form says what it means).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from archive.models import DATE_PRECISIONS, PLACE_PRECISIONS
from archive.tagform import (
    DEFAULT_QUALIFIER,
    QUALIFIERS,
    EntityChoice,
    FormFields,
    FormProblem,
    NoValue,
    TagRequest,
    choice_names,
    entity_choices,
    read_form,
    resolve_choice,
)
from desktop.context import AppContext, one_per_context


class EntityChoices(QObject):
    """The entities each tag type's picker offers, cached until entities change (one per
    context): reading them with mention counts takes ~100 ms in a big archive, too slow
    for every key press. After a change the types in use are read again in the
    background, ready for the next form."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self._choices: dict[str, list[EntityChoice]] = {}
        self._generation = 0
        ctx.entitiesChanged.connect(self._entities_changed)
        ctx.changed.connect(
            lambda delta: self._entities_changed() if delta.entities_changed else None
        )

    @classmethod
    def of(cls, ctx: AppContext) -> EntityChoices:
        """The cache of `ctx`, made on first use."""
        return one_per_context(ctx, cls, "entityChoices")

    def choices(self, type_key: str) -> list[EntityChoice]:
        """Entities of a tag type for the picker (read now if not cached)."""
        found = self._choices.get(type_key)
        if found is None:
            found = self._choices[type_key] = entity_choices(self.ctx.archive, type_key)
        return found

    def _entities_changed(self) -> None:
        used = list(self._choices)
        self._choices.clear()
        self._generation += 1
        if self.ctx.tasks is None:
            return
        generation = self._generation
        for key in used:
            self.ctx.tasks.run(
                "Reading entities",
                entity_choices,
                self.ctx.archive,
                key,
                with_progress=False,
                show=False,
                on_result=lambda result, key=key: self._prefetched(generation, key, result),
            )

    def _prefetched(self, generation: int, type_key: str, result: list[EntityChoice]) -> None:
        if generation == self._generation:
            self._choices.setdefault(type_key, result)


def choices_for(ctx: AppContext, type_key: str) -> list[EntityChoice]:
    """Live entities of a tag type for a picker, from the context's cache."""
    return EntityChoices.of(ctx).choices(type_key)


class EntityPicker(QLineEdit):
    """A line edit completing over entity names and aliases of one tag type."""

    def __init__(self, choices: list[EntityChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Every name and alias offered, normalised -> (as written, its entity).
        self.names = choice_names(choices)
        entries = [text for text, _choice in self.names.values()]
        self.model = QStringListModel(sorted(entries, key=str.casefold), self)
        completer = QCompleter(self.model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self.setPlaceholderText(self.tr("Name (empty: no entity; a new name creates one)"))

    def resolve(self) -> tuple[str | None, str | None]:
        """(existing entity id, None), (None, new name) or (None, None) for no entity."""
        return resolve_choice(self.text(), self.names)


class TagDialog(QDialog):
    """Details for a new annotation (or a change of entity on an existing one)."""

    tagRequested = Signal(object)  # TagRequest

    def __init__(
        self,
        *,
        type_key: str,
        type_label: str,
        start: int,
        end: int,
        quote: str,
        choices: list[EntityChoice],
        figure: bool = False,
        prefill: dict[str, Any] | None = None,
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("Tag as {0}").format(type_label))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.type_key, self.start, self.end = type_key, start, end
        self.is_figure = figure
        self.is_event = type_key == "event"
        self._warned_no_value = False
        prefill = prefill or {}
        # Wide enough for the entity placeholder and a two-line quote.
        self.setMinimumWidth(380)

        layout = QVBoxLayout(self)
        shown = quote if len(quote) <= 160 else quote[:157] + "…"
        self.quote_label = QLabel(f"“{shown}”")
        self.quote_label.setTextFormat(Qt.TextFormat.PlainText)
        self.quote_label.setWordWrap(True)
        layout.addWidget(self.quote_label)

        form = QFormLayout()
        self.entity_edit = EntityPicker(choices, self)
        self.entity_edit.setText(prefill.get("entity", ""))
        self.entity_edit.selectAll()
        form.addRow(self.tr("&Entity:"), self.entity_edit)
        self.date_edit = QLineEdit(self)
        self.date_edit.setPlaceholderText(self.tr("YYYY-MM-DD, or a range: … to …"))
        self.date_edit.setText(prefill.get("date") or "")
        self.place_edit = QLineEdit(self)
        self.place_edit.setText(prefill.get("place") or "")
        # How precise the date and place are; "" = as typed (2021-03 is a month) / not said.
        self.date_precision_combo = precision_combo(
            self, DATE_PRECISIONS, prefill.get("date_precision"), self.tr("(as typed)")
        )
        self.place_precision_combo = precision_combo(
            self, PLACE_PRECISIONS, prefill.get("place_precision"), self.tr("(not said)")
        )
        if self.is_event:
            form.addRow(self.tr("&Date:"), self.date_edit)
            form.addRow(self.tr("Date p&recision:"), self.date_precision_combo)
            form.addRow(self.tr("&Place:"), self.place_edit)
            form.addRow(self.tr("Place prec&ision:"), self.place_precision_combo)
        else:
            for widget in (
                self.date_edit,
                self.place_edit,
                self.date_precision_combo,
                self.place_precision_combo,
            ):
                widget.hide()
        self.note_edit = QLineEdit(self)
        self.note_edit.setText(prefill.get("note", ""))
        form.addRow(self.tr("&Note:"), self.note_edit)

        self.value_edit = QLineEdit(self)
        self.value_edit.setPlaceholderText(self.tr("a number, e.g. 600, or a range: 500-600"))
        # A range the source states (UCDP's low / high; the value is the best estimate).
        self.low_edit = QLineEdit(self)
        self.low_edit.setPlaceholderText(self.tr("low estimate (optional)"))
        self.high_edit = QLineEdit(self)
        self.high_edit.setPlaceholderText(self.tr("high estimate (optional)"))
        self.qualifier_combo = QComboBox(self)
        self.qualifier_combo.addItems(QUALIFIERS)
        self.counted_edit = QLineEdit(self)
        self.as_of_edit = QLineEdit(self)
        self.as_of_edit.setPlaceholderText("YYYY-MM-DD")
        if figure:
            value = prefill.get("value")
            self.value_edit.setText("" if value is None else f"{value:g}")
            qualifier = prefill.get("qualifier") or DEFAULT_QUALIFIER
            if qualifier in QUALIFIERS:
                self.qualifier_combo.setCurrentText(qualifier)
            self.counted_edit.setText(prefill.get("counted") or "")
            self.as_of_edit.setText(prefill.get("as_of") or "")
            for edit, key in ((self.low_edit, "low"), (self.high_edit, "high")):
                bound = prefill.get(key)
                edit.setText("" if bound is None else f"{bound:g}")
            form.addRow(self.tr("&Value:"), self.value_edit)
            form.addRow(self.tr("&Low:"), self.low_edit)
            form.addRow(self.tr("&High:"), self.high_edit)
            form.addRow(self.tr("&Qualifier:"), self.qualifier_combo)
            form.addRow(self.tr("&Counted:"), self.counted_edit)
            form.addRow(self.tr("&As of:"), self.as_of_edit)
        else:
            for widget in (
                self.value_edit,
                self.qualifier_combo,
                self.counted_edit,
                self.low_edit,
                self.high_edit,
            ):
                widget.hide()
            self.as_of_edit.hide()
        layout.addLayout(form)

        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people
        self.error_label.setStyleSheet("color: #c0392b")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.entity_edit.setFocus()

    def request(self) -> TagRequest | None:
        """The filled-in request, or None (with a message shown) if a field is wrong."""
        fields = FormFields(
            entity=self.entity_edit.text(),
            note=self.note_edit.text(),
            date=self.date_edit.text(),
            place=self.place_edit.text(),
            value=self.value_edit.text(),
            qualifier=self.qualifier_combo.currentText(),
            counted=self.counted_edit.text(),
            as_of=self.as_of_edit.text(),
            low=self.low_edit.text(),
            high=self.high_edit.text(),
            date_precision=self.date_precision_combo.currentData() or "",
            place_precision=self.place_precision_combo.currentData() or "",
        )
        try:
            return read_form(
                self.type_key,
                self.start,
                self.end,
                fields,
                self.entity_edit.names,
                figure=self.is_figure,
                value_optional=self._warned_no_value,
            )
        except NoValue as problem:
            # The archive keeps figures without a number; say so before storing one.
            self._warned_no_value = True
            self._error(str(problem))
            self.value_edit.setFocus()
        except FormProblem as problem:
            self._error(str(problem))
        return None

    def _error(self, message: str) -> None:
        self.error_label.setWordWrap(True)
        self.error_label.setText(message)
        self.error_label.show()

    def accept(self) -> None:
        """Confirm: emit `tagRequested` unless a field is wrong."""
        req = self.request()
        if req is None:
            return
        super().accept()
        self.tagRequested.emit(req)


def precision_combo(
    parent: QWidget, values: tuple[str, ...], current: str | None, unset: str
) -> QComboBox:
    """A combo of precisions (`unset` first, meaning none given), set to `current`."""
    combo = QComboBox(parent)
    combo.addItem(unset, "")
    for value in values:
        combo.addItem(value, value)
    combo.setCurrentIndex(max(0, combo.findData(current or "")))
    return combo


class EntityDialog(QDialog):
    """Pick (or name a new) entity of one tag type; emits `entityChosen(id, new_name)`.

    Both are None for "no entity"; a new name comes with id None.
    """

    entityChosen = Signal(object, object)

    def __init__(
        self,
        *,
        type_label: str,
        choices: list[EntityChoice],
        current: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("{0} entity").format(type_label))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.entity_edit = EntityPicker(choices, self)
        self.entity_edit.setText(current)
        form.addRow(self.tr("&Entity:"), self.entity_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Confirm the choice."""
        entity_id, new_name = self.entity_edit.resolve()
        super().accept()
        self.entityChosen.emit(entity_id, new_name)
