"""The custody check (`sesame check`): does the archive still hold what its log says?

Evidence is never "repaired" here: the check reads, compares and names what
does not hold. It looks at

- the database file: `PRAGMA integrity_check`;
- every original: its bytes re-hashed against the SHA-256 it is stored
  under (and its size), naming the file and the articles read from it;
- every article's text against its `text_sha256`;
- every article, annotation and entity row against the state the audit
  log says it should have. Per row, the newest audit entry that carries an
  "after" state wins (`annotation.create/update/reanchor`, `entity.create/
  update/merge/unmerge`, `article.import/text/edit/retract/restore` (the
  last four name some fields; the others keep their earlier state), and the generic
  `<table>.undo` / `<table>.redo` entries, whose states are raw stored rows
  with long values as `{"$sha256", "$len"}`), and the fields it names are
  compared with the row; a deleted row must be absent. Rows a change wrote
  without a per-row audit entry (a bundle import writes one `bundle.import`
  entry for the whole merge; a merge moves annotations to the kept entity)
  take their state from the change log's recorded rows (`change.rows`)
  while those are kept (the last `UNDO_DEPTH` steps), or from the merge
  record. Where a bundle import's recorded rows have expired, a row it may
  have written cannot be checked: it is reported as unverified (a warning),
  not as tampered with;
- the audit chain (`audit.verify`) and its signed checkpoint
  (`audit.verify_checkpoint`).

The search index is compared by the command (`archive.index.check()`), which
needs the archive open for writing to catch up first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, TypeDecorator
from sqlmodel import SQLModel

from archive import audit
from archive.tasks import CancelToken, ProgressFn
from archive.tasks import report as report_progress

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from archive.store import Archive

# The tables whose rows are compared with the log.
CHECKED = ("article", "annotation", "entity")
_DELETED = None  # an expected state of "no such row"
_LIMIT = 20  # differing fields named per row


@dataclass
class Finding:
    """One thing that does not hold ("fail") or cannot be vouched for ("warn")."""

    area: str  # integrity | original | article | annotation | entity | audit | checkpoint | index
    target: str  # the row's id, the original's SHA-256, an entry number, or ""
    message: str
    severity: str = "fail"

    def to_json(self) -> dict[str, str]:
        return {
            "area": self.area,
            "target": self.target,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass
class CustodyReport:
    """What `check_custody` found, with how much it looked at."""

    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "fail" for f in self.findings)

    def fail(self, area: str, target: str, message: str) -> None:
        self.findings.append(Finding(area, target, message))

    def warn(self, area: str, target: str, message: str) -> None:
        self.findings.append(Finding(area, target, message, "warn"))

    def summary(self, limit: int = 20) -> str:
        """The result in a few lines for people (the app's "Check archive" shows it)."""
        c = self.counts
        lines = [
            f"{c.get('originals', 0)} original(s) re-hashed, {c.get('rows', 0)} row(s) "
            f"compared with the audit log, {c.get('audit_entries', 0)} audit entries checked."
        ]
        fails = [f.message for f in self.findings if f.severity == "fail"]
        warns = [f.message for f in self.findings if f.severity != "fail"]
        if fails:
            lines += ["", f"Does not hold ({len(fails)}):", *(f"- {m}" for m in fails[:limit])]
            if len(fails) > limit:
                lines.append(f"… and {len(fails) - limit} more (`sesame check` lists them all).")
        if warns:
            lines += ["", f"Cannot be vouched for ({len(warns)}):"]
            lines += [f"- {m}" for m in warns[:limit]]
        lines += [
            "",
            "The archive holds."
            if not fails
            else "Nothing was changed: keep the archive as it "
            "is, and compare it with a backup or the bundles you received.",
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "findings": [f.to_json() for f in self.findings],
        }


def check_custody(
    archive: Archive, *, open_elsewhere: bool = False, change_log: bool = True
) -> CustodyReport:
    """Run every custody check on `archive` (read-only; the archive is not changed).

    `change_log=False` takes the rows' expected states from the hash-chained
    audit log alone, as if every change's recorded rows had expired (what
    the check can still say about changes past the undo depth).
    """
    report = CustodyReport()
    with archive.session() as session:
        conn = session.connection()
        _integrity(conn, report)
        _originals(conn, report)
        _article_texts(conn, report)
        _rows(conn, report, change_log)
        chain = audit.verify(session)
        report.counts["audit_entries"] = chain.checked
        if not chain.ok:
            report.fail(
                "audit",
                str(chain.first_broken_seq),
                f"The audit log is broken at entry {chain.first_broken_seq}: {chain.reason}.",
            )
        archive_id = archive.meta("archive_id") or ""
        own = (
            None
            if archive.readonly or archive.audit_head_at_open is None
            else archive.audit_head_at_open[0]
        )
        cp, findings = audit.verify_checkpoint(
            session, archive_id, open_elsewhere=open_elsewhere, written_after=own
        )
        report.counts["checkpoint_seq"] = cp.seq if cp is not None else 0
        for finding in findings:
            report.findings.append(
                Finding("checkpoint", str(cp.seq if cp else ""), finding.message, finding.severity)
            )
    return report


# -- the file, the originals, the texts ---------------------------------------------------


def _integrity(conn: Connection, report: CustodyReport) -> None:
    rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    if rows != ["ok"]:
        report.fail("integrity", "", "The database file is damaged: " + "; ".join(rows[:10]))


@dataclass(frozen=True)
class BrokenOriginal:
    """An original whose bytes no longer match the SHA-256 it is stored under."""

    sha256: str
    name: str  # the file name it was first imported from
    problem: str
    articles: list[tuple[str, str]]  # (id, title) of the articles read from it

    def message(self) -> str:
        return (
            f"The original {json.dumps(self.name, ensure_ascii=False)} ({self.sha256}): "
            f"{self.problem}; {_named(self.articles)}."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "name": self.name,
            "problem": self.problem,
            "articles": [{"id": i, "title": t} for i, t in self.articles],
        }


def _articles_of(conn: Connection, sha256: str) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in conn.exec_driver_sql(
            "SELECT id, title FROM article WHERE original_sha256 = ? ORDER BY id", (sha256,)
        )
    ]


def _named(articles: list[tuple[str, str]]) -> str:
    if not articles:
        return "no article is read from it"
    named = ", ".join(f"{i} {json.dumps(t, ensure_ascii=False)}" for i, t in articles[:10])
    more = f" and {len(articles) - 10} more" if len(articles) > 10 else ""
    return f"article(s) {named}{more}"


def rehash_originals(
    conn: Connection, progress: ProgressFn | None = None, cancel: CancelToken | None = None
) -> tuple[int, list[BrokenOriginal], bool]:
    """Every original re-hashed: (how many, those that no longer match, whether cancelled)."""
    broken: list[BrokenOriginal] = []
    count = 0
    shas = [r[0] for r in conn.exec_driver_sql("SELECT sha256 FROM original ORDER BY sha256")]
    report_progress(progress, 0, len(shas), "")
    for number, sha in enumerate(shas, 1):
        if cancel is not None and cancel.cancelled:
            return count, broken, True
        # One blob at a time: originals may be large.
        row = conn.exec_driver_sql(
            "SELECT size, data, first_name FROM original WHERE sha256 = ?", (sha,)
        ).first()
        if row is None:
            continue
        size, data, name = row
        count += 1
        # Stored as text by a hand edit (SQLite's replace() returns text): hash its UTF-8.
        data = (
            data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data or b"")
        )
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha or len(data) != size:
            what = (
                "its bytes no longer match their SHA-256"
                if actual != sha
                else f"it holds {len(data)} bytes, not the {size} recorded"
            )
            broken.append(BrokenOriginal(sha, str(name), what, _articles_of(conn, sha)))
        report_progress(progress, number, len(shas), str(name))
    return count, broken, False


def _originals(conn: Connection, report: CustodyReport) -> None:
    count, broken, _ = rehash_originals(conn)
    for item in broken:
        report.fail("original", item.sha256, item.message())
    report.counts["originals"] = count


def _article_texts(conn: Connection, report: CustodyReport) -> None:
    for article_id, text, digest in conn.exec_driver_sql(
        "SELECT id, text, text_sha256 FROM article"
    ):
        actual = hashlib.sha256(str(text).encode("utf-8", "surrogatepass")).hexdigest()
        if digest and actual != digest:
            report.fail(
                "article",
                article_id,
                f"Article {article_id}: its text no longer matches its text_sha256.",
            )


# -- rows against the log ---------------------------------------------------------------


@dataclass
class _State:
    """What a row should hold: the fields named, where it was said, and when."""

    fields: dict[str, Any] | None  # None: the row must be absent
    source: str  # "audit entry 12", "change log (Import bundle …)"
    position: float  # audit seq (change-log states sit just after their change's entries)


def _rows(conn: Connection, report: CustodyReport, change_log: bool = True) -> None:
    expected, bundle_gaps, bundle_origins = _expected_states(conn, change_log)
    counts = {"rows": 0, "unverified_rows": 0}
    for table in CHECKED:
        columns = [c.name for c in SQLModel.metadata.tables[table].columns]
        key = "id"
        cols = ", ".join(f'"{c}"' for c in columns)
        present: set[str] = set()
        for values in conn.exec_driver_sql(f'SELECT {cols} FROM "{table}"'):
            row = dict(zip(columns, values, strict=True))
            row_id = str(row[key])
            present.add(row_id)
            counts["rows"] += 1
            state = expected.get((table, row_id))
            unverifiable = _after_bundle_gap(state, bundle_gaps)
            if state is None:
                origin = str(row.get("origin") or "") if table == "annotation" else ""
                if origin in bundle_origins:
                    # Made by a bundle import whose recorded rows have expired.
                    counts["unverified_rows"] += 1
                    continue
                if unverifiable:
                    counts["unverified_rows"] += 1
                    report.warn(
                        table,
                        row_id,
                        f"{_name(table, row)}: no audit entry explains this row; a bundle "
                        "import whose record has expired may have written it.",
                    )
                    continue
                report.fail(
                    table,
                    row_id,
                    f"{_name(table, row)}: no audit entry or recorded change explains this "
                    "row (written outside Sesame).",
                )
                continue
            if state.fields is _DELETED:
                report.fail(
                    table,
                    row_id,
                    f"{_name(table, row)} is present, but {state.source} deleted it.",
                )
                continue
            differing = _differences(table, state.fields, row)
            if differing:
                message = f"{_name(table, row)} differs from {state.source}: " + "; ".join(
                    differing
                )
                if unverifiable:
                    counts["unverified_rows"] += 1
                    report.warn(
                        table,
                        row_id,
                        message + " (a bundle import whose record has expired may have "
                        "changed it since: cannot be vouched for).",
                    )
                else:
                    report.fail(table, row_id, message + ".")
        for (t, row_id), state in sorted(expected.items(), key=lambda kv: kv[0]):
            if t != table or row_id in present or state.fields is _DELETED:
                continue
            if _after_bundle_gap(state, bundle_gaps):
                continue
            report.fail(table, row_id, f"The {table} {row_id} is missing; {state.source} has it.")
    report.counts.update(counts)


def _name(table: str, row: dict[str, Any]) -> str:
    label = row.get("title") if table == "article" else row.get("quote") or row.get("name")
    shown = json.dumps(str(label or "")[:60], ensure_ascii=False)
    return f"The {table} {row.get('id')} {shown}"


def _after_bundle_gap(state: _State | None, gaps: list[float]) -> bool:
    """Whether a bundle import with no kept rows came after the state (so may explain a row)."""
    if not gaps:
        return False
    return state is None or any(g > state.position for g in gaps)


def _expected_states(
    conn: Connection, change_log: bool = True
) -> tuple[dict[tuple[str, str], _State], list[float], set[str]]:
    """Per (table, id), the newest state the log gives; where bundle imports whose rows have
    expired sit in the log, and their origins ("bundle:<id>")."""
    states: dict[tuple[str, str], _State] = {}
    # Changes: where each sits in the log, which targets its entries name.
    position: dict[str, float] = {}
    for change_id, top in conn.exec_driver_sql(
        "SELECT change_id, max(seq) FROM auditevent WHERE change_id IS NOT NULL GROUP BY change_id"
    ):
        position[str(change_id)] = float(top) + 0.5
    audited: set[tuple[str, str, str]] = set()  # (change id, table, target id)
    for seq, action, target_type, target_id, after, change_id in conn.exec_driver_sql(
        "SELECT seq, action, target_type, target_id, after, change_id FROM auditevent ORDER BY seq"
    ):
        for table, row_id, fields, patch in _entry_states(
            str(action), str(target_type), str(target_id), _json(after)
        ):
            if table not in CHECKED:
                continue
            source = f"audit entry {seq} ({action})"
            old = states.get((table, row_id))
            if patch and old is not None and old.fields is not None and fields is not None:
                merged = {k: v for k, v in old.fields.items() if k != "updated_at"}
                merged.update(fields)
                fields = merged
            states[(table, row_id)] = _State(fields, source, float(seq))
            if change_id:
                audited.add((str(change_id), table, row_id))
    gaps: list[float] = []
    expired_origins: set[str] = set()
    running = 0.0
    for change_id, label, origin, rows in conn.exec_driver_sql(
        "SELECT id, label, origin, rows FROM change ORDER BY seq"
    ):
        at = max(running, position.get(str(change_id), running))
        running = at
        bundle = str(origin or "").startswith("bundle:")
        if rows is None or not change_log:
            if bundle:
                gaps.append(at)
                expired_origins.add(str(origin))
            continue
        for item in _json(rows) or []:
            table = item.get("t")
            if table not in CHECKED:
                continue
            row_id = "|".join(str(k) for k in item.get("k", []))
            if (str(change_id), table, row_id) in audited and not bundle:
                continue  # its own audit entry (hash-chained) is the stronger witness
            old = states.get((table, row_id))
            if old is not None and old.position > at:
                continue
            source = f"the change log ({json.dumps(str(label), ensure_ascii=False)})"
            states[(table, row_id)] = _State(item.get("a"), source, at)
    return states, gaps, expired_origins


def _entry_states(
    action: str,
    target_type: str,
    target_id: str,
    after: dict[str, Any] | None,
) -> Iterator[tuple[str, str, dict[str, Any] | None, bool]]:
    """The (table, id, state, is_patch) an audit entry gives; state None: deleted."""
    verb = action.rsplit(".", 1)[-1]
    if verb in ("undo", "redo"):
        yield target_type, target_id, after, False
    elif verb == "delete":
        yield target_type, target_id, _DELETED, False
    elif target_type == "entity" and verb in ("merge", "unmerge") and after:
        keep, other = after.get("keep"), after.get("other")
        record = after.get("merge") or {}
        if isinstance(keep, dict) and isinstance(other, dict):
            yield "entity", str(keep.get("id")), keep, False
            yield "entity", str(other.get("id")), other, False
            to = keep.get("id") if verb == "merge" else other.get("id")
            for ann in record.get("moved_annotation_ids", []):
                yield "annotation", str(ann), {"entity_id": to}, True
            for tomb in record.get("repointed_entity_ids", []):
                yield "entity", str(tomb), {"merged_into": to}, True
    elif target_type == "article" and verb != "import" and after:
        # text, edit, retract, restore name some fields: the rest stay as they were.
        yield "article", target_id, after, True
    elif after:
        yield target_type, target_id, after, False


def _json(value: Any) -> Any:
    if value is None or not isinstance(value, str | bytes):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None


# -- comparing values -------------------------------------------------------------------


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _digest_matches(expected: dict[str, Any], actual: Any) -> bool:
    if isinstance(actual, bytes | bytearray | memoryview):
        raw = bytes(actual)
        length = len(raw)
    else:
        text = "" if actual is None else str(actual)
        raw = text.encode("utf-8", "surrogatepass")
        length = len(text)
    return hashlib.sha256(raw).hexdigest() == expected.get("$sha256") and length == expected.get(
        "$len"
    )


def same_value(column_type: Any, expected: Any, actual: Any) -> bool:
    """Whether an audit or change-log value and a stored (raw SQLite) value agree."""
    if isinstance(expected, dict) and "$sha256" in expected and "$len" in expected:
        return _digest_matches(expected, actual)
    if isinstance(expected, dict) and "$b64" in expected:
        import base64

        expected = base64.b64decode(expected["$b64"])
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(column_type, TypeDecorator):  # sqlmodel's UTCDateTime wraps DateTime
        column_type = column_type.impl
    if isinstance(column_type, DateTime):
        return _time(expected) == _time(actual) and _time(actual) is not None
    if isinstance(column_type, JSON):
        want = _json(expected) if isinstance(expected, str) else expected
        return bool(want == _json(actual))
    if isinstance(column_type, Boolean):
        return bool(expected) == bool(actual)
    if isinstance(column_type, Float | Integer) and not isinstance(expected, bool):
        try:
            return float(expected) == float(actual)
        except (TypeError, ValueError):
            return False
    if isinstance(actual, bytes | memoryview):
        return bool(bytes(actual) == expected)
    return bool(expected == actual)


def _differences(table: str, expected: dict[str, Any], row: dict[str, Any]) -> list[str]:
    columns = SQLModel.metadata.tables[table].columns
    out: list[str] = []
    for name, want in expected.items():
        if table == "article" and name == "length":
            if len(str(row.get("text") or "")) != want:
                out.append(f"text length {len(str(row.get('text') or ''))}, log says {want}")
            continue
        if name not in columns:
            continue  # facts the entry records beside the row (a collection id)
        have = row.get(name)
        if not same_value(columns[name].type, want, have):
            out.append(f"{name} is {_shown(have)}, the log says {_shown(want)}")
        if len(out) >= _LIMIT:
            break
    return out


def _shown(value: Any) -> str:
    if isinstance(value, dict) and "$sha256" in value:
        return f"a value of {value.get('$len')} characters (SHA-256 {value['$sha256'][:12]}…)"
    if isinstance(value, bytes | memoryview):
        return f"{len(bytes(value))} bytes"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
