"""Small widgets and helpers the views share: tag colour swatches, status messages,
background reads and writes, table and button layouts, non-blocking dialogs.

A neutral room: it imports no view (tests/desktop/test_layering.py holds this).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMainWindow,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from archive.errors import SesameError

_ICONS: dict[tuple[str, int], QIcon] = {}


def swatch(colour: str, size: int = 12) -> QIcon:
    """A square icon of a tag type's colour (cached)."""
    icon = _ICONS.get((colour, size))
    if icon is None:
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(colour))
        icon = _ICONS[colour, size] = QIcon(pixmap)
    return icon


def show_status(widget: QWidget, text: str, msecs: int = 8000) -> None:
    """Show a short message in the status bar of the widget's main window, if it has one."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, msecs)


def tell(widget: QWidget, text: str) -> None:
    """Say something short to the person: the widget's `statusMessage` and the status bar."""
    widget.statusMessage.emit(text)  # type: ignore[attr-defined]
    show_status(widget, text)


def write(
    widget: QWidget,
    ctx: Any,
    label: str,
    fn: Callable[[Any], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """Make an undoable change off the GUI thread (`ctx.writer`); if refused, say why.

    `fn(ch)` runs in a core change; `on_done(result)` runs on the GUI thread
    once it is committed (not at all if `widget` was deleted meanwhile).
    """

    def done(result: Any) -> None:
        if on_done is not None and shiboken6.isValid(widget):
            on_done(result)

    def refused(message: str) -> None:
        if shiboken6.isValid(widget):
            tell(widget, message)
            if on_error is not None:
                on_error(message)

    ctx.writer.change(label, fn, on_done=done, on_error=refused)


def run_read(
    ctx: Any,
    owner: QObject,
    label: str,
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None],
    on_error: Callable[[str], None] | None = None,
    now: bool = False,
) -> None:
    """Run a read of the archive off the GUI thread (when the app has a task helper).

    Without one (scripts), or with `now` (a view's read after a write of a writer
    running inline: panel tests read what a write did at once), it runs here and now.
    The callbacks run on the GUI thread, and not at all if `owner` was deleted
    meanwhile (a closed panel).
    """
    if ctx.tasks is None or now:
        try:
            result = fn(*args)
        except SesameError as exc:
            if on_error is not None:
                on_error(str(exc))
            return
        on_result(result)
        return

    def deliver(value: Any) -> None:
        if shiboken6.isValid(owner):
            on_result(value)

    def error(message: str, _details: str) -> None:
        if on_error is not None and shiboken6.isValid(owner):
            on_error(message)

    job = ctx.tasks.run(
        label, fn, *args, with_progress=False, show=False, on_result=deliver, on_error=error
    )
    settle = getattr(ctx.writer, "settling", None)
    if settle is not None and not job.finished:
        # Counted until it ends (delivered or dropped): `Writer.wait()` waits for the
        # views to show what the writes did, not only for the writes.
        settle.add(job)
        job.ended.connect(lambda: settle.discard(job))


class RereadingPanel(QWidget):
    """A panel that reads the archive again (`refresh()`) after a change of entities or
    annotations (a window's write: only one whose rows `concerns()` it); hidden (e.g. a
    background tab) it only notes the change, and reads when shown.

    `refresh()` starts with `generation = self._next_read()` and shows its result only if
    `generation == self._generation` still (no newer read is on its way).
    """

    _stale = False
    _generation = 0

    def _watch_changes(self, ctx: Any) -> None:
        ctx.entitiesChanged.connect(self._changed)
        ctx.annotationsChanged.connect(lambda _id: self._changed())
        ctx.changed.connect(self._delta)

    def concerns(self, delta: Any) -> bool:
        """Whether the window's writes told in `delta` (desktop.delta.ViewDelta) change
        what this panel shows: by default any annotation, entity, article or collection
        row."""
        return (
            bool(delta.annotation_articles)
            or delta.entities_changed
            or bool(delta.article_ids())
            or delta.collections_changed
        )

    def _delta(self, delta: Any) -> None:
        if self.concerns(delta):
            self._changed()

    def refresh(self) -> None:
        """Read again."""
        raise NotImplementedError

    def _next_read(self) -> int:
        self._stale = False
        self._generation += 1
        return self._generation

    def _changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()


def tip(text: str | None) -> str | None:
    """Text for a tooltip, shown as written: escaped (Qt would guess rich text from a
    leading tag) and wrapped, with line breaks kept."""
    if not text:
        return None
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


def short(text: str, limit: int = 120) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def selecting_click() -> bool:
    """Whether the click being handled holds Ctrl or Shift (it selects rows, for bulk
    actions), rather than opening what it clicks."""
    from PySide6.QtWidgets import QApplication

    held = QApplication.keyboardModifiers()
    return bool(held & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))


def make_table(parent: QWidget, *, multi: bool = True) -> QTableView:
    """A row-selecting table view with the house defaults."""
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    return view


def button_rows(*rows: tuple[QWidget, ...]) -> QVBoxLayout:
    """Rows of buttons, left-aligned: short rows keep a side dock narrow."""
    layout = QVBoxLayout()
    layout.setSpacing(2)
    for row in rows:
        line = QHBoxLayout()
        for button in row:
            line.addWidget(button)
        line.addStretch(1)
        layout.addLayout(line)
    return layout


def selected_rows(view: QTableView) -> list[int]:
    """The selected rows of a table, top to bottom."""
    # Every panel's table has its model from the start, so a selection model too.
    return sorted({index.row() for index in view.selectionModel().selectedRows()})


def open_held(
    owner: Any, attr: str, dialog: QDialog, on_closed: Callable[[], None] | None = None
) -> None:
    """Open a non-blocking dialog, held as `owner.<attr>` while it is open, deleted once closed."""

    def closed(_result: int) -> None:
        if getattr(owner, attr) is dialog:
            setattr(owner, attr, None)
        dialog.deleteLater()
        if on_closed is not None:
            on_closed()

    dialog.finished.connect(closed)
    setattr(owner, attr, dialog)
    dialog.open()


def ask_text(
    parent: QWidget,
    title: str,
    label: str,
    text: str,
    on_text: object,
) -> QInputDialog:
    """Ask for a line of text without blocking; `on_text(str)` gets a non-empty answer."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)

    def done(value: str) -> None:
        value = value.strip()
        if value:
            on_text(value)  # type: ignore[operator]

    dialog.textValueSelected.connect(done)
    dialog.finished.connect(lambda _r: dialog.deleteLater())
    dialog.open()
    return dialog
