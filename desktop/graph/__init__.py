"""The relation graph view (issue 13): actors and events with their roles and relations.

`create_dock(ctx)` gives the shell the "Relation graph" dock (hidden until
View → Relation graph, Ctrl+Shift+G): `panel.GraphPanel` draws what
`data.load` reads and lays out (networkx) off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget

from desktop.context import AppContext

SHORTCUT = "Ctrl+Shift+G"


def create_dock(ctx: AppContext) -> QDockWidget:
    """The graph in a dock; its toggle action (for the View menu) has the shortcut."""
    from desktop.graph.panel import GraphPanel

    dock = QDockWidget("Relation graph")
    dock.setObjectName("graphDock")
    dock.setWidget(GraphPanel(ctx))
    dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
    dock.toggleViewAction().setShortcut(QKeySequence(SHORTCUT))
    return dock
