"""`sesame copies [split|join] …`: copies of one story (reprints, wire copies) grouped.

`sesame copies` lists the groups of two or more articles (`--json`:
`[{"group", "articles": [ids]}]`, largest first); `split ID…` takes articles
out of their groups and `join ID ID…` makes them copies of one story, both
as the user's decision, which detection keeps; `--rebuild` computes every
signature again and finds the automatic groups again. Each change is one
undoable step (`sesame undo`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from archive.cli import (
    EXIT_OK,
    AddCommand,
    Output,
    UsageError,
    find_article,
    one_line,
    open_archive,
)

if TYPE_CHECKING:
    from archive.store import Archive


def _ids(args: argparse.Namespace, archive: Archive) -> list[str]:
    """The articles named on the command line, prefixes resolved."""
    with archive.session() as session:
        return [find_article(session, ident).id for ident in args.ids]


def cmd_copies(args: argparse.Namespace, out: Output) -> int:
    from archive import copies

    if args.rebuild:
        with open_archive(args, write=True, create=False) as archive:
            bar = out.progress("Finding copies")
            done = copies.rebuild(archive, progress=bar)
            if bar is not None:
                bar.finish()
            groups = copies.copy_groups(archive)
        if out.as_json:
            out.json([g.to_json() for g in groups])
        else:
            out.line(
                f"Signatures computed for {done.signed} of {done.articles} article(s) "
                f"(shorter texts are not compared); {done.changed} article(s) changed group; "
                f"{done.groups} group(s) of copies."
            )
        return EXIT_OK
    with open_archive(args, write=False) as archive:
        groups = copies.copy_groups(archive)
    if out.as_json:
        out.json([g.to_json() for g in groups])
        return EXIT_OK
    if not groups:
        out.line("No copies of one story found (sesame copies --rebuild looks again).")
        return EXIT_OK
    for group in groups:
        who = " (your decision)" if group.by_user else ""
        out.line(f"{len(group.articles)} copies of one story{who} · group {group.group[:8]}")
        for article_id, title, source in zip(
            group.articles, group.titles, group.sources, strict=True
        ):
            out.line(f"  {article_id[:8]}  {one_line(title)}  ·  {one_line(source or '—')}")
    out.line()
    out.line(f"{len(groups)} group(s); each counts as one independent source.")
    return EXIT_OK


def cmd_split(args: argparse.Namespace, out: Output) -> int:
    from archive import copies

    with open_archive(args, write=True, create=False) as archive:
        ids = _ids(args, archive)
        changed = copies.split(archive, ids)
    if out.as_json:
        out.json({"split": ids, "changed": changed})
    else:
        out.line(
            f"Split {len(ids)} article(s) from their copies ({changed} changed); "
            "detection keeps your decision (sesame undo reverts it)."
        )
    return EXIT_OK


def cmd_join(args: argparse.Namespace, out: Output) -> int:
    from archive import copies

    if len(args.ids) < 2:
        raise UsageError("Name at least two articles to join: sesame copies join ID ID [ID…].")
    with open_archive(args, write=True, create=False) as archive:
        ids = _ids(args, archive)
        group = copies.join(archive, ids)
    if out.as_json:
        out.json({"group": group, "articles": ids})
    else:
        out.line(
            f"Joined {len(ids)} articles as copies of one story (group {group[:8]}); "
            "they count as one independent source (sesame undo reverts it)."
        )
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `copies [split|join]` to the `sesame` parser."""
    p = add(
        "copies",
        cmd_copies,
        "copies of one story (reprints, wire copies): list groups, split, join, --rebuild",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="compute every signature again and find the automatic groups again "
        "(your splits and joins stay)",
    )
    sub = p.add_subparsers(metavar="ACTION")

    def action(name: str, func: object, help_text: str) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=help_text, description=help_text)
        q.add_argument("--archive", metavar="DIR", default=argparse.SUPPRESS)
        q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        q.set_defaults(func=func)
        return q

    q = action("split", cmd_split, "take articles out of their copy groups (your decision)")
    q.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    q = action("join", cmd_join, "make articles copies of one story (your decision)")
    q.add_argument("ids", nargs="+", metavar="ID", help="two or more article ids (or prefixes)")
