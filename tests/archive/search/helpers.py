"""Helpers for search tests: add articles the way importers do (row + queue entry)."""

from __future__ import annotations

from typing import Any

from archive import models
from archive.store import Archive, mark_for_index


def add_articles(archive: Archive, *articles: dict[str, Any]) -> list[str]:
    """Insert articles with their index-queue rows in one transaction; returns ids."""
    ids = []
    with archive.transaction() as session:
        for fields in articles:
            article = models.Article(**fields)
            session.add(article)
            session.flush()
            mark_for_index(session, article.id)
            ids.append(article.id)
    return ids


def found(archive: Archive, query: str, **kw: Any) -> list[str]:
    """Titles of the hits of `query`."""
    return [hit.title for hit in archive.index.search(query, **kw).hits]
