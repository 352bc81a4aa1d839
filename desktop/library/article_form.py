"""The article details form: correct an article's record, or retract it with a reason.

It shows and edits the provenance too (issue 14): when a capture was taken,
who collected the article, with which tool, from where.

Non-blocking; what it changes goes through the window's writer as one
undoable change (`archive.articles`), so a refusal (a date that is not a
date) comes back as a message under the fields and the form stays open.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from archive import articles
from desktop.context import AppContext


class ArticleForm(QDialog):
    """Title, source, byline, published date and precision, URL, language, provenance."""

    saved = Signal(str)  # the article id, once the correction is committed

    def __init__(self, ctx: AppContext, article_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleForm")
        self.ctx = ctx
        self.article_id = article_id
        record = articles.get_article(ctx.archive, article_id)
        self.setWindowTitle(self.tr("Article details"))
        # Wide enough for a URL and a capture time to be read whole (it was 350 px).
        self.setMinimumWidth(620)
        form = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in (
            ("title", self.tr("Title")),
            ("source", self.tr("Source")),
            ("byline", self.tr("Byline")),
            ("published", self.tr("Published (2021-03-05, 2021-03 or 2021)")),
            ("url", self.tr("URL")),
            ("language", self.tr("Language (en, my, …)")),
        ):
            edit = QLineEdit(getattr(record, key) or "")
            edit.setObjectName(key)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.precision = QComboBox()
        self.precision.addItems(list(articles.PRECISIONS))
        self.precision.setCurrentText(record.published_precision)
        form.addRow(self.tr("Date precision"), self.precision)
        provenance = QLabel(self.tr("<b>Provenance</b>"))
        provenance.setObjectName("provenanceHeading")
        form.addRow(provenance)
        for key, label, hint in (
            (
                "captured_at",
                self.tr("Captured at"),
                self.tr("ISO 8601, stored as UTC: 2024-03-05T10:00:00Z or 2024-03-05 17:30+07:00"),
            ),
            ("collected_by", self.tr("Collected by"), self.tr("who collected it")),
            (
                "collected_with",
                self.tr("Collected with"),
                self.tr("the tool: auto-archiver, Hunchly, SingleFile, a browser, …"),
            ),
            ("collected_from", self.tr("Collected from"), self.tr("the URL, device or place")),
        ):
            edit = QLineEdit(getattr(record, key) or "")
            edit.setObjectName(key)
            edit.setPlaceholderText(hint)
            edit.setToolTip(hint)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.original = {k: (getattr(record, k) or "") for k in self.fields} | {
            "published_precision": record.published_precision
        }
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def changes(self) -> dict[str, Any]:
        """The fields the person changed."""
        values: dict[str, Any] = {k: e.text().strip() for k, e in self.fields.items()}
        values["published_precision"] = self.precision.currentText()
        out = {k: v for k, v in values.items() if v != self.original[k]}
        if "published" in out and "published_precision" not in out:
            out.pop("published_precision", None)  # the date's form sets it
        return out

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.accept()
            return

        def done(_record: Any) -> None:
            if shiboken6.isValid(self):
                self.saved.emit(self.article_id)
                self.accept()

        def refused(message: str) -> None:
            if shiboken6.isValid(self):
                self.problem.setText(message)

        self.ctx.writer.change(
            "Edit article",
            lambda ch: articles.edit_article(ch, self.article_id, **changes),
            on_done=done,
            on_error=refused,
        )
