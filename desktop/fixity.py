"""Fixity in the window: *File → Check originals* re-hashes every original in the background
(progress, cancel), and the status bar says when that last ran and what it found."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

from archive import fixity
from desktop import dialogs
from desktop.context import AppContext


class FixityController(QObject):
    """The *Check originals* action and the status-bar label of the last run."""

    def __init__(self, ctx: AppContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.action = QAction(self.tr("Check &originals (fixity)…"), window)
        self.action.setObjectName("fixityAction")
        self.action.setToolTip(
            self.tr("Re-hash every original and name any whose bytes no longer match")
        )
        self.action.triggered.connect(self.run)
        self.label = QLabel()
        self.label.setObjectName("fixityLabel")
        # Never what makes the window wider than a small screen: it gives way first.
        self.label.setMinimumWidth(40)  # below its text's width: it is cut, not the window
        self.running = False
        self.refresh()

    def refresh(self) -> None:
        """Show the last recorded run (read from the archive's Meta table)."""
        last = fixity.last_run(self.ctx.archive)
        if last is None:
            self.label.setText(self.tr("Originals: never checked"))
            self.label.setToolTip(self.tr("File → Check originals re-hashes every original"))
            self._add_custody()
            return
        when = _ago(last.at)
        if last.ok:
            self.label.setText(self.tr("Originals hold · checked %s") % when)
        else:
            self.label.setText(
                self.tr("⚠ %d original(s) changed · checked %s") % (len(last.failed), when)
            )
        self.label.setToolTip(
            self.tr("Last fixity check: %s UTC, %d original(s) re-hashed")
            % (last.at[:19].replace("T", " "), last.originals)
        )
        self._add_custody()

    def _add_custody(self) -> None:
        """The last full custody check (File → Check archive…), after the fixity run."""
        custody = fixity.last_custody(self.ctx.archive)
        if custody is None:
            return
        when = _ago(custody.at)
        if custody.ok:
            text = self.tr("archive holds · checked %s") % when
        else:
            text = self.tr("⚠ archive check failed %s") % when
        self.label.setText(f"{self.label.text()} · {text}")
        self.label.setToolTip(
            self.label.toolTip()
            + "\n"
            + self.tr("Last custody check (File → Check archive…): %s UTC")
            % custody.at[:19].replace("T", " ")
        )

    def run(self) -> None:
        """Re-hash the originals off the GUI thread; record and show the result."""
        if self.running:
            return
        self.running = True
        self.label.setText(self.tr("Originals: checking…"))
        self.ctx.tasks.run(
            self.tr("Checking originals"),
            fixity.check_originals,
            self.ctx.archive,
            on_result=self._checked,
            on_error=self._failed,
            on_cancelled=self._cancelled,
        )

    def _checked(self, result: fixity.FixityReport) -> None:
        self.running = False
        if result.cancelled:
            self._cancelled()
            return
        self.ctx.writer.change(
            "Fixity check",
            lambda ch: fixity.record(ch, result),
            origin="check",
            on_done=lambda _r: self.refresh() if shiboken6.isValid(self.label) else None,
            on_error=lambda message: dialogs.error(
                self.window, self.tr("Check originals"), message
            ),
        )
        title = self.tr("Check originals")
        if result.ok:
            self.window.statusBar().showMessage(result.summary(), 8000)  # type: ignore[attr-defined]
            return
        lines = [result.summary(), ""]
        lines += [f"- {b.message()}" for b in result.broken[:20]]
        if len(result.broken) > 20:
            lines.append(f"… and {len(result.broken) - 20} more (sesame check --originals).")
        lines += [
            "",
            "Nothing was changed: keep the archive as it is, and compare it with a backup "
            "or the bundles you received.",
        ]
        dialogs.error(self.window, title, "\n".join(lines))

    def _failed(self, message: str, _details: str = "") -> None:
        self.running = False
        self.refresh()
        dialogs.error(self.window, self.tr("Check originals"), message)

    def _cancelled(self, *_args: Any) -> None:
        self.running = False
        self.refresh()


def _ago(at: str) -> str:
    """ "just now", "5 min ago", "3 h ago", "2 days ago" for an ISO time."""
    try:
        then = datetime.fromisoformat(at)
    except ValueError:
        return at
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    seconds = max(0.0, (datetime.now(UTC) - then).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"
