"""REFI-QDA import: other tools' shapes, our own export back, idempotent, undoable, never a
traceback on a malformed file."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from archive import models
from archive.cli import main
from archive.exports.qdpx import export_qdpx
from archive.ingest.qdpx import QdpxUnreadable, read_project
from archive.ingest.qdpx_import import canonical_map, import_qdpx
from archive.store import Archive
from tests.archive.exports.conftest import filled  # noqa: F401  (fixture)
from tests.archive.ingest import qdpx_shapes as shapes

XSD = Path(__file__).parents[4] / "shared" / "standards" / "refi-qda" / "Project.xsd"


def _annotations(archive: Archive) -> list[models.Annotation]:
    with archive.session() as s:
        return list(s.exec(select(models.Annotation).order_by(models.Annotation.start)))


def _quotes(archive: Archive) -> dict[str, tuple[str, str, str | None]]:
    """quote -> (type key, entity name or "", note)"""
    out = {}
    with archive.session() as s:
        for a in s.exec(select(models.Annotation)):
            e = s.get(models.Entity, a.entity_id) if a.entity_id else None
            out.setdefault(a.quote, []).append((a.type_key, e.name if e else "", a.note))
    return out  # type: ignore[return-value]


def test_qualcoder_shape(archive: Archive, tmp_path: Path) -> None:
    report = import_qdpx(archive, shapes.qualcoder(tmp_path / "q.qdpx"))
    assert report.added["articles"] == 1 and report.added["annotations"] == 3
    assert report.not_placed == [] and report.reanchored == 0
    quotes = _quotes(archive)
    # A selection with two codings is two annotations; "Actors" is the actor tag type.
    assert sorted(quotes["Police"]) == [("actor", "Police", ""), ("violence", "", "")]
    assert quotes["Ma Thida"] == [("actor", "Ma Thida", "Named twice.")]
    with archive.session() as s:
        art = s.get(models.Article, shapes.g(100).replace("-", ""))
        assert art is not None and "\r" not in art.text
        assert art.text == shapes.TEXT
        original = s.get(models.Original, art.original_sha256)
        assert original is not None and b"\r\n" in original.data  # the file as it came
        violence = s.get(models.TagType, "violence")
        assert violence is not None and violence.colour == "#00ff00"
        coll = s.exec(select(models.Collection).where(models.Collection.name == "March")).one()
        assert s.get(models.ArticleCollection, (art.id, coll.id)) is not None
        user = s.get(models.User, shapes.g(1).replace("-", ""))
        assert user is not None and user.display_name == "kyaw"
        assert {a.created_by for a in _annotations(archive)} == {user.id}


def test_maxqda_shape_crlf_counted_as_one(archive: Archive, tmp_path: Path) -> None:
    report = import_qdpx(archive, shapes.maxqda(tmp_path / "m.qdpx"))
    assert report.crlf_sources == 1
    quotes = _quotes(archive)
    assert quotes["600 police"] == [("figure", "", "")]  # coded with the top code
    assert quotes["Yangon"] == [("places", "", "")]
    assert quotes["ဆန္ဒပြသူများ"] == [("places", "", "")]
    reasons = " ".join(p["what"] + " " + p["reason"] for p in report.not_placed)
    assert "PictureSource" in reasons and "not in the codebook" in reasons
    with archive.session() as s:
        tt = s.get(models.TagType, "places")
        assert tt is not None and tt.colour.startswith("#")  # from the palette
        ann = s.exec(select(models.Annotation).where(models.Annotation.type_key == "figure")).one()
        assert ann.value == 600  # the figure read from the quote
        police = s.exec(select(models.Entity).where(models.Entity.name == "Police figures"))
        assert police.one().type_key == "figure"  # a code without GUID still imports


def test_atlas_shape_inline_text_docx_original_reanchored(archive: Archive, tmp_path: Path) -> None:
    report = import_qdpx(archive, shapes.atlas(tmp_path / "a.qdpx"))
    assert report.reanchored == 1 and report.not_placed == []
    quotes = _quotes(archive)
    assert quotes["opened fire"] == [("event", "Shooting in Yangon", "")]
    assert quotes["more than 600 police"] == [("figure", "Police count", "")]
    with archive.session() as s:
        art = s.exec(select(models.Article)).one()
        assert art.meta["qda_notes"] == ["Recorded in Mandalay."]
        original = s.get(models.Original, art.original_sha256)
        assert original is not None and original.data == b"PK docx bytes"
        assert original.media_type.endswith("wordprocessingml.document")


def test_a_project_note_on_nothing_is_reported(archive: Archive, tmp_path: Path) -> None:
    path = shapes.qualcoder(tmp_path / "q.qdpx")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["project.qde"] = members["project.qde"].replace(
        b"</Notes>", b'<Note guid="00000000-0000-4000-8000-000000000499"><PlainTextContent>'
        b"Project memo</PlainTextContent></Note></Notes>"
    )  # fmt: skip
    report = import_qdpx(archive, _zipped(tmp_path, members))
    assert [p["what"] for p in report.not_placed] == ["the note 'Project memo'"]


def test_codebook_only(archive: Archive, tmp_path: Path) -> None:
    report = import_qdpx(archive, shapes.codebook(tmp_path / "c.qdc"))
    assert report.added == {"entities": 2, "tag_types": 1}
    with archive.session() as s:
        tatmadaw = s.exec(select(models.Entity).where(models.Entity.name == "Tatmadaw")).one()
        assert tatmadaw.type_key == "actor" and tatmadaw.description == "The army"
        assert s.get(models.TagType, "themes") is not None


def test_second_import_adds_nothing_and_undo_removes_all(archive: Archive, tmp_path: Path) -> None:
    before = _annotations(archive)
    path = shapes.qualcoder(tmp_path / "q.qdpx")
    import_qdpx(archive, path)
    again = import_qdpx(archive, path)
    assert again.added == {} and again.unchanged["annotations"] == 3
    archive.undo()  # the second import changed no row: not an undo step
    assert _annotations(archive) == before
    with archive.session() as s:
        assert s.exec(select(models.Article)).first() is None
        assert s.get(models.TagType, "violence") is None


def test_own_export_round_trip(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    from archive import annotate

    annotate.update_annotation(archive, filled["khin"], note="seen <twice> & more")
    export_qdpx(archive, tmp_path / "own.qdpx")
    mine = {a.id: a for a in _annotations(archive)}
    with archive.session() as s:
        names = {e.id: e.name for e in s.exec(select(models.Entity))}
    other = Archive.open(tmp_path / "other", create=True)
    try:
        report = import_qdpx(other, tmp_path / "own.qdpx")
        assert report.not_placed == [] and report.reanchored == 0
        theirs = {a.id: a for a in _annotations(other)}
        assert set(theirs) == set(mine)
        with other.session() as s:
            their_names = {e.id: e.name for e in s.exec(select(models.Entity))}
        for aid, a in mine.items():
            b = theirs[aid]
            assert (b.article_id, b.start, b.end, b.quote, b.type_key, b.note) == (
                a.article_id, a.start, a.end, a.quote, a.type_key, a.note
            )  # fmt: skip
            assert b.entity_id == a.entity_id
            if a.entity_id:
                assert their_names[a.entity_id] == names[a.entity_id]
        # Into the archive it came from: nothing new.
        assert import_qdpx(archive, tmp_path / "own.qdpx").added == {}
    finally:
        other.close()


@pytest.mark.skipif(not XSD.is_file(), reason="../shared/standards is not here")
def test_the_test_shapes_are_near_the_standard(tmp_path: Path) -> None:
    """QualCoder's shape is valid; the others deviate as their tools do (and still import)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    with zipfile.ZipFile(shapes.qualcoder(tmp_path / "q.qdpx")) as zf:
        schema.assertValid(etree.fromstring(zf.read("project.qde")))


def test_canonical_map_keeps_positions() -> None:
    raw = "a\r\nb\ufeffc\re\u0301x"
    text, pos = canonical_map(raw)
    assert text == "a\nbc\néx"
    assert text[pos[3] : pos[4]] == "b" and text[pos[7] : pos[9]] == "é"
    assert pos[len(raw)] == len(text)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \r\n\u0301é😀က်"), max_size=40))
def test_canonical_map_is_monotonic(raw: str) -> None:
    text, pos = canonical_map(raw)
    assert len(pos) == len(raw) + 1 and pos[-1] == len(text)
    assert all(x <= y for x, y in itertools.pairwise(pos))


@pytest.mark.parametrize(
    "content",
    [
        b"not a zip",
        b"",
        b"PK\x03\x04broken",
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.qdpx"
    path.write_bytes(content)
    with pytest.raises(QdpxUnreadable):
        read_project(path)


def _zipped(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in members.items():
            zf.writestr(k, v)
    return path


@pytest.mark.parametrize(
    "members",
    [
        {"readme.txt": b"hello"},
        {"project.qde": b"<Project"},
        {"project.qde": b"<NotAProject/>"},
        {
            "project.qde": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Project>&e;</Project>'
        },
        {"project.qde": b"<Project/>", "sources/bomb.txt": b"\0" * (3 << 20)},
    ],
)
def test_malformed_projects(tmp_path: Path, archive: Archive, members: dict[str, bytes]) -> None:
    path = _zipped(tmp_path, members)
    try:
        report = import_qdpx(archive, path)
    except QdpxUnreadable:
        pass
    else:  # an XXE entity is never expanded: an empty project
        assert report.added == {}


def test_zip_bomb_refused(tmp_path: Path) -> None:
    path = _zipped(tmp_path, {"project.qde": b"<Project/>", "sources/a.txt": b"\0" * (3 << 20)})
    with pytest.raises(QdpxUnreadable, match="zip bomb"):
        read_project(path)


@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.generate],  # bounded time: no shrinking of a found case
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzzed_projects_never_raise_anything_else(tmp_path: Path, data: st.DataObject) -> None:
    """Any byte changed, cut or inserted in a valid project: read or refused, never a traceback."""
    good = shapes.qualcoder(tmp_path / "good.qdpx")
    with zipfile.ZipFile(good) as zf:
        xml = bytearray(zf.read("project.qde"))
        text = zf.read(f"sources/{shapes.g(100)}.txt")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(xml) - 1))
        op = data.draw(st.sampled_from(["set", "cut", "insert"]))
        b = data.draw(st.sampled_from(list(b'<>"=&/ 0-9aZ\x00\xff')))
        if op == "set":
            xml[i] = b
        elif op == "cut":
            del xml[i : i + data.draw(st.integers(1, 30))]
        else:
            xml.insert(i, b)
    whole = data.draw(st.booleans())
    path = _zipped(tmp_path, {"project.qde": bytes(xml), f"sources/{shapes.g(100)}.txt": text})
    if whole:
        raw = bytearray(path.read_bytes())
        raw[data.draw(st.integers(0, len(raw) - 1))] ^= 0xFF
        path.write_bytes(bytes(raw))
    with (
        Archive.open(tmp_path / "fuzz", create=True) as archive,
        contextlib.suppress(QdpxUnreadable),
    ):
        import_qdpx(archive, path)


def test_cli(tmp_path: Path) -> None:
    path = shapes.maxqda(tmp_path / "m.qdpx")
    out = io.StringIO()
    assert main(["--archive", str(tmp_path / "a"), "import-qdpx", str(path), "--json"], out) == 0
    doc = json.loads(out.getvalue())
    assert doc["added"]["annotations"] == 3 and doc["crlf_sources"] == 1
    out = io.StringIO()
    assert main(["--archive", str(tmp_path / "a"), "import-qdpx", str(path)], out) == 0
    assert "Nothing new" in out.getvalue() and "not placed" in out.getvalue()
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"nope")
    err = io.StringIO()
    assert (
        main(["--archive", str(tmp_path / "a"), "import-qdpx", str(bad)], io.StringIO(), err) == 1
    )
    assert "not a REFI-QDA project" in err.getvalue()


def test_nvivo_shape_utf16_offsets(archive: Archive, tmp_path: Path) -> None:
    report = import_qdpx(archive, shapes.nvivo(tmp_path / "n.qdpx"))
    assert report.utf16_sources == 1 and report.reanchored == 0 and report.not_placed == []
    quotes = _quotes(archive)
    assert quotes["Mandalay"] == [("places", "", "")]
    assert quotes["the police fired"] == [("places", "", "")]
