"""Sensitive articles and passages stay blurred until revealed, for this session only.

`RevealState.of(ctx)` holds the ids the person revealed (in memory: a new session
starts blurred again). `concealed(article, state)` says what the reader must hide:
the whole article (drawn under a blur effect) and/or the spans of sensitive
passages (drawn as solid bars: their text transparent, so neither colour nor
shape of the words shows). Offsets are code points, as everywhere.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument

from archive.reading import ReadingAnnotation, ReadingArticle, Utf16Map
from desktop.context import AppContext, one_per_context

BAR_COLOUR = QColor("#8a8f98")
BLUR_RADIUS = 14.0  # enough that no word of body text can be read (looked at, 1280x800)
SHORTCUT = "Ctrl+Shift+R"


class RevealState(QObject):
    """The articles and passages revealed in this session (never saved)."""

    changed = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self._revealed: set[str] = set()

    @classmethod
    def of(cls, ctx: AppContext) -> RevealState:
        return one_per_context(ctx, cls, "revealState")

    def is_revealed(self, ident: str) -> bool:
        return ident in self._revealed

    def reveal(self, ids: Sequence[str]) -> None:
        """Show these articles and passages until the window closes."""
        fresh = set(ids) - self._revealed
        if fresh:
            self._revealed |= fresh
            self.changed.emit()

    def hide(self, ids: Sequence[str]) -> None:
        """Blur them again."""
        gone = self._revealed & set(ids)
        if gone:
            self._revealed -= gone
            self.changed.emit()


@dataclass(frozen=True)
class Concealed:
    """What the reader hides of one article."""

    article: bool  # the whole text, under a blur
    passages: tuple[ReadingAnnotation, ...]  # sensitive passages not revealed

    @property
    def anything(self) -> bool:
        return self.article or bool(self.passages)

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(a.start, a.end) for a in self.passages if not a.orphaned]

    def hides(self, ann: ReadingAnnotation) -> bool:
        """Whether the details of `ann` must stay hidden (its quote, entity, note)."""
        return self.article or any(a.id == ann.id for a in self.passages)


NOTHING = Concealed(False, ())


def sensitive_ids(article: ReadingArticle) -> list[str]:
    """The article's id if it is sensitive, and those of its sensitive passages."""
    ids = [article.id] if article.sensitive else []
    return ids + [a.id for a in article.annotations if a.sensitive]


def concealed(article: ReadingArticle | None, state: RevealState) -> Concealed:
    """What of `article` is still hidden."""
    if article is None:
        return NOTHING
    whole = article.sensitive and not state.is_revealed(article.id)
    passages = tuple(a for a in article.annotations if a.sensitive and not state.is_revealed(a.id))
    return Concealed(whole, passages)


def bar_format() -> QTextCharFormat:
    """A hidden passage: a solid bar, its letters transparent."""
    fmt = QTextCharFormat()
    fmt.setBackground(BAR_COLOUR)
    fmt.setForeground(QColor(0, 0, 0, 0))
    fmt.setFontUnderline(False)
    return fmt


def apply_bars(
    document: QTextDocument, spans: Sequence[tuple[int, int]], offsets: Utf16Map
) -> None:
    """Draw `spans` (code points) as bars, over what is painted (after the highlights)."""
    if not spans:
        return
    fmt = bar_format()
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    try:
        for start, end in spans:
            u_start, u_end = offsets.span_to_utf16(start, end)
            cursor.setPosition(u_start)
            cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
    finally:
        cursor.endEditBlock()


def hidden_note(ann: ReadingAnnotation) -> str:
    """What a tooltip says of a hidden passage (rich text)."""
    reason = f" ({ann.sensitive_reason})" if ann.sensitive_reason else ""
    return (
        f"<b>Sensitive passage{html.escape(reason)}</b><br>"
        f"<small>Hidden: Reveal ({SHORTCUT}) shows it for this session.</small>"
    )


HIDDEN_QUOTE = "[sensitive passage — reveal in the reader]"


class QuoteMask:
    """Which quotes a panel hides: those of passages flagged sensitive, or in articles
    flagged sensitive, not revealed in this session (`RevealState`, the reader's Reveal).

    `parts` is `archive.review.sensitive_parts` of the articles the panel shows (read
    with its rows); the state is asked at each use, so a reveal needs no new read.
    """

    def __init__(
        self,
        state: RevealState,
        parts: dict[str, tuple[bool, list[tuple[str, int, int]]]] | None = None,
    ) -> None:
        self.state = state
        self.parts = parts or {}

    @classmethod
    def read(cls, ctx: AppContext, article_ids: Sequence[str]) -> QuoteMask:
        """The mask of these articles (two small queries)."""
        from archive import review

        return cls(RevealState.of(ctx), review.sensitive_parts(ctx.archive, article_ids))

    def hides(
        self, article_id: str, annotation_id: str, start: int | None = None, end: int | None = None
    ) -> bool:
        """Whether the quote of `annotation_id` (at start:end, if known) must stay hidden:
        its article is sensitive, or it is (or overlaps) a sensitive passage, unrevealed."""
        whole, passages = self.parts.get(article_id, (False, []))
        if whole and not self.state.is_revealed(article_id):
            return True
        for passage_id, s, e in passages:
            if self.state.is_revealed(passage_id):
                continue
            if passage_id == annotation_id:
                return True
            if start is not None and end is not None and s < end and start < e:
                return True
        return False

    def quote(
        self,
        text: str,
        article_id: str,
        annotation_id: str,
        start: int | None = None,
        end: int | None = None,
    ) -> str:
        """`text`, or `HIDDEN_QUOTE` while it must stay hidden."""
        return HIDDEN_QUOTE if self.hides(article_id, annotation_id, start, end) else text


def repaint(model: Any) -> None:
    """Tell a table model's views that every cell may read differently (a reveal)."""
    rows, cols = model.rowCount(), model.columnCount()
    if rows and cols:
        model.dataChanged.emit(model.index(0, 0), model.index(rows - 1, cols - 1))
