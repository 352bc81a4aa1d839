"""Fixity in the window: File → Check originals runs in the background, records the run and
shows it in the status bar; a changed original is named in an error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive import fixity
from archive.ingest import import_paths
from tests.archive.copies_pairs import WIRE, WIRE_OTHER


def _import(archive, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "wire.txt").write_text(WIRE, encoding="utf-8")
    (folder / "other.txt").write_text(WIRE_OTHER, encoding="utf-8")
    result = import_paths(archive, [folder], index=False)
    return {Path(i.path).name: i.id for i in result.imported}


def test_check_originals_from_the_menu(qtbot, window, dialogs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = _import(window.ctx.archive, tmp_path)
    label = window.fixity.label
    assert label.text() == "Originals: never checked"
    assert window.fixity.action in window.menuBar().actions()[0].menu().actions()
    window.fixity.action.trigger()
    qtbot.waitUntil(lambda: label.text().startswith("Originals hold"), timeout=20000)
    assert "checked just now" in label.text()
    last = fixity.last_run(window.ctx.archive)
    assert last is not None and last.ok and last.originals == 2
    assert dialogs.of_kind("error") == []

    conn = sqlite3.connect(window.ctx.archive.db_path)
    with conn:
        conn.execute(
            "UPDATE original SET data = CAST(replace(CAST(data AS TEXT), 'Funerals', 'Fun') "
            "AS BLOB) WHERE first_name = 'other.txt'"
        )
    conn.close()
    window.fixity.action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.of_kind("error")), timeout=20000)
    [(_, title, text)] = dialogs.of_kind("error")
    assert title == "Check originals"
    assert ids["other.txt"] in text and "other.txt" in text and ids["wire.txt"] not in text
    qtbot.waitUntil(lambda: "1 original(s) changed" in label.text(), timeout=20000)
    last = fixity.last_run(window.ctx.archive)
    assert last is not None and not last.ok and len(last.failed) == 1
