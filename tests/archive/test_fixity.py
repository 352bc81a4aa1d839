"""Fixity: `sesame check --originals` re-hashes the originals, names any that changed, and
records when it last ran."""

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import fixity
from archive.cli import main
from archive.store import Archive
from archive.tasks import CancelToken
from tests.archive.copies_pairs import WIRE, WIRE_OTHER


def run(*argv: str, as_json: bool = True) -> tuple[int, Any, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--json"] if as_json else list(argv), stdout=out, stderr=err)
    text = out.getvalue()
    return code, (json.loads(text) if as_json and text else text), err.getvalue()


@pytest.fixture
def ids(archive_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "wire.txt").write_text(WIRE, encoding="utf-8")
    (folder / "other.txt").write_text(WIRE_OTHER, encoding="utf-8")
    code, doc, err = run("import", str(folder))
    assert code == 0, err
    return {Path(item["path"]).name: item["id"] for item in doc["imported"]}


def _tamper(archive_dir: Path, word: str, instead: str) -> None:
    """Change an original's bytes with sqlite3, behind Sesame's back."""
    conn = sqlite3.connect(archive_dir / "archive.sqlite")
    with conn:
        changed = conn.execute(
            "UPDATE original SET data = CAST(replace(CAST(data AS TEXT), ?, ?) AS BLOB) "
            "WHERE instr(CAST(data AS TEXT), ?) > 0",
            (word, instead, word),
        ).rowcount
    conn.close()
    assert changed == 1


def test_all_originals_hold_and_the_run_is_recorded(ids: dict[str, str], archive_dir: Path) -> None:
    code, doc, _ = run("check", "--originals")
    assert code == 0
    assert doc["ok"] and doc["originals"] == 2 and doc["failed"] == [] and doc["recorded"]
    with Archive.open(archive_dir, readonly=True) as archive:
        last = fixity.last_run(archive)
    assert last is not None and last.ok and last.originals == 2 and last.at == doc["at"]
    code, text, _ = run("check", "--originals", as_json=False)
    assert code == 0 and "All 2 original(s) match their SHA-256." in text


def test_a_tampered_original_is_named_with_its_article(
    ids: dict[str, str], archive_dir: Path
) -> None:
    _tamper(archive_dir, "Funerals held under guard", "Funerals held in peace")
    code, doc, _ = run("check", "--originals")
    assert code == 1 and not doc["ok"]
    [broken] = doc["failed"]
    assert broken["name"] == "other.txt"
    assert broken["articles"] == [
        {"id": ids["other.txt"], "title": "Funerals held under guard after Mandalay shootings"}
    ]
    code, text, _ = run("check", "--originals", as_json=False)
    assert code == 1
    assert ids["other.txt"] in text and "Funerals held under guard after Mandalay" in text
    assert ids["wire.txt"] not in text
    with Archive.open(archive_dir, readonly=True) as archive:
        last = fixity.last_run(archive)
    assert last is not None and not last.ok and last.failed == [broken["sha256"]]
    # The full custody check names it too: one re-hashing, shared.
    assert run("check")[0] == 1


def test_recording_the_run_is_no_undo_step_and_no_audit_entry(
    ids: dict[str, str], archive_dir: Path
) -> None:
    steps = run("history")[1]
    entries = run("audit", "verify")[1]
    assert run("check", "--originals")[0] == 0
    assert run("history")[1] == steps
    assert run("audit", "verify")[1] == entries
    assert run("check")[0] == 0


def test_cancelled_run_is_not_recorded(ids: dict[str, str], archive_dir: Path) -> None:
    token = CancelToken()
    token.cancel()
    with Archive.open(archive_dir) as archive:
        result = fixity.check_originals(archive, cancel=token)
        assert result.cancelled and not result.ok
        fixity.record(archive, result)
        assert fixity.last_run(archive) is None


def test_progress_counts_every_original(ids: dict[str, str], archive_dir: Path) -> None:
    seen: list[tuple[int, int]] = []
    with Archive.open(archive_dir) as archive:
        fixity.check_originals(archive, progress=lambda d, t, _m="": seen.append((d, t)))
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)


def test_an_unreadable_record_is_no_last_run(ids: dict[str, str], archive_dir: Path) -> None:
    conn = sqlite3.connect(archive_dir / "archive.sqlite")
    with conn:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (fixity.LAST_RUN_KEY, "{"))
    conn.close()
    with Archive.open(archive_dir, readonly=True) as archive:
        assert fixity.last_run(archive) is None


def test_check_originals_on_a_missing_archive_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert run("check", "--originals", "--archive", str(missing))[0] == 2
    assert not missing.exists()
