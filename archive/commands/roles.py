"""Roles and relations on the command line: `role`, `roles`, `role-types`, `relation`,
`relations` and `relation-types` (issue 13; the core is `archive.roles`).

EVENT and ACTOR are entity ids, unique id prefixes or exact names (or aliases). A
claim rests on a passage: `--annotation ID`, or `--quote TEXT` (in `--article ID`, or
in the only article holding it). A quote already tagged on exactly that span reuses
that annotation; otherwise the passage is tagged: as the event for a role, as the
first actor for a relation. A reference or quote that matches more than one thing is
a usage error (exit 2) naming the candidates.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from archive.cli import EXIT_OK, Output, UsageError, exit_status, open_archive
from archive.commands import Deferred
from archive.commands.annotate import _nested

if TYPE_CHECKING:
    from archive import roles
else:  # imported when a command runs, not for `sesame --help` (see archive.commands)
    roles = Deferred("archive.roles")

Command = Callable[[argparse.Namespace, Output], int]


def _usage_on_ambiguity(func: Command) -> Command:
    """An ambiguous reference or quote is the command line's to fix: exit status 2."""

    @wraps(func)
    def run(args: argparse.Namespace, out: Output) -> int:
        try:
            return func(args, out)
        except roles.Ambiguous as exc:
            raise UsageError(str(exc)) from None

    return run


def _anchor(args: argparse.Namespace) -> dict[str, Any]:
    if args.annotation and (args.article or args.occurrence):
        raise UsageError("--article and --occurrence go with --quote, not with --annotation.")
    if args.annotation:
        return {"annotation_id": args.annotation}
    return {"quote": args.quote, "article": args.article, "occurrence": args.occurrence}


def _role_line(info: roles.RoleInfo) -> str:
    return (
        f"{info.id[:8]}  {info.event} <- {info.actor} as {info.role_label.lower()}  "
        f"[{info.article_id[:8]} {info.annotation_id[:8]}] {info.quote!r}"
    )


def _role_doc(info: roles.RoleInfo) -> dict[str, Any]:
    """The JSON of one role: the issue's keys first, then ids and the rest."""
    doc = {
        "event": info.event,
        "actor": info.actor,
        "role": info.role,
        "annotation_id": info.annotation_id,
        "quote": info.quote,
        "article_id": info.article_id,
    }
    return doc | info.to_dict()


def _relation_line(info: roles.RelationInfo) -> str:
    cited = ""
    if info.first_cited:
        cited = f"  cited {info.first_cited}"
        cited += f" to {info.last_cited}" if info.last_cited != info.first_cited else ""
    held = ""
    if info.date_start or info.date_end:
        held = f"  ({info.date_start or '?'} to {info.date_end or '?'})"
    return (
        f"{info.id[:8]}  {info.subject} {info.type_label.lower()} {info.object}{held}{cited}  "
        f"[{info.article_id[:8]} {info.annotation_id[:8]}] {info.quote!r}"
    )


@_usage_on_ambiguity
def cmd_role_add(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        info = roles.add_role(
            archive, args.event, args.actor, args.role, note=args.note or "", **_anchor(args)
        )
    if out.as_json:
        out.json(_role_doc(info))
    else:
        out.line(f"Added role {_role_line(info)}")
    return EXIT_OK


@_usage_on_ambiguity
def cmd_role_remove(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        snap = roles.remove_role(archive, args.id)
    if out.as_json:
        out.json({"deleted": snap})
    else:
        out.line(f"Removed role {snap['id'][:8]} (its passage stays).")
    return EXIT_OK


@_usage_on_ambiguity
def cmd_roles(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        rows = roles.list_roles(archive, args.event, actor=args.actor)
    if out.as_json:
        out.json([_role_doc(r) for r in rows])
        return EXIT_OK
    for info in rows:
        out.line(_role_line(info))
    out.line(f"{len(rows)} role(s)")
    return EXIT_OK


def _types(args: argparse.Namespace, out: Output, relation: bool) -> int:
    what = "relation" if relation else "role"
    if args.add and args.remove:
        raise UsageError("Give --add or --remove, not both.")
    with open_archive(args, write=bool(args.add or args.remove), create=False) as archive:
        if args.add:
            adder = roles.add_relation_type if relation else roles.add_role_type
            info = adder(archive, args.add[0], args.add[1])
            return _said(out, info.to_dict(), f"Added {what} type {info.key!r} ({info.label}).")
        if args.remove:
            remover = roles.remove_relation_type if relation else roles.remove_role_type
            info = remover(archive, args.remove)
            return _said(out, {"deleted": info.to_dict()}, f"Removed {what} type {info.key!r}.")
        rows = (roles.list_relation_types if relation else roles.list_role_types)(archive)
    if out.as_json:
        out.json([r.to_dict() for r in rows])
        return EXIT_OK
    for row in rows:
        out.line(f"{row.key:<16} {row.label}{'' if row.builtin else '  (yours)'}")
    return EXIT_OK


def _said(out: Output, doc: Any, text: str) -> int:
    if out.as_json:
        out.json(doc)
    else:
        out.line(text)
    return EXIT_OK


def cmd_role_types(args: argparse.Namespace, out: Output) -> int:
    return _types(args, out, relation=False)


def cmd_relation_types(args: argparse.Namespace, out: Output) -> int:
    return _types(args, out, relation=True)


@_usage_on_ambiguity
def cmd_relation_add(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        info = roles.add_relation(
            archive,
            args.actor1,
            args.actor2,
            args.type,
            date_start=args.date_from,
            date_end=args.date_to,
            note=args.note or "",
            **_anchor(args),
        )
    return _said(out, info.to_dict(), f"Added relation {_relation_line(info)}")


@_usage_on_ambiguity
def cmd_relation_remove(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        snap = roles.remove_relation(archive, args.id)
    return _said(out, {"deleted": snap}, f"Removed relation {snap['id'][:8]} (its passage stays).")


@_usage_on_ambiguity
def cmd_relations(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        rows = roles.list_relations(archive, args.actor)
    if out.as_json:
        out.json([r.to_dict() for r in rows])
        return EXIT_OK
    for info in rows:
        out.line(_relation_line(info))
    out.line(f"{len(rows)} relation(s)")
    return EXIT_OK


# -- registration -----------------------------------------------------------------------


def _anchor_options(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--quote", metavar="TEXT", help="the words that say so")
    where.add_argument("--annotation", metavar="ID", help="an annotation that says so")
    p.add_argument(
        "--article", metavar="ID", help="the article of --quote (default: the only one with it)"
    )
    p.add_argument("--occurrence", type=int, metavar="K", help="the K-th match of --quote")
    p.add_argument("--note", metavar="TEXT")


_FAILED = (
    "nothing was recorded: an entity, role or relation type, article or annotation does not "
    "exist, an entity is of the wrong type, the quote is not in the text, or the passage "
    "already records it"
)
_USAGE = " (an entity reference, article prefix or --quote matching more than one thing)"


def register_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the role and relation commands to the `sesame` parser."""
    usage = "usage: sesame role (add|remove) ..."
    nested = _nested(add("role", cmd_roles, "record or remove an actor's role in an event"), usage)
    p = nested("add", cmd_role_add, "record that ACTOR was ROLE in EVENT, anchored to a passage")
    exit_status(p, failed=_FAILED, usage=_USAGE)
    p.add_argument("event", metavar="EVENT", help="event entity: id, id prefix or name")
    p.add_argument("actor", metavar="ACTOR", help="actor entity: id, id prefix or name")
    p.add_argument(
        "--role", required=True, metavar="ROLE", help="perpetrator, victim, witness, ..."
    )
    _anchor_options(p)
    p = nested("remove", cmd_role_remove, "remove a role (its passage stays)")
    p.add_argument("id", metavar="ID", help="role id (or a unique prefix)")

    p = add("roles", cmd_roles, "roles of actors in events, each with its passage")
    p.add_argument("event", nargs="?", metavar="EVENT", help="one event (id, prefix or name)")
    p.add_argument("--actor", metavar="ACTOR", help="one actor's roles")

    p = add("role-types", cmd_role_types, "list (or --add) the role types")
    p.add_argument("--add", nargs=2, metavar=("KEY", "LABEL"), help="a role type of your own")
    p.add_argument("--remove", metavar="KEY", help="delete a role type of yours no role uses")

    usage = "usage: sesame relation (add|remove) ..."
    nested = _nested(add("relation", cmd_relations, "record or remove a relation"), usage)
    p = nested("add", cmd_relation_add, "record that ACTOR1 is TYPE of ACTOR2 (member of, ...)")
    exit_status(p, failed=_FAILED, usage=_USAGE)
    p.add_argument("actor1", metavar="ACTOR1", help="actor entity: id, id prefix or name")
    p.add_argument("actor2", metavar="ACTOR2", help="actor entity: id, id prefix or name")
    p.add_argument("--type", required=True, metavar="TYPE", help="member_of, commands, part_of")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="when it held, per the text")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="until when, per the text")
    _anchor_options(p)
    p = nested("remove", cmd_relation_remove, "remove a relation (its passage stays)")
    p.add_argument("id", metavar="ID", help="relation id (or a unique prefix)")

    p = add("relations", cmd_relations, "relations between actors, with first and last cited")
    p.add_argument("actor", nargs="?", metavar="ACTOR", help="one actor's relations")

    p = add("relation-types", cmd_relation_types, "list (or --add) the relation types")
    p.add_argument("--add", nargs=2, metavar=("KEY", "LABEL"), help="a relation type of your own")
    p.add_argument("--remove", metavar="KEY", help="delete a relation type of yours none uses")
