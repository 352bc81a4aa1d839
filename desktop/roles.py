"""Roles and relations in the window: "Add role…" and "Add relation…" on the reader's
selection or on an annotation, and the table of an entity's roles and relations.

The dialogs reuse the tagging form's entity picker (`desktop.tag_form.EntityPicker`):
an existing event or actor by name or alias, or a new name, which creates it in the
same change. A role on a selection anchors to the annotation already on exactly that
span, or tags the span as the event (`archive.roles.passage_at`); on an annotation, to
that annotation. Writes go through the window's writer (`desktop.widgets.write`), one
undo step each. The rules are `archive.roles`'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from archive import entities, roles, tagform
from archive.errors import SesameError
from desktop.context import AppContext
from desktop.models import Index, RowTableModel
from desktop.tag_form import EntityPicker, choices_for
from desktop.widgets import open_held, short, tip, write


@dataclass
class Anchor:
    """The passage a claim rests on: an annotation, or a span of an article."""

    article_id: str
    quote: str
    annotation_id: str | None = None
    start: int = 0
    end: int = 0

    def annotation(self, ch: Any, type_key: str, entity_id: str | None) -> str:
        """The annotation's id (made on the span, in change `ch`, if there is none)."""
        if self.annotation_id is not None:
            return self.annotation_id
        return roles.passage_at(
            ch, self.article_id, self.start, self.end, type_key=type_key, entity_id=entity_id
        )


@dataclass
class ClaimRequest:
    """What a filled-in role or relation form asks for."""

    first: tuple[str | None, str | None]  # (entity id, new name): the event, or actor 1
    second: tuple[str | None, str | None]  # the actor, or actor 2
    kind: str  # role or relation type key
    date_start: str | None = None
    date_end: str | None = None
    note: str = ""


class _ClaimDialog(QDialog):
    """The shared frame: the quote, a form, an error line, OK / Cancel."""

    claimRequested = Signal(object)  # ClaimRequest

    def __init__(self, title: str, quote: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        shown = quote if len(quote) <= 160 else quote[:157] + "…"
        self.quote_label = QLabel(f"“{shown}”")
        self.quote_label.setTextFormat(Qt.TextFormat.PlainText)
        self.quote_label.setWordWrap(True)
        layout.addWidget(self.quote_label)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.note_edit = QLineEdit(self)

    def _types(self, rows: list[roles.TypeInfo], current: str) -> QComboBox:
        combo = QComboBox(self)
        for row in rows:
            combo.addItem(row.label, row.key)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        return combo

    def error(self, message: str) -> None:
        """Show why the form cannot be confirmed as filled in."""
        self.error_label.setText(message)
        self.error_label.show()

    def request(self) -> ClaimRequest | None:
        """The request, or None (with a message shown) when a field is missing."""
        raise NotImplementedError

    def accept(self) -> None:
        """Confirm: emit `claimRequested` unless a field is missing."""
        req = self.request()
        if req is None:
            return
        super().accept()
        self.claimRequested.emit(req)


class RoleDialog(_ClaimDialog):
    """Event, actor and role for a passage ("the army was the perpetrator of the raid")."""

    def __init__(
        self,
        ctx: AppContext,
        quote: str,
        *,
        event: str = "",
        actor: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Add role"), quote, parent)
        self.event_edit = EntityPicker(choices_for(ctx, roles.EVENT_TYPE), self)
        self.event_edit.setText(event)
        self.event_edit.setPlaceholderText(self.tr("The event (a new name creates it)"))
        self.actor_edit = EntityPicker(choices_for(ctx, roles.ACTOR_TYPE), self)
        self.actor_edit.setText(actor)
        self.actor_edit.setPlaceholderText(self.tr("The actor (a new name creates it)"))
        self.role_combo = self._types(roles.list_role_types(ctx.archive), "perpetrator")
        self.form.addRow(self.tr("&Event:"), self.event_edit)
        self.form.addRow(self.tr("&Actor:"), self.actor_edit)
        self.form.addRow(self.tr("&Role:"), self.role_combo)
        self.form.addRow(self.tr("&Note:"), self.note_edit)
        (self.actor_edit if event else self.event_edit).setFocus()

    def request(self) -> ClaimRequest | None:
        event, actor = self.event_edit.resolve(), self.actor_edit.resolve()
        if event == (None, None):
            self.error(self.tr("Name the event."))
            return None
        if actor == (None, None):
            self.error(self.tr("Name the actor."))
            return None
        return ClaimRequest(
            event, actor, self.role_combo.currentData(), note=self.note_edit.text().strip()
        )


class RelationDialog(_ClaimDialog):
    """Two actors and how they relate ("LID 33 is part of the army"), with dates if said."""

    def __init__(
        self, ctx: AppContext, quote: str, *, subject: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(self.tr("Add relation"), quote, parent)
        actors = choices_for(ctx, roles.ACTOR_TYPE)
        self.subject_edit = EntityPicker(actors, self)
        self.subject_edit.setText(subject)
        self.object_edit = EntityPicker(actors, self)
        self.type_combo = self._types(roles.list_relation_types(ctx.archive), "member_of")
        self.from_edit = QLineEdit(self)
        self.from_edit.setPlaceholderText(self.tr("(optional) YYYY-MM-DD, as the text says"))
        self.to_edit = QLineEdit(self)
        self.to_edit.setPlaceholderText(self.tr("(optional) YYYY-MM-DD"))
        self.form.addRow(self.tr("&Actor:"), self.subject_edit)
        self.form.addRow(self.tr("&Is:"), self.type_combo)
        self.form.addRow(self.tr("&Of actor:"), self.object_edit)
        self.form.addRow(self.tr("&From:"), self.from_edit)
        self.form.addRow(self.tr("&Until:"), self.to_edit)
        self.form.addRow(self.tr("&Note:"), self.note_edit)
        (self.object_edit if subject else self.subject_edit).setFocus()

    def request(self) -> ClaimRequest | None:
        subject, obj = self.subject_edit.resolve(), self.object_edit.resolve()
        if subject == (None, None) or obj == (None, None):
            self.error(self.tr("Name both actors."))
            return None
        dates = []
        for edit in (self.from_edit, self.to_edit):
            text = edit.text().strip()
            if text and not tagform.is_date(text):
                self.error(self.tr("A date must look like 2021-03-05 (or 2021-03, 2021)."))
                return None
            dates.append(text or None)
        return ClaimRequest(
            subject,
            obj,
            self.type_combo.currentData(),
            date_start=dates[0],
            date_end=dates[1],
            note=self.note_edit.text().strip(),
        )


# -- writing ----------------------------------------------------------------------------


def write_role(ch: Any, anchor: Anchor, req: ClaimRequest) -> roles.RoleInfo:
    """The role a confirmed form asks for, with its new entities and passage (one change)."""
    event = entities.link_entity(ch, roles.EVENT_TYPE, *req.first)
    actor = entities.link_entity(ch, roles.ACTOR_TYPE, *req.second)
    assert event is not None and actor is not None
    ann = anchor.annotation(ch, roles.ROLE_PASSAGE_TYPE, event)
    return roles.add_role(ch, event, actor, req.kind, annotation_id=ann, note=req.note)


def write_relation(ch: Any, anchor: Anchor, req: ClaimRequest) -> roles.RelationInfo:
    """The relation a confirmed form asks for, with its new actors and passage (one change)."""
    subject = entities.link_entity(ch, roles.ACTOR_TYPE, *req.first)
    obj = entities.link_entity(ch, roles.ACTOR_TYPE, *req.second)
    assert subject is not None and obj is not None
    ann = anchor.annotation(ch, roles.RELATION_PASSAGE_TYPE, subject)
    return roles.add_relation(
        ch,
        subject,
        obj,
        req.kind,
        annotation_id=ann,
        date_start=req.date_start,
        date_end=req.date_end,
        note=req.note,
    )


def open_role_dialog(
    ctx: AppContext, owner: QWidget, anchor: Anchor, *, event: str = "", actor: str = ""
) -> RoleDialog:
    """Open "Add role" for a passage; confirming writes the role (one undo step)."""
    dialog = RoleDialog(ctx, anchor.quote, event=event, actor=actor, parent=owner)
    dialog.claimRequested.connect(
        lambda req: write(owner, ctx, "Add role", lambda ch: write_role(ch, anchor, req))
    )
    open_held(owner, "role_dialog", dialog)
    return dialog


def open_relation_dialog(
    ctx: AppContext, owner: QWidget, anchor: Anchor, *, subject: str = ""
) -> RelationDialog:
    """Open "Add relation" for a passage; confirming writes the relation (one undo step)."""
    dialog = RelationDialog(ctx, anchor.quote, subject=subject, parent=owner)
    dialog.claimRequested.connect(
        lambda req: write(owner, ctx, "Add relation", lambda ch: write_relation(ch, anchor, req))
    )
    open_held(owner, "relation_dialog", dialog)
    return dialog


def claim_actions(
    ctx: AppContext,
    owner: QWidget,
    anchor: Callable[[], Anchor | None],
    entity: str = "",
    type_key: str = "",
    parent: QObject | None = None,
) -> list[QAction]:
    """ "Add role…" and "Add relation…" for the passage `anchor()` gives when triggered.

    `entity` / `type_key`: the annotation's entity name and type, to start the form with
    (an event's name as the event, an actor's as the actor or first actor). The actions
    belong to `parent` (a context menu, deleted with it), else to `owner`."""
    parent = parent or owner
    role = QAction(owner.tr("Add role…"), parent)
    role.setObjectName("addRole")
    role.setToolTip(owner.tr("Record an actor's role in an event, anchored to this passage"))
    relation = QAction(owner.tr("Add relation…"), parent)
    relation.setObjectName("addRelation")
    relation.setToolTip(owner.tr("Record how two actors relate, anchored to this passage"))

    def on_role() -> None:
        found = anchor()
        if found is not None:
            event = entity if type_key == roles.EVENT_TYPE else ""
            actor = entity if type_key == roles.ACTOR_TYPE else ""
            open_role_dialog(ctx, owner, found, event=event, actor=actor)

    def on_relation() -> None:
        found = anchor()
        if found is not None:
            subject = entity if type_key == roles.ACTOR_TYPE else ""
            open_relation_dialog(ctx, owner, found, subject=subject)

    role.triggered.connect(on_role)
    relation.triggered.connect(on_relation)
    return [role, relation]


# -- an entity's roles and relations ---------------------------------------------------------


@dataclass
class ClaimRow:
    """One line of an entity's claims: a role or a relation, with its passage."""

    kind: str  # "role" | "relation"
    id: str
    text: str  # "Tatmadaw as perpetrator in Hospital raid"
    quote: str
    article_id: str
    annotation_id: str
    cited: str  # a relation's first and last cited dates; a role's article date


def entity_claims(archive: Any, entity_id: str, type_key: str) -> list[ClaimRow]:
    """The roles (of an event, or an actor's) and an actor's relations, for the panel."""
    rows: list[ClaimRow] = []
    try:
        if type_key == roles.EVENT_TYPE:
            found = roles.list_roles(archive, entity_id)
        elif type_key == roles.ACTOR_TYPE:
            found = roles.list_roles(archive, actor=entity_id)
        else:
            return []
    except SesameError:
        return []
    for r in found:
        text = f"{r.actor} — {r.role_label.lower()} — {r.event}"
        rows.append(
            ClaimRow("role", r.id, text, r.quote, r.article_id, r.annotation_id, r.published or "")
        )
    if type_key == roles.ACTOR_TYPE:
        for rel in roles.list_relations(archive, entity_id):
            cited = rel.first_cited or ""
            if rel.last_cited and rel.last_cited != rel.first_cited:
                cited += f" – {rel.last_cited}"
            text = f"{rel.subject} — {rel.type_label.lower()} — {rel.object}"
            rows.append(
                ClaimRow(
                    "relation", rel.id, text, rel.quote, rel.article_id, rel.annotation_id, cited
                )
            )
    return rows


class ClaimTableModel(RowTableModel):
    """An entity's roles and relations: what, the passage, when cited."""

    COLUMNS = ("Role or relation", "Passage", "Cited")
    mask: Any = None  # a desktop.review.reveal.QuoteMask: sensitive quotes hidden

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: ClaimRow | None = self.item(index)
        if row is None:
            return None
        quote = row.quote
        if self.mask is not None:
            quote = self.mask.quote(quote, row.article_id, row.annotation_id)
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.text, short(quote), row.cited)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip(f"{row.text}\n“{quote}”")
        return None
