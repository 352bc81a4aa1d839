"""Paint annotations into a text document: one colour per tag type, overlaps visible.

Annotations become character formats merged into the document in one edit
block (cheap to paint, unlike thousands of extra selections). Where spans
overlap, the background blends their colours and gets darker with depth, and
an underline in the outer span's colour shows that more than one is there.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument

from archive.reading import ReadingAnnotation, Utf16Map, overlap_segments

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
