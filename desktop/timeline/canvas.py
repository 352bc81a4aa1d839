"""The timeline canvas: events drawn on a time axis, in lanes, only the part in view.

A custom-painted scroll area (`QAbstractScrollArea`): the horizontal bar
moves in time, the vertical one through the lanes. A paint looks at the
lanes in view and, in each, bisects to the first event still running at
the left edge (see `desktop.timeline.layout`), so a frame costs what is
visible, not what is loaded (bench/timeline_bench.py: 10,000 events).

Precision is drawn, not hidden: a day is a narrow solid bar (at least a few
pixels wide, a tick when zoomed out), a week, month, year or range a
translucent band as wide as the time it covers, its edges marked. Ctrl+wheel or
+ / - zoom around the pointer (the keys: the chosen event, or the middle), the
wheel scrolls the lanes, Shift+wheel and the arrow keys move in time, 0 fits
everything. A click selects an event (`eventClicked`); hovering shows its name
and dates. Zoomed far out, events of a lane closer than a pixel are drawn as
one solid mark, unlabelled.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QStaticText,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from desktop.timeline.layout import Layout

AXIS_H = 34  # the axis band at the top, pixels
LANE_H = 22  # one lane
BAR_H = 16  # an event's bar within its lane
MIN_BAR = 3  # a day is never drawn narrower than this
PAD_DAYS = 3  # blank days before the first and after the last event
MIN_PPD = 0.005  # pixels per day: ~55 years across 100 pixels
MAX_PPD = 400.0
MAX_WIDTH = 2_000_000_000  # a scroll bar's range is an int
BAND_PRECISIONS = ("week", "month", "year", "range")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class TimelineCanvas(QAbstractScrollArea):
    """Draws a `Layout`; emits `eventClicked(event_id)` ("" when a click hits nothing)."""

    eventClicked = Signal(str)
    zoomed = Signal(float)  # the new pixels per day

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(AXIS_H + 3 * LANE_H)
        self.layout_ = Layout()
        self.ppd = 4.0
        self.origin = 0  # the day at x = 0 of the whole (unscrolled) drawing
        self.selected: str | None = None
        self._selected_index: int | None = None
        self._labels: dict[tuple[int, int], QStaticText] = {}
        self.setAccessibleName(self.tr("Timeline of events"))

    # -- data and geometry -------------------------------------------------------------

    def set_layout(self, layout: Layout, *, keep_view: bool = False) -> None:
        """Show `layout`; fit it to the width unless `keep_view` (a refresh after a change)."""
        centre = self.day_at(self.viewport().width() / 2) if keep_view else None
        self.layout_ = layout
        self._labels = {}
        first, _last = layout.day_range
        self.origin = first - PAD_DAYS
        self._selected_index = layout.index_of(self.selected) if self.selected else None
        if self._selected_index is None:
            self.selected = None
        if centre is None:
            self.fit()
        else:
            self._update_bars()
            self.centre_on(centre)
        self.viewport().update()

    def span_days(self) -> int:
        first, last = self.layout_.day_range
        return last - first + 1 + 2 * PAD_DAYS

    def _update_bars(self) -> None:
        width = self.viewport().width()
        total = int(self.span_days() * self.ppd)
        h = self.horizontalScrollBar()
        h.setRange(0, max(0, total - width))
        h.setPageStep(max(1, width))
        h.setSingleStep(max(1, width // 20))
        v = self.verticalScrollBar()
        lanes_h = self.layout_.lanes * LANE_H + LANE_H // 2
        v.setRange(0, max(0, lanes_h - (self.viewport().height() - AXIS_H)))
        v.setPageStep(max(1, self.viewport().height() - AXIS_H))
        v.setSingleStep(LANE_H)

    def x_of(self, day: float) -> float:
        """The viewport x of the start of `day`."""
        return (day - self.origin) * self.ppd - self.horizontalScrollBar().value()

    def day_at(self, x: float) -> float:
        """The day (fractional) under viewport x."""
        return self.origin + (x + self.horizontalScrollBar().value()) / self.ppd

    def centre_on(self, day: float) -> None:
        """Scroll so that `day` is in the middle."""
        width = self.viewport().width()
        self.horizontalScrollBar().setValue(int((day - self.origin) * self.ppd - width / 2))

    def fit(self) -> None:
        """Zoom so that every event fits the width."""
        width = max(50, self.viewport().width())
        self.ppd = self._clamp(width / self.span_days())
        self._update_bars()
        self.horizontalScrollBar().setValue(0)
        self.viewport().update()
        self.zoomed.emit(self.ppd)

    def _clamp(self, ppd: float) -> float:
        most = min(MAX_PPD, MAX_WIDTH / max(1, self.span_days()))
        return max(MIN_PPD, min(most, ppd))

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom by `factor` keeping the day under `anchor_x` (default: the middle) still."""
        if anchor_x is None:
            anchor_x = self.viewport().width() / 2
        day = self.day_at(anchor_x)
        new = self._clamp(self.ppd * factor)
        if new == self.ppd:
            return
        self.ppd = new
        self._update_bars()
        self.horizontalScrollBar().setValue(int((day - self.origin) * self.ppd - anchor_x))
        self.viewport().update()
        self.zoomed.emit(self.ppd)

    def select(self, event_id: str | None) -> None:
        """Mark an event as chosen (and scroll it into view)."""
        self.selected = event_id
        self._selected_index = self.layout_.index_of(event_id) if event_id else None
        i = self._selected_index
        if i is not None:
            x0, x1 = self.x_of(self.layout_.first[i]), self.x_of(self.layout_.last[i] + 1)
            if x1 < 0 or x0 > self.viewport().width():
                self.centre_on((self.layout_.first[i] + self.layout_.last[i] + 1) / 2)
            top = self.layout_.lane[i] * LANE_H
            v = self.verticalScrollBar()
            if not v.value() <= top <= v.value() + v.pageStep() - LANE_H:
                v.setValue(top - v.pageStep() // 2)
        self.viewport().update()

    def event_at(self, pos: QPoint) -> int | None:
        """The index of the event drawn at `pos` (viewport coordinates), if any."""
        if pos.y() < AXIS_H:
            return None
        lane = (pos.y() - AXIS_H + self.verticalScrollBar().value()) // LANE_H
        if not 0 <= lane < self.layout_.lanes:
            return None
        day = self.day_at(pos.x())
        # A bar is at least MIN_BAR pixels wide: allow that much slack on the left.
        slack = MIN_BAR / self.ppd
        lasts = self.layout_.lane_last[lane]
        k = bisect_left(lasts, int(day - slack))
        events = self.layout_.lane_events[lane]
        firsts = self.layout_.lane_first[lane]
        best = None
        while k < len(events) and firsts[k] <= day:
            i = events[k]
            if firsts[k] <= day < self.layout_.last[i] + 1 + slack:
                best = i
            k += 1
        return best

    # -- drawing -------------------------------------------------------------------------

    def visible_events(self) -> list[int]:
        """The indices of the events in view now (what a paint draws)."""
        out: list[int] = []
        width, height = self.viewport().width(), self.viewport().height()
        d0, d1 = self.day_at(0) - MIN_BAR / self.ppd, self.day_at(width)
        top = self.verticalScrollBar().value()
        first_lane = max(0, top // LANE_H)
        last_lane = min(self.layout_.lanes - 1, (top + height - AXIS_H) // LANE_H)
        for lane in range(first_lane, last_lane + 1):
            firsts = self.layout_.lane_first[lane]
            events = self.layout_.lane_events[lane]
            k = bisect_left(self.layout_.lane_last[lane], int(d0))
            while k < len(events) and firsts[k] <= d1:
                out.append(events[k])
                k += 1
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        pal = self.palette()
        painter.fillRect(self.viewport().rect(), pal.color(QPalette.ColorRole.Base))
        self._paint_events(painter, pal)
        self._paint_axis(painter, pal)
        painter.end()

    def _paint_events(self, painter: QPainter, pal: QPalette) -> None:
        lay = self.layout_
        width, height = self.viewport().width(), self.viewport().height()
        top = self.verticalScrollBar().value()
        ppd = self.ppd
        off = -self.origin * ppd - self.horizontalScrollBar().value()  # x = day * ppd + off
        d0, d1 = (-off - MIN_BAR) / ppd, (width - off) / ppd
        far = width + 400.0
        accent = pal.color(QPalette.ColorRole.Highlight)
        band_fill = QColor(accent)
        band_fill.setAlpha(70)
        fm = painter.fontMetrics()
        text_dy = (BAR_H - fm.height()) / 2
        labels: list[tuple[float, float, QStaticText]] = []
        edges: list[QLineF] = []
        painter.setClipRect(QRect(0, AXIS_H, width, height - AXIS_H))
        first_lane = max(0, top // LANE_H)
        last_lane = min(lay.lanes - 1, (top + height - AXIS_H) // LANE_H)
        for lane in range(first_lane, last_lane + 1):
            y = AXIS_H + lane * LANE_H - top + (LANE_H - BAR_H) // 2
            firsts, lasts = lay.lane_first[lane], lay.lane_last[lane]
            events = lay.lane_events[lane]
            n = len(events)
            k = bisect_left(lasts, int(d0))
            while k < n and firsts[k] <= d1:
                i = events[k]
                x0 = firsts[k] * ppd + off
                x1 = (lasts[k] + 1) * ppd + off
                if x1 < x0 + MIN_BAR:
                    x1 = x0 + MIN_BAR
                first_k = k
                k, x1 = _run_end(firsts, lasts, k + 1, x1, ppd, off)
                single = k - first_k == 1
                next_x = firsts[k] * ppd + off if k < n else far
                left = x0 if x0 > -2.0 else -2.0
                right = x1 if x1 < width + 2.0 else width + 2.0
                rect = QRectF(left, y, right - left if right - left > 1 else 1.0, BAR_H)
                band = single and lay.events[i].precision in BAND_PRECISIONS
                if band:
                    painter.fillRect(rect, band_fill)
                    if x0 >= -2:  # the band's true edges, where they are in view
                        edges.append(QLineF(x0, y, x0, y + BAR_H - 1))
                    if x1 <= width + 2:
                        edges.append(QLineF(x1 - 1, y, x1 - 1, y + BAR_H - 1))
                else:
                    painter.fillRect(rect, accent)
                if not single:
                    continue
                # The name from the bar's start (or the left edge) until the next event
                # of the lane: bands hold it inside, a day bar has it after.
                text_x = max(x0 + 3 if band else x1 + 3, 2.0)
                room = int(min(next_x, far) - text_x - 4)
                if room > 12:
                    labels.append((text_x, y + text_dy, self._label(i, room, fm)))
        if edges:
            painter.setPen(accent)
            painter.drawLines(edges)
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        for lx, ly, label in labels:
            painter.drawStaticText(QPointF(lx, ly), label)
        if self.selected is not None:
            chosen = self.event_rect(self.selected)
            if chosen is not None:
                painter.setPen(pal.color(QPalette.ColorRole.Link))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(chosen.adjusted(-1, -1, 0, 0))
        painter.setClipping(False)

    def _label(self, index: int, room: int, fm: QFontMetrics) -> QStaticText:
        """An event's name elided to `room` pixels (rounded down to 8), laid out once:
        scrolling sideways keeps the room of most labels, so a frame reuses them
        (drawText and elidedText were two thirds of a frame)."""
        room -= room % 8
        key = (index, room)
        found = self._labels.get(key)
        if found is None:
            if len(self._labels) > 20_000:
                self._labels.clear()
            name = self.layout_.events[index].name
            found = QStaticText(fm.elidedText(name, Qt.TextElideMode.ElideRight, room))
            found.setTextFormat(Qt.TextFormat.PlainText)  # names come from people
            self._labels[key] = found
        return found

    def _paint_axis(self, painter: QPainter, pal: QPalette) -> None:
        width = self.viewport().width()
        painter.fillRect(QRect(0, 0, width, AXIS_H), pal.color(QPalette.ColorRole.Window))
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.drawLine(0, AXIS_H - 1, width, AXIS_H - 1)
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        d0, d1 = int(self.day_at(0)) - 1, int(self.day_at(width)) + 1
        first = date.fromordinal(max(1, d0))
        last = date.fromordinal(max(1, min(d1, date.max.toordinal())))
        fm = painter.fontMetrics()
        ticks = _ticks(first, last, self.ppd)
        taken: list[tuple[int, int]] = []  # labels drawn: majors first, then what fits
        # The year (and month, zoomed to days) of the left edge, always shown there: ticks
        # say "4 Mar" or "Feb", and the view may hold no 1 January to name the year.
        left = date.fromordinal(max(1, min(int(self.day_at(0)), date.max.toordinal())))
        context = context_label(left, self.ppd)
        if context:
            painter.save()
            bold = painter.font()
            bold.setBold(True)
            painter.setFont(bold)
            cw = painter.fontMetrics().horizontalAdvance(context) + 8
            painter.fillRect(QRect(0, 0, cw + 2, AXIS_H - 1), pal.color(QPalette.ColorRole.Window))
            painter.drawText(4, AXIS_H - 14 + fm.ascent() // 2 - 2, context)
            painter.restore()
            taken.append((0, cw + 2))
        for want_major in (True, False):
            for day, label, major in ticks:
                if major != want_major:
                    continue
                x = int(self.x_of(day))
                painter.drawLine(x, AXIS_H - (12 if major else 6), x, AXIS_H - 1)
                if not label:
                    continue
                span = (x + 1, x + 3 + fm.horizontalAdvance(label) + 4)
                if any(a < span[1] and span[0] < b for a, b in taken):
                    continue
                taken.append(span)
                painter.drawText(x + 3, AXIS_H - 14 + fm.ascent() // 2 - 2, label)

    # -- input -----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_bars()

    def wheelEvent(self, event: QWheelEvent) -> None:
        dy = event.angleDelta().y()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if dy:
                self.zoom(1.25 if dy > 0 else 0.8, event.position().x())
            event.accept()
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            h = self.horizontalScrollBar()
            h.setValue(h.value() - dy)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        h = self.horizontalScrollBar()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.5, self._selected_x())
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom(1 / 1.5, self._selected_x())
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_Left:
            h.setValue(h.value() - h.singleStep())
        elif key == Qt.Key.Key_Right:
            h.setValue(h.value() + h.singleStep())
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _selected_x(self) -> float | None:
        """The middle of the chosen event, if it is in view: the keys zoom around it."""
        i = self._selected_index
        if i is None:
            return None
        x = (self.x_of(self.layout_.first[i]) + self.x_of(self.layout_.last[i] + 1)) / 2
        return x if 0 <= x <= self.viewport().width() else None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            i = self.event_at(event.pos())
            if i is None:
                QToolTip.hideText()
            else:
                ev = self.layout_.events[i]
                when = ev.start.isoformat() if ev.start == ev.end else f"{ev.start} – {ev.end}"
                where = f"\n{', '.join(ev.places)}" if ev.places else ""
                QToolTip.showText(
                    event.globalPos(), f"{ev.name}\n{when} ({ev.precision}){where}", self
                )
            return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        i = self.event_at(event.position().toPoint())
        event_id = self.layout_.events[i].event_id if i is not None else ""
        self.select(event_id or None)
        self.eventClicked.emit(event_id)

    def event_rect(self, event_id: str) -> QRect | None:
        """Where an event's bar is drawn now (viewport coordinates), for tests and tooltips."""
        i = self.layout_.index_of(event_id)
        if i is None:
            return None
        lay = self.layout_
        y = AXIS_H + lay.lane[i] * LANE_H - self.verticalScrollBar().value()
        x0 = self.x_of(lay.first[i])
        x1 = max(self.x_of(lay.last[i] + 1), x0 + MIN_BAR)
        return QRect(int(x0), y + (LANE_H - BAR_H) // 2, max(1, int(x1 - x0)), BAR_H)


def _run_end(
    firsts: list[int], lasts: list[int], k: int, x1: float, ppd: float, off: float
) -> tuple[int, float]:
    """Where a lane's mark ending at `x1` ends once the events from `k` on that begin in
    its pixels join it (zoomed out, they share them): (the next event left, the end x).

    A lane's first and last days both rise, so of the events that begin before `x1` the
    last reaches furthest: one bisection per step, and a frame visits pixels, not events.
    """
    n = len(firsts)
    # Below 2 px a day, marks that touch join too; above, touching days stay apart.
    slack = 1.0 if ppd < 2 else -0.5
    while k < n:
        j = bisect_left(firsts, (x1 + slack - off) / ppd, k) - 1
        if j < k:
            break
        end = max((lasts[j] + 1) * ppd + off, firsts[j] * ppd + off + MIN_BAR)
        if end > x1:
            x1 = end
        k = j + 1
    return k, x1


def context_label(left: date, ppd: float) -> str:
    """What the axis shows at its left edge: "Mar 2021" zoomed to days, "2021" zoomed to
    months, nothing zoomed to years (every label is a year)."""
    if ppd >= 22:
        return f"{_MONTHS[left.month - 1]} {left.year}"
    if ppd * 30 >= 36:
        return str(left.year)
    return ""


def _ticks(first: date, last: date, ppd: float) -> list[tuple[int, str, bool]]:
    """Axis ticks between two dates: (day, label, major), dense as the zoom allows."""
    out: list[tuple[int, str, bool]] = []
    if ppd >= 22:  # days, labelled; months major
        d = first.toordinal()
        while d <= last.toordinal():
            day = date.fromordinal(d)
            label = f"{day.day} {_MONTHS[day.month - 1]}" if ppd >= 45 or day.day == 1 else ""
            if day.day == 1 and day.month == 1:
                label += f" {day.year}"
            if not label and ppd >= 22:
                label = str(day.day)
            out.append((d, label, day.day == 1))
            d += 1
        return out
    if ppd * 30 >= 36:  # months, labelled; years major
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            day = date(y, m, 1)
            label = f"{_MONTHS[m - 1]} {y}" if m == 1 or ppd * 30 >= 70 else _MONTHS[m - 1]
            out.append((day.toordinal(), label, m == 1))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out
    step = 1  # years: 1, 2, 5, 10, 20, 50, ...
    while step * 365 * ppd < 50:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    for y in range(first.year - first.year % step, last.year + 1, step):
        if 1 <= y <= 9999:
            out.append((date(y, 1, 1).toordinal(), str(y), True))
    return out
