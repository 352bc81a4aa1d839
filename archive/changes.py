"""Core changes: the one way to write to an archive, and undo / redo built on them.

Every write in `archive/` runs inside a `Change` (`archive.change(label)` or
`changing(target, label)`):

- one `BEGIN IMMEDIATE` transaction, the local user as author;
- one change id, stamped on every audit entry it writes;
- every row it creates, updates or deletes recorded with its exact stored
  values before and after (ORM writes are seen through the session's
  `before_flush` event; bulk SQL statements say what they touch with
  `Change.track`);
- the search-index queue fed once, for exactly the articles touched (derived
  from the rows: an annotation's article, an entity's mentions, a
  collection's members);
- a `ChangeSet` returned (`ch.changes`): created / updated / deleted ids per
  kind with before and after, the articles and entities touched.

Undo inverts the rows of the newest step still done and is itself a change
(kind "undo", audited); redo inverts that undo. History is linear, as in
Anki: a new change after an undo drops what could have been redone. Rows are
kept for the last `UNDO_DEPTH` steps; older steps keep their label and
summary in `sesame history`, and the audit log keeps everything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import String, event, func, inspect, type_coerce
from sqlalchemy.orm import defer
from sqlmodel import Session, SQLModel, col, select

from archive import audit, identity, models
from archive.errors import ArchiveError, InvalidInput

if TYPE_CHECKING:
    from archive.store import Archive

# Tables whose rows are user data, tracked for undo. The audit log, the index
# queue, the change log itself, users and archive facts are bookkeeping.
TRACKED = (
    "article",
    "original",
    "annotation",
    "entity",
    "tagtype",
    "collection",
    "articlecollection",
    "exchange",
    "roletype",
    "role",
    "relationtype",
    "relation",
)
# What a person calls a tracked table's rows, singular and plural ("3 collection
# memberships removed", not "3 articlecollection deleted").
ROW_NAMES: dict[str, tuple[str, str]] = {
    "article": ("article", "articles"),
    "original": ("original file", "original files"),
    "annotation": ("passage", "passages"),
    "entity": ("entity", "entities"),
    "tagtype": ("tag type", "tag types"),
    "collection": ("collection", "collections"),
    "articlecollection": ("collection membership", "collection memberships"),
    "exchange": ("bundle exchange record", "bundle exchange records"),
    "roletype": ("role type", "role types"),
    "role": ("role", "roles"),
    "relationtype": ("relation type", "relation types"),
    "relation": ("relation", "relations"),
}
OP_WORDS = {"created": "added", "updated": "changed", "deleted": "removed"}


def describe_counts(counts: dict[str, dict[str, int]]) -> str:
    """A change set's counts in words: "2 passages added, 1 entity changed"."""
    parts = []
    for table in [t for t in TRACKED if t in counts] + sorted(set(counts) - set(TRACKED)):
        for op in ("created", "updated", "deleted"):
            n = counts[table].get(op, 0)
            if n:
                one, many = ROW_NAMES.get(table, (table, table))
                parts.append(f"{n:,} {one if n == 1 else many} {OP_WORDS[op]}")
    return ", ".join(parts) or "nothing"


UNDO_DEPTH = 100
# A change set of more rows than this keeps only their reference columns.
KEEP_VALUES = 10_000
# What a big change set keeps of each row: the columns naming other rows, and those
# the window's views count (desktop/delta.py: an annotation's article, entity, type and
# flag; an article's copy group; a membership's article).
REFERENCE_COLUMNS = frozenset(
    {"id", "article_id", "entity_id", "collection_id", "type_key", "sensitive", "copy_group"}
)
# The change log's text past this many bytes is written into its row in pieces.
_SPOOL_AT = 1 << 20
# Stored "after" values longer than this are kept as a digest (undo never
# needs them: it restores "before", and redo inverts the undo's own rows).
_AFTER_LIMIT = 512
_CHUNK = 500  # ids per `IN (...)` when reading rows

Key = tuple[Any, ...]


class NothingToUndo(InvalidInput):
    """There is no change to undo (or to redo)."""


# -- what a change did -------------------------------------------------------------


@dataclass(slots=True)
class RowChange:
    """One row's stored values before and after a change (None: it did not exist).

    In a change set that kept only the reference columns (`ChangeSet.values_kept`
    false), `before` and `after` hold just those of `REFERENCE_COLUMNS` the row has.
    """

    table: str
    key: Key
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def id(self) -> str:
        """The row's key as text ("a|b" for a two-column key)."""
        return "|".join(str(k) for k in self.key)

    @property
    def op(self) -> str:
        """created, deleted or updated."""
        if self.before is None:
            return "created"
        if self.after is None:
            return "deleted"
        return "updated"

    def reduced(self) -> RowChange:
        """The same row change with its reference columns only (`REFERENCE_COLUMNS`)."""
        return RowChange(self.table, self.key, _reduced(self.before), _reduced(self.after))

    def to_json(self, *, trim_after: bool = True) -> dict[str, Any]:
        """JSON-ready form as stored in the change log."""
        return {
            "t": self.table,
            "k": list(self.key),
            "b": _encode_row(self.before),
            "a": _encode_row(self.after, trim=trim_after),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowChange:
        """The row change back from `to_json`."""
        return cls(data["t"], tuple(data["k"]), _decode_row(data["b"]), _decode_row(data["a"]))


@dataclass
class ChangeSet:
    """What one change did: its header and every row it changed.

    A change of more than `KEEP_VALUES` rows (a bundle import: 124,000) keeps of
    each row only the columns that say which rows it refers to and what views count
    (`REFERENCE_COLUMNS`; `values_kept` false): every value was 200 MB of dicts at
    full size, and the change log has them.
    """

    id: str
    label: str
    origin: str
    kind: str
    user_id: str | None
    at: str
    target_id: str | None = None
    rows: list[RowChange] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    values_kept: bool = True

    def ids(self, table: str, op: str) -> list[str]:
        """The ids of `table` rows that were `op` (created, updated, deleted)."""
        return [r.id for r in self.rows if r.table == table and r.op == op]

    def created(self, table: str) -> list[str]:
        """Ids of the `table` rows this change created."""
        return self.ids(table, "created")

    def updated(self, table: str) -> list[str]:
        """Ids of the `table` rows this change updated."""
        return self.ids(table, "updated")

    def deleted(self, table: str) -> list[str]:
        """Ids of the `table` rows this change deleted."""
        return self.ids(table, "deleted")

    def row(self, table: str, row_id: str) -> RowChange | None:
        """The change of one row, if this change touched it."""
        return next((r for r in self.rows if r.table == table and r.id == row_id), None)

    def tables(self) -> set[str]:
        """The tables this change wrote to."""
        return {r.table for r in self.rows}

    @property
    def empty(self) -> bool:
        return not self.rows

    def summary(self) -> dict[str, dict[str, int]]:
        """{table: {created: n, updated: n, deleted: n}}, zero counts left out."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            counts = out.setdefault(r.table, {})
            counts[r.op] = counts.get(r.op, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready header, counts and ids (not the row values)."""
        return {
            "id": self.id,
            "label": self.label,
            "origin": self.origin,
            "kind": self.kind,
            "user_id": self.user_id,
            "at": self.at,
            "target_id": self.target_id,
            "summary": self.summary(),
            "articles": sorted(self.articles),
            "entities": sorted(self.entities),
        }


# -- stored values as JSON -----------------------------------------------------------


def _encode_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode("ascii")}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    return value


def _encode_row(row: dict[str, Any] | None, *, trim: bool = False) -> dict[str, Any] | None:
    if row is None:
        return None
    # Most rows hold no bytes and no long text: copied as they are (an undo of a
    # 1,200-mention merge encodes 4,800 rows; value by value it was a quarter of its time).
    if not any(
        type(v) is bytes or (trim and type(v) is str and len(v) > _AFTER_LIMIT)
        for v in row.values()
    ):
        return dict(row)
    out = {}
    for key, value in row.items():
        if trim and isinstance(value, str | bytes) and len(value) > _AFTER_LIMIT:
            raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
            out[key] = {"$sha256": hashlib.sha256(raw).hexdigest(), "$len": len(value)}
        else:
            out[key] = _encode_value(value)
    return out


def _reduced(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: v for k, v in row.items() if k in REFERENCE_COLUMNS}


def _decode_row(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    if not any(type(v) is dict for v in row.values()):  # no bytes in it: as it is
        return row
    return {k: _decode_value(v) for k, v in row.items()}


def audit_form(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored row as an audit entry shows it: long texts and bytes as their digest."""
    return _encode_row(row, trim=True)


# -- reading stored rows ---------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]


def _tables() -> dict[str, _Table]:
    out = {}
    for name in TRACKED:
        table = SQLModel.metadata.tables[name]
        out[name] = _Table(
            name,
            tuple(c.name for c in table.columns),
            tuple(c.name for c in table.primary_key.columns),
        )
    return out


_TABLES = _tables()


def _read_rows(session: Session, table: str, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
    """The stored rows of `table` with these keys (as SQLite holds them), by key."""
    spec = _TABLES[table]
    conn = session.connection()
    cols = ", ".join(f'"{c}"' for c in spec.columns)
    found: dict[Key, dict[str, Any]] = {}
    key_at = [spec.columns.index(k) for k in spec.key]
    if len(spec.key) == 1:
        for i in range(0, len(keys), _CHUNK):
            chunk = [k[0] for k in keys[i : i + _CHUNK]]
            marks = ", ".join("?" * len(chunk))
            sql = f'SELECT {cols} FROM "{table}" WHERE "{spec.key[0]}" IN ({marks})'
            for values in conn.exec_driver_sql(sql, tuple(chunk)):
                found[(values[key_at[0]],)] = dict(zip(spec.columns, values, strict=True))
    else:
        where = " AND ".join(f'"{k}" = ?' for k in spec.key)
        sql = f'SELECT {cols} FROM "{table}" WHERE {where}'
        for key in keys:
            row = conn.exec_driver_sql(sql, tuple(key)).first()
            if row is not None:
                found[key] = dict(zip(spec.columns, row, strict=True))
    return found


# -- the unit of work -------------------------------------------------------------------


class Change:
    """An open change: `session` to write with, `user_id` as author, `audit` to log.

    Made by `Archive.change()`; `changes` holds the `ChangeSet` once it is
    committed.
    """

    def __init__(
        self,
        archive: Archive,
        session: Session,
        label: str,
        origin: str,
        kind: str = "do",
        group_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        self.archive = archive
        self.group_id = group_id
        self.session = session
        self.label = label
        self.origin = origin
        self.kind = kind
        self.label_given = True
        self.target_id: str | None = None
        self.id = models.new_id()
        self.at = models.utcnow().isoformat()
        self.user_id: str = user_id or identity.ensure_user(session).id
        self.changes: ChangeSet | None = None
        self._before: dict[str, dict[Key, dict[str, Any] | None]] = {t: {} for t in TRACKED}
        self._order: list[tuple[str, Key]] = []
        self._articles: set[str] = set()
        self._entities: set[str] = set()
        self._audit_rows: list[dict[str, Any]] = []
        self._last_audit: tuple[int, str] | None = None
        event.listen(session, "before_flush", self._before_flush)

    def describe(self, label: str) -> None:
        """Name the change better, unless its opener gave it a name of its own."""
        if not self.label_given:
            self.label = label

    # -- what is touched ---------------------------------------------------------

    def track(self, table: str, keys: Iterable[Any], *, new: bool = False) -> None:
        """Note rows a bulk SQL statement is about to write (call it before the statement).

        `keys`: primary-key values (tuples for two-column keys). `new=True`
        says the rows do not exist yet (no need to read them first).
        """
        seen = self._before[table]
        fresh = []
        for key in keys:
            key = key if isinstance(key, tuple) else (key,)
            if key not in seen:
                fresh.append(key)
        if not fresh:
            return
        stored = {} if new else _read_rows(self.session, table, fresh)
        for key in fresh:
            seen[key] = stored.get(key)
            self._order.append((table, key))

    def touch_article(self, article_id: str) -> None:
        """Have the search index look at an article again, though none of its rows changed."""
        self._articles.add(article_id)

    def _before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        pending: dict[str, list[Key]] = {}
        for obj in list(session.new):
            table = getattr(obj, "__tablename__", None)
            if table in self._before:
                key = tuple(inspect(obj).mapper.primary_key_from_instance(obj))
                if key not in self._before[table]:
                    self._before[table][key] = None
                    self._order.append((table, key))
        for obj in [*session.dirty, *session.deleted]:
            table = getattr(obj, "__tablename__", None)
            if table not in self._before:
                continue
            if obj in session.dirty and not session.is_modified(obj):
                continue
            state = inspect(obj)
            key = tuple(state.identity or state.mapper.primary_key_from_instance(obj))
            if key not in self._before[table]:
                pending.setdefault(table, []).append(key)
        for table, keys in pending.items():
            self.track(table, keys)

    # -- the audit log ------------------------------------------------------------

    def audit(
        self,
        target_type: str,
        action: str,
        target_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit entry `<target_type>.<action>` stamped with this change's id.

        Entries are chained here and written in one INSERT when the change
        commits (an ORM object per entry was a third of an import's time).
        """
        if not self._audit_rows:
            self._last_audit = audit.newest(self.session)
        fields = audit.entry(
            self._last_audit,
            user_id=self.user_id,
            action=f"{target_type}.{action}",
            target_type=target_type,
            target_id=target_id,
            before=before,
            after=after,
            change_id=self.id,
        )
        self._last_audit = (fields["seq"], fields["hash"])
        self._audit_rows.append(fields)

    # -- closing ---------------------------------------------------------------------

    @property
    def audited(self) -> bool:
        """Whether this change wrote audit entries (its transaction then signs the head)."""
        return bool(self._audit_rows)

    def _finish(self) -> ChangeSet:
        """Flush, read every tracked row after, feed the index queue, log the change.

        The rows are read back, compared, logged and let go a window of `_CHUNK` at a
        time, so memory does not grow with the change's values: read whole, a
        full-size bundle import's 124,000 rows were 200 MB of dicts at commit.
        """
        session = self.session
        session.flush()
        result = ChangeSet(
            id=self.id,
            label=self.label,
            origin=self.origin,
            kind=self.kind,
            user_id=self.user_id,
            at=self.at,
            target_id=self.target_id,
            values_kept=len(self._order) <= KEEP_VALUES,
        )
        touched = _Touched(set(self._articles))
        log = _LogText(self.archive, session)
        try:
            for i in range(0, len(self._order), _CHUNK):
                window = self._order[i : i + _CHUNK]
                keys: dict[str, list[Key]] = {}
                for table, key in window:
                    keys.setdefault(table, []).append(key)
                after_by_table = {t: _read_rows(session, t, ks) for t, ks in keys.items()}
                for table, key in window:
                    before = self._before[table][key]
                    after = after_by_table[table].get(key)
                    if before == after:
                        continue
                    rc = RowChange(table, key, before, after)
                    touched.add(rc)
                    log.add(rc)
                    result.rows.append(rc if result.values_kept else rc.reduced())
                del after_by_table
            touched.settle(self.session.connection(), result)
            deleted = {r.key[0] for r in result.rows if r.table == "article" and r.after is None}
            queue = [
                {"article_id": a, "op": "delete" if a in deleted else "upsert"}
                for a in sorted(result.articles)
            ]
            if queue:
                session.execute(models.IndexQueue.__table__.insert(), queue)  # type: ignore[attr-defined]
            audit.insert(session, self._audit_rows)
            if result.rows or self._audit_rows:
                self._log(result, log)
        finally:
            log.close()
        # What the change tracked is in its log now; an import's thousands of rows
        # need not stay in memory while the index catches up.
        self._before = {t: {} for t in TRACKED}
        self._order = []
        return result

    def _log(self, result: ChangeSet, log: _LogText) -> None:
        session = self.session
        conn = session.connection()
        # A change that wrote audit entries but changed no row (a bundle imported a
        # second time) is history, not an undo step: it leaves redo alone.
        step = self.kind == "do" and bool(result.rows)
        dropped = False
        if step:
            # Linear history: what was undone can no longer be redone.
            dropped = bool(
                conn.exec_driver_sql(
                    "UPDATE change SET state = 'dropped', rows = NULL WHERE state = 'undone'"
                ).rowcount
            )
        text = log.text()
        session.execute(
            models.Change.__table__.insert().values(  # type: ignore[attr-defined]
                # Already JSON text: bound as text, not encoded again by the column's type;
                # a long one is written into its row in pieces (`_LogText`).
                rows=(type_coerce(text, String()) if text is not None else func.zeroblob(log.size)),
            ),
            {
                "id": self.id,
                "label": self.label,
                "origin": self.origin,
                "kind": self.kind,
                "state": "done" if step else "final",
                "target_id": self.target_id,
                "group_id": self.group_id,
                "applied_by": self.id if step else None,
                "user_id": self.user_id,
                "at": self.at,
                "summary": result.summary(),
            },
        )
        if text is None:
            seq = conn.exec_driver_sql("SELECT seq FROM change WHERE id = ?", (self.id,))
            log.write_into(seq.scalar_one())
        if step:
            _expire(session, dropped=dropped)


@dataclass
class _Touched:
    """The articles and entities a change touched, gathered row by row."""

    articles: set[str]
    entities: set[str] = field(default_factory=set)
    entity_rows: set[str] = field(default_factory=set)
    renamed: set[str] = field(default_factory=set)  # collections whose name changed

    def add(self, r: RowChange) -> None:
        for values in (r.before, r.after):
            if values is None:
                continue
            if r.table == "article":
                self.articles.add(values["id"])
            elif r.table in ("annotation", "articlecollection"):
                self.articles.add(values["article_id"])
                if values.get("entity_id"):
                    self.entities.add(values["entity_id"])
            elif r.table == "entity":
                self.entities.add(values["id"])
        if r.table == "entity":
            self.entity_rows.add(r.key[0])
        elif r.table == "collection" and (
            (r.before or {}).get("name") != (r.after or {}).get("name")
        ):
            self.renamed.add(r.key[0])

    def settle(self, conn: Any, result: ChangeSet) -> None:
        """Add the articles indexed with what changed, and give `result` both sets."""
        articles = self.articles
        # Entity names and collection names are indexed with the articles that use them.
        plain = sorted(self.entity_rows)
        for i in range(0, len(plain), _CHUNK):
            chunk = plain[i : i + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT DISTINCT article_id FROM annotation WHERE entity_id IN ({marks})"
            articles.update(row[0] for row in conn.exec_driver_sql(sql, tuple(chunk)))
        # Only a collection's name is indexed: its notes or description leave the members be
        # (a case-notes save re-indexed every member of the case).
        for coll in sorted(self.renamed):
            sql = "SELECT article_id FROM articlecollection WHERE collection_id = ?"
            articles.update(row[0] for row in conn.exec_driver_sql(sql, (coll,)))
        result.articles = articles
        result.entities = self.entities


class _LogText:
    """The change log's `rows` column as JSON text, made one row at a time.

    A short text is kept and bound as text. A long one (a bundle import's 124,000
    rows are 70 MB) goes to an unnamed temporary file in the archive's folder, and
    is then copied into its row in pieces through SQLite's incremental blob I/O
    (`zeroblob`, `blobopen`): bound whole, the text, its pieces and SQLite's two
    copies of it were 280 MB at once. The column then holds the same JSON as a
    BLOB (`json.loads` reads both). SQLCipher's module has no `blobopen`: an
    encrypted archive's text is bound whole, as before.
    """

    def __init__(self, archive: Archive, session: Session) -> None:
        self._archive = archive
        self._raw: Any = session.connection().connection.driver_connection
        self._parts: list[str] = ["["]
        self._kept = 1
        self._file: IO[bytes] | None = None
        self.size = 1  # bytes (the text is ASCII: json.dumps escapes the rest)
        self._first = True

    def add(self, rc: RowChange) -> None:
        piece = json.dumps(rc.to_json()) if self._first else ", " + json.dumps(rc.to_json())
        self._first = False
        self._parts.append(piece)
        self._kept += len(piece)
        self.size += len(piece)
        if self._kept >= _SPOOL_AT and hasattr(self._raw, "blobopen"):
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            # Closed by close(), which the change always calls.
            self._file = tempfile.TemporaryFile(dir=self._archive.path, prefix=".change-")  # noqa: SIM115
        self._file.write("".join(self._parts).encode("ascii"))
        self._parts = []
        self._kept = 0

    def text(self) -> str | None:
        """The whole text, or None when it is in the temporary file (`write_into`)."""
        self._parts.append("]")
        self.size += 1
        if self._file is None:
            return "".join(self._parts)
        self._spill()
        return None

    def write_into(self, seq: int) -> None:
        """Copy the text from the temporary file into the `change` row `seq`."""
        assert self._file is not None
        self._file.seek(0)
        with self._raw.blobopen("change", "rows", seq, readonly=False) as blob:
            while piece := self._file.read(_SPOOL_AT):
                blob.write(piece)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._parts = []


def _expire(session: Session, *, dropped: bool = False) -> None:
    """Forget the rows of steps past the undo depth (their history line stays).

    `dropped`: this change dropped undone steps. The undo / redo rows of steps no
    longer undoable are let go only when some became so (each of these statements
    reads the whole change table: a tag made during an import ran all three).
    """
    conn = session.connection()
    edge = conn.exec_driver_sql(
        "SELECT seq FROM change WHERE state = 'done' ORDER BY seq DESC LIMIT 1 OFFSET ?",
        (UNDO_DEPTH,),
    ).first()
    expired = edge is not None and bool(
        conn.exec_driver_sql(
            "UPDATE change SET state = 'expired', rows = NULL WHERE state = 'done' AND seq <= ?",
            (edge[0],),
        ).rowcount
    )
    if not (expired or dropped):
        return
    conn.exec_driver_sql(
        "UPDATE change SET rows = NULL WHERE kind != 'do' AND rows IS NOT NULL AND target_id IN "
        "(SELECT id FROM change WHERE state IN ('expired', 'dropped'))"
    )


class Transaction:
    """One write transaction holding one change or several, each still its own.

    Each change keeps its own id, label, audit entries, change-log row and undo
    step; they only share the `BEGIN IMMEDIATE` ... `COMMIT`, its fsync, and one
    signature of the audit log's head. The window's writer commits the tags that
    queued while an import held the write lock this way (issue 8: during a
    5,000-file import one tag's commit was 57 ms p50 and 118 ms p95 of fsync
    beside the import's, and the tags queued behind each other's commits).

    With `several=True` each change runs inside a SAVEPOINT: one that raises
    leaves nothing behind and the others still commit.
    """

    def __init__(self, archive: Archive, session: Session, *, several: bool) -> None:
        self.archive = archive
        self.session = session
        self.several = several
        self.done: list[Change] = []
        self.checkpoint: audit.Checkpoint | None = None
        self._user_id: str | None = None

    @contextmanager
    def change(
        self,
        label: str,
        origin: str = "manual",
        *,
        kind: str = "do",
        label_given: bool = True,
        group_id: str | None = None,
    ) -> Iterator[Change]:
        """Open a change in this transaction; its `ChangeSet` is made when the block ends."""
        session = self.session
        nested = session.begin_nested() if self.several else None
        change = Change(self.archive, session, label, origin, kind, group_id, self._user_id)
        change.label_given = label_given
        try:
            yield change
            change.changes = change._finish()
        except BaseException:
            if nested is not None and nested.is_active:
                nested.rollback()
            raise
        else:
            if nested is not None:
                nested.commit()
            # The user row is in the transaction now: later changes need not ask again.
            self._user_id = change.user_id
            self.done.append(change)
        finally:
            if event.contains(session, "before_flush", change._before_flush):
                event.remove(session, "before_flush", change._before_flush)

    def _sign(self) -> None:
        """Sign the audit log's head once, just before the commit: a crash right after
        never leaves an unsigned head."""
        if any(c.audited for c in self.done):
            self.checkpoint = audit.sign_head(self.session, at_open=self.archive.audit_head_at_open)


@contextmanager
def transaction(
    archive: Archive, *, sync: bool = True, several: bool = True
) -> Iterator[Transaction]:
    """One write transaction for several changes (see `Transaction`), committed at the end.

    with changes.transaction(archive) as txn:
        for label, fn in writes:
            try:
                with txn.change(label) as ch:
                    fn(ch)
            except SesameError:
                ...  # that change left nothing; the others stay
    [ch.changes for ch in txn.done]
    """
    if archive.readonly:
        raise ArchiveError(
            f"The archive {archive.path} is open read-only; open it for writing to change it."
        )
    with archive.transaction() as session:
        txn = Transaction(archive, session, several=several)
        yield txn
        txn._sign()
    if txn.checkpoint is not None:
        archive.audit_head_at_open = (txn.checkpoint.seq, txn.checkpoint.hash)
    if sync:
        archive.sync_index()


@contextmanager
def begin(
    archive: Archive,
    label: str,
    origin: str = "manual",
    *,
    sync: bool = True,
    kind: str = "do",
    label_given: bool = True,
    group_id: str | None = None,
) -> Iterator[Change]:
    """Open a change on `archive` (see `Archive.change`): a transaction of its own.

    `label_given=False`: the label is a default that `Change.describe` may refine.
    `group_id`: consecutive changes with one group id undo and redo as one.
    """
    with (
        transaction(archive, sync=sync, several=False) as txn,
        txn.change(label, origin, kind=kind, label_given=label_given, group_id=group_id) as change,
    ):
        yield change


@contextmanager
def changing(
    target: Archive | Change, label: str, origin: str = "manual", *, sync: bool = True
) -> Iterator[Change]:
    """A change to write in: `target` itself if it is one (nested calls join it), else a new
    one on the archive `target`."""
    if isinstance(target, Change):
        yield target
        return
    with begin(target, label, origin, sync=sync, label_given=False) as change:
        yield change


# -- history, undo and redo ---------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One line of `sesame history`."""

    id: str
    seq: int
    label: str
    origin: str
    kind: str
    state: str
    author: str | None
    at: str
    target_id: str | None
    summary: dict[str, Any]

    @property
    def undoable(self) -> bool:
        return self.kind == "do" and self.state == "done"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "label": self.label,
            "origin": self.origin,
            "kind": self.kind,
            "state": self.state,
            "author": self.author,
            "at": self.at,
            "target_id": self.target_id,
            "summary": self.summary,
        }


def history(archive: Archive, limit: int = 20) -> list[HistoryEntry]:
    """The newest changes first (undo and redo included), with their authors' names."""
    with archive.session() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT c.id, c.seq, c.label, c.origin, c.kind, c.state, u.display_name, c.at, "
            "c.target_id, c.summary FROM change c LEFT JOIN user u ON u.id = c.user_id "
            "ORDER BY c.seq DESC LIMIT ?",
            (limit,),
        )
        return [
            HistoryEntry(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9] or "{}")
            )
            for r in rows
        ]


def _steps(session: Session, state: str) -> list[models.Change]:
    """The steps undo (state "done", newest first) or redo ("undone", oldest first) would
    take: one step, or the run of consecutive steps of its group."""
    newest_first = state == "done"
    order = col(models.Change.seq).desc() if newest_first else col(models.Change.seq)
    # Without their rows: a full-size bundle import's are 70 MB of JSON, and the window
    # asks what undo would do on its GUI thread (`Writer.refresh`: 1.1 s at 1,000 articles).
    query = (
        select(models.Change)
        .options(defer(models.Change.rows))  # type: ignore[arg-type]
        .where(models.Change.kind == "do")
        .order_by(order)
    )
    first = session.exec(query.where(models.Change.state == state).limit(1)).first()
    if first is None or first.group_id is None:
        return [] if first is None else [first]
    assert first.seq is not None
    beyond = (
        col(models.Change.seq) <= first.seq if newest_first else col(models.Change.seq) >= first.seq
    )
    run = []
    for step in session.exec(query.where(beyond)):
        if step.group_id != first.group_id or step.state != state:
            break
        run.append(step)
    return run


def can_undo(archive: Archive) -> str | None:
    """The label of what `undo` would revert, or None."""
    with archive.session() as session:
        steps = _steps(session, "done")
        if not steps:
            return None
        kept = session.connection().exec_driver_sql(
            "SELECT rows IS NOT NULL FROM change WHERE seq = ?", (steps[0].seq,)
        )
        return steps[0].label if kept.scalar() else None


def can_redo(archive: Archive) -> str | None:
    """The label of what `redo` would re-apply, or None."""
    with archive.session() as session:
        steps = _steps(session, "undone")
        return steps[0].label if steps else None


def _invert(change: Change, source: models.Change) -> None:
    """Put every row of `source` back as it was before it (newest row first).

    Consecutive rows of one table and one kind of write go in one `executemany`
    (an undo of a 1,200-mention merge was a SELECT and an UPDATE per row).
    """
    session = change.session
    if source.rows is None:
        raise NothingToUndo(f"{source.label!r} is too old to be undone.")
    rows = [RowChange.from_json(r) for r in source.rows]
    for table in {r.table for r in rows}:
        change.track(table, [r.key for r in rows if r.table == table])
    conn = session.connection()
    batch: list[tuple[Any, ...]] = []
    batch_sql = ""
    for rc in reversed(rows):
        sql, params = _write_back(rc, exists=change._before[rc.table].get(rc.key) is not None)
        if sql != batch_sql and batch:
            conn.exec_driver_sql(batch_sql, batch)
            batch = []
        batch_sql = sql
        batch.append(params)
    if batch:
        conn.exec_driver_sql(batch_sql, batch)
    articles = [rc for rc in rows if rc.table == "article" and rc.op != "updated"]
    if articles:  # their copy signatures are derived, not logged: kept in step here
        from archive.copies import follow_articles

        follow_articles(
            change,
            [rc.id for rc in articles if rc.before is None],
            [rc.id for rc in articles if rc.after is None],
        )
    verb = change.kind
    for rc in rows:
        change.audit(
            rc.table, verb, rc.id, before=audit_form(rc.after), after=audit_form(rc.before)
        )


def _write_back(rc: RowChange, *, exists: bool) -> tuple[str, tuple[Any, ...]]:
    """The statement and parameters that make the row of `rc` hold its "before" values."""
    spec = _TABLES[rc.table]
    where = " AND ".join(f'"{k}" = ?' for k in spec.key)
    values = rc.before
    if values is None:
        return f'DELETE FROM "{rc.table}" WHERE {where}', tuple(rc.key)
    cols = [c for c in spec.columns if c in values]
    params = tuple(values[c] for c in cols)
    if exists:
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        return f'UPDATE "{rc.table}" SET {sets} WHERE {where}', params + tuple(rc.key)
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" * len(cols))
    return f'INSERT INTO "{rc.table}" ({names}) VALUES ({marks})', params


def _invert_all(change: Change, source_ids: Iterable[str | None]) -> None:
    """Invert the changes `source_ids`, newest first."""
    session = change.session
    # Rows come back in any order across tables; the keys are checked at commit.
    session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    ids = sorted({i for i in source_ids if i})
    sources = list(session.exec(select(models.Change).where(col(models.Change.id).in_(ids))))
    if len(sources) != len(ids):
        raise NothingToUndo("The record of that change is gone; it cannot be undone or redone.")
    for source in sorted(sources, key=lambda c: c.seq or 0, reverse=True):
        _invert(change, source)


def undo(archive: Archive, *, sync: bool = True) -> ChangeSet:
    """Revert the newest change still done (with the rest of its group); NothingToUndo if none."""
    return _step(archive, "undo", sync)


def redo(archive: Archive, *, sync: bool = True) -> ChangeSet:
    """Re-apply the change undone last (with the rest of its group); NothingToUndo if none."""
    return _step(archive, "redo", sync)


def _step(archive: Archive, kind: str, sync: bool) -> ChangeSet:
    """Undo (invert how the steps were last applied) or redo (invert their undo)."""
    undoing = kind == "undo"
    with begin(archive, kind.capitalize(), kind, sync=sync, kind=kind) as change:
        session = change.session
        steps = _steps(session, "done" if undoing else "undone")
        if not steps:
            raise NothingToUndo(f"There is nothing to {kind}.")
        change.label = f"{kind.capitalize()} {steps[0].label}"
        change.target_id = steps[0].id
        _invert_all(change, [(s.applied_by or s.id) if undoing else s.undone_by for s in steps])
        for step in steps:
            if undoing:
                step.state, step.undone_by = "undone", change.id
            else:
                step.state, step.applied_by, step.undone_by = "done", change.id, None
            session.add(step)
    assert change.changes is not None
    return change.changes
