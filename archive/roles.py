"""Roles in events and relations between actors, each anchored to the passage that says so.

A role is the claim "actor X was ROLE in event Y" (HURIDOCS' and OpenEvSys'
"who did what to whom"); a relation is "actor X is TYPE of actor Y" (Security
Force Monitor's "member of", "commands"), optionally with the dates the
passage gives for it. Each points at one annotation, the quote that supports
it, so every statement can be traced to its source. The first and last cited
dates of a relation are computed, never stored: the earliest and latest
published date of the articles of every passage citing the same (subject,
object, type).

Role and relation types are rows (`RoleType`, `RelationType`): the built-in
ones seeded by the schema and those a user adds. Entity references (`resolve`)
are an id, a unique id prefix (compared literally, never with LIKE) or an exact
name or alias; an ambiguous one is `Ambiguous`, an unknown one `NotFound`.

Every write takes the open `Archive` (and makes its own core change) or an
open `Change` (and joins it), so it is undoable and audited. Deleting an
annotation deletes its roles and relations in the same change
(`archive.annotate.delete_annotation`); merging entities repoints them
(`archive.entities.merge_entities`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, or_, select

from archive import annotate, entities, models
from archive.changes import Change, changing
from archive.entities import row_snapshot
from archive.errors import InvalidInput, NotFound
from archive.store import Archive

ACTOR_TYPE = "actor"
EVENT_TYPE = "event"
# A passage quoted for a claim and not tagged yet becomes a tag of this type, linked to
# the claim's first entity: a role's passage tells of the event (a mention of the
# event), a relation's tells of its subject (a mention of that actor).
ROLE_PASSAGE_TYPE = EVENT_TYPE
RELATION_PASSAGE_TYPE = ACTOR_TYPE
MIN_PREFIX = 4  # characters of an id a prefix needs
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class Ambiguous(InvalidInput):
    """A reference (entity, quote) that matches more than one thing: say which."""


# -- entity references -------------------------------------------------------------------


def _live(session: Session, entity: models.Entity) -> models.Entity:
    return entities.get_row(session, entity.id)  # follows merges


def resolve(session: Session, ref: str, type_key: str | None = None) -> models.Entity:
    """The entity `ref` names: an id, a unique id prefix, or an exact name or alias.

    With `type_key`, a name shared by entities of several types means the one of
    that type. The entity is not checked to be of `type_key` (`expect` does that,
    saying what it is instead).
    """
    ref = ref.strip()
    if not ref:
        raise InvalidInput("An entity reference is empty: give an id, id prefix or name.")
    exact = session.get(models.Entity, ref)
    if exact is not None:
        return _live(session, exact)
    found: dict[str, models.Entity] = {}
    if len(ref) >= MIN_PREFIX:
        by_prefix = session.exec(
            select(models.Entity).where(
                # Literal: `startswith` makes LIKE, where _ and % are wildcards.
                func.substr(col(models.Entity.id), 1, len(ref)) == ref
            )
        )
        for entity in by_prefix:
            live = _live(session, entity)
            found[live.id] = live
    type_keys = [row.key for row in session.exec(select(models.TagType))]
    for key in type_keys:
        named = entities.find_entity(session, ref, key)
        if named is not None:
            found[named.id] = named
    if len(found) > 1 and type_key:
        typed = {k: e for k, e in found.items() if e.type_key == type_key}
        if len(typed) == 1:
            found = typed
    if not found:
        raise NotFound(f"No entity with id or name {ref!r}. `sesame entities` lists them.")
    if len(found) > 1:
        names = "; ".join(
            f"{e.type_key} {e.name!r} ({e.id[:8]})" for e in sorted(found.values(), key=_by_name)
        )
        raise Ambiguous(f"{ref!r} could be any of: {names}. Give more of the id.")
    return next(iter(found.values()))


def _by_name(entity: models.Entity) -> tuple[str, str]:
    return entities.norm_name(entity.name), entity.id


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def expect(entity: models.Entity, type_key: str, what: str) -> models.Entity:
    """`entity` if it is of `type_key`, else InvalidInput saying what it is."""
    if entity.type_key != type_key:
        raise InvalidInput(
            f"{entity.name!r} ({entity.id[:8]}) is {_a(entity.type_key)}, not {_a(type_key)}: "
            f"{what} must be {_a(type_key)} entity."
        )
    return entity


# -- role and relation types ---------------------------------------------------------------


@dataclass
class TypeInfo:
    """A role or relation type: its key, label and whether it came with Sesame."""

    key: str
    label: str
    builtin: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


_TypeRow = models.RoleType | models.RelationType


def _types(session: Session, table: type[_TypeRow]) -> list[_TypeRow]:
    rows: list[_TypeRow] = list(session.exec(select(table)))
    rows.sort(key=lambda r: (not r.builtin, r.label.casefold(), r.key))
    return rows


def _find_type(session: Session, table: type[_TypeRow], ref: str, what: str) -> _TypeRow:
    """A type by key or label (any case); NotFound listing the types there are."""
    wanted = " ".join(ref.split()).casefold()
    rows = _types(session, table)
    for row in rows:
        if row.key == wanted or row.key == wanted.replace(" ", "_"):
            return row
    for row in rows:
        if row.label.casefold() == wanted:
            return row
    known = ", ".join(r.key for r in rows)
    command = "role-types" if table is models.RoleType else "relation-types"
    raise NotFound(
        f"No {what} type {ref!r}; there are: {known}. "
        f"Add one with: sesame {command} --add KEY LABEL."
    )


def _add_type(target: Archive | Change, table: type[_TypeRow], key: str, label: str) -> TypeInfo:
    what = "role" if table is models.RoleType else "relation"
    key = key.strip().lower()
    label = " ".join(label.split())
    if not _KEY.match(key):
        raise InvalidInput(
            f"The {what} type key {key!r} must be lower-case letters, digits and _ "
            "(starting with a letter, at most 40), e.g. 'organiser'."
        )
    if not label:
        raise InvalidInput(f"A {what} type needs a label, e.g. 'Organiser'.")
    with changing(target, f"New {what} type {label}") as ch:
        session = ch.session
        if session.get(table, key) is not None:
            raise InvalidInput(f"There is already a {what} type {key!r}.")
        for row in _types(session, table):
            if row.label.casefold() == label.casefold():
                raise InvalidInput(f"The {what} type {row.key!r} is already called {label!r}.")
        row = table(key=key, label=label, builtin=False)
        session.add(row)
        session.flush()
        ch.audit(f"{what}type", "create", key, after=row_snapshot(row))
        return TypeInfo(row.key, row.label, row.builtin)


def _remove_type(target: Archive | Change, table: type[_TypeRow], ref: str) -> TypeInfo:
    what = "role" if table is models.RoleType else "relation"
    with changing(target, f"Delete {what} type") as ch:
        session = ch.session
        row = _find_type(session, table, ref, what)
        if row.builtin:
            raise InvalidInput(f"The {what} type {row.key!r} comes with Sesame; it stays.")
        claim = models.Role.role if table is models.RoleType else models.Relation.type
        used = session.exec(select(func.count()).where(claim == row.key)).one()
        if used:
            raise InvalidInput(
                f"The {what} type {row.key!r} is used {used} time(s); remove those first."
            )
        info = TypeInfo(row.key, row.label, row.builtin)
        ch.describe(f"Delete {what} type {row.label}")
        ch.audit(f"{what}type", "delete", row.key, before=row_snapshot(row))
        session.delete(row)
        return info


def list_role_types(archive: Archive) -> list[TypeInfo]:
    """The role types: built-in first, then the user's, by label."""
    with archive.session() as session:
        return [TypeInfo(r.key, r.label, r.builtin) for r in _types(session, models.RoleType)]


def list_relation_types(archive: Archive) -> list[TypeInfo]:
    """The relation types: built-in first, then the user's, by label."""
    with archive.session() as session:
        return [TypeInfo(r.key, r.label, r.builtin) for r in _types(session, models.RelationType)]


def add_role_type(target: Archive | Change, key: str, label: str) -> TypeInfo:
    """A new role type (`key`: lower-case letters, digits and _)."""
    return _add_type(target, models.RoleType, key, label)


def add_relation_type(target: Archive | Change, key: str, label: str) -> TypeInfo:
    """A new relation type (`key`: lower-case letters, digits and _)."""
    return _add_type(target, models.RelationType, key, label)


def remove_role_type(target: Archive | Change, key: str) -> TypeInfo:
    """Delete a role type of the user's that no role uses."""
    return _remove_type(target, models.RoleType, key)


def remove_relation_type(target: Archive | Change, key: str) -> TypeInfo:
    """Delete a relation type of the user's that no relation uses."""
    return _remove_type(target, models.RelationType, key)


# -- the passage a claim rests on -------------------------------------------------------------


def _article(session: Session, ref: str) -> models.Article:
    article = session.get(models.Article, ref)
    if article is None and len(ref) >= MIN_PREFIX:
        matches = list(
            session.exec(
                select(models.Article).where(
                    func.substr(col(models.Article.id), 1, len(ref)) == ref  # literal prefix
                )
            )
        )
        if len(matches) > 1:
            raise Ambiguous(f"The id prefix {ref} matches {len(matches)} articles; give more.")
        article = matches[0] if matches else None
    if article is None:
        raise NotFound(f"No article with id {ref}. `sesame list` shows the ids.")
    return article


def _quote_span(
    session: Session, quote: str, article_ref: str | None, occurrence: int | None
) -> tuple[models.Article, int, int]:
    """Where `quote` is: in the article given, or in the only live article containing it."""
    if not quote.strip():
        raise InvalidInput("The quote is empty.")
    if article_ref:
        candidates = [_article(session, article_ref)]
    else:
        # instr() is a literal substring test (LIKE would read _ and % as wildcards).
        candidates = list(
            session.exec(
                select(models.Article).where(
                    func.instr(models.Article.text, quote) > 0,
                    col(models.Article.retracted_at).is_(None),
                )
            )
        )
        if not candidates:
            raise NotFound(f"No article contains {quote!r}. Check the words, or give --article.")
        if len(candidates) > 1:
            ids = ", ".join(a.id[:8] for a in candidates[:10])
            raise Ambiguous(
                f"{quote!r} is in {len(candidates)} articles ({ids}); say which with --article."
            )
    article = candidates[0]
    spans = annotate.quote_spans(article.text, quote)
    if not spans:
        raise NotFound(f"The article {article.id[:8]} does not contain {quote!r}.")
    if occurrence is None:
        if len(spans) > 1:
            raise Ambiguous(
                f"{quote!r} appears {len(spans)} times in the article {article.id[:8]}; say "
                f"which with --occurrence K (1 to {len(spans)}), or quote more words."
            )
        occurrence = 1
    if not 1 <= occurrence <= len(spans):
        raise Ambiguous(
            f"{quote!r} appears {len(spans)} time(s) in the article; there is no occurrence "
            f"{occurrence} (--occurrence counts from 1)."
        )
    return article, *spans[occurrence - 1]


def passage(
    target: Archive | Change,
    quote: str,
    *,
    article: str | None = None,
    occurrence: int | None = None,
    type_key: str,
    entity_id: str | None = None,
) -> str:
    """The annotation of the passage `quote` (in `article`, or in the only article holding
    it): one already on exactly that span (one of `type_key` first), else a new tag of
    `type_key` linked to `entity_id`. Returns its id."""
    with changing(target, "Tag passage") as ch:
        row, start, end = _quote_span(ch.session, quote, article, occurrence)
        return passage_at(ch, row.id, start, end, type_key=type_key, entity_id=entity_id)


def passage_at(
    target: Archive | Change,
    article_id: str,
    start: int,
    end: int,
    *,
    type_key: str,
    entity_id: str | None = None,
) -> str:
    """The annotation on exactly `start:end` of an article (one of `type_key`, linked to
    `entity_id`, first), else a new tag of `type_key` linked to `entity_id`: its id. The
    window's "Add role…" on a selection anchors the role so."""
    with changing(target, "Tag passage") as ch:
        there = list(
            ch.session.exec(
                select(models.Annotation).where(
                    models.Annotation.article_id == article_id,
                    models.Annotation.start == start,
                    models.Annotation.end == end,
                )
            )
        )
        if there:
            there.sort(key=lambda a: (a.type_key != type_key, a.entity_id != entity_id, a.id))
            return there[0].id
        return annotate.create_annotation(
            ch, article_id, start, end, type_key, entity_id=entity_id
        ).id


def _anchor(
    ch: Change,
    annotation_id: str | None,
    quote: str | None,
    article: str | None,
    occurrence: int | None,
    type_key: str,
    entity_id: str,
) -> models.Annotation:
    """The passage a claim rests on: the annotation given, or the one `passage` finds
    (or makes) for the quote."""
    if quote is not None:
        annotation_id = passage(
            ch, quote, article=article, occurrence=occurrence, type_key=type_key,
            entity_id=entity_id,
        )  # fmt: skip
    assert annotation_id is not None
    return _annotation(ch.session, annotation_id)


def _annotation(session: Session, ref: str) -> models.Annotation:
    """An annotation by id or unique id prefix (literal); an ambiguous prefix is `Ambiguous`."""
    found = session.get(models.Annotation, ref)
    if found is None and len(ref) >= MIN_PREFIX:
        a = models.Annotation
        matches = list(session.exec(select(a).where(func.substr(col(a.id), 1, len(ref)) == ref)))
        if len(matches) > 1:
            raise Ambiguous(f"The id prefix {ref} matches {len(matches)} annotations; give more.")
        found = matches[0] if matches else None
    if found is None:
        raise NotFound(f"No annotation with id {ref}. `sesame annotations` lists them.")
    return found


# -- roles ----------------------------------------------------------------------------------


@dataclass
class RoleInfo:
    """A role as lists show it: who, in what, as what, and the passage that says so."""

    id: str
    event_id: str
    event: str
    actor_id: str
    actor: str
    role: str
    role_label: str
    annotation_id: str
    quote: str
    article_id: str
    article_title: str
    published: str | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame roles --json`)."""
        return asdict(self)


def _role_infos(session: Session, where: list[Any]) -> list[RoleInfo]:
    r, a, art = models.Role, models.Annotation, models.Article
    ev, ac = models.Entity.__table__.alias("ev"), models.Entity.__table__.alias("ac")  # type: ignore[attr-defined]
    rt = models.RoleType
    query = (
        sa_select(
            col(r.id),
            col(r.event_id),
            ev.c.name,
            col(r.actor_id),
            ac.c.name,
            col(r.role),
            col(rt.label),
            col(r.annotation_id),
            col(a.quote),
            col(a.article_id),
            col(art.title),
            col(art.published),
            col(r.note),
        )
        .join(ev, ev.c.id == col(r.event_id))
        .join(ac, ac.c.id == col(r.actor_id))
        .join(rt, col(rt.key) == col(r.role))
        .join(a, col(a.id) == col(r.annotation_id))
        .join(art, col(art.id) == col(a.article_id))
        .where(*where)
    )
    rows = [RoleInfo(*row) for row in session.execute(query).all()]
    rows.sort(
        key=lambda i: (entities.norm_name(i.event), i.role, entities.norm_name(i.actor), i.id)
    )
    return rows


def add_role(
    target: Archive | Change,
    event: str,
    actor: str,
    role: str,
    *,
    annotation_id: str | None = None,
    quote: str | None = None,
    article: str | None = None,
    occurrence: int | None = None,
    note: str = "",
) -> RoleInfo:
    """Record that `actor` was `role` in `event`, anchored to an annotation: the one given,
    or the passage `quote` (see `passage`; a new one is tagged as the event).

    `event`, `actor`: entity references (`resolve`); `role`: a role type key or label.
    """
    if (annotation_id is None) == (quote is None):
        raise InvalidInput("Anchor the role to one passage: give an annotation or a quote.")
    with changing(target, "Add role") as ch:
        session = ch.session
        ev = expect(resolve(session, event, EVENT_TYPE), EVENT_TYPE, "the event")
        ac = expect(resolve(session, actor, ACTOR_TYPE), ACTOR_TYPE, "the actor")
        kind = _find_type(session, models.RoleType, role, "role")
        ann = _anchor(ch, annotation_id, quote, article, occurrence, ROLE_PASSAGE_TYPE, ev.id)
        same = session.exec(
            select(models.Role).where(
                models.Role.event_id == ev.id,
                models.Role.actor_id == ac.id,
                models.Role.role == kind.key,
                models.Role.annotation_id == ann.id,
            )
        ).first()
        if same is not None:
            raise InvalidInput(
                f"This passage already records {ac.name!r} as {kind.label.lower()} in "
                f"{ev.name!r} (role {same.id[:8]})."
            )
        row = models.Role(
            event_id=ev.id,
            actor_id=ac.id,
            role=kind.key,
            annotation_id=ann.id,
            note=note.strip(),
            created_by=ch.user_id,
        )
        session.add(row)
        session.flush()
        ch.describe(f"{ac.name} as {kind.label.lower()} in {ev.name}")
        ch.audit("role", "create", row.id, after=row_snapshot(row))
        return _role_infos(session, [col(models.Role.id) == row.id])[0]


def _get_claim(session: Session, table: type[models.Role | models.Relation], ref: str) -> Any:
    what = "role" if table is models.Role else "relation"
    row = session.get(table, ref)
    if row is None and len(ref) >= MIN_PREFIX:
        matches = list(
            session.exec(select(table).where(func.substr(col(table.id), 1, len(ref)) == ref))
        )
        if len(matches) > 1:
            raise Ambiguous(f"The id prefix {ref} matches {len(matches)} {what}s; give more.")
        row = matches[0] if matches else None
    if row is None:
        raise NotFound(f"No {what} with id {ref}. `sesame {what}s` lists them.")
    return row


def remove_role(target: Archive | Change, role_id: str) -> dict[str, Any]:
    """Delete a role (the passage it rests on stays); returns its snapshot."""
    with changing(target, "Remove role") as ch:
        row = _get_claim(ch.session, models.Role, role_id)
        before = row_snapshot(row)
        ch.audit("role", "delete", row.id, before=before)
        ch.session.delete(row)
        return before


def list_roles(
    archive: Archive, event: str | None = None, *, actor: str | None = None
) -> list[RoleInfo]:
    """Every role (of one event, or of one actor), by event, role and actor."""
    with archive.session() as session:
        where: list[Any] = []
        if event:
            ev = expect(resolve(session, event, EVENT_TYPE), EVENT_TYPE, "the event")
            where.append(col(models.Role.event_id) == ev.id)
        if actor:
            ac = expect(resolve(session, actor, ACTOR_TYPE), ACTOR_TYPE, "the actor")
            where.append(col(models.Role.actor_id) == ac.id)
        return _role_infos(session, where)


# -- relations ----------------------------------------------------------------------------------


@dataclass
class RelationInfo:
    """A relation as lists show it, with the first and last dates it is cited."""

    id: str
    subject_id: str
    subject: str
    object_id: str
    object: str
    type: str
    type_label: str
    annotation_id: str
    quote: str
    article_id: str
    article_title: str
    published: str | None
    date_start: str | None
    date_end: str | None
    note: str
    # The earliest and latest published date of the articles of every passage citing
    # the same (subject, object, type); None when none of them has a date.
    first_cited: str | None = None
    last_cited: str | None = None
    citations: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame relations --json`)."""
        return asdict(self)


def _relation_infos(session: Session, where: list[Any]) -> list[RelationInfo]:
    r, a, art = models.Relation, models.Annotation, models.Article
    su, ob = models.Entity.__table__.alias("su"), models.Entity.__table__.alias("ob")  # type: ignore[attr-defined]
    rt = models.RelationType
    query = (
        sa_select(
            col(r.id),
            col(r.subject_id),
            su.c.name,
            col(r.object_id),
            ob.c.name,
            col(r.type),
            col(rt.label),
            col(r.annotation_id),
            col(a.quote),
            col(a.article_id),
            col(art.title),
            col(art.published),
            col(r.date_start),
            col(r.date_end),
            col(r.note),
        )
        .join(su, su.c.id == col(r.subject_id))
        .join(ob, ob.c.id == col(r.object_id))
        .join(rt, col(rt.key) == col(r.type))
        .join(a, col(a.id) == col(r.annotation_id))
        .join(art, col(art.id) == col(a.article_id))
        .where(*where)
    )
    rows = [RelationInfo(*row) for row in session.execute(query).all()]
    if rows:
        cited = _cited(session, {(i.subject_id, i.object_id, i.type) for i in rows})
        for info in rows:
            info.first_cited, info.last_cited, info.citations = cited[
                (info.subject_id, info.object_id, info.type)
            ]
    rows.sort(
        key=lambda i: (entities.norm_name(i.subject), i.type, entities.norm_name(i.object), i.id)
    )
    return rows


def _cited(
    session: Session, triples: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], tuple[str | None, str | None, int]]:
    """(first cited, last cited, passages) of each (subject, object, type)."""
    r, a, art = models.Relation, models.Annotation, models.Article
    subjects = sorted({t[0] for t in triples})
    query = (
        sa_select(
            col(r.subject_id),
            col(r.object_id),
            col(r.type),
            func.min(art.published),
            func.max(art.published),
            func.count(func.distinct(r.annotation_id)),
        )
        .join(a, col(a.id) == col(r.annotation_id))
        .join(art, col(art.id) == col(a.article_id))
        .where(col(r.subject_id).in_(subjects))
        .group_by(col(r.subject_id), col(r.object_id), col(r.type))
    )
    found = {(s, o, t): (lo, hi, n) for s, o, t, lo, hi, n in session.execute(query).all()}
    return {t: found.get(t, (None, None, 0)) for t in triples}


def add_relation(
    target: Archive | Change,
    subject: str,
    obj: str,
    type_ref: str,
    *,
    annotation_id: str | None = None,
    quote: str | None = None,
    article: str | None = None,
    occurrence: int | None = None,
    date_start: str | None = None,
    date_end: str | None = None,
    note: str = "",
) -> RelationInfo:
    """Record that actor `subject` is `type_ref` of actor `obj` ("member of"), anchored to
    an annotation: the one given, or the passage `quote` (a new one is tagged as the
    subject). `date_start` / `date_end`: when the passage says it held (ISO dates)."""
    if (annotation_id is None) == (quote is None):
        raise InvalidInput("Anchor the relation to one passage: give an annotation or a quote.")
    date_start = entities.check_date(date_start, "The start date")
    date_end = entities.check_date(date_end, "The end date")
    if date_start and date_end and date_end < date_start:
        raise InvalidInput(f"The end date {date_end} is before the start date {date_start}.")
    with changing(target, "Add relation") as ch:
        session = ch.session
        su = expect(resolve(session, subject, ACTOR_TYPE), ACTOR_TYPE, "the first actor")
        ob = expect(resolve(session, obj, ACTOR_TYPE), ACTOR_TYPE, "the second actor")
        if su.id == ob.id:
            raise InvalidInput(f"A relation joins two actors; both are {su.name!r}.")
        kind = _find_type(session, models.RelationType, type_ref, "relation")
        ann = _anchor(ch, annotation_id, quote, article, occurrence, RELATION_PASSAGE_TYPE, su.id)
        same = session.exec(
            select(models.Relation).where(
                models.Relation.subject_id == su.id,
                models.Relation.object_id == ob.id,
                models.Relation.type == kind.key,
                models.Relation.annotation_id == ann.id,
            )
        ).first()
        if same is not None:
            raise InvalidInput(
                f"This passage already records {su.name!r} {kind.label.lower()} {ob.name!r} "
                f"(relation {same.id[:8]})."
            )
        row = models.Relation(
            subject_id=su.id,
            object_id=ob.id,
            type=kind.key,
            annotation_id=ann.id,
            date_start=date_start,
            date_end=date_end,
            note=note.strip(),
            created_by=ch.user_id,
        )
        session.add(row)
        session.flush()
        ch.describe(f"{su.name} {kind.label.lower()} {ob.name}")
        ch.audit("relation", "create", row.id, after=row_snapshot(row))
        return _relation_infos(session, [col(models.Relation.id) == row.id])[0]


def remove_relation(target: Archive | Change, relation_id: str) -> dict[str, Any]:
    """Delete a relation (the passage it rests on stays); returns its snapshot."""
    with changing(target, "Remove relation") as ch:
        row = _get_claim(ch.session, models.Relation, relation_id)
        before = row_snapshot(row)
        ch.audit("relation", "delete", row.id, before=before)
        ch.session.delete(row)
        return before


def list_relations(archive: Archive, actor: str | None = None) -> list[RelationInfo]:
    """Every relation (of one actor, as subject or object), by subject, type and object."""
    with archive.session() as session:
        where: list[Any] = []
        if actor:
            ac = expect(resolve(session, actor, ACTOR_TYPE), ACTOR_TYPE, "the actor")
            where.append(
                or_(
                    col(models.Relation.subject_id) == ac.id,
                    col(models.Relation.object_id) == ac.id,
                )
            )
        return _relation_infos(session, where)
