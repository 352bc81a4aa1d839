"""A big change set keeps only its rows' reference columns (`changes.REFERENCE_COLUMNS`):
the views' delta (`desktop.delta.ViewDelta`) must come out the same from them."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from archive import annotate, collections, entities
from archive.changes import ChangeSet
from archive.ingest import import_paths
from archive.library import list_articles
from archive.store import Archive
from desktop.delta import ViewDelta


def _sets(delta: ViewDelta) -> dict[str, object]:
    return {f.name: getattr(delta, f.name) for f in fields(delta) if f.name != "rows"}


def _reduced(done: ChangeSet) -> ChangeSet:
    return ChangeSet(
        done.id,
        done.label,
        done.origin,
        done.kind,
        done.user_id,
        done.at,
        rows=[r.reduced() for r in done.rows],
        articles=done.articles,
        entities=done.entities,
        values_kept=False,
    )


def test_the_delta_of_reference_columns_is_the_delta_of_every_value(
    archive: Archive, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(f"Title {i}\n\nDaw Hnin Wai spoke to the union {i}.\n")
    import_paths(archive, [folder], collection="Case")
    ids = [str(a["id"]) for a in list_articles(archive)]
    keep = entities.create_entity(archive, "actor", "Keep")
    sets: list[ChangeSet] = []
    with archive.change("Many writes") as ch:
        for aid in ids:
            annotate.create_annotation(ch, aid, 0, 12, "actor", entity_id=keep.id)
        case = collections.create_collection(ch, "Second case")
        collections.add_articles(ch, case.id, ids[:2])
    assert ch.changes is not None
    sets.append(ch.changes)
    sets.append(archive.undo())
    sets.append(archive.redo())
    for done in sets:
        assert done.values_kept
        full, reduced = ViewDelta.of([done]), ViewDelta.of([_reduced(done)])
        assert _sets(full) == _sets(reduced)
        assert full.annotation_articles == set(ids)
