"""Full-text search over an archive (DESIGN "Search"; issue 3).

The engine (Whoosh) stays behind this package so that it can be swapped.
Its names are imported when first used: a module of the package (the index
marker, the schema version) can be read without loading the whole engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archive.search import lean_imports

# Before any Whoosh module loads: three of its imports a search never uses are deferred
# (urllib.request, asyncio, the English word tables: ~20 % of a cold search's imports).
lean_imports.install()

if TYPE_CHECKING:
    from archive.search.index import SearchIndex
    from archive.search.query import QueryError
    from archive.search.results import CheckReport, Hit, SearchResults

__all__ = ["CheckReport", "Hit", "QueryError", "SearchIndex", "SearchResults"]

_WHERE = {
    "SearchIndex": "archive.search.index",
    "QueryError": "archive.search.query",
    "CheckReport": "archive.search.results",
    "Hit": "archive.search.results",
    "SearchResults": "archive.search.results",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'archive.search' has no attribute {name!r}")
