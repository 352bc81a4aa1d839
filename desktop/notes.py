"""The case-notes editor: a collection's notes in Markdown, with a rendered preview.

`NotesEditor(ctx, collection_id)` is a window of its own (never modal): plain text
on the left, the rendered notes on the right, where a link to a passage
(`sesame:annotation/<id>`) opens it in the reader and a link to an entity opens
its first mention. "Insert link to passage" (Ctrl+K) writes a link to the passage
under the reader's cursor. Save (Ctrl+S) writes through the window's `Writer`
(one undoable step) and names the links that point nowhere. Shared by the
library (its Collections menu opens it); it imports no view.
"""

from __future__ import annotations

import html
import re
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from archive import annotate, notes
from archive.errors import SesameError
from desktop import dialogs
from desktop.context import AppContext

PREVIEW_DELAY_MS = 250  # the preview follows typing after a short pause
_BARE_LINK = re.compile(r"(?<![(\[/])" + notes.LINK.pattern)


class NotesEditor(QWidget):
    """Edit one collection's case notes; links open passages and entities."""

    def __init__(self, ctx: AppContext, collection_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("notesEditor")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ctx = ctx
        self.collection_id = collection_id
        self._passage_id = ""  # the annotation under the reader's cursor
        loaded = notes.get_notes(ctx.archive, collection_id)
        self.collection_name = loaded.collection
        self._saved = loaded.notes
        self.setWindowTitle(self.tr("Case notes — %s") % loaded.collection)

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("notesText")
        self.editor.setPlainText(loaded.notes)
        self.editor.setPlaceholderText(
            self.tr(
                "Write the case notes in Markdown. Put the reader's cursor in a tagged "
                "passage and press Ctrl+K to link to it."
            )
        )
        self.preview = QTextBrowser()
        self.preview.setObjectName("notesPreview")
        self.preview.setOpenLinks(False)  # sesame: links are ours; nothing goes online
        self.preview.anchorClicked.connect(self._link_clicked)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.editor)
        splitter.addWidget(self.preview)

        self.link_action = QAction(self.tr("Insert link to passage"), self)
        self.link_action.setShortcut(QKeySequence("Ctrl+K"))
        self.link_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.link_action.triggered.connect(self.insert_passage_link)
        self.addAction(self.link_action)
        self.save_action = QAction(self.tr("Save"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        self.link_button = QPushButton(self.tr("Insert link to passage"))
        self.link_button.setToolTip(self.tr("Link to the passage at the reader's cursor (Ctrl+K)"))
        self.link_button.clicked.connect(self.insert_passage_link)
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.clicked.connect(self.save)
        self.status_label = QLabel()
        self.status_label.setObjectName("notesStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.render_preview)
        self.editor.textChanged.connect(self._timer.start)
        self.editor.textChanged.connect(self._update_state)
        ctx.annotationAtCursor.connect(self._passage_at_cursor)
        self._passage_at_cursor("")
        self.render_preview()
        self._show_links(loaded)
        self.resize(900, 600)

    # -- state -------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether the text differs from what is saved."""
        return self.editor.toPlainText() != self._saved

    def _update_state(self) -> None:
        title = self.tr("Case notes — %s") % self.collection_name
        self.setWindowTitle(title + (" *" if self.dirty else ""))

    def _show_links(self, result: notes.CollectionNotes) -> None:
        broken = result.broken
        if broken:
            names = ", ".join(f"sesame:{b.kind}/{b.ref}" for b in broken[:3])
            more = "…" if len(broken) > 3 else ""
            self.status_label.setText(
                self.tr("%n link(s) point nowhere: ", "", len(broken)) + names + more
            )
        else:
            self.status_label.setText(self.tr("%n link(s)", "", len(result.links)))

    def _passage_at_cursor(self, annotation_id: str) -> None:
        self._passage_id = annotation_id
        self.link_action.setEnabled(bool(annotation_id))
        self.link_button.setEnabled(bool(annotation_id))

    # -- preview and links --------------------------------------------------

    def render_preview(self) -> None:
        """Draw the Markdown (raw HTML in it is shown as text, never run)."""
        text = self.editor.toPlainText()
        # Markdown's own HTML would let imported quotes style the preview: escape it.
        text = html.escape(text, quote=False).replace("&gt;", ">")
        # A bare link is made clickable too.
        text = _BARE_LINK.sub(lambda m: f"[{m.group(0)}]({m.group(0)})", text)
        self.preview.setMarkdown(text)

    def _link_clicked(self, url: QUrl) -> None:
        self.open_link(url.toString())

    def open_link(self, url: str) -> None:
        """Open a passage in the reader, or an entity's first mention; say so if neither."""
        if not url.startswith("sesame:"):
            self.status_label.setText(self.tr("Only links into the archive open here: %s") % url)
            return
        try:
            link = notes.resolve_link(self.ctx.archive, url)
        except SesameError as exc:
            self.status_label.setText(str(exc))
            return
        if not link.found:
            self.status_label.setText(self.tr("%s points nowhere (%s).") % (url, link.problem))
            return
        if link.article_id is None or link.span is None:
            self.status_label.setText(self.tr("%s has no passage tagged yet.") % link.label)
            return
        self.ctx.open_article(link.article_id, [link.span])
        self.status_label.setText(self.tr("Opened %s") % link.label)

    def insert_passage_link(self) -> None:
        """Write a link to the passage under the reader's cursor, where the caret is."""
        if not self._passage_id:
            self.status_label.setText(self.tr("Put the reader's cursor in a tagged passage first."))
            return
        try:
            ann = annotate.get_annotation(self.ctx.archive, self._passage_id)
        except SesameError as exc:
            self.status_label.setText(str(exc))
            return
        self.editor.insertPlainText(notes.passage_link(ann.id, ann.quote))
        self.editor.setFocus()

    # -- saving -------------------------------------------------------------

    def save(self) -> None:
        """Save the notes (in the background; one undoable step)."""
        text = self.editor.toPlainText()
        collection_id = self.collection_id

        def saved(result: Any) -> None:
            if not shiboken6.isValid(self):
                return
            self._saved = result.notes
            self._update_state()
            self._show_links(result)

        self.ctx.writer.change(
            f"Case notes of {self.collection_name}",
            lambda ch: notes.set_notes(ch, collection_id, text),
            on_done=saved,
            on_error=lambda message: dialogs.error(self, self.tr("Notes not saved"), message),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty and not dialogs.confirm(
            self,
            self.tr("Case notes"),
            self.tr("The notes have changes that are not saved. Close without saving?"),
        ):
            event.ignore()
            return
        super().closeEvent(event)


def open_notes(ctx: AppContext, collection_id: str, parent: QWidget | None = None) -> NotesEditor:
    """Show the notes editor of a collection (one window per collection)."""
    owner = parent or None
    if owner is not None:
        for found in owner.findChildren(NotesEditor):
            if found.collection_id == collection_id and shiboken6.isValid(found):
                found.show()
                found.raise_()
                found.activateWindow()
                return found
    editor = NotesEditor(ctx, collection_id, owner)
    editor.show()
    return editor
