"""Paint annotations into a text document: one colour per tag type, overlaps visible.

Annotations become character formats merged into the document in one edit
block (cheap to paint, unlike thousands of extra selections). Where spans
overlap, the background blends their colours and gets darker with depth, and
an underline in the outer span's colour shows that more than one is there.

`apply_markup` draws a Markdown text as rendered (`archive.reading.markdown_markup`):
its syntax hidden (a hair-thin, transparent font: the characters stay, so every
offset still counts them), syntax an annotation quotes dimmed, headings bold.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument

from archive.reading import Markup, ReadingAnnotation, Utf16Map, overlap_segments

# Pastel tag colours need dark text to stay readable in a dark theme too.
HIGHLIGHT_TEXT = QColor("#111111")


def blend(colours: Sequence[str]) -> QColor:
    """The average of `colours`, darkened a little for each extra layer."""
    qcolours = [QColor(c) for c in colours] or [QColor("#cccccc")]
    n = len(qcolours)
    r = sum(c.red() for c in qcolours) // n
    g = sum(c.green() for c in qcolours) // n
    b = sum(c.blue() for c in qcolours) // n
    mixed = QColor(r, g, b)
    return mixed.darker(100 + 12 * (n - 1)) if n > 1 else mixed


def segment_format(colours: Sequence[str]) -> QTextCharFormat:
    """The format of a piece of text covered by annotations of these colours (outer first)."""
    fmt = QTextCharFormat()
    fmt.setBackground(blend(colours))
    fmt.setForeground(HIGHLIGHT_TEXT)
    if len(colours) > 1:
        fmt.setFontUnderline(True)
        fmt.setUnderlineColor(QColor(colours[0]).darker(160))
        if len(colours) > 2:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    return fmt


def apply_highlights(
    document: QTextDocument,
    annotations: Sequence[ReadingAnnotation],
    offsets: Utf16Map,
    *,
    clear: bool = True,
) -> int:
    """Colour every annotation into `document`; returns the number of pieces painted.

    Orphaned annotations are left out: their quote is no longer where their
    offsets point (the annotation panel lists them, flagged).
    """
    annotations = [a for a in annotations if not a.orphaned]
    segments = overlap_segments([(a.start, a.end) for a in annotations])
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    try:
        if clear:
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.setCharFormat(QTextCharFormat())
        cache: dict[tuple[str, ...], QTextCharFormat] = {}
        for start, end, covering in segments:
            colours = tuple(annotations[i].colour for i in covering)
            fmt = cache.get(colours)
            if fmt is None:
                fmt = cache[colours] = segment_format(colours)
            u_start, u_end = offsets.span_to_utf16(start, end)
            cursor.setPosition(u_start)
            cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(fmt)
    finally:
        cursor.endEditBlock()
    return len(segments)


def _merge(document: QTextDocument, spans: Sequence[tuple[int, int]], fmt: QTextCharFormat,
           offsets: Utf16Map, cursor: QTextCursor) -> None:  # fmt: skip
    for start, end in spans:
        u_start, u_end = offsets.span_to_utf16(start, end)
        cursor.setPosition(u_start)
        cursor.setPosition(u_end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(fmt)


def apply_markup(document: QTextDocument, markup: Markup, offsets: Utf16Map) -> None:
    """Draw Markdown as rendered, over the annotation colours (after `apply_highlights`)."""
    if not (markup.hidden or markup.dimmed or markup.headings or markup.strong):
        return
    hidden = QTextCharFormat()
    hidden.setForeground(QColor(Qt.GlobalColor.transparent))
    hidden.setFontPointSize(1)
    dimmed = QTextCharFormat()
    dimmed.setForeground(QColor("#8a8f98"))
    heading = QTextCharFormat()
    heading.setFontWeight(QFont.Weight.Bold)
    heading.setFontPointSize(document.defaultFont().pointSizeF() * 1.25)
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    try:
        _merge(document, markup.headings, heading, offsets, cursor)
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        _merge(document, markup.strong, bold, offsets, cursor)
        _merge(document, markup.hidden, hidden, offsets, cursor)
        _merge(document, markup.dimmed, dimmed, offsets, cursor)
    finally:
        cursor.endEditBlock()
