"""The entity registry: names, aliases, rename, merge and unmerge, mentions."""

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from archive import annotate, audit, entities, models
from archive.errors import InvalidInput, NotFound
from archive.store import Archive
from tests.archive.conftest import REPORT


def _tag(archive: Archive, aid: str, quote: str, name: str, type_key: str = "actor") -> str:
    s, e = annotate.find_quote(REPORT, quote)
    return annotate.create_annotation(archive, aid, s, e, type_key, entity_name=name).id


def test_names_and_aliases_in_any_script_find_the_entity(archive: Archive) -> None:
    info = entities.create_entity(
        archive, "actor", "Kyaw Moe Tun", aliases=["U Kyaw Moe Tun", "ဦးကျော်မိုးထွန်း", " "]
    )
    assert info.aliases == ["U Kyaw Moe Tun", "ဦးကျော်မိုးထွန်း"]
    with archive.session() as session:
        for name in ("kyaw  moe tun", "U KYAW MOE TUN", "ဦးကျော်မိုးထွန်း"):
            found = entities.find_entity(session, name, "actor")
            assert found is not None and found.id == info.id
        assert entities.find_entity(session, "Kyaw Moe Tun", "event") is None
        assert entities.find_entity(session, "Someone else") is None


def test_a_name_taken_in_a_type_is_refused_with_a_merge_hint(archive: Archive) -> None:
    first = entities.create_entity(archive, "actor", "CDM", aliases=["Civil Disobedience Movement"])
    with pytest.raises(InvalidInput, match="entity merge"):
        entities.create_entity(archive, "actor", "civil disobedience movement")
    # Another type may use the name.
    entities.create_entity(archive, "event", "CDM")
    other = entities.create_entity(archive, "actor", "NLD")
    with pytest.raises(InvalidInput, match="already names"):
        entities.set_aliases(archive, other.id, ["CDM"])
    assert entities.get_entity(archive, first.id).name == "CDM"


def test_renaming_to_another_entitys_name_is_refused(archive: Archive) -> None:
    first = entities.create_entity(archive, "actor", "Kyaw Moe Tun")
    second = entities.create_entity(archive, "actor", "Tin Maung Naing")
    # Both ways round: the entity being renamed may come first in the table.
    with pytest.raises(InvalidInput, match="already names"):
        entities.rename_entity(archive, first.id, "Tin Maung Naing")
    with pytest.raises(InvalidInput, match="already names"):
        entities.rename_entity(archive, second.id, "Kyaw Moe Tun")
    assert entities.get_entity(archive, second.id).name == "Tin Maung Naing"
    assert entities.get_entity(archive, first.id).name == "Kyaw Moe Tun"


def test_rename_keeps_old_name_as_alias_and_undo(archive: Archive) -> None:
    info = entities.create_entity(archive, "actor", "Tin Min Tun")
    _before, after = entities.rename_entity(archive, info.id, "Major Tin Min Tun")
    assert after["name"] == "Major Tin Min Tun" and after["aliases"] == ["Tin Min Tun"]
    entities.describe_entity(archive, info.id, "Special Branch officer")
    archive.undo()
    archive.undo()
    back = entities.get_entity(archive, info.id)
    assert (back.name, back.aliases, back.description) == ("Tin Min Tun", [], "")


def test_event_dates_and_place(archive: Archive) -> None:
    ev = entities.create_entity(archive, "event", "Hospital raid", date_start="2021-03-02")
    entities.set_event_details(
        archive, ev.id, date_start="2021-03", date_end="2021-04-01", place="Mandalay"
    )
    info = entities.get_entity(archive, ev.id)
    assert (info.date_start, info.date_end, info.place) == ("2021-03", "2021-04-01", "Mandalay")
    with pytest.raises(InvalidInput, match="before the start"):
        entities.set_event_details(archive, ev.id, date_end="2020-01-01")
    with pytest.raises(InvalidInput, match="not a real date"):
        entities.set_event_details(archive, ev.id, date_start="2021-02-30")
    entities.set_event_details(archive, ev.id, place=None)
    assert entities.get_entity(archive, ev.id).place is None


def test_merge_moves_every_mention_and_unmerge_undoes_it(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    a1, a2 = add_article(title="One", published="2021-03-01"), add_article(title="Two")
    keep_ann = _tag(archive, a1, "U Zaw Min Htet", "U Zaw Min Htet")
    other_ann = _tag(archive, a2, "Zaw Min Htet", "Zaw Min Htet")
    with archive.session() as session:
        keep = entities.find_entity(session, "U Zaw Min Htet")
        other = entities.find_entity(session, "Zaw Min Htet")
    assert keep is not None and other is not None
    entities.set_aliases(archive, other.id, ["Ko Zaw"])
    before_keep = entities.get_entity(archive, keep.id)

    record = entities.merge_entities(archive, keep.id, other.id)
    assert record.moved_annotation_ids == [other_ann]
    merged = entities.get_entity(archive, keep.id)
    assert merged.mentions == 2
    assert merged.aliases == ["Zaw Min Htet", "Ko Zaw"]
    found = entities.mentions(archive, keep.id)
    assert [m.annotation_id for m in found] == [keep_ann, other_ann]  # oldest article first
    assert [m.article_title for m in found] == ["One", "Two"]
    # The tombstone is hidden, resolves to KEEP, and its names now find KEEP.
    assert other.id not in {e.id for e in entities.list_entities(archive)}
    assert other.id in {e.id for e in entities.list_entities(archive, include_merged=True)}
    assert entities.get_entity(archive, other.id).id == keep.id
    assert entities.get_entity(archive, other.id, follow=False).merged_into == keep.id
    with archive.session() as session:
        found_by_alias = entities.find_entity(session, "Ko Zaw", "actor")
        assert found_by_alias is not None and found_by_alias.id == keep.id
    # Tagging with the old name now lands on KEEP.
    again = _tag(archive, a2, "Zaw Min Htet", "Zaw Min Htet")
    assert annotate.get_annotation(archive, again).entity_id == keep.id
    annotate.delete_annotation(archive, again)

    assert entities.last_merge_record(archive, other.id) == record
    entities.unmerge_entities(archive, record)
    assert entities.get_entity(archive, keep.id).aliases == before_keep.aliases
    restored = entities.get_entity(archive, other.id)
    assert restored.merged_into is None and restored.mentions == 1
    assert annotate.get_annotation(archive, other_ann).entity_id == other.id
    with pytest.raises(InvalidInput, match="not merged"):
        entities.unmerge_entities(archive, record)
    with archive.session() as session:
        assert audit.verify(session).ok


def test_merge_chains_repoint_tombstones(archive: Archive) -> None:
    a = entities.create_entity(archive, "actor", "A")
    b = entities.create_entity(archive, "actor", "B")
    c = entities.create_entity(archive, "actor", "C")
    entities.merge_entities(archive, b.id, c.id)
    record = entities.merge_entities(archive, a.id, b.id)
    assert record.repointed_entity_ids == [c.id]
    assert entities.get_entity(archive, c.id, follow=False).merged_into == a.id
    assert entities.get_entity(archive, a.id).aliases == ["B", "C"]
    entities.unmerge_entities(archive, record)
    assert entities.get_entity(archive, c.id, follow=False).merged_into == b.id


def test_merge_refusals(archive: Archive) -> None:
    a = entities.create_entity(archive, "actor", "A")
    e = entities.create_entity(archive, "event", "E")
    with pytest.raises(InvalidInput, match="one type"):
        entities.merge_entities(archive, a.id, e.id)
    with pytest.raises(InvalidInput, match="already one"):
        entities.merge_entities(archive, a.id, a.id)
    with pytest.raises(NotFound):
        entities.merge_entities(archive, a.id, "f" * 32)


def test_delete_only_unused_entities(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    _tag(archive, aid, "MHWU", "MHWU")
    with archive.session() as session:
        used = entities.find_entity(session, "MHWU")
    assert used is not None
    with pytest.raises(InvalidInput, match="linked from 1"):
        entities.delete_entity(archive, used.id)
    spare = entities.create_entity(archive, "actor", "Spare", entity_id="e" * 32)
    snap = entities.delete_entity(archive, spare.id)
    assert [e.name for e in entities.list_entities(archive)] == ["MHWU"]
    assert snap["name"] == "Spare"
    archive.undo()
    assert entities.get_entity(archive, "e" * 32).name == "Spare"


def test_list_counts_mentions_per_type(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    _tag(archive, aid, "Daw Hnin Wai", "Hnin Wai")
    _tag(archive, aid, "Hnin Wai", "Hnin Wai")
    _tag(archive, aid, "over 1,200 people", "marchers in Mandalay", "figure")
    rows = {(e.type, e.name): e.mentions for e in entities.list_entities(archive)}
    assert rows == {("actor", "Hnin Wai"): 2, ("figure", "marchers in Mandalay"): 1}
    assert [e.name for e in entities.list_entities(archive, "figure")] == ["marchers in Mandalay"]


@given(st.lists(st.integers(0, 5), min_size=2, max_size=8), st.data())
@settings(max_examples=20, deadline=None)
def test_property_merges_never_lose_annotations(pairs: list[int], data: st.DataObject) -> None:
    """Any sequence of merges and unmerges keeps every annotation on a live entity."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp, Archive.open(Path(tmp) / "a", create=True) as arch:
        text = "abcdefghij" * 3
        with arch.transaction() as session:
            article = models.Article(title="t", text=text)
            session.add(article)
        ids = [entities.create_entity(arch, "actor", f"E{i}").id for i in range(6)]
        anns = []
        for i in pairs:
            anns.append(annotate.create_annotation(arch, article.id, i, i + 3, "actor",
                                                   entity_id=ids[i]).id)  # fmt: skip
        records = []
        for _ in range(data.draw(st.integers(1, 5))):
            keep, other = data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids))
            with contextlib.suppress(InvalidInput):  # already one entity
                records.append(entities.merge_entities(arch, keep, other))
        with arch.session() as session:
            live = {e.id for e in session.exec(select(models.Entity)) if e.merged_into is None}
            for ann_id in anns:
                ann = session.get(models.Annotation, ann_id)
                assert ann is not None and ann.entity_id in live
        total = sum(e.mentions for e in entities.list_entities(arch))
        assert total == len(anns)
        for record in reversed(records):
            entities.unmerge_entities(arch, record)
        with arch.session() as session:
            for ann_id, i in zip(anns, pairs, strict=True):
                ann = session.get(models.Annotation, ann_id)
                assert ann is not None and ann.entity_id == ids[i]


def test_similar_entities_ignore_titles(archive: Archive) -> None:
    a = entities.create_entity(archive, "actor", "U Kyaw Moe Tun")
    b = entities.create_entity(archive, "actor", "Ambassador Kyaw Moe Tun")
    entities.create_entity(archive, "actor", "Kyaw Moe")
    entities.create_entity(archive, "event", "Kyaw Moe Tun")
    c = entities.create_entity(archive, "actor", "Tin Min Tun")
    d = entities.create_entity(archive, "actor", "Tin", aliases=["Maj. Tin Min Tun"])
    entities.create_entity(archive, "actor", "Major Tin Min Tun's unit")
    pairs = {(x.id, y.id) for x, y in entities.similar_entities(archive)}
    assert pairs == {(b.id, a.id), (d.id, c.id)}
    assert entities.name_key("Daw  Chaw Kalayar") == "chaw kalayar"
    assert entities.name_key("U") == "u"
