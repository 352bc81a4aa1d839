"""`sesame timeline`: the events in time, as the window's timeline shows them (issue 13).

`--json` -> `[{"event_id", "name", "start", "end", "precision", "places",
"place_precision", "dated_by", "articles"}]`, dates ISO 8601 (the interval's
first and last day), sorted by start. How a date becomes an interval, and
where an event without a date goes, is `archive.timeline`'s docstring.
"""

from __future__ import annotations

import argparse

from archive.cli import EXIT_OK, AddCommand, Output, one_line, open_archive


def cmd_timeline(args: argparse.Namespace, out: Output) -> int:
    from archive import timeline

    with open_archive(args, write=False) as archive:
        actor_id = timeline.find_actor(archive, args.actor) if args.actor else None
        role = timeline.check_role(archive, args.role) if args.role else None
        found = timeline.timeline(archive, actor_id=actor_id, collection=args.collection, role=role)
    if out.as_json:
        out.json([e.to_dict() for e in found.events])
        return EXIT_OK
    if not found.events:
        out.line("No events to show.")
    for e in found.events:
        when = e.start.isoformat() if e.start == e.end else f"{e.start} .. {e.end}"
        place = f"  @ {one_line(', '.join(e.places))}" if e.places else ""
        guessed = " (from its articles)" if e.dated_by == "articles" else ""
        out.line(
            f"{when:<24} {e.precision:<6} {e.event_id[:8]}  {one_line(e.name)}{place}"
            f"  [{len(e.articles)} article(s)]{guessed}"
        )
    if found.undated:
        out.line(f"{found.undated} event(s) with no date and no dated article are not shown.")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `timeline` to the `sesame` parser."""
    p = add(
        "timeline",
        cmd_timeline,
        "the events in time (each as the interval its date's precision covers), with "
        "their articles",
    )
    p.add_argument("--actor", metavar="NAME", help="only events where this actor has a role")
    p.add_argument("--collection", metavar="NAME", help="only events with articles in it")
    p.add_argument("--role", metavar="ROLE", help="only events with a role of this kind")
