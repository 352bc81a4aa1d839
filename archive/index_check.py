"""The search index compared with the database: the half of `sesame check` after custody,
run the same way by the window's File → Check archive….

Pending changes are normal (a writable archive's index applies them first, then is
compared); what still differs (articles missing from the index, in it but not in the
archive, or indexed with outdated content) fails the check. The index is derived, never
evidence: only it may be rebuilt (`repair=True`, `sesame check --repair-index`). An
archive open read-only cannot catch its index up: an index behind the archive is then a
warning on the custody report, not compared further.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.custody import CustodyReport
    from archive.search.results import CheckReport
    from archive.store import Archive


@dataclass
class IndexCheck:
    """How the index compares with the database (`report` None: it could not be read)."""

    report: CheckReport | None
    ok: bool
    repaired: bool = False

    def to_json(self) -> dict[str, Any] | None:
        return None if self.report is None else self.report.to_json()

    def lines(self, limit: int = 10) -> list[str]:
        """The comparison for people, in a few lines (nothing if it could not be read: the
        custody report's warning says so)."""
        index = self.report
        if index is None:
            return []
        lines = [
            f"{index.articles} article(s) in the archive, {index.indexed} in the search index "
            f"(generation {index.index_generation} of {index.generation})"
            + (" after rebuilding it" if self.repaired else "")
        ]
        for label, ids in (
            ("missing from the index", index.missing),
            ("in the index but not in the archive", index.extra),
            ("indexed with outdated content", index.stale),
        ):
            if ids:
                shown = ", ".join(i[:8] for i in ids[:limit])
                lines.append(f"{len(ids)} article(s) {label}: {shown}")
        return lines


def check_index(
    archive: Archive,
    custody: CustodyReport,
    *,
    readonly_reason: str | None = None,
    elsewhere: bool = False,
    repair: bool = False,
) -> IndexCheck:
    """Compare `archive`'s index with its database; `readonly_reason`: why the archive is
    open read-only (its index then is not caught up first), `elsewhere`: another process
    has it open for writing. Warnings go on `custody`."""
    if readonly_reason is not None:
        return _read_only(archive, custody, readonly_reason, elsewhere)
    archive.index.catch_up(force=True)
    index = archive.index.check()
    repaired = False
    if not index.ok and repair:
        archive.index.rebuild()
        repaired = True
        index = archive.index.check()
    return IndexCheck(index, index.ok, repaired)


def _read_only(
    archive: Archive, custody: CustodyReport, reason: str, elsewhere: bool
) -> IndexCheck:
    """Compare the index without letting it catch up (the archive is open read-only)."""
    from archive.errors import SesameError

    try:
        index = archive.index.check()
    except (SesameError, OSError) as exc:
        custody.warn("index", "", f"The search index could not be read ({exc}).")
        return IndexCheck(None, True)
    if index.ok:
        return IndexCheck(index, True)
    if elsewhere or index.index_generation < index.generation:
        from archive.search.rows import queued_after

        with archive.read_connection() as conn:
            behind = queued_after(conn, index.index_generation)
        custody.warn(
            "index",
            "",
            f"The search index is behind the archive ({behind} changed article(s) not "
            "indexed yet): it catches up when the archive is next opened for writing; it "
            f"was not compared further ({reason}).",
        )
        return IndexCheck(index, True)
    return IndexCheck(index, False)
