"""The timeline panel: filters, the canvas, and the passages of the event clicked.

The controller half of the timeline view: it reads the timeline and the
filters' choices off the GUI thread (`run_read`: the TaskRunner), hands the
layout to `TimelineCanvas`, and on a click lists the event's passages
(`archive.timeline.event_passages`); opening one (double-click or Enter)
shows it in the reader. Reads again after a change to entities or
annotations (when shown), keeping the view where it was.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from archive import timeline
from desktop.context import AppContext
from desktop.review.reveal import QuoteMask, RevealState
from desktop.tasks import freeze_long_lived
from desktop.timeline.canvas import TimelineCanvas
from desktop.timeline.layout import Layout, loader
from desktop.widgets import RereadingPanel, run_read, short, tell, tip

PassageRole = Qt.ItemDataRole.UserRole + 1


class TimelinePanel(RereadingPanel):
    """Events in time, filtered by actor, role and collection; their passages on a click."""

    loaded = Signal(int)  # events shown
    passagesShown = Signal(str)  # the event whose passages the list now holds

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("timelinePanel")
        self.layout_data = Layout()
        self._shown_once = False

        self.actor_box = self._combo("timelineActor", "Only events where this actor has a role")
        self.role_box = self._combo("timelineRole", "Only events with a role of this kind")
        self.collection_box = self._combo(
            "timelineCollection", "Only events with articles in this collection"
        )
        self.actor_box.addItem(self.tr("Any actor"), None)
        self.role_box.addItem(self.tr("Any role"), None)
        self.collection_box.addItem(self.tr("Any collection"), None)
        for box in (self.actor_box, self.role_box, self.collection_box):
            box.currentIndexChanged.connect(lambda _i: self.refresh())

        self.canvas = TimelineCanvas(self)
        self.canvas.eventClicked.connect(self.show_passages)
        zoom_out = QPushButton("−", self)
        zoom_out.setToolTip(self.tr("Zoom out (-, or Ctrl+wheel)"))
        zoom_out.clicked.connect(lambda: self.canvas.zoom(1 / 1.5))
        zoom_in = QPushButton("+", self)
        zoom_in.setToolTip(self.tr("Zoom in (+, or Ctrl+wheel)"))
        zoom_in.clicked.connect(lambda: self.canvas.zoom(1.5))
        fit = QPushButton(self.tr("Fit"), self)
        fit.setToolTip(self.tr("Show every event (0)"))
        fit.clicked.connect(self.canvas.fit)
        for button in (zoom_out, zoom_in):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("+") * 4 + 12)
        self.count_label = QLabel(self)

        self.passages = QListWidget(self)
        self.passages.setObjectName("timelinePassages")
        self.passages.setWordWrap(True)
        self.passages.setToolTip(self.tr("Double-click or Enter: open the passage in the reader"))
        self.passages.itemActivated.connect(self.open_passage)
        self.event_label = QLabel(self.tr("Click an event to see its passages."), self)
        self.event_label.setWordWrap(True)
        self.event_label.setTextFormat(Qt.TextFormat.PlainText)  # names come from people

        top = QHBoxLayout()
        for box in (self.actor_box, self.role_box, self.collection_box):
            top.addWidget(box, 1)
        top.addWidget(zoom_out)
        top.addWidget(zoom_in)
        top.addWidget(fit)
        top.addWidget(self.count_label)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.event_label)
        side_layout.addWidget(self.passages, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.canvas)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self._watch_changes(ctx)
        # The passages listed (event, passages, sensitive parts): listed again on a reveal.
        self._shown: tuple[str, list[timeline.Passage], dict[str, Any] | None] | None = None
        RevealState.of(ctx).changed.connect(self._reveal_changed)
        ctx.articlesChanged.connect(self._changed)
        self._stale = True  # read when first shown

    def _combo(self, name: str, help_text: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.setToolTip(self.tr(help_text))
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(10)
        return box

    # -- reading -------------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        """The filters chosen now, as `archive.timeline.timeline` takes them."""
        return {
            "actor_id": self.actor_box.currentData(),
            "role": self.role_box.currentData(),
            "collection": self.collection_box.currentData(),
        }

    def refresh(self) -> None:
        """Read the timeline (and the filters' choices) again, off the GUI thread."""
        generation = self._next_read()
        run_read(
            self.ctx,
            self,
            "Reading the timeline",
            loader(self.ctx.archive, **self.filters()),
            on_result=lambda lay: self._fill(generation, lay),
            on_error=lambda message: tell(self, message),
        )

    def _read_choices(self) -> None:
        # After the timeline, not beside it: two reads at once share one interpreter
        # lock, and the events are what the person waits for.
        run_read(
            self.ctx,
            self,
            "Reading the timeline's filters",
            partial(timeline.filter_choices, self.ctx.archive),
            on_result=self._set_choices,
        )

    def _fill(self, generation: int, lay: Layout) -> None:
        if generation != self._generation:
            return
        self.layout_data = lay
        # 10,000 events are long-lived objects: out of the collector's reach, so that
        # its full passes do not stall a scroll (desktop.tasks.freeze_long_lived).
        freeze_long_lived()
        self.canvas.set_layout(lay, keep_view=self._shown_once)
        self._shown_once = True
        text = self.tr("%n event(s)", "", len(lay.events))
        if lay.undated:
            text += self.tr(", %n undated not shown", "", lay.undated)
        self.count_label.setText(text)
        self.count_label.setToolTip(
            tip(
                self.tr(
                    "An event without a date of its own is placed at the earliest "
                    "published date of its articles; one with neither is not shown."
                )
            )
            or ""
        )
        if self.canvas.selected is None:
            self._clear_passages()
        self.loaded.emit(len(lay.events))
        self._read_choices()

    def _set_choices(self, choices: timeline.Choices) -> None:
        for box, items in (
            (self.actor_box, choices.actors),
            (self.role_box, choices.roles),
            (self.collection_box, [(c, c) for c in choices.collections]),
        ):
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for value, label in items:
                box.addItem(label, value)
            found = box.findData(current) if current is not None else 0
            box.setCurrentIndex(max(0, found))
            box.blockSignals(False)
            if current is not None and found < 0:  # the chosen one is gone: read again
                self.refresh()

    # -- passages ------------------------------------------------------------------------

    def _clear_passages(self) -> None:
        self.passages.clear()
        self.event_label.setText(self.tr("Click an event to see its passages."))

    def show_passages(self, event_id: str) -> None:
        """List the passages behind an event (read off the GUI thread)."""
        if not event_id:
            self._clear_passages()
            return
        i = self.layout_data.index_of(event_id)
        ev = self.layout_data.events[i] if i is not None else None
        if ev is not None:
            when = ev.start.isoformat() if ev.start == ev.end else f"{ev.start} – {ev.end}"
            where = f" · {', '.join(ev.places)}" if ev.places else ""
            guess = self.tr(" (from its articles)") if ev.dated_by == "articles" else ""
            self.event_label.setText(f"{ev.name}\n{when} ({ev.precision}){guess}{where}")
        run_read(
            self.ctx,
            self,
            "Reading the event's passages",
            partial(_passages, self.ctx.archive, event_id),
            on_result=lambda found: self._fill_passages(event_id, *found),
            on_error=lambda message: tell(self, message),
        )

    def _fill_passages(
        self, event_id: str, found: list[timeline.Passage], parts: dict[str, Any] | None = None
    ) -> None:
        if self.canvas.selected != event_id:
            return
        self._shown = (event_id, found, parts)
        mask = QuoteMask(RevealState.of(self.ctx), parts)
        self.passages.clear()
        for p in found:
            why = self.tr("tagged") if p.why == "tag" else p.why
            quote = mask.quote(p.quote, p.article_id, p.annotation_id, p.start, p.end)
            item = QListWidgetItem(
                f"“{short(quote, 160)}”\n{short(p.article_title, 60)} · "
                f"{p.published or self.tr('no date')} · {why}"
            )
            item.setData(PassageRole, p)
            item.setToolTip(tip(quote) or "")
            self.passages.addItem(item)
        if not found:
            self.passages.addItem(self.tr("No passage: the event is not tagged anywhere."))
        self.passagesShown.emit(event_id)

    def _reveal_changed(self) -> None:
        if self._shown is not None:
            self._fill_passages(*self._shown)

    def open_passage(self, item: QListWidgetItem) -> None:
        """Show the passage in the reader, highlighted."""
        p = item.data(PassageRole)
        if isinstance(p, timeline.Passage):
            self.ctx.open_article(p.article_id, [(p.start, p.end)])


def _passages(archive: Any, event_id: str) -> tuple[list[timeline.Passage], dict[str, Any]]:
    """An event's passages and what of their articles is sensitive (on the worker)."""
    from archive import review

    found = timeline.event_passages(archive, event_id)
    return found, review.sensitive_parts(archive, [p.article_id for p in found])
