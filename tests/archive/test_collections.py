"""Collections: create, list, rename, delete, membership; all audited and queued."""

from __future__ import annotations

import pytest
from sqlmodel import select

from archive import audit
from archive import collections as colls
from archive.errors import InvalidInput, NotFound
from archive.models import Article, AuditEvent, IndexQueue
from archive.store import Archive


def add_articles(archive: Archive, n: int) -> list[str]:
    with archive.transaction() as session:
        articles = [Article(title=f"Article {i}", text=f"Text {i}") for i in range(n)]
        session.add_all(articles)
        return [a.id for a in articles]


def queued(archive: Archive) -> list[str]:
    with archive.session() as session:
        return list(session.exec(select(IndexQueue.article_id)))


def test_create_list_and_get(archive: Archive) -> None:
    made = colls.create_collection(archive, "  Border   cases ", "Crossings in 2021")
    assert made.name == "Border cases"
    assert made.article_count == 0
    colls.create_collection(archive, "another")
    assert [c.name for c in colls.list_collections(archive)] == ["another", "Border cases"]
    assert colls.get_collection(archive, made.id).description == "Crossings in 2021"
    assert colls.get_collection(archive, "border cases").id == made.id


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_names_are_refused(archive: Archive, name: str) -> None:
    with pytest.raises(InvalidInput):
        colls.create_collection(archive, name)


def test_names_are_unique_ignoring_case(archive: Archive) -> None:
    colls.create_collection(archive, "Case A")
    with pytest.raises(InvalidInput, match="already a collection"):
        colls.create_collection(archive, "case a")
    other = colls.create_collection(archive, "Case B")
    with pytest.raises(InvalidInput):
        colls.rename_collection(archive, other.id, "CASE A")


def test_membership_changes_are_queued_for_the_index(archive: Archive) -> None:
    ids = add_articles(archive, 3)
    coll = colls.create_collection(archive, "Case A")
    assert colls.add_articles(archive, "Case A", ids[:2]) == 2
    assert colls.add_articles(archive, "Case A", ids) == 1  # only the new one
    assert colls.get_collection(archive, coll.id).article_count == 3
    assert sorted(queued(archive)) == sorted(ids)
    assert colls.remove_articles(archive, coll.id, [ids[0], "not-there"]) == 1
    assert colls.get_collection(archive, coll.id).article_count == 2
    assert [c.name for c in colls.article_collections(archive, ids[1])] == ["Case A"]
    assert colls.article_collections(archive, ids[0]) == []


def test_rename_requeues_members_and_delete_keeps_articles(archive: Archive) -> None:
    ids = add_articles(archive, 2)
    coll = colls.create_collection(archive, "Case A")
    colls.add_articles(archive, coll.id, ids)
    before = len(queued(archive))
    renamed = colls.rename_collection(archive, "Case A", "Case Z")
    assert renamed.name == "Case Z"
    assert len(queued(archive)) == before + 2
    colls.delete_collection(archive, "Case Z")
    assert colls.list_collections(archive) == []
    with archive.session() as session:
        assert len(list(session.exec(select(Article)))) == 2
        actions = [e.action for e in session.exec(select(AuditEvent))]
        assert actions == [
            "collection.create",
            "collection.add",
            "collection.update",
            "collection.delete",
        ]
        assert audit.verify(session).ok


def test_unknown_collection_or_article(archive: Archive) -> None:
    with pytest.raises(NotFound):
        colls.get_collection(archive, "nothing")
    colls.create_collection(archive, "Case A")
    with pytest.raises(NotFound, match="No article"):
        colls.add_articles(archive, "Case A", ["0" * 32])
