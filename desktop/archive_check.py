"""File → Check archive…: what the window's check reads and the text its result shows.

`run_check` runs on a worker thread: the custody check (`sesame check`'s) and, as
`sesame check` does, the links of case notes that point nowhere. Those links are a
warning named after the custody summary; they never fail the check (the notes keep
them as written, `archive.notes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from archive.custody import CustodyReport
    from archive.notes import NoteLink
    from archive.store import Archive


def _tr(text: str) -> str:
    return QCoreApplication.translate("archive_check", text)


@dataclass
class CheckResult:
    """The custody report and every broken notes link with its collection's name."""

    report: CustodyReport
    broken_links: list[tuple[str, NoteLink]]

    def text(self, limit: int = 20) -> str:
        """The custody summary, then the broken notes links, at most `limit` of them."""
        lines = [self.report.summary(limit)]
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
    """The worker side of Check archive…: custody, then the case notes' links."""
    from archive import notes
    from archive.custody import check_custody

    return CheckResult(check_custody(archive), notes.broken_links(archive))
