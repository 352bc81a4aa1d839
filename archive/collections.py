"""Collections: the cases or investigations that group articles.

Every write is a core change (`archive.changes`): audited, undoable, and the
articles it touches are queued for re-indexing (the search index has a
collection field).
Collections are named by id or by name wherever an `ident` is taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from archive.changes import Change, changing
from archive.errors import InvalidInput, NotFound
from archive.lookup import collection_id, find_collection_id, session_connection
from archive.models import Article, ArticleCollection, Collection
from archive.store import Archive

NAME_MAX = 200


@dataclass(frozen=True)
class CollectionInfo:
    """A collection and how many articles it holds."""

    id: str
    name: str
    description: str
    article_count: int
    created_at: datetime


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("A collection needs a name.")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"A collection name can have at most {NAME_MAX} characters.")
    return name


def _count(session: Session, collection_id: str) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(ArticleCollection)
            .where(ArticleCollection.collection_id == collection_id)
        ).one()
    )


def _info(session: Session, coll: Collection) -> CollectionInfo:
    return CollectionInfo(
        coll.id, coll.name, coll.description, _count(session, coll.id), coll.created_at
    )


def find_collection(session: Session, ident: str) -> Collection | None:
    """The collection with this id or name (exact, then ignoring case), or None: the rule
    of `archive.lookup.find_collection_id`."""
    found = find_collection_id(session_connection(session), ident)
    return None if found is None else session.get(Collection, found)


def _require(session: Session, ident: str) -> Collection:
    coll = session.get(Collection, collection_id(session_connection(session), ident))
    assert coll is not None  # the lookup found it in this transaction
    return coll


def _check_free(session: Session, name: str, own_id: str | None = None) -> None:
    clash = session.exec(
        select(Collection).where(func.lower(Collection.name) == name.lower())
    ).first()
    if clash is not None and clash.id != own_id:
        raise InvalidInput(f"There is already a collection named {clash.name!r}.")


def _fields(coll: Collection) -> dict[str, Any]:
    """What the audit log keeps of a collection."""
    return {"name": coll.name, "description": coll.description}


def _new(ch: Change, name: str, description: str) -> Collection:
    """Create (and audit) a collection whose name was checked."""
    coll = Collection(name=name, description=description)
    ch.session.add(coll)
    ch.session.flush()
    ch.audit("collection", "create", coll.id, after=_fields(coll))
    return coll


def ensure_collection(target: Archive | Change, name: str) -> str:
    """The id of the collection called `name`, created (and audited) if there is none."""
    name = _clean_name(name)
    with changing(target, f"New collection {name}") as ch:
        coll = find_collection(ch.session, name)
        return coll.id if coll is not None else _new(ch, name, "").id


def _add(ch: Change, collection_id: str, article_ids: Iterable[str]) -> list[str]:
    """Add articles to a collection; the ids newly added."""
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return []
    present = set(
        ch.session.exec(
            select(ArticleCollection.article_id).where(
                ArticleCollection.collection_id == collection_id,
                col(ArticleCollection.article_id).in_(wanted),
            )
        )
    )
    added = [aid for aid in wanted if aid not in present]
    for article_id in added:
        ch.session.add(ArticleCollection(article_id=article_id, collection_id=collection_id))
    if added:
        ch.audit("collection", "add", collection_id, after={"article_ids": added})
    return added


# -- functions over an open archive (each one transaction) -------------------------------


def list_collections(archive: Archive) -> list[CollectionInfo]:
    """Every collection, by name, with its article count."""
    with archive.session() as session:
        counts = dict(
            session.exec(
                select(ArticleCollection.collection_id, func.count()).group_by(
                    col(ArticleCollection.collection_id)
                )
            ).all()
        )
        rows = session.exec(select(Collection).order_by(func.lower(Collection.name)))
        return [
            CollectionInfo(c.id, c.name, c.description, int(counts.get(c.id, 0)), c.created_at)
            for c in rows
        ]


def get_collection(archive: Archive, ident: str) -> CollectionInfo:
    """One collection by id or name; NotFound if there is none."""
    with archive.session() as session:
        return _info(session, _require(session, ident))


def create_collection(target: Archive | Change, name: str, description: str = "") -> CollectionInfo:
    """A new, empty collection; InvalidInput if the name is empty or taken."""
    name = _clean_name(name)
    with changing(target, f"New collection {name}") as ch:
        _check_free(ch.session, name)
        coll = _new(ch, name, description.strip())
        return _info(ch.session, coll)


def update_collection(
    target: Archive | Change, ident: str, *, name: str | None = None, description: str | None = None
) -> CollectionInfo:
    """Rename a collection and/or change its description."""
    with changing(target, "Edit collection") as ch:
        session = ch.session
        coll = _require(session, ident)
        ch.describe(f"Edit collection {coll.name}")
        before = _fields(coll)
        if name is not None:
            name = _clean_name(name)
            if name != coll.name:
                _check_free(session, name, own_id=coll.id)
                coll.name = name
        if description is not None:
            coll.description = description.strip()
        after = _fields(coll)
        if after == before:
            return _info(session, coll)
        session.add(coll)
        ch.audit("collection", "update", coll.id, before=before, after=after)
        return _info(session, coll)


def rename_collection(target: Archive | Change, ident: str, new_name: str) -> CollectionInfo:
    """Give a collection a new name (unique, ignoring case)."""
    return update_collection(target, ident, name=new_name)


def _member_ids(session: Session, collection_id: str) -> list[str]:
    return list(
        session.exec(
            select(ArticleCollection.article_id).where(
                ArticleCollection.collection_id == collection_id
            )
        )
    )


def delete_collection(target: Archive | Change, ident: str) -> None:
    """Delete a collection; its articles stay in the archive."""
    with changing(target, "Delete collection") as ch:
        session = ch.session
        coll = _require(session, ident)
        ch.describe(f"Delete collection {coll.name}")
        members = _member_ids(session, coll.id)
        ch.track("articlecollection", [(aid, coll.id) for aid in members])
        session.exec(
            delete(ArticleCollection).where(col(ArticleCollection.collection_id) == coll.id)
        )
        before = _fields(coll) | {"article_ids": members}
        ch.audit("collection", "delete", coll.id, before=before)
        session.delete(coll)


def add_articles(target: Archive | Change, ident: str, article_ids: Iterable[str]) -> int:
    """Put articles in a collection; returns how many were not in it already."""
    ids = list(article_ids)
    with changing(target, "Add to collection") as ch:
        coll = _require(ch.session, ident)
        ch.describe(f"Add {len(ids)} article(s) to {coll.name}")
        _require_articles(ch.session, ids)
        return len(_add(ch, coll.id, ids))


def remove_articles(target: Archive | Change, ident: str, article_ids: Iterable[str]) -> int:
    """Take articles out of a collection (they stay in the archive); how many were in it."""
    ids = list(dict.fromkeys(article_ids))
    with changing(target, "Remove from collection") as ch:
        session = ch.session
        coll = _require(session, ident)
        ch.describe(f"Remove {len(ids)} article(s) from {coll.name}")
        present = [aid for aid in _member_ids(session, coll.id) if aid in set(ids)]
        if not present:
            return 0
        ch.track("articlecollection", [(aid, coll.id) for aid in present])
        session.exec(
            delete(ArticleCollection).where(
                col(ArticleCollection.collection_id) == coll.id,
                col(ArticleCollection.article_id).in_(present),
            )
        )
        ch.audit("collection", "remove", coll.id, before={"article_ids": present})
        return len(present)


def article_collections(archive: Archive, article_id: str) -> list[CollectionInfo]:
    """The collections an article belongs to, by name."""
    with archive.session() as session:
        rows = session.exec(
            select(Collection)
            .join(ArticleCollection)
            .where(ArticleCollection.article_id == article_id)
            .order_by(func.lower(Collection.name))
        )
        return [_info(session, c) for c in rows]


def _require_articles(session: Session, ids: list[str]) -> None:
    if not ids:
        return
    found = set(session.exec(select(Article.id).where(col(Article.id).in_(ids))))
    missing = [aid for aid in ids if aid not in found]
    if missing:
        raise NotFound(f"No article with id {missing[0]}. `sesame list` shows the ids.")
