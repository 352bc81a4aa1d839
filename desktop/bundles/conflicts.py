"""The conflicts a bundle import left, side by side, with Keep mine / Keep theirs / Keep both.

Shown in the import's report and from File → Bundle conflicts…. Each conflict
shows their version and yours (quote, entity, note, author, time); a choice
is one undoable change through the window's writer (`archive.conflicts.resolve`,
the function `sesame conflicts resolve` uses).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

CHOICES = (("mine", "Keep mine"), ("theirs", "Keep theirs"), ("both", "Keep both"))


def _resolve(ch: Any, copy_id: str, choice: str) -> Any:
    from archive import conflicts

    return conflicts.resolve(ch, copy_id, choice)


def _text(side: dict[str, Any] | None) -> str:
    if side is None:
        return "(you deleted it since)"
    lines = [f"“{side['quote']}” — {side['type_key']}"]
    if side.get("entity"):
        lines[0] += f" → {side['entity']}"
    lines.append(f"Note: {side['note']}" if side.get("note") else "No note")
    # The author is who first tagged it (a conflict copy keeps its creator): the time is
    # that version's last edit.
    lines.append(f"Tagged by {side.get('author') or '?'}; this version of {_when(side)}")
    if side.get("sent_by"):  # who sent their version (archive.conflicts.sent_by), if known
        lines.append(f"Sent by {side['sent_by']}")
    return "\n".join(lines)


def _when(side: dict[str, Any]) -> str:
    return str(side["updated_at"]).replace("T", " ")[:16] + " UTC"


class ConflictsWidget(QWidget):
    """One box per conflict: theirs beside yours, and the three choices."""

    # (copy id, choice) asked for; the owner runs it through the writer.
    resolveRequested = Signal(str, str)

    def __init__(self, conflicts: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bundleConflicts")
        self.boxes: dict[str, QGroupBox] = {}
        self.buttons: dict[str, dict[str, QPushButton]] = {}
        self.status: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for conflict in conflicts:
            layout.addWidget(self._box(conflict))
        layout.addStretch(1)

    def _box(self, conflict: Any) -> QGroupBox:
        box = QGroupBox(self.tr("Edited on both sides: “{0}”").format(conflict.copy["quote"][:60]))
        grid = QGridLayout(box)
        for column, (title, side) in enumerate(
            ((self.tr("Theirs"), conflict.copy), (self.tr("Yours"), conflict.local))
        ):
            head = QLabel(f"<b>{title}</b>")
            body = QLabel(_text(side))
            body.setTextFormat(Qt.TextFormat.PlainText)  # their words come from the bundle
            body.setWordWrap(True)
            body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(head, 0, column)
            grid.addWidget(body, 1, column)
        row = QHBoxLayout()
        status = QLabel()
        row.addWidget(status, 1)
        self.status[conflict.id] = status
        self.buttons[conflict.id] = {}
        for choice, text in CHOICES:
            if choice == "mine" and conflict.local is None:
                text = "Keep it deleted"
            button = QPushButton(self.tr(text))
            button.setObjectName(f"keep_{choice}")
            button.setAutoDefault(False)  # Enter in the report must not choose for you
            button.clicked.connect(lambda _=False, c=conflict.id, k=choice: self._ask(c, k))
            self.buttons[conflict.id][choice] = button
            row.addWidget(button)
        grid.addLayout(row, 2, 0, 1, 2)
        self.boxes[conflict.id] = box
        return box

    def _ask(self, copy_id: str, choice: str) -> None:
        for button in self.buttons[copy_id].values():
            button.setEnabled(False)
        self.status[copy_id].setText(self.tr("Resolving…"))
        self.resolveRequested.emit(copy_id, choice)

    def resolved(self, copy_id: str, choice: str) -> None:
        """The choice was committed: say so (Edit → Undo takes it back)."""
        said = {"mine": "Kept yours", "theirs": "Kept theirs", "both": "Kept both"}[choice]
        self.status[copy_id].setText(self.tr(said) + self.tr(" (Edit → Undo takes it back)"))

    def refused(self, copy_id: str, message: str) -> None:
        self.status[copy_id].setText(message)
        for button in self.buttons[copy_id].values():
            button.setEnabled(True)


class ConflictsDialog(QDialog):
    """File → Bundle conflicts…: every open conflict of this archive."""

    def __init__(self, conflicts: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bundleConflictsDialog")
        self.setWindowTitle(self.tr("Bundle conflicts"))
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        if conflicts:
            layout.addWidget(
                QLabel(self.tr("{0} passage(s) edited on both sides:").format(len(conflicts)))
            )
        else:
            layout.addWidget(QLabel(self.tr("No conflicts to resolve.")))
        self.conflicts = ConflictsWidget(conflicts)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.conflicts)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
