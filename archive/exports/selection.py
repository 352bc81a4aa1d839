"""What an export takes: the chosen articles and, for each, its annotations, names protected.

Every export (bundles, W3C Web Annotation, CSV, the report) takes the same
selection: the whole archive, a collection, the hits of a search, or
chosen articles; and may replace protected names by pseudonyms
(`archive.bundles.pseudonyms`). This module chooses the articles, reads
them with their annotations in chunks, and applies the pseudonyms with
the offsets moved, so that no export does either twice.

Leaving out what is flagged sensitive (`without_sensitive`, the
`--without-sensitive` option): an article flagged sensitive is left out
whole, with its annotations; an annotation flagged sensitive is left out,
and its passage is masked in the article's text — every character but
spaces and line ends becomes `█` (U+2588), one code point for one, so
every other offset stays valid. The quotes and context of the annotations
kept are read again from the masked text. A masked article travels without
its original file (which holds the passage), like a pseudonymised one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from archive.bundles.pseudonyms import Passage, Pseudonyms, Rewritten
from archive.errors import InvalidInput
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn, report

CHUNK = 500  # articles read per query (SQLite allows 32,766 parameters)
# What an export that shows no article text reads of each article (the text is
# most of an archive's bytes; pseudonyms need it, to move offsets).
LIGHT_COLUMNS = (
    "id, title, source, url, byline, published, language, imported_from, original_sha256, "
    "retracted_at, retracted_reason, review_status, assignee, verification, verification_note, "
    "sensitive, sensitive_reason, copy_group"
)
MASK = "\u2588"  # what a sensitive passage's characters become (spaces and line ends stay)


@dataclass(frozen=True)
class Selection:
    """Which articles an export takes, and whose names it replaces."""

    collection: str | None = None
    query: str | None = None
    article_ids: tuple[str, ...] = ()
    pseudonymise: tuple[str, ...] = ()
    without_sensitive: bool = False

    def __post_init__(self) -> None:
        given = sum(bool(x) for x in (self.collection, self.query, self.article_ids))
        if given > 1:
            raise InvalidInput("Choose a collection, a search or articles: one of them.")

    @property
    def whole_archive(self) -> bool:
        return not (self.collection or self.query or self.article_ids)

    def scope(self) -> dict[str, Any]:
        """What was chosen, as the exports record it."""
        if self.collection:
            return {"kind": "collection", "value": self.collection}
        if self.article_ids:
            return {"kind": "articles", "value": list(self.article_ids)}
        if self.query:
            return {"kind": "query", "value": self.query}
        return {"kind": "archive", "value": None}

    def describe(self) -> str:
        """The selection in words ("collection Strike", "the whole archive")."""
        if self.collection:
            return f"collection {self.collection}"
        if self.article_ids:
            return f"{len(self.article_ids)} chosen article(s)"
        if self.query:
            return f"search {self.query!r}"
        return "the whole archive"


def rows(conn: Any, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of a raw SQL query as dicts."""
    result = conn.execute(text(sql), params or {})
    names = list(result.keys())
    return [dict(zip(names, row, strict=True)) for row in result]


def iso_time(value: Any) -> str:
    """A stored time as ISO 8601 text (SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff")."""
    return str(value).replace(" ", "T") if value is not None else ""


def in_list(ids: Iterable[str]) -> tuple[str, dict[str, Any]]:
    """An `IN (...)` list with named parameters."""
    params = {f"p{i}": v for i, v in enumerate(ids)}
    return "(" + (", ".join(f":{k}" for k in params) or "NULL") + ")", params


def chosen_articles(
    archive: Archive, collection: str | None, article_ids: Sequence[str] | None, query: str | None
) -> list[str]:
    """The ids of the articles of a collection, the given ids, a query's hits, or all."""
    from archive.collections import get_collection

    with archive.engine.connect() as conn:
        if collection:
            coll = get_collection(archive, collection)
            ids = [
                r["article_id"]
                for r in rows(
                    conn,
                    "SELECT article_id FROM articlecollection WHERE collection_id = :c",
                    {"c": coll.id},
                )
            ]
        elif article_ids:
            from archive.lookup import article_id

            # An id or a unique id prefix, as `sesame show` takes it (a prefix naming
            # none or several: a usage error, with what to type).
            raw = conn.connection.driver_connection
            ids = list(dict.fromkeys(article_id(raw, a) for a in article_ids))
        elif query:
            ids = [h.id for h in archive.index.search(query, limit=10_000_000).hits]
        else:
            ids = [r["id"] for r in rows(conn, "SELECT id FROM article ORDER BY rowid")]
    return ids


def pseudonyms_for(archive: Archive, idents: Sequence[str]) -> Pseudonyms:
    """The pseudonyms of the entities named by id (or prefix) or by name."""
    from archive.entities import find_entity, get_row
    from archive.errors import NotFound
    from archive.tagtypes import get_tag_type

    chosen: list[tuple[str, str, list[str]]] = []
    ids: list[str] = []
    with archive.session() as session:
        for ident in idents:
            try:
                row = get_row(session, ident)
            except NotFound:
                found = find_entity(session, ident)
                if found is None:
                    raise NotFound(
                        f"No entity {ident!r} to replace with a pseudonym. `sesame entities` "
                        "lists them."
                    ) from None
                row = found
            label = get_tag_type(session, row.type_key).label
            chosen.append((label, row.name, list(row.aliases)))
            ids.append(row.id)
        passages = _tagged_passages(session.connection(), ids, chosen)
    return Pseudonyms(chosen, passages)


def _tagged_passages(
    conn: Any, ids: list[str], chosen: list[tuple[str, str, list[str]]]
) -> list[list[Passage]]:
    """For each protected entity, the passages tagged as it (or as an entity merged into
    it, whose names are added to its aliases in `chosen`): their quotes are names too."""
    owner = {eid: i for i, eid in enumerate(ids)}
    merged = {
        r["id"]: (r["merged_into"], r["name"], r["aliases"])
        for r in rows(conn, "SELECT id, merged_into, name, aliases FROM entity "
                      "WHERE merged_into IS NOT NULL")
    }  # fmt: skip
    for eid in merged:
        seen, at = set(), eid
        while at in merged and at not in seen:  # a tombstone of a tombstone, ...
            seen.add(at)
            at = merged[at][0]
        if at in owner and eid not in owner:
            owner[eid] = owner[at]
            _, name, aliases = merged[eid]
            more = json.loads(aliases) if isinstance(aliases, str) else list(aliases or [])
            chosen[owner[at]][2].extend([name, *more])
    out: list[list[Passage]] = [[] for _ in ids]
    where, params = in_list(owner)
    for r in rows(
        conn,
        f'SELECT entity_id, article_id, start, "end", quote, orphaned FROM annotation '
        f"WHERE entity_id IN {where}",
        params,
    ):
        quote = r["quote"] or ""
        # An orphan's offsets do not hold its quote: only the quote is replaced.
        start, end = (0, 0) if r["orphaned"] else (r["start"], r["end"])
        out[owner[r["entity_id"]]].append(Passage(r["article_id"], start, end, quote))
    return out


# Free text of an article that may name a protected person (its byline and file name are
# replaced too, with its title and text; a change in these does not keep its original home).
_ARTICLE_NOTES = (
    "verification_note",
    "sensitive_reason",
    "collected_by",
    "collected_from",
    "assignee",
    "retracted_reason",
)
_ANNOTATION_NOTES = ("note", "verification_note", "sensitive_reason")


def protect_article(
    art: dict[str, Any], pseud: Pseudonyms
) -> tuple[dict[str, Any], Rewritten | None]:
    """The article with protected names replaced; and how its offsets moved (or None when
    its text, title, byline and file name are as they were: then its original travels)."""
    notes = {k: pseud.plain(art[k]) for k in _ARTICLE_NOTES if art.get(k)}
    if notes and any(art[k] != v for k, v in notes.items()):
        art = {**art, **notes}
    rewritten = pseud.rewrite(art["text"], art["id"])
    title = pseud.plain(art["title"])
    if not rewritten.changed and title == art["title"]:
        return art, None
    new_text = rewritten.text
    return (
        {
            **art,
            "title": title,
            "byline": pseud.plain(art["byline"]) if art["byline"] else art["byline"],
            "imported_from": pseud.plain(art["imported_from"]),
            "text": new_text,
            "text_sha256": hashlib.sha256(new_text.encode("utf-8")).hexdigest(),
            # The original file still holds the real names: it does not travel.
            "original_sha256": None,
            "meta": "{}",
        },
        rewritten,
    )


def protect_annotation(
    row: dict[str, Any], article_text: str, moved: Rewritten | None, pseud: Pseudonyms
) -> dict[str, Any]:
    """An annotation row with protected names replaced and its offsets moved with them."""
    from archive.annotate import context_of

    row = {**row, **{k: pseud.plain(row[k]) for k in _ANNOTATION_NOTES if row.get(k)}}
    if moved is None:
        if row["orphaned"]:  # its quote is not in the text: it may name them all the same
            row.update({k: pseud.plain(row[k] or "") for k in ("quote", "prefix", "suffix")})
        return row
    start = moved.offset(row["start"])
    end = max(start, moved.offset(row["end"], end=True))
    prefix, suffix = context_of(article_text, start, end)
    quote = article_text[start:end] if not row["orphaned"] else pseud.plain(row["quote"])
    return {**row, "start": start, "end": end, "quote": quote, "prefix": prefix, "suffix": suffix}


def sensitive_articles(conn: Any) -> set[str]:
    """The ids of the articles flagged sensitive."""
    return {r["id"] for r in rows(conn, "SELECT id FROM article WHERE sensitive = 1")}


def sensitive_spans(conn: Any) -> dict[str, list[tuple[int, int]]]:
    """Per article, the spans of its annotations flagged sensitive (orphans too: their
    offsets are the best guess there is)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for r in rows(conn, 'SELECT article_id, start, "end" FROM annotation WHERE sensitive = 1'):
        spans.setdefault(r["article_id"], []).append((r["start"], r["end"]))
    return spans


def mask_text(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with each span's characters but whitespace replaced by `MASK` (same length)."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = MASK
    return "".join(chars)


def mask_article(art: dict[str, Any], spans: list[tuple[int, int]]) -> dict[str, Any]:
    """The article with its sensitive passages masked; without its original."""
    masked = mask_text(art["text"], spans)
    if masked == art["text"]:
        return art
    return {
        **art,
        "text": masked,
        "text_sha256": hashlib.sha256(masked.encode("utf-8")).hexdigest(),
        "original_sha256": None,  # the original file holds the passage
        "meta": "{}",
    }


def reanchor_in_masked(row: dict[str, Any], text: str) -> dict[str, Any]:
    """An annotation's quote and context read again from its article's masked text."""
    from archive.annotate import context_of

    if row["orphaned"]:
        return row
    start, end = row["start"], row["end"]
    prefix, suffix = context_of(text, start, end)
    return {**row, "quote": text[start:end], "prefix": prefix, "suffix": suffix}


@dataclass
class Chosen:
    """The articles of a selection, ready to read: ids in order, pseudonyms if any."""

    archive: Archive
    selection: Selection
    ids: list[str]
    pseud: Pseudonyms | None = None
    # Entity id -> (name, type key) for every entity, names protected.
    entity_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)
    # Spans of sensitive annotations per article (filled when they are left out).
    sensitive: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def articles(
        self,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
        *,
        message: str = "Exporting articles",
        text: bool = True,
    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Each chosen article (a row dict) with its annotations (by start), names protected.

        `text=False`: the article rows carry `LIGHT_COLUMNS` only (all columns if
        names are protected: moving offsets needs the text).
        """
        masking = self.selection.without_sensitive
        columns = "*" if text or self.pseud is not None or masking else LIGHT_COLUMNS
        total = len(self.ids)
        report(progress, 0, total, message)
        done = 0
        with self.archive.engine.connect() as conn:
            for first in range(0, total, CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                chunk = self.ids[first : first + CHUNK]
                where, params = in_list(chunk)
                sql = f"SELECT {columns} FROM article WHERE id IN {where}"
                arts = {a["id"]: a for a in rows(conn, sql, params)}
                anns: dict[str, list[dict[str, Any]]] = {}
                for r in rows(
                    conn,
                    f"SELECT * FROM annotation WHERE article_id IN {where} "
                    "ORDER BY article_id, start, id",
                    params,
                ):
                    anns.setdefault(r["article_id"], []).append(r)
                for aid in chunk:
                    art = arts.get(aid)
                    if art is None:
                        continue
                    its = anns.get(aid, [])
                    if masking and aid in self.sensitive:
                        art = mask_article(art, self.sensitive[aid])
                        its = [reanchor_in_masked(r, art["text"]) for r in its
                               if not r["sensitive"]]  # fmt: skip
                    if self.pseud is not None:
                        art, moved = protect_article(art, self.pseud)
                        its = [protect_annotation(r, art["text"], moved, self.pseud) for r in its]
                    yield art, its
                    done += 1
                report(progress, done, total, message)

    def entity_name(self, entity_id: str | None) -> str:
        """An entity's (protected) name, "" for none."""
        if not entity_id:
            return ""
        return self.entity_names.get(entity_id, ("", ""))[0]

    def plain(self, value: str | None) -> str:
        """Free text with protected names replaced ("" for None)."""
        if not value:
            return ""
        return self.pseud.plain(value) if self.pseud is not None else value


def protected_entity(pseud: Pseudonyms | None, name: str) -> str:
    """An entity's name as an export shows it: its pseudonym, or names in it replaced."""
    if pseud is None:
        return name
    return pseud.pseudonym_of(name) or pseud.plain(name)


def choose(archive: Archive, selection: Selection) -> Chosen:
    """Resolve a selection: the article ids, the pseudonyms, entity names and authors."""
    ids = chosen_articles(
        archive, selection.collection, list(selection.article_ids), selection.query
    )
    pseud = pseudonyms_for(archive, selection.pseudonymise) if selection.pseudonymise else None
    sensitive: dict[str, list[tuple[int, int]]] = {}
    with archive.engine.connect() as conn:
        if selection.without_sensitive:
            left_out = sensitive_articles(conn)
            ids = [i for i in ids if i not in left_out]
            sensitive = sensitive_spans(conn)
        names = {
            r["id"]: (protected_entity(pseud, r["name"]), r["type_key"])
            for r in rows(conn, "SELECT id, name, type_key FROM entity")
        }
        authors = {
            r["id"]: r["display_name"] for r in rows(conn, "SELECT id, display_name FROM user")
        }
    return Chosen(archive, selection, ids, pseud, names, authors, sensitive)
