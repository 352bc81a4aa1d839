"""Turn articles and their annotations (read from SQLite) into index documents."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from archive.search.analysis import SPACELESS_RE, LangText
from archive.search.schema import ENTITY_FIELDS, SEP

# SQLite allows 32766 variables; stay well below and keep memory flat.
CHUNK = 500

_ARTICLES = text(
    # A retracted article leaves the index (it comes back when restored).
    "SELECT id, title, source, byline, published, language, text, review_status, assignee, "
    "verification, sensitive FROM article "
    "WHERE id IN :ids AND retracted_at IS NULL"
).bindparams(bindparam("ids", expanding=True))
_COLLECTIONS = text(
    "SELECT ac.article_id, c.name FROM articlecollection ac "
    "JOIN collection c ON c.id = ac.collection_id WHERE ac.article_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_ANNOTATIONS = text(
    "SELECT article_id, type_key, entity_id, note, verification, sensitive FROM annotation "
    "WHERE article_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_ENTITIES = text(
    "SELECT id, type_key, name, aliases, merged_into FROM entity WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def parse_published(value: str | None) -> datetime | None:
    """The first moment of an ISO date, month or year ("2021-03" -> 2021-03-01)."""
    if not value:
        return None
    parts = value.strip()[:10].split("-")
    try:
        numbers = [int(p) for p in parts if p]
        year = numbers[0]
        month = numbers[1] if len(numbers) > 1 else 1
        day = numbers[2] if len(numbers) > 2 else 1
        return datetime(year, month, day)
    except (ValueError, IndexError):
        return None


def _entities(conn: Connection, ids: set[str]) -> dict[str, tuple[str, list[str]]]:
    """id -> (type_key, [name, aliases...]), following merge tombstones."""
    found: dict[str, tuple[str, str, list[str], str | None]] = {}
    wanted = set(ids)
    for _ in range(8):  # merges chain rarely; never loop forever on a cycle
        wanted -= found.keys()
        if not wanted:
            break
        for row in conn.execute(_ENTITIES, {"ids": sorted(wanted)}):
            aliases = json.loads(row.aliases) if isinstance(row.aliases, str) else row.aliases
            found[row.id] = (row.type_key, row.name, list(aliases or []), row.merged_into)
        wanted = {m for (_, _, _, m) in found.values() if m and m not in found}
    result: dict[str, tuple[str, list[str]]] = {}
    for eid in ids:
        current, hops = eid, 0
        while current in found and found[current][3] and hops < 8:
            current, hops = found[current][3] or current, hops + 1
        if current in found:
            type_key, name, aliases, _ = found[current]
            result[eid] = (type_key, [name, *aliases])
    return result


def load_documents(conn: Connection, article_ids: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """(article_id, document or None when the article no longer exists), in chunks."""
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        articles = {row.id: row for row in conn.execute(_ARTICLES, {"ids": chunk})}
        collections: dict[str, list[str]] = defaultdict(list)
        for row in conn.execute(_COLLECTIONS, {"ids": chunk}):
            collections[row.article_id].append(row.name)
        annotations: dict[str, list[Any]] = defaultdict(list)
        entity_ids: set[str] = set()
        for row in conn.execute(_ANNOTATIONS, {"ids": chunk}):
            annotations[row.article_id].append(row)
            if row.entity_id:
                entity_ids.add(row.entity_id)
        entities = _entities(conn, entity_ids) if entity_ids else {}
        for aid in chunk:
            article = articles.get(aid)
            if article is None:
                yield aid, None
                continue
            yield aid, make_document(article, collections[aid], annotations[aid], entities)


def make_document(
    row: Any,
    collections: list[str],
    annotations: list[Any],
    entities: dict[str, tuple[str, list[str]]],
) -> dict[str, Any]:
    """The index document of one article row with its collections and annotations."""
    tags: list[str] = []
    names: dict[str, list[str]] = defaultdict(list)
    facet_entities: list[str] = []
    notes: list[str] = []
    claims: set[str] = set()
    sensitive = bool(row.sensitive)
    for ann in annotations:
        if ann.type_key not in tags:
            tags.append(ann.type_key)
        claims.add(ann.verification)
        sensitive = sensitive or bool(ann.sensitive)
        if ann.note:
            notes.append(ann.note)
        if ann.entity_id and ann.entity_id in entities:
            type_key, entity_names = entities[ann.entity_id]
            key = f"{type_key}:{entity_names[0]}"
            if key not in facet_entities:
                facet_entities.append(key)
                names[type_key].extend(entity_names)
    published = parse_published(row.published)
    lang = (row.language or "").lower()
    doc: dict[str, Any] = {
        "id": row.id,
        # The language picks the stemmer (French words stemmed as French).
        "title": LangText(row.title or "", lang),
        "text": LangText(row.text or "", lang),
        # Most articles have no Burmese, Thai or CJK: skip the field entirely.
        "text_ngram": row.text if row.text and SPACELESS_RE.search(row.text) else "",
        "source": row.source or "",
        "byline": row.byline or "",
        "lang": lang,
        "collection": "\n".join(collections),
        "tag": ",".join(sorted(tags)),
        "note": LangText("\n".join(notes), lang),
        "entity": "\n".join(n for values in names.values() for n in values),
        "f_source": row.source or "",
        "f_entity": SEP.join(sorted(facet_entities)),
        # Review (archive.review): `flag` is the article's or one of its passages'.
        "status": row.review_status,
        "assignee": row.assignee or "",
        "verification": row.verification,
        "claim": ",".join(sorted(claims)),
        "flag": "sensitive" if sensitive else "",
    }
    for field in ENTITY_FIELDS:
        doc[field] = "\n".join(names.get(field, []))
    if published is not None:
        doc["published"] = published
        doc["year"] = str(published.year)
    doc["rev"] = revision(doc)
    if doc["text"]:
        # The same words again, as written (wildcards, fuzzy terms); derived
        # from `text`, so left out of the revision.
        doc["text_words"] = doc["text"]
        # Pairs of common words in a row (fast phrases, search.pairs); derived too.
        doc["text_pairs"] = doc["text"]
    # Whoosh rejects empty strings in some fields; leave them out instead.
    return {k: v for k, v in doc.items() if v != ""}


def revision(doc: dict[str, Any]) -> str:
    """A fingerprint of everything indexed for an article (`check` compares it)."""
    digest = hashlib.blake2b(digest_size=12)
    for key in sorted(doc):
        if key == "rev":
            continue
        digest.update(key.encode())
        digest.update(b"\0")
        digest.update(str(doc[key]).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()
