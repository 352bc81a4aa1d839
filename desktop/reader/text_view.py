"""The article text itself: read-only, selectable, highlighted, with tooltips.

Everything that crosses between this widget and the archive goes through
`Utf16Map`: Qt positions are UTF-16 code units, the archive's are code points.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QGraphicsBlurEffect,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QWidget,
)

from archive.reading import ReadingAnnotation, ReadingArticle, Utf16Map, markdown_markup
from desktop.reader.highlight import apply_highlights, apply_markup
from desktop.review.reveal import BLUR_RADIUS, NOTHING, Concealed, apply_bars, hidden_note

# Search matches and "jump to" targets, on top of tag colours: a fuchsia far
# from every tag colour (the event orange #ffb703 was once almost the same),
# underlined so a match stays visible even next to a user's own colours.
MATCH_COLOUR = QColor("#f0abfc")
MATCH_LINE = QColor("#a21caf")


def describe_annotation(ann: ReadingAnnotation) -> str:
    """One annotation as rich text for a tooltip (every value escaped)."""
    parts = [f"<b>{html.escape(ann.type_label)}</b>"]
    if ann.entity_name:
        parts.append(f": {html.escape(ann.entity_name)}")
    lines = ["".join(parts)]
    if ann.value is not None:
        value = f"{ann.value:g}"
        figure = " ".join(x for x in (ann.qualifier, value, ann.counted) if x)
        if ann.low is not None or ann.high is not None:
            low = "?" if ann.low is None else f"{ann.low:g}"
            high = "?" if ann.high is None else f"{ann.high:g}"
            figure += f", range {low}–{high}"
        if ann.as_of:
            figure += f" (as of {ann.as_of})"
        lines.append(html.escape(figure))
    if ann.note:
        lines.append(f"<i>{html.escape(ann.note)}</i>")
    who = ann.author or "unknown author"
    origin = "" if ann.origin == "manual" else f", {ann.origin}"
    lines.append(f"<small>{html.escape(who + origin)}</small>")
    if ann.orphaned:
        lines.append("<small>orphaned: its quote was not found in the text</small>")
    return "<br>".join(lines)


class ArticleTextView(QPlainTextEdit):
    """Read-only article text with annotation colours, match marks and tooltips.

    Signal: `tagKeyPressed(key_text)` when a one-letter key is pressed that
    no shortcut took (the reader maps it to a tag type). For the caret, use
    `cursorPositionChanged` with `caret_code_point()`.
    """

    tagKeyPressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.document().setUndoRedoEnabled(False)
        self.document().setDocumentMargin(12)
        self.article: ReadingArticle | None = None
        self.offsets = Utf16Map("")
        self._matches: list[tuple[int, int]] = []
        self.markup = markdown_markup("")  # the Markdown syntax drawn as rendered
        # Extra entries for the context menu (set by the reader).
        self.context_actions: Callable[[], list[QAction]] | None = None
        # Review entries for the passage under the menu (`context_point`, code points).
        self.review_actions: Callable[[], list[QAction]] | None = None
        self.context_point = 0
        # What stays hidden of a sensitive article (desktop.review.reveal).
        self.concealment: Concealed = NOTHING

    # -- content -------------------------------------------------------------

    def show_article(self, article: ReadingArticle) -> None:
        """Replace the text and paint every annotation."""
        self.article = article
        self.offsets = Utf16Map(article.text)
        self._matches = []
        self.setExtraSelections([])
        self.document().setPlainText(article.text)
        apply_highlights(self.document(), article.annotations, self.offsets, clear=False)
        self._apply_markup(article.annotations)
        self._apply_concealment()

    def repaint_annotations(self, annotations: list[ReadingAnnotation]) -> None:
        """Repaint after annotations changed, keeping scroll position and selection."""
        if self.article is None:
            return
        self.article.annotations = annotations
        bar = self.verticalScrollBar().value()
        apply_highlights(self.document(), annotations, self.offsets)
        self._apply_markup(annotations)
        self._apply_concealment()
        self.verticalScrollBar().setValue(bar)

    def set_concealment(self, concealment: Concealed) -> None:
        """Hide (or show again) a sensitive article or its passages, repainting if needed."""
        if concealment == self.concealment:
            return
        self.concealment = concealment
        if self.article is not None:
            self.repaint_annotations(self.article.annotations)
        else:
            self._apply_concealment()

    def _apply_concealment(self) -> None:
        """Passages under bars, and the whole text under a blur while the article is hidden
        (no selecting or copying it either)."""
        c = self.concealment
        apply_bars(self.document(), c.spans, self.offsets)
        effect = self.viewport().graphicsEffect()
        if c.article and not isinstance(effect, QGraphicsBlurEffect):
            blur = QGraphicsBlurEffect(self.viewport())
            blur.setBlurRadius(BLUR_RADIUS)
            self.viewport().setGraphicsEffect(blur)
        elif not c.article and effect is not None:
            self.viewport().setGraphicsEffect(None)  # type: ignore[arg-type]
        flags = Qt.TextInteractionFlag.NoTextInteraction
        if not c.article:
            flags = (
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
        if self.textInteractionFlags() != flags:
            self.setTextInteractionFlags(flags)

    @property
    def blurred(self) -> bool:
        """Whether the whole text is under the blur."""
        return isinstance(self.viewport().graphicsEffect(), QGraphicsBlurEffect)

    def _apply_markup(self, annotations: list[ReadingAnnotation]) -> None:
        """Markdown drawn as rendered; syntax a tag quotes stays visible (the text and its
        offsets are the stored ones either way)."""
        if self.article is None:
            return
        keep = [(a.start, a.end) for a in annotations if not a.orphaned]
        self.markup = markdown_markup(self.article.text, keep)
        apply_markup(self.document(), self.markup, self.offsets)

    # -- positions -----------------------------------------------------------

    def selection_span(self) -> tuple[int, int] | None:
        """The selected text as a code-point span, or None without a selection."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self.offsets.span_to_code_points(cursor.selectionStart(), cursor.selectionEnd())

    def select_span(self, start: int, end: int, *, centre: bool = True) -> None:
        """Select a code-point span and scroll it into view."""
        u_start, u_end = self.offsets.span_to_utf16(start, end)
        cursor = self.textCursor()
        cursor.setPosition(u_start)
        cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        if centre:
            self.centerCursor()
        self.ensureCursorVisible()

    def place_caret(self, position: int) -> None:
        """Put the cursor at a code-point position, with nothing selected."""
        cursor = self.textCursor()
        cursor.setPosition(self.offsets.to_utf16(position))
        self.setTextCursor(cursor)

    def code_point_at(self, pos: QPoint) -> int:
        """The code-point position under a point of the viewport."""
        return self.offsets.to_code_point(self.cursorForPosition(pos).position())

    def mark_matches(self, spans: list[tuple[int, int]]) -> None:
        """Outline search matches (code-point spans) and scroll to the first."""
        self._matches = list(spans)
        selections = []
        fmt = QTextCharFormat()
        fmt.setBackground(MATCH_COLOUR)
        fmt.setForeground(QColor("#000000"))
        fmt.setFontWeight(700)
        fmt.setFontUnderline(True)
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        fmt.setUnderlineColor(MATCH_LINE)
        for start, end in self._matches:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            u_start, u_end = self.offsets.span_to_utf16(start, end)
            cursor.setPosition(u_start)
            cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)
        self.setExtraSelections(selections)
        if self._matches:
            self.select_span(*self._matches[0])

    @property
    def matches(self) -> list[tuple[int, int]]:
        """The search matches shown (code-point spans)."""
        return list(self._matches)

    # -- events --------------------------------------------------------------

    def caret_code_point(self) -> int:
        """The cursor position as a code-point offset."""
        return self.offsets.to_code_point(self.textCursor().position())

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.article is not None:
            pos = event.pos()  # type: ignore[attr-defined]
            found = self.article.annotations_at(self.code_point_at(pos))
            if found:
                c = self.concealment
                text = "<hr>".join(
                    hidden_note(a) if c.hides(a) else describe_annotation(a) for a in found
                )
                QToolTip.showText(event.globalPos(), text, self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        plain = not (
            event.modifiers()
            & (
                Qt.KeyboardModifier.ControlModifier
                | Qt.KeyboardModifier.AltModifier
                | Qt.KeyboardModifier.MetaModifier
            )
        )
        # A tag key reaches here when no window shortcut took it (e.g. the
        # window is not active): the reader still tags, so the keyboard works.
        if plain and len(text) == 1 and text.isalnum():
            self.tagKeyPressed.emit(text.upper())
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu: QMenu = self.createStandardContextMenu(event.pos())
        self.context_point = self.code_point_at(event.pos())
        if self.context_actions is not None or self.review_actions is not None:
            extra = self.context_actions() if self.context_actions is not None else []
            if self.review_actions is not None:
                extra = [*extra, *self.review_actions()]
            actions = menu.actions()
            if extra and actions:
                menu.insertActions(actions[0], extra)
                menu.insertSeparator(actions[0])
            elif extra:
                menu.addActions(extra)
        menu.popup(event.globalPos())
        menu.aboutToHide.connect(menu.deleteLater)
