"""Review of articles and claims (issue 13 item 3), each an undoable, audited change.

- An article's review status (`models.REVIEW_STATUSES`: where it stands in the
  documenter's work) and an optional assignee, for several articles at once.
- A verification status (`models.VERIFICATIONS`) with a note, per article and
  per claim (an annotation: the passage that makes the claim).
- The sensitive flag (graphic content, personal data) with a reason, on
  articles and on passages: the reader blurs them until revealed.

Statuses are written as stored ("in_review") but read forgivingly ("in review",
"In-Review"). The search index holds all of these (`status:`, `assignee:`,
`verification:`, `claim:`, `flag:` in a query), and every change here re-indexes
the articles it touches (`archive.changes` queues them from the rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from archive import models
from archive.changes import Change, changing
from archive.errors import InvalidInput, NotFound
from archive.store import Archive

NOTE_MAX = 4000  # characters of a verification note or a sensitive reason
NAME_MAX = 200  # characters of an assignee's name
# The reasons the window offers; any other short text is accepted too.
SENSITIVE_REASONS = ("graphic", "personal")

_KEEP: Any = object()  # "leave this field as it is"


@dataclass(frozen=True)
class ArticleReview:
    """An article's review fields."""

    id: str
    title: str
    review_status: str
    assignee: str | None
    verification: str
    verification_note: str
    sensitive: bool
    sensitive_reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ClaimReview:
    """A claim's (an annotation's) review fields."""

    id: str
    article_id: str
    quote: str
    verification: str
    verification_note: str
    sensitive: bool
    sensitive_reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ARTICLE_FIELDS = (
    "review_status",
    "assignee",
    "verification",
    "verification_note",
    "sensitive",
    "sensitive_reason",
)
CLAIM_FIELDS = ("verification", "verification_note", "sensitive", "sensitive_reason")


def _vocabulary(value: str, allowed: Sequence[str], what: str) -> str:
    """`value` as the stored word of `allowed` ("in review" -> "in_review")."""
    word = "_".join(str(value).strip().lower().replace("-", " ").split())
    if word not in allowed:
        raise InvalidInput(f"{what} {value!r} is not one of {', '.join(allowed)}.")
    return word


def review_status(value: str) -> str:
    """A review status as stored; raises InvalidInput naming the statuses."""
    return _vocabulary(value, models.REVIEW_STATUSES, "Review status")


def verification(value: str) -> str:
    """A verification status as stored; raises InvalidInput naming the statuses."""
    return _vocabulary(value, models.VERIFICATIONS, "Verification")


def _text(value: str | None, limit: int, what: str, *, one_line: bool = False) -> str:
    text = (value or "").strip()
    if one_line:
        text = " ".join(text.split())
    if len(text) > limit:
        raise InvalidInput(f"{what} can have at most {limit} characters (it has {len(text)}).")
    return text


def _article_review(row: models.Article) -> ArticleReview:
    return ArticleReview(
        row.id,
        row.title,
        row.review_status,
        row.assignee,
        row.verification,
        row.verification_note,
        bool(row.sensitive),
        row.sensitive_reason,
    )


def _claim_review(row: models.Annotation) -> ClaimReview:
    return ClaimReview(
        row.id,
        row.article_id,
        row.quote,
        row.verification,
        row.verification_note,
        bool(row.sensitive),
        row.sensitive_reason,
    )


def _fields(row: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _article(session: Session, article_id: str) -> models.Article:
    from archive.cli import find_article  # id or literal id prefix, one rule for every command

    return find_article(session, article_id)


def _articles(session: Session, article_ids: Sequence[str]) -> list[models.Article]:
    """The articles of `article_ids` (full ids read in one query per 500: one `get` each
    took 3.8 s of a 1,000-article review, bench/review_bench.py), each once, in order."""
    full = [i for i in article_ids if len(i) == 32]
    found: dict[str, models.Article] = {}
    for first in range(0, len(full), 500):
        query = select(models.Article).where(col(models.Article.id).in_(full[first : first + 500]))
        found.update((row.id, row) for row in session.exec(query))
    rows: dict[str, models.Article] = {}
    for ident in article_ids:
        row = found.get(ident) or _article(session, ident)
        rows.setdefault(row.id, row)
    return list(rows.values())


def _annotation(session: Session, annotation_id: str) -> models.Annotation:
    from archive.annotate import _get  # id or literal id prefix, as `sesame annotation` takes

    return _get(session, annotation_id)


def _write_article(ch: Change, row: models.Article, action: str, **values: Any) -> ArticleReview:
    before = _fields(row, ARTICLE_FIELDS)
    for key, value in values.items():
        setattr(row, key, value)
    after = _fields(row, ARTICLE_FIELDS)
    if after != before:
        row.updated_at = models.utcnow()
        # (the row is this session's own: no session.add, which scanned every dirty row)
        ch.audit("article", action, row.id, before=before, after=after)
    return _article_review(row)


def _write_claim(ch: Change, row: models.Annotation, action: str, **values: Any) -> ClaimReview:
    before = _fields(row, CLAIM_FIELDS)
    for key, value in values.items():
        setattr(row, key, value)
    after = _fields(row, CLAIM_FIELDS)
    if after != before:
        row.updated_at = models.utcnow()
        # (the row is this session's own: no session.add, which scanned every dirty row)
        ch.audit("annotation", action, row.id, before=before, after=after)
    return _claim_review(row)


def _ids(article_ids: str | Sequence[str]) -> list[str]:
    ids = [article_ids] if isinstance(article_ids, str) else list(article_ids)
    ids = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if not ids:
        raise InvalidInput("Name at least one article (its id or a unique id prefix).")
    return ids


def _label(what: str, rows: Sequence[models.Article]) -> str:
    if len(rows) == 1:
        return f"{what} {rows[0].title[:40]}"
    return f"{what} {len(rows)} articles"


# -- articles ------------------------------------------------------------------------


def set_review(
    target: Archive | Change,
    article_ids: str | Sequence[str],
    *,
    status: str | None = None,
    assignee: str | None = _KEEP,
) -> list[ArticleReview]:
    """Set the review status and/or the assignee of one or several articles, as one change.

    `status` None keeps each article's status; `assignee` left out keeps it, None or
    "" clears it. Every article is found before anything is written.
    """
    values: dict[str, Any] = {}
    if status is not None:
        values["review_status"] = review_status(status)
    if assignee is not _KEEP:
        values["assignee"] = _text(assignee, NAME_MAX, "An assignee's name", one_line=True) or None
    if not values:
        raise InvalidInput("Give a review status or an assignee to set.")
    return _set_articles(target, article_ids, "Review", "review", values)


def _set_articles(
    target: Archive | Change,
    article_ids: str | Sequence[str],
    label: str,
    action: str,
    values: dict[str, Any],
) -> list[ArticleReview]:
    """Write `values` on every article named, as one change labelled `label`."""
    with changing(target, label) as ch:
        rows = _articles(ch.session, _ids(article_ids))
        ch.describe(_label(label, rows))
        return [_write_article(ch, row, action, **values) for row in rows]


def verify_article(
    target: Archive | Change,
    article_ids: str | Sequence[str],
    status: str,
    note: str | None = None,
) -> list[ArticleReview]:
    """Set the verification status of one or several articles (and its note: None keeps the
    note each has, "" clears it), as one change."""
    values: dict[str, Any] = {"verification": verification(status)}
    if note is not None:
        values["verification_note"] = _text(note, NOTE_MAX, "A verification note")
    return _set_articles(target, article_ids, "Verify", "verify", values)


def flag_articles(
    target: Archive | Change,
    article_ids: str | Sequence[str],
    sensitive: bool,
    reason: str | None = None,
) -> list[ArticleReview]:
    """Mark articles sensitive (with a reason: None keeps the one recorded) or not (the
    reason is cleared), as one change."""
    values = _flag_values(sensitive, reason)
    with changing(target, "Flag") as ch:
        rows = _articles(ch.session, _ids(article_ids))
        ch.describe(_label("Mark sensitive" if sensitive else "Mark not sensitive", rows))
        return [_write_article(ch, row, "flag", **values) for row in rows]


def _flag_values(sensitive: bool, reason: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {"sensitive": bool(sensitive)}
    if not sensitive:
        if reason:
            raise InvalidInput("A reason is for marking something sensitive, not for clearing it.")
        values["sensitive_reason"] = ""
    elif reason is not None:
        values["sensitive_reason"] = _text(reason, NAME_MAX, "A sensitive reason", one_line=True)
    return values


# -- claims --------------------------------------------------------------------------


def verify_claim(
    target: Archive | Change, annotation_id: str, status: str, note: str | None = None
) -> ClaimReview:
    """Set the verification status of the claim an annotation makes (and its note: None
    keeps it, "" clears it)."""
    values: dict[str, Any] = {"verification": verification(status)}
    if note is not None:
        values["verification_note"] = _text(note, NOTE_MAX, "A verification note")
    with changing(target, "Verify claim") as ch:
        row = _annotation(ch.session, annotation_id)
        ch.describe(f"Verify claim {row.quote[:40]}")
        return _write_claim(ch, row, "verify", **values)


def flag_annotation(
    target: Archive | Change, annotation_id: str, sensitive: bool, reason: str | None = None
) -> ClaimReview:
    """Mark a passage sensitive (with a reason: None keeps it) or not."""
    values = _flag_values(sensitive, reason)
    with changing(target, "Flag passage") as ch:
        row = _annotation(ch.session, annotation_id)
        what = "Mark sensitive" if sensitive else "Mark not sensitive"
        ch.describe(f"{what} {row.quote[:40]}")
        return _write_claim(ch, row, "flag", **values)


def flag(
    target: Archive | Change, ident: str, sensitive: bool, reason: str | None = None
) -> ArticleReview | ClaimReview:
    """Mark an article or a passage (whichever `ident`, an id or unique id prefix, names)
    sensitive or not. An id prefix matching both an article and an annotation is refused."""
    with changing(target, "Flag") as ch:
        kind = _kind(ch.session, ident)
        if kind == "article":
            return flag_articles(ch, [ident], sensitive, reason)[0]
        return flag_annotation(ch, ident, sensitive, reason)


def _kind(session: Session, ident: str) -> str:
    """ "article" or "annotation": what `ident` names."""
    found: list[str] = []
    errors: list[str] = []
    for kind, find in (("article", _article), ("annotation", _annotation)):
        try:
            find(session, ident)
        except NotFound as exc:
            errors.append(str(exc))
        else:
            found.append(kind)
    if len(found) == 2:
        raise NotFound(f"The id prefix {ident} names both an article and an annotation; give more.")
    if not found:
        if any("matches" in e for e in errors):
            raise NotFound(next(e for e in errors if "matches" in e))
        raise NotFound(
            f"No article or annotation with id {ident}. `sesame list` and "
            "`sesame annotations` show the ids."
        )
    return found[0]


# -- reading -------------------------------------------------------------------------


def get_review(archive: Archive, article_id: str) -> ArticleReview:
    """An article's review fields, by id or literal id prefix."""
    with archive.session() as session:
        return _article_review(_article(session, article_id))


def get_claim(archive: Archive, annotation_id: str) -> ClaimReview:
    """A claim's review fields, by id or literal id prefix."""
    with archive.session() as session:
        return _claim_review(_annotation(session, annotation_id))


def sensitive_parts(
    archive: Archive, article_ids: Sequence[str]
) -> dict[str, tuple[bool, list[tuple[str, int, int]]]]:
    """For each of `article_ids` holding anything sensitive: whether the article itself is,
    and its sensitive passages as (annotation id, start, end). Two small queries (a page
    of search hits, never the whole archive): `archive.sensitive.read_sensitive`, which
    the command line reads too."""
    from archive.sensitive import read_sensitive

    with archive.read_connection() as conn:
        found = read_sensitive(conn, article_ids)
    return {
        aid: (what.article, [(p.annotation_id, p.start, p.end) for p in what.passages])
        for aid, what in found.items()
    }
