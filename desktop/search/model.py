"""Search results as a list model, and a delegate drawing highlighted snippets."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFontMetricsF,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from archive import segment

HIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
MATCHES_ROLE = Qt.ItemDataRole.UserRole + 2
HTML_ROLE = Qt.ItemDataRole.UserRole + 3
# (head HTML, snippet text, match spans): for a delegate that lays the snippet out itself.
SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 4

Index = QModelIndex | QPersistentModelIndex

# The archive marks matches in a snippet [[like this]].
_MARK = re.compile(r"\[\[(.+?)\]\]", re.DOTALL)
_MYANMAR = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")


def _plain(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet with the archive's [[...]] marks taken out, and their spans."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = length = 0
    for m in _MARK.finditer(snippet):
        out.append(snippet[pos : m.start()])
        length += m.start() - pos
        out.append(m.group(1))
        spans.append((length, length + len(m.group(1))))
        length += len(m.group(1))
        pos = m.end()
    out.append(snippet[pos:])
    return "".join(out), spans


def snippet_html(
    snippet: str,
    spans: Sequence[tuple[int, int]] | None = None,
    breaks: Iterable[int] = (),
) -> str:
    """Safe HTML for a snippet with its matches in <mark>.

    With `spans` (code points into `snippet`, as `Hit.snippet_matches`), those
    are marked; otherwise the archive's [[...]] marks are used. `breaks`
    (code points, without marks) start new lines there (`wrap_points`).
    """
    if not spans:
        snippet, spans = _plain(snippet)
    cuts = sorted({0, len(snippet), *(b for b in breaks if 0 < b < len(snippet))})
    for start, end in spans:
        cuts += [start, end]
    cuts = sorted(set(cuts))
    marked = [(s, e) for s, e in sorted(spans)]
    newline = set(breaks)
    parts: list[str] = []
    for start, end in pairwise(cuts):
        if start in newline:
            parts.append("<br>")
        piece = html.escape(snippet[start:end])
        inside = any(s <= start and end <= e for s, e in marked)
        parts.append(f"<mark>{piece}</mark>" if inside else piece)
    return "".join(parts)


def wrap_points(text: str, metrics: QFontMetricsF, width: float) -> list[int]:
    """Where to start new lines so that `text` fits `width` pixels, breaking only where
    `segment.line_breaks` allows (never inside a Burmese syllable); a unit wider than
    the line stays whole."""

    def fits(start: int, end: int) -> bool:
        return metrics.horizontalAdvance(text[start:end].rstrip()) <= width

    breaks: list[int] = []
    start = last_fit = 0  # the line's start; the furthest break point that still fits
    for point in [*segment.line_breaks(text), len(text)]:
        if fits(start, point):
            last_fit = point
            continue
        cut = last_fit if last_fit > start else point  # a unit too wide stays whole
        if cut < len(text):
            breaks.append(cut)
        start = last_fit = cut
        if fits(start, point):
            last_fit = point
        elif point < len(text):
            breaks.append(point)  # the unit alone is wider than the line
            start = last_fit = point
    return breaks


def _head(hit: Any) -> str:
    """A hit's title and source line, as HTML (before its snippet)."""
    meta = " · ".join(html.escape(str(x)) for x in (hit.source, hit.published) if x)
    title = html.escape(hit.title or "(untitled)")
    return f"<b>{title}</b><br><span class='meta'>{meta}</span><br>"


def _hit_snippet(hit: Any) -> tuple[str, list[tuple[int, int]]]:
    """A hit's snippet as plain text and the spans of its matches."""
    if getattr(hit, "snippet_text", ""):
        return hit.snippet_text, [tuple(m) for m in (hit.snippet_matches or [])]
    return _plain(hit.snippet or "")


HIDDEN_SNIPPET = "(sensitive: open the article and Reveal it to read this passage)"


class SearchResultsModel(QAbstractListModel):
    """The hits of the last search."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[Any] = []
        self.total = 0
        # Hits whose snippet shows sensitive words not revealed (desktop.review.reveal).
        self.hidden: set[str] = set()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title or "(untitled)"
        if role == HIT_ID_ROLE:
            return hit.id
        if role == MATCHES_ROLE:
            return [tuple(m) for m in (hit.matches or [])]
        if role == HTML_ROLE:
            text, spans = self._snippet(hit)
            return f"{_head(hit)}<span>{snippet_html(text, spans)}</span>"
        if role == SNIPPET_ROLE:
            return _head(hit), *self._snippet(hit)
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.title
        return None

    def _snippet(self, hit: Any) -> tuple[str, list[tuple[int, int]]]:
        if hit.id in self.hidden:
            return HIDDEN_SNIPPET, []
        return _hit_snippet(hit)

    def set_results(self, hits: Sequence[Any], total: int, hidden: set[str] | None = None) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self.total = total
        self.hidden = set(hidden or ())
        self.endResetModel()

    def set_hidden(self, hidden: set[str]) -> None:
        """Hide (or show again) the snippets of these hits."""
        if hidden != self.hidden:
            self.hidden = set(hidden)
            if self.hits:
                self.dataChanged.emit(self.index(0), self.index(len(self.hits) - 1))

    def clear(self) -> None:
        self.set_results([], 0)


class SnippetDelegate(QStyledItemDelegate):
    """Draws a hit as title, source and date, and a snippet with marked matches."""

    def _document(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        mark = QColor("#ffe08a")  # a marker pen: readable on light and dark rows
        meta = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        doc.setDefaultStyleSheet(
            f"mark {{ background-color: {mark.name()}; color: black; }} "
            f".meta {{ color: {meta.name()}; }}"
        )
        width = max(option.rect.width(), 200) - 8
        head, text, spans = index.data(SNIPPET_ROLE) or ("", "", [])
        breaks: list[int] = []
        if _MYANMAR.search(text):
            # Qt would wrap Burmese inside a syllable: the lines are cut here instead.
            usable = width - 2 * doc.documentMargin() - 2
            breaks = wrap_points(text, QFontMetricsF(option.font), usable)
        doc.setHtml(f"{head}<span>{snippet_html(text, spans, breaks)}</span>")
        doc.setTextWidth(width)
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        option_text = option.text
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        option.text = option_text
        doc = self._document(option, index)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            ctx.palette.setColor(
                QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText)
            )
        else:
            ctx.palette.setColor(
                QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.Text)
            )
        painter.save()
        painter.translate(option.rect.left() + 4, option.rect.top() + 2)
        painter.setClipRect(QRectF(0, 0, option.rect.width() - 4, option.rect.height()))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        self.initStyleOption(option, index)
        doc = self._document(option, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 6)
