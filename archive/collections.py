"""Collections: the cases or investigations that group articles.

Every change is audited and queues the affected articles for re-indexing
(the search index has a collection field), in the same transaction.
Collections are named by id or by name wherever an `ident` is taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from archive import audit
from archive.errors import InvalidInput, NotFound
from archive.identity import ensure_user
from archive.models import Article, ArticleCollection, Collection
from archive.store import Archive, mark_for_index

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
    """The collection with this id or name (exact, then ignoring case), or None."""
    coll = session.get(Collection, ident)
    if coll is not None:
        return coll
    coll = session.exec(select(Collection).where(Collection.name == ident)).first()
    if coll is not None:
        return coll
    matches = list(
        session.exec(select(Collection).where(func.lower(Collection.name) == ident.lower()))
    )
    return matches[0] if len(matches) == 1 else None


def _require(session: Session, ident: str) -> Collection:
    coll = find_collection(session, ident)
    if coll is None:
        raise NotFound(f"No collection named {ident!r}. `sesame collections` lists them.")
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


_audit = audit.Auditor("collection")


def _new(session: Session, name: str, description: str, user_id: str | None) -> Collection:
    """Create (and audit) a collection whose name was checked."""
    coll = Collection(name=name, description=description)
    session.add(coll)
    session.flush()
    _audit(session, user_id, "create", coll.id, after=_fields(coll))
    return coll


def ensure_collection(session: Session, name: str, user_id: str | None) -> Collection:
    """The collection called `name`, created (and audited) if there is none."""
    name = _clean_name(name)
    coll = find_collection(session, name)
    if coll is not None:
        return coll
    return _new(session, name, "", user_id)


def add_in_session(
    session: Session, collection_id: str, article_ids: Iterable[str], user_id: str | None
) -> list[str]:
    """Add articles to a collection in the caller's transaction; the ids newly added."""
    wanted = list(dict.fromkeys(article_ids))
    if not wanted:
        return []
    present = set(
        session.exec(
            select(ArticleCollection.article_id).where(
                ArticleCollection.collection_id == collection_id,
                col(ArticleCollection.article_id).in_(wanted),
            )
        )
    )
    added = [aid for aid in wanted if aid not in present]
    for article_id in added:
        session.add(ArticleCollection(article_id=article_id, collection_id=collection_id))
        mark_for_index(session, article_id)
    if added:
        _audit(session, user_id, "add", collection_id, after={"article_ids": added})
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


def create_collection(archive: Archive, name: str, description: str = "") -> CollectionInfo:
    """A new, empty collection; InvalidInput if the name is empty or taken."""
    name = _clean_name(name)
    with archive.transaction() as session:
        _check_free(session, name)
        coll = _new(session, name, description.strip(), ensure_user(session).id)
        return _info(session, coll)


def update_collection(
    archive: Archive, ident: str, *, name: str | None = None, description: str | None = None
) -> CollectionInfo:
    """Rename a collection and/or change its description."""
    with archive.transaction() as session:
        coll = _require(session, ident)
        before = _fields(coll)
        renamed = False
        if name is not None:
            name = _clean_name(name)
            if name != coll.name:
                _check_free(session, name, own_id=coll.id)
                coll.name = name
                renamed = True
        if description is not None:
            coll.description = description.strip()
        after = _fields(coll)
        if after == before:
            return _info(session, coll)
        session.add(coll)
        if renamed:
            for article_id in _member_ids(session, coll.id):
                mark_for_index(session, article_id)
        _audit(session, ensure_user(session).id, "update", coll.id, before=before, after=after)
        return _info(session, coll)


def rename_collection(archive: Archive, ident: str, new_name: str) -> CollectionInfo:
    """Give a collection a new name (unique, ignoring case)."""
    return update_collection(archive, ident, name=new_name)


def _member_ids(session: Session, collection_id: str) -> list[str]:
    return list(
        session.exec(
            select(ArticleCollection.article_id).where(
                ArticleCollection.collection_id == collection_id
            )
        )
    )


def delete_collection(archive: Archive, ident: str) -> None:
    """Delete a collection; its articles stay in the archive."""
    with archive.transaction() as session:
        coll = _require(session, ident)
        members = _member_ids(session, coll.id)
        session.exec(
            delete(ArticleCollection).where(col(ArticleCollection.collection_id) == coll.id)
        )  # type: ignore[call-overload]
        for article_id in members:
            mark_for_index(session, article_id)
        before = _fields(coll) | {"article_ids": members}
        _audit(session, ensure_user(session).id, "delete", coll.id, before=before)
        session.delete(coll)


def add_articles(archive: Archive, ident: str, article_ids: Iterable[str]) -> int:
    """Put articles in a collection; returns how many were not in it already."""
    ids = list(article_ids)
    with archive.transaction() as session:
        coll = _require(session, ident)
        _require_articles(session, ids)
        return len(add_in_session(session, coll.id, ids, ensure_user(session).id))


def remove_articles(archive: Archive, ident: str, article_ids: Iterable[str]) -> int:
    """Take articles out of a collection (they stay in the archive); how many were in it."""
    ids = list(dict.fromkeys(article_ids))
    with archive.transaction() as session:
        coll = _require(session, ident)
        present = [aid for aid in _member_ids(session, coll.id) if aid in set(ids)]
        if not present:
            return 0
        session.exec(
            delete(ArticleCollection).where(  # type: ignore[call-overload]
                col(ArticleCollection.collection_id) == coll.id,
                col(ArticleCollection.article_id).in_(present),
            )
        )
        for article_id in present:
            mark_for_index(session, article_id)
        _audit(session, ensure_user(session).id, "remove", coll.id, before={"article_ids": present})
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
