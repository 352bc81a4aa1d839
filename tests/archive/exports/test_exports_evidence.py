"""The evidence model in CSV, W3C and REFI-QDA: roles, relations, review, verification, ranges,
the figure comparison, precision, sensitive flags, case notes; --without-sensitive honoured."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from archive import review
from archive.exports.csv_export import export_csv
from archive.exports.qdpx import NS, PROJECT, export_qdpx
from archive.exports.qdpx_evidence import LEFT_OUT
from archive.exports.selection import Selection
from archive.exports.w3c import export_w3c
from archive.store import Archive
from tests.archive.exports.test_qdpx import XSD
from tests.archive.exports.test_report_evidence import SECRET, case  # noqa: F401  (fixture)
from tests.archive.exports.test_w3c import SCHEMA, _check_terms, _terms

Q = f"{{{NS}}}"
HIDDEN = Selection(without_sensitive=True)


def _csv(
    archive: Archive, path: Path, kind: str, sel: Selection | None = None
) -> list[dict[str, str]]:
    export_csv(archive, path, sel, kind=kind)
    return list(csv.DictReader(path.read_text("utf-8").splitlines()))


def test_csv_roles_relations_and_review_columns(
    archive: Archive,
    case: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    roles = _csv(archive, tmp_path / "roles.csv", "roles")
    assert sorted((r["type"], r["from"], r["to"]) for r in roles) == [
        ("perpetrator", "Kyaw Swar Lin", "Hospital raid"),
        ("victim", "Hnin Wai", "Hospital raid"),
        ("victim", "Hnin Wai", "Nurses' strike"),
    ]
    perp = next(r for r in roles if r["type"] == "perpetrator")
    assert (perp["quote"], perp["type_label"], perp["kind"]) == (
        "Major Kyaw Swar Lin",
        "Perpetrator",
        "role",
    )
    assert (perp["verification"], perp["verification_note"]) == ("verified", "seen on video")
    (rel,) = _csv(archive, tmp_path / "rel.csv", "relations")
    assert (rel["kind"], rel["type"], rel["from"], rel["to"]) == (
        "relation",
        "commands",
        "Kyaw Swar Lin",
        "Hnin Wai",
    )
    anns = {r["annotation_id"]: r for r in _csv(archive, tmp_path / "a.csv", "annotations")}
    one = anns[case["perp_ann"]]
    assert (one["article_review_status"], one["article_assignee"]) == ("reviewed", "Ma Thida")
    assert (one["article_verification"], one["article_verification_note"]) == (
        "corroborated",
        "two papers agree",
    )
    figures = {r["annotation_id"]: r for r in _csv(archive, tmp_path / "f.csv", "figures")}
    f2 = figures[case["f2"]]
    assert (f2["low"], f2["value"], f2["high"], f2["verification"]) == (
        "200",
        "250",
        "300",
        "disputed",
    )
    assert all(
        (r["figure_low"], r["figure_high"], r["figure_conflict"], r["figure_independent_sources"])
        == ("42", "300", "true", "2")
        for r in figures.values()
    )
    ents = {r["name"]: r for r in _csv(archive, tmp_path / "e.csv", "entities")}
    assert (ents["Hospital raid"]["date_precision"], ents["Hospital raid"]["place_precision"]) == (
        "day",
        "town",
    )


def test_csv_without_sensitive_leaves_out_claims_with_their_passages(
    archive: Archive,
    case: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    review.flag_annotation(archive, case["victim_ann"], True, "personal")
    roles = _csv(archive, tmp_path / "r.csv", "roles", HIDDEN)
    assert [r["type"] for r in roles] == ["perpetrator"]
    every = _csv(archive, tmp_path / "all.csv", "roles")
    assert sorted(r["sensitive"] for r in every) == ["false", "true", "true"]
    anns = _csv(archive, tmp_path / "a.csv", "annotations")
    flagged = [r for r in anns if r["annotation_id"] == case["victim_ann"]]
    assert flagged[0]["sensitive"] == "true" and flagged[0]["sensitive_reason"] == "personal"


def test_cli_csv_roles(
    archive: Archive,
    case: dict[str, str],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.archive.annotate.test_cli import run

    monkeypatch.setenv("SESAME_ARCHIVE", str(archive.path))
    code, doc, _ = run("export", "csv", str(tmp_path / "r.csv"), "--kind", "relations")
    assert code == 0 and doc["rows"] == 1 and doc["kind"] == "relations"


def _w3c(archive: Archive, path: Path, sel: Selection | None = None) -> list[dict[str, Any]]:
    export_w3c(archive, path, sel)
    doc = json.loads(path.read_text("utf-8"))
    jsonschema.validate(doc, SCHEMA)
    _check_terms(doc, _terms())
    items: list[dict[str, Any]] = doc["first"]["items"]
    return items


def test_w3c_verification_bodies_and_article_review(
    archive: Archive,
    case: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    items = _w3c(archive, tmp_path / "a.jsonld")
    perp = next(i for i in items if i["id"].endswith(case["perp_ann"]))
    reviewing = [b for b in perp["body"] if b.get("value", "").startswith("Verification: ")]
    assert reviewing == [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "value": "Verification: verified: seen on video",
        }
    ]
    assert perp["target"]["sesame:articleReview"] == {
        "status": "reviewed", "assignee": "Ma Thida", "verification": "corroborated",
        "verificationNote": "two papers agree", "sensitive": False,
    }  # fmt: skip
    role = next(
        i for i in items if i.get("sesame:claim") == "role" and i["sesame:passage"] == perp["id"]
    )
    assert role["sesame:verification"] == "verified"
    assert any(b.get("value", "").startswith("Verification: ") for b in role["body"])
    relation = next(i for i in items if i.get("sesame:claim") == "relation")
    assert relation["sesame:verification"] == "verified"
    body = next(
        b for i in items if i["motivation"] == "tagging" for b in i["body"]
        if b["purpose"] == "identifying" and b["source"].endswith(case["raid"])
    )  # fmt: skip
    assert (body["sesame:dateStart"], body["sesame:datePrecision"]) == ("2021-03-02", "day")
    assert (body["sesame:place"], body["sesame:placePrecision"]) == ("Yangon", "town")
    unverified = next(i for i in items if i["id"].endswith(case["f1"]))
    assert not any(b.get("value", "").startswith("Verification: ") for b in unverified["body"])


def _qdpx(archive: Archive, path: Path, sel: Selection | None = None) -> Any:
    from lxml import etree

    export_qdpx(archive, path, sel)
    with zipfile.ZipFile(path) as zf:
        doc = etree.fromstring(zf.read(PROJECT))
    if XSD.is_file():
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(doc)
    return doc


def test_qdpx_variables_links_descriptions_and_case_notes(
    archive: Archive,
    case: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    from archive.exports.qdpx import guid

    doc = _qdpx(archive, tmp_path / "p.qdpx")
    variables = {v.get("guid"): v.get("name") for v in doc.iter(f"{Q}Variable")}
    assert {"Review status", "Assignee", "Verification", "Sensitive"} <= set(variables.values())
    one = next(s for s in doc.iter(f"{Q}TextSource") if s.get("guid") == guid(case["one"]))
    values = {
        variables[v.find(f"{Q}VariableRef").get("targetGUID")]: v[1].text
        for v in one.findall(f"{Q}VariableValue")
    }
    assert values["Review status"] == "reviewed" and values["Assignee"] == "Ma Thida"
    assert values["Verification"] == "corroborated" and values["Sensitive"] == "false"
    selections = {s.get("guid"): s for s in doc.iter(f"{Q}PlainTextSelection")}
    f2 = selections[guid(case["f2"])].find(f"{Q}Description").text
    assert (
        "low – best – high: 200 – 250 – 300" in f2 and "Verification: disputed — union figure" in f2
    )
    links = list(doc.iter(f"{Q}Link"))
    assert sorted(x.get("name") for x in links) == ["Commands", "Perpetrator", "Victim", "Victim"]
    perp = next(x for x in links if x.get("name") == "Perpetrator")
    assert (perp.get("originGUID"), perp.get("targetGUID"), perp.get("direction")) == (
        guid(case["kyaw"]), guid(case["raid"]), "OneWay",
    )  # fmt: skip
    codes = {c.get("guid") for c in doc.iter(f"{Q}Code")}
    assert all(x.get("originGUID") in codes and x.get("targetGUID") in codes for x in links)
    notes = {n.get("guid"): n for n in doc.iter(f"{Q}Note")}
    note = notes[perp.find(f"{Q}NoteRef").get("targetGUID")]
    assert "“Major Kyaw Swar Lin” (One)" in note.find(f"{Q}PlainTextContent").text
    case_set = next(s for s in doc.iter(f"{Q}Set") if s.get("name") == "Case")
    case_note = notes[case_set.find(f"{Q}MemberNote").get("targetGUID")]
    assert "## Findings" in case_note.find(f"{Q}PlainTextContent").text
    raid_code = next(c for c in doc.iter(f"{Q}Code") if c.get("guid") == guid(case["raid"]))
    described = raid_code.find(f"{Q}Description").text
    assert "2021-03-02 (to the day) · Yangon (precise to the town)" in described
    assert SECRET in case_note.find(f"{Q}PlainTextContent").text


def test_qdpx_without_sensitive(
    archive: Archive,
    case: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    review.flag_annotation(archive, case["victim_ann"], True, "personal")
    doc = _qdpx(archive, tmp_path / "p.qdpx", HIDDEN)
    assert sorted(x.get("name") for x in doc.iter(f"{Q}Link")) == ["Commands", "Perpetrator"]
    texts = [n.find(f"{Q}PlainTextContent").text for n in doc.iter(f"{Q}Note")]
    case_note = next(t for t in texts if "## Findings" in t)
    assert LEFT_OUT in case_note and f"[{SECRET}]" not in case_note


def test_qdpx_still_imports(
    archive: Archive,
    case: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    from archive.ingest.qdpx import read_qdpx

    export_qdpx(archive, tmp_path / "p.qdpx")
    project = read_qdpx(tmp_path / "p.qdpx")
    assert len(project.sources) == 3
