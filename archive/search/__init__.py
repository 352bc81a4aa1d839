"""Full-text search over an archive (DESIGN "Search"; issue 3).

The engine (Whoosh) stays behind this package so that it can be swapped.
"""

from archive.search.index import CheckReport, Hit, SearchIndex, SearchResults
from archive.search.query import QueryError

__all__ = ["CheckReport", "Hit", "QueryError", "SearchIndex", "SearchResults"]
