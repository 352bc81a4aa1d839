"""What is flagged sensitive among a few articles, and the marker the command line shows.

An article or a passage (an annotation) may be flagged sensitive with a reason
(`archive.review` writes the flag). The window blurs them until revealed; the
command line prints them with a marker before the text, "[sensitive: reason]",
and `--json` says `"sensitive": true, "sensitive_reason": ...`. Plain SQL on a
DB-API connection (`Archive.read_connection` or an `archive.reader.Reader`'s), so
`sesame search` and `show` read it without the ORM; light at import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

# Article ids a statement (SQLite allows 32,766 variables; a page of hits is 20).
CHUNK = 500


class Passage(NamedTuple):
    """A passage flagged sensitive: its annotation, span in the article text, reason."""

    annotation_id: str
    start: int
    end: int
    reason: str


class Sensitivity(NamedTuple):
    """What of one article is flagged: the article itself (with its reason), its passages."""

    article: bool
    reason: str
    passages: list[Passage]

    def within(self, start: int, end: int) -> list[Passage]:
        """The flagged passages that overlap the span start..end of the text."""
        return [p for p in self.passages if p.start < end and start < p.end]


def read_sensitive(conn: Any, article_ids: Sequence[str]) -> dict[str, Sensitivity]:
    """For each of `article_ids` holding anything flagged sensitive, what is (articles
    with nothing flagged are left out). Two small queries a chunk of ids."""
    ids = list(dict.fromkeys(article_ids))
    whole: dict[str, str] = {}
    passages: dict[str, list[Passage]] = {}
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first : first + CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT id, sensitive_reason FROM article WHERE sensitive AND id IN ({marks})",
            chunk,
        ).fetchall()
        whole.update((aid, reason or "") for aid, reason in rows)
        rows = conn.execute(
            'SELECT article_id, id, start, "end", sensitive_reason FROM annotation '
            f"WHERE sensitive AND article_id IN ({marks}) ORDER BY article_id, start, id",
            chunk,
        ).fetchall()
        for aid, ann_id, start, end, reason in rows:
            passages.setdefault(aid, []).append(Passage(ann_id, start, end, reason or ""))
    return {
        aid: Sensitivity(aid in whole, whole.get(aid, ""), passages.get(aid, []))
        for aid in ids
        if aid in whole or aid in passages
    }


def reasons(article: Sensitivity | None, passages: Iterable[Passage] = ()) -> tuple[bool, str]:
    """Whether anything shown is sensitive, and why: the article's reason if it is
    flagged, else its shown passages' reasons (distinct, in order, joined by "; ")."""
    if article is not None and article.article:
        return True, article.reason
    shown = list(passages)
    return bool(shown), "; ".join(dict.fromkeys(p.reason for p in shown if p.reason))


def marker(reason: str) -> str:
    """The text output's marker: "[sensitive: graphic]", or "[sensitive]" with no reason."""
    return f"[sensitive: {reason}]" if reason else "[sensitive]"
