"""`sesame audit verify` and `sesame audit log`: the hash-chained log of every change."""

from __future__ import annotations

import argparse
from pathlib import Path

from archive.cli import EXIT_FAILED, EXIT_OK, AddCommand, Output, UsageError, open_archive


def cmd_audit_verify(args: argparse.Namespace, out: Output) -> int:
    from archive import audit

    with open_archive(args, write=False) as archive, archive.session() as session:
        report = audit.verify(session)
        elsewhere = locked_elsewhere(archive.path)
        cp, findings = audit.verify_checkpoint(
            session, archive.archive_id, open_elsewhere=elsewhere
        )
    failed = [f for f in findings if f.severity == "fail"]
    ok = report.ok and not failed
    doc = {
        "ok": ok,
        "checked": report.checked,
        "first_broken_seq": report.first_broken_seq,
        "reason": report.reason,
        "checkpoint": cp.to_json() if cp is not None else None,
        "checkpoint_findings": [f.to_json() for f in findings],
    }
    if out.as_json:
        out.json(doc)
    else:
        if report.ok:
            out.line(f"The audit log holds: {_entries(report.checked)} checked, no link broken.")
        else:
            out.line(
                f"The audit log is broken at entry {report.first_broken_seq}: {report.reason} "
                f"({_entries(report.checked)} before it hold)."
            )
        if cp is not None and not failed:
            out.line(f"Signed checkpoint at entry {cp.seq} ({cp.at}).")
        for finding in findings:
            label = "Does not hold" if finding.severity == "fail" else "Note"
            out.line(f"{label}: {finding.message}")
    return EXIT_OK if ok else EXIT_FAILED


def locked_elsewhere(path: Path) -> bool:
    """Whether another process holds the archive's write lock right now."""
    import filelock

    from archive.store import LOCK_NAME

    lock = filelock.FileLock(str(path / LOCK_NAME), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        return True
    except OSError:
        return False  # read-only media: nobody writes there
    lock.release()
    return False


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def cmd_audit_log(args: argparse.Namespace, out: Output) -> int:
    from sqlmodel import col, func, select

    from archive import models

    if args.limit < 1:  # LIMIT 0 printed nothing, LIMIT -1 every entry
        raise UsageError("--limit must be at least 1.")
    with open_archive(args, write=False) as archive, archive.session() as session:
        query = select(models.AuditEvent, models.User.display_name).join(
            models.User, col(models.User.id) == col(models.AuditEvent.user_id), isouter=True
        )
        if args.target:
            target = col(models.AuditEvent.target_id)
            # Literal: `startswith` makes LIKE, where _ and % are wildcards.
            query = query.where(func.substr(target, 1, len(args.target)) == args.target)
        query = query.order_by(col(models.AuditEvent.seq).desc()).limit(args.limit)
        rows = list(session.exec(query))
    rows.reverse()
    if out.as_json:
        out.json(
            [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "user_id": e.user_id,
                    "user": name,
                    "action": e.action,
                    "target_type": e.target_type,
                    "target_id": e.target_id,
                    "before": e.before,
                    "after": e.after,
                    "hash": e.hash,
                }
                for e, name in rows
            ]
        )
    else:
        for e, name in rows:
            out.line(f"{e.seq:>6}  {e.at[:19]}  {name or '?':<16} {e.action:<20} {e.target_id}")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `audit verify` and `audit log` to the `sesame` parser."""
    p = add("audit", cmd_audit_verify, "check or show the audit log of changes")

    def usage(args: argparse.Namespace, out: Output) -> int:
        raise UsageError("usage: sesame audit (verify|log) ...")

    p.set_defaults(func=usage)
    sub = p.add_subparsers(metavar="ACTION")
    for name, func, help_text in (
        ("verify", cmd_audit_verify, "check every link of the hash chain (exit 1 if broken)"),
        ("log", cmd_audit_log, "show the latest changes"),
    ):
        q = sub.add_parser(name, help=help_text, description=help_text)
        q.add_argument("--archive", metavar="DIR", default=argparse.SUPPRESS)
        q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        q.set_defaults(func=func)
        if name == "log":
            q.add_argument("--limit", type=int, default=50, metavar="N")
            q.add_argument("--target", metavar="ID", help="only changes to this id (or prefix)")
