"""`sesame undo`, `sesame redo` and `sesame history`: the core's change log on the command line.

Every change (a tag, a merge, an import batch, ...) is one step; `undo`
reverts the newest step still done and is itself recorded (and audited),
`redo` re-applies the step undone last (see `archive.changes`).
"""

from __future__ import annotations

import argparse
from typing import Any

from archive.cli import EXIT_OK, AddCommand, Output, UsageError, open_archive


def _reverted(args: argparse.Namespace, out: Output, redo: bool) -> int:
    from archive.changes import describe_counts

    with open_archive(args, write=True, create=False) as archive:
        done = archive.redo() if redo else archive.undo()
    doc: dict[str, Any] = done.to_dict()
    if out.as_json:
        out.json(doc)
    else:
        out.line(f"{done.label} ({describe_counts(doc['summary'])}).")
    return EXIT_OK


def cmd_undo(args: argparse.Namespace, out: Output) -> int:
    return _reverted(args, out, redo=False)


def cmd_redo(args: argparse.Namespace, out: Output) -> int:
    return _reverted(args, out, redo=True)


# A step's undo state in words ("final" said nothing to a reader of the history).
_STATE_WORDS = {
    "done": "",
    "undone": "  [undone]",
    "dropped": "  [undone; cannot be redone]",
    "expired": "  [too old to undo]",
    "final": "  [changed nothing; not an undo step]",
}


def cmd_history(args: argparse.Namespace, out: Output) -> int:
    from archive import changes

    if args.limit < 1:  # SQLite's LIMIT 0 said "No changes yet", LIMIT -1 gave them all
        raise UsageError("--limit must be at least 1.")
    with open_archive(args, write=False) as archive:
        entries = changes.history(archive, args.limit)
    if out.as_json:
        out.json([e.to_dict() for e in entries])
        return EXIT_OK
    if not entries:
        out.line("No changes yet.")
    for e in entries:
        state = "" if e.kind != "do" else _STATE_WORDS.get(e.state, f"  [{e.state}]")
        out.line(f"{e.at[:19]}  {e.author or '?':<16} {e.label}{state}")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `undo`, `redo` and `history` to the `sesame` parser."""
    add("undo", cmd_undo, "undo the newest change (itself recorded in the audit log)")
    add("redo", cmd_redo, "redo the change undone last")
    p = add("history", cmd_history, "the latest changes: labels, authors, times, undo state")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="how many (default 20)")
