"""Annotations, entity names and notes are searchable as soon as they change."""

from __future__ import annotations

from archive import models
from archive.store import Archive, mark_for_index

from .helpers import add_articles, found

TEXT = "General Aung Min ordered the unit to clear the road near the bridge."


def _tag(archive: Archive, article_id: str, entity: models.Entity, note: str = "") -> str:
    with archive.transaction() as session:
        session.add(entity)
        session.flush()
        annotation = models.Annotation(
            article_id=article_id,
            start=8,
            end=16,
            quote="Aung Min",
            type_key=entity.type_key,
            entity_id=entity.id,
            note=note,
        )
        session.add(annotation)
        mark_for_index(session, article_id)
    archive.sync_index()
    return annotation.id


def test_tag_then_untag(archive: Archive) -> None:
    (aid,) = add_articles(archive, {"title": "Road cleared", "text": TEXT})
    archive.sync_index()
    assert found(archive, "tag:actor") == []
    entity = models.Entity(type_key="actor", name="Aung Min", aliases=["AM"])
    ann_id = _tag(archive, aid, entity, note="rank confirmed by a second source")
    assert found(archive, "tag:actor") == ["Road cleared"]
    assert found(archive, "actor:am") == ["Road cleared"]
    assert found(archive, "note:confirmed") == ["Road cleared"]
    assert archive.index.search("bridge").facets["entity"] == {"actor:Aung Min": 1}
    with archive.transaction() as session:
        session.delete(session.get(models.Annotation, ann_id))
        mark_for_index(session, aid)
    archive.sync_index()
    assert found(archive, "tag:actor") == []
    assert found(archive, "note:confirmed") == []
    assert archive.index.check().ok


def test_merged_entity_is_found_by_the_keepers_names(archive: Archive) -> None:
    (aid,) = add_articles(archive, {"title": "Road cleared", "text": TEXT})
    other = models.Entity(type_key="actor", name="A. Min")
    _tag(archive, aid, other)
    with archive.transaction() as session:
        keep = models.Entity(type_key="actor", name="Aung Min", aliases=["A. Min"])
        session.add(keep)
        session.flush()
        tomb = session.get(models.Entity, other.id)
        assert tomb is not None
        tomb.merged_into = keep.id
        mark_for_index(session, aid)
    archive.sync_index()
    assert found(archive, 'actor:"Aung Min"') == ["Road cleared"]
    assert archive.index.search("road").facets["entity"] == {"actor:Aung Min": 1}


def test_custom_tag_type_is_searchable(archive: Archive) -> None:
    (aid,) = add_articles(archive, {"title": "Road cleared", "text": TEXT})
    with archive.transaction() as session:
        session.add(models.TagType(key="weapon", label="Weapon", colour="#ff0000"))
    entity = models.Entity(type_key="weapon", name="Armoured vehicle")
    _tag(archive, aid, entity)
    assert found(archive, "tag:weapon") == ["Road cleared"]
    assert found(archive, "entity:armoured") == ["Road cleared"]
    assert found(archive, "armoured vehicle") == ["Road cleared"]


def test_collection_membership_is_searchable(archive: Archive) -> None:
    (aid,) = add_articles(archive, {"title": "Road cleared", "text": TEXT})
    with archive.transaction() as session:
        case = models.Collection(name="Bridge Case")
        session.add(case)
        session.flush()
        session.add(models.ArticleCollection(article_id=aid, collection_id=case.id))
        mark_for_index(session, aid)
    assert found(archive, "collection:bridge") == ["Road cleared"]
    assert found(archive, "bridge", filters={"collection": "Bridge Case"}) == ["Road cleared"]


def test_search_from_another_thread(archive: Archive) -> None:
    import threading

    add_articles(archive, {"title": "Road cleared", "text": TEXT})
    archive.sync_index()
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(20):
                results.append([h.title for h in archive.index.search("bridge").hits])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for n in range(5):
        add_articles(archive, {"title": f"Bridge {n}", "text": "another bridge story"})
        archive.sync_index()
    for t in threads:
        t.join()
    assert not errors
    assert all("Road cleared" in r for r in results)
    assert len(found(archive, "bridge", limit=50)) == 6
