"""Several core changes in one transaction (`changes.transaction`): each stays its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archive import annotate, audit, changes, entities
from archive.errors import SesameError
from archive.store import Archive
from tests.archive.conftest import REPORT
from tests.archive.test_changes import chain_ok, dump


def _span(word: str) -> tuple[int, int]:
    return annotate.find_quote(REPORT, word)


def test_changes_in_one_transaction_are_each_their_own_step(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    before = dump(archive)
    words = ["Daw Hnin Wai", "MHWU", "Yangon"]
    with changes.transaction(archive) as txn:
        for i, word in enumerate(words):
            with txn.change(f"Tag {i}") as ch:
                s, e = _span(word)
                annotate.create_annotation(ch, aid, s, e, "actor", entity_name=word)
    done = [c.changes for c in txn.done]
    assert all(d is not None for d in done)
    ids = [d.id for d in done if d is not None]
    assert len(set(ids)) == 3
    # Own history lines, newest first, each an undo step of its own.
    history = changes.history(archive, 3)
    assert [h.label for h in history] == ["Tag 2", "Tag 1", "Tag 0"]
    assert [h.id for h in history] == ids[::-1]
    assert all(h.undoable for h in history)
    # Own audit entries, stamped with their own change's id, one chain.
    with archive.session() as session:
        stamped = session.connection().exec_driver_sql(
            "SELECT change_id, count(*) FROM auditevent WHERE change_id IN (?, ?, ?) "
            "GROUP BY change_id",
            tuple(ids),
        )
        per_change = dict(stamped.all())
        head = audit.head(session)
        checkpoint, _ = audit.read_checkpoint(session)
    assert set(per_change) == set(ids) and all(n >= 2 for n in per_change.values())
    chain_ok(archive)
    # The head is signed once, at the end, and the signature covers it.
    assert checkpoint is not None and checkpoint.holds()
    assert (checkpoint.seq, checkpoint.hash) == head
    # Undone one by one, newest first; the rows come back exactly.
    after_all = dump(archive)
    for n in (2, 1, 0):
        undone = archive.undo()
        assert undone.target_id == ids[n]
        chain_ok(archive)
    assert dump(archive) == before
    for _ in range(3):
        archive.redo()
    assert dump(archive) == after_all
    chain_ok(archive)


def test_a_refused_change_leaves_nothing_and_the_others_commit(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    entities.create_entity(archive, "actor", "Market traders")
    refused: list[str] = []
    with changes.transaction(archive) as txn:
        for i, word in enumerate(["Daw Hnin Wai", None, "MHWU"]):
            try:
                with txn.change(f"Tag {i}") as ch:
                    if word is None:  # writes a row, then is refused
                        s, e = _span("Yangon")
                        annotate.create_annotation(ch, aid, s, e, "place", note="half")
                        entities.create_entity(ch, "actor", "market  traders")
                    else:
                        s, e = _span(word)
                        annotate.create_annotation(ch, aid, s, e, "actor", entity_name=word)
            except SesameError as exc:
                refused.append(str(exc))
    assert len(refused) == 1
    assert [c.label for c in txn.done] == ["Tag 0", "Tag 2"]
    notes = [a.note for a in annotate.list_annotations(archive, aid)]
    assert "half" not in notes and len(notes) == 2
    assert [h.label for h in changes.history(archive, 2)] == ["Tag 2", "Tag 0"]
    chain_ok(archive)
    archive.undo()
    archive.undo()
    assert annotate.list_annotations(archive, aid) == []
    chain_ok(archive)


def test_an_error_that_is_not_a_refusal_rolls_back_them_all(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    before = dump(archive)
    with pytest.raises(RuntimeError), changes.transaction(archive) as txn:
        with txn.change("Tag 0") as ch:
            s, e = _span("MHWU")
            annotate.create_annotation(ch, aid, s, e, "actor", entity_name="MHWU")
        with txn.change("Tag 1"):
            raise RuntimeError("a bug")
    assert dump(archive) == before
    assert [h.label for h in changes.history(archive, 5)][:1] != ["Tag 0"]
    chain_ok(archive)
