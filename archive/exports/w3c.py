"""W3C Web Annotation export: the selection's annotations as one JSON-LD AnnotationCollection.

Each annotation has both selectors (TextPositionSelector in code points,
TextQuoteSelector with prefix and suffix), the motivation `tagging`, bodies
with purposes (`tagging`: the tag type; `identifying`: the entity;
`commenting`: the note), its `creator`, `created` and `modified`. The
collection embeds its one AnnotationPage (`first`), as the model allows.
Sesame's own fields (figure claims and their ranges, origin, verification,
the sensitive flag) are under the `sesame:` prefix, declared in the document.
A claim verified (or disputed, corroborated) also has a `commenting` TextualBody
saying so ("Verification: verified: seen on video"), for readers that know only the
W3C terms (the model's `assessing` would fit better, but the W3C's published context
has no such term: it maps `reviewing`, which the model does not list);
each target carries its article's review (`sesame:articleReview`: status,
assignee, verification and note, sensitive flag).

Roles in events and relations between actors (issue 13) are annotations of
their own, on the passage that supports them (the same target), motivation
`linking`: an `identifying` body names the actor (the relation's subject), a
`linking` body the event (its object), a `classifying` TextualBody the role
or relation type; `sesame:claim` is `role` or `relation`, `sesame:passage`
the tagging annotation it rests on (documented in docs/bundle-format.md §6).

The W3C context (`context/anno.jsonld`, the W3C's published document) ships
with the package: `context_document()` and `document_loader()` give it to a
JSON-LD processor so that nothing is ever fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from archive import models
from archive.bundles import spec
from archive.exports.files import atomic_file, output_path
from archive.exports.selection import Selection, choose, iso_time
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn

W3C_CONTEXT = spec.W3C_CONTEXT  # "http://www.w3.org/ns/anno.jsonld": a name, never fetched
SESAME_CONTEXT = spec.SESAME_CONTEXT
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")
MEDIA_TYPE = 'application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"'
# A figure claim: the best value (UCDP's "best"), its qualifier, what is counted, as of
# when, and the low / high ends of a range (bundle format 2).
FIGURE_KEYS = ("value", "qualifier", "counted", "as_of", "low", "high")


@cache
def context_document() -> dict[str, Any]:
    """The W3C Web Annotation JSON-LD context shipped with Sesame."""
    raw = resources.files("archive.exports").joinpath("context/anno.jsonld").read_text("utf-8")
    doc: dict[str, Any] = json.loads(raw)
    return doc


def document_loader() -> Callable[..., dict[str, Any]]:
    """A JSON-LD document loader (PyLD's shape) that serves the shipped context, fetches nothing."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url.rstrip("/") in (W3C_CONTEXT, W3C_CONTEXT.replace("http:", "https:")):
            return {"contextUrl": None, "documentUrl": url, "document": context_document()}
        raise ValueError(f"Sesame fetches nothing: no local copy of {url}")

    return load


def annotation_jsonld(
    row: dict[str, Any], authors: dict[str, str], bases: dict[str, str]
) -> dict[str, Any]:
    """One annotation as W3C Web Annotation JSON-LD (both selectors, tagging body).

    The bundle writer's shape (`archive.bundles`): null where a field is empty.
    """
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": row["type_key"]}
    ]
    if row["entity_id"]:
        body.append(
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "source": spec.urn("entity", row["entity_id"]),
            }
        )
    if row["note"]:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": row["note"]})
    figure = None
    if any(row.get(k) is not None for k in FIGURE_KEYS):
        figure = {k: row.get(k) for k in FIGURE_KEYS}
    creator = None
    if row["created_by"]:
        creator = {
            "id": spec.urn("user", row["created_by"]),
            "type": "Person",
            "name": authors.get(row["created_by"], ""),
        }
    return {
        "id": spec.urn("annotation", row["id"]),
        "type": "Annotation",
        "motivation": "tagging",
        "created": iso_time(row["created_at"]),
        "modified": iso_time(row["updated_at"]),
        "creator": creator,
        "body": body,
        "target": {
            "source": spec.urn("article", row["article_id"]),
            "selector": [
                {"type": "TextPositionSelector", "start": row["start"], "end": row["end"]},
                {
                    "type": "TextQuoteSelector",
                    "exact": row["quote"],
                    "prefix": row["prefix"],
                    "suffix": row["suffix"],
                },
            ],
        },
        "sesame:origin": row["origin"],
        "sesame:orphaned": bool(row["orphaned"]),
        "sesame:figure": figure,
        # The content as last exchanged (for the receiver's three-way merge), if ever.
        "sesame:base": bases.get(row["id"]),
        # Review (bundle format 2): the claim's verification, the sensitive flag.
        "sesame:verification": row.get("verification") or "unverified",
        "sesame:verificationNote": row.get("verification_note") or "",
        "sesame:sensitive": bool(row.get("sensitive")),
        "sesame:sensitiveReason": row.get("sensitive_reason") or "",
    }


def w3c_time(value: Any) -> str:
    """A stored time as xsd:dateTime in UTC with its zone ("2021-03-05T10:00:00Z")."""
    if value is None:
        return ""
    if isinstance(value, str) and _NAIVE.fullmatch(value):
        # SQLite's "YYYY-MM-DD HH:MM:SS[.ffffff]", UTC by the archive's rule: no parsing.
        return f"{value[:10]}T{value[11:19]}Z"
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once: 50,000 calls


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def _standalone(
    row: dict[str, Any], art: dict[str, Any], authors: dict[str, str], names: Any,
    events: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """An annotation for readers other than Sesame: no nulls, zoned times, names given."""
    doc = annotation_jsonld(row, authors, {})
    doc["created"] = w3c_time(row["created_at"])
    doc["modified"] = w3c_time(row["updated_at"])
    for b in doc["body"]:
        if b["purpose"] == "identifying":
            name, type_key = names.get(row["entity_id"], ("", ""))
            b["sesame:name"] = name
            b["sesame:type"] = type_key
            if events and row["entity_id"] in events:
                b.update(events[row["entity_id"]])
    target = doc["target"]
    if art.get("url"):
        target["scope"] = art["url"]  # the page this text was read from
    target["sesame:title"] = art["title"]
    if art.get("retracted_at"):
        target["sesame:retracted"] = art.get("retracted_reason") or True
    del doc["sesame:base"]
    verified = _verification_body(row.get("verification"), row.get("verification_note"))
    if verified:
        doc["body"].append(verified)
    for key in ("creator", "sesame:figure"):
        if doc[key] is None:
            del doc[key]
    return doc


def _verification_body(status: str | None, note: str | None) -> dict[str, Any] | None:
    """A `commenting` body saying a claim's verification; None while it is unverified."""
    status = status or "unverified"
    if status == "unverified" and not note:
        return None
    value = f"Verification: {status}" + (f": {note}" if note else "")
    return {"type": "TextualBody", "purpose": "commenting", "value": value}


def _article_review(art: dict[str, Any], plain: Callable[[str | None], str]) -> dict[str, Any]:
    return {
        "status": art.get("review_status") or "unread",
        "assignee": plain(art.get("assignee")),
        "verification": art.get("verification") or "unverified",
        "verificationNote": plain(art.get("verification_note")),
        "sensitive": bool(art.get("sensitive")),
    }


def export_w3c(
    archive: Archive,
    out: str | Path,
    selection: Selection | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Write the selection's annotations to OUT as a W3C AnnotationCollection; the counts."""
    selection = selection or Selection()
    path = output_path(out, "annotations.jsonld")
    chosen = choose(archive, selection)
    # Each annotation is encoded on its own (json's C encoder: `json.dump` with an indent
    # runs the pure-Python one, 3x slower) and written one a line.
    items: list[str] = []
    claims = _claims_by_passage(archive)
    events = _event_details(archive, chosen.plain)
    n_claims = 0
    for art, anns in chosen.articles(progress, cancel, text=False):
        review = _article_review(art, chosen.plain)
        for r in anns:
            if chosen.pseud is not None and r["verification_note"]:
                r = {**r, "verification_note": chosen.plain(r["verification_note"])}
            doc = _standalone(r, art, chosen.authors, chosen.entity_names, events)
            doc["target"]["sesame:articleReview"] = review
            items.append(_dumps(doc))
            for kind, claim in claims.get(r["id"], ()):
                items.append(_dumps(_claim_jsonld(kind, claim, doc, chosen, r)))
                n_claims += 1
    export_id = models.new_id()
    collection_id = spec.urn("export", export_id)
    document = {
        "@context": [W3C_CONTEXT, SESAME_CONTEXT],
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Sesame annotations: {selection.describe()}",
        "total": len(items),
        "generator": {"id": "urn:sesame:software", "type": "Software", "name": "Sesame"},
        "generated": w3c_time(models.utcnow()),
        "sesame:scope": selection.scope(),
        "sesame:pseudonyms": len(selection.pseudonymise),
    }
    page = {"id": f"{collection_id}:page:1", "type": "AnnotationPage", "startIndex": 0}
    with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(_dumps(document)[:-1] + ',\n"first":' + _dumps(page)[:-1] + ',"items":[\n')
        fh.write(",\n".join(items))
        fh.write("\n]}}\n")
    return {
        "path": str(path),
        "format": "w3c",
        "articles": len(chosen.ids),
        "annotations": len(items) - n_claims,
        "claims": n_claims,
    }


def _event_details(archive: Archive, plain: Callable[[str | None], str]) -> dict[str, Any]:
    """Per event entity, what its `identifying` body adds: its dates and place with their
    precision (`sesame:dateStart`, `sesame:datePrecision`, ...), where it has them."""
    from archive.exports.selection import rows

    out: dict[str, dict[str, Any]] = {}
    keys = (("date_start", "sesame:dateStart"), ("date_end", "sesame:dateEnd"),
            ("date_precision", "sesame:datePrecision"), ("place", "sesame:place"),
            ("place_precision", "sesame:placePrecision"))  # fmt: skip
    with archive.engine.connect() as conn:
        for e in rows(conn, "SELECT * FROM entity WHERE type_key = 'event'"):
            found = {name: e[col] for col, name in keys if e[col]}
            if "sesame:place" in found:
                found["sesame:place"] = plain(found["sesame:place"])
            if found:
                out[e["id"]] = found
    return out


def _claims_by_passage(archive: Archive) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Roles and relations, by the annotation (passage) each rests on."""
    from archive.exports.selection import rows

    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    with archive.engine.connect() as conn:
        for kind in ("role", "relation"):
            for r in rows(conn, f"SELECT * FROM {kind} ORDER BY created_at, id"):
                out.setdefault(r["annotation_id"], []).append((kind, r))
    return out


def _claim_jsonld(
    kind: str, claim: dict[str, Any], passage: dict[str, Any], chosen: Any,
    row: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A role or relation as a `linking` Web Annotation on the passage that supports it."""
    first, second, type_key = (
        ("actor_id", "event_id", "role") if kind == "role" else ("subject_id", "object_id", "type")
    )

    def entity(purpose: str, entity_id: str) -> dict[str, Any]:
        name, entity_type = chosen.entity_names.get(entity_id, ("", ""))
        return {
            "type": "SpecificResource",
            "purpose": purpose,
            "source": spec.urn("entity", entity_id),
            "sesame:name": name,
            "sesame:type": entity_type,
        }

    body = [
        entity("identifying", claim[first]),
        entity("linking", claim[second]),
        {"type": "TextualBody", "purpose": "classifying", "value": claim[type_key]},
    ]
    if claim["note"]:
        body.append({"type": "TextualBody", "purpose": "commenting",
                     "value": chosen.plain(claim["note"])})  # fmt: skip
    doc: dict[str, Any] = {
        "id": spec.urn(kind, claim["id"]),
        "type": "Annotation",
        "motivation": "linking",
        "created": w3c_time(claim["created_at"]),
        "body": body,
        "target": passage["target"],
        "sesame:claim": kind,
        "sesame:passage": passage["id"],
    }
    if claim["created_by"]:
        doc["creator"] = {
            "id": spec.urn("user", claim["created_by"]),
            "type": "Person",
            "name": chosen.authors.get(claim["created_by"], ""),
        }
    # A claim's verification: a role's own once set, else its passage's (the claim the
    # passage makes); a relation has only its passage's.
    own = claim.get("verification") or "unverified"
    status, note = (own, "") if own != "unverified" or row is None else (
        row.get("verification") or "unverified", row.get("verification_note") or "")  # fmt: skip
    doc["sesame:verification"] = status
    verified = _verification_body(status, note)
    if verified:
        body.append(verified)
    if kind == "relation":
        doc["sesame:dateStart"] = claim["date_start"]
        doc["sesame:dateEnd"] = claim["date_end"]
    return doc
