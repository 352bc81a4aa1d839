"""Case notes (issue 13 item 6): a collection's notes document, in Markdown, with links.

A collection's `notes` are the documenter's own text about the case. Links to the
evidence are written `sesame:annotation/<id>` (a passage) and `sesame:entity/<id>`
(an actor, event, figure ...), usually as Markdown links
`[the quote](sesame:annotation/<id>)`; a unique id prefix of 6 or more characters
will do, as on the command line. `note_links` finds them and says where each
points, or that it points nowhere (a passage deleted, a mistyped id): a link is
never rewritten or dropped, only reported.

Links pointing nowhere are named once where it matters: when the notes are
saved (`set_notes`' result, `sesame notes --set`, the editor) and by `sesame
check` (`broken_links`), not each time the notes are read.

Setting the notes is a core change (undoable, audited). Notes are not in the
search index: `grep_notes` (`sesame notes --grep`) finds text in every
collection's notes, which stays quick because notes are few and short beside
the articles.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from archive import models
from archive.changes import Change, changing
from archive.collections import find_collection
from archive.errors import InvalidInput, NotFound
from archive.store import Archive

NOTES_MAX = 1_000_000  # characters: a long case file, far below what SQLite takes
LINK = re.compile(r"sesame:(annotation|entity)/([0-9A-Za-z]{6,64})")


@dataclass(frozen=True)
class NoteLink:
    """One link of the notes and what it points at (`found` False: nowhere)."""

    kind: str  # "annotation" | "entity"
    ref: str  # the id (or id prefix) as written
    start: int  # code points into the notes
    end: int
    found: bool
    target_id: str | None = None  # the full id (an entity: the one it was merged into)
    label: str = ""  # a passage's quote, an entity's name
    article_id: str | None = None  # a passage's article
    span: tuple[int, int] | None = None  # a passage's start and end in its article
    problem: str = ""  # why it points nowhere

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CollectionNotes:
    """A collection's notes and their links."""

    collection_id: str
    collection: str
    notes: str
    links: list[NoteLink] = field(default_factory=list)

    @property
    def broken(self) -> list[NoteLink]:
        return [link for link in self.links if not link.found]

    def to_dict(self) -> dict[str, Any]:
        return {
            "collection_id": self.collection_id,
            "collection": self.collection,
            "notes": self.notes,
            "links": [link.to_dict() for link in self.links],
            "broken": [link.to_dict() for link in self.broken],
        }


def _by_prefix(session: Session, table: Any, ref: str) -> tuple[list[Any], str]:
    """Rows whose id is `ref` or starts with it (literally)."""
    row = session.get(table, ref)
    if row is not None:
        return [row], ""
    rows = list(session.exec(select(table).where(func.substr(col(table.id), 1, len(ref)) == ref)))
    if len(rows) > 1:
        return [], f"the id prefix matches {len(rows)}"
    return rows, "" if rows else "no such id"


def _resolve(session: Session, kind: str, ref: str, start: int, end: int) -> NoteLink:
    if kind == "annotation":
        rows, problem = _by_prefix(session, models.Annotation, ref)
        if not rows:
            return NoteLink(kind, ref, start, end, False, problem=f"passage: {problem}")
        ann = rows[0]
        return NoteLink(
            kind,
            ref,
            start,
            end,
            True,
            ann.id,
            ann.quote,
            ann.article_id,
            (ann.start, ann.end),
        )
    rows, problem = _by_prefix(session, models.Entity, ref)
    if not rows:
        return NoteLink(kind, ref, start, end, False, problem=f"entity: {problem}")
    entity = rows[0]
    seen = {entity.id}
    while entity.merged_into:  # a merged entity's links land on the one it joined
        nxt = session.get(models.Entity, entity.merged_into)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        entity = nxt
    return NoteLink(kind, ref, start, end, True, entity.id, entity.name)


def find_links(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, id as written, start, end) of every link in `text`."""
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in LINK.finditer(text)]


def note_links(session: Session, text: str) -> list[NoteLink]:
    """Every link of `text` with what it points at.

    Links to passages by full id are read in one query (one ORM `get` per link took
    1.2 s for 1,000 links, bench/review_bench.py); prefixes and entities one by one.
    """
    found = find_links(text)
    full = sorted({ref for kind, ref, _, _ in found if kind == "annotation" and len(ref) == 32})
    passages: dict[str, tuple[str, str, int, int]] = {}
    conn = session.connection()
    for first in range(0, len(full), 500):
        chunk = full[first : first + 500]
        sql = (
            'SELECT id, quote, article_id, start, "end" FROM annotation '
            f"WHERE id IN ({', '.join('?' * len(chunk))})"
        )
        for ann_id, quote, article_id, start, end in conn.exec_driver_sql(sql, tuple(chunk)):
            passages[ann_id] = (quote, article_id, start, end)
    links = []
    for kind, ref, start, end in found:
        hit = passages.get(ref) if kind == "annotation" else None
        if hit is None:
            links.append(_resolve(session, kind, ref, start, end))
            continue
        quote, article_id, s, e = hit
        links.append(NoteLink(kind, ref, start, end, True, ref, quote, article_id, (s, e)))
    return links


def _notes_of(session: Session, coll: models.Collection) -> CollectionNotes:
    return CollectionNotes(coll.id, coll.name, coll.notes, note_links(session, coll.notes))


def _collection(session: Session, ident: str) -> models.Collection:
    coll = find_collection(session, ident)
    if coll is None:
        raise NotFound(f"No collection named {ident!r}. `sesame collections` lists them.")
    return coll


def get_notes(archive: Archive, collection: str) -> CollectionNotes:
    """A collection's notes (by id or name) with their links."""
    with archive.session() as session:
        return _notes_of(session, _collection(session, collection))


def broken_links(archive: Archive) -> list[tuple[str, NoteLink]]:
    """Every link of every collection's notes that points nowhere, with its collection's
    name, collections by name (`sesame check`)."""
    with archive.session() as session:
        rows = session.exec(
            select(models.Collection)
            .where(models.Collection.notes != "")
            .order_by(col(models.Collection.name))
        )
        return [
            (coll.name, link)
            for coll in rows
            for link in note_links(session, coll.notes)
            if not link.found
        ]


def set_notes(target: Archive | Change, collection: str, text: str) -> CollectionNotes:
    """Replace a collection's notes (line ends made `\\n`); links pointing nowhere are kept
    and reported in the result's `broken`."""
    if "\x00" in text:
        raise InvalidInput("The notes hold a NUL character; save them as plain text.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > NOTES_MAX:
        raise InvalidInput(f"Notes can have at most {NOTES_MAX:,} characters ({len(text):,}).")
    with changing(target, "Case notes") as ch:
        coll = _collection(ch.session, collection)
        ch.describe(f"Case notes of {coll.name}")
        if coll.notes != text:
            before = {"notes": coll.notes}
            coll.notes = text
            ch.session.add(coll)
            ch.audit("collection", "notes", coll.id, before=before, after={"notes": text})
        return _notes_of(ch.session, coll)


@dataclass(frozen=True)
class NotesMatch:
    """One line of a collection's notes that holds the text looked for."""

    collection_id: str
    collection: str
    line: int  # 1-based
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def grep_notes(archive: Archive, text: str) -> list[NotesMatch]:
    """Lines of every collection's notes holding `text` (ignoring case), by collection name."""
    wanted = text.casefold()
    if not wanted.strip():
        raise InvalidInput("Give some text to look for in the notes.")
    found: list[NotesMatch] = []
    with archive.session() as session:
        rows = session.exec(
            select(models.Collection)
            .where(models.Collection.notes != "")
            .order_by(col(models.Collection.name))
        )
        for coll in rows:
            for number, line in enumerate(coll.notes.split("\n"), 1):
                if wanted in line.casefold():
                    found.append(NotesMatch(coll.id, coll.name, number, line))
    return found


def passage_link(annotation_id: str, quote: str) -> str:
    """A Markdown link to a passage, labelled with (the start of) its quote."""
    label = " ".join(quote.split())
    if len(label) > 60:
        label = label[:59] + "…"
    label = re.sub(r"([\[\]\\])", r"\\\1", label)
    return f"[{label}](sesame:annotation/{annotation_id})"


def resolve_link(archive: Archive, url: str) -> NoteLink:
    """What one link (`sesame:annotation/<id>` or `sesame:entity/<id>`) points at; an
    entity link carries its first mention's article and span, so that it can be opened."""
    m = LINK.fullmatch(url.strip())
    if m is None:
        raise InvalidInput(
            f"{url!r} is not a Sesame link (sesame:annotation/ID, sesame:entity/ID)."
        )
    with archive.session() as session:
        link = _resolve(session, m.group(1), m.group(2), 0, len(url))
        if link.kind != "entity" or not link.found:
            return link
        first = session.exec(
            select(models.Annotation)
            .where(models.Annotation.entity_id == link.target_id)
            .order_by(col(models.Annotation.created_at))
        ).first()
    if first is None:
        return link
    return NoteLink(
        link.kind,
        link.ref,
        link.start,
        link.end,
        True,
        link.target_id,
        link.label,
        first.article_id,
        (first.start, first.end),
    )
