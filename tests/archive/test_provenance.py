"""Provenance (issue 14): set at import, shown, corrected as an undoable change."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import articles
from archive.cli import main
from archive.errors import InvalidInput
from archive.provenance import parse_timestamp
from archive.store import Archive
from tests.archive.ingest.captures import pages, wacz_bytes


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_import_list_show_and_edit_provenance(tmp_path: Path) -> None:
    arch = str(tmp_path / "arch")
    captured = pages(3)
    (tmp_path / "crawl.wacz").write_bytes(wacz_bytes(captured))
    (tmp_path / "note.txt").write_text("Field note\n\nTwo convoys arrived at dawn.\n")

    code, _, err = run(
        "--archive", arch, "import", str(tmp_path / "crawl.wacz"), "--no-index",
        "--collected-by", "Ma Thida", "--collected-from", "field laptop",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run("--archive", arch, "import", str(tmp_path / "note.txt"), "--no-index")
    assert code == 0, err

    code, out, _ = run("--archive", arch, "list", "--json")
    rows = {row["title"]: row for row in json.loads(out)}
    captures = sorted((r["url"], r["captured_at"]) for r in rows.values() if r["url"])
    assert captures == [(u, d) for u, _, d in captured]
    note = rows["Field note"]
    assert note["url"] is None and note["captured_at"] is None
    assert note["collected_with"] == "Sesame import"
    story = next(r for r in rows.values() if r["url"] == captured[0][0])
    assert (story["collected_by"], story["collected_from"]) == ("Ma Thida", "field laptop")
    assert story["collected_with"] == "Browsertrix-Crawler 1.1"

    code, out, _ = run("--archive", arch, "show", story["id"])
    assert f"captured_at: {captured[0][2]}" in out
    assert "collected_with: Browsertrix-Crawler 1.1" in out

    code, out, err = run(
        "--archive", arch, "article", "edit", story["id"][:8], "--json",
        "--captured-at", "2024-03-05 17:30+07:00", "--collected-by", "Ko Aung",
        "--collected-with", "Hunchly",
    )  # fmt: skip
    assert code == 0, err
    record = json.loads(out)
    assert record["captured_at"] == "2024-03-05T10:30:00Z"
    assert (record["collected_by"], record["collected_with"]) == ("Ko Aung", "Hunchly")

    code, _, err = run("--archive", arch, "article", "edit", story["id"], "--captured-at", "soon")
    assert code == 2 and "ISO 8601" in err

    code, _, err = run("--archive", arch, "undo")
    assert code == 0, err
    code, out, _ = run("--archive", arch, "show", story["id"], "--json")
    doc = json.loads(out)
    assert (doc["captured_at"], doc["collected_by"]) == (captured[0][2], "Ma Thida")


def test_edit_clears_and_audits(archive: Archive, tmp_path: Path) -> None:
    from archive.ingest import import_paths

    (tmp_path / "note.txt").write_text("Field note\n\nTwo convoys arrived at dawn.\n")
    (item,) = import_paths(archive, [tmp_path / "note.txt"], index=False).imported
    record = articles.edit_article(
        archive, item.id, captured_at="2024-01-02T03:04:05Z", collected_from="  phone  of  Aye "
    )
    assert (record.captured_at, record.collected_from) == ("2024-01-02T03:04:05Z", "phone of Aye")
    record = articles.edit_article(archive, item.id, collected_from="", captured_at="")
    assert record.captured_at is None and record.collected_from is None
    with pytest.raises(InvalidInput):
        articles.edit_article(archive, item.id, captured_at="2024-13-40")
    from archive.custody import check_custody

    assert check_custody(archive).ok, check_custody(archive).summary()
    assert check_custody(archive, change_log=False).ok


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 2),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.timezones(),
    )
)
def test_parse_timestamp_is_utc(value: object) -> None:
    assert isinstance(value, dt.datetime)
    text = value.isoformat()
    iso = parse_timestamp(text)
    assert iso is not None and iso.endswith("Z")
    expected = dt.datetime.fromisoformat(text).replace(microsecond=0)
    assert dt.datetime.fromisoformat(iso.replace("Z", "+00:00")) == expected
