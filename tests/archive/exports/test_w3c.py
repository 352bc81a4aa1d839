"""W3C Web Annotation export: valid against the model, offline, every selector true to the text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from archive import models
from archive.exports.selection import Selection
from archive.exports.w3c import W3C_CONTEXT, context_document, document_loader, export_w3c
from archive.ingest import import_paths
from archive.store import Archive
from archive.suggest import accept_suggestions, suggest_for_article

SCHEMA = json.loads((Path(__file__).parent / "w3c_model.schema.json").read_text("utf-8"))
SEEDS = Path(__file__).parents[4] / "shared" / "seeds"
SHARED_CONTEXT = Path(__file__).parents[4] / "shared" / "standards/w3c-web-annotation/anno.jsonld"


def _export(archive: Archive, tmp_path: Path, selection: Selection | None = None) -> Any:
    out = tmp_path / "annotations.jsonld"
    result = export_w3c(archive, out, selection)
    doc = json.loads(out.read_text("utf-8"))
    assert result["annotations"] == doc["total"] == len(doc["first"]["items"])
    return doc


def _terms() -> set[str]:
    return set(context_document()["@context"])


def _check_terms(node: Any, terms: set[str], key: str = "") -> None:
    """Every property is a term of the W3C context (or sesame:); so is every type and purpose."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@context":
                continue
            assert k in terms or k.startswith("sesame:"), f"{k!r} is not a W3C term"
            if not k.startswith("sesame:"):
                _check_terms(v, terms, k)
    elif isinstance(node, list):
        for v in node:
            _check_terms(v, terms, key)
    elif key in ("type", "motivation", "purpose"):
        assert node in terms, f"{key} {node!r} is not a W3C term"


def check_model(doc: Any, texts: dict[str, str]) -> None:
    """Valid against the model's schema, its terms, and true to each article's text."""
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    _check_terms(doc, _terms())
    assert doc["@context"][0] == W3C_CONTEXT
    for ann in doc["first"]["items"]:
        target = ann["target"]
        text = texts[target["source"].rsplit(":", 1)[1]]
        pos = next(s for s in target["selector"] if s["type"] == "TextPositionSelector")
        quote = next(s for s in target["selector"] if s["type"] == "TextQuoteSelector")
        assert text[pos["start"] : pos["end"]] == quote["exact"]  # code points
        assert text[: pos["start"]].endswith(quote["prefix"])
        assert text[pos["end"] :].startswith(quote["suffix"])
        assert ann["motivation"] == "tagging"
        assert {b["purpose"] for b in ann["body"]} <= {"tagging", "identifying", "commenting"}
        assert ann["creator"]["type"] == "Person" and ann["creator"]["name"]
        assert ann["created"].endswith("Z") and ann["modified"].endswith("Z")


def _texts(archive: Archive) -> dict[str, str]:
    with archive.session() as session:
        from sqlmodel import select

        return {a.id: a.text for a in session.exec(select(models.Article))}


def test_export_is_valid_and_true_to_the_text(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    doc = _export(archive, tmp_path)
    check_model(doc, _texts(archive))
    assert doc["type"] == "AnnotationCollection" and doc["total"] == 5
    by_id = {a["id"].rsplit(":", 1)[1]: a for a in doc["first"]["items"]}
    hnin = by_id[filled["hnin"]]
    assert [b["purpose"] for b in hnin["body"]] == ["tagging", "identifying", "commenting"]
    assert hnin["body"][1]["sesame:name"] == "Hnin Wai"
    assert hnin["body"][2]["value"] == "=witness"  # JSON needs no neutralising
    assert hnin["creator"]["name"] == "Test User"
    police = by_id[filled["police"]]
    assert police["sesame:figure"]["value"] == 600
    assert police["target"]["selector"][1]["exact"] == "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်"
    assert all(v is not None for a in by_id.values() for v in a.values())


def test_the_selection_and_pseudonyms(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    doc = _export(archive, tmp_path, Selection(collection="Case"))
    assert doc["total"] == 2 and doc["sesame:scope"] == {"kind": "collection", "value": "Case"}
    doc = _export(archive, tmp_path, Selection(article_ids=(filled["first"],)))
    assert doc["total"] == 3
    doc = _export(archive, tmp_path, Selection(pseudonymise=("Hnin Wai",)))
    raw = json.dumps(doc, ensure_ascii=False)
    assert "Hnin Wai" not in raw and "Actor A" in raw
    items = {a["id"].rsplit(":", 1)[1]: a for a in doc["first"]["items"]}
    # The passage tagged as her ("Daw Hnin Wai") is replaced whole.
    assert items[filled["hnin"]]["target"]["selector"][1]["exact"] == "Actor A"
    assert items[filled["hnin"]]["body"][1]["sesame:name"] == "Actor A"


def test_query_selection(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:
    archive.sync_index()
    doc = _export(archive, tmp_path, Selection(query="nurses"))
    assert {a["target"]["source"] for a in doc["first"]["items"]} == {
        f"urn:sesame:article:{filled['first']}"
    }


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")
def test_the_seed_articles_annotations_are_valid_offline(archive: Archive, tmp_path: Path) -> None:
    report = import_paths(archive, [SEEDS])
    for art in report.imported:
        accept_suggestions(archive, art.id, suggest_for_article(archive, art.id))
    doc = _export(archive, tmp_path)
    assert doc["total"] > 20
    check_model(doc, _texts(archive))


def test_the_shipped_context_is_the_w3c_document_and_nothing_is_fetched() -> None:
    if SHARED_CONTEXT.is_file():
        assert context_document() == json.loads(SHARED_CONTEXT.read_text("utf-8"))
    load = document_loader()
    assert load(W3C_CONTEXT)["document"]["@context"]["oa"] == "http://www.w3.org/ns/oa#"
    with pytest.raises(ValueError, match="fetches nothing"):
        load("https://example.org/other.jsonld")


def test_the_schema_refuses_what_the_model_forbids(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    doc = _export(archive, tmp_path)
    jsonschema.validate(doc, SCHEMA)
    for spoil in (
        lambda a: a.pop("target"),
        lambda a: a.update(motivation="liking"),
        lambda a: a.update(created="2021-03-05 10:00"),
        lambda a: a["body"][0].pop("value"),
        lambda a: a["target"]["selector"][0].update(start=-1),
    ):
        bad = json.loads(json.dumps(doc))
        spoil(bad["first"]["items"][0])
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)


def test_times_are_utc_with_their_zone() -> None:
    from datetime import UTC, datetime

    from archive.exports.w3c import w3c_time

    assert w3c_time("2021-03-05 10:00:00.123456") == "2021-03-05T10:00:00Z"
    assert w3c_time("2021-03-05 10:00:00") == "2021-03-05T10:00:00Z"
    assert w3c_time("2021-03-05T10:00:00+07:00") == "2021-03-05T03:00:00Z"
    assert w3c_time(datetime(2021, 3, 5, 10, tzinfo=UTC)) == "2021-03-05T10:00:00Z"
    assert w3c_time(None) == ""
