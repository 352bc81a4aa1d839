"""Events in time: each event entity as a date interval, with its articles (issue 13).

An event's interval respects how precise its date is (ACLED's precision
code), so a month-precise event spans the month rather than pretending to
a day:

- `day` spans the day; `week` the ISO week (Monday to Sunday) holding the
  date; `month` the month; `year` the year; `range` runs from its start date
  to its end date.
- A date written less precisely than its precision says (precision `day`
  on "2021-03") spans what is written: the month. An end date widens the
  interval to the end of the unit holding it.
- No precision recorded: a start and a different end date make a range;
  otherwise the date's own form decides ("2021" a year, "2021-03" a month,
  "2021-03-05" a day).
- An event without a date of its own is placed at the **earliest date its
  sources give it**: a passage's as-of date (`sesame tag --as-of`, "the date
  this source gives"), else that article's published date (at that date's own
  precision), and says so: `dated_by` is "articles" instead of "event". An
  event with neither is left out (`Timeline.undated` counts them).

An event's articles are those holding a passage tagged with the event or a
passage that supports a role in it (`models.Role.annotation_id`); retracted
articles are left out. Where an event falls does not depend on the filters.

Filters: `actor_id` keeps the events where that actor has a role (of
`role`, if given too); `role` alone the events with a role of that kind;
`collection` the events with an article in the collection, and then lists
only those articles. Reads are raw SQL over a few queries (10,000 events in
well under the 500 ms the window is allowed: bench/timeline_bench.py).
"""

from __future__ import annotations

import calendar
import functools
import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from archive.errors import InvalidInput, NotFound
from archive.store import Archive

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# From the finest to the coarsest; "range" stands apart.
UNITS = ("day", "week", "month", "year")


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval of days and the precision it was drawn with."""

    start: date
    end: date
    precision: str  # day | week | month | year | range


@dataclass(slots=True)
class TimelineEvent:
    """One event on the timeline."""

    event_id: str
    name: str
    start: date
    end: date
    precision: str
    places: list[str]
    place_precision: str | None
    dated_by: str  # "event": its own date; "articles": its articles' earliest published date
    articles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `sesame timeline --json` shape (ISO 8601 dates)."""
        return {
            "event_id": self.event_id,
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "precision": self.precision,
            "places": list(self.places),
            "place_precision": self.place_precision,
            "dated_by": self.dated_by,
            "articles": list(self.articles),
        }


@dataclass
class Timeline:
    """The events that can be placed in time (by start), and how many could not."""

    events: list[TimelineEvent]
    undated: int = 0


@dataclass(frozen=True)
class Passage:
    """A passage behind an event: tagged with it, or supporting a role in it."""

    annotation_id: str
    article_id: str
    article_title: str
    published: str | None
    quote: str
    start: int
    end: int
    why: str  # "tag", or the role with its actor: "perpetrator: Tatmadaw"

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotation_id": self.annotation_id,
            "article_id": self.article_id,
            "article_title": self.article_title,
            "published": self.published,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "why": self.why,
        }


def parse_date(value: str | None) -> tuple[date, str] | None:
    """A stored ISO date ("2021", "2021-03", "2021-03-05", with anything after) as its
    first day and its own unit (year, month or day); None if it is not one."""
    if not value:
        return None
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the common form, read in C (a third of a cold 10,000-event read)
            return date.fromisoformat(value), "day"
        except ValueError:
            pass
    m = _DATE.match(value.strip())
    if m is None:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        if day:
            return date(int(year), int(month), int(day)), "day"
        if month:
            return date(int(year), int(month), 1), "month"
        return date(int(year), 1, 1), "year"
    except ValueError:
        return None


def _coarser(a: str, b: str) -> str:
    return a if UNITS.index(a) >= UNITS.index(b) else b


def _floor(d: date, unit: str) -> date:
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    if unit == "year":
        return d.replace(month=1, day=1)
    return d


def _ceil(d: date, unit: str) -> date:
    if unit == "week":
        return d + timedelta(days=6 - d.weekday())
    if unit == "month":
        return d.replace(day=calendar.monthrange(d.year, d.month)[1])
    if unit == "year":
        return d.replace(month=12, day=31)
    return d


@functools.lru_cache(maxsize=65536)  # events share dates: half the calls at 10,000 events
def interval(
    date_start: str | None, date_end: str | None, precision: str | None
) -> Interval | None:
    """The days an event's date covers under the rules in the module's docstring."""
    first = parse_date(date_start)
    if first is None:
        return None
    last = parse_date(date_end) or first
    if last[0] < first[0]:
        last = first
    if precision is None:
        precision = "range" if date_end and date_end != date_start else first[1]
    if precision == "range":
        return Interval(_floor(first[0], first[1]), _ceil(last[0], last[1]), "range")
    unit = precision if precision in UNITS else first[1]
    start_unit, end_unit = _coarser(unit, first[1]), _coarser(unit, last[1])
    return Interval(_floor(first[0], start_unit), _ceil(last[0], end_unit), start_unit)


def _rows(conn: Any, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    # The driver's own cursor: SQLAlchemy's row objects cost a third of a 10,000-event read.
    cursor = conn.connection.driver_connection.execute(sql, params or {})
    try:
        return cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        cursor.close()


def _merged_map(conn: Any) -> dict[str, str]:
    """Merged entity id -> the live entity it ended in."""
    into = dict(_rows(conn, "SELECT id, merged_into FROM entity WHERE merged_into IS NOT NULL"))
    final: dict[str, str] = {}
    for eid in into:
        seen, cur = {eid}, into[eid]
        while cur in into and into[cur] not in seen:
            seen.add(cur)
            cur = into[cur]
        final[eid] = cur
    return final


def check_role(archive: Archive, role: str) -> str:
    """A role key (or label, any case) as stored; NotFound naming the known ones."""
    with archive.engine.connect() as conn:
        known = _rows(conn, "SELECT key, label FROM roletype ORDER BY key")
    wanted = role.strip().casefold()
    for key, label in known:
        if wanted in (key.casefold(), label.casefold()):
            return str(key)
    names = ", ".join(k for k, _ in known)
    raise NotFound(f"No role {role!r}. Roles: {names}.")


def find_actor(archive: Archive, ref: str) -> str:
    """An entity by id, unique id prefix, or (failing those) by name or alias: its id."""
    from archive import entities

    with archive.session() as session:
        try:
            return entities.get_row(session, ref).id
        except NotFound:
            found = entities.find_entity(session, ref, "actor") or entities.find_entity(
                session, ref
            )
    if found is None:
        raise NotFound(f"No actor with id or name {ref!r}. `sesame entities` lists them.")
    return found.id


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a block builds many objects: its full passes
    over the whole heap took half of a 10,000-event read (473 -> 104 ms for the events).
    What the block makes lives on; nothing cyclic is left for later."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def timeline(
    archive: Archive,
    *,
    actor_id: str | None = None,
    collection: str | None = None,
    role: str | None = None,
    with_articles: bool = True,
) -> Timeline:
    """The events, sorted by start (then end, then name), filtered as asked.

    `with_articles=False` leaves the `articles` of events with a date of their own
    empty unless a collection filter needs them (the window reads an event's
    passages when it is clicked): half the read at 10,000 events.
    """
    with paused_gc():
        return _timeline(archive, actor_id, collection, role, with_articles)


def _timeline(
    archive: Archive,
    actor_id: str | None,
    collection: str | None,
    role: str | None,
    with_articles: bool,
) -> Timeline:
    coll_id = None
    if collection:
        from archive.collections import get_collection

        coll_id = get_collection(archive, collection).id
    with archive.engine.connect() as conn:
        merged = _merged_map(conn)
        events = _rows(
            conn,
            "SELECT id, name, date_start, date_end, date_precision, place, place_precision "
            "FROM entity WHERE type_key = 'event' AND merged_into IS NULL",
        )
        if with_articles or coll_id is not None:
            linked = _linked(conn)
        else:  # only where an event's own date is missing
            linked = _linked(conn, [e[0] for e in events if interval(*e[2:5]) is None])
        role_rows: list[tuple[Any, ...]] = []
        if actor_id is not None or role is not None:
            role_rows = _rows(conn, "SELECT event_id, actor_id, role FROM role")
        members: set[str] | None = None
        if coll_id is not None:
            members = {
                r[0]
                for r in _rows(
                    conn,
                    "SELECT article_id FROM articlecollection WHERE collection_id = :c",
                    {"c": coll_id},
                )
            }
    if actor_id is not None:
        actor_id = merged.get(actor_id, actor_id)

    articles: dict[str, dict[str, str | None]] = {}
    for eid, aid, published in linked:
        articles.setdefault(merged.get(eid, eid), {})[aid] = published

    wanted: set[str] | None = None
    if actor_id is not None or role is not None:
        wanted = {
            merged.get(ev, ev)
            for ev, actor, r in role_rows
            if (actor_id is None or merged.get(actor, actor) == actor_id)
            and (role is None or r == role)
        }

    return _assemble(events, articles, wanted, members)


_NO_ARTICLES: dict[str, str | None] = {}


def clear_caches() -> None:
    """Forget the dates read so far (a benchmark's cold read, as a fresh process's)."""
    interval.cache_clear()
    _placed.cache_clear()


@functools.lru_cache(maxsize=65536)
def _placed(
    date_start: str | None, date_end: str | None, precision: str | None
) -> tuple[int, int, Interval] | None:
    """`interval` with its days as ordinals, the sort key's first two parts (cached with
    it: 10,000 events share a few thousand dates)."""
    span = interval(date_start, date_end, precision)
    if span is None:
        return None
    return span.start.toordinal(), span.end.toordinal(), span


def _assemble(
    events: list[tuple[Any, ...]],
    articles: dict[str, dict[str, str | None]],
    wanted: set[str] | None,
    members: set[str] | None,
) -> Timeline:
    # Rows of (first day, last day, name, id, event): ids are unique, so a plain sort of
    # the tuples never compares two events and needs no key function.
    out: list[tuple[int, int, str, str, TimelineEvent]] = []
    undated = 0
    for eid, name, d_start, d_end, precision, place, place_precision in events:
        if wanted is not None and eid not in wanted:
            continue
        arts = articles.get(eid, _NO_ARTICLES)
        shown = arts if members is None else {a: p for a, p in arts.items() if a in members}
        if members is not None and not shown:
            continue
        placed = _placed(d_start, d_end, precision)
        dated_by = "event"
        if placed is None:
            span = _from_articles(arts.values())
            if span is None:
                undated += 1
                continue
            placed = span.start.toordinal(), span.end.toordinal(), span
            dated_by = "articles"
        first, last, span = placed
        if len(shown) > 1:
            order = [a for a, _ in sorted(shown.items(), key=lambda kv: (kv[1] or "9999", kv[0]))]
        else:
            order = list(shown)
        ev = TimelineEvent(
            eid, name, span.start, span.end, span.precision,
            [place] if place else [], place_precision, dated_by, order,
        )  # fmt: skip
        out.append((first, last, name, eid, ev))
    out.sort()
    return Timeline([row[4] for row in out], undated)


def _linked(conn: Any, event_ids: list[str] | None = None) -> list[tuple[Any, ...]]:
    """(event id, article id, date) of the articles (not retracted) with a passage
    tagged with an event or supporting a role in it; of every event, or of those given.
    The date is the passage's as-of date (what the source says), else the article's
    published date. Two queries: a UNION's sort cost more than the dictionary that
    merges them."""
    tags = (
        "SELECT an.entity_id, a.id, coalesce(an.as_of, a.published) FROM annotation an "
        "JOIN article a ON a.id = an.article_id "
        "WHERE an.type_key = 'event' AND an.entity_id IS NOT NULL AND a.retracted_at IS NULL"
    )
    roles = (
        "SELECT r.event_id, a.id, coalesce(an.as_of, a.published) FROM role r "
        "JOIN annotation an ON an.id = r.annotation_id "
        "JOIN article a ON a.id = an.article_id WHERE a.retracted_at IS NULL"
    )
    if event_ids is None:
        return _rows(conn, tags) + _rows(conn, roles)
    out: list[tuple[Any, ...]] = []
    for first in range(0, len(event_ids), 500):
        chunk = event_ids[first : first + 500]
        marks = ", ".join("?" * len(chunk))
        out += conn.connection.driver_connection.execute(
            f"{tags} AND an.entity_id IN ({marks})", chunk
        ).fetchall()
        out += conn.connection.driver_connection.execute(
            f"{roles} AND r.event_id IN ({marks})", chunk
        ).fetchall()
    return out


def _from_articles(published: Iterable[str | None]) -> Interval | None:
    """The earliest published date among the articles, at its own precision."""
    dates = [d for d in (parse_date(p) for p in published) if d is not None]
    if not dates:
        return None
    first, unit = min(dates)
    return Interval(first, _ceil(first, unit), unit)


def event_passages(archive: Archive, event_id: str) -> list[Passage]:
    """The passages behind an event, by article date then position: its tags, then the
    passages that support its roles. Retracted articles are left out."""
    with archive.engine.connect() as conn:
        found = _rows(
            conn,
            "SELECT type_key, merged_into FROM entity WHERE id = :e",
            {"e": event_id},
        )
        if not found:
            raise NotFound(f"No event with id {event_id}. `sesame timeline` lists them.")
        if found[0][0] != "event":
            raise InvalidInput(f"The entity {event_id} is not an event.")
        base = (
            'SELECT an.id, a.id, a.title, a.published, an.quote, an.start, an."end" '
            "FROM annotation an JOIN article a ON a.id = an.article_id "
        )
        tags = _rows(
            conn,
            base + "WHERE an.entity_id = :e AND a.retracted_at IS NULL",
            {"e": event_id},
        )
        roles = _rows(
            conn,
            'SELECT an.id, a.id, a.title, a.published, an.quote, an.start, an."end", '
            "r.role, coalesce(act.name, '') FROM role r "
            "JOIN annotation an ON an.id = r.annotation_id "
            "JOIN article a ON a.id = an.article_id "
            "LEFT JOIN entity act ON act.id = r.actor_id "
            "WHERE r.event_id = :e AND a.retracted_at IS NULL",
            {"e": event_id},
        )
    passages = [_passage(row, "tag") for row in tags]
    passages += [_passage(row, f"{row[7]}: {row[8]}") for row in roles]
    passages.sort(key=lambda p: (p.published or "9999", p.article_id, p.start, p.why))
    return passages


def _passage(row: tuple[Any, ...], why: str) -> Passage:
    ann, art, title, published, quote, start, end = row[:7]
    return Passage(ann, art, title, published, quote, start, end, why)


@dataclass(frozen=True)
class Choices:
    """What the timeline's filters offer: actors with a role, collections, role types."""

    actors: list[tuple[str, str]]  # (id, name), by name
    collections: list[str]
    roles: list[tuple[str, str]]  # (key, label)


def filter_choices(archive: Archive) -> Choices:
    """The actors that have a role in some event, every collection, every role type."""
    with archive.engine.connect() as conn:
        actors = _rows(
            conn,
            "SELECT DISTINCT e.id, e.name FROM role r JOIN entity e ON e.id = r.actor_id "
            "WHERE e.merged_into IS NULL",
        )
        colls = _rows(conn, "SELECT name FROM collection")
        kinds = _rows(conn, "SELECT key, label FROM roletype ORDER BY builtin DESC, label")
    return Choices(
        actors=sorted(((str(i), str(n)) for i, n in actors), key=lambda a: a[1].casefold()),
        collections=sorted((str(c[0]) for c in colls), key=str.casefold),
        roles=[(str(k), str(lbl)) for k, lbl in kinds],
    )


def pack_lanes(spans: Iterable[tuple[int, int]], gap: int = 0) -> list[int]:
    """A lane for each span (first day, last day; sorted by first day) so that no two spans
    in one lane share a day, nor come closer than `gap` blank days: each takes the lowest
    lane free on its first day."""
    import heapq

    free: list[int] = []  # lanes whose last span has ended
    busy: list[tuple[int, int]] = []  # (last day, lane) of the spans still open
    out: list[int] = []
    for first, last in spans:
        while busy and busy[0][0] + gap < first:
            heapq.heappush(free, heapq.heappop(busy)[1])
        lane = heapq.heappop(free) if free else len(busy)
        heapq.heappush(busy, (last, lane))
        out.append(lane)
    return out
