"""What a ViewDelta says about real change sets: whose rows a view must read again."""

from __future__ import annotations

from archive import annotate, collections, entities
from desktop.delta import ViewDelta
from tests.desktop.reader.articles import TEXT, add_article


def _delta(archive, label, fn) -> ViewDelta:  # type: ignore[no-untyped-def]
    with archive.change(label) as ch:
        result = fn(ch)
    assert ch.changes is not None
    delta = ViewDelta.of([ch.changes])
    delta.result = result  # type: ignore[attr-defined]
    return delta


def test_a_tag_an_edit_and_a_merge_say_what_moved(archive) -> None:
    a, b = add_article(archive), add_article(archive, title="Other")
    keep = entities.create_entity(archive, "actor", "Keep").id
    other = entities.create_entity(archive, "actor", "Other").id
    start = TEXT.index("the market")

    tag = _delta(
        archive,
        "Tag",
        lambda ch: annotate.create_annotation(ch, a, start, start + 10, "actor", entity_id=other),
    )
    ann = tag.result  # type: ignore[attr-defined]
    assert tag.annotation_articles == tag.counted_articles == {a}
    assert tag.linked_entities == {other} and not tag.entities_changed
    assert tag.concerns_article(a) and not tag.concerns_article(b)
    assert tag.library_articles() == {a}

    note = _delta(archive, "Note", lambda ch: annotate.update_annotation(ch, ann.id, note="x"))
    assert note.annotation_articles == {a}
    assert note.counted_articles == set() and note.linked_entities == set()
    assert note.library_articles() == set()  # a note moves no count

    merge = _delta(archive, "Merge", lambda ch: entities.merge_entities(ch, keep, other))
    assert merge.entity_ids == {keep, other} and merge.entities_changed
    assert merge.linked_entities == {keep, other}
    assert merge.counted_articles == set()  # a relink: the library reads nothing
    # A reader of B shows no annotation of either entity: not concerned; of A it is.
    assert merge.concerns_article(a)
    assert not merge.concerns_article(b, [None])
    assert merge.concerns_article(b, [keep])

    coll = _delta(
        archive,
        "Collect",
        lambda ch: collections.add_articles(ch, collections.create_collection(ch, "Case").id, [b]),
    )
    assert coll.collections_changed and coll.member_articles == {b}
    assert coll.library_articles() == {b}

    both = ViewDelta.merge([tag, note, coll])
    assert both.annotation_articles == {a} and both.member_articles == {b}
    assert len(both.rows) == len(tag.rows) + len(note.rows) + len(coll.rows)
