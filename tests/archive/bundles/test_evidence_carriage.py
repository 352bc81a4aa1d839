"""Bundle format 2 carries the evidence model: review and provenance of articles, figure ranges,
verification and sensitive flags of passages, precision of events, case notes, roles and
relations; a format 1 bundle still imports."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from sqlmodel import select

from archive import collections, keys, models
from archive.bundles import spec
from archive.bundles.merge import content_hash, import_bundle
from archive.bundles.reader import open_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report, tag

ARTICLE_FIELDS = {
    "review_status": "reviewed",
    "assignee": "Hla",
    "verification": "corroborated",
    "verification_note": "two sources",
    "sensitive": True,
    "sensitive_reason": "graphic",
    "captured_at": "2021-03-05T10:00:00Z",
    "collected_by": "Aung",
    "collected_with": "auto-archiver",
    "collected_from": "https://example.org/a",
    "text_origin": "ocr",
    "ocr_confidence": 91.5,
}
ANNOTATION_FIELDS = {
    "low": 500.0,
    "high": 700.0,
    "verification": "disputed",
    "verification_note": "the union says fewer",
    "sensitive": True,
    "sensitive_reason": "personal",
}


def _evidence(a: Archive) -> dict[str, str]:
    """An article with every new field, a figure range, an event with a role and a relation."""
    aid = add_report(a)
    nurses = tag(a, aid, "More than 250 nurses", "figure")
    raid = tag(a, aid, "raided the general hospital", "event", entity_name="Hospital raid")
    major = tag(a, aid, "Major Kyaw Swar Lin", entity_name="Kyaw Swar Lin")
    union = tag(a, aid, "Myanmar Health Workers Union", entity_name="MHWU")
    spokesman = tag(a, aid, "U Zaw Min Htet", entity_name="Zaw Min Htet")
    collections.create_collection(a, "Case")
    collections.add_articles(a, "Case", [aid])
    with a.change("evidence") as ch:
        s = ch.session
        art = s.get(models.Article, aid)
        ann = s.get(models.Annotation, nurses)
        coll = s.exec(select(models.Collection)).one()
        assert art is not None and ann is not None
        for k, v in ARTICLE_FIELDS.items():
            setattr(art, k, v)
        for k, v in ANNOTATION_FIELDS.items():
            setattr(ann, k, v)
        coll.notes = "See [the raid](sesame:annotation/" + raid + ")."
        event = s.get(models.Entity, s.get(models.Annotation, raid).entity_id)  # type: ignore[union-attr]
        assert event is not None
        event.date_start, event.date_precision, event.place_precision = "2021-03", "month", "town"
        actor = s.get(models.Annotation, major).entity_id  # type: ignore[union-attr]
        s.add_all([art, ann, coll, event])
        s.add(models.RoleType(key="organiser", label="Organiser"))
        s.flush()
        role = models.Role(event_id=event.id, actor_id=actor or "", role="perpetrator",
                           annotation_id=major, note="ordered the arrests")  # fmt: skip
        role2 = models.Role(event_id=event.id, actor_id=actor or "", role="organiser",
                            annotation_id=major)  # fmt: skip
        rel = models.Relation(
            subject_id=s.get(models.Annotation, spokesman).entity_id or "",  # type: ignore[union-attr]
            object_id=s.get(models.Annotation, union).entity_id or "",  # type: ignore[union-attr]
            type="member_of", annotation_id=spokesman, date_start="2021-02",
        )  # fmt: skip
        s.add_all([role, role2, rel])
    return {"article": aid, "nurses": nurses, "raid": raid}


def _dump(a: Archive, table: str, skip: tuple[str, ...] = ()) -> list[dict[str, object]]:
    with a.engine.connect() as conn:
        result = conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY id')
        names = list(result.keys())
        return [{k: v for k, v in zip(names, r, strict=True) if k not in skip} for r in result]


def test_round_trip_restores_every_new_field(people: tuple[Person, Person], tmp_path: Path) -> None:
    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        ids = _evidence(a)
        report = export_bundle(a, out)
        assert report.counts["roles"] == 2 and report.counts["relations"] == 1
        before = {t: _dump(a, t) for t in ("role", "relation")}
        notes = _dump(a, "collection")[0]["notes"]
        entity_rows = {e["id"]: e for e in _dump(a, "entity")}
    bundle = open_bundle(out)
    assert bundle.manifest["version"] == 2
    with hla.acting() as b:
        first = import_bundle(b, out)
        assert first.added["roles"] == 2 and first.added["relations"] == 1
        assert first.added["role_types"] == 1
        with b.session() as s:
            art = s.get(models.Article, ids["article"])
            ann = s.get(models.Annotation, ids["nurses"])
            assert art is not None and ann is not None
            assert {k: getattr(art, k) for k in ARTICLE_FIELDS} == ARTICLE_FIELDS
            assert {k: getattr(ann, k) for k in ANNOTATION_FIELDS} == ANNOTATION_FIELDS
            assert s.get(models.RoleType, "organiser") is not None
        for table in ("role", "relation"):
            got = _dump(b, table)
            assert [{k: v for k, v in r.items() if k != "created_by"} for r in got] == [
                {k: v for k, v in r.items() if k != "created_by"} for r in before[table]
            ]
        assert _dump(b, "collection")[0]["notes"] == notes
        for e in _dump(b, "entity"):
            mine = entity_rows[e["id"]]
            assert (e["date_precision"], e["place_precision"]) == (
                mine["date_precision"], mine["place_precision"]
            )  # fmt: skip
        again = import_bundle(b, out)
        assert again.changed_nothing and again.unchanged["roles"] == 2


def test_an_unreviewed_annotation_hashes_as_in_format_1() -> None:
    """Exchange records written by format 1 still match: no needless conflicts."""
    v1 = {
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "figure"}],
        "target": {"selector": [{}, {"exact": "600", "prefix": "", "suffix": ""}]},
        "sesame:figure": {"value": 600.0, "qualifier": None, "counted": None, "as_of": None},
    }
    v2 = {
        **v1,
        "sesame:figure": {**v1["sesame:figure"], "low": None, "high": None},  # type: ignore[dict-item]
        "sesame:verification": "unverified",
        "sesame:verificationNote": "",
        "sesame:sensitive": False,
        "sesame:sensitiveReason": "",
    }
    assert content_hash(v1) == content_hash(v2)
    flagged = {**v2, "sesame:sensitive": True}
    assert content_hash(flagged) != content_hash(v2)


def _as_format_1(members: dict[str, bytes]) -> dict[str, bytes]:
    """A format 2 bundle's members rewritten as format 1 wrote them, signed again."""
    out = {k: v for k, v in members.items() if k not in spec.V2_MEMBERS}
    for name in list(out):
        if spec.ARTICLE_RE.match(name):
            doc = json.loads(out[name])
            for k in ARTICLE_FIELDS:
                doc.pop(k, None)
            out[name] = spec.canonical(doc)
    anns = json.loads(out[spec.ANNOTATIONS])
    for item in anns["items"]:
        for k in ("sesame:verification", "sesame:verificationNote", "sesame:sensitive",
                  "sesame:sensitiveReason"):  # fmt: skip
            item.pop(k)
        if item["sesame:figure"]:
            item["sesame:figure"].pop("low")
            item["sesame:figure"].pop("high")
    out[spec.ANNOTATIONS] = spec.canonical(anns)
    colls = json.loads(out[spec.COLLECTIONS])
    for c in colls:
        c.pop("notes")
    out[spec.COLLECTIONS] = spec.canonical(colls)
    manifest = json.loads(out[spec.MANIFEST])
    manifest["version"] = 1
    manifest["members"] = {
        n: hashlib.sha256(b).hexdigest()
        for n, b in out.items()
        if n not in (spec.MANIFEST, spec.SIGNATURE)
    }
    body = spec.canonical(manifest)
    out[spec.MANIFEST] = body
    out[spec.SIGNATURE] = keys.sign(body)
    return out


def test_a_format_1_bundle_still_imports(people: tuple[Person, Person], tmp_path: Path) -> None:
    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        ids = _evidence(a)
        export_bundle(a, out)
        with zipfile.ZipFile(out) as zf:
            members = _as_format_1({n: zf.read(n) for n in zf.namelist()})
    old = tmp_path / "old.sesame"
    with zipfile.ZipFile(old, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    aung.me()
    with hla.acting() as b:
        report = import_bundle(b, old)
        assert report.added["annotations"] == 5 and "roles" not in report.added
        with b.session() as s:
            ann = s.get(models.Annotation, ids["nurses"])
            art = s.get(models.Article, ids["article"])
            assert ann is not None and ann.low is None and ann.verification == "unverified"
            assert art is not None and art.review_status == "unread"
        # The same content again as format 2: the new fields arrive as an update.
        again = import_bundle(b, out)
        assert again.updated.get("annotations") == 1 and not again.conflicts


def test_a_role_on_a_passage_the_bundle_lacks_is_refused(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    from tests.archive.bundles.test_hostile import _refused_and_untouched, _signed_with, _write

    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        _evidence(a)
        export_bundle(a, out)
        with zipfile.ZipFile(out) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        roles = json.loads(members[spec.ROLES])
        roles["items"][0]["annotation_id"] = "0" * 32
        bad = _signed_with(members, spec.ROLES, spec.canonical(roles))
    path = _write(tmp_path / "bad.sesame", list(bad.items()))
    _refused_and_untouched(hla, path, "anchored to a passage the bundle lacks")
