"""Tagging on the command line: `tag`, `annotations`, `annotation`, `entities`, `entity`,
`figures`, `tagtype`, `suggest` and `whoami` (DESIGN "Command line")."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from archive.cli import (
    EXIT_OK,
    Output,
    UsageError,
    exit_status,
    find_article,
    open_archive,
)
from archive.commands import Deferred
from archive.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlmodel import Session

    from archive import annotate, entities, figures, identity, roles, suggest, tagform, tagtypes
    from archive.store import Archive
else:  # imported when a command runs, not for `sesame --help` (see archive.commands)
    annotate = Deferred("archive.annotate")
    entities = Deferred("archive.entities")
    figures = Deferred("archive.figures")
    identity = Deferred("archive.identity")
    roles = Deferred("archive.roles")
    suggest = Deferred("archive.suggest")
    tagform = Deferred("archive.tagform")
    tagtypes = Deferred("archive.tagtypes")


# archive.figures.QUALIFIERS, written out: the help must not wait for the figure
# parser's tables (~90 ms); tests/archive/test_cli_startup.py checks they agree.
QUALIFIERS_HELP = "exactly, about, at least, more than, less than, up to"


def finite_float(text: str) -> float:
    """An argparse type: a finite number (NaN and infinity are no figure's value)."""
    import argparse
    import math

    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{text!r}: a figure must be a finite number")
    return number


def _common(parser: argparse.ArgumentParser) -> None:
    """--archive and --json on a nested subcommand too (`sesame entity merge A B --json`)."""
    parser.add_argument(
        "--archive", metavar="DIR", default=argparse.SUPPRESS, help="archive folder"
    )
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )


def _article_id(archive: Archive, ident: str) -> str:
    with archive.session() as session:
        return find_article(session, ident).id


def _entity_id(session: Session, ref: str, type_key: str | None = None) -> str:
    """An entity by id, unique id prefix, or (failing those) by name or alias."""
    try:
        return entities.get_row(session, ref).id
    except NotFound:
        found = entities.find_entity(session, ref, type_key)
        if found is None:
            raise NotFound(
                f"No entity with id or name {ref!r}. `sesame entities` lists them."
            ) from None
        return found.id


def _entity_ref(archive: Archive, ref: str, type_key: str | None = None) -> str:
    with archive.session() as session:
        return _entity_id(session, ref, type_key)


def _show_annotation(out: Output, rec: annotate.AnnotationRecord, verb: str = "") -> None:
    entity = f" -> {rec.entity}" if rec.entity else ""
    figure = ""
    if rec.type == "figure" and rec.value is not None:
        claim = figures.claim_text(rec.value, rec.qualifier, rec.counted, rec.low, rec.high)
        figure = f" [{claim}"
        figure += f", as of {rec.as_of}]" if rec.as_of else "]"
    flag = " (orphaned)" if rec.orphaned else ""
    prefix = f"{verb} " if verb else ""
    out.line(
        f"{prefix}{rec.id[:8]} {rec.article_id[:8]} [{rec.start}-{rec.end}] {rec.type}{entity}"
        f"{figure}{flag}: {rec.quote!r}"
    )


def _reply(out: Output, document: Any, text: str) -> int:
    """Print the JSON document (--json) or else the line of text; the command succeeded."""
    if out.as_json:
        out.json(document)
    else:
        out.line(text)
    return EXIT_OK


def _reply_annotation(out: Output, rec: annotate.AnnotationRecord, verb: str) -> int:
    """Print an annotation just made or changed: as JSON (--json) or as one line."""
    if out.as_json:
        out.json(rec.to_dict())
    else:
        _show_annotation(out, rec, verb)
    return EXIT_OK


# -- tag / annotations / annotation ----------------------------------------------------


def _tag_span(text: str, args: argparse.Namespace) -> tuple[int, int]:
    """The span `tag` asks for: --span as given (checked against the text), or the
    --quote (the --occurrence-th match; a quote found more than once needs it)."""
    if args.span:
        start: int = args.span[0]
        end: int = args.span[1]
        problem = annotate.span_problem(text, start, end)
        if problem is not None:
            raise UsageError(problem)
        return start, end
    spans = annotate.quote_spans(text, args.quote)
    if not spans:
        raise NotFound(f"The text does not contain {args.quote!r}.")
    if args.occurrence is None:
        if len(spans) > 1:
            raise UsageError(
                f"{args.quote!r} appears {len(spans)} times in the text; say which with "
                f"--occurrence K (1 to {len(spans)}), or give --span START END."
            )
        return spans[0]
    occurrence: int = args.occurrence
    if not 1 <= occurrence <= len(spans):
        times = "once" if len(spans) == 1 else f"{len(spans)} times"
        raise UsageError(
            f"{args.quote!r} appears {times} in the text; there is no occurrence "
            f"{occurrence} (--occurrence counts from 1)."
        )
    return spans[occurrence - 1]


def _refuse_overlap(
    session: Session,
    article_id: str,
    span: tuple[int, int],
    type_key: str,
    entity_id: str | None,
    entity_name: str | None,
) -> None:
    """Refuse a tag of an entity on words already tagged with it (--allow-overlap forces)."""
    start, end = span
    found = tagform.find_overlap(session, article_id, start, end, type_key, entity_id, entity_name)
    if found is not None:
        raise InvalidInput(
            f"{found.quote!r} [{found.start}-{found.end}] is already tagged with this entity "
            f"and overlaps {start}-{end}: the mention would count twice. Nothing was tagged; "
            "--allow-overlap tags it anyway."
        )


def cmd_tag(args: argparse.Namespace, out: Output) -> int:
    if (args.value is None) and (args.qualifier or args.counted) and args.type != "figure":
        raise UsageError("--qualifier and --counted describe a figure: use --type figure.")
    if (args.low is not None or args.high is not None) and args.type != "figure":
        raise UsageError("--low and --high describe a figure: use --type figure.")
    if args.span and not 0 <= args.span[0] < args.span[1]:
        # Known wrong before any archive is opened (nothing is made for it).
        raise UsageError(annotate.span_problem("", *args.span) or "")
    with open_archive(args, write=True, create=False) as archive:
        with archive.session() as session:
            article = find_article(session, args.id)
            start, end = _tag_span(article.text, args)
            entity_id = _entity_id(session, args.entity_id, args.type) if args.entity_id else None
        entity_name, as_of = args.entity, args.as_of
        if args.prefill:
            # What the window's tagging form would start with, where nothing is given.
            filled = tagform.tag_prefill(
                article.text,
                start,
                end,
                args.type,
                article.published,
                tagform.entity_choices(archive, args.type),
            )
            if not (entity_id or entity_name):
                entity_name = filled.get("entity")
            if as_of is None:
                as_of = filled.get("date")
        with archive.change(f"Tag as {args.type}") as ch:
            if not args.allow_overlap:
                _refuse_overlap(
                    ch.session, article.id, (start, end), args.type, entity_id, entity_name
                )
            ann = annotate.create_annotation(
                ch,
                article.id,
                start,
                end,
                args.type,
                entity_id=entity_id,
                entity_name=entity_name,
                note=args.note or "",
                value=args.value,
                qualifier=args.qualifier,
                counted=args.counted,
                as_of=as_of,
                low=args.low,
                high=args.high,
            )
        rec = annotate.get_annotation(archive, ann.id)
    return _reply_annotation(out, rec, "Tagged")


def cmd_annotations(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        article_id = _article_id(archive, args.id) if args.id else None
        entity_id = _entity_ref(archive, args.entity, args.type) if args.entity else None
        rows = annotate.list_annotations(
            archive,
            article_id,
            type_key=args.type,
            entity_id=entity_id,
            orphaned=True if args.orphaned else None,
        )
    if out.as_json:
        out.json([r.to_dict() for r in rows])
    else:
        for rec in rows:
            _show_annotation(out, rec)
        out.line(f"{len(rows)} annotation(s)")
    return EXIT_OK


def cmd_annotation_show(args: argparse.Namespace, out: Output) -> int:
    from archive import conflicts

    with open_archive(args, write=False) as archive:
        rec = annotate.get_annotation(archive, args.annotation)
        sender = conflicts.sent_by_id(archive, rec.id)  # a conflict copy's (QA F6)
    if out.as_json:
        out.json({**rec.to_dict(), **({"sent_by": sender} if sender else {})})
    else:
        _show_annotation(out, rec)
        if rec.note:
            out.line(f"  note: {rec.note}")
        out.line(f"  by {rec.created_by or '?'} at {rec.created_at} ({rec.origin})")
        if sender:
            out.line(f"  this version (a conflict to resolve) was sent by {sender}")
    return EXIT_OK


def cmd_annotation_edit(args: argparse.Namespace, out: Output) -> int:
    changes: dict[str, Any] = {}
    if args.span:
        changes["start"], changes["end"] = args.span
    for option, key in (
        ("type", "type_key"),
        ("note", "note"),
        ("value", "value"),
        ("qualifier", "qualifier"),
        ("counted", "counted"),
        ("as_of", "as_of"),
        ("low", "low"),
        ("high", "high"),
    ):
        if getattr(args, option) is not None:
            changes[key] = getattr(args, option)
    if args.no_entity:
        changes["entity_id"] = None
    elif args.entity:
        changes["entity_name"] = args.entity
    if not changes:
        raise UsageError("Nothing to change: give --note, --type, --entity, --span, --value, ...")
    with open_archive(args, write=True, create=False) as archive:
        _, after = annotate.update_annotation(archive, args.annotation, **changes)
        rec = annotate.get_annotation(archive, after["id"])
    return _reply_annotation(out, rec, "Changed")


def cmd_annotation_delete(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        with archive.change("Delete annotation") as ch:
            snap = annotate.delete_annotation(ch, args.annotation)
        # The roles and relations that rested on the passage went with it (undo
        # brings them back): said, so that nobody loses them without knowing.
        done = ch.changes
        roles = done.deleted("role") if done is not None else []
        relations = done.deleted("relation") if done is not None else []
    line = f"Deleted annotation {snap['id'][:8]}: {snap['quote']!r}"
    if roles or relations:
        line += (
            f"; with it {len(roles)} role(s) and {len(relations)} relation(s) resting on it "
            "(`sesame undo` brings them back)"
        )
    return _reply(
        out, {"deleted": snap, "roles_deleted": roles, "relations_deleted": relations}, line
    )


# -- entities ------------------------------------------------------------------------


def cmd_entities(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        rows = entities.list_entities(archive, args.type, include_merged=args.all)
    if out.as_json:
        out.json([r.to_dict() for r in rows])
    else:
        for e in rows:
            aliases = f" (also {', '.join(e.aliases)})" if e.aliases else ""
            merged = f" [merged into {e.merged_into[:8]}]" if e.merged_into else ""
            out.line(f"{e.id[:8]}  {e.type:<8} {e.mentions:>5}  {e.name}{aliases}{merged}")
        out.line(f"{len(rows)} entit{'y' if len(rows) == 1 else 'ies'}")
    return EXIT_OK


def _entity_doc(archive: Archive, entity_id: str) -> dict[str, Any]:
    return entities.get_entity(archive, entity_id).to_dict()


def cmd_entity_show(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        eid = _entity_ref(archive, args.entity)
        info = entities.get_entity(archive, eid)
        found = entities.mentions(archive, eid)
        claims = _claims_of(archive, info)
    if out.as_json:
        out.json(
            info.to_dict()
            | {"mention_list": [m.to_dict() for m in found]}
            | {k: [c.to_dict() for c in v] for k, v in claims.items()}
        )
        return EXIT_OK
    out.line(f"{info.name} ({info.type}, {info.id})")
    if info.aliases:
        out.line(f"  aliases: {', '.join(info.aliases)}")
    if info.description:
        out.line(f"  {info.description}")
    if info.date_start or info.place:
        when = info.date_start or ""
        if info.date_end:
            when += f" to {info.date_end}"
        if info.date_precision:
            when += f" ({info.date_precision})"
        where = info.place or "?"
        if info.place_precision:
            where += f" ({info.place_precision})"
        out.line(f"  when: {when or '?'}  where: {where}")
    for m in found:
        out.line(f"  {m.article_published or '----------'}  {m.article_title[:40]}: {m.quote!r}")
    out.line(f"{len(found)} mention(s)")
    for r in claims.get("roles", []):
        out.line(f"  role: {r.actor} as {r.role_label.lower()} in {r.event}: {r.quote!r}")
    for rel in claims.get("relations", []):
        cited = f" (cited {rel.first_cited} to {rel.last_cited})" if rel.first_cited else ""
        out.line(
            f"  relation: {rel.subject} {rel.type_label.lower()} {rel.object}{cited}: {rel.quote!r}"
        )
    return EXIT_OK


def _claims_of(archive: Archive, info: entities.EntityInfo) -> dict[str, list[Any]]:
    """An event's roles; an actor's roles and relations (`archive.roles`)."""
    if info.type == "event":
        return {"roles": roles.list_roles(archive, info.id)}
    if info.type == "actor":
        return {
            "roles": roles.list_roles(archive, actor=info.id),
            "relations": roles.list_relations(archive, info.id),
        }
    return {}


def cmd_entity_similar(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        pairs = entities.similar_entities(archive, args.type)
    if out.as_json:
        out.json([{"keep": a.to_dict(), "other": b.to_dict()} for a, b in pairs])
        return EXIT_OK
    for a, b in pairs:
        out.line(f"{a.name!r} ({a.mentions}) ~ {b.name!r} ({b.mentions}):")
        out.line(f"    sesame entity merge {a.id[:8]} {b.id[:8]}")
    out.line(f"{len(pairs)} likely duplicate(s)")
    return EXIT_OK


def cmd_entity_add(args: argparse.Namespace, out: Output) -> int:
    date_start, date_end = [*args.date, None][:2] if args.date else (None, None)
    with open_archive(args, write=True, create=False) as archive:
        info = entities.create_entity(
            archive,
            args.type,
            args.name,
            aliases=args.alias or [],
            description=args.description or "",
            date_start=date_start,
            date_end=date_end,
            place=args.place,
            date_precision=args.date_precision,
            place_precision=args.place_precision,
        )
    return _reply(out, info.to_dict(), f"Added {info.type} {info.name!r} ({info.id})")


def cmd_entity_edit(args: argparse.Namespace, out: Output) -> int:
    changes: dict[str, Any] = {}
    if args.name is not None:
        changes["name"] = args.name
        changes["keep_old_name_as_alias"] = not args.drop_old_name
    if args.alias is not None:
        changes["aliases"] = args.alias
    if args.description is not None:
        changes["description"] = args.description
    if args.date is not None:
        changes["date_start"] = args.date[0] or None
        changes["date_end"] = args.date[1] if len(args.date) > 1 else None
    if args.place is not None:
        changes["place"] = args.place or None
    for option in ("date_precision", "place_precision"):
        if getattr(args, option) is not None:
            changes[option] = getattr(args, option) or None
    if not changes:
        raise UsageError(
            "Nothing to change: give --name, --alias, --description, --date, --place, "
            "--date-precision, --place-precision."
        )
    with open_archive(args, write=True, create=False) as archive:
        eid = _entity_ref(archive, args.entity)
        entities.update_entity(archive, eid, **changes)
        doc = _entity_doc(archive, eid)
    return _reply(out, doc, f"Changed {doc['type']} {doc['name']!r} ({doc['id']})")


def cmd_entity_rename(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        eid = _entity_ref(archive, args.entity)
        entities.rename_entity(archive, eid, args.name, keep_old_as_alias=not args.drop_old_name)
        doc = _entity_doc(archive, eid)
    aliases = ", ".join(doc["aliases"]) or "-"
    return _reply(out, doc, f"Renamed to {doc['name']!r}; aliases: {aliases}")


def cmd_entity_merge(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        keep = _entity_ref(archive, args.keep)
        other = _entity_ref(archive, args.other)
        record = entities.merge_entities(archive, keep, other)
        doc = _entity_doc(archive, keep)
    return _reply(
        out,
        {"entity": doc, "merged": record.to_dict()},
        f"Merged {record.other_id[:8]} into {doc['name']!r} ({doc['id'][:8]}): "
        f"{len(record.moved_annotation_ids)} annotation(s) moved, {doc['mentions']} in all.",
    )


def cmd_entity_unmerge(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        with archive.session() as session:
            other = entities.get_row(session, args.other, follow=False).id
        record = entities.last_merge_record(archive, other)
        entities.unmerge_entities(archive, record)
        doc = _entity_doc(archive, other)
    return _reply(
        out,
        {"entity": doc, "unmerged": record.to_dict()},
        f"{doc['name']!r} is separate again with {doc['mentions']} mention(s).",
    )


def cmd_entity_delete(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        snap = entities.delete_entity(archive, _entity_ref(archive, args.entity))
    return _reply(out, {"deleted": snap}, f"Deleted {snap['type_key']} {snap['name']!r}")


# -- figures, tag types, suggestions, identity -------------------------------------------


def cmd_figures(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        eid = _entity_ref(archive, args.entity, "figure") if args.entity else None
        # Unlinked figures shown as the window's Figures panel shows them by default.
        unlinked = args.all or (figures.SHOW_UNLINKED and not args.linked)
        groups = figures.figure_table(archive, eid, include_unlinked=unlinked)
    if out.as_json:
        out.json([g.to_dict() for g in groups])
        return EXIT_OK
    for g in groups:
        span = ""
        if g.low is not None and g.high is not None:
            low, high = figures.format_value(g.low), figures.format_value(g.high)
            span = f"  {low}" if g.low == g.high else f"  {low} to {high}"
        flag = "  CONFLICT" if g.conflict else ""
        out.line(
            f"{g.name}{span}{flag}  ({len(g.claims)} claim(s) from {g.source_count()} source(s), "
            f"{g.independent} independent)"
        )
        for c in g.claims:
            claim = figures.claim_text(c.value, c.qualifier, c.counted, c.low, c.high)
            out.line(
                f"  {c.as_of or c.published or '----------':<10}  {(c.source or '?')[:18]:<18}  "
                f"{claim:<40}  {c.quote!r}"
            )
    if not groups:
        out.line(
            "No figures tagged yet." if unlinked else "No figures linked to a figure entity yet."
        )
    return EXIT_OK


def cmd_tagtype_list(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=False) as archive:
        rows = tagtypes.list_tag_types(archive)
    if out.as_json:
        out.json([r.__dict__ for r in rows])
    else:
        for t in rows:
            builtin = " (built in)" if t.builtin else ""
            out.line(f"{t.key:<12} {t.label:<16} {t.colour}  {t.shortcut or '-'}{builtin}")
    return EXIT_OK


def cmd_tagtype_add(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        info = tagtypes.create_tag_type(
            archive, args.key, args.label or args.key.title(), args.colour, args.shortcut
        )
    return _reply(out, info.__dict__, f"Added tag type {info.key} ({info.label}, {info.colour})")


def cmd_tagtype_edit(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        _, info = tagtypes.update_tag_type(
            archive, args.key, label=args.label, colour=args.colour, shortcut=args.shortcut
        )
    return _reply(out, info.__dict__, f"Changed tag type {info.key} ({info.label}, {info.colour})")


def cmd_tagtype_delete(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        info = tagtypes.delete_tag_type(archive, args.key)
    return _reply(out, {"deleted": info.__dict__}, f"Deleted tag type {info.key}")


def _chosen(spec: str, groups: list[suggest.SuggestionGroup]) -> dict[int, list[int] | None]:
    """What `--accept` picks: group index (0-based) -> its chosen mentions (0-based), or
    None for all of them. `spec` is "all", or numbers and ranges as `sesame suggest`
    numbers them (1-based): "1,3,5-7" (whole groups), "2.1,2.4" (mentions of group 2)."""
    if spec.strip().lower() == "all":
        return dict.fromkeys(range(len(groups)))
    chosen: dict[int, list[int] | None] = {}

    def check(n: int, k: int | None = None) -> None:
        if not 1 <= n <= len(groups):
            raise UsageError(
                f"There is no suggestion {n}; there are {len(groups)} "
                f"(`sesame suggest ID` numbers them)."
            )
        if k is not None and not 1 <= k <= groups[n - 1].count:
            raise UsageError(
                f"Suggestion {n} ({groups[n - 1].label}) has no mention {k}; "
                f"it has {groups[n - 1].count}."
            )

    for part in spec.split(","):
        part = part.strip()
        try:
            if "." in part:
                n, k = (int(x) for x in part.split(".", 1))
                check(n, k)
                mentions = chosen.setdefault(n - 1, [])
                if mentions is not None:  # None: the whole group is chosen already
                    mentions.append(k - 1)
            elif "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if a > b:
                    raise ValueError(part)
                for n in (a, b):
                    check(n)
                chosen.update(dict.fromkeys(range(a - 1, b)))
            elif part:
                check(int(part))
                chosen[int(part) - 1] = None
        except ValueError:
            raise UsageError(
                f"--accept takes 'all' or numbers like 1,3,5-7 or 2.1 (a mention of 2), "
                f"not {spec!r}."
            ) from None
    return dict(sorted(chosen.items()))


def cmd_suggest(args: argparse.Namespace, out: Output) -> int:
    write = args.accept is not None
    with open_archive(args, write=write, create=False) as archive:
        article_id = _article_id(archive, args.id)
        groups = suggest.suggest_groups(archive, article_id, types=args.type or None)
        accepted: list[annotate.AnnotationRecord] = []
        if write:
            picks = _chosen(args.accept, groups)
            count = sum(groups[g].count if m is None else len(m) for g, m in picks.items())
            with archive.change(f"Accept {count} suggestion(s)", origin="suggestion") as ch:
                made = [
                    ann
                    for g, mentions in picks.items()
                    for ann in suggest.accept_group(ch, article_id, groups[g], mentions)
                ]
            accepted = [annotate.get_annotation(archive, a.id) for a in made]
    if out.as_json:
        if write:
            out.json({"accepted": [r.to_dict() for r in accepted]})
        else:
            out.json([g.to_dict() for g in groups])
        return EXIT_OK
    if write:
        for rec in accepted:
            _show_annotation(out, rec, "Tagged")
        out.line(f"{len(accepted)} suggestion(s) accepted")
        return EXIT_OK
    for n, g in enumerate(groups, 1):
        s = g.first
        extra = ""
        if s.type == "figure":
            extra = f"  [{figures.claim_text(s.value, s.qualifier, s.counted)}"
            extra += f", as of {s.as_of}]" if s.as_of else "]"
        elif s.type == "actor" and g.count > 1:
            extra = f"  (also {', '.join(g.aliases)})" if g.aliases else ""
        elif s.type == "actor" and s.entity_name and s.entity_name != s.quote:
            extra = f"  -> {s.entity_name}"
        elif s.type == "event" and s.date:
            extra = f"  ({s.date})"
        if g.count == 1:
            out.line(f"{n:>3}. [{s.start}-{s.end}] {s.type:<6} {s.quote!r}{extra}")
            continue
        out.line(f"{n:>3}. {s.type:<6} {g.label}{extra}")
        for k, m in enumerate(g.members, 1):
            out.line(f"     {n}.{k} [{m.start}-{m.end}] {m.quote!r}")
    out.line(
        f"{len(groups)} suggestion(s); accept with: sesame suggest {args.id} --accept 1,3,... "
        "(2.1 for one mention of 2)"
    )
    return EXIT_OK


def cmd_whoami(args: argparse.Namespace, out: Output) -> int:
    if args.set:
        try:
            me = identity.set_display_name(args.set)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
    else:
        me = identity.local_identity()
    from archive import keys

    public_key = keys.public_key_text()
    doc = {
        "id": me.id,
        "display_name": me.display_name,
        "public_key": public_key,
        "fingerprint": keys.fingerprint(public_key),
        "age_recipient": keys.age_recipient(),
    }
    text = (
        f"{me.display_name} ({me.id})\n"
        f"fingerprint  {doc['fingerprint']}   (read it out to colleagues who check your bundles)\n"
        f"public key   {public_key}   (for: sesame contacts add {me.display_name!r} KEY)\n"
        f"age key      {doc['age_recipient']}   (colleagues encrypt bundles for you with it)"
    )
    return _reply(out, doc, text)


# -- registration -----------------------------------------------------------------------


def _nested(
    parent: argparse.ArgumentParser, usage: str, default: Callable[..., int] | None = None
) -> Callable[[str, Callable[..., int], str], argparse.ArgumentParser]:
    """`add` for subcommands of a subcommand (`sesame entity merge`).

    Without an action, `default` runs (or a usage error names the actions).
    """

    def fail(args: argparse.Namespace, out: Output) -> int:
        raise UsageError(usage)

    parent.set_defaults(func=default or fail)
    sub = parent.add_subparsers(metavar="ACTION")

    def add(name: str, func: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _common(p)
        p.set_defaults(func=func)
        return p

    return add


def _figure_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--value", type=finite_float, metavar="NUM", help="figure: the number claimed")
    p.add_argument(
        "--qualifier",
        metavar="Q",
        help=f"figure: {QUALIFIERS_HELP} (or 'over', 'nearly', ...)",
    )
    p.add_argument("--counted", metavar="TEXT", help="figure: what is counted")
    p.add_argument(
        "--low",
        type=finite_float,
        metavar="NUM",
        help="figure: the low estimate of a range it states",
    )
    p.add_argument(
        "--high",
        type=finite_float,
        metavar="NUM",
        help="figure: the high estimate (--value: the best)",
    )
    p.add_argument(
        "--as-of",
        "--date",
        dest="as_of",
        metavar="DATE",
        help="figure: as-of date (default: published); event: the date this source gives",
    )


def _entity_detail_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--description", metavar="TEXT")
    p.add_argument("--date", nargs="+", metavar="DATE", help="event date, or START END")
    p.add_argument("--place", metavar="PLACE")
    p.add_argument(
        "--date-precision",
        metavar="P",
        help="how precise the date is: day, week, month, year, range (default: as typed, "
        "2021-03 is a month)",
    )
    p.add_argument(
        "--place-precision",
        metavar="P",
        help="how precise the place is: exact, town, district, region, country",
    )


def _tagtype_options(p: argparse.ArgumentParser, colour: str | None) -> None:
    """KEY, --label, --colour (default `colour`) and --shortcut."""
    p.add_argument("key", metavar="KEY")
    p.add_argument("--label", metavar="TEXT")
    p.add_argument("--colour", "--color", default=colour, metavar="#RRGGBB")
    p.add_argument("--shortcut", metavar="KEY")


def register_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the tagging commands to the `sesame` parser."""
    p = add("tag", cmd_tag, "tag a passage of an article (offsets are code points)")
    exit_status(
        p,
        failed="nothing was tagged: the article, entity or tag type does not exist, the quote "
        "is not in the text, or the same entity already tags overlapping words (see "
        "--allow-overlap)",
        usage=" (a missing or malformed argument, a --span outside the text, a --quote found "
        "more than once without --occurrence, an --occurrence it does not have)",
    )
    p.add_argument("id", metavar="ID", help="article id (or a unique prefix)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--span", nargs=2, type=int, metavar=("START", "END"))
    where.add_argument("--quote", metavar="TEXT", help="the exact words to tag")
    p.add_argument(
        "--occurrence",
        type=int,
        metavar="K",
        help="the K-th match of --quote (needed when the quote appears more than once)",
    )
    p.add_argument(
        "--allow-overlap",
        action="store_true",
        help="tag even where the same entity already tags overlapping words (refused "
        "otherwise: its mentions would count twice)",
    )
    p.add_argument("--type", required=True, metavar="TYPE", help="actor, event, figure, ...")
    p.add_argument("--entity", metavar="NAME", help="link to this entity (created if new)")
    p.add_argument("--entity-id", metavar="ID", help="link to this existing entity")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument(
        "--prefill",
        action="store_true",
        help="fill what is not given as the window's tagging form does: the entity (one "
        "named by the quote or by the suggester's name for it, else the quote for actors "
        "and events) and an event's date",
    )
    _figure_options(p)

    p = add("annotations", cmd_annotations, "list annotations (of one article, or all)")
    p.add_argument("id", nargs="?", metavar="ID", help="article id (or a unique prefix)")
    p.add_argument("--type", metavar="TYPE")
    p.add_argument("--entity", metavar="ENTITY", help="entity id or name")
    p.add_argument("--orphaned", action="store_true", help="only those that lost their anchor")

    usage = "usage: sesame annotation (show|edit|delete) ANNOTATION_ID ..."
    nested = _nested(
        add("annotation", cmd_annotations, "show, edit or delete one annotation"), usage
    )
    p = nested("show", cmd_annotation_show, "show one annotation")
    p.add_argument("annotation", metavar="ANNOTATION_ID")
    p = nested("edit", cmd_annotation_edit, "change an annotation")
    p.add_argument("annotation", metavar="ANNOTATION_ID")
    p.add_argument("--span", nargs=2, type=int, metavar=("START", "END"))
    p.add_argument("--type", metavar="TYPE")
    p.add_argument("--entity", metavar="NAME", help="link to this entity (created if new)")
    p.add_argument("--no-entity", action="store_true", help="unlink the entity")
    p.add_argument("--note", metavar="TEXT")
    _figure_options(p)
    p = nested("delete", cmd_annotation_delete, "delete an annotation")
    p.add_argument("annotation", metavar="ANNOTATION_ID")

    p = add("entities", cmd_entities, "list entities with how many annotations link to each")
    p.add_argument("--type", metavar="TYPE")
    p.add_argument("--all", action="store_true", help="include merged (tombstone) entities")

    usage = "usage: sesame entity (show|similar|add|edit|rename|merge|unmerge|delete) ..."
    nested = _nested(add("entity", cmd_entities, "show or change one entity"), usage)
    p = nested("show", cmd_entity_show, "an entity with every mention")
    p.add_argument("entity", metavar="ENTITY", help="id, id prefix or name")
    p = nested(
        "similar", cmd_entity_similar, "entities that are likely one (same name, other title)"
    )
    p.add_argument("--type", metavar="TYPE")
    p = nested("add", cmd_entity_add, "add an entity")
    p.add_argument("type", metavar="TYPE")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--alias", action="append", metavar="NAME", help="another name (repeatable)")
    _entity_detail_options(p)
    p = nested("edit", cmd_entity_edit, "change an entity's name, aliases, description, ...")
    p.add_argument("entity", metavar="ENTITY", help="id, id prefix or name")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--drop-old-name", action="store_true", help="do not keep it as an alias")
    p.add_argument("--alias", nargs="*", metavar="NAME", help="replace the aliases")
    _entity_detail_options(p)
    p = nested("rename", cmd_entity_rename, "rename an entity (the old name becomes an alias)")
    p.add_argument("entity", metavar="ENTITY", help="id, id prefix or name")
    p.add_argument("name", metavar="NEW_NAME")
    p.add_argument("--drop-old-name", action="store_true", help="do not keep it as an alias")
    p = nested("merge", cmd_entity_merge, "merge OTHER into KEEP (annotations and names follow)")
    p.add_argument("keep", metavar="KEEP")
    p.add_argument("other", metavar="OTHER")
    p = nested("unmerge", cmd_entity_unmerge, "undo the merge of OTHER")
    p.add_argument("other", metavar="OTHER")
    p = nested("delete", cmd_entity_delete, "delete an entity no annotation links to")
    p.add_argument("entity", metavar="ENTITY")

    p = add("figures", cmd_figures, "figure claims side by side, per figure entity")
    p.add_argument("--entity", metavar="ENTITY", help="one figure entity (id or name)")
    p.add_argument(
        "--linked",
        action="store_true",
        help="only figures linked to a figure entity (by default, as in the window, figures "
        "linked to none are listed too, last)",
    )
    p.add_argument("--all", action="store_true", help=argparse.SUPPRESS)  # the default now

    usage = "usage: sesame tagtype (list|add|edit|delete) ..."
    parent = add("tagtype", cmd_tagtype_list, "list, add or change tag types")
    nested = _nested(parent, usage, default=cmd_tagtype_list)
    nested("list", cmd_tagtype_list, "list tag types")
    _tagtype_options(nested("add", cmd_tagtype_add, "add a tag type"), "#cdb4db")
    _tagtype_options(nested("edit", cmd_tagtype_edit, "change a tag type"), None)
    p = nested("delete", cmd_tagtype_delete, "delete an unused tag type")
    p.add_argument("key", metavar="KEY")

    p = add("suggest", cmd_suggest, "suggest actors, events and figures to tag in an article")
    exit_status(
        p,
        failed="the article does not exist, or a suggestion no longer matches the text; "
        "nothing was accepted",
        usage=" (--accept names no suggestion or mention shown, or is not 'all' or numbers)",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("--type", action="append", choices=["actor", "event", "figure"])
    p.add_argument(
        "--accept",
        metavar="WHICH",
        help="accept 'all' or numbers like 1,3,5-7 (a whole group: every mention of one "
        "entity), or 2.1,2.3 (chosen mentions of group 2), in one undoable change",
    )

    p = add("whoami", cmd_whoami, "show (or --set) the name recorded on your annotations")
    p.add_argument("--set", metavar="NAME")
