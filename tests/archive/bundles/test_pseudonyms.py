"""Protected names never leave the archive when pseudonyms are asked for."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from archive import annotate, entities
from archive.bundles.merge import import_bundle
from archive.bundles.pseudonyms import Pseudonyms
from archive.bundles.reader import open_bundle
from archive.bundles.writer import export_bundle
from tests.archive.bundles.conftest import Person, add_report, tag


def test_no_protected_name_is_anywhere_in_the_bundle(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    out = tmp_path / "p.sesame"
    with aung.acting() as a:
        aid = add_report(a)
        tag(a, aid, "Daw Hnin Wai", entity_name="Daw Hnin Wai", note="Daw Hnin Wai is a nurse")
        tag(a, aid, "MHWU", entity_name="MHWU")
        tag(a, aid, "told reporters that over 1,200", "figure")
        witness = entities.list_entities(a, "actor")[0]
        assert witness.name == "Daw Hnin Wai"
        entities.set_aliases(a, witness.id, ["Hnin Wai"])
        report = export_bundle(a, out, pseudonymise=[witness.id])
        assert report.counts["audit_entries"] == 0
    with zipfile.ZipFile(out) as zf:
        everything = b"".join(zf.read(n) for n in zf.namelist())
    assert b"Hnin Wai" not in everything
    bundle = open_bundle(out)
    assert bundle.manifest["options"]["originals_left_out"] == 1
    text = bundle.articles[0]["text"]
    assert "Actor A told reporters" in text
    for ann in bundle.annotations:
        pos, quote = ann["target"]["selector"]
        assert text[pos["start"] : pos["end"]] == quote["exact"]
    quotes = sorted(a["target"]["selector"][1]["exact"] for a in bundle.annotations)
    assert "Actor A" in quotes and "MHWU" in quotes
    with hla.acting() as b:
        merged = import_bundle(b, out)
        assert merged.added["annotations"] == 3 and not merged.orphaned
        names = {e.name for e in entities.list_entities(b)}
        assert "Actor A" in names and "Daw Hnin Wai" not in names
        notes = {x.note for x in annotate.list_annotations(b)}
        assert "Actor A is a nurse" in notes


@given(
    before=st.text("ab ", max_size=8),
    after=st.text("ab ", max_size=8),
    start=st.integers(0, 30),
    length=st.integers(0, 10),
)
def test_offsets_follow_the_replacement(before: str, after: str, start: int, length: int) -> None:
    text = f"{before} Tin Min Tun {after} Tin Min Tun."
    p = Pseudonyms([("Actor", "Tin Min Tun", [])])
    rw = p.rewrite(text)
    assert rw.text == text.replace("Tin Min Tun", "Actor A")
    s = min(start, len(text))
    e = min(s + length, len(text))
    ns, ne = rw.offset(s), rw.offset(e, end=True)
    assert 0 <= ns <= ne <= len(rw.text)
    # Text outside the names is carried over exactly.
    if "Tin Min Tun" not in text[max(0, s - 11) : e + 11]:
        assert rw.text[ns:ne] == text[s:e]
