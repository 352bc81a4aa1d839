"""`sesame copies [split|join] [--rebuild]`: JSON shape, text, undo, exit codes."""

import io
import json
from pathlib import Path
from typing import Any

import pytest

from archive.cli import main
from tests.archive.copies_pairs import WIRE, WIRE_BYLINE, WIRE_OTHER, WIRE_TRIMMED


def run(*argv: str, as_json: bool = True) -> tuple[int, Any, str]:
    """Run `sesame ARGV [--json]`; (exit status, parsed or plain stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--json"] if as_json else list(argv), stdout=out, stderr=err)
    text = out.getvalue()
    return code, (json.loads(text) if as_json and text else text), err.getvalue()


@pytest.fixture
def ids(archive_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in (
        ("wire.txt", WIRE),
        ("byline.txt", WIRE_BYLINE),
        ("trimmed.txt", WIRE_TRIMMED),
        ("other.txt", WIRE_OTHER),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    code, doc, err = run("import", str(folder))
    assert code == 0, err
    return {Path(item["path"]).name: item["id"] for item in doc["imported"]}


def _groups(doc: list[dict[str, Any]], ids: dict[str, str]) -> list[set[str]]:
    """The groups as sets of file names, in the order of their smallest name."""
    names = {v: k for k, v in ids.items()}
    return sorted(({names[a] for a in g["articles"]} for g in doc), key=min)


def test_copies_json_lists_groups_of_two_or_more(ids: dict[str, str]) -> None:
    code, doc, _ = run("copies")
    assert code == 0
    assert [set(g) for g in doc] == [{"group", "articles"}]
    assert _groups(doc, ids) == [{"wire.txt", "byline.txt", "trimmed.txt"}]


def test_copies_text_names_titles_and_sources(ids: dict[str, str]) -> None:
    code, text, _ = run("copies", as_json=False)
    assert code == 0
    assert "3 copies of one story" in text
    assert "Troops open fire on marchers in Mandalay" in text
    assert ids["wire.txt"][:8] in text and ids["other.txt"][:8] not in text


def test_split_join_and_undo(ids: dict[str, str]) -> None:
    code, doc, err = run("copies", "split", ids["trimmed.txt"][:8])
    assert code == 0, err
    assert doc["changed"] == 1
    assert _groups(run("copies")[1], ids) == [{"wire.txt", "byline.txt"}]
    code, doc, err = run("copies", "join", ids["trimmed.txt"], ids["other.txt"])
    assert code == 0, err
    assert _groups(run("copies")[1], ids) == [
        {"wire.txt", "byline.txt"},
        {"trimmed.txt", "other.txt"},
    ]  # (in the order of their smallest name: byline, other)
    code, doc, _ = run("copies", "--rebuild")  # the user's decisions stay
    assert code == 0
    assert _groups(doc, ids) == [{"wire.txt", "byline.txt"}, {"trimmed.txt", "other.txt"}]
    assert run("undo")[0] == 0  # the join (the rebuild changed no group)
    assert run("undo")[0] == 0  # the split
    assert _groups(run("copies")[1], ids) == [{"wire.txt", "byline.txt", "trimmed.txt"}]


def test_usage_errors_and_unknown_ids(ids: dict[str, str]) -> None:
    assert run("copies", "join", ids["wire.txt"])[0] == 2
    code, doc, _ = run("copies", "split", "ffffffffff")
    assert code == 2 and "No article" in doc["error"]  # a prefix naming nothing: usage
    assert run("copies", "split")[0] == 2  # argparse: an ID is required


def test_copies_on_a_missing_archive_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert run("copies", "--archive", str(missing))[0] == 2
    assert run("copies", "--rebuild", "--archive", str(missing))[0] == 2
    assert not missing.exists()
