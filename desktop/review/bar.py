"""The reader's review bar: the open article's status, assignee, verification, sensitive flag.

Above the text: a row of fields that write through the window's `Writer` as soon
as one is changed (a combo chosen, a line edited and left with Enter or Tab), each
one undoable step; and a banner, shown while something sensitive is hidden, with
the Reveal button (also `reveal.SHORTCUT` anywhere in the reader).
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive import models, review
from archive.reading import ReadingArticle
from desktop.context import AppContext
from desktop.review.reveal import SHORTCUT, Concealed


def _label(word: str) -> str:
    return word.replace("_", " ").capitalize()


class ReviewBar(QWidget):
    """Review fields of the open article, and the sensitive banner with Reveal."""

    # The person asked to reveal (or hide again) what is hidden of the open article.
    revealRequested = Signal()
    hideRequested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewBar")
        self.ctx = ctx
        self.article: ReadingArticle | None = None
        self._filling = False

        self.status_box = QComboBox()
        self.status_box.setObjectName("reviewStatus")
        self.status_box.setToolTip(self.tr("Where this article stands in your review"))
        for status in models.REVIEW_STATUSES:
            self.status_box.addItem(_label(status), status)
        self.assignee_edit = QLineEdit()
        self.assignee_edit.setObjectName("reviewAssignee")
        self.assignee_edit.setPlaceholderText(self.tr("assignee"))
        self.assignee_edit.setToolTip(self.tr("Who reviews this article (Enter to save)"))
        self.verification_box = QComboBox()
        self.verification_box.setObjectName("reviewVerification")
        self.verification_box.setToolTip(self.tr("Is what this article reports verified?"))
        for value in models.VERIFICATIONS:
            self.verification_box.addItem(_label(value), value)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("reviewNote")
        self.note_edit.setPlaceholderText(self.tr("verification note"))
        self.note_edit.setToolTip(self.tr("How it was verified, or why it is disputed"))
        self.sensitive_box = QCheckBox(self.tr("Sensitive"))
        self.sensitive_box.setObjectName("reviewSensitive")
        self.sensitive_box.setToolTip(
            self.tr("Graphic content or personal data: blurred until revealed")
        )
        self.reason_box = QComboBox()
        self.reason_box.setObjectName("reviewSensitiveReason")
        self.reason_box.setEditable(True)
        self.reason_box.addItems(["", *review.SENSITIVE_REASONS])
        self.reason_box.setToolTip(
            self.tr("Why it is sensitive (graphic, personal, or your own words)")
        )

        # Two short rows whose combos and fields may shrink: the reader sits between
        # two docks, and at 1280 pixels the window must fit (tests/desktop/
        # test_window_fits.py; one row of all five asked 434 pixels of the reader).
        for box in (self.status_box, self.verification_box, self.reason_box):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(7)
        for edit in (self.assignee_edit, self.note_edit):
            edit.setMinimumWidth(60)
        row = QHBoxLayout()
        row.setContentsMargins(12, 0, 12, 0)
        for widget, stretch in (
            (QLabel(self.tr("Review:")), 0),
            (self.status_box, 1),
            (self.verification_box, 1),
            (self.note_edit, 2),
        ):
            row.addWidget(widget, stretch)
        second = QHBoxLayout()
        second.setContentsMargins(12, 0, 12, 2)
        second.addWidget(self.sensitive_box)
        second.addWidget(self.reason_box, 1)
        second.addWidget(self.assignee_edit, 1)

        self.banner = QFrame()
        self.banner.setObjectName("sensitiveBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setStyleSheet("#sensitiveBanner { background: #fff4d6; color: #3b2f00; }")
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.reveal_button = QPushButton(self.tr("Reveal"))
        self.reveal_button.setObjectName("revealButton")
        self.reveal_button.setToolTip(self.tr("Show it for this session ({0})").format(SHORTCUT))
        self.reveal_button.clicked.connect(self._reveal_clicked)
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(8, 4, 8, 4)
        banner_row.addWidget(self.banner_label, 1)
        banner_row.addWidget(self.reveal_button)
        self.banner.hide()
        self._revealed_shown = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addLayout(second)
        layout.addWidget(self.banner)

        self.status_box.activated.connect(self._status_chosen)
        self.verification_box.activated.connect(self._verification_chosen)
        self.assignee_edit.editingFinished.connect(self._assignee_edited)
        self.note_edit.editingFinished.connect(self._note_edited)
        self.sensitive_box.clicked.connect(self._sensitive_clicked)
        self.reason_box.activated.connect(self._reason_chosen)
        self.setEnabled(False)

    # -- showing ------------------------------------------------------------

    def show_article(self, article: ReadingArticle | None) -> None:
        """Fill the fields from `article` (None: nothing open, the bar is disabled)."""
        self.article = article
        self._filling = True
        try:
            self.setEnabled(article is not None)
            if article is None:
                self.banner.hide()
                return
            self.status_box.setCurrentIndex(max(0, self.status_box.findData(article.review_status)))
            self.assignee_edit.setText(article.assignee or "")
            self.verification_box.setCurrentIndex(
                max(0, self.verification_box.findData(article.verification))
            )
            self.note_edit.setText(article.verification_note)
            self.sensitive_box.setChecked(article.sensitive)
            self.reason_box.setEditText(article.sensitive_reason)
            self.reason_box.setEnabled(article.sensitive)
        finally:
            self._filling = False

    def show_concealment(self, concealed: Concealed, sensitive_anything: bool) -> None:
        """The banner: what is hidden, with Reveal; or, once revealed, Hide again."""
        self._revealed_shown = sensitive_anything and not concealed.anything
        if concealed.anything:
            parts = []
            if concealed.article:
                reason = self.article.sensitive_reason if self.article else ""
                parts.append(
                    self.tr("This article is marked sensitive{0} and is blurred.").format(
                        f" ({reason})" if reason else ""
                    )
                )
            n = len(concealed.passages)
            if n and not concealed.article:
                parts.append(self.tr("%n sensitive passage(s) hidden.", "", n))
            self.banner_label.setText(" ".join(parts))
            self.reveal_button.setText(self.tr("Reveal"))
            self.banner.show()
        elif self._revealed_shown:
            self.banner_label.setText(self.tr("Sensitive content is shown for this session."))
            self.reveal_button.setText(self.tr("Hide again"))
            self.banner.show()
        else:
            self.banner.hide()

    def _reveal_clicked(self) -> None:
        (self.hideRequested if self._revealed_shown else self.revealRequested).emit()

    # -- writing ------------------------------------------------------------

    def _write(self, label: str, fn: Any) -> None:
        if self.article is None or self._filling:
            return
        article_id = self.article.id

        def failed(message: str) -> None:
            self.ctx.writer.failed.emit(message)
            if shiboken6.isValid(self) and self.article is not None:
                self.show_article(self.article)  # the fields show what is stored

        # The writer tells the reader and the library once committed (ctx.changed: the article row).
        self.ctx.writer.change(label, lambda ch: fn(ch, article_id), on_error=failed)

    def _status_chosen(self) -> None:
        status = self.status_box.currentData()
        if self.article is not None and status != self.article.review_status:
            self._write("Review", lambda ch, aid: review.set_review(ch, aid, status=status))

    def _verification_chosen(self) -> None:
        value = self.verification_box.currentData()
        if self.article is not None and value != self.article.verification:
            self._write("Verify", lambda ch, aid: review.verify_article(ch, aid, value))

    def _assignee_edited(self) -> None:
        name = " ".join(self.assignee_edit.text().split())
        if self.article is not None and name != (self.article.assignee or ""):
            self._write("Assign", lambda ch, aid: review.set_review(ch, aid, assignee=name))

    def _note_edited(self) -> None:
        note = self.note_edit.text().strip()
        if self.article is not None and note != self.article.verification_note:
            status = self.verification_box.currentData()
            self._write(
                "Verification note", lambda ch, aid: review.verify_article(ch, aid, status, note)
            )

    def _sensitive_clicked(self, on: bool) -> None:
        reason = self.reason_box.currentText().strip() if on else None
        self.reason_box.setEnabled(on)
        self._write("Flag", lambda ch, aid: review.flag_articles(ch, aid, on, reason))

    def _reason_chosen(self) -> None:
        reason = self.reason_box.currentText().strip()
        article = self.article
        if article is not None and article.sensitive and reason != article.sensitive_reason:
            self._write("Flag", lambda ch, aid: review.flag_articles(ch, aid, True, reason))

    def focusInEvent(self, event: Any) -> None:  # keyboard users land on the first field
        super().focusInEvent(event)
        self.status_box.setFocus(Qt.FocusReason.TabFocusReason)
