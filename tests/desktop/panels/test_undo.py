"""Undo commands: one step per change, signals after do and undo, refusals reported."""

from __future__ import annotations

import pytest

from archive import annotate, entities
from archive.errors import InvalidInput
from desktop.undo import (
    CreateAnnotationCommand,
    CreateEntityCommand,
    DeleteAnnotationCommand,
    MacroCommand,
    UndoReporter,
    push,
)
from tests.desktop.reader.articles import TEXT


def test_do_and_undo_emit_the_change_signals(qtbot, ctx, article_id) -> None:
    start = TEXT.index("the market")
    with (
        qtbot.waitSignal(ctx.annotationsChanged) as changed,
        qtbot.waitSignal(ctx.entitiesChanged),
    ):
        push(
            ctx,
            MacroCommand(
                ctx,
                "Tag",
                [
                    entity := CreateEntityCommand(ctx, "actor", "Market traders"),
                    CreateAnnotationCommand(
                        ctx, article_id, start, start + 10, "actor", entity_id=entity.entity_id
                    ),
                ],
            ),
        )
    assert changed.args == [article_id]
    assert ctx.undo_stack.count() == 1
    with qtbot.waitSignal(ctx.annotationsChanged), qtbot.waitSignal(ctx.entitiesChanged):
        ctx.undo_stack.undo()
    assert annotate.list_annotations(ctx.archive, article_id) == []
    assert entities.list_entities(ctx.archive) == []


def test_a_refused_first_step_leaves_the_stack_and_archive_clean(qtbot, ctx, article_id) -> None:
    entities.create_entity(ctx.archive, "actor", "Market traders")
    start = TEXT.index("the market")
    create = CreateEntityCommand(ctx, "actor", "market  traders")  # the same name
    tag = CreateAnnotationCommand(ctx, article_id, start, start + 10, "actor")
    with pytest.raises(InvalidInput, match="already names"):
        push(ctx, MacroCommand(ctx, "Tag", [tag, create]))
    assert ctx.undo_stack.count() == 0
    assert annotate.list_annotations(ctx.archive, article_id) == []  # the tag was rolled back


def test_an_undo_the_archive_refuses_is_reported_and_dropped(qtbot, ctx, article_id) -> None:
    create = push(ctx, CreateEntityCommand(ctx, "actor", "Market traders"))
    start = TEXT.index("the market")
    # Meanwhile the entity got a mention outside this undo step.
    annotate.create_annotation(
        ctx.archive, article_id, start, start + 10, "actor", entity_id=create.entity_id
    )
    with qtbot.waitSignal(UndoReporter.of(ctx).failed) as failed:
        ctx.undo_stack.undo()
    assert "could not be undone" in failed.args[0]
    assert ctx.undo_stack.count() == 0  # the step is gone, not left half-undoable
    assert [e.name for e in entities.list_entities(ctx.archive)] == ["Market traders"]


def test_delete_then_undo_restores_the_same_annotation(qtbot, ctx, article_id) -> None:
    start = TEXT.index("the market")
    ann = annotate.create_annotation(ctx.archive, article_id, start, start + 10, "actor", note="n")
    push(ctx, DeleteAnnotationCommand(ctx, ann.id))
    assert annotate.list_annotations(ctx.archive, article_id) == []
    ctx.undo_stack.undo()
    (back,) = annotate.list_annotations(ctx.archive, article_id)
    assert (back.id, back.note, back.start) == (ann.id, "n", start)
