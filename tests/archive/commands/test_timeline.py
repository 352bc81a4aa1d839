"""`sesame timeline`: the JSON shape, the filters, plain text, exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from archive.cli import main
from archive.store import Archive
from tests.archive.annotate.test_cli import run
from tests.archive.test_timeline import build_case

KEYS = {"event_id", "name", "start", "end", "precision", "places", "articles"}


@pytest.fixture
def case(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    with Archive.open(archive_dir, create=True) as archive:
        return build_case(archive)


def test_json_is_sorted_by_start_with_iso_dates(case: dict[str, str]) -> None:
    code, events, _ = run("timeline")
    assert code == 0
    assert all(set(e) >= KEYS for e in events)
    assert [e["start"] for e in events] == sorted(e["start"] for e in events)
    raid = next(e for e in events if e["event_id"] == case["raid"])
    assert raid == raid | {
        "name": "Hospital raid", "start": "2021-03-02", "end": "2021-03-02",
        "precision": "day", "places": ["Yangon"],
    }  # fmt: skip


def test_filters_by_actor_name_prefix_role_and_collection(case: dict[str, str]) -> None:
    def names(*argv: str) -> list[str]:
        code, events, err = run("timeline", *argv)
        assert code == 0, err
        return [e["name"] for e in events]

    assert names("--actor", "hnin wai") == ["Nurses' strike", "Hospital raid"]
    assert names("--actor", case["kyaw"][:8]) == ["Hospital raid"]
    assert names("--actor", "Kyaw Swar Lin", "--role", "Victim") == []
    assert names("--role", "perpetrator") == ["Hospital raid"]
    assert names("--collection", "Case") == ["Nurses' strike", "Detentions", "Mandalay marches"]


@pytest.mark.parametrize(
    "argv", [["--actor", "Nobody"], ["--role", "hero"], ["--collection", "Nope"]]
)
def test_unknown_names_fail_with_a_hint(case: dict[str, str], argv: list[str]) -> None:
    code, doc, err = run("timeline", *argv)
    assert code == 1 and "error" in doc and "Traceback" not in err
    assert "sesame" in err or "Roles:" in err


def test_plain_text_lists_each_event_and_the_undated(case: dict[str, str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["timeline"], stdout=out, stderr=err) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2021-01-10 .. 2021-04-30") and "Campaign" in lines[0]
    assert any("Mandalay marches" in ln and "(from its articles)" in ln for ln in lines)
    assert lines[-1] == "1 event(s) with no date and no dated article are not shown."


def test_missing_archive_is_not_created(tmp_path: Path) -> None:
    code, _, _ = run("timeline", "--archive", str(tmp_path / "none"))
    assert code == 2 and not (tmp_path / "none").exists()
