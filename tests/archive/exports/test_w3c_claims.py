"""W3C export of the evidence model: ranges and verification under sesame:, roles and relations
as `linking` annotations on their passage, valid against the model."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from archive import models
from archive.exports.w3c import export_w3c
from archive.store import Archive
from tests.archive.bundles.conftest import add_report, tag
from tests.archive.exports.test_w3c import SCHEMA, _check_terms, _terms


def test_roles_relations_ranges_and_verification(archive: Archive, tmp_path: Path) -> None:
    aid = add_report(archive)
    nurses = tag(archive, aid, "More than 250 nurses", "figure")
    raid = tag(archive, aid, "raided the general hospital", "event", entity_name="Raid")
    major = tag(archive, aid, "Major Kyaw Swar Lin", entity_name="Kyaw Swar Lin")
    union = tag(archive, aid, "Myanmar Health Workers Union", entity_name="MHWU")
    with archive.change("evidence") as ch:
        s = ch.session
        ann = s.get(models.Annotation, nurses)
        assert ann is not None
        ann.low, ann.high, ann.verification = 200.0, 300.0, "corroborated"
        s.add(ann)
        ids = {k: s.get(models.Annotation, v).entity_id for k, v in  # type: ignore[union-attr]
               (("raid", raid), ("major", major), ("union", union))}  # fmt: skip
        s.add(models.Role(event_id=ids["raid"] or "", actor_id=ids["major"] or "",
                          role="perpetrator", annotation_id=major, note="ordered it"))  # fmt: skip
        s.add(models.Relation(subject_id=ids["major"] or "", object_id=ids["union"] or "",
                              type="commands", annotation_id=major))  # fmt: skip
    out = tmp_path / "a.jsonld"
    result = export_w3c(archive, out)
    doc = json.loads(out.read_text("utf-8"))
    jsonschema.validate(doc, SCHEMA)
    _check_terms(doc, _terms())
    items = doc["first"]["items"]
    assert result["annotations"] == 4 and result["claims"] == 2 and doc["total"] == len(items) == 6
    figure = next(i for i in items if i["id"].endswith(nurses))
    assert figure["sesame:figure"]["low"] == 200.0 and figure["sesame:figure"]["high"] == 300.0
    assert figure["sesame:verification"] == "corroborated"
    passage = next(i for i in items if i["id"].endswith(major))
    role = next(i for i in items if i.get("sesame:claim") == "role")
    assert role["motivation"] == "linking" and role["target"] == passage["target"]
    assert role["sesame:passage"] == passage["id"]
    purposes = {b["purpose"]: b for b in role["body"]}
    assert purposes["identifying"]["sesame:name"] == "Kyaw Swar Lin"
    assert purposes["linking"]["sesame:name"] == "Raid"
    assert purposes["classifying"]["value"] == "perpetrator"
    assert purposes["commenting"]["value"] == "ordered it"
    relation = next(i for i in items if i.get("sesame:claim") == "relation")
    assert {b["purpose"]: b.get("value") for b in relation["body"]}["classifying"] == "commands"


def test_csv_and_report_carry_ranges_and_verification(archive: Archive, tmp_path: Path) -> None:
    import csv

    from archive.exports.csv_export import export_csv
    from archive.exports.report import export_report

    aid = add_report(archive)
    nurses = tag(archive, aid, "More than 250 nurses", "figure")
    with archive.change("range") as ch:
        ann = ch.session.get(models.Annotation, nurses)
        assert ann is not None
        ann.low, ann.high, ann.verification, ann.verification_note = 200.0, 300.0, "disputed", "?"
        ch.session.add(ann)
    for kind in ("annotations", "figures"):
        export_csv(archive, tmp_path / f"{kind}.csv", kind=kind)
        row = next(csv.DictReader((tmp_path / f"{kind}.csv").read_text("utf-8").splitlines()))
        assert (row["low"], row["high"], row["verification"]) == ("200", "300", "disputed")
    export_report(archive, tmp_path / "r.html")
    assert "(range 200–300)" in (tmp_path / "r.html").read_text("utf-8")
