"""What every part of the window shares: the open archive, undo, and signals.

Views and panels get one `AppContext` and talk to each other only through its
signals, so none of them needs to know the others (the main window just
wires them together).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from archive.store import Archive

_Child = TypeVar("_Child", bound=QObject)


def one_per_context(ctx: QObject, cls: type[_Child], name: str) -> _Child:
    """The child of `ctx` of type `cls` called `name`, made as `cls(ctx)` on first use."""
    found = ctx.findChild(cls, name)
    if found is None:
        found = cls(ctx)
        found.setObjectName(name)
    return found


class AppContext(QObject):
    """The open archive plus the app-wide writer (changes, undo, redo) and change signals."""

    # Ask the reader to show an article; the list holds code-point spans to
    # highlight and scroll to (e.g. search matches), possibly empty.
    articleOpenRequested = Signal(str, object)  # a list (Signal(list) copies it)
    # Ask the Entities panel to show an entity (the relation graph's nodes ask).
    entityOpenRequested = Signal(str)
    # The reader now shows this article (empty string: none).
    articleShown = Signal(str)
    # Annotations of this article changed (created, edited, deleted, undone).
    annotationsChanged = Signal(str)
    # Entities changed (created, renamed, merged, aliases).
    entitiesChanged = Signal()
    # Articles were added, removed or their collections changed.
    articlesChanged = Signal()
    # The window's own writes were committed: a desktop.delta.ViewDelta with the rows they
    # wrote (the writer emits this, not the three signals above, which imports and other
    # writers outside the writer still use).
    changed = Signal(object)
    # The innermost annotation under the reader's cursor changed ("" for none).
    annotationAtCursor = Signal(str)

    def __init__(self, archive: Archive, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        # The background-task helper (desktop.tasks.TaskRunner), set by the app.
        self.tasks: Any = None
        # The one way to write, with undo and redo (the core's): desktop.operations.
        from desktop.operations import Writer

        self.writer = Writer(self)
        self.current_article_id: str | None = None

    def open_article(
        self, article_id: str, highlights: list[tuple[int, int]] | None = None
    ) -> None:
        """Show an article in the reader, optionally highlighting spans (code points)."""
        self.articleOpenRequested.emit(article_id, list(highlights or []))
