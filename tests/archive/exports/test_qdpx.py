"""REFI-QDA export: valid against Project.xsd, stable GUIDs, selections at code-point offsets."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import annotate
from archive.exports.qdpx import NS, PROJECT, export_qdpx, xml_text
from archive.exports.selection import Selection
from archive.store import Archive
from tests.archive.exports.conftest import BURMESE, REPORT

XSD = Path(__file__).parents[4] / "shared" / "standards" / "refi-qda" / "Project.xsd"
Q = f"{{{NS}}}"


def _project(path: Path) -> tuple[bytes, dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        texts = {
            n.removeprefix("sources/").removesuffix(".txt"): zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if n.startswith("sources/")
        }
        return zf.read(PROJECT), texts


@pytest.mark.skipif(not XSD.is_file(), reason="../shared/standards is not here")
def test_valid_against_the_refi_qda_schema(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    annotate.update_annotation(archive, filled["khin"], note="witness <b>&")
    export_qdpx(archive, tmp_path / "p.qdpx")
    xml, _ = _project(tmp_path / "p.qdpx")
    doc = etree.fromstring(xml)
    schema.assertValid(doc)


def test_codes_selections_and_offsets(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    from xml.etree import ElementTree as ET

    result = export_qdpx(archive, tmp_path / "p.qdpx")
    assert result["articles"] == 2 and result["selections"] == 5
    xml, texts = _project(tmp_path / "p.qdpx")
    root = ET.fromstring(xml)
    codes = root.find(f"{Q}CodeBook/{Q}Codes")
    assert codes is not None
    top = {c.get("name"): c for c in codes.findall(f"{Q}Code")}
    assert set(top) == {"Actor", "Event", "Figure"} and top["Actor"].get("color") == "#8ecae6"
    actors = {c.get("name"): c.get("guid") for c in top["Actor"].findall(f"{Q}Code")}
    assert set(actors) == {"Hnin Wai", "ဒေါ်ခင်ခင်"}
    by_text = {guid: t for guid, t in texts.items()}
    assert sorted(by_text.values()) == sorted([REPORT, BURMESE])
    for source in root.iter(f"{Q}TextSource"):
        text = by_text[source.get("guid") or ""]
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        for sel in source.findall(f"{Q}PlainTextSelection"):
            start, end = int(sel.get("startPosition") or 0), int(sel.get("endPosition") or 0)
            assert text[start:end] == sel.get("name")  # code points
            assert sel.find(f"{Q}Coding/{Q}CodeRef") is not None
    hnin = next(s for s in root.iter(f"{Q}PlainTextSelection") if s.get("name") == "Daw Hnin Wai")
    ref = hnin.find(f"{Q}Coding/{Q}CodeRef")
    assert ref is not None and ref.get("targetGUID") == actors["Hnin Wai"]
    note_ref = hnin.find(f"{Q}NoteRef")
    assert note_ref is not None
    note = next(n for n in root.iter(f"{Q}Note") if n.get("guid") == note_ref.get("targetGUID"))
    assert note.findtext(f"{Q}PlainTextContent") == "=witness"
    sets = root.findall(f"{Q}Sets/{Q}Set")
    assert [s.get("name") for s in sets] == ["Case"]
    assert root.find(f"{Q}Users/{Q}User").get("name") == "Test User"  # type: ignore[union-attr]


def test_the_same_archive_gives_the_same_guids(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    import re

    export_qdpx(archive, tmp_path / "a.qdpx")
    export_qdpx(archive, tmp_path / "b.qdpx")
    guids = [
        re.findall(rb'guid="([^"]+)"', _project(tmp_path / n)[0]) for n in ("a.qdpx", "b.qdpx")
    ]
    assert guids[0] == guids[1] and len(set(guids[0])) == len(guids[0]) > 10


def test_selection_and_pseudonyms(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:
    export_qdpx(archive, tmp_path / "p.qdpx", Selection(collection="Case",
                                                          pseudonymise=("ဒေါ်ခင်ခင်",)))  # fmt: skip
    xml, texts = _project(tmp_path / "p.qdpx")
    assert len(texts) == 1 and "ခင်ခင်" not in xml.decode() + "".join(texts.values())
    assert b"Actor A" in xml


@given(st.text())
def test_xml_text_keeps_length_and_is_xml(text: str) -> None:
    from xml.etree import ElementTree as ET

    safe = xml_text(text)
    assert len(safe) == len(text)
    node = ET.Element("t")
    node.text = safe
    # ElementTree writes CR as it is, and XML parsers read CRLF and CR as LF (Sesame's
    # own writer escapes CR as &#13;, see test_qdpx_import's round trip).
    assert ET.fromstring(ET.tostring(node, encoding="unicode")).text in (
        safe.replace("\r\n", "\n").replace("\r", "\n"),
        safe,
        None,
    )


@given(st.uuids(), st.lists(st.text(), min_size=1, max_size=3))
def test_guids_are_uuids(archive_id: object, parts: list[str]) -> None:
    import uuid

    from archive.exports.qdpx import guid, named_guid

    ns = archive_id.hex  # type: ignore[attr-defined]
    assert named_guid(ns, *parts) == str(uuid.uuid5(uuid.UUID(hex=ns), "/".join(parts)))
    assert guid(ns) == str(archive_id)


@given(st.text(), st.text())
def test_attributes_and_text_read_back_as_written(name: str, body: str) -> None:
    from xml.etree import ElementTree as ET

    from archive.exports.qdpx import _leaf, _open

    node = ET.fromstring(
        _open("Note", {"name": name}) + _leaf("PlainTextContent", body) + "</Note>"
    )
    assert node.get("name", "") == xml_text(name)
    assert (node.findtext("PlainTextContent") or "") == xml_text(body)
