"""The tagging form's rules, without Qt: what it starts with, how its fields read, what it writes.

The window's form (`desktop/tag_form.py`), `sesame tag --prefill` and
importers share them:

- what the form starts with (`form_prefill`): the best entity name for the
  selection (`tag_prefill`), an event's date from the suggester, a figure's
  value, qualifier, counted and as-of read from the quote (`figure_prefill`,
  the core's own defaults, `archive.annotate.figure_defaults`), and for an
  existing event the date and place its entity holds (`event_prefill`);
- the entities a picker offers (`entity_choices`) and how a typed name
  resolves to one of them (`resolve_choice`);
- how the fields read: dates and ranges (`is_date`, `parse_date_range`),
  numbers (`parse_number`), the qualifiers (`QUALIFIERS`, which are
  `archive.figures`');
- what confirming the form means (`read_form`: the fields as typed, `FormFields`,
  checked and read into a `TagRequest`, or a `FormProblem` naming the field) and
  what it writes (`tag_span`);
- what a selection becomes before the form opens (`snap_span`: whole words in
  spaced scripts, whole syllables in Burmese, whole grapheme clusters in Thai
  and everywhere), and whether a tag would repeat one already there
  (`same_entity_overlap`, `find_overlap`: the same entity on overlapping words,
  which the window asks about and `sesame tag` refuses without `--allow-overlap`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import regex
from sqlmodel import Session, select

from archive import annotate, entities, models, segment, suggest
from archive.changes import Change, changing
from archive.errors import InvalidInput, SesameError
from archive.figures import QUALIFIERS as QUALIFIERS  # the form offers the core's, in order
from archive.figures import parse_range
from archive.store import Archive

FIGURE_TYPE = "figure"
EVENT_TYPE = "event"
# What a figure without a qualifier word claims (`archive.figures` reads it so too).
DEFAULT_QUALIFIER = "exactly"
# Tag types the suggester knows (it proposes names, dates and figures for them).
SUGGESTED_TYPES = ("actor", "event", "figure")
# Text read on each side of a selection for the suggester: enough for its
# sentence, small enough to stay quick in a long article (it is ~40 µs/char).
CONTEXT_CHARS = 300
# A selection longer than this is a passage, not a name: no entity is proposed from it.
MAX_NAME_CHARS = 80


# -- entities the form offers ----------------------------------------------------------


@dataclass
class EntityChoice:
    """An entity the picker can offer: its id, name and aliases."""

    id: str
    name: str
    aliases: list[str]


def entity_choices(archive: Archive, type_key: str) -> list[EntityChoice]:
    """Live entities of a tag type, for the entity picker (reads the archive)."""
    return [
        EntityChoice(e.id, e.name, list(e.aliases))
        for e in entities.list_entities(archive, type_key)
    ]


def choice_names(choices: list[EntityChoice]) -> dict[str, tuple[str, EntityChoice]]:
    """Every name and alias of `choices`, compared as `entities.norm_name` compares them:
    normalised name -> (the name as written, its entity). The first entity to use a name
    keeps it."""
    found: dict[str, tuple[str, EntityChoice]] = {}
    for choice in choices:
        for text in (choice.name, *choice.aliases):
            key = entities.norm_name(text)
            if key and key not in found:
                found[key] = (text, choice)
    return found


def resolve_choice(
    text: str, names: dict[str, tuple[str, EntityChoice]]
) -> tuple[str | None, str | None]:
    """What a typed entity name means, given the `choice_names` of the entities offered:
    (existing entity id, None) when it is the name or an alias of one of them, (None, new
    name) otherwise, (None, None) for no entity."""
    text = text.strip()
    if not text:
        return None, None
    found = names.get(entities.norm_name(text))
    return (found[1].id, None) if found else (None, text)


# -- what the form starts with --------------------------------------------------------


def figure_prefill(quote: str, published: str | None) -> dict[str, Any]:
    """Value, qualifier and counted read from a figure phrase, and the published date as
    its as-of: what a figure tag holds when nothing else is given."""
    return annotate.figure_defaults(quote, published)


def suggestion_for(
    text: str, start: int, end: int, type_key: str, published: str | None
) -> suggest.Suggestion | None:
    """What the suggester proposes for the selection `start:end` (the most overlapping
    suggestion of `type_key` around it, offsets relative to `text`), or None."""
    if type_key not in SUGGESTED_TYPES:
        return None
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    best, best_overlap = None, 0
    for sug in suggest.suggest(text[lo:hi], published, types=[type_key]):
        s, e = sug.start + lo, sug.end + lo
        overlap = min(e, end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = sug, overlap
    return best


def tag_prefill(
    text: str,
    start: int,
    end: int,
    type_key: str,
    published: str | None,
    choices: list[EntityChoice],
) -> dict[str, Any]:
    """The best entity name for the selection `text[start:end]`, and an event's date.

    The entity is, in order: an existing entity whose name or alias is the
    selected text; one whose name or alias is the suggester's name for it
    ("Tin Min Tun" for "Major Tin Min Tun"); that suggested name; for actors
    and events the selected text itself (single-spaced, if it is short).
    """
    quote = text[start:end]
    known = choice_names(choices)
    sug = suggestion_for(text, start, end, type_key, published)
    suggested = sug.entity_name if sug is not None else None
    prefill: dict[str, Any] = {}
    name = next(
        (
            known[key][1].name
            for key in map(entities.norm_name, (quote, suggested or ""))
            if key in known
        ),
        None,
    )
    if name is None and suggested:
        name = suggested
    if name is None and type_key in ("actor", EVENT_TYPE) and len(quote) <= MAX_NAME_CHARS:
        name = " ".join(quote.split())
    if name:
        prefill["entity"] = name
    if type_key == EVENT_TYPE and sug is not None and sug.date:
        prefill["date"] = sug.date
    return prefill


def form_prefill(
    text: str,
    start: int,
    end: int,
    type_key: str,
    published: str | None,
    choices: list[EntityChoice],
) -> dict[str, Any]:
    """Everything the tagging form starts with for a new tag of `text[start:end]`:
    the figure fields (figures only), then the entity and an event's date."""
    prefill = figure_prefill(text[start:end], published) if type_key == FIGURE_TYPE else {}
    prefill.update(tag_prefill(text, start, end, type_key, published, choices))
    return prefill


def event_prefill(archive: Archive, entity_id: str) -> dict[str, str]:
    """The date (or range) and place an event entity holds, as the tagging form shows them."""
    try:
        info = entities.get_entity(archive, entity_id)
    except SesameError:
        return {}
    date = info.date_start or ""
    if date and info.date_end:
        date += f" to {info.date_end}"
    return {
        "date": date,
        "place": info.place or "",
        "date_precision": info.date_precision or "",
        "place_precision": info.place_precision or "",
    }


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the spaces a mouse selection picks up at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Letters, digits and marks of scripts written with spaces between words; in
# these a selection widens to whole words.
_SPACED_WORD = regex.compile(
    r"(?![\p{Myanmar}\p{Thai}\p{Lao}\p{Khmer}\p{Han}\p{Hiragana}\p{Katakana}])[\p{L}\p{N}\p{M}]"
)
# Text read on each side of a selection to find its syllables (the whole text
# of a long Burmese article costs ~0.4 s; this window, well under 1 ms).
SNAP_CONTEXT = 120


def _in_word(text: str, pos: int) -> bool:
    """Whether `pos` falls between two letters (digits, marks) of one spaced-script word."""
    return (
        0 < pos < len(text)
        and _SPACED_WORD.match(text, pos - 1) is not None
        and _SPACED_WORD.match(text, pos) is not None
    )


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """A stretch around `start:end` that begins and ends at spaces (or the text's ends)."""
    lo = max(0, start - SNAP_CONTEXT)
    while lo > 0 and text[lo - 1] != " ":
        lo -= 1
    hi = min(len(text), end + SNAP_CONTEXT)
    while hi < len(text) and text[hi] != " ":
        hi += 1
    return lo, hi


def snap_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A selection widened to whole units: words in spaced scripts ("over 500 polic" ->
    "over 500 police"), syllables in Burmese, grapheme clusters everywhere (Thai). It only
    widens, never cuts a grapheme cluster or a Burmese syllable; the spaces a drag picks up
    at its ends are dropped first (`trim_span`)."""
    start, end = trim_span(text, start, end)
    if start >= end:
        return start, end
    while True:  # a whole syllable may end inside a word again ("11ำ"): until nothing moves
        new_start, new_end = _snap_once(text, start, end)
        if (new_start, new_end) == (start, end):
            return start, end
        start, end = new_start, new_end


def _snap_once(text: str, start: int, end: int) -> tuple[int, int]:
    """`start:end` widened to whole words, then to whole syllables and clusters."""
    while _in_word(text, start):
        start -= 1
    while _in_word(text, end):
        end += 1
    lo, hi = _window(text, start, end)
    bounds = [lo + b for b in segment.syllable_bounds(text[lo:hi])]
    new_start = segment.snap(bounds, start, forward=False)
    new_end = segment.snap(bounds, end, forward=True)
    if (new_start == lo and lo > 0) or (new_end == hi and hi < len(text)):
        # The unit reaches the window's edge (a long run without spaces): read it all.
        bounds = segment.syllable_bounds(text)
        new_start = segment.snap(bounds, start, forward=False)
        new_end = segment.snap(bounds, end, forward=True)
    return new_start, new_end


class _Span(Protocol):
    """What the overlap check reads of an annotation (a row, a record, a reader's)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def entity_id(self) -> str | None: ...


_SpanT = TypeVar("_SpanT", bound=_Span)


def same_entity_overlap(
    annotations: Iterable[_SpanT], start: int, end: int, entity_id: str | None
) -> _SpanT | None:
    """The first annotation of `annotations` linked to `entity_id` whose span overlaps
    `start:end`, or None (also when no entity is given: unlinked tags never count twice).
    "Tin Min Tun" inside a "Major Tin Min Tun" of the same actor is one."""
    if entity_id is None:
        return None
    for ann in annotations:
        if ann.entity_id == entity_id and ann.start < end and start < ann.end:
            return ann
    return None


def find_overlap(
    session: Session,
    article_id: str,
    start: int,
    end: int,
    type_key: str,
    entity_id: str | None = None,
    entity_name: str | None = None,
) -> models.Annotation | None:
    """`same_entity_overlap` read from the archive: the entity by id, or by the name (or
    alias) a new tag would link (`entity_name`, as `create_annotation` resolves it)."""
    if entity_id is None and entity_name:
        found = entities.find_entity(session, entity_name, type_key)
        entity_id = found.id if found is not None else None
    if entity_id is None:
        return None
    entity_id = entities.get_row(session, entity_id).id  # a merged entity's survivor
    rows = session.exec(
        select(models.Annotation).where(
            models.Annotation.article_id == article_id,
            models.Annotation.entity_id == entity_id,
        )
    ).all()
    return same_entity_overlap(rows, start, end, entity_id)


# -- how the fields read --------------------------------------------------------------

_RANGE_SEPARATOR = re.compile(r"\s+to\s+|\s*[/–—]\s*|\s+-\s+")
_NUMBER_SPACING = re.compile(r"[,\s\u00a0_]")


def is_date(text: str) -> bool:
    """Whether `text` is a real ISO date: 2021, 2021-02 or 2021-02-01 (as the core takes them)."""
    try:
        return entities.check_date(text, "The date") is not None
    except InvalidInput:
        return False


def parse_date_range(text: str) -> tuple[str | None, str | None] | None:
    """ "2021-02-01" or "2021-02-01 to 2021-02-05" (also "/", "–") -> (start, end);
    (None, None) for nothing typed; None if it is not a date or a range of two."""
    text = text.strip()
    if not text:
        return None, None
    parts = [p.strip() for p in _RANGE_SEPARATOR.split(text, maxsplit=1)]
    if not all(is_date(p) for p in parts):
        return None
    return parts[0], (parts[1] if len(parts) > 1 else None)


def parse_value_range(text: str) -> tuple[float, float] | None:
    """A range typed in the value field ("500-600", "500 to 600", "between 500 and
    600", "၅၀၀ မှ ၆၀၀") -> (low, high); None if it is not one."""
    if not text.strip() or parse_number(text) is not None:
        return None
    found = parse_range(text)
    if found is None or found.counted:
        return None
    return found.low, found.high


def parse_number(text: str) -> float | None:
    """A number typed in the value field ("1,500", "1 500", "2.5"); None if not one."""
    cleaned = _NUMBER_SPACING.sub("", text.strip())
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


# -- what confirming the form writes --------------------------------------------------


@dataclass
class TagRequest:
    """What the person asked for: a span, a type, and the details they filled in."""

    type_key: str
    start: int
    end: int
    entity_id: str | None = None
    new_entity_name: str | None = None
    note: str = ""
    value: float | None = None
    qualifier: str | None = None
    counted: str | None = None
    as_of: str | None = None
    # Figures as ranges: low and high estimates (`value` is the best).
    low: float | None = None
    high: float | None = None
    # Events: when and where, kept on the event's entity, and how precise they are.
    date_start: str | None = None
    date_end: str | None = None
    place: str | None = None
    date_precision: str | None = None
    place_precision: str | None = None

    def event_details(self) -> dict[str, Any]:
        """The event details given (dates, place, their precision), as `update_entity`
        takes them."""
        details = {
            "date_start": self.date_start,
            "date_end": self.date_end,
            "place": self.place,
            "date_precision": self.date_precision,
            "place_precision": self.place_precision,
        }
        return {k: v for k, v in details.items() if v}

    def figure_fields(self) -> dict[str, Any]:
        """Value, qualifier, counted, as-of, low and high, as the archive's functions take
        them."""
        return {
            "value": self.value,
            "qualifier": self.qualifier,
            "counted": self.counted,
            "as_of": self.as_of,
            "low": self.low,
            "high": self.high,
        }


@dataclass
class FormFields:
    """The tagging form's fields as typed (the ones a tag type does not show are ignored)."""

    entity: str = ""
    note: str = ""
    # Events: a date or range, and a place; how precise each is ("" = as typed / not said).
    date: str = ""
    place: str = ""
    date_precision: str = ""
    place_precision: str = ""
    # Figures (the value may be typed as a range, "500-600"; low and high as their own).
    value: str = ""
    qualifier: str = DEFAULT_QUALIFIER
    counted: str = ""
    as_of: str = ""
    low: str = ""
    high: str = ""


class FormProblem(InvalidInput):
    """A field of the tagging form that cannot be stored as typed; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NoValue(FormProblem):
    """A figure without a number: the archive keeps one, but the form asks first."""


def read_form(
    type_key: str,
    start: int,
    end: int,
    fields: FormFields,
    names: dict[str, tuple[str, EntityChoice]],
    *,
    figure: bool,
    value_optional: bool = False,
) -> TagRequest:
    """The request a confirmed tagging form makes for `start:end`, or a `FormProblem`.

    The entity resolves against `names` (`choice_names` of the entities offered;
    a name that is none of them is a new entity). An event's date (or range) and
    place go on its entity, and its start date also on the tag as its as-of; a
    place needs a named event. A `figure`'s value must be a number; a figure
    without one is `NoValue` unless `value_optional` (the form's second Enter).
    """
    entity_id, new_name = resolve_choice(fields.entity, names)
    req = TagRequest(
        type_key=type_key,
        start=start,
        end=end,
        entity_id=entity_id,
        new_entity_name=new_name,
        note=fields.note.strip(),
    )
    if type_key == EVENT_TYPE:
        _read_event(req, fields)
    if figure:
        _read_figure(req, fields, value_optional=value_optional)
    return req


def _read_event(req: TagRequest, fields: FormFields) -> None:
    """An event's date (or range), place and their precision, onto `req`."""
    dates = parse_date_range(fields.date)
    if dates is None:
        raise FormProblem(
            "date", "The date must look like 2021-02-01, or 2021-02-01 to 2021-02-05."
        )
    req.date_start, req.date_end = dates
    req.place = fields.place.strip() or None
    if req.place and not (req.entity_id or req.new_entity_name):
        raise FormProblem("place", "Name the event to keep its place (or clear the place).")
    # The date as this source gives it stays on the tag too (as accepting
    # a suggestion does), so it is kept even without an entity.
    req.as_of = req.date_start
    if req.date_start and req.date_end and req.date_end < req.date_start:
        raise FormProblem("date", "The end date is before the start date.")
    for name, allowed in (
        ("date_precision", models.DATE_PRECISIONS),
        ("place_precision", models.PLACE_PRECISIONS),
    ):
        typed = getattr(fields, name).strip().lower()
        if typed and typed not in allowed:
            raise FormProblem(name, f"The precision must be one of: {', '.join(allowed)}.")
        setattr(req, name, typed or None)


def _read_figure(req: TagRequest, fields: FormFields, *, value_optional: bool) -> None:
    """A figure's value (or a range typed in it), low, high, qualifier, counted and as-of."""
    raw = fields.value.strip()
    value = parse_number(raw)
    typed_range = parse_value_range(raw) if value is None else None
    if typed_range is not None:
        value = typed_range[0]  # a range's best estimate is its low end (as the core reads it)
    if raw and value is None:
        raise FormProblem(
            "value", "The value must be a number, e.g. 600 or 1,500 (or a range, 500-600)."
        )
    bounds: dict[str, float | None] = {}
    for name in ("low", "high"):
        typed = getattr(fields, name).strip()
        bounds[name] = parse_number(typed)
        if typed and bounds[name] is None:
            raise FormProblem(name, f"The {name} estimate must be a number, e.g. 500.")
    if typed_range is not None:
        bounds["low"] = bounds["low"] if bounds["low"] is not None else typed_range[0]
        bounds["high"] = bounds["high"] if bounds["high"] is not None else typed_range[1]
    low, high = bounds["low"], bounds["high"]
    if value is None and low is not None:
        value = low
    if low is not None and high is not None and low > high:
        raise FormProblem("low", "The low estimate is above the high estimate.")
    if value is not None and (
        (low is not None and value < low) or (high is not None and value > high)
    ):
        raise FormProblem("value", "The best estimate must lie between the low and the high.")
    req.low, req.high = low, high
    if value is None and not value_optional:
        raise NoValue(
            "value",
            "No value: the figure will be stored without a number. "
            "Type a value, or press Enter again to store it so.",
        )
    as_of = fields.as_of.strip() or None
    if as_of and not is_date(as_of):
        raise FormProblem("as_of", "The date must look like 2021-03-05 (or 2021-03, 2021).")
    req.value = value
    req.qualifier = (fields.qualifier or DEFAULT_QUALIFIER) if value is not None else None
    req.counted = fields.counted.strip() or None
    req.as_of = as_of


def tag_span(target: Archive | Change, article_id: str, req: TagRequest) -> models.Annotation:
    """The annotation a tagging form asked for, with its new entity (in one change)."""
    fields: dict[str, Any] = {"note": req.note}
    if req.value is not None or req.counted or req.as_of or req.low is not None:
        fields.update(req.figure_fields())
    with changing(target, f"Tag as {req.type_key}") as ch:
        entity_id = entities.link_entity(
            ch, req.type_key, req.entity_id, req.new_entity_name, req.event_details()
        )
        return annotate.create_annotation(
            ch, article_id, req.start, req.end, req.type_key, entity_id=entity_id, **fields
        )
