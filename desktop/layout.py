"""The main window on the screen: its first size, and fitting it back onto a smaller one.

The window is sized twice: once when it is built, and again once its docks
are tabbed (on first show), because the docks stacked one above the other
before tabbing make the window grow past a small screen. `fit_window` runs
then, and after a saved geometry is restored, so that the whole frame —
tab bars, panel buttons, status bar — is inside the screen's available
area, from 1280x720 up.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# The first window: this size, or less on a smaller screen (a share of its
# available area, leaving the desktop's panels and a margin around).
DEFAULT_SIZE = QSize(1280, 800)
SCREEN_SHARE = (0.95, 0.92)
FALLBACK_AREA = QRect(0, 0, 1280, 720)


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The available area of the screen `widget` is on (else the primary screen)."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(FALLBACK_AREA)


def default_size(area: QRect) -> QSize:
    """The first window's size (frame included) on a screen with `area` available."""
    return QSize(
        min(DEFAULT_SIZE.width(), int(area.width() * SCREEN_SHARE[0])),
        min(DEFAULT_SIZE.height(), int(area.height() * SCREEN_SHARE[1])),
    )


def fit_rect(frame: QRect, area: QRect) -> QRect:
    """`frame` shrunk to at most `area`'s size and moved inside it (as little as may be)."""
    width = min(frame.width(), area.width())
    height = min(frame.height(), area.height())
    left = min(max(frame.left(), area.left()), area.left() + area.width() - width)
    top = min(max(frame.top(), area.top()), area.top() + area.height() - height)
    return QRect(left, top, width, height)


def centred(size: QSize, area: QRect) -> QRect:
    """A rectangle of `size` in the middle of `area`."""
    return QRect(
        QPoint(
            area.left() + (area.width() - size.width()) // 2,
            area.top() + (area.height() - size.height()) // 2,
        ),
        size,
    )


def frame_margins(window: QWidget) -> QSize:
    """What the window manager's title bar and borders add (none until it decorates)."""
    frame, inner = window.frameGeometry(), window.geometry()
    return QSize(frame.width() - inner.width(), frame.height() - inner.height())


def fit_window(window: QWidget, area: QRect | None = None, *, first_start: bool = False) -> None:
    """Resize and move `window` so that its whole frame is inside `area`.

    `area` defaults to the available geometry of the window's screen. On
    `first_start` the window takes `default_size`, centred. A maximised or
    full-screen window is left alone (the window manager fits it).
    """
    if window.isMaximized() or window.isFullScreen():
        return
    area = QRect(area) if area is not None else available_geometry(window)
    frame = window.frameGeometry()
    extra = frame_margins(window)
    wanted = centred(default_size(area), area) if first_start else frame
    target = fit_rect(wanted, area)
    size = QSize(target.width() - extra.width(), target.height() - extra.height())
    if size != window.size():
        window.resize(size)
    if target.topLeft() != frame.topLeft():
        window.move(target.topLeft())  # move() places the frame, title bar included
