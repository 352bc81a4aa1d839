"""Resolving a bundle's conflicts: mine, theirs, both; one undoable change; none comes back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from archive import annotate, conflicts
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from archive.errors import InvalidInput
from tests.archive.conftest import Sent, tag


def _conflicted(aung_sends: Callable[..., Sent], tmp_path: Path) -> tuple[Sent, str, str]:
    """Aung and Hla both edited Aung's tag; Aung imports Hla's bundle: (sent, his id, copy)."""
    sent = aung_sends(note="first")
    shared = sent.tags["Daw Hnin Wai"]
    with sent.hla.acting() as b:
        import_bundle(b, sent.bundle)
        annotate.update_annotation(b, shared, note="Hla's reading")
        tag(b, sent.article_id, "Major Kyaw Swar Lin", entity_name="Kyaw Swar Lin")
        export_bundle(b, tmp_path / "2.sesame")
    with sent.aung.acting() as a:
        annotate.update_annotation(a, shared, note="Aung's reading")
        report = import_bundle(a, tmp_path / "2.sesame")
        copy = report.conflicts[0]["incoming_copy"]
    return sent, shared, copy


def _notes(archive) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {a.id: a.note for a in annotate.list_annotations(archive)}


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
def test_each_choice_is_one_change_and_the_conflict_does_not_come_back(
    aung_sends: Callable[..., Sent], tmp_path: Path, choice: str
) -> None:
    sent, shared, copy = _conflicted(aung_sends, tmp_path)
    with sent.aung.acting() as a:
        [open_one] = conflicts.open_conflicts(a)
        assert open_one.id == copy and open_one.local is not None
        assert (
            open_one.copy["note"] == "Hla's reading" and open_one.local["note"] == "Aung's reading"
        )
        assert open_one.copy["author"] and open_one.copy["updated_at"]
        before = _notes(a)
        done = conflicts.resolve(a, copy, choice)
        notes = _notes(a)
        expected = {
            "mine": ({shared: "Aung's reading"}, [copy]),
            "theirs": ({shared: "Hla's reading"}, [copy]),
            "both": ({shared: "Aung's reading", copy: "Hla's reading"}, []),
        }[choice]
        for ann_id, note in expected[0].items():
            assert notes[ann_id] == note
        assert all(gone not in notes for gone in expected[1])
        assert done["choice"] == choice and shared in done["kept"]
        assert conflicts.open_conflicts(a) == []
        a.undo()  # one step brings the conflict back
        assert _notes(a) == before
        assert [c.id for c in conflicts.open_conflicts(a)] == [copy]
        a.redo()
        assert _notes(a) == notes
        # The same bundle again: no conflict comes back.
        again = import_bundle(a, tmp_path / "2.sesame")
        assert not again.conflicts and not again.added.get("conflict_copies")
        assert conflicts.open_conflicts(a) == [] and _notes(a) == notes


def test_resolving_what_is_no_conflict_is_refused(
    aung_sends: Callable[..., Sent], tmp_path: Path
) -> None:
    sent, shared, copy = _conflicted(aung_sends, tmp_path)
    with sent.aung.acting() as a:
        with pytest.raises(InvalidInput, match="not a conflict copy"):
            conflicts.resolve(a, shared, "mine")
        with pytest.raises(InvalidInput, match="Choose one of"):
            conflicts.resolve(a, copy, "neither")
        assert len(conflicts.open_conflicts(a)) == 1
