"""Big changes: the change log written in pieces, change sets without values, undo exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import changes
from archive.ingest import import_paths
from archive.store import Archive
from tests.archive.test_changes import chain_ok, dump


def stored(archive: Archive, change_id: str) -> tuple[str, list[dict]]:
    """The change log's rows of one change: SQLite's type for them, and them parsed."""
    with archive.engine.connect() as conn:
        kind, raw = conn.exec_driver_sql(
            "SELECT typeof(rows), rows FROM change WHERE id = ?", (change_id,)
        ).one()
    return kind, json.loads(raw)


def _files(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        body = " ".join(f"word{i}-{j}" for j in range(60))
        (folder / f"a{i}.txt").write_text(f"Title {i}\n\n{body}.\n")
    return folder


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few hundred bytes make a long log text, a dozen rows a big change set."""
    monkeypatch.setattr(changes, "_SPOOL_AT", 300)
    monkeypatch.setattr(changes, "KEEP_VALUES", 12)


def test_a_long_log_is_written_in_pieces_and_reads_as_one(
    archive: Archive, tmp_path: Path, small_pieces: None
) -> None:
    start = dump(archive)
    import_paths(archive, [_files(tmp_path / "in", 20)])
    done = dump(archive)
    entry = changes.history(archive, 1)[0]
    kind, rows = stored(archive, entry.id)
    # Written into its row in pieces: a BLOB of the same JSON the text would have been.
    assert kind == "blob"
    assert {r["t"] for r in rows} >= {"article", "original"}
    assert sum(1 for r in rows if r["t"] == "article") == 20
    for r in rows:
        assert r["b"] is None and set(r["a"]) and r["k"]
    # Long "after" values are digests, as in a log written whole.
    texts = [r["a"]["text"] for r in rows if r["t"] == "article"]
    assert all(set(t) == {"$sha256", "$len"} for t in texts)
    # Nothing is left in the archive's folder.
    assert not list(archive.path.glob(".change-*"))
    assert changes.can_undo(archive) == entry.label

    undone = archive.undo()
    assert dump(archive) == start
    # The undo's own log (every row's full values) is long too: redo reads it back.
    assert stored(archive, undone.id)[0] == "blob"
    archive.redo()
    assert dump(archive) == done
    archive.undo()
    assert dump(archive) == start
    chain_ok(archive)


def test_a_big_change_set_keeps_ids_and_ops_not_values(
    archive: Archive, tmp_path: Path, small_pieces: None
) -> None:
    import_paths(archive, [_files(tmp_path / "in", 8)])
    undone = archive.undo()
    assert not undone.values_kept
    assert len(undone.deleted("article")) == 8 and len(undone.deleted("original")) == 8
    # Of each row only what names other rows (the views read those: desktop/delta.py).
    for r in undone.rows:
        assert r.after is None and r.before is not None
        assert set(r.before) <= changes.REFERENCE_COLUMNS
    article = next(r for r in undone.rows if r.table == "article")
    assert article.before is not None and article.before["id"] == article.key[0]
    assert undone.summary()["article"] == {"deleted": 8}
    assert len(undone.articles) == 8  # still told to the index and the views
    redone = archive.redo()
    assert not redone.values_kept and len(redone.created("article")) == 8
    assert redone.articles == undone.articles
    assert archive.index.search("title").total == 8


def test_a_small_change_keeps_its_values_and_its_text(archive: Archive, tmp_path: Path) -> None:
    from archive import collections

    import_paths(archive, [_files(tmp_path / "in", 1)])
    # A short log is text, bound whole.
    assert stored(archive, changes.history(archive, 1)[0].id)[0] == "text"
    with archive.change("note") as ch:
        collections.create_collection(ch, "Case A")
    done = ch.changes
    assert done is not None and done.values_kept
    row = done.rows[0]
    assert row.op == "created" and row.after is not None and row.after["name"] == "Case A"
