"""A bundle import is labelled as the import in history and undo, whatever it does."""

from __future__ import annotations

from pathlib import Path

from archive import annotate
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from archive.changes import history, undo
from tests.archive.bundles.conftest import Person, add_report, tag


def test_an_import_that_deletes_a_passage_is_still_called_the_import(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    with aung.acting() as a:
        aid = add_report(a)
        gone = tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
        tag(a, aid, "MHWU", entity_name="MHWU")
        export_bundle(a, tmp_path / "1.sesame")
    with hla.acting() as b:
        import_bundle(b, tmp_path / "1.sesame")
    with aung.acting() as a:
        annotate.delete_annotation(a, gone)
        export_bundle(a, tmp_path / "2.sesame")
    with hla.acting() as b:
        report = import_bundle(b, tmp_path / "2.sesame")
        assert report.deleted.get("annotations") == 1
        newest = history(b, limit=1)[0]
        assert newest.label == "Import bundle from Aung"
        undone = undo(b)
        assert undone.label == "Undo Import bundle from Aung"
        assert gone in {x.id for x in annotate.list_annotations(b)}
