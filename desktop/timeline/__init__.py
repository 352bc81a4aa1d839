"""The timeline view (issue 13): events on a time axis, filterable, each opening its passages.

`create_dock(ctx)` gives the shell the "Timeline" dock (hidden until View →
Timeline, Ctrl+Shift+T): `panel.TimelinePanel` (filters, passages: the
controller) around `canvas.TimelineCanvas` (the drawing), laid out by
`layout` off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget

from desktop.context import AppContext

SHORTCUT = "Ctrl+Shift+T"


def create_dock(ctx: AppContext) -> QDockWidget:
    """The timeline in a dock; its toggle action (for the View menu) has the shortcut."""
    from desktop.timeline.panel import TimelinePanel

    dock = QDockWidget("Timeline")
    dock.setObjectName("timelineDock")
    dock.setWidget(TimelinePanel(ctx))
    dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
    dock.toggleViewAction().setShortcut(QKeySequence(SHORTCUT))
    return dock
