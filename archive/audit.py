"""The append-only audit log: every change, hash-chained (DESIGN "AuditEvent"), and its
signed checkpoints.

Each entry's hash covers its own content and the previous entry's hash, so
editing, inserting or deleting an entry anywhere breaks the chain from there
on; `verify` names the first broken link.

A chain cannot show that its newest entries were cut off, or that an entry
with a correct hash was appended by someone else: a **checkpoint** does. It
is the head of the log (seq, hash) signed with the user's Ed25519 key
(`archive.keys`), written by `checkpoint(archive)` when a writable archive
that wrote something closes and at each bundle export, kept in the Meta table
(key `audit_checkpoint`) and, as a last-seen note, in the user's config
folder. `verify_checkpoint` compares the log with it: entries missing at or
before the signed head (the newest one, five, or all deleted), a different
entry where the signed one was, entries after the signed head that no
checkpoint covers, a signature that does not hold.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from archive.models import AuditEvent, Meta, utcnow

if TYPE_CHECKING:
    from archive.store import Archive

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
    # Plain SQL: every change asks this and signs the head (issue 8: the ORM's queries
    # made most of a tag's 15 ms of signing at load 8).
    row = (
        session.connection()
        .exec_driver_sql("SELECT seq, hash FROM auditevent ORDER BY seq DESC LIMIT 1")
        .first()
    )
    if row is None or row[0] is None:
        return None
    return int(row[0]), str(row[1])


def _meta_value(session: Session, key: str) -> str | None:
    row = session.connection().exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,))
    value = row.scalar()
    return None if value is None else str(value)


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


# -- signed checkpoints --------------------------------------------------------------------

CHECKPOINT_KEY = "audit_checkpoint"
# Signed bytes start with this, so a checkpoint signature can never pass for a bundle's.
_SIGNED_PREFIX = b"sesame audit checkpoint v1\n"


@dataclass
class Checkpoint:
    """The head of an archive's audit log, signed.

    `seq` 0 with the genesis hash is an empty log. `unsigned` lists the
    ranges [first, last] of entries that were already in the log, not
    covered by the previous checkpoint, when the session that signed this one
    opened the archive (a crash before closing, or entries added outside
    Sesame): signed as found, never vouched for.
    """

    archive_id: str
    seq: int
    hash: str
    at: str
    public_key: str
    unsigned: list[list[int]] = field(default_factory=list)
    signature: str = ""

    def payload(self) -> bytes:
        """The bytes the signature covers (every field but the signature)."""
        fields = asdict(self)
        del fields["signature"]
        blob = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return _SIGNED_PREFIX + blob.encode("utf-8")

    def holds(self) -> bool:
        """Whether the signature is the public key's signature of the payload."""
        from archive.keys import signature_holds

        try:
            signature = base64.b64decode(self.signature, validate=True)
        except ValueError:
            return False
        return signature_holds(self.public_key, signature, self.payload())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint | None:
        """The checkpoint back from `to_json`; None if `data` is not one."""
        try:
            return cls(
                archive_id=str(data["archive_id"]),
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                at=str(data["at"]),
                public_key=str(data["public_key"]),
                unsigned=[[int(a), int(b)] for a, b in data.get("unsigned", [])],
                signature=str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def read_checkpoint(session: Session) -> tuple[Checkpoint | None, bool]:
    """(the stored checkpoint, whether a Meta row for one exists at all)."""
    value = _meta_value(session, CHECKPOINT_KEY)
    if value is None:
        return None, False
    try:
        data = json.loads(value)
    except ValueError:
        return None, True
    return Checkpoint.from_json(data), True


def head(session: Session) -> tuple[int, str]:
    """The (seq, hash) of the newest entry; (0, GENESIS) for an empty log."""
    return newest(session) or (0, GENESIS)


def _hash_at(session: Session, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    row = session.connection().exec_driver_sql("SELECT hash FROM auditevent WHERE seq = ?", (seq,))
    value = row.scalar()
    return None if value is None else str(value)


def _last_seen_path(archive_id: str) -> Path:
    from archive.paths import config_dir

    return config_dir() / "checkpoints" / f"{archive_id}.json"


def last_seen(archive_id: str) -> dict[str, Any] | None:
    """The newest head this computer signed for the archive (None if never, or unreadable)."""
    try:
        data = json.loads(_last_seen_path(archive_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
        return None
    return data


def _remember(cp: Checkpoint) -> None:
    path = _last_seen_path(cp.archive_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    doc = {"seq": cp.seq, "hash": cp.hash, "at": cp.at}
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(tmp, path)


def opened(archive: Archive) -> None:
    """Note the head of the log as a writable archive opens (`checkpoint` compares with it)."""
    with archive.session() as session:
        archive.audit_head_at_open = head(session)


def checkpoint(archive: Archive, *, only_if_written: bool = False) -> Checkpoint | None:
    """Sign the head of the audit log with the local key and store it; returns it.

    Call it at each bundle export (and `Archive.close` calls it with
    `only_if_written=True`: a session that wrote nothing signs nothing, so
    merely opening an archive never vouches for entries someone else added).
    Returns None, writing nothing, when the archive is read-only, when the
    stored checkpoint already names this head, or when the log no longer
    holds the entry the stored checkpoint signed: signing then would hide
    that entries were removed, so the evidence is left as it is.
    """
    if archive.readonly:
        return None
    # Bookkeeping, like the audit log itself: an empty change (no tracked rows, no audit
    # entry), so the checkpoint does not move the head it signs; its transaction (BEGIN
    # IMMEDIATE) keeps another thread's change from landing between reading and signing.
    with archive.change("Sign audit checkpoint", origin="checkpoint", sync=False) as ch:
        cp = sign_head(
            ch.session, at_open=archive.audit_head_at_open, only_if_written=only_if_written
        )
    if cp is not None:
        archive.audit_head_at_open = (cp.seq, cp.hash)
        # The copy in the archive is the one that counts; the note is a second witness.
        with contextlib.suppress(OSError):
            _remember(cp)
    return cp


def sign_head(
    session: Session,
    *,
    at_open: tuple[int, str] | None = None,
    only_if_written: bool = False,
) -> Checkpoint | None:
    """Sign the head of the log and store the checkpoint, in the caller's transaction.

    `checkpoint` calls it; a change may call it just before it commits (after
    its audit entries are inserted) so that no crash ever leaves a signed-for
    head behind. `at_open`: the head when the session opened the archive;
    entries up to it not covered by the stored checkpoint are recorded as
    found unsigned.
    """
    from archive.keys import public_key_text, sign

    now_head = head(session)
    previous, _ = read_checkpoint(session)
    archive_id = _meta_value(session, "archive_id") or ""
    at_open = at_open or now_head
    if only_if_written and tuple(at_open) == now_head:
        return None
    unsigned: list[list[int]] = []
    covered = 0
    if previous is not None:
        if not previous.holds() or previous.archive_id != archive_id:
            return None
        if _hash_at(session, previous.seq) != previous.hash:
            return None
        if previous.seq == now_head[0] and previous.hash == now_head[1]:
            return None
        unsigned = [list(r) for r in previous.unsigned]
        covered = previous.seq
    if at_open[0] > covered:
        unsigned.append([covered + 1, at_open[0]])
    cp = Checkpoint(
        archive_id=archive_id,
        seq=now_head[0],
        hash=now_head[1],
        at=utcnow().isoformat(),
        public_key=public_key_text(),
        unsigned=unsigned,
    )
    cp.signature = base64.b64encode(sign(cp.payload())).decode("ascii")
    value = json.dumps(cp.to_json(), sort_keys=True)
    session.flush()  # the ORM's pending rows first, as the ORM's own write did
    session.connection().exec_driver_sql(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (CHECKPOINT_KEY, value),
    )
    # A Meta object of the session still holding the old checkpoint reads it again.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Meta) and obj.key == CHECKPOINT_KEY:
            session.expire(obj)
    return cp


@dataclass
class CheckpointFinding:
    """One thing `verify_checkpoint` found: "fail" (exit 1) or "warn" (reported only)."""

    severity: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"severity": self.severity, "message": self.message}


def _span(first: int, last: int) -> str:
    return f"entry {first}" if first == last else f"entries {first}–{last}"


def signer_name(session: Session, public_key: str) -> str | None:
    """Who holds `public_key`: you, a known contact, or a user of this archive (else None)."""
    from archive.keys import contact_for, public_key_text
    from archive.models import User

    try:
        if public_key == public_key_text():
            return "you (this computer's key)"
    except (OSError, ValueError):
        pass
    try:
        contact = contact_for(public_key)
    except (OSError, ValueError):
        contact = None
    if contact is not None:
        return f"{contact.name} (a known contact)"
    user = session.exec(select(User).where(User.public_key == public_key)).first()
    return f"{user.display_name} (a user of this archive)" if user is not None else None


def verify_checkpoint(
    session: Session,
    archive_id: str,
    *,
    open_elsewhere: bool = False,
    written_after: int | None = None,
) -> tuple[Checkpoint | None, list[CheckpointFinding]]:
    """Compare the log with its signed checkpoint (and this computer's last-seen note).

    `open_elsewhere`: another process holds the archive open for writing, so
    entries after the checkpoint are its unfinished session (a warning, not
    a failure). `written_after`: the caller has the archive open for writing
    and wrote the entries after this seq itself (they are signed when it
    closes).
    """
    findings: list[CheckpointFinding] = []

    def fail(message: str) -> None:
        findings.append(CheckpointFinding("fail", message))

    def warn(message: str) -> None:
        findings.append(CheckpointFinding("warn", message))

    log_end, _ = head(session)
    # Entries the caller's own open session wrote are signed when it closes.
    now_seq = log_end if written_after is None else min(log_end, written_after)
    cp, present = read_checkpoint(session)
    if cp is None:
        if present:
            fail("The audit checkpoint is unreadable: it was changed outside Sesame.")
        elif now_seq > 0:
            message = (
                f"The audit log has {now_seq} entries but no signed checkpoint, so its "
                "newest entries cannot be vouched for (the checkpoint was removed, or the "
                "archive was never closed by a Sesame that signs checkpoints)."
            )
            (warn if open_elsewhere else fail)(message)
    else:
        _check_against(session, cp, archive_id, now_seq, open_elsewhere, fail, warn)
    seen = last_seen(archive_id)
    if seen is not None:
        seq, digest = int(seen["seq"]), str(seen.get("hash", ""))
        if seq > log_end:
            warn(
                f"This computer signed the log up to entry {seq} on {seen.get('at', '?')}, "
                f"but it ends at entry {log_end}: this is an older copy of the archive, "
                "or its newest entries were removed."
            )
        elif _hash_at(session, seq) != digest:
            fail(
                f"Entry {seq} is not the one this computer signed on {seen.get('at', '?')}: "
                "the log was rewritten (or this is a copy that was changed separately)."
            )
    return cp, findings


def _check_against(
    session: Session,
    cp: Checkpoint,
    archive_id: str,
    now_seq: int,
    open_elsewhere: bool,
    fail: Any,
    warn: Any,
) -> None:
    if not cp.holds():
        fail(
            f"The signature of the audit checkpoint (entry {cp.seq}) does not hold: "
            "the checkpoint was changed outside Sesame."
        )
        return
    if cp.archive_id != archive_id:
        fail(f"The audit checkpoint belongs to another archive ({cp.archive_id}).")
        return
    if signer_name(session, cp.public_key) is None:
        warn(
            "The audit checkpoint is signed by a key that is not yours, a known contact's "
            "or a user's of this archive."
        )
    stored = _hash_at(session, cp.seq)
    if stored is None:
        if now_seq == 0:
            fail(
                f"Every audit entry was deleted: the checkpoint signed on {cp.at} vouches "
                f"for {cp.seq} entries and the log is empty."
            )
        else:
            fail(
                f"The newest audit entries were deleted: the checkpoint signed on {cp.at} "
                f"vouches for entry {cp.seq}, but the log ends at entry {now_seq} "
                f"({_span(now_seq + 1, cp.seq)} missing)."
                if now_seq < cp.seq
                else f"Entry {cp.seq}, signed by the checkpoint on {cp.at}, is missing."
            )
    elif stored != cp.hash:
        fail(
            f"Entry {cp.seq} is not the entry the checkpoint signed on {cp.at}: "
            "the log was rewritten from there."
        )
    if now_seq > cp.seq and stored is not None:
        message = (
            f"{_span(cp.seq + 1, now_seq)} of the audit log are not covered by a signed "
            f"checkpoint (the last one, {cp.at}, ends at entry {cp.seq})"
        )
        if open_elsewhere:
            warn(message + ": the archive is open for writing elsewhere; it signs on closing.")
        else:
            fail(
                message + ": added outside Sesame, or Sesame stopped before closing the "
                "archive (a crash)."
            )
    for first, last in cp.unsigned:
        warn(
            f"{_span(first, last)} were not covered by a checkpoint when the archive was "
            f"next opened for writing (a crash before closing, or entries added outside "
            f"Sesame); they are not vouched for."
        )
