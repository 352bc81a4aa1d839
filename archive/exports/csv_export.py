"""CSV export: one row per annotation, figure claim or entity, safe to open in a spreadsheet.

UTF-8, optionally with a byte-order mark (some spreadsheets read UTF-8
only with one), RFC 4180 quoting and line ends. A text cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
that a spreadsheet shows it as text instead of running it as a formula
(OWASP "CSV injection"); numbers written by Sesame are left as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive.errors import InvalidInput
from archive.exports.files import atomic_file, output_path
from archive.exports.selection import Chosen, Selection, choose, iso_time, rows
from archive.figures import claim_text, format_value
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn

KINDS = ("annotations", "figures", "entities")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ANNOTATION_COLUMNS = (
    "annotation_id", "article_id", "article_title", "source", "published", "url", "type",
    "entity_id", "entity", "start", "end", "quote", "prefix", "suffix", "note", "value",
    "qualifier", "counted", "as_of", "created_by", "created_at", "modified_at", "origin",
    "orphaned", "article_retracted", "low", "high", "verification", "verification_note",
    "sensitive",
)  # fmt: skip
FIGURE_COLUMNS = (
    "annotation_id", "entity_id", "entity", "claim", "value", "qualifier", "counted", "as_of",
    "source", "published", "article_id", "article_title", "quote", "orphaned",
    "article_retracted", "low", "high", "verification", "verification_note",
)  # fmt: skip
ENTITY_COLUMNS = (
    "entity_id", "type", "name", "aliases", "description", "date_start", "date_end", "place",
    "mentions", "articles",
)  # fmt: skip
COLUMNS = {"annotations": ANNOTATION_COLUMNS, "figures": FIGURE_COLUMNS, "entities": ENTITY_COLUMNS}


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet will not run as a formula: `'` before a risky first character."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> str | int:
    """A value as a CSV cell: numbers as numbers, booleans as true/false, text neutralised."""
    if type(value) is str:  # most cells: checked first
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return format_value(value).replace(",", "")
    return neutralise(str(value))


def _annotation_rows(chosen: Chosen, progress: Any, cancel: Any) -> Iterator[list[Any]]:
    for art, anns in chosen.articles(progress, cancel, text=False):
        for r in anns:
            yield [
                r["id"], art["id"], art["title"], art["source"], art["published"], art["url"],
                r["type_key"], r["entity_id"], chosen.entity_name(r["entity_id"]), r["start"],
                r["end"], r["quote"], r["prefix"], r["suffix"], r["note"], r["value"],
                r["qualifier"], r["counted"], r["as_of"],
                chosen.authors.get(r["created_by"] or "", ""), iso_time(r["created_at"]),
                iso_time(r["updated_at"]), r["origin"], bool(r["orphaned"]),
                art.get("retracted_at") is not None, r["low"], r["high"], r["verification"],
                r["verification_note"], bool(r["sensitive"]),
            ]  # fmt: skip


def _figure_rows(chosen: Chosen, progress: Any, cancel: Any) -> Iterator[list[Any]]:
    for art, anns in chosen.articles(progress, cancel, text=False):
        for r in anns:
            if r["type_key"] != "figure":
                continue
            yield [
                r["id"], r["entity_id"], chosen.entity_name(r["entity_id"]),
                claim_text(r["value"], r["qualifier"], chosen.plain(r["counted"]) or None),
                r["value"], r["qualifier"], chosen.plain(r["counted"]), r["as_of"],
                art["source"], art["published"], art["id"], art["title"], r["quote"],
                bool(r["orphaned"]), art.get("retracted_at") is not None, r["low"], r["high"],
                r["verification"], r["verification_note"],
            ]  # fmt: skip


def _entity_rows(chosen: Chosen, progress: Any, cancel: Any) -> Iterator[list[Any]]:
    import json

    mentions: dict[str, int] = {}
    articles: dict[str, set[str]] = {}
    for art, anns in chosen.articles(progress, cancel, text=False):
        for r in anns:
            if r["entity_id"]:
                mentions[r["entity_id"]] = mentions.get(r["entity_id"], 0) + 1
                articles.setdefault(r["entity_id"], set()).add(art["id"])
    with chosen.archive.engine.connect() as conn:
        entities = rows(
            conn, "SELECT * FROM entity WHERE merged_into IS NULL ORDER BY type_key, name"
        )
    pseud = chosen.pseud
    for e in entities:
        if not chosen.selection.whole_archive and e["id"] not in mentions:
            continue
        aliases = json.loads(e["aliases"]) if isinstance(e["aliases"], str) else e["aliases"]
        protected = pseud is not None and pseud.pseudonym_of(e["name"]) is not None
        yield [
            e["id"], e["type_key"], chosen.entity_name(e["id"]),
            "" if protected else "; ".join(chosen.plain(a) for a in aliases),
            "" if protected else chosen.plain(e["description"]), e["date_start"], e["date_end"],
            chosen.plain(e["place"]), mentions.get(e["id"], 0), len(articles.get(e["id"], ())),
        ]  # fmt: skip


ROWS = {"annotations": _annotation_rows, "figures": _figure_rows, "entities": _entity_rows}


def export_csv(
    archive: Archive,
    out: str | Path,
    selection: Selection | None = None,
    *,
    kind: str = "annotations",
    bom: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Write one CSV of `kind` (annotations, figures or entities) for the selection; the counts."""
    if kind not in KINDS:
        raise InvalidInput(f"CSV of what? One of: {', '.join(KINDS)} (not {kind!r}).")
    selection = selection or Selection()
    path = output_path(out, f"{kind}.csv")
    chosen = choose(archive, selection)
    n = 0
    with (
        atomic_file(path) as tmp,
        open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh,
    ):
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS[kind])
        for row in ROWS[kind](chosen, progress, cancel):
            writer.writerow([_cell(v) for v in row])
            n += 1
    return {
        "path": str(path), "format": "csv", "kind": kind, "articles": len(chosen.ids), "rows": n
    }  # fmt: skip
