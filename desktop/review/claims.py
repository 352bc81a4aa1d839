"""Claims in the window: the "Verify claim…" form and the passage actions of context menus.

`claim_actions(ctx, parent, annotation)` gives the reader's and the annotation
panel's context menus the same three entries for one passage: Verify claim…
(a small non-blocking form: status and note), Mark sensitive / Mark not
sensitive, and Reveal passage while it is hidden. Writes go through the
window's `Writer`; each is one undoable step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from archive import models, review
from desktop.context import AppContext
from desktop.review.reveal import RevealState


class ClaimDialog(QDialog):
    """Set the verification of one passage's claim, with a note (never modal)."""

    def __init__(
        self,
        ctx: AppContext,
        annotation_id: str,
        quote: str,
        verification: str,
        note: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("claimDialog")
        self.setWindowTitle(self.tr("Verify claim"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ctx = ctx
        self.annotation_id = annotation_id
        quote_label = QLabel(f"“{quote[:200]}”")
        quote_label.setTextFormat(Qt.TextFormat.PlainText)
        quote_label.setWordWrap(True)
        self.status_box = QComboBox()
        for value in models.VERIFICATIONS:
            self.status_box.addItem(value.capitalize(), value)
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(verification)))
        self.note_edit = QPlainTextEdit(note)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText(self.tr("How it was checked, or what disputes it"))
        self.note_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(quote_label)
        form.addRow(self.tr("Verification:"), self.status_box)
        form.addRow(self.tr("Note:"), self.note_edit)
        form.addRow(buttons)

    def save(self) -> None:
        status = self.status_box.currentData()
        note = self.note_edit.toPlainText().strip()
        annotation_id = self.annotation_id
        self.ctx.writer.change(
            "Verify claim", lambda ch: review.verify_claim(ch, annotation_id, status, note)
        )
        self.accept()


def open_claim_dialog(ctx: AppContext, parent: QWidget, ann: Any) -> ClaimDialog:
    """Show the form for `ann` (a ReadingAnnotation), non-blocking."""
    dialog = ClaimDialog(ctx, ann.id, ann.quote, ann.verification, ann.verification_note, parent)
    dialog.show()
    return dialog


def claim_actions(ctx: AppContext, parent: QWidget, ann: Any) -> list[QAction]:
    """Verify claim…, Mark (not) sensitive, and Reveal passage for one annotation."""
    verify = QAction(parent.tr("Verify claim…"), parent)
    verify.setObjectName("verifyClaim")
    verify.triggered.connect(lambda: open_claim_dialog(ctx, parent, ann))
    if ann.sensitive:
        flag = QAction(parent.tr("Mark not sensitive"), parent)
        flag.triggered.connect(
            lambda: ctx.writer.change(
                "Mark not sensitive", lambda ch: review.flag_annotation(ch, ann.id, False)
            )
        )
    else:
        flag = QAction(parent.tr("Mark sensitive"), parent)
        flag.triggered.connect(
            lambda: ctx.writer.change(
                "Mark sensitive", lambda ch: review.flag_annotation(ch, ann.id, True)
            )
        )
    flag.setObjectName("flagPassage")
    actions = [verify, flag]
    state = RevealState.of(ctx)
    if ann.sensitive and not state.is_revealed(ann.id):
        reveal = QAction(parent.tr("Reveal passage"), parent)
        reveal.setObjectName("revealPassage")
        reveal.triggered.connect(lambda: state.reveal([ann.id]))
        actions.append(reveal)
    return actions
