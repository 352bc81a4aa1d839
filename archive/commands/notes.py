"""`sesame notes`: a collection's case notes (Markdown), printed, replaced, or searched.

- `sesame notes COLLECTION` prints the notes (`--json` lists their links, the
  broken ones too; the text output names none: `sesame check` does).
- `sesame notes COLLECTION --set FILE` (`-` for stdin) replaces them: one undoable
  change; links to passages and entities (`sesame:annotation/<id>`,
  `sesame:entity/<id>`) are checked and the broken ones named on stderr (the notes
  are saved all the same, exit status 0).
- `sesame notes --grep TEXT` lists the lines of every collection's notes holding TEXT.

`--json`: `{"collection_id", "collection", "notes", "links": [...], "broken": [...]}`,
each link `{"kind", "ref", "start", "end", "found", "target_id", "label",
"article_id", "span", "problem"}`; with `--grep`, `[{"collection_id", "collection",
"line", "text"}]`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.cli import EXIT_OK, AddCommand, Output, UsageError, exit_status, one_line, open_archive


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"Cannot read {source}: {exc.strerror or exc}.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source} is not UTF-8 text; save the notes as UTF-8.") from exc


def _broken(out: Output, result: Any) -> None:
    for link in result.broken:
        out.error(f"link sesame:{link.kind}/{link.ref} points nowhere ({link.problem}).")


def cmd_notes(args: argparse.Namespace, out: Output) -> int:
    from archive import notes

    if args.grep is not None:
        if args.collection or args.set:
            raise UsageError("--grep searches every collection's notes; give no COLLECTION.")
        with open_archive(args, write=False) as archive:
            found = notes.grep_notes(archive, args.grep)
        if out.as_json:
            out.json([m.to_dict() for m in found])
        else:
            for m in found:
                out.line(f"{one_line(m.collection)}:{m.line}: {one_line(m.text)}")
            out.line(f"{len(found)} line(s)")
        return EXIT_OK
    if not args.collection:
        raise UsageError("Name a collection: sesame notes COLLECTION [--set FILE].")
    if args.set is not None:
        text = _read(args.set)
        with open_archive(args, write=True, create=False) as archive:
            result = notes.set_notes(archive, args.collection, text)
        if out.as_json:
            out.json(result.to_dict())
        else:
            out.line(
                f"Saved the notes of {one_line(result.collection)!r} ({len(result.notes)} "
                f"characters, {len(result.links)} link(s))."
            )
        _broken(out, result)
        return EXIT_OK
    with open_archive(args, write=False) as archive:
        result = notes.get_notes(archive, args.collection)
    if out.as_json:
        out.json(result.to_dict())
    else:  # broken links are named when saved and by `sesame check`, not at every read
        out.line(result.notes.rstrip("\n") if result.notes else "(no notes yet)")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `notes` to the `sesame` parser."""
    p = add("notes", cmd_notes, "a collection's case notes: print, --set FILE, --grep TEXT")
    p.add_argument("collection", nargs="?", metavar="COLLECTION", help="collection name or id")
    p.add_argument("--set", metavar="FILE", help="replace the notes with FILE's text (- : stdin)")
    p.add_argument("--grep", metavar="TEXT", help="lines of every collection's notes holding TEXT")
    exit_status(
        p,
        failed="no such collection; nothing was changed",
        usage=" (no COLLECTION, a FILE that cannot be read or is not UTF-8)",
    )
