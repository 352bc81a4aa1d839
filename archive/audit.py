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


def _digest(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "at": event.at,
        "user_id": event.user_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    if event.change_id is not None:
        # Entries written before changes existed have none and hash as they did.
        payload["change_id"] = event.change_id
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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
    last: tuple[int, str] | None = None,
) -> AuditEvent:
    """Append one entry in the caller's transaction (the write lock makes it the only writer).

    `last`: the (seq, hash) of the newest entry, when the caller knows it (a
    change writing many entries reads the chain's end once, not per entry).
    """
    if last is None:
        newest = session.exec(
            select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)
        ).first()
        if newest is not None:
            assert newest.seq is not None
            last = (newest.seq, newest.hash)
    event = AuditEvent(
        seq=last[0] + 1 if last else 1,
        at=utcnow().isoformat(),
        user_id=user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=_plain(before),
        after=_plain(after),
        prev_hash=last[1] if last else GENESIS,
        hash="",
        change_id=change_id,
    )
    event.hash = _digest(event)
    session.add(event)
    return event


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
        if _digest(event) != event.hash:
            return AuditReport(False, checked, event.seq, "its content was changed")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    return AuditReport(True, checked)
