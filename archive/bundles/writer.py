"""Export a `.sesame` bundle: articles, exact originals, annotations, entities, signed.

The bundle is written to a temporary file next to OUT and renamed into place
when complete, so a cancelled or failed export never leaves half a bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from archive import keys, models
from archive.bundles import spec
from archive.bundles.pseudonyms import Pseudonyms
from archive.errors import InvalidInput, NotFound

# Shared with the other exports (archive/exports/): the selection, names protected, W3C JSON-LD.
from archive.exports.selection import chosen_articles as _chosen_articles
from archive.exports.selection import in_list as _in
from archive.exports.selection import iso_time as _time
from archive.exports.selection import mask_article as _mask_article
from archive.exports.selection import protect_annotation as _protect_annotation
from archive.exports.selection import protect_article as _protect_article
from archive.exports.selection import pseudonyms_for as _pseudonyms
from archive.exports.selection import reanchor_in_masked as _reanchor_in_masked
from archive.exports.selection import rows as _rows
from archive.exports.selection import sensitive_articles as _sensitive_articles
from archive.exports.selection import sensitive_spans as _sensitive_spans
from archive.exports.w3c import annotation_jsonld as _annotation
from archive.identity import local_identity
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn, report


@dataclass
class ExportReport:
    """What an export wrote."""

    path: str
    bundle_id: str
    counts: dict[str, int] = field(default_factory=dict)
    encrypted: bool = False
    signer: str = ""
    fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame export-bundle --json`)."""
        return {
            "path": self.path,
            "bundle_id": self.bundle_id,
            "counts": self.counts,
            "encrypted": self.encrypted,
            "signer": self.signer,
            "fingerprint": self.fingerprint,
        }


def export_bundle(
    archive: Archive,
    out: str | Path,
    *,
    collection: str | None = None,
    article_ids: Sequence[str] | None = None,
    query: str | None = None,
    passphrase: str | None = None,
    recipients: Sequence[str] = (),
    pseudonymise: Sequence[str] = (),
    without_sensitive: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> ExportReport:
    """Write the archive (or a collection, the hits of a query, chosen articles) to OUT.

    With `passphrase` or `recipients` (age public keys, `age1...`), the whole
    bundle is encrypted with age. `pseudonymise`: entities (ids or names)
    whose names are replaced by consistent pseudonyms ("Actor A"); see
    `archive.bundles.pseudonyms`. `without_sensitive`: articles flagged
    sensitive are left out, passages flagged sensitive too, their text masked
    (`archive.exports.selection`). Returns what was written.
    """
    if passphrase is not None and recipients:
        raise InvalidInput("Encrypt for a passphrase or for recipients, not both.")
    if passphrase is not None:
        from archive.encryption import check_new_passphrase

        check_new_passphrase(passphrase, "The bundle's passphrase")
    out = Path(out).expanduser()
    if out.is_dir():
        raise InvalidInput(f"{out} is a folder; give the bundle's file name, e.g. case.sesame.")
    if not out.parent.is_dir():  # else the error names the hidden temporary file
        raise InvalidInput(f"The folder {out.parent} does not exist.")
    ids = _chosen_articles(archive, collection, article_ids, query)
    sensitive: dict[str, list[tuple[int, int]]] | None = None
    if without_sensitive:
        with archive.engine.connect() as conn:
            left_out = _sensitive_articles(conn)
            sensitive = _sensitive_spans(conn)
        ids = [i for i in ids if i not in left_out]
    if query and not ids:
        # A bundle of nothing would be signed and sent as if it held the search's results.
        why = (
            "every article it finds is flagged sensitive (left out by --without-sensitive)"
            if without_sensitive and _chosen_articles(archive, None, None, query)
            else "no article matches it"
        )
        raise NotFound(
            f"No bundle written: {why} (search: {query!r}). Check it with "
            "`sesame search`, or export a collection or the whole archive instead."
        )
    pseud = _pseudonyms(archive, pseudonymise) if pseudonymise else None
    bundle_id = models.new_id()
    scope = (
        {"kind": "collection", "value": collection}
        if collection
        else {"kind": "articles", "value": None}
        if article_ids
        else {"kind": "query", "value": query}
        if query
        else {"kind": "archive", "value": None}
    )
    me = local_identity()
    creator = {"user_id": me.id, "name": me.display_name, "public_key": keys.public_key_text()}
    tmp = out.with_name(f".{out.name}.{bundle_id[:8]}.part")
    members: dict[str, str] = {}
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:

            def put(name: str, data: bytes | Iterable[bytes]) -> None:
                if isinstance(data, bytes):
                    members[name] = hashlib.sha256(data).hexdigest()
                    zf.writestr(name, data)
                    return
                # In pieces (`spec.canonical_chunks`): the annotations and the audit entries
                # were each built whole, then serialised whole, most of export's memory.
                digest = hashlib.sha256()
                info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                with zf.open(info, "w") as member:
                    buffer = bytearray()
                    for chunk in data:
                        buffer += chunk
                        if len(buffer) >= 1 << 20:  # one write per item: 110,000 small ones
                            digest.update(buffer)
                            member.write(buffer)
                            buffer.clear()
                    digest.update(buffer)
                    member.write(buffer)
                members[name] = digest.hexdigest()

            counts = _write_members(archive, ids, put, progress, cancel, pseud, sensitive)
            manifest = {
                "format": spec.FORMAT,
                "version": spec.VERSION,
                "bundle_id": bundle_id,
                "created_at": models.utcnow().isoformat(),
                "archive_id": archive.archive_id,
                "creator": creator,
                "scope": scope,
                "options": {
                    "sensitive_left_out": without_sensitive,
                    "pseudonyms": len(pseudonymise),
                    "originals_left_out": counts.pop("originals_left_out", 0),
                    "audit_left_out": pseud is not None,
                },
                "counts": counts,
                "members": members,
            }
            manifest_bytes = spec.canonical(manifest)
            zf.writestr(spec.MANIFEST, manifest_bytes)
            zf.writestr(spec.SIGNATURE, keys.sign(manifest_bytes))
        encrypted = passphrase is not None or bool(recipients)
        if encrypted:
            _encrypt(tmp, passphrase, recipients)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    from archive import audit

    audit.checkpoint(archive)  # the head as of this export, signed
    return ExportReport(
        str(out),
        bundle_id,
        counts,
        encrypted,
        creator["name"],
        keys.fingerprint(creator["public_key"]),
    )


def _encrypt(path: Path, passphrase: str | None, recipients: Sequence[str]) -> None:
    import pyrage

    data = path.read_bytes()
    if passphrase is not None:
        if not passphrase:
            raise InvalidInput("The passphrase is empty.")
        sealed = pyrage.passphrase.encrypt(data, passphrase)
    else:
        try:
            keys_ = [pyrage.x25519.Recipient.from_str(r.strip()) for r in recipients]
        except Exception as exc:  # pyrage raises its own error types
            raise InvalidInput(
                f"A recipient is not an age public key (age1...): {exc}. "
                "Ask your colleague for the key `sesame whoami` shows."
            ) from exc
        sealed = pyrage.encrypt(data, keys_)
    path.write_bytes(sealed)


def _write_members(
    archive: Archive,
    ids: list[str],
    put: Any,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
    pseud: Pseudonyms | None = None,
    sensitive: dict[str, list[tuple[int, int]]] | None = None,
) -> dict[str, int]:
    """Write every member but the manifest and signature; the counts for the manifest.

    `sensitive` (when sensitive passages are left out): their spans per article.
    """
    wanted = set(ids)
    with archive.engine.connect() as conn:
        total = len(ids)
        report(progress, 0, total, "Exporting articles")
        memberships: dict[str, list[str]] = {}
        for r in _rows(conn, "SELECT article_id, collection_id FROM articlecollection"):
            if r["article_id"] in wanted:
                memberships.setdefault(r["article_id"], []).append(r["collection_id"])
        originals_done: set[str] = set()
        moved: dict[str, Any] = {}  # article id -> how pseudonyms moved its offsets
        texts: dict[str, str] = {}
        left_out = 0
        done = 0
        for start in range(0, total, 500):
            if cancel is not None:
                cancel.raise_if_cancelled()
            chunk = ids[start : start + 500]
            where, params = _in(chunk)
            for art in _rows(conn, f"SELECT * FROM article WHERE id IN {where}", params):
                art, how, changed = _outgoing_article(art, sensitive, pseud)
                if how is not None:
                    moved[art["id"]] = how
                if changed:
                    texts[art["id"]] = art["text"]
                    left_out += 1 if art["_had_original"] else 0
                original = None
                sha = art["original_sha256"]
                if sha:
                    orig = _rows(conn, "SELECT * FROM original WHERE sha256 = :s", {"s": sha})[0]
                    original = {
                        "media_type": orig["media_type"],
                        "size": orig["size"],
                        "first_name": orig["first_name"],
                        "imported_at": _time(orig["imported_at"]),
                    }
                    if sha not in originals_done:
                        put(f"originals/{sha}", bytes(orig["data"]))
                        originals_done.add(sha)
                parent = art["parent_id"] if art["parent_id"] in wanted else None
                doc = _article_doc(art, original, parent, memberships.get(art["id"], []))
                put(f"articles/{art['id']}.json", spec.canonical(doc))
                done += 1
            report(progress, done, total, "Exporting articles")

        users = {r["id"]: r for r in _rows(conn, "SELECT id, display_name, public_key FROM user")}
        authors = {uid: u["display_name"] for uid, u in users.items()}
        bases = {
            r["annotation_id"]: r["content_hash"]
            for r in _rows(conn, "SELECT annotation_id, content_hash FROM exchange")
        }

        annotations = _annotations(conn, ids, authors, bases, texts, moved, sensitive, pseud)
        annotation_ids = {spec.from_urn(a["id"], "annotation") for a in annotations}
        linked = {
            spec.from_urn(b["source"], "entity")
            for a in annotations
            for b in a["body"]
            if b["purpose"] == "identifying"
        }
        roles, relations = _claims(conn, annotations, linked, pseud)
        entities = _entities_with_tombstones(conn, linked)
        if pseud is not None:
            for e in entities:
                alias = pseud.pseudonym_of(e["name"])
                e["name"] = alias or pseud.plain(e["name"])
                e["aliases"] = [] if alias else [pseud.plain(a) for a in e["aliases"]]
                e["description"] = "" if alias else pseud.plain(e["description"])
        used_types = {e["type_key"] for e in entities} | {
            b["value"] for a in annotations for b in a["body"] if b["purpose"] == "tagging"
        }
        tag_types = [
            {**t, "builtin": bool(t["builtin"])}
            for t in _rows(conn, "SELECT * FROM tagtype ORDER BY key")
            if t["key"] in used_types
        ]
        coll_ids = {c for cs in memberships.values() for c in cs}
        collections = [
            {**c, "created_at": _time(c["created_at"])}
            for c in _rows(conn, "SELECT id, name, description, created_at, notes FROM collection")
            if c["id"] in coll_ids
        ]
        if pseud is not None:  # "The Zaw Min case"
            for c in collections:
                c.update({k: pseud.plain(c[k]) for k in ("name", "description", "notes") if c[k]})
        people = {a["creator"]["id"].rsplit(":", 1)[1] for a in annotations if a["creator"]}
        user_rows = [
            {"id": u["id"], "display_name": u["display_name"], "public_key": u["public_key"]}
            for uid, u in sorted(users.items())
            if uid in people
        ]
        targets = wanted | annotation_ids | {e["id"] for e in entities}
        if pseud is not None:
            targets = set()  # audit entries quote the real names: none travel
        audit_count = [0]
        put(spec.AUDIT, spec.canonical_list(_audit_rows(conn, targets, audit_count)))
    put(
        spec.ANNOTATIONS,
        spec.canonical_chunks(
            {
                "@context": [spec.W3C_CONTEXT, spec.SESAME_CONTEXT],
                "id": spec.urn("collection", "annotations"),
                "type": "AnnotationCollection",
                "total": len(annotations),
            },
            "items",
            annotations,
        ),
    )
    put(spec.ENTITIES, spec.canonical(entities))
    put(spec.TAG_TYPES, spec.canonical(tag_types))
    put(spec.COLLECTIONS, spec.canonical(collections))
    put(spec.USERS, spec.canonical(user_rows))
    put(spec.ROLES, spec.canonical(roles))
    put(spec.RELATIONS, spec.canonical(relations))
    return {
        "articles": total,
        "originals": len(originals_done),
        "annotations": len(annotations),
        "entities": len(entities),
        "tag_types": len(tag_types),
        "collections": len(collections),
        "users": len(user_rows),
        "audit_entries": audit_count[0],
        "roles": len(roles["items"]),
        "relations": len(relations["items"]),
        "originals_left_out": left_out,
    }


def _audit_rows(conn: Any, targets: set[str], count: list[int]) -> Iterator[dict[str, Any]]:
    """The audit entries about `targets`, read one at a time (counted into `count[0]`)."""
    result = conn.execute(text("SELECT * FROM auditevent ORDER BY seq"))
    names = list(result.keys())
    for row in result:
        r = dict(zip(names, row, strict=True))
        if r["target_id"] not in targets:
            continue
        count[0] += 1
        yield {
            **r,
            "before": json.loads(r["before"]) if r["before"] else None,
            "after": json.loads(r["after"]) if r["after"] else None,
        }


def _annotations(
    conn: Any,
    ids: list[str],
    authors: dict[str, str],
    bases: dict[str, str],
    texts: dict[str, str],
    moved: dict[str, Any],
    sensitive: dict[str, list[tuple[int, int]]] | None,
    pseud: Pseudonyms | None,
) -> list[dict[str, Any]]:
    """The annotations of the articles, as they leave (W3C JSON-LD): sensitive ones left
    out when asked, quotes read again from masked texts, names protected."""

    def outgoing(r: dict[str, Any]) -> dict[str, Any]:
        text = texts.get(r["article_id"])
        if sensitive and text is not None and r["article_id"] in sensitive:
            r = _reanchor_in_masked(r, text)  # masked: quote and context read again
        if pseud is None:
            return r
        return _protect_annotation(r, text or "", moved.get(r["article_id"]), pseud)

    annotations: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        where, params = _in(ids[start : start + 500])
        annotations.extend(
            _annotation(outgoing(r), authors, bases)
            for r in _rows(
                conn,
                f"SELECT * FROM annotation WHERE article_id IN {where} "
                "ORDER BY article_id, start, id",
                params,
            )
            if not (sensitive is not None and r["sensitive"])
        )
    return annotations


def _outgoing_article(
    art: dict[str, Any],
    sensitive: dict[str, list[tuple[int, int]]] | None,
    pseud: Pseudonyms | None,
) -> tuple[dict[str, Any], Any, bool]:
    """The article as it leaves: sensitive passages masked, names protected; how pseudonyms
    moved its offsets (or None); whether its text changed (then its original stays home)."""
    had_original = bool(art["original_sha256"])
    changed = False
    if sensitive and art["id"] in sensitive:
        masked = _mask_article(art, sensitive[art["id"]])
        changed = masked is not art
        art = masked
    how = None
    if pseud is not None:
        art, how = _protect_article(art, pseud)
        changed = changed or how is not None
    return {**art, "_had_original": had_original}, how, changed


def _article_doc(
    art: dict[str, Any], original: dict[str, Any] | None, parent: str | None, colls: list[str]
) -> dict[str, Any]:
    """An article member's content (§5.2 of docs/bundle-format.md)."""
    return {
        "id": art["id"],
        "title": art["title"],
        "source": art["source"],
        "url": art["url"],
        "byline": art["byline"],
        "published": art["published"],
        "published_precision": art["published_precision"],
        "language": art["language"],
        "text": art["text"],
        "text_sha256": art["text_sha256"],
        "original_sha256": art["original_sha256"],
        "imported_at": _time(art["imported_at"]),
        "imported_from": art["imported_from"],
        "parent_id": parent,
        "meta": json.loads(art["meta"]) if isinstance(art["meta"], str) else art["meta"],
        "updated_at": _time(art["updated_at"]),
        "original": original,
        "collections": sorted(colls),
        # Version 2: review, provenance and how the text was obtained.
        **{k: art[k] for k in ARTICLE_V2_TEXT},
        "sensitive": bool(art["sensitive"]),
        "ocr_confidence": art["ocr_confidence"],
    }


# The article fields of format 2 written as they are stored (text or null): fixed by the
# format's version, unlike reading._ARTICLE_COLUMNS (what the reader reads today).
ARTICLE_V2_TEXT = (
    "review_status",
    "assignee",
    "verification",
    "verification_note",
    "sensitive_reason",
    "captured_at",
    "collected_by",
    "collected_with",
    "collected_from",
    "text_origin",
)


def _claims(
    conn: Any, annotations: list[dict[str, Any]], linked: set[str], pseud: Pseudonyms | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The roles and relations anchored to exported passages, with the types they use; the
    entities they name are added to `linked` (they travel too)."""
    annotation_ids = {spec.from_urn(a["id"], "annotation") for a in annotations}
    out = []
    for table, type_table, type_field in (
        ("role", "roletype", "role"),
        ("relation", "relationtype", "type"),
    ):
        items = [
            {**r, "created_at": _time(r["created_at"])}
            for r in _rows(conn, f"SELECT * FROM {table} ORDER BY id")
            if r["annotation_id"] in annotation_ids
        ]
        used = {r[type_field] for r in items}
        types = [
            {"key": t["key"], "label": t["label"], "builtin": bool(t["builtin"])}
            for t in _rows(conn, f"SELECT * FROM {type_table} ORDER BY key")
            if t["key"] in used
        ]
        out.append({"types": types, "items": items})
        for r in items:
            if pseud is not None:
                r["note"] = pseud.plain(r["note"])
            ends = ("event_id", "actor_id") if table == "role" else ("subject_id", "object_id")
            linked.update(r[e] for e in ends)
    return out[0], out[1]


def _entities_with_tombstones(conn: Any, linked: set[str]) -> list[dict[str, Any]]:
    """The entities annotations link to, and the tombstones merged into them."""
    rows = {r["id"]: r for r in _rows(conn, "SELECT * FROM entity")}
    chosen = set(linked)
    chosen |= {eid for eid, r in rows.items() if r["merged_into"] in linked}
    out = []
    for eid in sorted(chosen):
        r = rows.get(eid)
        if r is None:
            continue
        out.append(
            {
                **r,
                "aliases": json.loads(r["aliases"])
                if isinstance(r["aliases"], str)
                else r["aliases"],
                "merged_into": r["merged_into"] if r["merged_into"] in chosen else None,
                "created_at": _time(r["created_at"]),
                "updated_at": _time(r["updated_at"]),
            }
        )
    return out
