"""CSV export: one row per annotation, figure claim or entity, safe to open in a spreadsheet.

UTF-8, optionally with a byte-order mark (some spreadsheets read UTF-8
only with one), RFC 4180 quoting and line ends. A text cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
that a spreadsheet shows it as text instead of running it as a formula
(OWASP "CSV injection"); numbers written by Sesame are left as they are.

The evidence model travels in its columns: each annotation's low / high,
verification (and note) and sensitive flag (and reason), its article's review
status, assignee, verification and sensitive flag; each figure claim's range and
its figure's comparison (the range across sources, whether they conflict, how many
independent sources); each event's date and place precision; and two kinds of
their own, `roles` and `relations`, one row per claim with its passage (a claim
whose passage is left out, `--without-sensitive`, is left out with it).
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

KINDS = ("annotations", "figures", "entities", "roles", "relations")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ANNOTATION_COLUMNS = (
    "annotation_id", "article_id", "article_title", "source", "published", "url", "type",
    "entity_id", "entity", "start", "end", "quote", "prefix", "suffix", "note", "value",
    "qualifier", "counted", "as_of", "created_by", "created_at", "modified_at", "origin",
    "orphaned", "article_retracted", "low", "high", "verification", "verification_note",
    "sensitive", "sensitive_reason", "article_review_status", "article_assignee",
    "article_verification", "article_verification_note", "article_sensitive",
)  # fmt: skip
FIGURE_COLUMNS = (
    "annotation_id", "entity_id", "entity", "claim", "value", "qualifier", "counted", "as_of",
    "source", "published", "article_id", "article_title", "quote", "orphaned",
    "article_retracted", "low", "high", "verification", "verification_note", "sensitive",
    "figure_low", "figure_high", "figure_conflict", "figure_independent_sources",
)  # fmt: skip
ENTITY_COLUMNS = (
    "entity_id", "type", "name", "aliases", "description", "date_start", "date_end", "place",
    "mentions", "articles", "date_precision", "place_precision",
)  # fmt: skip
CLAIM_COLUMNS = (
    "id", "kind", "type", "type_label", "from_id", "from", "to_id", "to", "annotation_id",
    "quote", "article_id", "article_title", "source", "published", "date_start", "date_end",
    "note", "verification", "verification_note", "created_by", "created_at", "sensitive",
)  # fmt: skip
COLUMNS = {
    "annotations": ANNOTATION_COLUMNS, "figures": FIGURE_COLUMNS, "entities": ENTITY_COLUMNS,
    "roles": CLAIM_COLUMNS, "relations": CLAIM_COLUMNS,
}  # fmt: skip


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
                chosen.plain(r["verification_note"]), bool(r["sensitive"]), r["sensitive_reason"],
                art["review_status"], chosen.plain(art["assignee"]), art["verification"],
                chosen.plain(art["verification_note"]), bool(art["sensitive"]),
            ]  # fmt: skip


def _figure_rows(chosen: Chosen, progress: Any, cancel: Any) -> Iterator[list[Any]]:
    from archive.exports.report_evidence import figure_claim
    from archive.figures import FigureGroup

    # Each figure's comparison needs all its claims first: the rows are made, then given
    # their figure's columns (a figure table is claims, not article text: it fits).
    made: list[tuple[str | None, list[Any]]] = []
    groups: dict[str | None, FigureGroup] = {}
    for art, anns in chosen.articles(progress, cancel, text=False):
        for r in anns:
            if r["type_key"] != "figure":
                continue
            key = r["entity_id"] or f"\0{r['id']}"  # a claim of no figure stands alone
            groups.setdefault(key, FigureGroup(r["entity_id"], "")).claims.append(
                figure_claim(r, art)
            )
            made.append((key, [
                r["id"], r["entity_id"], chosen.entity_name(r["entity_id"]),
                claim_text(r["value"], r["qualifier"], chosen.plain(r["counted"]) or None),
                r["value"], r["qualifier"], chosen.plain(r["counted"]), r["as_of"],
                art["source"], art["published"], art["id"], art["title"], r["quote"],
                bool(r["orphaned"]), art.get("retracted_at") is not None, r["low"], r["high"],
                r["verification"], chosen.plain(r["verification_note"]), bool(r["sensitive"]),
            ]))  # fmt: skip
    for group in groups.values():
        group.compare()
    for key, row in made:
        g = groups[key]
        yield [*row, g.low, g.high, g.conflict, g.independent]


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
            e["date_precision"], e["place_precision"],
        ]  # fmt: skip


def _verification(claim: dict[str, Any], passage: dict[str, Any], chosen: Chosen) -> list[str]:
    """A claim's verification and note: a role's own once set, else its passage's."""
    own = claim.get("verification") or "unverified"
    if own != "unverified":
        return [own, ""]
    return [passage["verification"], chosen.plain(passage["verification_note"])]


def _claim_rows(kind: str) -> Any:
    """The rows of roles or relations resting on a passage the selection holds."""

    def claim_rows(chosen: Chosen, progress: Any, cancel: Any) -> Iterator[list[Any]]:
        from archive.exports.report_evidence import read_evidence

        written: dict[str, dict[str, Any]] = {}
        arts: dict[str, dict[str, Any]] = {}
        for art, anns in chosen.articles(progress, cancel, text=False):
            arts[art["id"]] = art
            written.update((r["id"], r) for r in anns)
        evidence = read_evidence(chosen.archive, written)
        claims = evidence.roles if kind == "roles" else evidence.relations
        ends = ("actor_id", "event_id", "role") if kind == "roles" else (
            "subject_id", "object_id", "type")  # fmt: skip
        for c in claims:
            passage = written[c["annotation_id"]]
            art = arts[passage["article_id"]]
            yield [
                c["id"], kind[:-1], c[ends[2]], c["label"] or c[ends[2]], c[ends[0]],
                chosen.entity_name(c[ends[0]]), c[ends[1]], chosen.entity_name(c[ends[1]]),
                c["annotation_id"], passage["quote"], art["id"], art["title"], art["source"],
                art["published"], c.get("date_start"), c.get("date_end"), chosen.plain(c["note"]),
                *_verification(c, passage, chosen),
                chosen.authors.get(c["created_by"] or "", ""), iso_time(c["created_at"]),
                bool(passage["sensitive"]) or bool(art.get("sensitive")),
            ]  # fmt: skip

    return claim_rows


ROWS = {
    "annotations": _annotation_rows, "figures": _figure_rows, "entities": _entity_rows,
    "roles": _claim_rows("roles"), "relations": _claim_rows("relations"),
}  # fmt: skip


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
    """Write one CSV of `kind` (annotations, figures, entities, roles or relations) for the
    selection; the counts."""
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
