"""The library's thin bridge to `archive.collections` (ids in, ids out)."""

from __future__ import annotations

from collections.abc import Sequence

from archive import collections as coll
from archive.store import Archive


def collection_names(archive: Archive) -> list[tuple[str, str]]:
    """(id, name) of every collection, in the archive's order."""
    return [(c.id, c.name) for c in coll.list_collections(archive)]


def create(archive: Archive, name: str) -> str:
    """Create a collection; returns its id."""
    return coll.create_collection(archive, name).id


def add(archive: Archive, collection_id: str, article_ids: Sequence[str]) -> int:
    return coll.add_articles(archive, collection_id, list(article_ids))


def remove(archive: Archive, collection_id: str, article_ids: Sequence[str]) -> int:
    return coll.remove_articles(archive, collection_id, list(article_ids))


def delete(archive: Archive, collection_id: str) -> None:
    coll.delete_collection(archive, collection_id)
