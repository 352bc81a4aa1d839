"""The append-only audit log: every change, hash-chained (DESIGN "AuditEvent").

Each entry's hash covers its own content and the previous entry's hash, so
editing, inserting or deleting an entry anywhere breaks the chain from there
on; `verify` names the first broken link.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from archive.models import AuditEvent, utcnow

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """JSON-safe copy (datetimes become ISO strings) so hashing is stable."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


_FIELDS = (
    "seq", "at", "user_id", "action", "target_type", "target_id", "before", "after", "prev_hash"
)  # fmt: skip


def _digest(fields: dict[str, Any]) -> str:
    payload = {k: fields[k] for k in _FIELDS}
    if fields.get("change_id") is not None:
        # Entries written before changes existed have none and hash as they did.
        payload["change_id"] = fields["change_id"]
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def newest(session: Session) -> tuple[int, str] | None:
    """The (seq, hash) of the newest entry, or None for an empty log."""
    row = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    if row is None or row.seq is None:
        return None
    return row.seq, row.hash


def entry(
    last: tuple[int, str] | None,
    *,
    user_id: str | None,
    action: str,
    target_type: str,
    target_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    change_id: str | None = None,
) -> dict[str, Any]:
    """The next entry after `last` (the chain's (seq, hash)), as row values with its hash."""
    fields: dict[str, Any] = {
        "seq": last[0] + 1 if last else 1,
        "at": utcnow().isoformat(),
        "user_id": user_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "before": _plain(before),
        "after": _plain(after),
        "prev_hash": last[1] if last else GENESIS,
        "change_id": change_id,
    }
    fields["hash"] = _digest(fields)
    return fields


def insert(session: Session, entries: list[dict[str, Any]]) -> None:
    """Write entries made by `entry` (one multi-row INSERT)."""
    if entries:
        session.execute(AuditEvent.__table__.insert(), entries)  # type: ignore[attr-defined]


def record(
    session: Session,
    *,
    user_id: str | None,
    action: str,
    target_type: str,
    target_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    change_id: str | None = None,
) -> dict[str, Any]:
    """Append one entry in the caller's transaction (the write lock makes it the only writer).

    Changes buffer their entries instead (`Change.audit`); this is for one-off entries.
    """
    fields = entry(
        newest(session),
        user_id=user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        change_id=change_id,
    )
    insert(session, [fields])
    return fields


@dataclass
class AuditReport:
    """What `verify` found."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify(session: Session) -> AuditReport:
    """Walk the chain from the start; report the first entry that does not hold."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))):
        if event.seq != expected_seq:
            return AuditReport(False, checked, expected_seq, f"entry {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return AuditReport(False, checked, event.seq, "does not follow the entry before it")
        if _digest(event.model_dump()) != event.hash:
            return AuditReport(False, checked, event.seq, "its content was changed")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    return AuditReport(True, checked)
