"""The small form shown after pressing a tag key: entity, note, figure fields.

It never blocks: the reader opens it with `open()` and listens for
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

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
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

from archive.entities import norm_name

QUALIFIERS = ["exactly", "about", "at least", "more than", "less than", "up to"]


@dataclass
class EntityChoice:
    """An entity the picker can offer: its id, name and aliases."""

    id: str
    name: str
    aliases: list[str]


@dataclass
class TagRequest:
    """What the person asked for: a span, a type, and the details they filled in."""

    type_key: str
    start: int
    end: int
    entity_id: str | None = None
    new_entity_name: str | None = None
    note: str = ""
    value: float | None = None
    qualifier: str | None = None
    counted: str | None = None
    as_of: str | None = None
    # Events: when and where, kept on the event's entity.
    date_start: str | None = None
    date_end: str | None = None
    place: str | None = None

    def event_details(self) -> dict[str, Any]:
        """The event details given (date start/end, place), as `set_event_details` takes them."""
        details = {"date_start": self.date_start, "date_end": self.date_end, "place": self.place}
        return {k: v for k, v in details.items() if v}

    def figure_fields(self) -> dict[str, Any]:
        """Value, qualifier, counted and as-of, as the archive's functions take them."""
        return {
            "value": self.value,
            "qualifier": self.qualifier,
            "counted": self.counted,
            "as_of": self.as_of,
        }


DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def parse_date_range(text: str) -> tuple[str | None, str | None] | None:
    """ "2021-02-01" or "2021-02-01 to 2021-02-05" (also "/", "–") -> (start, end); None if bad."""
    text = text.strip()
    if not text:
        return None, None
    parts = [p.strip() for p in re.split(r"\s+to\s+|\s*[/–—]\s*|\s+-\s+", text, maxsplit=1)]
    if not all(DATE_RE.fullmatch(p) for p in parts):
        return None
    return parts[0], (parts[1] if len(parts) > 1 else None)


def parse_number(text: str) -> float | None:
    """A number typed in the value field ("1,500", "1 500", "2.5"); None if not one."""
    cleaned = re.sub(r"[,\s\u00a0_]", "", text.strip())
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


class EntityPicker(QLineEdit):
    """A line edit completing over entity names and aliases of one tag type."""

    def __init__(self, choices: list[EntityChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._by_text: dict[str, str] = {}
        entries: list[str] = []
        for choice in choices:
            for text in [choice.name, *choice.aliases]:
                key = norm_name(text)
                if key and key not in self._by_text:
                    self._by_text[key] = choice.id
                    entries.append(text)
        self.model = QStringListModel(sorted(entries, key=str.casefold), self)
        completer = QCompleter(self.model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self.setPlaceholderText(self.tr("Name (empty: no entity; a new name creates one)"))

    def resolve(self) -> tuple[str | None, str | None]:
        """(existing entity id, None), (None, new name) or (None, None) for no entity."""
        text = self.text().strip()
        if not text:
            return None, None
        entity_id = self._by_text.get(norm_name(text))
        return (entity_id, None) if entity_id else (None, text)


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
        if self.is_event:
            form.addRow(self.tr("&Date:"), self.date_edit)
            form.addRow(self.tr("&Place:"), self.place_edit)
        else:
            self.date_edit.hide()
            self.place_edit.hide()
        self.note_edit = QLineEdit(self)
        self.note_edit.setText(prefill.get("note", ""))
        form.addRow(self.tr("&Note:"), self.note_edit)

        self.value_edit = QLineEdit(self)
        self.value_edit.setPlaceholderText(self.tr("a number, e.g. 600"))
        self.qualifier_combo = QComboBox(self)
        self.qualifier_combo.addItems(QUALIFIERS)
        self.counted_edit = QLineEdit(self)
        self.as_of_edit = QLineEdit(self)
        self.as_of_edit.setPlaceholderText("YYYY-MM-DD")
        if figure:
            value = prefill.get("value")
            self.value_edit.setText("" if value is None else f"{value:g}")
            qualifier = prefill.get("qualifier") or "exactly"
            if qualifier in QUALIFIERS:
                self.qualifier_combo.setCurrentText(qualifier)
            self.counted_edit.setText(prefill.get("counted") or "")
            self.as_of_edit.setText(prefill.get("as_of") or "")
            form.addRow(self.tr("&Value:"), self.value_edit)
            form.addRow(self.tr("&Qualifier:"), self.qualifier_combo)
            form.addRow(self.tr("&Counted:"), self.counted_edit)
            form.addRow(self.tr("&As of:"), self.as_of_edit)
        else:
            for widget in (self.value_edit, self.qualifier_combo, self.counted_edit):
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
        entity_id, new_name = self.entity_edit.resolve()
        req = TagRequest(
            type_key=self.type_key,
            start=self.start,
            end=self.end,
            entity_id=entity_id,
            new_entity_name=new_name,
            note=self.note_edit.text().strip(),
        )
        if self.is_event:
            dates = parse_date_range(self.date_edit.text())
            if dates is None:
                self._error(
                    self.tr("The date must look like 2021-02-01, or 2021-02-01 to 2021-02-05.")
                )
                return None
            req.date_start, req.date_end = dates
            req.place = self.place_edit.text().strip() or None
            if req.place and not (entity_id or new_name):
                self._error(self.tr("Name the event to keep its place (or clear the place)."))
                return None
            # The date as this source gives it stays on the tag too (as accepting
            # a suggestion does), so it is kept even without an entity.
            req.as_of = req.date_start
            if req.date_start and req.date_end and req.date_end < req.date_start:
                self._error(self.tr("The end date is before the start date."))
                return None
        if self.is_figure:
            raw = self.value_edit.text().strip()
            value = parse_number(raw)
            if raw and value is None:
                self._error(self.tr("The value must be a number, e.g. 600 or 1,500."))
                return None
            if value is None and not self._warned_no_value:
                # The archive keeps figures without a number; say so before storing one.
                self._warned_no_value = True
                self._error(
                    self.tr(
                        "No value: the figure will be stored without a number. "
                        "Type a value, or press Enter again to store it so."
                    )
                )
                self.value_edit.setFocus()
                return None
            as_of = self.as_of_edit.text().strip() or None
            if as_of and not DATE_RE.fullmatch(as_of):
                self._error(self.tr("The date must look like 2021-03-05 (or 2021-03, 2021)."))
                return None
            req.value = value
            req.qualifier = self.qualifier_combo.currentText() if value is not None else None
            req.counted = self.counted_edit.text().strip() or None
            req.as_of = as_of
        return req

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
