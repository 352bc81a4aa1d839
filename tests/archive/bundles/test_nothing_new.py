"""A bundle import that changes nothing is no undo step (QA F19): a new bundle whose
content is all known here writes no exchange record (its `sender:` key included)."""

from __future__ import annotations

from pathlib import Path

from archive import annotate
from archive.bundles.merge import SENDER_KEY, import_bundle
from archive.bundles.writer import export_bundle
from archive.changes import history, undo
from tests.archive.bundles.conftest import Person, add_report, tag


def _exchange_keys(archive_: object) -> set[str]:
    from archive.store import Archive

    assert isinstance(archive_, Archive)
    with archive_.read_connection() as conn:
        return {r[0] for r in conn.execute("SELECT annotation_id FROM exchange")}


def test_a_new_bundle_of_nothing_new_is_history_but_not_an_undo_step(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    with aung.acting() as a:
        aid = add_report(a)
        tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
        first = export_bundle(a, tmp_path / "1.sesame")
        second = export_bundle(a, tmp_path / "2.sesame")  # the same content, another id
    assert first.bundle_id != second.bundle_id
    with hla.acting() as b:
        import_bundle(b, tmp_path / "1.sesame")
        assert SENDER_KEY + first.bundle_id in _exchange_keys(b)
        mine = tag(b, aid, "MHWU", entity_name="MHWU")  # Hla's own edit, her last step
        before = _exchange_keys(b)
        report = import_bundle(b, tmp_path / "2.sesame")
        assert report.changed_nothing and "Nothing new" in report.line()
        assert _exchange_keys(b) == before  # no sender:<second> record
        newest = history(b, limit=1)[0]
        assert newest.label == "Import bundle from Aung" and not newest.undoable
        undone = undo(b)  # Hla's tag, not the import
        assert mine not in {x.id for x in annotate.list_annotations(b)}
        assert "Import bundle" not in undone.label


def test_a_new_bundle_with_a_change_still_records_its_sender(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    with aung.acting() as a:
        aid = add_report(a)
        tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
        export_bundle(a, tmp_path / "1.sesame")
        tag(a, aid, "MHWU", entity_name="MHWU")
        second = export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        import_bundle(b, tmp_path / "1.sesame")
        report = import_bundle(b, tmp_path / "2.sesame")
        assert report.added.get("annotations") == 1
        assert SENDER_KEY + second.bundle_id in _exchange_keys(b)
        assert history(b, limit=1)[0].undoable
