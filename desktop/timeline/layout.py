"""The timeline laid out for drawing: each event as day numbers and a lane (no Qt).

Built on a worker thread beside the read (`load`), so the window only swaps
it in. Days are proleptic Gregorian ordinals (`date.toordinal()`), an
event's span its first to last day inclusive. Within a lane events never
overlap, so each lane's events, sorted by first day, are sorted by last day
too: the canvas finds the ones in view with one bisection per visible lane
instead of looking at every event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from archive import timeline
from archive.store import Archive

LANE_GAP_DAYS = 1


@dataclass
class Layout:
    """Events by start, their days and lanes, and per lane its events in order."""

    events: list[timeline.TimelineEvent] = field(default_factory=list)
    first: list[int] = field(default_factory=list)  # first day of each event
    last: list[int] = field(default_factory=list)  # last day of each event
    lane: list[int] = field(default_factory=list)
    # Per lane: the events' indices, their first days and their last days (all in order).
    lane_events: list[list[int]] = field(default_factory=list)
    lane_first: list[list[int]] = field(default_factory=list)
    lane_last: list[list[int]] = field(default_factory=list)
    undated: int = 0

    @property
    def lanes(self) -> int:
        return len(self.lane_events)

    @property
    def day_range(self) -> tuple[int, int]:
        """The first and last day any event covers (today if there is none)."""
        if not self.events:
            from datetime import date

            today = date.today().toordinal()
            return today, today
        return min(self.first), max(self.last)

    def index_of(self, event_id: str) -> int | None:
        for i, e in enumerate(self.events):
            if e.event_id == event_id:
                return i
        return None


def build(found: timeline.Timeline) -> Layout:
    """The layout of a timeline (its events sorted by start, as `timeline.timeline` gives)."""
    with timeline.paused_gc():
        return _build(found)


def _build(found: timeline.Timeline) -> Layout:
    out = Layout(events=list(found.events), undated=found.undated)
    out.first = [e.start.toordinal() for e in out.events]
    out.last = [e.end.toordinal() for e in out.events]
    # A blank day between the events of a lane: two days in a row would read as one bar,
    # and a day's name is written after it.
    out.lane = timeline.pack_lanes(zip(out.first, out.last, strict=True), gap=LANE_GAP_DAYS)
    for i, lane in enumerate(out.lane):
        while lane >= len(out.lane_events):
            out.lane_events.append([])
            out.lane_first.append([])
            out.lane_last.append([])
        out.lane_events[lane].append(i)
        out.lane_first[lane].append(out.first[i])
        out.lane_last[lane].append(out.last[i])
    return out


def load(
    archive: Archive,
    *,
    actor_id: str | None = None,
    collection: str | None = None,
    role: str | None = None,
) -> Layout:
    """Read the timeline (filtered) and lay it out: the work a worker thread does.

    Without the article lists of events dated by themselves: the view reads an event's
    passages when it is clicked, and the lists were a third of the read (10,000 events,
    bench/timeline_bench.py)."""
    found = timeline.timeline(
        archive, actor_id=actor_id, collection=collection, role=role, with_articles=False
    )
    return build(found)


def loader(archive: Archive, **filters: Any) -> Any:
    """`load` with its arguments bound, for `run_read`."""
    return partial(load, archive, **filters)
