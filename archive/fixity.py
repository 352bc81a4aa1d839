"""Fixity (issue 14 item 4): every stored original re-hashed, and when that last ran.

`check_originals` is the custody check's own re-hashing
(`custody.rehash_originals`) alone: the fast check to run often
(`sesame check --originals`, the window's *Check originals*). Its time and
result are kept in the Meta table under `LAST_RUN_KEY`. That record is
bookkeeping, not evidence: it is written in a change that touches no tracked
row, so it is neither an undo step nor an audit entry (the audit log records
what was done to the evidence; a check changes nothing, and a check that
failed names what no longer holds, which the custody check shows again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive import models
from archive.changes import Change, changing
from archive.custody import BrokenOriginal, rehash_originals
from archive.tasks import CancelToken, ProgressFn

if TYPE_CHECKING:
    from archive.store import Archive

LAST_RUN_KEY = "fixity_last_run"


@dataclass
class FixityReport:
    """What one re-hashing of the originals found."""

    at: str  # ISO 8601 UTC, when it started
    checked: int = 0
    broken: list[BrokenOriginal] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.broken and not self.cancelled

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "at": self.at,
            "originals": self.checked,
            "cancelled": self.cancelled,
            "failed": [b.to_json() for b in self.broken],
        }

    def summary(self) -> str:
        """One sentence for people (the status bar, the command's last line)."""
        if self.cancelled:
            return f"Fixity check cancelled after {self.checked} original(s)."
        if self.broken:
            return (
                f"{len(self.broken)} of {self.checked} original(s) no longer match their SHA-256."
            )
        return f"All {self.checked} original(s) match their SHA-256."


def check_originals(
    archive: Archive,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> FixityReport:
    """Re-hash every original of `archive` (read-only)."""
    result = FixityReport(models.utcnow().isoformat())
    with archive.session() as session:
        checked, broken, cancelled = rehash_originals(session.connection(), progress, cancel)
    result.checked, result.broken, result.cancelled = checked, broken, cancelled
    return result


def record(target: Archive | Change, result: FixityReport) -> None:
    """Keep `result` as the last run (a cancelled run is not one)."""
    if result.cancelled:
        return
    value = json.dumps(
        {
            "at": result.at,
            "ok": result.ok,
            "originals": result.checked,
            "failed": [b.sha256 for b in result.broken],
        }
    )
    with changing(target, "Fixity check", origin="check", sync=False) as ch:
        ch.session.merge(models.Meta(key=LAST_RUN_KEY, value=value))


@dataclass(frozen=True)
class LastRun:
    """When the originals were last re-hashed, and what that found."""

    at: str
    ok: bool
    originals: int
    failed: list[str]


def last_run(archive: Archive) -> LastRun | None:
    """The last recorded run, or None if there was none (or its record is unreadable)."""
    return _last(archive, LAST_RUN_KEY)


def _last(archive: Archive, key: str) -> LastRun | None:
    raw = archive.meta(key)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return LastRun(
            str(data["at"]),
            bool(data["ok"]),
            int(data["originals"]),
            [str(s) for s in data.get("failed", [])],
        )
    except (ValueError, KeyError, TypeError):
        return None


# The full custody check (`sesame check`, *File → Check archive…*) keeps its last
# result beside the fixity run's, the same way (no undo step, no audit entry).
CUSTODY_KEY = "custody_last_run"


def record_custody(target: Archive | Change, ok: bool, failures: int, at: str) -> None:
    """Keep the last full custody check's time and outcome."""
    value = json.dumps({"at": at, "ok": ok, "originals": 0, "failed": [""] * failures})
    with changing(target, "Custody check", origin="check", sync=False) as ch:
        ch.session.merge(models.Meta(key=CUSTODY_KEY, value=value))


def last_custody(archive: Archive) -> LastRun | None:
    """The last full custody check recorded (`failed` has one entry per failing finding)."""
    return _last(archive, CUSTODY_KEY)
