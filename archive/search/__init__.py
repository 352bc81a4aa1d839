"""Full-text search over an archive (DESIGN "Search"; issue 3).

The engine (Whoosh) stays behind this package so that it can be swapped.
"""

from archive.search.index import SearchIndex
from archive.search.query import QueryError
from archive.search.results import CheckReport, Hit, SearchResults

__all__ = ["CheckReport", "Hit", "QueryError", "SearchIndex", "SearchResults"]
