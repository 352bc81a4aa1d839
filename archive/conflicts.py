"""Conflicts a bundle import left to resolve, and resolving them (one undoable change each).

An annotation edited on both sides since the last exchange is kept in both
versions: yours, and theirs beside it as a conflict copy (origin
`conflict:<your annotation's id>`, archive/bundles/merge.py). Until resolved,
every such copy is an open conflict. Resolving one is a core change:

- mine: their copy is deleted;
- theirs: yours takes their version (span, type, entity, note, figure) and
  their copy is deleted; if you had deleted yours, their copy stays as the one;
- both: their copy stays as an annotation of its own (origin
  `resolved:<id>`: no longer a conflict).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from archive import annotate, models
from archive.changes import Change, changing
from archive.errors import InvalidInput, NotFound
from archive.store import Archive

COPY_PREFIX = "conflict:"
RESOLVED_PREFIX = "resolved:"
CHOICES = ("mine", "theirs", "both")
# What "theirs" takes from their copy.
_TAKEN = ("start", "end", "type_key", "entity_id", "note", "value", "qualifier", "counted",
          "as_of", "low", "high")  # fmt: skip


@dataclass
class Conflict:
    """One open conflict: their copy, and yours (None if you deleted it since)."""

    copy: dict[str, Any]
    local: dict[str, Any] | None

    @property
    def id(self) -> str:
        return str(self.copy["id"])

    def to_dict(self) -> dict[str, Any]:
        return {"copy_id": self.id, "theirs": self.copy, "yours": self.local}


def sent_by(session: Any, copy: models.Annotation) -> str | None:
    """Who sent a conflict copy's version (QA F6): the signer of the bundle it came in,
    by name (their user row) or fingerprint; None when that is no longer known.

    The copy's creator is the passage's first author, not who made this version. The
    import that added the copy set the exchange record of the annotation it copies to
    the copy's content and that bundle's id, and `sender:<bundle id>` holds the key
    that signed it (archive/bundles/merge.py); a later exchange of that annotation
    replaces the record, and then the copy's content no longer matches it."""
    if not copy.origin.startswith(COPY_PREFIX):
        return None
    from archive import keys
    from archive.bundles.merge import SENDER_KEY, _local_form, content_hash

    conn = session.connection()
    seen = conn.exec_driver_sql(
        "SELECT content_hash, bundle_id FROM exchange WHERE annotation_id = ?",
        (copy.origin[len(COPY_PREFIX) :],),
    ).fetchone()
    if seen is None or seen[0] != content_hash(_local_form(copy)):
        return None
    key = conn.exec_driver_sql(
        "SELECT content_hash FROM exchange WHERE annotation_id = ?", (SENDER_KEY + seen[1],)
    ).fetchone()
    if key is None:
        return None
    user = conn.exec_driver_sql(
        "SELECT display_name FROM user WHERE public_key = ?", (key[0],)
    ).fetchone()
    if user:
        return str(user[0])
    contact = keys.contact_for(key[0])
    if contact is not None:
        return contact.name
    # A signer who made no passage of the bundle has no user row here: the import's
    # audit entry says who signed it ("signed by Hla (fingerprint ...), an unknown key").
    entry = conn.exec_driver_sql(
        "SELECT after FROM auditevent WHERE action = 'bundle.import' AND target_id = ? "
        "ORDER BY seq LIMIT 1",
        (seen[1],),
    ).fetchone()
    signed = str(json.loads(entry[0] or "{}").get("signed_by") or "") if entry else ""
    return signed.removeprefix("signed by ") or f"an unknown key ({keys.fingerprint(key[0])})"


def sent_by_id(archive: Archive, annotation_id: str) -> str | None:
    """`sent_by` of the annotation `annotation_id` (None if it is no conflict copy)."""
    with archive.session() as session:
        ann = session.get(models.Annotation, annotation_id)
        return sent_by(session, ann) if ann is not None else None


def _side(session: Any, ann: models.Annotation) -> dict[str, Any]:
    author = session.get(models.User, ann.created_by) if ann.created_by else None
    entity = session.get(models.Entity, ann.entity_id) if ann.entity_id else None
    return {
        "id": ann.id,
        "article_id": ann.article_id,
        "quote": ann.quote,
        "type_key": ann.type_key,
        "entity": entity.name if entity else None,
        "note": ann.note,
        "author": author.display_name if author else None,
        "updated_at": ann.updated_at.isoformat(timespec="seconds"),
        "start": ann.start,
        "end": ann.end,
        "sent_by": sent_by(session, ann),
    }


def open_conflicts(archive: Archive, article_id: str | None = None) -> list[Conflict]:
    """Every conflict copy still open (of one article, if given), oldest first."""
    with archive.session() as session:
        query = select(models.Annotation).where(
            col(models.Annotation.origin).startswith(COPY_PREFIX)
        )
        if article_id is not None:
            query = query.where(models.Annotation.article_id == article_id)
        found = []
        for copy in session.exec(query.order_by(col(models.Annotation.created_at))):
            local = session.get(models.Annotation, copy.origin[len(COPY_PREFIX) :])
            found.append(Conflict(_side(session, copy), _side(session, local) if local else None))
        return found


def resolve(target: Archive | Change, copy_id: str, choice: str) -> dict[str, Any]:
    """Resolve the conflict of `copy_id` (their copy) by `choice` (mine, theirs, both), in
    one change; returns {"copy_id", "choice", "kept"}: the id of the annotation kept
    (or of both)."""
    if choice not in CHOICES:
        raise InvalidInput(f"Choose one of {', '.join(CHOICES)}, not {choice!r}.")
    with changing(target, "Resolve a conflict") as ch:
        session = ch.session
        copy = session.get(models.Annotation, copy_id)
        if copy is None:
            raise NotFound(f"No annotation has the id {copy_id}.")
        if not copy.origin.startswith(COPY_PREFIX):
            raise InvalidInput(
                f"The annotation {copy_id[:8]} is not a conflict copy (resolved already?)."
            )
        local_id = copy.origin[len(COPY_PREFIX) :]
        local = session.get(models.Annotation, local_id)
        ch.describe(f"Resolve conflict on {copy.quote[:40]!r}: keep {choice}")
        ch.label_given = True
        kept: list[str]
        if choice == "mine":
            annotate.delete_annotation(ch, copy.id)
            kept = [local_id] if local is not None else []
        elif choice == "theirs" and local is not None and local.article_id == copy.article_id:
            values = {k: getattr(copy, k) for k in _TAKEN}
            annotate.update_annotation(ch, local_id, **values)
            annotate.delete_annotation(ch, copy.id)
            kept = [local_id]
        else:  # both, or theirs where yours was deleted or moved: their copy stands alone
            if choice == "theirs" and local is not None:
                annotate.delete_annotation(ch, local_id)
                local = None
            before = annotate.snapshot(copy)
            copy.origin = RESOLVED_PREFIX + local_id
            session.add(copy)
            ch.audit("annotation", "update", copy.id, before=before, after=annotate.snapshot(copy))
            kept = [copy.id] + ([local_id] if local is not None else [])
        return {"copy_id": copy_id, "choice": choice, "kept": kept}
