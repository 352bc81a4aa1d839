"""A bundle's new articles are grouped with their copies in the import's own change (issue 14):
a reprint that arrives in a bundle counts as one source with the story it copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from archive import changes, copies
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from archive.ingest import import_paths
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report
from tests.archive.copies_pairs import WIRE, WIRE_BYLINE, WIRE_NEW_LEAD, WIRE_OTHER

Imported = Callable[[Archive, str], str]
AungsBundle = Callable[[dict[str, str]], tuple[Path, list[str]]]


@pytest.fixture
def imported(tmp_path: Path) -> Imported:
    """`imported(archive, text)`: an article imported as `sesame import` does (so signed
    for copies); its id."""
    folder = tmp_path / "files"
    folder.mkdir()

    def make(archive: Archive, text: str) -> str:
        path = folder / f"{len(list(folder.iterdir()))}.txt"
        path.write_text(text, encoding="utf-8")
        [item] = import_paths(archive, [path], index=False).imported
        return item.id

    return make


@pytest.fixture
def aungs_bundle(people: tuple[Person, Person], tmp_path: Path) -> AungsBundle:
    """`aungs_bundle({title: text})`: Aung's bundle of those reports; its path and their ids."""

    def make(reports: dict[str, str]) -> tuple[Path, list[str]]:
        out = tmp_path / "case.sesame"
        with people[0].acting() as a:
            ids = [add_report(a, text, title=title) for title, text in reports.items()]
            export_bundle(a, out)
        return out, ids

    return make


def _groups(archive: Archive) -> list[list[str]]:
    return sorted(sorted(g.articles) for g in copies.copy_groups(archive))


def test_a_bundles_reprints_join_the_local_story_once(
    people: tuple[Person, Person], aungs_bundle: AungsBundle, imported: Imported
) -> None:
    out, (lead, byline, other) = aungs_bundle(
        {
            "Reprint with a new lead": WIRE_NEW_LEAD,
            "Reprint with another byline": WIRE_BYLINE,
            "Another story from the wire": WIRE_OTHER,
        }
    )
    with people[1].acting() as b:
        wire = imported(b, WIRE)
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
    people: tuple[Person, Person], aungs_bundle: AungsBundle, imported: Imported
) -> None:
    out, [lead] = aungs_bundle({"Reprint with a new lead": WIRE_NEW_LEAD})
    with people[1].acting() as b:
        wire = imported(b, WIRE)
        byline = imported(b, WIRE_BYLINE)
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
