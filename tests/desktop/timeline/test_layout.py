"""The timeline's layout as the window reads it: the same events as `sesame timeline`."""

from __future__ import annotations

from archive import timeline
from archive.store import Archive
from desktop.timeline import layout
from tests.archive.test_timeline import build_case


def test_the_windows_read_places_the_same_events_without_their_article_lists(
    archive: Archive,
) -> None:
    build_case(archive)
    full = timeline.timeline(archive)
    lay = layout.load(archive)
    assert [(e.event_id, e.start, e.end, e.precision, e.dated_by) for e in lay.events] == [
        (e.event_id, e.start, e.end, e.precision, e.dated_by) for e in full.events
    ]
    assert lay.undated == full.undated
    # Sorted by first day, then last day, then name.
    keys = [(e.start, e.end, e.name) for e in lay.events]
    assert keys == sorted(keys)
    assert all(e.articles == [] for e in lay.events if e.dated_by == "event")
    assert lay.first == [e.start.toordinal() for e in lay.events]
