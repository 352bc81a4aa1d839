"""`sesame notes`: print, --set FILE / -, --grep; broken links named, exit statuses."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from archive.cli import main
from tests.archive.annotate.test_cli import run


@pytest.fixture
def case(arch: dict[str, str]) -> str:
    assert run("collections", "create", "Hospital raids")[0] == 0
    return "Hospital raids"


def _tag(arch: dict[str, str]) -> dict[str, str]:
    code, ann, _ = run("tag", arch["one"], "--quote", "Daw Hnin Wai", "--type", "actor",
                       "--entity", "Hnin Wai")  # fmt: skip
    assert code == 0
    return ann  # type: ignore[no-any-return]


def test_set_from_a_file_print_and_undo(arch: dict[str, str], case: str, tmp_path: Path) -> None:
    ann = _tag(arch)
    path = tmp_path / "notes.md"
    path.write_text(
        f"# Raid\n\nSaid by [her](sesame:annotation/{ann['id'][:10]}).\n"
        "And sesame:entity/abcdef123456 is gone.\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    assert main(["notes", case, "--set", str(path)], out, err) == 0
    assert "2 link(s)" in out.getvalue()
    assert "sesame:entity/abcdef123456 points nowhere" in err.getvalue()
    code, doc, _ = run("notes", case)
    assert code == 0 and doc["notes"].startswith("# Raid")
    first, second = doc["links"]
    assert first["found"] and first["target_id"] == ann["id"] and first["label"] == "Daw Hnin Wai"
    assert first["article_id"] == arch["one"]
    assert doc["broken"] == [second] and not second["found"]
    # Read again, the notes name no broken link: they were named when saved.
    out, err = io.StringIO(), io.StringIO()
    assert main(["notes", case], out, err) == 0
    assert out.getvalue().startswith("# Raid\n\nSaid by [her]") and err.getvalue() == ""
    assert run("undo")[0] == 0
    assert run("notes", case)[1]["notes"] == ""


def test_set_from_stdin_and_grep(
    arch: dict[str, str], case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Witness: Daw Hnin Wai\r\nNext step: call MHWU\n"))
    code, doc, _ = run("notes", case, "--set", "-")
    assert code == 0 and doc["notes"] == "Witness: Daw Hnin Wai\nNext step: call MHWU\n"
    code, found, _ = run("notes", "--grep", "mhwu")
    assert code == 0
    assert found == [
        {
            "collection_id": doc["collection_id"],
            "collection": case,
            "line": 2,
            "text": "Next step: call MHWU",
        }
    ]
    out = io.StringIO()
    assert main(["notes", "--grep", "hnin"], out, io.StringIO()) == 0
    assert out.getvalue() == "Hospital raids:1: Witness: Daw Hnin Wai\n1 line(s)\n"


def test_mistakes_exit_with_a_message(arch: dict[str, str], case: str, tmp_path: Path) -> None:
    code, doc, _ = run("notes")
    assert code == 2 and "Name a collection" in doc["error"]
    code, doc, _ = run("notes", "No such case")
    assert code == 1 and "No collection" in doc["error"]
    code, doc, _ = run("notes", case, "--set", str(tmp_path / "missing.md"))
    assert code == 2 and "Cannot read" in doc["error"]
    bad = tmp_path / "latin1.md"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    code, doc, _ = run("notes", case, "--set", str(bad))
    assert code == 2 and "not UTF-8" in doc["error"]
    code, doc, _ = run("notes", case, "--grep", "x")
    assert code == 2
    code, history, _ = run("history")
    assert [h["label"] for h in history] == ["New collection Hospital raids"]


def test_check_names_the_broken_links_of_case_notes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_ARCHIVE", str(tmp_path / "case"))
    (tmp_path / "report.txt").write_text("Daw Hnin Wai spoke to reporters.\n", "utf-8")
    assert run("import", str(tmp_path / "report.txt"))[0] == 0
    assert run("collections", "create", "Raids")[0] == 0
    out = io.StringIO()
    assert main(["check"], out, io.StringIO()) == 0
    assert "Case notes" not in out.getvalue()
    notes = tmp_path / "notes.md"
    notes.write_text("See sesame:annotation/abcdef123456 and sesame:entity/fedcba654321.\n")
    assert run("notes", "Raids", "--set", str(notes))[0] == 0
    code, doc, _ = run("check")
    assert code == 0 and doc["ok"] and doc["broken_note_links"] == [
        {"collection": "Raids", "kind": "annotation", "ref": "abcdef123456",
         "problem": "passage: no such id"},
        {"collection": "Raids", "kind": "entity", "ref": "fedcba654321",
         "problem": "entity: no such id"},
    ]  # fmt: skip
    out = io.StringIO()
    assert main(["check"], out, io.StringIO()) == 0
    text = out.getvalue()
    assert "Case notes: 2 link(s) point nowhere" in text
    assert '  - "Raids": sesame:entity/fedcba654321 (entity: no such id)' in text
