"""The window's writer: changes in the background, in order, views told, undo from the core."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from archive import annotate, changes, entities
from tests.desktop.reader.articles import TEXT, add_article


def _background(ctx: Any) -> Any:
    ctx.writer.inline = False
    return ctx.writer


def test_a_change_runs_off_the_gui_thread_and_tells_the_views(qtbot, ctx, archive) -> None:
    writer = _background(ctx)
    aid = add_article(archive)
    start = TEXT.index("the market")
    threads: list[Any] = []

    def tag(ch: Any) -> Any:
        threads.append(threading.current_thread())
        target = entities.link_entity(ch, "actor", None, "Market traders")
        return annotate.create_annotation(ch, aid, start, start + 10, "actor", entity_id=target)

    with qtbot.waitSignal(ctx.changed) as changed:
        writer.change("Tag as actor", tag)
    assert writer.wait()
    # The views are told the rows written: one annotation and its new entity.
    delta = changed.args[0]
    assert delta.annotation_articles == {aid} and delta.entities_changed
    assert [(r.table, r.op) for r in delta.rows] == [
        ("entity", "created"),
        ("annotation", "created"),
    ]
    assert threads and threads[0] is not threading.main_thread()
    assert writer.undoText() == "Tag as actor" and writer.canUndo()
    with qtbot.waitSignal(ctx.changed) as undone:
        writer.undo()
    assert writer.wait()
    assert sorted((r.table, r.op) for r in undone.args[0].rows) == [
        ("annotation", "deleted"),
        ("entity", "deleted"),
    ]
    assert annotate.list_annotations(archive, aid) == []
    assert entities.list_entities(archive) == []
    assert writer.redoText() == "Tag as actor" and not writer.canUndo()
    writer.redo()
    assert writer.wait()
    assert len(annotate.list_annotations(archive, aid)) == 1


def test_writes_asked_for_in_a_row_all_land_in_order(qtbot, ctx, archive) -> None:
    writer = _background(ctx)
    aid = add_article(archive)
    for i in range(5):
        writer.change(
            f"Tag {i}",
            lambda ch, i=i: annotate.create_annotation(ch, aid, i, i + 3, "event", note=str(i)),
        )
    assert writer.busy
    assert writer.wait()
    notes = [a.note for a in annotate.list_annotations(archive, aid)]
    assert notes == ["0", "1", "2", "3", "4"]
    assert [e.label for e in changes.history(archive, 5)] == [f"Tag {i}" for i in range(4, -1, -1)]


def test_a_refused_change_is_reported_and_leaves_nothing(qtbot, ctx, archive) -> None:
    writer = _background(ctx)
    aid = add_article(archive)
    entities.create_entity(archive, "actor", "Market traders")
    start = TEXT.index("the market")

    def tag(ch: Any) -> None:
        annotate.create_annotation(ch, aid, start, start + 10, "actor")
        entities.create_entity(ch, "actor", "market  traders")  # the same name

    with qtbot.waitSignal(writer.failed) as failed:
        writer.change("Tag", tag)
    assert "already names" in failed.args[0]
    assert writer.wait()
    assert annotate.list_annotations(archive, aid) == []  # the tag was rolled back
    assert not writer.canUndo()  # nothing of this writer's to undo


def test_undo_actions_follow_the_core(qtbot, ctx, archive) -> None:
    from PySide6.QtCore import QObject

    owner = QObject()
    undo_action = ctx.writer.createUndoAction(owner, "&Undo")
    assert not undo_action.isEnabled() and undo_action.text() == "&Undo"
    aid = add_article(archive)
    ctx.writer.change("Tag it", lambda ch: annotate.create_annotation(ch, aid, 0, 4, "event"))
    assert ctx.writer.wait()
    assert undo_action.isEnabled() and undo_action.text() == "&Undo Tag it"
    undo_action.trigger()
    assert ctx.writer.wait()
    assert not undo_action.isEnabled()


def test_an_undo_action_deleted_with_its_window_is_never_told_again(qtbot, ctx, archive) -> None:
    """The window (the actions' parent) is deleted while the writer lives on: the
    next change must not touch the deleted actions (CI caught a RuntimeError)."""
    from PySide6.QtCore import QObject
    from shiboken6 import isValid

    owner = QObject()
    undo_action = ctx.writer.createUndoAction(owner, "&Undo")
    redo_action = ctx.writer.createRedoAction(owner, "&Redo")
    owner.deleteLater()
    qtbot.waitUntil(lambda: not isValid(undo_action) and not isValid(redo_action))
    aid = add_article(archive)
    ctx.writer.change("Tag it", lambda ch: annotate.create_annotation(ch, aid, 0, 4, "event"))
    assert ctx.writer.wait()
    ctx.writer.undo()
    assert ctx.writer.wait()
    assert changes.can_redo(archive)


def test_queued_writes_commit_together_each_its_own_step(qtbot, ctx, archive, monkeypatch) -> None:
    writer = _background(ctx)
    together: list[int] = []
    real = changes.transaction

    @contextmanager
    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with real(*args, **kwargs) as txn:
            yield txn
        if kwargs.get("several", True):
            together.append(len(txn.done))

    monkeypatch.setattr(changes, "transaction", counted)
    aid = add_article(archive)
    entities.create_entity(archive, "actor", "Market traders")
    release = threading.Event()
    done: list[str] = []
    refused: list[str] = []
    told: list[Any] = []
    ctx.changed.connect(told.append)

    def first(ch: Any) -> Any:
        release.wait(10)  # the others queue meanwhile, as behind an import's batch
        return annotate.create_annotation(ch, aid, 0, 3, "event", note="first")

    def refused_tag(ch: Any) -> None:
        annotate.create_annotation(ch, aid, 5, 9, "event", note="half")
        entities.create_entity(ch, "actor", "market  traders")  # the same name: refused

    writer.change("Tag first", first, on_done=lambda _r: done.append("first"))
    for i in range(3):
        writer.change(
            f"Tag {i}",
            lambda ch, i=i: annotate.create_annotation(ch, aid, i, i + 4, "event", note=str(i)),
            on_done=lambda _r, i=i: done.append(str(i)),
        )
        if i == 1:
            writer.change("Tag refused", refused_tag, on_error=refused.append)
    release.set()
    assert writer.wait()
    assert done == ["first", "0", "1", "2"]
    assert len(refused) == 1
    # The four that queued behind the first went in one transaction; three committed.
    assert together == [3]
    notes = sorted(a.note for a in annotate.list_annotations(archive, aid))
    assert notes == ["0", "1", "2", "first"]  # nothing of the refused one
    assert [e.label for e in changes.history(archive, 4)] == [
        "Tag 2",
        "Tag 1",
        "Tag 0",
        "Tag first",
    ]
    # The views heard every committed row (one delta a turn, maybe several writes in it).
    created = [r for d in told for r in d.rows if r.table == "annotation" and r.op == "created"]
    assert len(created) == 4
    # Undone one by one, newest first.
    assert writer.undoText() == "Tag 2"
    writer.undo()
    assert writer.wait()
    assert writer.undoText() == "Tag 1"
    assert sorted(a.note for a in annotate.list_annotations(archive, aid)) == ["0", "1", "first"]
    with archive.session() as session:
        from archive import audit

        assert audit.verify(session).ok
