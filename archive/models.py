"""The tables of an archive (DESIGN "Data model").

Ids are UUID hex strings so that records keep their identity when they travel
in bundles between archives. Times are timezone-aware UTC. Offsets are Unicode
code points into `Article.text`.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

# The vocabularies live in archive.vocabularies (readers without the ORM name them);
# re-exported here, where every writer has always found them.
from archive.vocabularies import BUILTIN_RELATION_TYPES as BUILTIN_RELATION_TYPES
from archive.vocabularies import BUILTIN_ROLE_TYPES as BUILTIN_ROLE_TYPES
from archive.vocabularies import DATE_PRECISIONS as DATE_PRECISIONS
from archive.vocabularies import PLACE_PRECISIONS as PLACE_PRECISIONS
from archive.vocabularies import REVIEW_STATUSES as REVIEW_STATUSES
from archive.vocabularies import VERIFICATIONS as VERIFICATIONS


def new_id() -> str:
    """A fresh random id (32 hex characters)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def _text_default(value: str) -> Any:
    """A text column with a default the database also knows (migrations add such
    columns to existing rows, and bulk inserts may leave them out)."""
    return Field(default=value, sa_column_kwargs={"server_default": value})


class Meta(SQLModel, table=True):
    """Key/value facts about the archive itself (archive id, created at, ...)."""

    key: str = Field(primary_key=True)
    value: str


class Original(SQLModel, table=True):
    """The exact bytes of an imported file, kept for chain of custody."""

    sha256: str = Field(primary_key=True, max_length=64)
    media_type: str
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    first_name: str = ""  # file name it was first imported from
    imported_at: datetime = Field(default_factory=utcnow)


class ArticleCollection(SQLModel, table=True):
    """Membership of an article in a collection (many to many)."""

    article_id: str = Field(foreign_key="article.id", primary_key=True, ondelete="CASCADE")
    collection_id: str = Field(foreign_key="collection.id", primary_key=True, ondelete="CASCADE")


class Article(SQLModel, table=True):
    """One article or report: metadata plus its canonical text (NFC, `\\n`)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    title: str = ""
    source: str | None = None  # the publication
    url: str | None = None
    byline: str | None = None
    # ISO date string ("2021-03-05", "2021-03", "2021") and how precise it is.
    published: str | None = Field(default=None, index=True)
    published_precision: str = "unknown"  # day | month | year | unknown
    language: str | None = None
    text: str = ""
    text_sha256: str = Field(default="", index=True)
    original_sha256: str | None = Field(default=None, foreign_key="original.sha256", index=True)
    imported_at: datetime = Field(default_factory=utcnow)
    imported_from: str = ""
    # An e-mail attachment points at its message; a digest part at its file.
    parent_id: str | None = Field(default=None, foreign_key="article.id", index=True)
    # Everything else an importer found (other URLs, e-mail headers, ...).
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    # Retracted articles are hidden from the library and search, never deleted.
    retracted_at: datetime | None = None
    retracted_reason: str | None = None
    # Review (issue 13): where the article stands in the documenter's work.
    review_status: str = _text_default(REVIEW_STATUSES[0])  # see REVIEW_STATUSES
    assignee: str | None = None
    verification: str = _text_default(VERIFICATIONS[0])  # see VERIFICATIONS
    verification_note: str = _text_default("")
    # Graphic content or personal data: blurred in the reader until revealed,
    # and left out of exports and bundles when asked.
    sensitive: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    sensitive_reason: str = _text_default("")  # "graphic", "personal", or free text
    # Provenance (issue 14): who collected it, when, from where, with which tool.
    captured_at: str | None = None  # ISO 8601 UTC: when a web capture was taken
    collected_by: str | None = None
    collected_with: str | None = None  # the tool: "auto-archiver", "Hunchly", "browser", ...
    collected_from: str | None = None  # the URL, device or place it came from
    # How the text was obtained: "text" (the file's own text) or "ocr" (machine-read).
    text_origin: str = _text_default("text")
    ocr_confidence: float | None = None  # mean word confidence 0..100 when text_origin="ocr"
    # Copies of one story (reprints, wire copies): articles with one copy_group
    # count as one independent source. "auto" groups come from near-duplicate
    # detection; "user" marks a split or join the user made, which detection keeps.
    copy_group: str | None = Field(default=None, index=True)
    copy_group_by: str = _text_default("auto")  # auto | user


class Collection(SQLModel, table=True):
    """A case or investigation that groups articles."""

    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(unique=True)
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    # Case notes (markdown); links to passages and entities are written
    # sesame:annotation/<id> and sesame:entity/<id>.
    notes: str = _text_default("")


class TagType(SQLModel, table=True):
    """A kind of tag: the built-in actor / event / figure, or one a user defines."""

    key: str = Field(primary_key=True)
    label: str
    colour: str  # "#rrggbb"
    shortcut: str | None = None  # one key, e.g. "A"
    builtin: bool = False


class Entity(SQLModel, table=True):
    """Something that annotations point at: an actor, an event, a figure, ..."""

    id: str = Field(default_factory=new_id, primary_key=True)
    type_key: str = Field(foreign_key="tagtype.key", index=True)
    name: str = Field(index=True)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str = ""
    # Events: a date or a date range (ISO strings) and a place.
    date_start: str | None = None
    date_end: str | None = None
    place: str | None = None
    # How precise the date and the place are (ACLED's idea): see DATE_PRECISIONS
    # and PLACE_PRECISIONS; None = not said.
    date_precision: str | None = None
    place_precision: str | None = None
    # Set when this entity was merged into another: kept as a tombstone so that
    # a bundle naming the old id still lands on the right entity.
    merged_into: str | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Annotation(SQLModel, table=True):
    """A tagged span of an article's text (W3C position + quote selectors)."""

    __table_args__ = (Index("ix_annotation_article_start", "article_id", "start"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    article_id: str = Field(foreign_key="article.id", ondelete="CASCADE")
    start: int  # code points, inclusive
    end: int  # code points, exclusive
    quote: str
    prefix: str = ""  # up to 32 characters before the quote
    suffix: str = ""  # up to 32 characters after the quote
    type_key: str = Field(foreign_key="tagtype.key", index=True)
    entity_id: str | None = Field(default=None, foreign_key="entity.id", index=True)
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, foreign_key="user.id")
    origin: str = "manual"  # manual | suggestion | bundle:<id>
    orphaned: bool = False
    # Figures: the claim this source makes.
    value: float | None = None
    qualifier: str | None = None  # exactly|about|at least|more than|less than|up to
    counted: str | None = None
    as_of: str | None = None  # ISO date
    # Figures as ranges (UCDP's low / best / high): `value` is the best estimate.
    low: float | None = None
    high: float | None = None
    # Review of the claim this passage makes (see VERIFICATIONS), and the sensitive flag.
    verification: str = _text_default(VERIFICATIONS[0])
    verification_note: str = _text_default("")
    sensitive: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    sensitive_reason: str = _text_default("")


class RoleType(SQLModel, table=True):
    """A role an actor plays in an event: the built-in ones (BUILTIN_ROLE_TYPES) or the user's."""

    key: str = Field(primary_key=True)
    label: str
    builtin: bool = False


class Role(SQLModel, table=True):
    """ "Actor X was ROLE in event Y", anchored to the passage that says so."""

    id: str = Field(default_factory=new_id, primary_key=True)
    event_id: str = Field(foreign_key="entity.id", index=True)
    actor_id: str = Field(foreign_key="entity.id", index=True)
    role: str = Field(foreign_key="roletype.key", index=True)
    annotation_id: str = Field(foreign_key="annotation.id", index=True)
    note: str = ""
    verification: str = VERIFICATIONS[0]
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, foreign_key="user.id")


class RelationType(SQLModel, table=True):
    """A kind of relation between actors: built-in (BUILTIN_RELATION_TYPES) or the user's."""

    key: str = Field(primary_key=True)
    label: str
    builtin: bool = False


class Relation(SQLModel, table=True):
    """A typed relation between two actors ("X is a member of Y"), anchored to a passage.

    First and last cited dates (Security Force Monitor) are computed from the
    articles of every passage that cites the same relation; `date_start` and
    `date_end` are what the passage itself says about when it held.
    """

    id: str = Field(default_factory=new_id, primary_key=True)
    subject_id: str = Field(foreign_key="entity.id", index=True)
    object_id: str = Field(foreign_key="entity.id", index=True)
    type: str = Field(foreign_key="relationtype.key", index=True)
    annotation_id: str = Field(foreign_key="annotation.id", index=True)
    date_start: str | None = None
    date_end: str | None = None
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, foreign_key="user.id")


class CopySignature(SQLModel, table=True):
    """An article's MinHash signature for near-duplicate detection (derived, rebuildable)."""

    article_id: str = Field(primary_key=True)
    signature: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class User(SQLModel, table=True):
    """A person who annotates; the private key stays in their config dir."""

    id: str = Field(default_factory=new_id, primary_key=True)
    display_name: str
    public_key: str | None = None  # Ed25519, base64
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One entry of the append-only, hash-chained log of changes."""

    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    at: str  # ISO 8601 UTC, stored as text so that the hash input is stable
    user_id: str | None = None
    action: str  # e.g. "article.import", "annotation.create"
    target_type: str
    target_id: str
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    prev_hash: str
    hash: str
    # The core change that wrote this entry (None for entries older than changes).
    change_id: str | None = Field(default=None, index=True)


class Exchange(SQLModel, table=True):
    """How an annotation looked when it last came in a bundle (the base of a three-way merge).

    An annotation edited here since (its content differs from `content_hash`)
    and also edited by the sender (the incoming content differs too) is a
    conflict; edited on one side only, the newer side wins.
    """

    annotation_id: str = Field(primary_key=True)
    content_hash: str
    bundle_id: str
    at: datetime = Field(default_factory=utcnow)


class Change(SQLModel, table=True):
    """One unit of work: a labelled transaction, its rows before and after, its undo state.

    `kind` is "do" for an ordinary change, "undo" or "redo" for one that
    reverted or re-applied the change `target_id`. `state` (of a "do" change)
    is "done", "undone" (redo may bring it back), "dropped" (undone, then a new
    change was made) or "expired" (past the undo depth; its rows are gone).
    `applied_by` is the change whose rows show how the step was last applied
    (itself, or its latest redo): undo inverts those rows; `undone_by` is the
    undo change whose rows redo inverts. Consecutive steps with one `group_id`
    (the batches of one import) are undone and redone as one.
    """

    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True, index=True)
    label: str
    origin: str = "manual"
    kind: str = "do"  # do | undo | redo
    state: str = "done"  # done | undone | dropped | expired | final
    target_id: str | None = None
    applied_by: str | None = None
    undone_by: str | None = None  # the undo change that reverted this step, while undone
    # Steps of one piece of work (the batches of one import) undo and redo together.
    group_id: str | None = Field(default=None, index=True)
    user_id: str | None = None
    at: str  # ISO 8601 UTC
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The rows (table, key, before, after); None once the change is past the undo depth.
    rows: list[Any] | None = Field(default=None, sa_column=Column(JSON))


class IndexQueue(SQLModel, table=True):
    """Articles whose search-index entry must be (re)written or deleted.

    Rows are added in the same transaction as the change, so the index can
    always catch up: `seq` is the archive's generation counter.
    """

    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(index=True)
    op: str = "upsert"  # upsert | delete
