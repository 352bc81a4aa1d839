"""Core changes: every change kind applied, undone and redone, compared row by row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from archive import annotate, audit, changes, collections, entities, suggest, tagtypes
from archive.changes import TRACKED, NothingToUndo
from archive.ingest import import_paths
from archive.store import Archive
from tests.archive.conftest import REPORT

Rows = dict[str, list[tuple[Any, ...]]]


def dump(archive: Archive) -> Rows:
    """Every stored row of every tracked table, exactly as SQLite holds it."""
    out: Rows = {}
    with archive.engine.connect() as conn:
        for table in TRACKED:
            rows = conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def chain_ok(archive: Archive) -> None:
    with archive.session() as session:
        report = audit.verify(session)
    assert report.ok, report.reason


def _tagged(archive: Archive, aid: str) -> str:
    s, e = annotate.find_quote(REPORT, "Daw Hnin Wai")
    return annotate.create_annotation(archive, aid, s, e, "actor", entity_name="Hnin Wai").id


def _merge_setup(archive: Archive, aid: str) -> tuple[str, str]:
    s, e = annotate.find_quote(REPORT, "Daw Hnin Wai")
    a = annotate.create_annotation(archive, aid, s, e, "actor", entity_name="Daw Hnin Wai")
    s, e = annotate.find_quote(REPORT, "MHWU")
    b = annotate.create_annotation(archive, aid, s, e, "actor", entity_name="MHWU")
    assert a.entity_id and b.entity_id
    return a.entity_id, b.entity_id


# Each case: (set-up returning a context, the change under test).
CASES: dict[str, tuple[Callable[[Archive, str], Any], Callable[[Archive, str, Any], Any]]] = {
    "tag": (lambda a, aid: None, lambda a, aid, _: _tagged(a, aid)),
    "edit annotation": (
        _tagged,
        lambda a, aid, ann: annotate.update_annotation(a, ann, note="checked", start=4),
    ),
    "delete annotation": (_tagged, lambda a, aid, ann: annotate.delete_annotation(a, ann)),
    "new entity": (
        lambda a, aid: None,
        lambda a, aid, _: entities.create_entity(a, "actor", "MHWU", aliases=["union"]),
    ),
    "rename entity": (
        lambda a, aid: entities.create_entity(a, "actor", "Tin Min Tun").id,
        lambda a, aid, eid: entities.rename_entity(a, eid, "Major Tin Min Tun"),
    ),
    "delete entity": (
        lambda a, aid: entities.create_entity(a, "actor", "Spare").id,
        lambda a, aid, eid: entities.delete_entity(a, eid),
    ),
    "merge": (_merge_setup, lambda a, aid, ids: entities.merge_entities(a, ids[0], ids[1])),
    "unmerge": (
        lambda a, aid: entities.merge_entities(a, *_merge_setup(a, aid)),
        lambda a, aid, rec: entities.unmerge_entities(a, rec),
    ),
    "new tag type": (
        lambda a, aid: None,
        lambda a, aid, _: tagtypes.create_tag_type(a, "place", "Place", "#90be6d", "P"),
    ),
    "edit tag type": (
        lambda a, aid: tagtypes.create_tag_type(a, "place", "Place", "#90be6d"),
        lambda a, aid, _: tagtypes.update_tag_type(a, "place", label="Where", colour="#000000"),
    ),
    "delete tag type": (
        lambda a, aid: tagtypes.create_tag_type(a, "place", "Place", "#90be6d"),
        lambda a, aid, _: tagtypes.delete_tag_type(a, "place"),
    ),
    "new collection": (
        lambda a, aid: None,
        lambda a, aid, _: collections.create_collection(a, "Case 1", "about"),
    ),
    "collection add": (
        lambda a, aid: collections.create_collection(a, "Case 1").id,
        lambda a, aid, cid: collections.add_articles(a, cid, [aid]),
    ),
    "collection remove": (
        lambda a, aid: collections.add_articles(
            a, collections.create_collection(a, "Case 1").id, [aid]
        ),
        lambda a, aid, _: collections.remove_articles(a, "Case 1", [aid]),
    ),
    "rename collection": (
        lambda a, aid: collections.add_articles(
            a, collections.create_collection(a, "Case 1").id, [aid]
        ),
        lambda a, aid, _: collections.rename_collection(a, "Case 1", "Case 2"),
    ),
    "delete collection": (
        lambda a, aid: collections.add_articles(
            a, collections.create_collection(a, "Case 1").id, [aid]
        ),
        lambda a, aid, _: collections.delete_collection(a, "Case 1"),
    ),
    "accept suggestions": (
        lambda a, aid: suggest.suggest_for_article(a, aid)[:3],
        lambda a, aid, chosen: suggest.accept_suggestions(a, aid, chosen),
    ),
    "reanchor": (
        _tagged,
        lambda a, aid, _: annotate.reanchor_article(a, aid, "New lead.\n" + REPORT),
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_apply_undo_redo_is_exact(
    kind: str, archive: Archive, add_article: Callable[..., str]
) -> None:
    setup, apply = CASES[kind]
    aid = add_article()
    context = setup(archive, aid)
    start = dump(archive)
    apply(archive, aid, context)
    done = dump(archive)
    assert done != start, "the change changed nothing"
    chain_ok(archive)

    undone = archive.undo()
    assert undone.kind == "undo" and not undone.empty
    assert dump(archive) == start
    chain_ok(archive)

    archive.redo()
    assert dump(archive) == done
    chain_ok(archive)

    archive.undo()
    assert dump(archive) == start
    chain_ok(archive)


def test_import_batch_is_one_undoable_change(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(f"Title {i}\n\nBody number {i} of the test.\n")
    start = dump(archive)
    report = import_paths(archive, [folder], collection="Imported")
    assert len(report.imported) == 3
    done = dump(archive)
    last = changes.history(archive, 1)[0]
    assert last.label == "Import in" and last.summary["article"]["created"] == 3
    assert archive.index.search("body").total == 3
    # The collection's change and the batch are one group: one undo takes both.
    undone = archive.undo()
    assert undone.label == "Undo Import in"
    assert dump(archive) == start
    assert archive.index.search("body").total == 0
    archive.redo()
    assert dump(archive) == done
    assert archive.index.search("body").total == 3
    chain_ok(archive)


def test_an_import_in_many_batches_undoes_as_one_step(
    archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    add_article: Callable[..., str],
) -> None:
    from archive.ingest import pipeline

    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)
    aid = add_article()
    _tagged(archive, aid)
    before = dump(archive)
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(7):
        (folder / f"a{i}.txt").write_text(f"Title {i}\n\nBody {i}.\n")
    import_paths(archive, [folder])
    batches = [e for e in changes.history(archive, 20) if e.label == "Import in"]
    assert len(batches) == 4
    archive.undo()
    assert dump(archive) == before
    assert changes.can_undo(archive) == "Tag as actor"
    archive.redo()
    assert len(dump(archive)["article"]) == 8
    archive.undo()
    archive.undo()  # then the tag
    assert annotate.list_annotations(archive, aid) == []
    chain_ok(archive)


def test_undo_and_redo_follow_one_line(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    with pytest.raises(NothingToUndo):
        archive.undo()
    with pytest.raises(NothingToUndo):
        archive.redo()
    first = _tagged(archive, aid)
    annotate.update_annotation(archive, first, note="one")
    archive.undo()
    # A new change drops what could have been redone.
    annotate.update_annotation(archive, first, note="two")
    with pytest.raises(NothingToUndo, match="nothing to redo"):
        archive.redo()
    assert changes.can_undo(archive) == "Edit annotation"
    entries = changes.history(archive, 10)
    assert [e.kind for e in entries] == ["do", "undo", "do", "do"]
    assert [e.state for e in entries] == ["done", "final", "dropped", "done"]
    assert all(e.author == "Test User" for e in entries)


def test_a_change_stamps_its_audit_entries_and_feeds_the_index_once(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    from sqlmodel import select

    from archive import models

    aid = add_article()
    with archive.change("Two tags") as ch:
        annotate.create_annotation(ch, aid, 0, 6, "event")
        annotate.create_annotation(ch, aid, 7, 12, "actor", entity_name="Someone")
    assert ch.changes is not None
    assert ch.changes.label == "Two tags"
    assert len(ch.changes.created("annotation")) == 2
    assert ch.changes.created("entity") and ch.changes.articles == {aid}
    with archive.session() as session:
        stamped = session.exec(
            select(models.AuditEvent.change_id).where(models.AuditEvent.change_id == ch.id)
        ).all()
        queued = session.exec(
            select(models.IndexQueue).where(models.IndexQueue.article_id == aid)
        ).all()
    assert len(stamped) == 3  # two annotations, one entity
    assert len(queued) <= 1  # fed once (and maybe consumed by the catch-up)
    archive.undo()
    assert annotate.list_annotations(archive, aid) == []


def test_a_failed_change_leaves_nothing(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    start = dump(archive)
    with pytest.raises(RuntimeError), archive.change("Half done") as ch:
        annotate.create_annotation(ch, aid, 0, 6, "event")
        raise RuntimeError("power cut")
    assert dump(archive) == start
    assert changes.history(archive) == []


def test_entries_written_before_changes_still_verify(archive: Archive) -> None:
    from archive import models

    with archive.transaction() as session:
        audit.record(
            session, user_id=None, action="old.entry", target_type="x", target_id="1", after={}
        )
    entities.create_entity(archive, "actor", "New")
    with archive.session() as session:
        rows = session.exec(
            __import__("sqlmodel").select(models.AuditEvent).order_by(models.AuditEvent.seq)
        ).all()
        assert rows[0].change_id is None and rows[1].change_id is not None
    chain_ok(archive)


def test_only_changes_open_write_transactions() -> None:
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(p.relative_to(root))
        for folder in ("archive", "desktop")
        for p in (root / folder).rglob("*.py")
        if ".transaction()" in p.read_text(encoding="utf-8")
        and p.name not in ("changes.py", "store.py")
    ]
    assert offenders == []


# -- random sequences against a model: a list of states and a position in it -----------


NAMES = ["Hnin Wai", "MHWU", "Zaw Min Htet", "Kyaw Swar Lin"]
QUOTES = ["Daw Hnin Wai", "MHWU", "U Zaw Min Htet", "Major Kyaw Swar Lin", "the junta"]


class UndoMachine(RuleBasedStateMachine):
    """Tags, edits, deletes, merges, undo and redo in any order.

    The model is the line of states the archive went through and where undo
    has brought it: undo must give back the state before, redo the state after,
    exactly, and a new change drops the states ahead.
    """

    @initialize()
    def start(self) -> None:
        import tempfile

        from archive import models

        self.tmp = tempfile.TemporaryDirectory()
        self.archive = Archive.open(Path(self.tmp.name) / "arch", create=True)
        with self.archive.transaction() as session:
            article = models.Article(title="t", text=REPORT, text_sha256="x")
            session.add(article)
        self.aid = article.id
        self.states = [dump(self.archive)]
        self.at = 0

    def teardown(self) -> None:
        if hasattr(self, "archive"):
            chain_ok(self.archive)
            self.archive.close()
            self.tmp.cleanup()

    def _did(self) -> None:
        self.states = [*self.states[: self.at + 1], dump(self.archive)]
        self.at += 1

    def _annotation_ids(self) -> list[str]:
        return sorted(a.id for a in annotate.list_annotations(self.archive, self.aid))

    @rule(quote=st.sampled_from(QUOTES), name=st.sampled_from(NAMES))
    def tag(self, quote: str, name: str) -> None:
        s, e = annotate.find_quote(REPORT, quote)
        annotate.create_annotation(self.archive, self.aid, s, e, "actor", entity_name=name)
        self._did()

    @rule(pick=st.integers(0, 10), note=st.text("ab ", max_size=4))
    def edit(self, pick: int, note: str) -> None:
        ids = self._annotation_ids()
        if not ids:
            return
        before = dump(self.archive)
        annotate.update_annotation(self.archive, ids[pick % len(ids)], note=note)
        if dump(self.archive) != before:
            self._did()

    @rule(pick=st.integers(0, 10))
    def delete(self, pick: int) -> None:
        ids = self._annotation_ids()
        if ids:
            annotate.delete_annotation(self.archive, ids[pick % len(ids)])
            self._did()

    @rule(a=st.integers(0, 10), b=st.integers(0, 10))
    def merge(self, a: int, b: int) -> None:
        live = entities.list_entities(self.archive, "actor")
        if len(live) < 2 or a % len(live) == b % len(live):
            return
        entities.merge_entities(self.archive, live[a % len(live)].id, live[b % len(live)].id)
        self._did()

    @rule()
    def undo(self) -> None:
        if self.at == 0:
            with pytest.raises(NothingToUndo):
                self.archive.undo()
            return
        self.archive.undo()
        self.at -= 1
        assert dump(self.archive) == self.states[self.at]

    @rule()
    def redo(self) -> None:
        if self.at == len(self.states) - 1:
            with pytest.raises(NothingToUndo):
                self.archive.redo()
            return
        self.archive.redo()
        self.at += 1
        assert dump(self.archive) == self.states[self.at]


UndoMachine.TestCase.settings = settings(max_examples=20, stateful_step_count=12, deadline=None)
test_random_sequences_undo_and_redo_exactly = UndoMachine.TestCase
