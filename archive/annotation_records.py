"""An annotation as the command line gives it (`AnnotationRecord`), read with plain SQL.

`sesame annotations` (through `archive.annotate.annotation_records`, which
resolves its filters first) and `sesame show` read annotations here, on a
DB-API connection (`read_connection()` of an `Archive` or an
`archive.reader.Reader`), so `sesame show` starts without SQLAlchemy and both
give exactly the same records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from archive.reading import stored_time
from archive.vocabularies import VERIFICATIONS


@dataclass
class AnnotationRecord:
    """An annotation with its entity's name and its author's display name."""

    id: str
    article_id: str
    start: int
    end: int
    quote: str
    type: str
    entity: str | None
    entity_id: str | None
    note: str
    created_by: str | None  # display name
    created_by_id: str | None
    created_at: str
    updated_at: str
    origin: str
    orphaned: bool
    prefix: str
    suffix: str
    value: float | None
    qualifier: str | None
    counted: str | None
    as_of: str | None
    # Review of the claim (archive.review): verification status and note, sensitive flag.
    verification: str = VERIFICATIONS[0]
    verification_note: str = ""
    sensitive: bool = False
    sensitive_reason: str = ""
    # Figures as ranges: the low and high estimates (`value` is the best).
    low: float | None = None
    high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame annotations --json`)."""
        data = asdict(self)
        for key in ("value", "low", "high"):
            number = getattr(self, key)
            if number is not None and float(number).is_integer():
                data[key] = int(number)
        return data


_SELECT = """
SELECT a.id, a.article_id, a.start, a."end", a.quote, a.type_key, e.name, a.entity_id,
       a.note, u.display_name, a.created_by, a.created_at, a.updated_at, a.origin,
       a.orphaned, a.prefix, a.suffix, a.value, a.qualifier, a.counted, a.as_of,
       a.verification, a.verification_note, a.sensitive, a.sensitive_reason, a.low, a.high
FROM annotation AS a
LEFT JOIN entity AS e ON e.id = a.entity_id
LEFT JOIN user AS u ON u.id = a.created_by
"""


def read_records(
    conn: Any,
    article_id: str | None = None,
    *,
    type_key: str | None = None,
    entity_id: str | None = None,
    orphaned: bool | None = None,
) -> list[AnnotationRecord]:
    """Annotations with entity and author names, by article then position; each filter
    given is an exact stored value (`annotate.annotation_records` resolves names)."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("a.article_id", article_id),
        ("a.type_key", type_key),
        ("a.entity_id", entity_id),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if orphaned is not None:
        where.append("a.orphaned = ?")
        params.append(int(orphaned))
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += ' ORDER BY a.article_id, a.start, a."end"'
    records = []
    for row in conn.execute(sql, params).fetchall():
        (ann_id, article, start, end, quote, type_, entity, entity_ref, note, author) = row[:10]
        (author_id, created_at, updated_at, origin, orphan, prefix, suffix) = row[10:17]
        (value, qualifier, counted, as_of, verification, verification_note) = row[17:23]
        (sensitive, sensitive_reason, low, high) = row[23:]
        records.append(
            AnnotationRecord(
                id=ann_id,
                article_id=article,
                start=start,
                end=end,
                quote=quote,
                type=type_,
                entity=entity,
                entity_id=entity_ref,
                note=note,
                created_by=author,
                created_by_id=author_id,
                created_at=stored_time(created_at),
                updated_at=stored_time(updated_at),
                origin=origin,
                orphaned=bool(orphan),
                prefix=prefix,
                suffix=suffix,
                value=value,
                qualifier=qualifier,
                counted=counted,
                as_of=as_of,
                verification=verification,
                verification_note=verification_note,
                sensitive=bool(sensitive),
                sensitive_reason=sensitive_reason,
                low=low,
                high=high,
            )
        )
    return records
