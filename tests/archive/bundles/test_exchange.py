"""Two colleagues exchange bundles both ways and end with the same annotations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from archive import annotate
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from tests.archive.conftest import REPORT, Sent, add_report, tag


def _notes(archive: object) -> dict[str, str]:
    return {a.id: a.note for a in annotate.list_annotations(archive)}  # type: ignore[arg-type]


def test_exchange_both_ways_with_one_conflict(
    aung_sends: Callable[..., Sent], tmp_path: Path
) -> None:
    sent = aung_sends(note="first", also={"MHWU": {"entity_name": "MHWU"}})
    aung, hla, aid = sent.aung, sent.hla, sent.article_id
    shared, only_aung = sent.tags["Daw Hnin Wai"], sent.tags["MHWU"]
    with hla.acting() as b:
        assert import_bundle(b, sent.bundle).added["annotations"] == 2
        # Hla edits Aung's annotation and adds one of her own.
        annotate.update_annotation(b, shared, note="Hla's reading")
        mine = tag(b, aid, "Major Kyaw Swar Lin", entity_name="Kyaw Swar Lin")
        annotate.update_annotation(b, only_aung, note="checked by Hla")
        export_bundle(b, tmp_path / "2.sesame")
    with aung.acting() as a:
        # Meanwhile Aung edited the shared one too.
        annotate.update_annotation(a, shared, note="Aung's reading")
        report = import_bundle(a, tmp_path / "2.sesame")
        assert report.added["annotations"] == 1  # Hla's own
        assert report.updated["annotations"] == 1  # only Hla changed `only_aung`
        assert [c["annotation_id"] for c in report.conflicts] == [shared]
        copy = report.conflicts[0]["incoming_copy"]
        notes = _notes(a)
        assert notes[shared] == "Aung's reading" and notes[copy] == "Hla's reading"
        assert notes[only_aung] == "checked by Hla" and mine in notes
        # The person chooses Hla's version: the copy stays, Aung's goes.
        annotate.delete_annotation(a, shared)
        again = import_bundle(a, tmp_path / "2.sesame")
        assert not again.added.get("conflict_copies")
        export_bundle(a, tmp_path / "3.sesame")
    with hla.acting() as b:
        back = import_bundle(b, tmp_path / "3.sesame")
        assert not back.conflicts
        hla_notes = sorted(_notes(b).values())
    with aung.acting() as a:
        aung_notes = sorted(
            n for i, n in _notes(a).items() if i != shared
        )  # Aung deleted his version of the shared one
    assert "Hla's reading" in hla_notes and "checked by Hla" in hla_notes
    assert set(aung_notes) <= set(hla_notes)


def test_the_same_file_imported_on_both_sides_gets_the_annotations_re_anchored(
    aung_sends: Callable[..., Sent],
) -> None:
    sent = aung_sends(also={"nine senior surgeons": {"type_key": "figure"}})
    aid = sent.article_id
    with sent.hla.acting() as b:
        # Hla imported the same file herself (same bytes, another article id), and her copy's
        # text differs: other line breaks, and the last paragraph is gone.
        text = REPORT.replace("\n\n", "\n\n\n").split("Thousands")[0]
        own = add_report(b, text, title="Strike spreads", original=REPORT)
        report = import_bundle(b, sent.bundle)
        assert report.matched_articles == {aid: own}
        assert "articles" not in report.added
        by_quote = {m.quote: m for m in annotate.list_annotations(b, own)}
        hnin = by_quote["Daw Hnin Wai"]
        assert text[hnin.start : hnin.end] == "Daw Hnin Wai" and not hnin.orphaned
        lost = by_quote["nine senior surgeons"]
        assert lost.orphaned and report.orphaned == [lost.id]
        # Nothing of the bundle's own copy was added beside Hla's.
        assert len(annotate.list_annotations(b)) == 2


def test_a_resolved_conflict_does_not_come_back(
    aung_sends: Callable[..., Sent], tmp_path: Path
) -> None:
    sent = aung_sends(note="first")
    aung, hla, shared = sent.aung, sent.hla, sent.tags["Daw Hnin Wai"]
    with hla.acting() as b:
        import_bundle(b, sent.bundle)
        annotate.update_annotation(b, shared, note="Hla's reading")
        export_bundle(b, tmp_path / "2.sesame")
    with aung.acting() as a:
        annotate.update_annotation(a, shared, note="Aung's reading")
        first = import_bundle(a, tmp_path / "2.sesame")
        copy = first.conflicts[0]["incoming_copy"]
        annotate.delete_annotation(a, copy)  # Aung keeps his own reading
        again = import_bundle(a, tmp_path / "2.sesame")
        assert again.changed_nothing and not again.conflicts
        assert _notes(a) == {shared: "Aung's reading"}
