"""Undo and redo for every annotation and entity change (QUndoStack commands).

Each command calls `archive` functions (never SQL) and, after doing or
undoing, emits `ctx.annotationsChanged(article_id)` for every article it
touched and `ctx.entitiesChanged()` when entities changed, so every view
refreshes. `push(ctx, command)` runs the change once *before* it goes on the
stack: if the archive refuses it (a duplicate name, say), the error reaches
the caller and the stack stays clean. A later redo or undo that the archive
refuses (someone changed things meanwhile) is reported through
`UndoReporter.of(ctx).failed` and the command is dropped from the stack.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from archive import annotate, entities, suggest
from archive.errors import SesameError
from archive.models import new_id
from desktop.context import AppContext
from desktop.panels.common import one_per_context
from desktop.reader.tag_dialog import TagRequest

log = logging.getLogger(__name__)


class UndoReporter(QObject):
    """Where refused undo/redo steps are reported (the shell shows them)."""

    failed = Signal(str)

    @classmethod
    def of(cls, ctx: AppContext) -> UndoReporter:
        """The reporter of `ctx`, made on first use."""
        return one_per_context(ctx, cls, "undoReporter")


class IndexCatchUp(QObject):
    """Brings the search index up to date off the GUI thread after the window's changes.

    Commands change the archive inside `archive.index_deferred()` (a tag costs
    a few ms instead of tens, and never waits for an import that holds the
    index), then ask for one catch-up here; requests made while one runs are
    folded into a single follow-up run.
    """

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("indexCatchUp")
        self.ctx = ctx
        self.job: Any = None
        self._again = False

    @classmethod
    def of(cls, ctx: AppContext) -> IndexCatchUp:
        """The catch-up helper of `ctx`, made on first use."""
        return one_per_context(ctx, cls, "indexCatchUp")

    def request(self) -> None:
        """Catch the index up soon (now, if no catch-up is running)."""
        if self.job is not None:
            self._again = True
            return
        if self.ctx.tasks is None:  # no background helper (scripts): do it here
            self.ctx.archive.sync_index()
            return
        self.job = self.ctx.tasks.run(
            "Updating the search index",
            self.ctx.archive.sync_index,
            with_progress=False,
            show=False,
            on_error=lambda message, _details: log.warning("Index catch-up failed: %s", message),
        )
        self.job.ended.connect(self._ended)

    def _ended(self) -> None:
        self.job = None
        if self._again:
            self._again = False
            self.request()


class ArchiveCommand(QUndoCommand):
    """A change to the archive that can be undone. Subclasses define apply/revert."""

    def __init__(self, ctx: AppContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self._skip_redo = False
        # What the last apply/revert touched, for the change signals.
        self.articles: set[str] = set()
        self.entities_changed = False

    def apply(self) -> None:
        """Make the change (raises SesameError if the archive refuses)."""
        raise NotImplementedError

    def revert(self) -> None:
        """Take the change back (raises SesameError if the archive refuses)."""
        raise NotImplementedError

    def redo(self) -> None:
        if self._skip_redo:  # already applied by push()
            self._skip_redo = False
            return
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, step: Any) -> None:
        try:
            with self.ctx.archive.index_deferred():
                step()
        except SesameError as exc:
            log.warning("Undo step %r refused: %s", self.text(), exc)
            self.setObsolete(True)
            UndoReporter.of(self.ctx).failed.emit(
                f"“{self.text()}” could not be undone or redone: {exc}"
            )
        finally:
            IndexCatchUp.of(self.ctx).request()
            self.notify()

    def notify(self) -> None:
        """Tell every view what changed."""
        for article_id in sorted(self.articles):
            self.ctx.annotationsChanged.emit(article_id)
        if self.entities_changed:
            self.ctx.entitiesChanged.emit()


def push(ctx: AppContext, command: ArchiveCommand) -> ArchiveCommand:
    """Apply `command` now and put it on the undo stack (not pushed if it fails)."""
    with ctx.archive.index_deferred():
        command.apply()
    IndexCatchUp.of(ctx).request()
    command._skip_redo = True
    ctx.undo_stack.push(command)
    command.notify()
    return command


class MacroCommand(ArchiveCommand):
    """Several commands as one undo step, applied in order and reverted in reverse."""

    def __init__(self, ctx: AppContext, text: str, commands: list[ArchiveCommand]) -> None:
        super().__init__(ctx, text)
        self.commands = commands

    def apply(self) -> None:
        done: list[ArchiveCommand] = []
        try:
            for command in self.commands:
                command.apply()
                done.append(command)
        except SesameError:
            for command in reversed(done):
                command.revert()
            raise
        finally:
            self._collect()

    def revert(self) -> None:
        try:
            for command in reversed(self.commands):
                command.revert()
        finally:
            self._collect()

    def _collect(self) -> None:
        self.articles = set().union(*(c.articles for c in self.commands))
        self.entities_changed = any(c.entities_changed for c in self.commands)


class UpdateCommand(ArchiveCommand):
    """A change the archive answers with (before, after) snapshots.

    The first apply makes the change (`update`); a redo puts `after` back
    and an undo puts `before` back (`restore`).
    """

    def __init__(self, ctx: AppContext, text: str, **changes: Any) -> None:
        super().__init__(ctx, text)
        self.changes = changes
        self.before: dict[str, Any] | None = None
        self.after: dict[str, Any] | None = None

    def update(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Make the change; (before, after) snapshots."""
        raise NotImplementedError

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Put a snapshot back."""
        raise NotImplementedError

    def apply(self) -> None:
        if self.after is None:
            self.before, self.after = self.update()
        else:
            self.restore(self.after)

    def revert(self) -> None:
        assert self.before is not None
        self.restore(self.before)


# -- entities --------------------------------------------------------------------


class CreateEntityCommand(ArchiveCommand):
    """Add an entity (its id is chosen up front so redo brings the same one back)."""

    def __init__(
        self,
        ctx: AppContext,
        type_key: str,
        name: str,
        *,
        aliases: list[str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(ctx, f"New {type_key} “{name}”")
        self.type_key, self.name, self.aliases = type_key, name, list(aliases or [])
        # An event's date_start / date_end / place.
        self.details = dict(details or {})
        self.entity_id = new_id()
        self.entities_changed = True

    def apply(self) -> None:
        entities.create_entity(
            self.ctx.archive,
            self.type_key,
            self.name,
            aliases=self.aliases,
            entity_id=self.entity_id,
            **self.details,
        )

    def revert(self) -> None:
        entities.delete_entity(self.ctx.archive, self.entity_id)


class UpdateEntityCommand(UpdateCommand):
    """Rename an entity, change its aliases, description or event details."""

    def __init__(self, ctx: AppContext, entity_id: str, text: str, **changes: Any) -> None:
        super().__init__(ctx, text, **changes)
        self.entity_id = entity_id
        self.entities_changed = True

    def update(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return entities.update_entity(self.ctx.archive, self.entity_id, **self.changes)

    def restore(self, snapshot: dict[str, Any]) -> None:
        entities.restore_entity(self.ctx.archive, snapshot)


def rename_entity_command(
    ctx: AppContext, entity_id: str, new_name: str, *, keep_old_as_alias: bool = True
) -> UpdateEntityCommand:
    """A command renaming an entity (the old name stays as an alias by default)."""
    return UpdateEntityCommand(
        ctx,
        entity_id,
        f"Rename to “{new_name}”",
        name=new_name,
        keep_old_name_as_alias=keep_old_as_alias,
    )


def aliases_command(ctx: AppContext, entity_id: str, aliases: list[str]) -> UpdateEntityCommand:
    """A command replacing an entity's aliases."""
    return UpdateEntityCommand(ctx, entity_id, "Change aliases", aliases=list(aliases))


class MergeEntitiesCommand(ArchiveCommand):
    """Merge OTHER into KEEP; undone exactly with the core's unmerge."""

    def __init__(self, ctx: AppContext, keep_id: str, other_id: str, text: str = "") -> None:
        super().__init__(ctx, text or "Merge entities")
        self.keep_id, self.other_id = keep_id, other_id
        self.record: entities.MergeRecord | None = None
        self.entities_changed = True

    def apply(self) -> None:
        # Articles whose annotations move: the reader and panels repaint them.
        moving = entities.mentions(self.ctx.archive, self.other_id)
        self.record = entities.merge_entities(self.ctx.archive, self.keep_id, self.other_id)
        self.articles = {m.article_id for m in moving}

    def revert(self) -> None:
        assert self.record is not None
        entities.unmerge_entities(self.ctx.archive, self.record)


# -- annotations -----------------------------------------------------------------


class CreateAnnotationCommand(ArchiveCommand):
    """Tag a span (its id is chosen up front so redo brings the same annotation back)."""

    def __init__(
        self,
        ctx: AppContext,
        article_id: str,
        start: int,
        end: int,
        type_key: str,
        text: str = "",
        **fields: Any,
    ) -> None:
        super().__init__(ctx, text or f"Tag as {type_key}")
        self.article_id, self.start, self.end, self.type_key = article_id, start, end, type_key
        self.fields = fields
        self.annotation_id = new_id()
        self.snapshot: dict[str, Any] | None = None
        self.articles = {article_id}

    def apply(self) -> None:
        if self.snapshot is None:
            ann = annotate.create_annotation(
                self.ctx.archive,
                self.article_id,
                self.start,
                self.end,
                self.type_key,
                annotation_id=self.annotation_id,
                **self.fields,
            )
            self.snapshot = annotate.snapshot(ann)
        else:
            annotate.restore_annotation(self.ctx.archive, self.snapshot)

    def revert(self) -> None:
        annotate.delete_annotation(self.ctx.archive, self.annotation_id)


class EditAnnotationCommand(UpdateCommand):
    """Change an annotation's note, type, entity, span or figure fields."""

    def __init__(self, ctx: AppContext, annotation_id: str, text: str, **changes: Any) -> None:
        super().__init__(ctx, text, **changes)
        self.annotation_id = annotation_id
        # Entity links change mention counts in the entities view.
        self.entities_changed = bool({"entity_id", "entity_name", "type_key"} & set(changes))

    def update(self) -> tuple[dict[str, Any], dict[str, Any]]:
        before, after = annotate.update_annotation(
            self.ctx.archive, self.annotation_id, **self.changes
        )
        self.articles = {before["article_id"]}
        return before, after

    def restore(self, snapshot: dict[str, Any]) -> None:
        annotate.restore_annotation(self.ctx.archive, snapshot)


class DeleteAnnotationCommand(ArchiveCommand):
    """Delete an annotation; undo puts it back with the same id."""

    def __init__(self, ctx: AppContext, annotation_id: str) -> None:
        super().__init__(ctx, "Delete annotation")
        self.annotation_id = annotation_id
        self.snapshot: dict[str, Any] | None = None
        self.entities_changed = True

    def apply(self) -> None:
        self.snapshot = annotate.delete_annotation(self.ctx.archive, self.annotation_id)
        self.articles = {self.snapshot["article_id"]}

    def revert(self) -> None:
        assert self.snapshot is not None
        annotate.restore_annotation(self.ctx.archive, self.snapshot)


def entity_for(
    ctx: AppContext,
    type_key: str,
    entity_id: str | None,
    new_name: str | None,
    commands: list[Any],
    details: dict[str, Any] | None = None,
) -> str | None:
    """The entity to link: a new one called `new_name` (its creation appended to `commands`,
    to run first), else `entity_id`. `details` (an event's date and place) go on the new
    entity, or on the existing one as an update appended to `commands`."""
    if not new_name:
        if entity_id and details:
            current = entities.get_entity(ctx.archive, entity_id).to_dict()
            details = {k: v for k, v in details.items() if current.get(k) != v}
        if entity_id and details:
            commands.append(
                UpdateEntityCommand(ctx, entity_id, f"Event details of {type_key}", **details)
            )
        return entity_id
    create = CreateEntityCommand(ctx, type_key, new_name, details=details)
    commands.append(create)
    return create.entity_id


def tag_span(ctx: AppContext, article_id: str, req: TagRequest, label: str = "") -> ArchiveCommand:
    """Create the annotation a tagging form asked for, with its new entity, as one undo step.

    `label` names the step in the Edit menu ("Undo Tag as Actor"); the type key by default.
    """
    label = label or f"Tag as {req.type_key}"
    fields: dict[str, Any] = {"note": req.note}
    if req.value is not None or req.counted or req.as_of:
        fields.update(req.figure_fields())
    commands: list[ArchiveCommand] = []
    entity_id = entity_for(
        ctx, req.type_key, req.entity_id, req.new_entity_name, commands, req.event_details()
    )
    commands.append(
        CreateAnnotationCommand(
            ctx, article_id, req.start, req.end, req.type_key, entity_id=entity_id, **fields
        )
    )
    command = commands[0] if len(commands) == 1 else MacroCommand(ctx, label, commands)
    command.setText(label)
    return push(ctx, command)


class AcceptSuggestionsCommand(ArchiveCommand):
    """Accept suggestions (annotations with origin "suggestion") as one undo step.

    Entities the core creates on the way (a new actor name) are removed again
    on undo and brought back with the same id on redo.
    """

    def __init__(
        self,
        ctx: AppContext,
        article_id: str,
        suggestions: list[Any],
        overrides: dict[str, Any] | None = None,
    ) -> None:
        n = len(suggestions)
        super().__init__(ctx, "Accept suggestion" if n == 1 else f"Accept {n} suggestions")
        self.article_id = article_id
        self.suggestions = list(suggestions)
        # For one suggestion: what the person changed before accepting (entity, note, figure).
        self.overrides = dict(overrides or {})
        if self.overrides and n != 1:
            raise ValueError("Overrides apply to one suggestion at a time.")
        self.annotations: list[dict[str, Any]] = []
        self.new_entities: list[str] = []
        self.entity_snapshots: list[dict[str, Any]] = []
        self.articles = {article_id}
        self.entities_changed = True

    def apply(self) -> None:
        if not self.annotations:
            types = {s.type for s in self.suggestions}
            known = {
                e.id
                for t in types
                for e in entities.list_entities(self.ctx.archive, t, include_merged=True)
            }
            if self.overrides:
                created = [
                    suggest.accept_suggestion(
                        self.ctx.archive, self.article_id, self.suggestions[0], **self.overrides
                    )
                ]
            else:
                created = suggest.accept_suggestions(
                    self.ctx.archive, self.article_id, self.suggestions
                )
            self.annotations = [annotate.snapshot(a) for a in created]
            self.new_entities = sorted(
                {a.entity_id for a in created if a.entity_id and a.entity_id not in known}
            )
            return
        for snap in self.entity_snapshots:
            entities.restore_entity(self.ctx.archive, snap)
        for snap in self.annotations:
            annotate.restore_annotation(self.ctx.archive, snap)

    def revert(self) -> None:
        for snap in reversed(self.annotations):
            annotate.delete_annotation(self.ctx.archive, snap["id"])
        self.entity_snapshots = [
            entities.delete_entity(self.ctx.archive, entity_id) for entity_id in self.new_entities
        ]
