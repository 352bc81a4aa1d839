"""Search results as a list model, and a delegate drawing highlighted snippets."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

HIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
MATCHES_ROLE = Qt.ItemDataRole.UserRole + 2
HTML_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex

# The archive marks matches in a snippet [[like this]].
_MARK = re.compile(r"\[\[(.+?)\]\]", re.DOTALL)


def snippet_html(snippet: str, spans: Sequence[tuple[int, int]] | None = None) -> str:
    """Safe HTML for a snippet with its matches in <mark>.

    With `spans` (code points into `snippet`, as `Hit.snippet_matches`), those
    are marked; otherwise the archive's [[...]] marks are used.
    """
    if spans:
        parts: list[str] = []
        pos = 0
        for start, end in sorted(spans):
            if start < pos:
                continue
            parts.append(html.escape(snippet[pos:start]))
            parts.append(f"<mark>{html.escape(snippet[start:end])}</mark>")
            pos = end
        parts.append(html.escape(snippet[pos:]))
        return "".join(parts)
    out: list[str] = []
    pos = 0
    for m in _MARK.finditer(snippet):
        out.append(html.escape(snippet[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group(1))}</mark>")
        pos = m.end()
    out.append(html.escape(snippet[pos:]))
    return "".join(out)


class SearchResultsModel(QAbstractListModel):
    """The hits of the last search."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[Any] = []
        self.total = 0

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
            meta = " · ".join(html.escape(str(x)) for x in (hit.source, hit.published) if x)
            title = html.escape(hit.title or "(untitled)")
            if getattr(hit, "snippet_text", ""):
                snippet = snippet_html(hit.snippet_text, hit.snippet_matches)
            else:
                snippet = snippet_html(hit.snippet or "")
            return f"<b>{title}</b><br><span class='meta'>{meta}</span><br><span>{snippet}</span>"
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.title
        return None

    def set_results(self, hits: Sequence[Any], total: int) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self.total = total
        self.endResetModel()

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
        doc.setHtml(str(index.data(HTML_ROLE) or ""))
        doc.setTextWidth(max(option.rect.width(), 200) - 8)
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
