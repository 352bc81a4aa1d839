"""A full bundle import logged in pieces (`changes._LogText`): custody reads it, undo and
redo restore every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import changes, custody
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from tests.archive.bundles.conftest import Person, add_report, tag
from tests.archive.test_changes import chain_ok, dump
from tests.archive.test_changes_big import stored


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "_SPOOL_AT", 300)
    monkeypatch.setattr(changes, "KEEP_VALUES", 12)


def test_a_bundle_import_logged_in_pieces_undoes_every_row_and_passes_custody(
    people: tuple[Person, Person], tmp_path: Path, small_pieces: None
) -> None:
    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        for i in range(4):
            aid = add_report(a, title=f"Report {i}", original=f"original {i}")
            tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai", note=f"note {i}")
        export_bundle(a, out)
    with hla.acting() as b:
        start = dump(b)
        report = import_bundle(b, out)
        assert report.added["articles"] == 4 and report.added["annotations"] == 4
        done = dump(b)
        entry = changes.history(b, 1)[0]
        kind, rows = stored(b, entry.id)
        assert kind == "blob" and sum(1 for r in rows if r["t"] == "annotation") == 4
        # The custody check reads the import's rows from the log written in pieces.
        result = custody.check_custody(b)
        assert result.ok, result.summary()
        undone = b.undo()
        assert dump(b) == start
        # A big change set keeps what the views need of each annotation.
        assert not undone.values_kept
        annotations = [r.before for r in undone.rows if r.table == "annotation"]
        assert len(annotations) == 4
        for values in annotations:
            assert values is not None and values["article_id"] and values["entity_id"]
            assert values["type_key"] == "actor" and "quote" not in values
        b.redo()
        assert dump(b) == done
        chain_ok(b)
