"""The entity registry: actors, events, figures and user-defined kinds.

One registry serves the whole archive. An entity has a name and aliases in
any script; within one tag type no two live entities share a name or alias,
so "find by name" is never ambiguous. Merging moves every annotation to the
entity kept and leaves the other as a tombstone (`merged_into`), so that a
bundle naming the old id still lands on the right entity, and so that the
merge can be undone exactly (`unmerge_entities`).

Every function that changes something takes the open `Archive` (and makes
its own core change) or an open `Change` (and joins it), writes its audit
entry through the change, and returns plain dataclasses or dict snapshots.
Undo is the core's (`archive.changes`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, func, select

from archive import models
from archive.changes import Change, changing
from archive.errors import InvalidInput, NotFound
from archive.store import Archive
from archive.tagtypes import get_tag_type

_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# Marks "argument not given" where None is a meaningful value (clear a field).
_UNSET: Any = object()


def norm_name(name: str) -> str:
    """The form names are compared in: NFC, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def clean_name(name: str) -> str:
    """A name as stored: NFC with single spaces, no surrounding blanks."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def check_date(value: str | None, what: str) -> str | None:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD), or InvalidInput."""
    if value is None or value == "":
        return None
    value = value.strip()
    if not _ISO_DATE.match(value):
        raise InvalidInput(f"{what} {value!r} is not a date like 2021-03-05, 2021-03 or 2021.")
    parts = [int(p) for p in value.split("-")]
    try:
        datetime(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise InvalidInput(f"{what} {value!r} is not a real date.") from exc
    return value


def row_snapshot(row: SQLModel) -> dict[str, Any]:
    """Every field of a row, JSON-ready (times as ISO text): for audit entries and undo."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.model_dump().items()}


def entity_snapshot(entity: models.Entity) -> dict[str, Any]:
    """Every field of an entity, JSON-ready (for audit entries and undo)."""
    return row_snapshot(entity) | {"aliases": list(entity.aliases)}


# -- reading -------------------------------------------------------------------


@dataclass
class EntityInfo:
    """An entity as lists show it, with how many annotations link to it."""

    id: str
    type: str
    name: str
    aliases: list[str]
    description: str
    date_start: str | None
    date_end: str | None
    place: str | None
    merged_into: str | None
    mentions: int = 0
    date_precision: str | None = None
    place_precision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame entities --json`)."""
        return asdict(self)


def _info(entity: models.Entity, mentions: int = 0) -> EntityInfo:
    return EntityInfo(
        id=entity.id,
        type=entity.type_key,
        name=entity.name,
        aliases=list(entity.aliases),
        description=entity.description,
        date_start=entity.date_start,
        date_end=entity.date_end,
        place=entity.place,
        merged_into=entity.merged_into,
        mentions=mentions,
        date_precision=entity.date_precision,
        place_precision=entity.place_precision,
    )


def get_row(session: Session, entity_id: str, *, follow: bool = True) -> models.Entity:
    """An entity by id or unique id prefix (6+ characters); follows merges unless told not to."""
    entity = session.get(models.Entity, entity_id)
    if entity is None and len(entity_id) >= 6:
        matches = list(
            session.exec(
                select(models.Entity).where(
                    # Literal: `startswith` makes LIKE, where _ and % are wildcards.
                    func.substr(col(models.Entity.id), 1, len(entity_id)) == entity_id
                )
            )
        )
        if len(matches) > 1:
            raise NotFound(f"The id prefix {entity_id} matches {len(matches)} entities; give more.")
        entity = matches[0] if matches else None
    if entity is None:
        raise NotFound(f"No entity with id {entity_id}. `sesame entities` lists them.")
    seen = {entity.id}
    while follow and entity.merged_into:
        nxt = session.get(models.Entity, entity.merged_into)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        entity = nxt
    return entity


def find_entity(
    session: Session, name: str, type_key: str | None = None, *, exclude_id: str | None = None
) -> models.Entity | None:
    """The live entity called `name` (by name or alias, any case), in `type_key` if given.

    `exclude_id` leaves one entity out: the one being renamed, which the
    session may already have flushed under its new name.
    """
    wanted = norm_name(name)
    if not wanted:
        return None
    query = select(models.Entity).where(col(models.Entity.merged_into).is_(None))
    if exclude_id:
        query = query.where(models.Entity.id != exclude_id)
    if type_key:
        query = query.where(models.Entity.type_key == type_key)
    # Names first (an index narrows them); aliases need a scan of the entities that have any.
    exact = query.where(func.lower(models.Entity.name) == clean_name(name).lower())
    for entity in session.exec(exact):
        if norm_name(entity.name) == wanted:
            return entity
    for entity in session.exec(query.where(func.json_array_length(models.Entity.aliases) > 0)):
        if norm_name(entity.name) == wanted or wanted in {norm_name(a) for a in entity.aliases}:
            return entity
    # Names that SQLite's ASCII-only lower() could not match (e.g. "Élan" vs "élan").
    if not clean_name(name).isascii():
        for entity in session.exec(query):
            if norm_name(entity.name) == wanted:
                return entity
    return None


def _mention_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(models.Annotation.entity_id, func.count())
        .where(col(models.Annotation.entity_id).is_not(None))
        .group_by(models.Annotation.entity_id)
    )
    return {eid: n for eid, n in rows if eid}


def get_entity(archive: Archive, entity_id: str, *, follow: bool = True) -> EntityInfo:
    """One entity (followed to the one it was merged into, unless `follow=False`)."""
    with archive.session() as session:
        entity = get_row(session, entity_id, follow=follow)
        count = session.exec(
            select(func.count()).where(models.Annotation.entity_id == entity.id)
        ).one()
        return _info(entity, count)


def list_entities(
    archive: Archive, type_key: str | None = None, *, include_merged: bool = False
) -> list[EntityInfo]:
    """Every live entity (of `type_key` if given) with its mention count, by type then name."""
    with archive.session() as session:
        query = select(models.Entity)
        if type_key:
            query = query.where(models.Entity.type_key == get_tag_type(session, type_key).key)
        if not include_merged:
            query = query.where(col(models.Entity.merged_into).is_(None))
        counts = _mention_counts(session)
        rows = [_info(e, counts.get(e.id, 0)) for e in session.exec(query)]
    rows.sort(key=lambda e: (e.type, norm_name(e.name), e.id))
    return rows


@dataclass
class Mention:
    """One annotation of an entity, with the article it is in."""

    annotation_id: str
    article_id: str
    article_title: str
    article_source: str | None
    article_published: str | None
    start: int
    end: int
    quote: str
    type: str
    note: str
    orphaned: bool
    value: float | None = None
    qualifier: str | None = None
    counted: str | None = None
    as_of: str | None = None
    created_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def mentions(archive: Archive, entity_id: str) -> list[Mention]:
    """Every annotation linked to the entity, oldest article first, then by position."""
    a, art = models.Annotation, models.Article
    with archive.session() as session:
        entity = get_row(session, entity_id)
        # Only the columns needed: an article's text is never loaded here. (SQLAlchemy's
        # select: sqlmodel's overloads stop at four columns.)
        columns = [
            a.id, a.article_id, art.title, art.source, art.published, a.start, a.end, a.quote,
            a.type_key, a.note, a.orphaned, a.value, a.qualifier, a.counted, a.as_of,
            a.created_by,
        ]  # fmt: skip
        rows = session.execute(
            sa_select(*[col(c) for c in columns])
            .join(art, col(art.id) == col(a.article_id))
            .where(col(a.entity_id) == entity.id)
        ).all()
    result = [Mention(*row) for row in rows]
    result.sort(key=lambda m: (m.article_published or "", m.article_id, m.start, m.end))
    return result


# -- changing ------------------------------------------------------------------


def _clean_aliases(name: str, aliases: Iterable[str]) -> list[str]:
    result: list[str] = []
    seen = {norm_name(name)}
    for alias in aliases:
        alias = clean_name(alias)
        if alias and norm_name(alias) not in seen:
            seen.add(norm_name(alias))
            result.append(alias)
    return result


def _check_unique(session: Session, entity: models.Entity) -> None:
    """Refuse a name or alias that another live entity of the same type already has."""
    for label in [entity.name, *entity.aliases]:
        other = find_entity(session, label, entity.type_key, exclude_id=entity.id)
        if other is not None:
            raise InvalidInput(
                f"{label!r} already names the {entity.type_key} {other.name!r} ({other.id[:8]}). "
                f"If they are the same, merge them: sesame entity merge {other.id[:8]} "
                f"{entity.id[:8]}."
            )


def _check_dates(entity: models.Entity) -> None:
    entity.date_start = check_date(entity.date_start, "Start date")
    entity.date_end = check_date(entity.date_end, "End date")
    if entity.date_start and entity.date_end and entity.date_end < entity.date_start:
        raise InvalidInput(
            f"The end date {entity.date_end} is before the start date {entity.date_start}."
        )
    entity.date_precision = check_precision(entity.date_precision, models.DATE_PRECISIONS, "date")
    entity.place_precision = check_precision(
        entity.place_precision, models.PLACE_PRECISIONS, "place"
    )


def check_precision(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    """A date or place precision from `allowed` (any case), None for none, else InvalidInput."""
    if value is None or not value.strip():
        return None
    value = value.strip().lower()
    if value not in allowed:
        raise InvalidInput(f"The {what} precision {value!r} is not one of: {', '.join(allowed)}.")
    return value


def infer_date_precision(date_start: str | None, date_end: str | None) -> str | None:
    """How precise a date as typed is: "2021-03-05" a day, "2021-03" a month, "2021" a
    year, two different dates a range; None without a date."""
    if not date_start:
        return None
    if date_end and date_end != date_start:
        return "range"
    return {1: "year", 2: "month"}.get(len(date_start.split("-")), "day")


def create_entity(
    target: Archive | Change,
    type_key: str,
    name: str,
    *,
    aliases: Iterable[str] = (),
    description: str = "",
    date_start: str | None = None,
    date_end: str | None = None,
    place: str | None = None,
    entity_id: str | None = None,
    date_precision: str | None = None,
    place_precision: str | None = None,
) -> EntityInfo:
    """Add an entity to the registry; refuses a name or alias another entity of the type has.

    An event's `date_precision` not given is read from its dates (`infer_date_precision`).
    """
    with changing(target, f"New entity {name}") as ch:
        session = ch.session
        type_row = get_tag_type(session, type_key)
        name = clean_name(name)
        if not name:
            raise InvalidInput("An entity needs a name.")
        entity = models.Entity(
            type_key=type_row.key,
            name=name,
            aliases=_clean_aliases(name, aliases),
            description=description.strip(),
            date_start=date_start,
            date_end=date_end,
            place=clean_name(place) if place else None,
            date_precision=date_precision,
            place_precision=place_precision,
        )
        if date_precision is None:
            entity.date_precision = infer_date_precision(
                check_date(date_start, "Start date"), check_date(date_end, "End date")
            )
        if entity_id:
            if session.get(models.Entity, entity_id) is not None:
                raise InvalidInput(f"There is already an entity with id {entity_id}.")
            entity.id = entity_id
        _check_dates(entity)
        _check_unique(session, entity)
        session.add(entity)
        session.flush()
        ch.audit("entity", "create", entity.id, after=entity_snapshot(entity))
        return _info(entity)


def update_entity(
    target: Archive | Change,
    entity_id: str,
    *,
    name: str = _UNSET,
    aliases: Iterable[str] = _UNSET,
    description: str = _UNSET,
    date_start: str | None = _UNSET,
    date_end: str | None = _UNSET,
    place: str | None = _UNSET,
    keep_old_name_as_alias: bool = False,
    date_precision: str | None = _UNSET,
    place_precision: str | None = _UNSET,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change an entity's fields; returns (before, after) snapshots for undo.

    Pass only what changes; None clears a date, the place or a precision. New dates
    without a precision given set the precision they show (`infer_date_precision`).
    """
    with changing(target, "Edit entity") as ch:
        session = ch.session
        entity = get_row(session, entity_id)
        ch.describe(f"Edit entity {entity.name}")
        before = entity_snapshot(entity)
        new_name = entity.name if name is _UNSET else clean_name(name)
        if not new_name:
            raise InvalidInput("An entity needs a name.")
        new_aliases = list(entity.aliases) if aliases is _UNSET else list(aliases)
        if keep_old_name_as_alias and norm_name(new_name) != norm_name(entity.name):
            new_aliases.append(entity.name)
        entity.name = new_name
        entity.aliases = _clean_aliases(new_name, new_aliases)
        if description is not _UNSET:
            entity.description = (description or "").strip()
        if date_start is not _UNSET:
            entity.date_start = date_start
        if date_end is not _UNSET:
            entity.date_end = date_end
        if place is not _UNSET:
            entity.place = clean_name(place) if place else None
        if place_precision is not _UNSET:
            entity.place_precision = place_precision
        if date_precision is not _UNSET:
            entity.date_precision = date_precision
        elif date_start is not _UNSET or date_end is not _UNSET:
            entity.date_precision = infer_date_precision(
                check_date(entity.date_start, "Start date"), check_date(entity.date_end, "End date")
            )
        _check_dates(entity)
        _check_unique(session, entity)
        entity.updated_at = models.utcnow()
        session.add(entity)
        after = entity_snapshot(entity)
        ch.audit("entity", "update", entity.id, before=before, after=after)
        return before, after


def rename_entity(
    target: Archive | Change, entity_id: str, new_name: str, *, keep_old_as_alias: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Give an entity a new name; the old one stays as an alias unless told otherwise."""
    return update_entity(target, entity_id, name=new_name, keep_old_name_as_alias=keep_old_as_alias)


def set_aliases(
    target: Archive | Change, entity_id: str, aliases: Iterable[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Replace an entity's aliases."""
    return update_entity(target, entity_id, aliases=list(aliases))


def describe_entity(
    target: Archive | Change, entity_id: str, description: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set an entity's description."""
    return update_entity(target, entity_id, description=description)


def set_event_details(
    target: Archive | Change,
    entity_id: str,
    *,
    date_start: str | None = _UNSET,
    date_end: str | None = _UNSET,
    place: str | None = _UNSET,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set an event's date or date range (ISO) and place; None clears one."""
    return update_entity(target, entity_id, date_start=date_start, date_end=date_end, place=place)


def delete_entity(target: Archive | Change, entity_id: str) -> dict[str, Any]:
    """Delete an entity no annotation links to; returns its snapshot."""
    with changing(target, "Delete entity") as ch:
        session = ch.session
        entity = get_row(session, entity_id, follow=False)
        used = session.exec(
            select(func.count()).where(models.Annotation.entity_id == entity.id)
        ).one()
        if used:
            raise InvalidInput(
                f"{entity.name!r} is linked from {used} annotation(s); merge it into another "
                "entity, or unlink those annotations first."
            )
        claims = sum(
            session.exec(select(func.count()).where(getattr(table, column) == entity.id)).one()
            for table, _, columns in _CLAIM_COLUMNS
            for column in columns
        )
        if claims:
            raise InvalidInput(
                f"{entity.name!r} is named in {claims} role(s) or relation(s); remove those "
                "first (sesame roles, sesame relations)."
            )
        tombstones = session.exec(
            select(func.count()).where(models.Entity.merged_into == entity.id)
        ).one()
        if tombstones:
            raise InvalidInput(
                f"{entity.name!r} has entities merged into it; it cannot be deleted."
            )
        snapshot = entity_snapshot(entity)
        ch.describe(f"Delete entity {entity.name}")
        session.delete(entity)
        ch.audit("entity", "delete", snapshot["id"], before=snapshot)
        return snapshot


def link_entity(
    target: Archive | Change,
    type_key: str,
    entity_id: str | None,
    new_name: str | None,
    details: dict[str, Any] | None = None,
) -> str | None:
    """The entity a tag links to: a new one called `new_name`, else `entity_id` (or none).

    `details` (an event's date_start, date_end, place) go on the new entity,
    or on the existing one where they differ from what it holds.
    """
    details = dict(details or {})
    with changing(target, "Link entity") as ch:
        if new_name:
            return create_entity(ch, type_key, new_name, **details).id
        if entity_id and details:
            current = entity_snapshot(get_row(ch.session, entity_id))
            changed = {k: v for k, v in details.items() if current.get(k) != v}
            if changed:
                update_entity(ch, entity_id, **changed)
        return entity_id


# -- merging -------------------------------------------------------------------


@dataclass
class MergeRecord:
    """What a merge changed, so that `unmerge_entities` can undo it exactly."""

    keep_id: str
    other_id: str
    moved_annotation_ids: list[str] = field(default_factory=list)
    added_aliases: list[str] = field(default_factory=list)
    repointed_entity_ids: list[str] = field(default_factory=list)
    # Roles and relations that named OTHER: [table, row id, column] ("role", id, "actor_id").
    repointed_claims: list[list[str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (kept in the audit log)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MergeRecord:
        """The record back from `to_dict`."""
        return cls(
            keep_id=data["keep_id"],
            other_id=data["other_id"],
            moved_annotation_ids=list(data.get("moved_annotation_ids", [])),
            added_aliases=list(data.get("added_aliases", [])),
            repointed_entity_ids=list(data.get("repointed_entity_ids", [])),
            repointed_claims=[list(c) for c in data.get("repointed_claims", [])],
        )


def _merge_logged(
    ch: Change,
    action: str,
    record: MergeRecord,
    keep: models.Entity,
    other: models.Entity,
    before: dict[str, Any],
) -> None:
    """Audit a merge or unmerge: both entities before and after, and the record."""
    after = {"keep": entity_snapshot(keep), "other": entity_snapshot(other)}
    ch.audit("entity", action, other.id, before=before, after=after | {"merge": record.to_dict()})


_CLAIM_COLUMNS: tuple[
    tuple[type[models.Role] | type[models.Relation], str, tuple[str, str]], ...
] = (
    (models.Role, "role", ("event_id", "actor_id")),
    (models.Relation, "relation", ("subject_id", "object_id")),
)


def _repoint_claims(session: Session, old_id: str, new_id: str) -> list[list[str]]:
    """Point the roles and relations (`archive.roles`) naming `old_id` at `new_id`;
    returns what moved as [table, row id, column]."""
    moved: list[list[str]] = []
    for table, name, columns in _CLAIM_COLUMNS:
        for column in columns:
            rows: list[Any] = list(
                session.exec(select(table).where(getattr(table, column) == old_id))
            )
            for row in rows:
                setattr(row, column, new_id)
                session.add(row)
                moved.append([name, row.id, column])
    moved.sort()
    return moved


def _restore_claims(session: Session, moved: list[list[str]], keep_id: str, other_id: str) -> None:
    """Undo `_repoint_claims`: rows still naming KEEP where they named OTHER go back."""
    tables = {name: table for table, name, _ in _CLAIM_COLUMNS}
    for name, row_id, column in moved:
        row = session.get(tables[name], row_id)
        if row is not None and getattr(row, column) == keep_id:
            setattr(row, column, other_id)
            session.add(row)


def _relink_mentions(ch: Change, old_id: str, new_id: str) -> list[str]:
    """Point every annotation of `old_id` at `new_id` in one UPDATE; their ids, sorted.

    Announced to the change first (`ch.track`). As ORM objects, the 1,200 mentions
    of a merge were loaded and flushed one by one: 1.9 s of Python on the writer's
    thread on a quiet machine, which the window's thread competed with (issue 8).
    """
    session = ch.session
    session.flush()
    conn = session.connection()
    rows = conn.exec_driver_sql("SELECT id FROM annotation WHERE entity_id = ?", (old_id,))
    ids = sorted(str(r[0]) for r in rows)
    if not ids:
        return ids
    ch.track("annotation", ids)
    table = models.Annotation.__table__  # type: ignore[attr-defined]
    session.execute(
        table.update()
        .where(table.c.entity_id == old_id)
        .values(entity_id=new_id, updated_at=models.utcnow())
    )
    # Annotations this session already holds read their new values again.
    relinked = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, models.Annotation) and obj.id in relinked:
            session.expire(obj)
    return ids


def merge_entities(target: Archive | Change, keep_id: str, other_id: str) -> MergeRecord:
    """Merge OTHER into KEEP: every annotation moves to KEEP, OTHER's names become aliases.

    OTHER stays as a hidden tombstone (`merged_into=KEEP`). Returns a record
    for `unmerge_entities`.
    """
    with changing(target, "Merge entities") as ch:
        session = ch.session
        keep = get_row(session, keep_id)
        other = get_row(session, other_id)
        ch.describe(f"Merge {other.name} into {keep.name}")
        if keep.id == other.id:
            raise InvalidInput(f"{keep.name!r} and {other.name!r} are already one entity.")
        if keep.type_key != other.type_key:
            raise InvalidInput(
                f"{keep.name!r} is a {keep.type_key} and {other.name!r} a {other.type_key}; "
                "only entities of one type can be merged."
            )
        before = {"keep": entity_snapshot(keep), "other": entity_snapshot(other)}
        existing = {norm_name(keep.name)} | {norm_name(a) for a in keep.aliases}
        added = [n for n in _clean_aliases("", [other.name, *other.aliases])]
        added = [n for n in added if norm_name(n) not in existing]
        keep.aliases = [*keep.aliases, *added]
        keep.updated_at = models.utcnow()
        other.merged_into = keep.id
        other.updated_at = models.utcnow()
        moved = _relink_mentions(ch, other.id, keep.id)
        repointed = list(
            session.exec(select(models.Entity).where(models.Entity.merged_into == other.id))
        )
        for tomb in repointed:
            tomb.merged_into = keep.id
            session.add(tomb)
        claims = _repoint_claims(session, other.id, keep.id)
        session.add(keep)
        session.add(other)
        record = MergeRecord(
            keep_id=keep.id,
            other_id=other.id,
            moved_annotation_ids=moved,
            added_aliases=added,
            repointed_entity_ids=sorted(t.id for t in repointed),
            repointed_claims=claims,
        )
        _merge_logged(ch, "merge", record, keep, other, before)
        return record


def unmerge_entities(target: Archive | Change, record: MergeRecord) -> None:
    """Undo a merge: OTHER comes back with the annotations that moved, KEEP loses its aliases.

    Annotations moved by the merge but since relinked elsewhere are left where they are.
    """
    with changing(target, "Unmerge entities") as ch:
        session = ch.session
        keep = session.get(models.Entity, record.keep_id)
        other = session.get(models.Entity, record.other_id)
        if keep is None or other is None:
            raise NotFound(
                "One of the merged entities no longer exists; the merge cannot be undone."
            )
        if other.merged_into != keep.id:
            raise InvalidInput(f"{other.name!r} is not merged into {keep.name!r}; nothing to undo.")
        before = {"keep": entity_snapshot(keep), "other": entity_snapshot(other)}
        gone = {norm_name(a) for a in record.added_aliases}
        keep.aliases = [a for a in keep.aliases if norm_name(a) not in gone]
        keep.updated_at = models.utcnow()
        ch.describe(f"Unmerge {other.name} from {keep.name}")
        other.merged_into = None
        other.updated_at = models.utcnow()
        if record.moved_annotation_ids:
            moved = session.exec(
                select(models.Annotation).where(
                    col(models.Annotation.id).in_(record.moved_annotation_ids),
                    models.Annotation.entity_id == keep.id,
                )
            )
            now = models.utcnow()
            for annotation in moved:
                annotation.entity_id = other.id
                annotation.updated_at = now
                session.add(annotation)
        _restore_claims(session, record.repointed_claims, keep.id, other.id)
        for tomb_id in record.repointed_entity_ids:
            tomb = session.get(models.Entity, tomb_id)
            if tomb is not None and tomb.merged_into == keep.id:
                tomb.merged_into = other.id
                session.add(tomb)
        session.add(keep)
        session.add(other)
        session.flush()
        _check_unique(session, other)
        _merge_logged(ch, "unmerge", record, keep, other, before)


def last_merge_record(archive: Archive, other_id: str) -> MergeRecord:
    """The record of the merge that made `other_id` a tombstone (from the audit log)."""
    with archive.session() as session:
        other = get_row(session, other_id, follow=False)
        if not other.merged_into:
            raise InvalidInput(f"{other.name!r} is not merged into another entity.")
        event = session.exec(
            select(models.AuditEvent)
            .where(
                models.AuditEvent.action == "entity.merge",
                models.AuditEvent.target_id == other.id,
            )
            .order_by(col(models.AuditEvent.seq).desc())
            .limit(1)
        ).first()
        if event is None or not event.after or "merge" not in event.after:
            raise NotFound(f"No record of the merge of {other.name!r} was found in the audit log.")
        return MergeRecord.from_dict(event.after["merge"])


# -- spotting the same entity under two names ------------------------------------

# Honorifics and titles that come before a name ("U", "Daw", "Major", "Mr."):
# "U Kyaw Moe Tun" and "Kyaw Moe Tun" are likely one person.
_TITLE_WORDS = frozenset(
    """
    u daw khun ko ma saw sai nang naw mahn maung sayadaw mr mrs ms miss dr sir dame lady lord
    major maj lieutenant lt captain capt colonel col general gen brigadier sergeant sgt corporal
    commander admiral senior deputy vice president minister prime ambassador judge justice
    professor prof senator governor chairman chairwoman superintendent inspector police
    """.split()  # noqa: SIM905
)


def name_key(name: str) -> str:
    """A name without leading honorifics and titles, for spotting likely duplicates."""
    words = norm_name(name).replace(".", " ").split()
    while len(words) > 1 and words[0] in _TITLE_WORDS:
        words.pop(0)
    return " ".join(words)


def similar_entities(
    archive: Archive, type_key: str | None = None
) -> list[tuple[EntityInfo, EntityInfo]]:
    """Pairs of live entities of one type whose names (or aliases) match once titles are
    dropped ("U Kyaw Moe Tun" / "Ambassador Kyaw Moe Tun"): candidates for a merge.

    Each pair is (the one with more mentions, the other).
    """
    rows = list_entities(archive, type_key)
    by_key: dict[tuple[str, str], list[EntityInfo]] = {}
    for info in rows:
        for key in {name_key(n) for n in [info.name, *info.aliases]}:
            by_key.setdefault((info.type, key), []).append(info)
    pairs: dict[tuple[str, str], tuple[EntityInfo, EntityInfo]] = {}
    for group in by_key.values():
        group.sort(key=lambda e: (-e.mentions, norm_name(e.name), e.id))
        for other in group[1:]:
            pairs.setdefault((group[0].id, other.id), (group[0], other))
    return list(pairs.values())
