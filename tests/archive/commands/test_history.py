"""`sesame undo`, `redo` and `history` as a person uses them after `sesame tag`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.archive.annotate.test_cli import run


def test_undo_after_tag_removes_it_and_history_lists_both(arch: dict[str, str]) -> None:
    code, ann, _ = run("tag", arch["one"], "--quote", "Daw Hnin Wai", "--type", "actor",
                       "--entity", "Hnin Wai")  # fmt: skip
    assert code == 0
    code, done, _ = run("undo")
    assert code == 0 and done["label"] == "Undo Tag as actor"
    assert done["summary"] == {"annotation": {"deleted": 1}, "entity": {"deleted": 1}}
    code, anns, _ = run("annotations", arch["one"])
    assert code == 0 and anns == []
    code, history, _ = run("history")
    assert code == 0
    entries: list[dict[str, Any]] = history
    assert [(e["label"], e["kind"], e["state"]) for e in entries] == [
        ("Undo Tag as actor", "undo", "final"),
        ("Tag as actor", "do", "undone"),
    ]
    assert all(e["author"] == "Test User" for e in entries)
    code, again, _ = run("redo")
    assert code == 0 and again["summary"]["annotation"] == {"created": 1}
    code, anns, _ = run("annotations", arch["one"])
    assert [a["id"] for a in anns] == [ann["id"]]
    code, verdict, _ = run("audit", "verify")
    assert code == 0 and verdict["ok"]


def test_nothing_to_undo_says_so(arch: dict[str, str]) -> None:
    code, doc, err = run("undo")
    assert code == 1
    assert "nothing to undo" in (err + str(doc)).lower()


@pytest.mark.parametrize(
    "argv",
    [
        ["reindex"],
        ["undo"],
        ["redo"],
        ["export-bundle", "{tmp}/x.sesame"],
        ["article", "retract", "abcdef", "--reason", "r"],
    ],
)
def test_a_command_on_a_missing_archive_creates_nothing(tmp_path: Path, argv: list[str]) -> None:
    missing = tmp_path / "no-archive-here"
    code, _, _ = run("--archive", str(missing), *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2
    assert not missing.exists()


def test_counts_are_said_in_words() -> None:
    from archive.changes import describe_counts

    said = describe_counts(
        {"articlecollection": {"deleted": 3}, "annotation": {"created": 1, "updated": 2}}
    )
    assert said == "1 passage added, 2 passages changed, 3 collection memberships removed"
    assert describe_counts({}) == "nothing"
