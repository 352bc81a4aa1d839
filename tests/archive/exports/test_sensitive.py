"""--without-sensitive: articles flagged sensitive left out, sensitive passages left out and
masked in every export and in bundles, offsets still valid."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import models
from archive.exports.csv_export import export_csv
from archive.exports.qdpx import export_qdpx
from archive.exports.report import export_report
from archive.exports.selection import MASK, Selection, mask_text
from archive.exports.w3c import export_w3c
from archive.store import Archive
from tests.archive.exports.conftest import filled  # noqa: F401  (fixture)

SECRET = "Daw Hnin Wai"  # the passage flagged sensitive (its note "=witness")
HIDDEN = Selection(without_sensitive=True)


@pytest.fixture
def flagged(archive: Archive, filled: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """The passage "Daw Hnin Wai" and the whole Burmese article flagged sensitive."""
    with archive.change("flag") as ch:
        ann = ch.session.get(models.Annotation, filled["hnin"])
        art = ch.session.get(models.Article, filled["second"])
        assert ann is not None and art is not None
        ann.sensitive, ann.sensitive_reason = True, "personal"
        art.sensitive, art.sensitive_reason = True, "graphic"
        ch.session.add_all([ann, art])
    return filled


def test_w3c(archive: Archive, flagged: dict[str, str], tmp_path: Path) -> None:
    export_w3c(archive, tmp_path / "a.jsonld", HIDDEN)
    doc = json.loads((tmp_path / "a.jsonld").read_text("utf-8"))
    ids = {i["id"].rsplit(":", 1)[1] for i in doc["first"]["items"]}
    assert ids == {flagged["nurses"], flagged["raid"]}
    whole = json.dumps(doc, ensure_ascii=False)
    assert SECRET not in whole and "ဒေါ်ခင်ခင်" not in whole
    # Without the option everything is there.
    export_w3c(archive, tmp_path / "b.jsonld")
    assert SECRET in (tmp_path / "b.jsonld").read_text("utf-8")


def test_csv_and_report(archive: Archive, flagged: dict[str, str], tmp_path: Path) -> None:
    export_csv(archive, tmp_path / "a.csv", HIDDEN)
    text = (tmp_path / "a.csv").read_text("utf-8")
    assert SECRET not in text and "=witness" not in text and "ဒေါ်" not in text
    assert len(list(csv.DictReader(text.splitlines()))) == 2
    export_report(archive, tmp_path / "r.html", HIDDEN)
    page = (tmp_path / "r.html").read_text("utf-8")
    assert SECRET not in page and "ရန်ကုန် သပိတ်" not in page
    assert MASK * 3 in page and "More than 250 nurses" in page


def test_qdpx_masks_text_and_keeps_offsets(
    archive: Archive, flagged: dict[str, str], tmp_path: Path
) -> None:
    export_qdpx(archive, tmp_path / "p.qdpx", HIDDEN)
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        xml = zf.read("project.qde").decode("utf-8")
        texts = [zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("sources/")]
    assert len(texts) == 1 and SECRET not in texts[0] and SECRET not in xml
    assert "ဒေါ်ခင်ခင်" not in xml  # an entity only a left-out passage used is no code
    with archive.session() as s:
        art = s.get(models.Article, flagged["first"])
        assert art is not None
        assert len(texts[0]) == len(art.text)  # masked one for one: offsets hold
        raid = s.get(models.Annotation, flagged["raid"])
        assert raid is not None and texts[0][raid.start : raid.end] == raid.quote


def test_bundle(archive: Archive, flagged: dict[str, str], tmp_path: Path) -> None:
    from archive.bundles.reader import open_bundle
    from archive.bundles.writer import export_bundle

    export_bundle(archive, tmp_path / "b.sesame", without_sensitive=True)
    bundle = open_bundle(tmp_path / "b.sesame")
    assert bundle.manifest["options"]["sensitive_left_out"] is True
    assert [a["id"] for a in bundle.articles] == [flagged["first"]]
    art = bundle.articles[0]
    assert SECRET not in art["text"] and art["original_sha256"] is None
    assert bundle.originals == {} or all(
        SECRET.encode() not in b for b in bundle.originals.values()
    )
    ids = {a["id"].rsplit(":", 1)[1] for a in bundle.annotations}
    assert ids == {flagged["nurses"], flagged["raid"]}
    for a in bundle.annotations:
        pos, quote = a["target"]["selector"]
        assert art["text"][pos["start"] : pos["end"]] == quote["exact"]
        assert SECRET not in quote["prefix"] + quote["suffix"]


def test_cli_option(archive_dir: Path, flagged: dict[str, str], tmp_path: Path) -> None:
    import io

    from archive.cli import main

    archive_dir_s = str(archive_dir)
    out = io.StringIO()
    code = main(
        ["--archive", archive_dir_s, "export", "w3c", str(tmp_path / "x.jsonld"),
         "--without-sensitive", "--json"], out,
    )  # fmt: skip
    assert code == 0 and json.loads(out.getvalue())["annotations"] == 2
    from archive.cli import build_parser

    args = build_parser().parse_args(["export-bundle", "x.sesame", "--without-sensitive"])
    assert args.without_sensitive is True


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab \nက်😀\t"), max_size=30),
    spans=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=4),
)
def test_mask_keeps_length_and_whitespace(text: str, spans: list[tuple[int, int]]) -> None:
    masked = mask_text(text, spans)
    assert len(masked) == len(text)
    for i, (a, b) in enumerate(zip(text, masked, strict=True)):
        inside = any(s <= i < e for s, e in spans)
        assert b == (MASK if inside and not a.isspace() else a)


def test_graph_leaves_out_claims_on_sensitive_passages(archive: Archive, tmp_path: Path) -> None:
    from archive.exports.graph import build_graph
    from tests.archive.bundles.conftest import add_report, tag

    aid = add_report(archive)
    raid = tag(archive, aid, "raided the general hospital", "event", entity_name="Raid")
    major = tag(archive, aid, "Major Kyaw Swar Lin", entity_name="Kyaw Swar Lin")
    with archive.change("role") as ch:
        s = ch.session
        event = s.get(models.Annotation, raid)
        actor = s.get(models.Annotation, major)
        assert event is not None and actor is not None
        s.add(models.Role(event_id=event.entity_id or "", actor_id=actor.entity_id or "",
                          role="perpetrator", annotation_id=major))  # fmt: skip
        actor.sensitive = True
        s.add(actor)
    assert build_graph(archive).number_of_edges() == 1
    assert build_graph(archive, HIDDEN).number_of_edges() == 0
