"""CSV export: rows of each kind, UTF-8 with or without a BOM, formula injection neutralised."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.errors import InvalidInput
from archive.exports.csv_export import COLUMNS, FORMULA_STARTS, export_csv, neutralise
from archive.exports.selection import Selection
from archive.store import Archive


def _read(path: Path, bom: bool = False) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_one_row_per_annotation(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    result = export_csv(archive, out, kind="annotations")
    rows = _read(out)
    assert result["rows"] == len(rows) == 5
    assert list(rows[0]) == list(COLUMNS["annotations"])
    by_id = {r["annotation_id"]: r for r in rows}
    hnin = by_id[filled["hnin"]]
    assert (hnin["quote"], hnin["entity"], hnin["type"]) == ("Daw Hnin Wai", "Hnin Wai", "actor")
    assert hnin["note"] == "'=witness"  # neutralised
    assert hnin["created_by"] == "Test User" and hnin["orphaned"] == "false"
    police = by_id[filled["police"]]
    assert police["quote"] == "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်" and police["value"] == "600"
    assert out.read_bytes().count(b"\r\n") >= 6


def test_one_row_per_figure_claim(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    export_csv(archive, out, kind="figures", bom=True)
    rows = _read(out, bom=True)
    assert [r["annotation_id"] for r in rows] == [filled["nurses"], filled["police"]]
    nurses, police = rows
    assert (nurses["value"], nurses["qualifier"], nurses["entity"]) == (
        "250",
        "more than",
        "Strikers",
    )
    assert nurses["counted"] == "nurses" and nurses["claim"] == "more than 250 nurses"
    assert nurses["as_of"] == "2021-03-05" and nurses["source"] == "Paper A"
    assert nurses["article_title"] == "Strike spreads" and nurses["quote"] == "More than 250 nurses"
    assert police["article_title"] == "ရန်ကုန် သပိတ်" and police["value"] == "600"


def test_one_row_per_entity(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    export_csv(archive, out, kind="entities")
    rows = {r["name"]: r for r in _read(out)}
    assert set(rows) == {"Hnin Wai", "Strikers", "ဒေါ်ခင်ခင်"}
    assert (rows["Strikers"]["mentions"], rows["Strikers"]["articles"]) == ("2", "2")
    export_csv(archive, out, Selection(collection="Case"), kind="entities")
    assert {r["name"] for r in _read(out)} == {"Strikers", "ဒေါ်ခင်ခင်"}


def test_pseudonyms_and_bad_kinds(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    for kind in ("annotations", "figures", "entities"):
        export_csv(archive, out, Selection(pseudonymise=("ဒေါ်ခင်ခင်",)), kind=kind)
        text = out.read_text("utf-8")
        assert "ခင်ခင်" not in text
    assert "Actor A" in text
    with pytest.raises(InvalidInput, match="CSV of what"):
        export_csv(archive, out, kind="people")


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1,1)", "'@SUM(1,1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
        ("ဒေါ်", "ဒေါ်"),
    ],
)
def test_injection_cases(cell: str, shown: str) -> None:
    assert neutralise(cell) == shown


@given(st.text())
def test_neutralised_cells_never_start_a_formula_and_lose_nothing(cell: str) -> None:
    safe = neutralise(cell)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe == cell or safe == "'" + cell
    assert (safe != cell) == cell.startswith(FORMULA_STARTS)
    # Through a CSV file and back: the same cell.
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerow([safe, "next"])
    assert next(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [safe, "next"]


@given(st.lists(st.one_of(st.text(), st.integers(0, 10**9), st.floats(0, 1e9), st.none())))
def test_any_row_of_cells_reads_back_as_written(values: list[object]) -> None:
    from archive.exports.csv_export import _cell

    cells = [_cell(v) for v in values]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    back = next(csv.reader(io.StringIO(buf.getvalue(), newline="")), [])
    assert back == [str(c) for c in cells] or (cells == [""] and back == [""])
    assert not any(c.startswith(FORMULA_STARTS) for c in back)


def test_a_retracted_article_says_so(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    import json

    from archive.articles import retract_article
    from archive.exports.report import export_report
    from archive.exports.w3c import export_w3c

    retract_article(archive, filled["second"], "the paper withdrew it")
    out = tmp_path / "a.csv"
    export_csv(archive, out)
    flags = {r["article_id"]: r["article_retracted"] for r in _read(out)}
    assert flags == {filled["first"]: "false", filled["second"]: "true"}
    export_w3c(archive, tmp_path / "a.jsonld")
    doc = json.loads((tmp_path / "a.jsonld").read_text("utf-8"))
    reasons = {a["target"].get("sesame:retracted") for a in doc["first"]["items"]}
    assert reasons == {None, "the paper withdrew it"}
    export_report(archive, tmp_path / "r.html")
    assert "<strong>Retracted</strong>: the paper withdrew it" in (tmp_path / "r.html").read_text()
