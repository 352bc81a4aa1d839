"""The same colleague's next bundle: entity edits applied, deletions on either side kept.

Each test exports from Aung's archive, imports into Hla's, edits or deletes on one or
both sides, exports again and imports again: the three-way rule of `archive.bundles.merge`
with the `Exchange` table as the base.
"""

from __future__ import annotations

from pathlib import Path

from archive import annotate, entities, models
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report, tag


def _notes(archive: Archive) -> dict[str, str]:
    return {a.id: a.note for a in annotate.list_annotations(archive)}


def _entity(archive: Archive, entity_id: str) -> models.Entity:
    with archive.session() as session:
        row = session.get(models.Entity, entity_id)
        assert row is not None
        return row


def _first_exchange(aung: Person, hla: Person, tmp_path: Path) -> tuple[str, str, str]:
    """Aung tags two passages and sends them; Hla imports. (article, annotation, entity)."""
    with aung.acting() as a:
        aid = add_report(a)
        ann = tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai", note="first")
        tag(a, aid, "MHWU", entity_name="MHWU")
        with a.session() as session:
            row = session.get(models.Annotation, ann)
            assert row is not None and row.entity_id
            eid = row.entity_id
        export_bundle(a, tmp_path / "1.sesame")
    with hla.acting() as b:
        assert import_bundle(b, tmp_path / "1.sesame").added["annotations"] == 2
    return aid, ann, eid


def test_the_senders_entity_edits_are_applied(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, _, eid = _first_exchange(aung, hla, tmp_path)
    with aung.acting() as a:
        entities.update_entity(
            a,
            eid,
            name="Daw Hnin Wai",
            aliases=["Hnin Wai", "Ma Hnin"],
            description="Strike leader, Mandalay General Hospital",
            place="Mandalay",
        )
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        report = import_bundle(b, tmp_path / "2.sesame")
        assert report.updated.get("entities") == 1 and not report.entity_conflicts
        row = _entity(b, eid)
        assert row.name == "Daw Hnin Wai"
        assert row.aliases == ["Hnin Wai", "Ma Hnin"]
        assert row.description == "Strike leader, Mandalay General Hospital"
        assert row.place == "Mandalay"
        # The same bundle again changes nothing.
        assert import_bundle(b, tmp_path / "2.sesame").changed_nothing


def test_an_entity_edited_on_both_sides_is_kept_and_reported(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, _, eid = _first_exchange(aung, hla, tmp_path)
    with aung.acting() as a:
        entities.update_entity(a, eid, description="Aung's description")
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        entities.update_entity(b, eid, description="Hla's description")
        report = import_bundle(b, tmp_path / "2.sesame")
        assert _entity(b, eid).description == "Hla's description"
        assert [c["entity_id"] for c in report.entity_conflicts] == [eid]
        assert "entities" not in report.updated
        # Reported once: the next import of the same bundle is quiet.
        again = import_bundle(b, tmp_path / "2.sesame")
        assert again.changed_nothing and not again.entity_conflicts


def test_a_local_entity_edit_is_not_undone_by_an_unchanged_one(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, _, eid = _first_exchange(aung, hla, tmp_path)
    with aung.acting() as a:
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        entities.update_entity(b, eid, name="Hnin Wai (nurse)")
        report = import_bundle(b, tmp_path / "2.sesame")
        assert _entity(b, eid).name == "Hnin Wai (nurse)"
        assert report.changed_nothing and not report.entity_conflicts


def test_an_annotation_deleted_here_stays_deleted(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    aid, ann, _ = _first_exchange(aung, hla, tmp_path)
    with hla.acting() as b:
        annotate.delete_annotation(b, ann)
    with aung.acting() as a:
        tag(a, aid, "Major Kyaw Swar Lin", entity_name="Kyaw Swar Lin")  # something new
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        report = import_bundle(b, tmp_path / "2.sesame")
        assert report.added.get("annotations") == 1
        assert ann not in _notes(b) and not report.conflicts


def test_an_annotation_deleted_here_and_edited_there_is_a_conflict(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, ann, _ = _first_exchange(aung, hla, tmp_path)
    with hla.acting() as b:
        annotate.delete_annotation(b, ann)
    with aung.acting() as a:
        annotate.update_annotation(a, ann, note="Aung's second reading")
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        report = import_bundle(b, tmp_path / "2.sesame")
        assert [c["annotation_id"] for c in report.conflicts] == [ann]
        conflict = report.conflicts[0]
        assert conflict["deleted_here"] and conflict["local"] == ""
        notes = _notes(b)
        assert ann not in notes and notes[conflict["incoming_copy"]] == "Aung's second reading"
        assert import_bundle(b, tmp_path / "2.sesame").changed_nothing


def test_an_annotation_the_sender_deleted_is_deleted_here(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, ann, _ = _first_exchange(aung, hla, tmp_path)
    with aung.acting() as a:
        annotate.delete_annotation(a, ann)
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        report = import_bundle(b, tmp_path / "2.sesame")
        assert report.deleted.get("annotations") == 1
        assert ann not in _notes(b) and len(_notes(b)) == 1
        assert import_bundle(b, tmp_path / "2.sesame").changed_nothing
        # Undone as one step, like the rest of the import.
        from archive.changes import undo

        undo(b)
        assert ann in _notes(b)


def test_an_annotation_the_sender_deleted_but_edited_here_is_kept(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, ann, _ = _first_exchange(aung, hla, tmp_path)
    with aung.acting() as a:
        annotate.delete_annotation(a, ann)
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        annotate.update_annotation(b, ann, note="Hla's reading")
        report = import_bundle(b, tmp_path / "2.sesame")
        assert _notes(b)[ann] == "Hla's reading"
        assert [c["annotation_id"] for c in report.conflicts] == [ann]
        assert report.conflicts[0]["deleted_there"]


def test_another_senders_bundle_deletes_nothing(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, ann, _ = _first_exchange(aung, hla, tmp_path)
    with hla.acting() as b:
        # A bundle of the same article without the annotation, by another key than the one
        # it came under: Aung made it, so Hla's bundle deletes nothing of his.
        annotate.delete_annotation(b, ann)
        export_bundle(b, tmp_path / "hla.sesame")
    with aung.acting() as a:
        report = import_bundle(a, tmp_path / "hla.sesame")
        assert ann in _notes(a) and not report.deleted


def test_my_own_deleted_annotation_sent_back_unchanged_stays_deleted(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    _, ann, _ = _first_exchange(aung, hla, tmp_path)
    with aung.acting() as a:
        annotate.delete_annotation(a, ann)
    with hla.acting() as b:
        export_bundle(b, tmp_path / "back.sesame")  # Hla did not touch it
    with aung.acting() as a:
        report = import_bundle(a, tmp_path / "back.sesame")
        assert ann not in _notes(a) and "annotations" not in report.added
