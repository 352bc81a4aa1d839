"""`sesame conflicts` and `sesame conflicts resolve` on a real two-person exchange."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.archive.annotate.test_cli import run
from tests.archive.conftest import Sent
from tests.archive.test_conflicts import _conflicted


def test_list_and_resolve_from_the_command_line(
    aung_sends: Callable[..., Sent], tmp_path: Path
) -> None:
    sent, shared, copy = _conflicted(aung_sends, tmp_path)
    sent.aung.me()
    where = ["--archive", str(sent.aung.archive_dir)]
    code, rows, _ = run("conflicts", *where)
    assert code == 0 and [r["copy_id"] for r in rows] == [copy]
    assert rows[0]["theirs"]["note"] == "Hla's reading"
    assert rows[0]["yours"]["id"] == shared and rows[0]["yours"]["note"] == "Aung's reading"
    code, doc, _ = run("conflicts", "resolve", "abc", "--keep", "mine", *where)
    assert code == 2 and "no open conflict" in doc["error"]
    code, doc, _ = run("conflicts", "resolve", copy[:8], "--keep", "theirs", *where)
    assert code == 0 and doc == {"copy_id": copy, "choice": "theirs", "kept": [shared]}
    assert run("conflicts", *where)[1] == []
    code, anns, _ = run("annotations", *where)
    assert {a["id"]: a["note"] for a in anns}[shared] == "Hla's reading"
    code, _, _ = run("undo", *where)
    assert [r["copy_id"] for r in run("conflicts", *where)[1]] == [copy]
