"""Case notes: set and read as a core change, links found and checked, grep."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from archive import annotate, audit, changes, collections, entities, models, notes
from archive.errors import InvalidInput, NotFound
from archive.store import Archive
from tests.archive.conftest import REPORT


def _queued(archive: Archive) -> int:
    with archive.session() as session:
        return int(session.exec(select(func.count()).select_from(models.IndexQueue)).one()[0])


def test_notes_link_to_passages_and_entities_and_report_broken_ones(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    coll = collections.create_collection(archive, "Hospital raids")
    collections.add_articles(archive, coll.id, [aid])
    s, e = annotate.find_quote(REPORT, "Major Kyaw Swar Lin")
    ann = annotate.create_annotation(archive, aid, s, e, "actor", entity_name="Kyaw Swar Lin")
    text = (
        "# Raid on the general hospital\r\n"
        f"Ordered by [the major](sesame:annotation/{ann.id[:8]}), "
        f"see sesame:entity/{ann.entity_id}.\n"
        "Missing: [gone](sesame:annotation/deadbeef00)\n"
    )
    queued = _queued(archive)
    result = notes.set_notes(archive, "hospital raids", text)
    assert "\r" not in result.notes
    # A notes save re-indexes nothing (only a collection's name is indexed).
    assert _queued(archive) == queued
    passage, entity, gone = result.links
    assert (passage.kind, passage.found, passage.target_id, passage.label) == (
        "annotation",
        True,
        ann.id,
        "Major Kyaw Swar Lin",
    )
    assert passage.article_id == aid and passage.span == (s, e)
    assert (entity.kind, entity.found, entity.label) == ("entity", True, "Kyaw Swar Lin")
    assert not gone.found and "no such id" in gone.problem
    assert result.broken == [gone]
    assert notes.get_notes(archive, coll.id).notes == result.notes
    assert changes.history(archive, 1)[0].label == "Case notes of Hospital raids"
    # A deleted passage leaves its link in place, now reported.
    annotate.delete_annotation(archive, ann.id)
    assert not notes.get_notes(archive, coll.name).links[0].found
    archive.undo()
    archive.undo()
    assert notes.get_notes(archive, coll.name).notes == ""
    with archive.session() as session:
        assert audit.verify(session).ok


def test_a_merged_entity_link_lands_on_the_one_kept(archive: Archive) -> None:
    keep = entities.create_entity(archive, "actor", "Tatmadaw")
    other = entities.create_entity(archive, "actor", "Myanmar military")
    entities.merge_entities(archive, keep.id, other.id)
    collections.create_collection(archive, "Case")
    (link,) = notes.set_notes(archive, "Case", f"sesame:entity/{other.id}").links
    assert link.found and link.target_id == keep.id and link.label == "Tatmadaw"


def test_bad_notes_are_refused(archive: Archive) -> None:
    collections.create_collection(archive, "Case")
    with pytest.raises(NotFound, match="No collection"):
        notes.set_notes(archive, "Other", "x")
    with pytest.raises(InvalidInput, match="NUL"):
        notes.set_notes(archive, "Case", "a\x00b")
    with pytest.raises(InvalidInput, match="at most"):
        notes.set_notes(archive, "Case", "x" * (notes.NOTES_MAX + 1))


def test_grep_finds_lines_in_every_collection(archive: Archive) -> None:
    collections.create_collection(archive, "B case")
    collections.create_collection(archive, "A case")
    notes.set_notes(archive, "B case", "Witness: Daw Hnin Wai\nother line")
    notes.set_notes(archive, "A case", "first\nhnin wai again")
    found = [(m.collection, m.line, m.text) for m in notes.grep_notes(archive, "HNIN WAI")]
    assert found == [("A case", 2, "hnin wai again"), ("B case", 1, "Witness: Daw Hnin Wai")]
    with pytest.raises(InvalidInput):
        notes.grep_notes(archive, " ")


def test_passage_link_escapes_its_label() -> None:
    assert notes.passage_link("ab12cd34", "the [first]\nline") == (
        r"[the \[first\] line](sesame:annotation/ab12cd34)"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=80),
    st.sampled_from(["annotation", "entity"]),
    st.text("0123456789abcdef", min_size=6, max_size=32),
)
def test_a_written_link_is_found_wherever_it_stands(before: str, kind: str, ref: str) -> None:
    text = f"{before} sesame:{kind}/{ref} after"
    found = notes.find_links(text)
    assert (kind, ref) in [(k, r) for k, r, _, _ in found]
    for k, r, start, end in found:
        assert text[start:end] == f"sesame:{k}/{r}"


def test_resolve_link_gives_a_passage_or_an_entitys_first_mention(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    s, e = annotate.find_quote(REPORT, "Daw Hnin Wai")
    ann = annotate.create_annotation(archive, aid, s, e, "actor", entity_name="Hnin Wai")
    link = notes.resolve_link(archive, f"sesame:annotation/{ann.id}")
    assert (link.article_id, link.span) == (aid, (s, e))
    link = notes.resolve_link(archive, f"sesame:entity/{ann.entity_id[:8]}")
    assert (link.label, link.article_id, link.span) == ("Hnin Wai", aid, (s, e))
    assert not notes.resolve_link(archive, "sesame:entity/0000000000").found
    with pytest.raises(InvalidInput, match="not a Sesame link"):
        notes.resolve_link(archive, "https://example.org")
