"""An annotation as the command line gives it (`AnnotationRecord`), read with plain SQL.

`sesame annotations` (through `archive.annotate.annotation_records`, which
resolves its filters first) and `sesame show` read annotations here, on a
DB-API connection (`read_connection()` of an `Archive` or an
`archive.reader.Reader`), so `sesame show` starts without SQLAlchemy and both
give exactly the same records. The query is the window's (`reading.annotation_rows`):
one read of annotations, two shapes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from archive.reading import BY_POSITION, annotation_rows, stored_time
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


# The columns of `reading.annotation_rows` in `AnnotationRecord`'s field order (its
# own names for four of them).
_RENAMED = {
    "type": "type_key",
    "entity": "entity_name",
    "created_by": "author",
    "created_by_id": "created_by",
}
_COLUMNS = tuple(_RENAMED.get(f.name, f.name) for f in fields(AnnotationRecord))
_TIMES = (_COLUMNS.index("created_at"), _COLUMNS.index("updated_at"))


def read_records(
    conn: Any,
    article_id: str | None = None,
    *,
    annotation_id: str | None = None,
    type_key: str | None = None,
    entity_id: str | None = None,
    orphaned: bool | None = None,
) -> list[AnnotationRecord]:
    """Annotations with entity and author names, by article then position; each filter
    given is an exact stored value (`annotate.annotation_records` resolves names)."""
    rows = annotation_rows(
        conn,
        _COLUMNS,
        annotation_id=annotation_id,
        article_id=article_id,
        type_key=type_key,
        entity_id=entity_id,
        orphaned=orphaned,
        order=BY_POSITION,
    )
    for row in rows:
        for i in _TIMES:
            row[i] = stored_time(row[i])
    return [AnnotationRecord(*row) for row in rows]
