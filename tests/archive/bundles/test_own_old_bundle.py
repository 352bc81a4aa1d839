"""Exchanges back and forth, and older bundles of one's own: no false conflicts.

The sender's base (`sesame:base`) is what they last received; when this archive has
taken in their edit since, its own exchange record is newer, and an annotation still as
that record says is unchanged here (for that same sender's bundles). A bundle exported
from this very archive (its manifest's `archive_id`, signed by its owner's key) holds
nothing this archive has not had: each annotation in it is an earlier (or the same)
version of the local one. Brought back in after a colleague's edits came in, it must
neither report a conflict nor take the archive back to the old version, nor move the
exchange records (the bases of the next three-way merge with the colleague).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import annotate
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report, tag


def _notes(archive: Archive) -> dict[str, str]:
    return {a.id: a.note for a in annotate.list_annotations(archive)}


def _exchange(archive: Archive) -> dict[str, str]:
    with archive.session() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT annotation_id, content_hash FROM exchange"
        )
        return dict(rows.all())


def test_an_older_bundle_of_ones_own_after_an_exchange(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    # Aung sends a passage; Hla takes it in, edits it, and sends it back.
    with aung.acting() as a:
        aid = add_report(a)
        ann = tag(a, aid, "Daw Hnin Wai", note="first")
        export_bundle(a, tmp_path / "aung-1.sesame")
    with hla.acting() as b:
        import_bundle(b, tmp_path / "aung-1.sesame")
        annotate.update_annotation(b, ann, note="Hla's note")
        export_bundle(b, tmp_path / "hla-1.sesame")
    with aung.acting() as a:
        assert import_bundle(a, tmp_path / "hla-1.sesame").updated["annotations"] == 1
        # Aung edits it again and sends it (a base in it now), and Hla edits it again.
        annotate.update_annotation(a, ann, note="Aung's second note")
        export_bundle(a, tmp_path / "aung-2.sesame")
    with hla.acting() as b:
        assert import_bundle(b, tmp_path / "aung-2.sesame").updated["annotations"] == 1
        annotate.update_annotation(b, ann, note="Hla's second note")
        export_bundle(b, tmp_path / "hla-2.sesame")
    with aung.acting() as a:
        assert import_bundle(a, tmp_path / "hla-2.sesame").updated["annotations"] == 1
        assert _notes(a)[ann] == "Hla's second note"
        bases = _exchange(a)
        # Aung's own older bundles, brought back: nothing in them is news here.
        for old in ("aung-1.sesame", "aung-2.sesame"):
            report = import_bundle(a, tmp_path / old)
            assert report.conflicts == [], old
            assert report.changed_nothing, (old, report.to_dict())
            assert _notes(a) == {ann: "Hla's second note"}
            assert _exchange(a) == bases
    # Hla's next edit still comes in as an update (the base was kept).
    with hla.acting() as b:
        annotate.update_annotation(b, ann, note="Hla's third note")
        export_bundle(b, tmp_path / "hla-3.sesame")
    with aung.acting() as a:
        report = import_bundle(a, tmp_path / "hla-3.sesame")
        assert report.conflicts == [] and report.updated["annotations"] == 1
        assert _notes(a)[ann] == "Hla's third note"


def _ping_pong(aung: Person, hla: Person, tmp_path: Path) -> str:
    """Aung tags, Hla edits, Aung takes it in: the annotation's id."""
    with aung.acting() as a:
        aid = add_report(a)
        ann = tag(a, aid, "Daw Hnin Wai", note="first")
        export_bundle(a, tmp_path / "aung-1.sesame")
    with hla.acting() as b:
        import_bundle(b, tmp_path / "aung-1.sesame")
        annotate.update_annotation(b, ann, note="Hla's note")
        export_bundle(b, tmp_path / "hla-1.sesame")
    with aung.acting() as a:
        assert import_bundle(a, tmp_path / "hla-1.sesame").updated["annotations"] == 1
    return ann


def test_the_same_colleagues_next_edit_is_an_update(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    """Hla's bundle after Aung took in Hla's edit: its base is older than Aung's record."""
    aung, hla = people
    ann = _ping_pong(aung, hla, tmp_path)
    with hla.acting() as b:
        annotate.update_annotation(b, ann, note="Hla's second note")
        export_bundle(b, tmp_path / "hla-2.sesame")
    with aung.acting() as a:
        report = import_bundle(a, tmp_path / "hla-2.sesame")
        assert report.conflicts == [] and report.updated["annotations"] == 1
        assert _notes(a) == {ann: "Hla's second note"}


def test_a_third_colleagues_edit_of_an_older_version_is_still_a_conflict(
    people: tuple[Person, Person], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kyaw edited the first version; Aung has Hla's edit of it: both changed it."""
    aung, hla = people
    kyaw = Person("Kyaw", tmp_path, monkeypatch)
    with aung.acting() as a:
        aid = add_report(a)
        ann = tag(a, aid, "Daw Hnin Wai", note="first")
        export_bundle(a, tmp_path / "aung-1.sesame")
    with kyaw.acting() as k:
        import_bundle(k, tmp_path / "aung-1.sesame")
        annotate.update_annotation(k, ann, note="Kyaw's note")
        export_bundle(k, tmp_path / "kyaw-1.sesame")
    with hla.acting() as b:
        import_bundle(b, tmp_path / "aung-1.sesame")
        annotate.update_annotation(b, ann, note="Hla's note")
        export_bundle(b, tmp_path / "hla-1.sesame")
    with aung.acting() as a:
        assert import_bundle(a, tmp_path / "hla-1.sesame").updated["annotations"] == 1
        report = import_bundle(a, tmp_path / "kyaw-1.sesame")
        assert [c["annotation_id"] for c in report.conflicts] == [ann]
        assert _notes(a)[ann] == "Hla's note"


def test_an_own_bundle_does_not_bring_back_what_was_deleted_here(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    ann = _ping_pong(aung, hla, tmp_path)
    with aung.acting() as a:
        annotate.delete_annotation(a, ann)
        report = import_bundle(a, tmp_path / "aung-1.sesame")
        assert report.conflicts == [] and report.changed_nothing, report.to_dict()
        assert ann not in _notes(a)


def test_an_own_bundle_still_restores_what_is_missing(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    """An own bundle into a new archive of the same person is an ordinary import."""
    aung, _ = people
    with aung.acting() as a:
        aid = add_report(a)
        ann = tag(a, aid, "Daw Hnin Wai", note="first")
        export_bundle(a, tmp_path / "aung-1.sesame")
    aung.archive_dir = tmp_path / "archive-Aung-2"
    with aung.acting() as a2:
        report = import_bundle(a2, tmp_path / "aung-1.sesame")
        assert report.added["annotations"] == 1
        assert _notes(a2) == {ann: "first"}
