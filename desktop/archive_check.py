"""File → Check archive…: what the window's check reads and the text its result shows.

`run_check` runs on a worker thread what `sesame check` runs: the custody check, the
search index compared with the database (`archive.index_check`: pending changes
applied first; an index that still differs fails the check, as it exits 1 there), and
the links of case notes that point nowhere. Those links are a warning named after the
custody summary; they never fail the check (the notes keep them as written,
`archive.notes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from archive.custody import CustodyReport
    from archive.index_check import IndexCheck
    from archive.notes import NoteLink
    from archive.store import Archive


def _tr(text: str) -> str:
    return QCoreApplication.translate("archive_check", text)


@dataclass
class CheckResult:
    """The custody report, the index comparison and every broken notes link with its
    collection's name."""

    report: CustodyReport
    index: IndexCheck
    broken_links: list[tuple[str, NoteLink]]

    @property
    def ok(self) -> bool:
        """Whether the check passed (`sesame check`'s exit status 0)."""
        return self.report.ok and self.index.ok

    @property
    def failures(self) -> int:
        """Findings that fail the check (a search index that differs counts as one)."""
        failed = sum(1 for f in self.report.findings if f.severity == "fail")
        return failed + (0 if self.index.ok else 1)

    def text(self, limit: int = 20) -> str:
        """The custody summary, the search index's comparison, then the broken notes links
        (at most `limit` of them)."""
        lines = [self.report.summary(limit), "", _tr("Search index:")]
        lines += [f"- {line}" for line in self.index.lines(limit)]
        if self.index.report is None:
            lines.append(_tr("- not compared (it could not be read: see above)"))
        elif not self.index.ok:
            lines.append(
                _tr(
                    "The search index disagrees with the archive (it is derived from it: "
                    "no evidence is affected). Rebuild it: `sesame reindex` (or `sesame "
                    "check --repair-index`)."
                )
            )
        else:
            lines.append(_tr("The search index agrees with the archive."))
        if self.broken_links:
            lines += [
                "",
                _tr(
                    "Case notes: {0} link(s) point nowhere (kept as written; they fail "
                    "nothing: fix them in Collections → Case notes…):"
                ).format(len(self.broken_links)),
            ]
            lines += [
                f"- “{name}”: sesame:{link.kind}/{link.ref} ({link.problem})"
                for name, link in self.broken_links[:limit]
            ]
            if len(self.broken_links) > limit:
                lines.append(
                    _tr("… and {0} more (`sesame check` lists them all).").format(
                        len(self.broken_links) - limit
                    )
                )
        return "\n".join(lines)


def run_check(archive: Archive) -> CheckResult:
    """The worker side of Check archive…: custody, the search index, then the case notes'
    links (the window holds the archive for writing: its index catches up first)."""
    from archive import notes
    from archive.custody import check_custody
    from archive.index_check import check_index

    report = check_custody(archive)
    return CheckResult(report, check_index(archive, report), notes.broken_links(archive))
