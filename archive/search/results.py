"""What a search returns: hits, totals and notes, and the index check's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hit:
    """One search result. `matches` are code-point spans in the article text."""

    id: str
    title: str
    published: str | None
    source: str | None
    score: float
    snippet: str  # the passage with matches marked [[like this]]
    matches: list[tuple[int, int]] = field(default_factory=list)
    snippet_text: str = ""  # the same passage without marks
    snippet_start: int = 0  # where the passage starts in the article text
    snippet_matches: list[tuple[int, int]] = field(default_factory=list)  # within snippet_text

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published,
            "source": self.source,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "matches": [list(m) for m in self.matches],
        }


@dataclass
class SearchResults:
    """What `SearchIndex.search` found."""

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    pending: int = 0  # articles changed but not yet in the index (a rebuild, another process)
    # Why `total` is only a lower bound ("at least N"), one sentence per reason;
    # empty when the total is exact. Every hit shown is a true match either way.
    notes: list[str] = field(default_factory=list)

    @property
    def total_exact(self) -> bool:
        """Whether `total` is every matching article (else it is "at least")."""
        return not self.notes

    def total_text(self) -> str:
        """ "12 articles" or "at least 12 articles" (English; the CLI's wording)."""
        count = f"{self.total:,} article{'s' if self.total != 1 else ''}"
        return count if self.total_exact else f"at least {count}"

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "total_exact": self.total_exact,
            "notes": list(self.notes),
            "hits": [h.to_json() for h in self.hits],
            "facets": self.facets,
        }


@dataclass
class CheckReport:
    """How the index compares with the database."""

    articles: int
    indexed: int
    generation: int
    index_generation: int
    missing: list[str] = field(default_factory=list)  # in the DB, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not in the DB
    stale: list[str] = field(default_factory=list)  # indexed content differs from the DB

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "articles": self.articles,
            "indexed": self.indexed,
            "generation": self.generation,
            "index_generation": self.index_generation,
            "missing": self.missing,
            "extra": self.extra,
            "stale": self.stale,
        }
