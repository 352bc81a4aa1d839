"""`sesame conflicts [resolve COPY --keep mine|theirs|both]`: what bundle imports left to choose.

`sesame conflicts` lists each open conflict: their version (the conflict copy
an import kept beside yours) and yours, with note, quote, author and time
(`--json`: `[{"copy_id", "theirs": {...}, "yours": {...} | null}]`, each side
`{"id", "article_id", "quote", "type_key", "entity", "note", "author",
"updated_at", "start", "end"}`; yours is null if you deleted it since).
`resolve COPY --keep ...` settles one (`archive.conflicts.resolve`), as one
undoable change (`--json`: `{"copy_id", "choice", "kept": [ids]}`).
"""

from __future__ import annotations

import argparse

from archive.cli import EXIT_OK, AddCommand, Output, UsageError, one_line, open_archive


def _side(label: str, side: dict[str, object] | None) -> str:
    if side is None:
        return f"    {label}: deleted"
    entity = f" → {side['entity']}" if side.get("entity") else ""
    note = f" · note {one_line(str(side['note']))!r}" if side.get("note") else ""
    return (
        f"    {label}: {side['type_key']}{entity} {one_line(str(side['quote']))!r}{note} · "
        f"by {side.get('author') or '?'} at {side['updated_at']}"
    )


def cmd_conflicts(args: argparse.Namespace, out: Output) -> int:
    from archive import conflicts

    with open_archive(args, write=False) as archive:
        found = conflicts.open_conflicts(archive)
    if out.as_json:
        out.json([c.to_dict() for c in found])
        return EXIT_OK
    if not found:
        out.line("No conflicts to resolve.")
        return EXIT_OK
    for c in found:
        out.line(f"{c.id[:8]}  {one_line(str(c.copy['quote']))!r}")
        out.line(_side("theirs", c.copy))
        out.line(_side("yours ", c.local))
    out.line()
    out.line(
        f"{len(found)} conflict(s). Resolve one with: sesame conflicts resolve ID "
        "--keep mine|theirs|both"
    )
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace, out: Output) -> int:
    from archive import conflicts

    with open_archive(args, write=True, create=False) as archive:
        ids = [c.id for c in conflicts.open_conflicts(archive)]
        matches = [i for i in ids if i.startswith(args.copy)] if len(args.copy) >= 6 else []
        if args.copy in ids:
            matches = [args.copy]
        if len(matches) != 1:
            raise UsageError(
                f"{args.copy!r} names {'several' if matches else 'no'} open conflict(s): give "
                "the id (or 6+ characters of it) `sesame conflicts` shows."
            )
        done = conflicts.resolve(archive, matches[0], args.keep)
    if out.as_json:
        out.json(done)
    else:
        kept = {"mine": "yours", "theirs": "theirs", "both": "both versions"}[args.keep]
        out.line(f"Resolved {matches[0][:8]}: kept {kept} (sesame undo reverts it).")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `conflicts [resolve COPY --keep mine|theirs|both]` to the `sesame` parser."""
    p = add("conflicts", cmd_conflicts, "annotations edited on both sides: list, or resolve one")
    sub = p.add_subparsers(metavar="ACTION")
    q = sub.add_parser("resolve", help="keep mine, theirs or both (one undoable change)")
    q.add_argument("copy", metavar="ID", help="the conflict's id, as `sesame conflicts` shows")
    q.add_argument("--keep", required=True, choices=("mine", "theirs", "both"))
    q.add_argument("--archive", metavar="DIR", default=argparse.SUPPRESS)
    q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    q.set_defaults(func=cmd_resolve)
