"""The dockable panels around the reader (issue 5, item 4) and the tag actions.

`create_docks(ctx)` makes the annotations, entities, figures and suggestions
docks (each with a unique objectName so the window layout can be saved);
`tagging_actions(ctx, parent)` gives the shell the "Tag as …" actions.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QWidget

from desktop.context import AppContext
from desktop.tagging import TaggingController


def _dock(title: str, name: str, widget: QWidget) -> QDockWidget:
    dock = QDockWidget(title)
    dock.setObjectName(name)
    dock.setWidget(widget)
    dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
    return dock


def create_docks(ctx: AppContext) -> list[QDockWidget]:
    """The panels as dock widgets: annotations, entities, figures, suggestions."""
    from desktop.panels.annotations import AnnotationsPanel
    from desktop.panels.entities import EntitiesPanel
    from desktop.panels.figures import FiguresPanel
    from desktop.panels.suggestions import SuggestionsPanel

    return [
        _dock("Annotations", "annotationsDock", AnnotationsPanel(ctx)),
        _dock("Entities", "entitiesDock", EntitiesPanel(ctx)),
        _dock("Figures", "figuresDock", FiguresPanel(ctx)),
        _dock("Suggestions", "suggestionsDock", SuggestionsPanel(ctx)),
    ]


def tagging_actions(ctx: AppContext, parent: QWidget | None = None) -> list[QAction]:
    """The "Tag as …" actions (one per tag type, with its shortcut key).

    They are the same objects the reader uses, so a key is never an
    ambiguous shortcut; they act on the reader's selection. `parent` is
    accepted for symmetry; the actions belong to the context's controller.
    Once the shell shows them, the reader hides its own tagging toolbar.
    """
    controller = TaggingController.of(ctx)
    controller.set_shown_elsewhere(True)
    return controller.actions()
