"""A bundle's new articles are grouped with their copies in the import's own change (issue 14):
a reprint that arrives in a bundle counts as one source with the story it copies."""

from __future__ import annotations

from pathlib import Path

from archive import changes, copies
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from archive.ingest import import_paths
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report
from tests.archive.copies_pairs import WIRE, WIRE_BYLINE, WIRE_NEW_LEAD, WIRE_OTHER


def _imported(archive: Archive, folder: Path, text: str) -> str:
    """An article imported as `sesame import` does (so signed for copies)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{len(list(folder.iterdir()))}.txt"
    path.write_text(text, encoding="utf-8")
    [item] = import_paths(archive, [path], index=False).imported
    return item.id


def _groups(archive: Archive) -> list[list[str]]:
    return sorted(sorted(g.articles) for g in copies.copy_groups(archive))


def test_a_bundles_reprints_join_the_local_story_once(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        lead = add_report(a, WIRE_NEW_LEAD, title="Reprint with a new lead")
        byline = add_report(a, WIRE_BYLINE, title="Reprint with another byline")
        other = add_report(a, WIRE_OTHER, title="Another story from the wire")
        export_bundle(a, out)
    with hla.acting() as b:
        wire = _imported(b, tmp_path / "files", WIRE)
        merged = import_bundle(b, out)
        assert merged.added["articles"] == 3
        assert _groups(b) == [sorted([wire, lead, byline])]
        with b.session() as session:
            signed = {
                r[0]
                for r in session.connection().exec_driver_sql(
                    "SELECT article_id FROM copysignature"
                )
            }
        assert {lead, byline, other} <= signed
        # One undo step takes the articles and their group away together.
        assert changes.history(b, 1)[0].label == "Import bundle from Aung"
        b.undo()
        assert _groups(b) == []
        b.redo()
        assert _groups(b) == [sorted([wire, lead, byline])]
        # The same bundle again changes nothing, groups included.
        again = import_bundle(b, out)
        assert again.changed_nothing
        assert _groups(b) == [sorted([wire, lead, byline])]


def test_a_bundle_import_keeps_the_users_split(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        lead = add_report(a, WIRE_NEW_LEAD, title="Reprint with a new lead")
        export_bundle(a, out)
    with hla.acting() as b:
        wire = _imported(b, tmp_path / "files", WIRE)
        byline = _imported(b, tmp_path / "files", WIRE_BYLINE)
        assert _groups(b) == [sorted([wire, byline])]
        copies.split(b, [wire])  # the person decided: not copies
        import_bundle(b, out)
        # The split left both as the person's decision: the new reprint joins neither.
        assert _groups(b) == []
        with b.session() as session:
            rows = session.connection().exec_driver_sql(
                "SELECT id, copy_group, copy_group_by FROM article"
            )
            state = {r[0]: (r[1], r[2]) for r in rows}
        assert state[wire] == state[byline] == (None, copies.GROUP_BY_USER)
        assert state[lead][1] == copies.GROUP_BY_AUTO
