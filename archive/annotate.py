"""Annotations: tagged spans of an article, anchored by position and by quote.

An annotation points at `text[start:end]` (Unicode code points) and also
keeps that exact quote with up to 32 characters of context either side (W3C
TextPositionSelector + TextQuoteSelector). When an article's text changes,
`reanchor_article` finds each quote again by its context, tolerating changes
of whitespace and quote marks; one that cannot be found is kept and flagged
`orphaned`, never dropped.

Every write takes the open `Archive` (and makes its own core change) or an
open `Change` (and joins it); the change audits it, feeds the search index
and makes it undoable (`archive.changes`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from archive import entities, models
from archive.annotation_records import AnnotationRecord as AnnotationRecord
from archive.annotation_records import read_records
from archive.changes import Change, changing
from archive.entities import check_date, row_snapshot
from archive.errors import InvalidInput, NotFound
from archive.lookup import session_connection
from archive.store import Archive
from archive.tagtypes import get_tag_type

CONTEXT = 32  # characters of prefix and suffix kept with each quote
EDITABLE = (
    "start",
    "end",
    "type_key",
    "entity_id",
    "note",
    "value",
    "qualifier",
    "counted",
    "as_of",
    "low",
    "high",
)


# -- snapshots -------------------------------------------------------------------


def snapshot(annotation: models.Annotation) -> dict[str, Any]:
    """Every field of an annotation, JSON-ready (audit entries, undo)."""
    return row_snapshot(annotation)


# -- finding text ---------------------------------------------------------------


def context_of(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix (up to `CONTEXT` characters) around a span."""
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def anchor(text: str, start: int, end: int) -> dict[str, Any]:
    """The fields that pin an annotation to `text[start:end]`: the span, its quote and context."""
    prefix, suffix = context_of(text, start, end)
    return {
        "start": start,
        "end": end,
        "quote": text[start:end],
        "prefix": prefix,
        "suffix": suffix,
    }


def _set_anchor(ann: models.Annotation, text: str, start: int, end: int) -> None:
    """Pin an annotation to `text[start:end]` (found, so no longer orphaned)."""
    for key, value in anchor(text, start, end).items():
        setattr(ann, key, value)
    ann.orphaned = False


def _lost_span(start: int, end: int, length: int) -> tuple[int, int]:
    """The offsets an orphaned annotation keeps: clipped to the text, so anyone can draw them."""
    start = min(start, length)
    return start, min(max(end, start), length)


def span_problem(text: str, start: int, end: int) -> str | None:
    """What is wrong with `start:end` as a span of `text` (code points), in words; None
    when 0 <= start < end <= len(text)."""
    length = len(text)
    if start < 0 or end < 0:
        return f"The span {start}-{end} has a negative offset; offsets count from 0."
    if start >= end:
        return f"The span {start}-{end} is empty: its start must be smaller than its end."
    if end > length:
        where = "starts and ends" if start >= length else "ends"
        return (
            f"The span {start}-{end} {where} after the end of the text, which has "
            f"{length} code points (spans run from 0 to {length})."
        )
    return None


def check_span(text: str, start: int, end: int) -> None:
    """InvalidInput unless 0 <= start < end <= len(text), saying which is not so."""
    problem = span_problem(text, start, end)
    if problem is not None:
        raise InvalidInput(problem)


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every span where `quote` appears in `text`, in order: exact matches, or if there
    is none, matches forgiving whitespace and quote-mark differences."""
    if not quote.strip():
        raise InvalidInput("The quote to tag is empty.")
    return _exact_spans(text, quote) or _Normalised(text).find_all(quote)


def find_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """The span of the `occurrence`-th (1-based) appearance of `quote` in `text`.

    Exact matches first; if there is none, whitespace and quote-mark
    differences are forgiven ("police  officers" finds "police officers").
    """
    if occurrence < 1:
        raise InvalidInput("--occurrence counts from 1.")
    spans = quote_spans(text, quote)
    if not spans:
        raise NotFound(f"The text does not contain {quote!r}.")
    if occurrence > len(spans):
        raise NotFound(
            f"{quote!r} appears {len(spans)} time(s) in the text; there is no occurrence "
            f"{occurrence}."
        )
    return spans[occurrence - 1]


def _exact_spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans = []
    pos = text.find(quote)
    while pos != -1:
        spans.append((pos, pos + len(quote)))
        pos = text.find(quote, pos + 1)
    return spans


_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs as one space and quote marks folded, plus an index map.

    `index[i]` is the offset in `text` of the character that became normalised
    character `i`; `index[len]` is `len(text)`.
    """
    chars: list[str] = []
    index: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                chars.append(" ")
                index.append(i)
            in_space = True
            continue
        in_space = False
        chars.append(ch.translate(_FOLD))
        index.append(i)
    index.append(len(text))
    return "".join(chars), index


class _Normalised:
    """A text's normalised form, built once and searched many times."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.index = _normalise(text)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Map a normalised span back to the real text (whitespace runs included whole)."""
        start = self.index[i]
        end = self.index[j - 1] + 1
        # A normalised space stands for the whole run of whitespace.
        if self.norm[j - 1] == " ":
            end = self.index[j]
        return start, end

    def find_all(self, quote: str) -> list[tuple[int, int]]:
        nq = _normalise(quote)[0].strip()
        if not nq:
            return []
        spans = []
        pos = self.norm.find(nq)
        while pos != -1:
            spans.append(self.span(pos, pos + len(nq)))
            pos = self.norm.find(nq, pos + 1)
        return spans


# -- re-anchoring ---------------------------------------------------------------


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class Reanchorer:
    """Finds annotations again in a changed text (one instance per text change)."""

    def __init__(self, old_text: str | None, new_text: str) -> None:
        self.old = old_text
        self.new = new_text
        self._norm: _Normalised | None = None
        if old_text is None:
            self.same_head = self.same_tail = 0
        else:
            limit = min(len(old_text), len(new_text))
            self.same_head = _common_prefix(old_text[:limit], new_text[:limit])
            tail_limit = limit - self.same_head
            self.same_tail = _common_suffix(
                old_text[len(old_text) - tail_limit :], new_text[len(new_text) - tail_limit :]
            )

    @property
    def norm(self) -> _Normalised:
        if self._norm is None:
            self._norm = _Normalised(self.new)
        return self._norm

    def predict(self, start: int) -> int:
        """Where a position of the old text most likely is in the new one."""
        if self.old is None or start <= self.same_head:
            return start
        if start >= len(self.old) - self.same_tail:
            return start + len(self.new) - len(self.old)
        return round(start * len(self.new) / max(len(self.old), 1))

    def _score(self, s: int, e: int, prefix: str, suffix: str, predicted: int) -> tuple[int, int]:
        ctx = _common_suffix(prefix, self.new[max(0, s - len(prefix)) : s])
        ctx += _common_prefix(suffix, self.new[e : e + len(suffix)])
        return ctx, -abs(s - predicted)

    def find(
        self, start: int, end: int, quote: str, prefix: str = "", suffix: str = ""
    ) -> tuple[int, int] | None:
        """The new span of an annotation, or None when its quote is gone."""
        if not quote:
            return None
        old = self.old
        if old is not None and old[start:end] == quote:
            # Untouched regions: the same text at the same (or shifted) place.
            if end <= self.same_head:
                return start, end
            shift = len(self.new) - len(old)
            if start >= len(old) - self.same_tail:
                return start + shift, end + shift
        predicted = self.predict(start)
        spans = _exact_spans(self.new, quote)
        if not spans:
            spans = self.norm.find_all(quote)
            if not spans:
                return None
        if len(spans) == 1:
            return spans[0]
        return max(spans, key=lambda sp: self._score(sp[0], sp[1], prefix, suffix, predicted))


def reanchor(
    old_text: str | None,
    new_text: str,
    *,
    start: int,
    end: int,
    quote: str,
    prefix: str = "",
    suffix: str = "",
) -> tuple[int, int] | None:
    """Where an annotation's quote is in `new_text`: a (start, end) span, or None if orphaned.

    `old_text` (the text the offsets refer to) helps choose between repeated
    quotes; without it the prefix/suffix context and the old position decide.
    """
    return Reanchorer(old_text, new_text).find(start, end, quote, prefix, suffix)


@dataclass
class ReanchorReport:
    """What re-anchoring an article's annotations did."""

    article_id: str
    kept: int = 0  # same span as before
    moved: list[str] = field(default_factory=list)  # re-anchored elsewhere
    orphaned: list[str] = field(default_factory=list)  # quote not found: flagged
    recovered: list[str] = field(default_factory=list)  # were orphaned, found again

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _reanchor(ch: Change, article_id: str, old_text: str | None, new_text: str) -> ReanchorReport:
    """Re-anchor every annotation of an article to `new_text` (the article is not changed)."""
    session = ch.session
    finder = Reanchorer(old_text, new_text)
    report = ReanchorReport(article_id)
    rows = session.exec(
        select(models.Annotation).where(models.Annotation.article_id == article_id)
    ).all()
    now = models.utcnow()
    for ann in rows:
        before = snapshot(ann)
        span = finder.find(ann.start, ann.end, ann.quote, ann.prefix, ann.suffix)
        if span is None:
            start, end = _lost_span(ann.start, ann.end, len(new_text))
            if ann.orphaned and (start, end) == (ann.start, ann.end):
                report.kept += 1
                continue
            if not ann.orphaned:
                report.orphaned.append(ann.id)
            ann.orphaned, ann.start, ann.end = True, start, end
        else:
            found = anchor(new_text, *span)
            if not ann.orphaned and all(getattr(ann, k) == v for k, v in found.items()):
                report.kept += 1
                continue
            (report.recovered if ann.orphaned else report.moved).append(ann.id)
            _set_anchor(ann, new_text, *span)
        ann.updated_at = now
        session.add(ann)
        ch.audit("annotation", "reanchor", ann.id, before=before, after=snapshot(ann))
    ch.touch_article(article_id)
    return report


def text_sha256(text: str) -> str:
    """The SHA-256 of a canonical text (UTF-8), as stored in `Article.text_sha256`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reanchor_article(
    target: Archive | Change, article_id: str, new_text: str, *, old_text: str | None = None
) -> ReanchorReport:
    """Give an article a new canonical text and re-anchor its annotations, in one change.

    `old_text` (the text the offsets refer to) defaults to the article's
    current text. Annotations whose quote cannot be found are flagged
    orphaned, never deleted. A bundle merge calls it inside its own change.
    """
    with changing(target, "Re-anchor annotations") as ch:
        session = ch.session
        article = _article(session, article_id)
        previous = article.text
        if previous != new_text:
            before = {"text_sha256": article.text_sha256, "length": len(previous)}
            article.text = new_text
            article.text_sha256 = text_sha256(new_text)
            article.updated_at = models.utcnow()
            session.add(article)
            ch.audit(
                "article",
                "text",
                article.id,
                before=before,
                after={"text_sha256": article.text_sha256, "length": len(new_text)},
            )
        return _reanchor(ch, article.id, previous if old_text is None else old_text, new_text)


# -- creating, changing, deleting ---------------------------------------------------


def _article(session: Session, article_id: str) -> models.Article:
    article = session.get(models.Article, article_id)
    if article is None:
        raise NotFound(f"No article with id {article_id}. `sesame list` shows the ids.")
    return article


def _get(session: Session, annotation_id: str) -> models.Annotation:
    ann = session.get(models.Annotation, annotation_id)
    if ann is None and len(annotation_id) >= 6:
        matches = list(
            session.exec(
                select(models.Annotation).where(
                    # Literal: `startswith` makes LIKE, where _ and % are wildcards.
                    func.substr(col(models.Annotation.id), 1, len(annotation_id)) == annotation_id
                )
            )
        )
        if len(matches) > 1:
            raise NotFound(f"The id prefix {annotation_id} matches {len(matches)} annotations.")
        ann = matches[0] if matches else None
    if ann is None:
        raise NotFound(f"No annotation with id {annotation_id}. `sesame annotations` lists them.")
    return ann


def _resolve_entity(
    ch: Change,
    type_key: str,
    entity_id: str | None,
    entity_name: str | None,
    entity_aliases: Iterable[str] = (),
) -> str | None:
    session = ch.session
    if entity_id and entity_name:
        raise InvalidInput("Give an entity id or an entity name, not both.")
    if entity_id:
        entity = entities.get_row(session, entity_id)
        if entity.type_key != type_key:
            raise InvalidInput(
                f"{entity.name!r} is a {entity.type_key}; it cannot be linked from a "
                f"{type_key} annotation."
            )
        return entity.id
    if entity_name and entity_name.strip():
        for name in (entity_name, *entity_aliases):
            found = entities.find_entity(session, name, type_key)
            if found is not None:
                return found.id
        return entities.create_entity(ch, type_key, entity_name, aliases=entity_aliases).id
    return None


def figure_defaults(quote: str, published: str | None) -> dict[str, Any]:
    """What a figure tag of `quote` holds where nothing else is given: the value,
    qualifier and counted read from the quote (if it has a number) and, as its
    as-of date, the article's published date. The tagging form starts from the
    same (`archive.tagform.figure_prefill`)."""
    # Imported here: the figure parser's multi-script tables take ~90 ms, which
    # `sesame show` and every other reader of annotations need not wait for.
    from archive.figures import parse_figure, parse_range

    found: dict[str, Any] = {}
    parsed = parse_figure(quote)
    if parsed is not None:
        found = {"value": parsed.value, "qualifier": parsed.qualifier, "counted": parsed.counted}
    stated = parse_range(quote)
    if stated is not None:
        # A range: its low end is the best estimate, the figure the source stands
        # behind at the least (as "thousands" is read as "at least 2,000").
        found = {
            "value": stated.low,
            "qualifier": "at least",
            "counted": stated.counted,
            "low": stated.low,
            "high": stated.high,
        }
    if published:
        found["as_of"] = published
    return found


def _figure_fields(values: dict[str, Any], quote: str, article: models.Article, fill: bool) -> None:
    """Check figure fields; for a figure, fill what is missing from the quote and the date."""
    from archive.figures import normalise_qualifier, parse_range

    if values.get("qualifier") is not None:
        values["qualifier"] = normalise_qualifier(values["qualifier"])
    for key, what in (("value", "value"), ("low", "low estimate"), ("high", "high estimate")):
        if values.get(key) is not None:
            try:
                values[key] = float(values[key])
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"The figure {what} {values[key]!r} is not a number.") from exc
            if not math.isfinite(values[key]):
                # NaN is stored as NULL (the row then disagrees with its audit entry)
                # and infinity prints as invalid JSON: neither is a count of anything.
                raise InvalidInput(
                    f"The figure {what} must be a finite number, not {values[key]!r}."
                )
    values["as_of"] = check_date(values.get("as_of"), "The as-of date")
    if values.get("counted") is not None:
        values["counted"] = " ".join(str(values["counted"]).split()) or None
    if fill and values.get("type_key") == "figure":
        # A value given is not second-guessed: the quote's qualifier and counted go with
        # its number, and so does its range.
        given = values.get("value") is not None or values.get("low") is not None
        read = "" if given else quote
        for key, default in figure_defaults(read, article.published).items():
            if values.get(key) is None:
                values[key] = default
        # A value within the range the quote states (an accepted suggestion's 500 of
        # "between 500 and 600"): the range goes with it.
        unbounded = values.get("low") is None and values.get("high") is None
        stated = parse_range(quote) if given and unbounded else None
        value = values.get("value")
        if stated is not None and value is not None and stated.low <= float(value) <= stated.high:
            values["low"], values["high"] = stated.low, stated.high
    _check_range(values)


def _check_range(values: dict[str, Any]) -> None:
    """low <= value <= high where given; a range without a best takes its low end."""
    low, high = values.get("low"), values.get("high")
    if values.get("value") is None and low is not None:
        values["value"] = low
    value = values.get("value")
    if low is not None and high is not None and low > high:
        raise InvalidInput(f"The low estimate {low:g} is above the high estimate {high:g}.")
    if value is not None and low is not None and value < low:
        raise InvalidInput(f"The best estimate {value:g} is below the low estimate {low:g}.")
    if value is not None and high is not None and value > high:
        raise InvalidInput(f"The best estimate {value:g} is above the high estimate {high:g}.")


def create_annotation(
    target: Archive | Change,
    article_id: str,
    start: int,
    end: int,
    type_key: str,
    *,
    entity_id: str | None = None,
    entity_name: str | None = None,
    entity_aliases: Iterable[str] = (),
    note: str = "",
    value: float | None = None,
    qualifier: str | None = None,
    counted: str | None = None,
    as_of: str | None = None,
    low: float | None = None,
    high: float | None = None,
    origin: str = "manual",
    annotation_id: str | None = None,
    sync: bool = True,
) -> models.Annotation:
    """Tag `text[start:end]` (code points) of an article with a tag type.

    `entity_id` links an existing entity (of the same type); `entity_name`
    finds one by name or alias, or creates it (with `entity_aliases`). For
    figures, value/qualifier/counted not given are read from the quote and
    `as_of` defaults to the article's published date (for an event, `as_of`
    holds the date this source gives for it). `low` / `high`: the range a figure
    states, `value` being the best estimate (read from a quote like "between 500
    and 600" when not given). `annotation_id` creates the
    annotation under a known id (a bundle's). `sync=False` leaves the search
    index to catch up later (`archive.sync_index()`).
    """
    with changing(target, f"Tag as {type_key}", origin, sync=sync) as ch:
        session = ch.session
        article = _article(session, article_id)
        check_span(article.text, start, end)
        type_row = get_tag_type(session, type_key)
        if annotation_id and session.get(models.Annotation, annotation_id) is not None:
            raise InvalidInput(f"There is already an annotation with id {annotation_id}.")
        pinned = anchor(article.text, start, end)
        values: dict[str, Any] = {
            "type_key": type_row.key,
            "value": value,
            "qualifier": qualifier,
            "counted": counted,
            "as_of": as_of,
            "low": low,
            "high": high,
        }
        _figure_fields(values, pinned["quote"], article, fill=True)
        ann = models.Annotation(
            article_id=article.id,
            **pinned,
            type_key=type_row.key,
            entity_id=_resolve_entity(ch, type_row.key, entity_id, entity_name, entity_aliases),
            note=note.strip(),
            created_by=ch.user_id,
            origin=origin,
            value=values["value"],
            qualifier=values["qualifier"],
            counted=values["counted"],
            as_of=values["as_of"],
            low=values.get("low"),
            high=values.get("high"),
        )
        if annotation_id:
            ann.id = annotation_id
        session.add(ann)
        session.flush()
        ch.audit("annotation", "create", ann.id, after=snapshot(ann))
        return ann


def update_annotation(
    target: Archive | Change, annotation_id: str, *, sync: bool = True, **changes: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change an annotation; returns (before, after) snapshots.

    Accepted changes: start, end (the quote and context are taken from the
    text again and the orphaned flag cleared), type_key, entity_id,
    entity_name (find or create, like `create_annotation`), note, value,
    qualifier, counted, as_of, low, high. None clears entity_id and the figure fields.
    """
    unknown = set(changes) - set(EDITABLE) - {"entity_name"}
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} of an annotation.")
    with changing(target, "Edit annotation", sync=sync) as ch:
        session = ch.session
        ann = _get(session, annotation_id)
        article = _article(session, ann.article_id)
        before = snapshot(ann)
        if "start" in changes or "end" in changes:
            start = int(changes.get("start", ann.start))
            end = int(changes.get("end", ann.end))
            check_span(article.text, start, end)
            _set_anchor(ann, article.text, start, end)
        if "type_key" in changes:
            ann.type_key = get_tag_type(session, changes["type_key"]).key
        if "entity_id" in changes or "entity_name" in changes:
            ann.entity_id = _resolve_entity(
                ch, ann.type_key, changes.get("entity_id"), changes.get("entity_name")
            )
        elif ann.entity_id:
            entity = session.get(models.Entity, ann.entity_id)
            if entity is not None and entity.type_key != ann.type_key:
                raise InvalidInput(
                    f"The annotation is linked to the {entity.type_key} {entity.name!r}; "
                    "give a new entity (or none) together with the new type."
                )
        if "note" in changes:
            ann.note = (changes["note"] or "").strip()
        figure_keys = ("value", "qualifier", "counted", "as_of", "low", "high")
        values = {k: changes.get(k, getattr(ann, k)) for k in figure_keys}
        values["type_key"] = ann.type_key
        _figure_fields(values, ann.quote, article, fill=False)
        ann.value, ann.qualifier = values["value"], values["qualifier"]
        ann.counted, ann.as_of = values["counted"], values["as_of"]
        ann.low, ann.high = values["low"], values["high"]
        ann.updated_at = models.utcnow()
        session.add(ann)
        after = snapshot(ann)
        ch.audit("annotation", "update", ann.id, before=before, after=after)
        return before, after


def delete_annotation(
    target: Archive | Change, annotation_id: str, *, sync: bool = True
) -> dict[str, Any]:
    """Delete an annotation, and the roles and relations resting on it (in the same
    change, so undo brings them back); returns its snapshot."""
    with changing(target, "Delete annotation", sync=sync) as ch:
        ann = _get(ch.session, annotation_id)
        before = snapshot(ann)
        ch.describe(f"Delete {ann.type_key} tag {ann.quote[:40]!r}")
        for claim in _claims_on(ch.session, ann.id):
            kind = "role" if isinstance(claim, models.Role) else "relation"
            ch.audit(kind, "delete", claim.id, before=row_snapshot(claim))
            ch.session.delete(claim)
        ch.session.flush()  # the claims go before the annotation they point at
        ch.session.delete(ann)
        ch.audit("annotation", "delete", before["id"], before=before)
        return before


def _claims_on(session: Session, annotation_id: str) -> list[models.Role | models.Relation]:
    """The roles and relations (`archive.roles`) resting on one annotation."""
    roles = session.exec(select(models.Role).where(models.Role.annotation_id == annotation_id))
    relations = session.exec(
        select(models.Relation).where(models.Relation.annotation_id == annotation_id)
    )
    return [*roles, *relations]


# -- reading -------------------------------------------------------------------------


def annotation_records(
    session: Session,
    article_id: str | None = None,
    *,
    type_key: str | None = None,
    entity_id: str | None = None,
    orphaned: bool | None = None,
) -> list[AnnotationRecord]:
    """Annotations with entity and author names, by article then position (a tag type
    by key or label, an entity by id, prefix or name; read by
    `archive.annotation_records.read_records`, as `sesame show` reads them)."""
    key = get_tag_type(session, type_key).key if type_key else None
    entity = entities.get_row(session, entity_id).id if entity_id else None
    return read_records(
        session_connection(session), article_id, type_key=key, entity_id=entity, orphaned=orphaned
    )


def list_annotations(
    archive: Archive,
    article_id: str | None = None,
    *,
    type_key: str | None = None,
    entity_id: str | None = None,
    orphaned: bool | None = None,
) -> list[AnnotationRecord]:
    """Annotations of one article (or all), optionally of one type, entity or orphan state."""
    with archive.session() as session:
        if article_id:
            _article(session, article_id)
        return annotation_records(
            session, article_id, type_key=type_key, entity_id=entity_id, orphaned=orphaned
        )


def get_annotation(archive: Archive, annotation_id: str) -> AnnotationRecord:
    """One annotation by id (or unique id prefix)."""
    with archive.session() as session:
        ann = _get(session, annotation_id)
        (record,) = read_records(session_connection(session), annotation_id=ann.id)
        return record
