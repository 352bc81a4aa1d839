"""The views follow the window's writes from their change sets, without reloading.

A real archive, the writer on its own thread (not inline) and the reader, the
annotations, library and entities panels side by side: after each tag, edit,
merge, unmerge, delete, undo and redo every view shows exactly the rows the
archive holds, and none of their models was reset (a reset is a full reload).
"""

from __future__ import annotations

from typing import Any

import pytest

from archive import annotate, entities
from archive.reading import load_annotations
from tests.desktop.reader.articles import TEXT, add_article
from tests.desktop.reader.articles import ctx as ctx
from tests.desktop.reader.articles import model_tester as model_tester


@pytest.fixture
def views(qtbot, ctx, archive, model_tester) -> Any:  # type: ignore[no-untyped-def]
    from desktop.library.panel import LibraryPanel
    from desktop.panels.annotations import AnnotationsPanel
    from desktop.panels.entities import EntitiesPanel
    from desktop.reader.panel import ReaderPanel

    ctx.writer.inline = False  # the window's path: writes and the views' reads off this thread
    a = add_article(archive, title="Open article")
    b = add_article(archive, title="Other article")
    keep = entities.create_entity(archive, "actor", "Keep Union")
    other = entities.create_entity(archive, "actor", "Other Union")
    start = TEXT.index("Test Workers")
    annotate.create_annotation(archive, b, start, start + 12, "actor", entity_id=keep.id)
    reader, panel = ReaderPanel(ctx), AnnotationsPanel(ctx)
    library, people = LibraryPanel(ctx), EntitiesPanel(ctx)
    for widget in (reader, panel, library, people):
        qtbot.addWidget(widget)
    people.show()  # a hidden panel reads only when shown
    with qtbot.waitSignal(library.loaded, timeout=10000):
        library.reload()
    qtbot.waitUntil(lambda: people.model.rowCount() == 2, timeout=10000)
    reader.open_article(a)
    assert panel.article_id == a
    resets: dict[str, int] = {"annotations": 0, "library": 0, "entities": 0}
    for name, model in (
        ("annotations", panel.model),
        ("library", library.model),
        ("entities", people.model),
    ):
        model_tester(model)
        model.modelReset.connect(lambda name=name: resets.__setitem__(name, resets[name] + 1))
    return {
        "ctx": ctx,
        "archive": archive,
        "a": a,
        "b": b,
        "keep": keep.id,
        "other": other.id,
        "reader": reader,
        "panel": panel,
        "library": library,
        "people": people,
        "resets": resets,
    }


def _write(v: dict[str, Any], label: str, fn: Any) -> Any:
    done: list[Any] = []
    v["ctx"].writer.change(label, fn, on_done=done.append)
    assert v["ctx"].writer.wait(), "the write or the views' reads did not finish"
    assert done, f"{label} was not committed"
    return done[0]


def _undo(v: dict[str, Any], redo: bool = False) -> None:
    (v["ctx"].writer.redo if redo else v["ctx"].writer.undo)()
    assert v["ctx"].writer.wait()


def _check(v: dict[str, Any], qtbot: Any) -> list[tuple[str, str | None, str]]:
    """Every view shows what the archive holds; returns the annotations panel's rows."""
    archive, a = v["archive"], v["a"]
    truth = load_annotations(archive, a)
    rows = [(x.quote, x.entity_name, x.note) for x in truth]
    panel_rows = [(x.quote, x.entity_name, x.note) for x in v["panel"].model.annotations()]
    assert panel_rows == rows
    assert [(x.id, x.entity_name, x.note) for x in v["reader"].annotations()] == [
        (x.id, x.entity_name, x.note) for x in truth
    ]
    # The library's count of tags, for both articles.
    for article_id in (a, v["b"]):
        row = v["library"].model.library_row(article_id)
        assert row is not None and row.annotations == len(load_annotations(archive, article_id))
    # The entities panel: every live entity with its mentions (it reads when told).
    expected = [(e.name, e.mentions) for e in entities.list_entities(archive)]
    qtbot.waitUntil(
        lambda: [(e.name, e.mentions) for e in v["people"].model.rows()] == expected,
        timeout=10000,
    )
    return rows


def test_views_follow_tag_edit_merge_unmerge_delete_undo_redo(qtbot, views) -> None:
    v = views
    start = TEXT.index("the market")
    quote = TEXT[start : start + 10]

    ann = _write(
        v,
        "Tag as actor",
        lambda ch: annotate.create_annotation(
            ch, v["a"], start, start + 10, "actor", entity_id=v["other"]
        ),
    )
    assert _check(v, qtbot) == [(quote, "Other Union", "")]

    _write(v, "Edit note", lambda ch: annotate.update_annotation(ch, ann.id, note="seen"))
    assert _check(v, qtbot) == [(quote, "Other Union", "seen")]

    record = _write(
        v, "Merge entities", lambda ch: entities.merge_entities(ch, v["keep"], v["other"])
    )
    assert _check(v, qtbot) == [(quote, "Keep Union", "seen")]
    assert [(e.name, e.mentions) for e in v["people"].model.rows()] == [("Keep Union", 2)]

    _write(v, "Unmerge entities", lambda ch: entities.unmerge_entities(ch, record))
    assert _check(v, qtbot) == [(quote, "Other Union", "seen")]

    _write(v, "Delete annotation", lambda ch: annotate.delete_annotation(ch, ann.id))
    assert _check(v, qtbot) == []

    _undo(v)
    assert _check(v, qtbot) == [(quote, "Other Union", "seen")]
    _undo(v, redo=True)
    assert _check(v, qtbot) == []
    _undo(v)  # the delete again
    _undo(v)  # the unmerge
    assert _check(v, qtbot) == [(quote, "Keep Union", "seen")]

    # Not one of them reloaded everything: rows were removed, inserted and changed.
    assert v["resets"] == {"annotations": 0, "library": 0, "entities": 0}


def test_a_write_elsewhere_leaves_the_open_article_unread(qtbot, views) -> None:
    v = views
    reader, panel = v["reader"], v["panel"]
    reads = (reader._reads, panel._reads)
    start = TEXT.index("the army")
    _write(
        v,
        "Tag as event",
        lambda ch: annotate.create_annotation(ch, v["b"], start, start + 8, "event"),
    )
    assert (reader._reads, panel._reads) == reads  # article B's tag: A is not read again
    row = v["library"].model.library_row(v["b"])
    assert row is not None and row.annotations == 2
    _check(v, qtbot)


def test_a_hidden_annotations_panel_reads_when_shown(qtbot, views) -> None:
    from PySide6.QtWidgets import QTabWidget

    v = views
    panel = v["panel"]
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    front = type(panel)(v["ctx"])
    tabs.addTab(front, "front")
    tabs.addTab(panel, "back")
    tabs.show()
    qtbot.waitExposed(tabs)
    assert not panel.isVisible()
    reads = panel._reads
    start = TEXT.index("the market")
    _write(
        v,
        "Tag as actor",
        lambda ch: annotate.create_annotation(ch, v["a"], start, start + 10, "actor"),
    )
    assert panel._reads == reads and panel.model.rowCount() == 0  # noted, not read
    tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    assert v["ctx"].writer.wait()
    _check(v, qtbot)
    tabs.removeTab(tabs.indexOf(panel))
    panel.setParent(None)  # the fixture closes it
