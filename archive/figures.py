"""Figures as data: parse "more than 600 police officers" into a claim, compare claims.

A figure claim is a value (a number), a qualifier (one of `QUALIFIERS`),
what is counted and an as-of date. Parsing understands digits ("600",
"1,500", "1.2 million", "5k"), words ("nine", "twenty-five", "a hundred",
"two dozen") and vague quantities ("dozens", "thousands", "tens of
thousands"). A vague plural means at least two of its unit, so "thousands"
is the claim "at least 2,000": the lowest figure the source  behind.
A number with no qualifier is read as the exact figure the source states.

`figure_table` lines up the claims linked to each figure entity, source by
source, so that "more than 600" here and "over 500" there sit side by side.
Only `figure_table` needs the database; it imports the models itself, so
that the command line's parsers can use `QUALIFIERS` without loading
SQLAlchemy (see archive/cli.py).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from archive.errors import InvalidInput

if TYPE_CHECKING:
    from archive.store import Archive

QUALIFIERS = ("exactly", "about", "at least", "more than", "less than", "up to")

# Words before a number, lower case, and the qualifier they mean.
_QUALIFIER_PHRASES: dict[tuple[str, ...], str] = {
    ("exactly",): "exactly",
    ("precisely",): "exactly",
    ("only",): "exactly",
    ("a", "total", "of"): "exactly",
    ("about",): "about",
    ("around",): "about",
    ("approximately",): "about",
    ("approx",): "about",
    ("roughly",): "about",
    ("some",): "about",
    ("nearly",): "about",
    ("almost",): "about",
    ("close", "to"): "about",
    ("an", "estimated"): "about",
    ("estimated",): "about",
    ("circa",): "about",
    ("at", "least"): "at least",
    ("no", "fewer", "than"): "at least",
    ("no", "less", "than"): "at least",
    ("not", "less", "than"): "at least",
    ("not", "fewer", "than"): "at least",
    ("a", "minimum", "of"): "at least",
    ("more", "than"): "more than",
    ("over",): "more than",
    ("above",): "more than",
    ("upwards", "of"): "more than",
    ("in", "excess", "of"): "more than",
    ("greater", "than"): "more than",
    ("just", "over"): "more than",
    ("less", "than"): "less than",
    ("fewer", "than"): "less than",
    ("under",): "less than",
    ("below",): "less than",
    ("just", "under"): "less than",
    ("up", "to"): "up to",
    ("as", "many", "as"): "up to",
    ("at", "most"): "up to",
    ("no", "more", "than"): "up to",
    ("not", "more", "than"): "up to",
    ("a", "maximum", "of"): "up to",
}
_MAX_QUALIFIER_WORDS = max(len(k) for k in _QUALIFIER_PHRASES)

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "lakh": 100_000,
    "crore": 10_000_000,
}
_SUFFIXES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
# Vague plurals: "thousands" claims at least two thousand.
_VAGUE = {
    "dozens": 12,
    "scores": 20,
    "tens": 10,
    "hundreds": 100,
    "thousands": 1_000,
    "millions": 1_000_000,
    "billions": 1_000_000_000,
}
# "several hundred", "a few thousand": a lower bound of so many units.
_FEW = {("several",): 3, ("a", "few"): 2, ("a", "couple", "of"): 2}
# First words a number can start with (besides digits and "twenty-five").
_STARTERS = set(_UNITS) | set(_VAGUE) | {"a", "an", "half", "several"}

# Words that end what is counted: verbs, prepositions, conjunctions, pronouns.
_STOP = set(
    """
    a an the and or but nor so yet as at by for from in into of on onto out over to toward towards
    up upon with within without via per than then who whom whose which that this these those
    where when while whereas since until after before during including such like among amid
    across against along around behind beyond near about above below under between through
    is are was were be been being am has have had having do does did will would shall should
    can could may might must not no also still just only already even ever again more most
    less fewer other others else each every all both either neither some any many much
    he she it we they i you him her them us me his its our their your my
    said says say told tells according reported reports reportedly
    join joins joining joined refuse refuses refused flee flees fled cross crossed
    die dies died killed kill arrest arrested detain detains detained
    took take takes went go goes gone came come comes left leave remain
    remained face faced gather gathered protest protested
    march marched stand stands stood fight fought vote voted
    """.split()  # noqa: SIM905
)
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip

_TOKEN = re.compile(
    r"\d[\d,]*(?:\.\d+)?[A-Za-z]*"  # 600, 1,500, 1.2, 1.2m, 5k, 1st
    r"|[^\W\d_]+(?:[-'’][^\W\d_]+)*"  # words, hyphenated words, possessives
    r"|\S"  # punctuation, one character at a time
)
_DIGITS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([A-Za-z]*)$")


@dataclass(frozen=True)
class Token:
    """A word, number or punctuation mark with its code-point span."""

    text: str
    start: int
    end: int
    low: str  # lower case, computed once


def _can_start_number(low: str) -> bool:
    return low[0].isdigit() or low in _STARTERS or low.partition("-")[0] in _UNITS


def tokenize(text: str) -> list[Token]:
    """Words, numbers and punctuation of `text` with their spans."""
    return [Token(m.group(), m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class NumberMatch:
    """A number found at a token position: its value and the qualifier it implies."""

    value: float
    implied: str | None  # "at least" for vague quantities, else None
    first: int  # token index of the number's first token
    stop: int  # token index after its last token
    exact_digits: bool  # written in digits (or digit + scale)


def _digits_value(token: str) -> float | None:
    match = _DIGITS.match(token)
    if not match:
        return None
    whole, frac, suffix = match.groups()
    if suffix and suffix.lower() not in _SUFFIXES:
        return None  # "1st", "3rd", "10am"
    value = float(whole.replace(",", "") + (frac or ""))
    if suffix:
        value *= _SUFFIXES[suffix.lower()]
    return value


def _word_value(word: str) -> int | None:
    """Value of "nine", "twenty-five" (not of scale words)."""
    word = word.lower()
    if word in _UNITS:
        return _UNITS[word]
    if "-" in word:
        tens, _, unit = word.partition("-")
        if tens in _UNITS and unit in _UNITS and _UNITS[tens] >= 20 and 0 < _UNITS[unit] < 10:
            return _UNITS[tens] + _UNITS[unit]
    return None


def _words_at(tokens: list[Token], i: int, words: tuple[str, ...]) -> bool:
    return len(tokens) >= i + len(words) and all(
        tokens[i + k].low == w for k, w in enumerate(words)
    )


def match_number(tokens: list[Token], i: int) -> NumberMatch | None:
    """The number that starts at token `i`, if one does."""
    if i >= len(tokens):
        return None
    low = tokens[i].low
    if not _can_start_number(low):
        return None
    # Vague quantities: "dozens", "tens of thousands", "hundreds of thousands".
    if low in _VAGUE:
        value = float(_VAGUE[low] * 2)
        j = i + 1
        if low in {"tens", "hundreds"} and _words_at(tokens, j, ("of",)) and j + 1 < len(tokens):
            nxt = tokens[j + 1].low
            if nxt in {"thousands", "millions", "billions"}:
                value = float(_VAGUE[low] * 2 * _VAGUE[nxt])
                j += 2
        elif low == "tens":
            return None  # "tens" alone is rarely a figure
        return NumberMatch(value, "at least", i, j, False)
    for words, factor in _FEW.items():
        if _words_at(tokens, i, words):
            j = i + len(words)
            if j < len(tokens) and (tokens[j].low in _SCALES or tokens[j].low == "dozen"):
                unit = 12 if tokens[j].low == "dozen" else _SCALES[tokens[j].low]
                return NumberMatch(float(factor * unit), "at least", i, j + 1, False)
            return None
    # Digits, with an optional scale word: "1.2 million", "50 thousand".
    digits = _digits_value(tokens[i].text)
    if digits is not None:
        j = i + 1
        while j < len(tokens) and tokens[j].low in _SCALES:
            digits *= _SCALES[tokens[j].low]
            j += 1
        return NumberMatch(digits, None, i, j, True)
    # "half a million"
    if low == "half" and _words_at(tokens, i + 1, ("a",)) and i + 2 < len(tokens):
        scale = tokens[i + 2].low
        if scale in _SCALES or scale == "dozen":
            unit = 12 if scale == "dozen" else _SCALES[scale]
            return NumberMatch(unit / 2, None, i, i + 3, False)
    # Words: "nine", "twenty-five", "a hundred", "two hundred and fifty thousand", "a dozen".
    total, current, j, seen = 0, 0, i, False
    while j < len(tokens):
        word = tokens[j].low
        unit = _word_value(word)
        if unit is not None:
            current += unit
            seen = True
        elif (
            word in ("a", "an")
            and not seen
            and j + 1 < len(tokens)
            and (tokens[j + 1].low in _SCALES or tokens[j + 1].low == "dozen")
        ):
            current = 1
        elif word == "dozen" and (seen or j > i):
            current = max(current, 1) * 12
            seen = True
        elif word in _SCALES and (seen or j > i):
            scale = _SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
            seen = True
        elif word == "and" and seen and j + 1 < len(tokens) and _word_value(tokens[j + 1].low):
            pass
        else:
            break
        j += 1
    if not seen:
        return None
    return NumberMatch(float(total + current), None, i, j, False)


def normalise_qualifier(text: str | None) -> str | None:
    """The canonical qualifier for `text` ("over" -> "more than"); None for none."""
    if text is None or not text.strip():
        return None
    words = tuple(text.lower().replace(".", "").split())
    if " ".join(words) in QUALIFIERS:
        return " ".join(words)
    if words in _QUALIFIER_PHRASES:
        return _QUALIFIER_PHRASES[words]
    raise InvalidInput(
        f"Unknown qualifier {text!r}; use one of: {', '.join(QUALIFIERS)} "
        "(or a synonym such as 'over', 'nearly', 'as many as')."
    )


def _qualifier_before(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """The qualifier phrase ending just before token `i`: (qualifier, first token index)."""
    for n in range(_MAX_QUALIFIER_WORDS, 0, -1):
        if i - n < 0:
            continue
        words = tuple(t.low for t in tokens[i - n : i])
        if words in _QUALIFIER_PHRASES:
            return _QUALIFIER_PHRASES[words], i - n
    return None


def _counted_after(tokens: list[Token], j: int, text: str) -> tuple[int, int] | None:
    """The token range of what is counted, starting at token `j` (None if nothing is)."""
    if j < len(tokens) and tokens[j].low == "of":
        j += 1  # "thousands of refugees", "dozens of people"
    first, last = j, None
    k = j
    while k < len(tokens) and k - first < 7:
        tok = tokens[k]
        # A gap with a line break or punctuation other than a hyphenated word ends it.
        if k > first and "\n" in text[tokens[k - 1].end : tok.start]:
            break
        if not tok.text[0].isalpha():
            break
        low = tok.low.removesuffix("'s").removesuffix("’s")
        if low in _STOP:
            # "ministry of foreign affairs officials": keep "of" between two words.
            if low == "of" and last is not None and k + 1 < len(tokens):
                nxt = tokens[k + 1]
                if nxt.text[0].isalpha() and nxt.low not in _STOP:
                    k += 1
                    continue
            break
        if last is not None and (low.endswith("ing") or low.endswith("ed")) and len(low) > 4:
            break  # "police participating", "officers arrested"
        if _word_value(low) is not None or low in _SCALES:
            break
        last = k
        if tok.text.endswith(("'s", "’s")):
            break
        k += 1
    if last is None:
        return None
    return first, last + 1


@dataclass(frozen=True)
class FigureMatch:
    """A figure phrase found in a text: span, value, qualifier and what is counted."""

    start: int
    end: int
    value: float
    qualifier: str
    counted: str | None
    number_start: int
    number_end: int
    has_qualifier: bool  # written in the text, or implied by a vague word ("thousands")


def _looks_like_date_or_code(tokens: list[Token], num: NumberMatch, text: str) -> bool:
    first, stop = tokens[num.first], tokens[num.stop - 1]
    b = num.first - 1
    if b >= 1 and tokens[b].text == ".":
        b -= 1  # "Feb. 1"
    before = tokens[b].low if b >= 0 else ""
    after = tokens[num.stop].low if num.stop < len(tokens) else ""
    if before in _MONTHS or after in _MONTHS:
        return True
    if num.exact_digits and num.stop == num.first + 1:
        if text[stop.end : stop.end + 1] in {"-", ":", "/", "–"}:
            return True  # "1,000-mile", "10:30", "5/3"
        if num.first > 0 and text[first.start - 1 : first.start] in {"-", ":", "/", "#", "$", "£"}:
            return True
    return False


def _is_year(tokens: list[Token], num: NumberMatch) -> bool:
    return (
        num.exact_digits
        and num.stop == num.first + 1
        and re.fullmatch(r"(1[5-9]|20)\d\d", tokens[num.first].text) is not None
    )


def find_figures(text: str, tokens: list[Token] | None = None) -> list[FigureMatch]:
    """Every figure phrase in `text` (numbers that are not dates, years or codes)."""
    tokens = tokens if tokens is not None else tokenize(text)
    found: list[FigureMatch] = []
    i = 0
    while i < len(tokens):
        num = match_number(tokens, i)
        if num is None or _looks_like_date_or_code(tokens, num, text):
            i += 1
            continue
        qual = _qualifier_before(tokens, i)
        if qual is None and _is_year(tokens, num):
            i += 1  # "in 2020", "the 2020 election"
            continue
        counted = _counted_after(tokens, num.stop, text)
        start = tokens[qual[1]].start if qual else tokens[i].start
        end = tokens[counted[1] - 1].end if counted else tokens[num.stop - 1].end
        counted_text = None
        if counted:
            counted_text = text[tokens[counted[0]].start : tokens[counted[1] - 1].end]
            counted_text = re.sub(r"['’]s$", "", " ".join(counted_text.split()))
        found.append(
            FigureMatch(
                start=start,
                end=end,
                value=num.value,
                qualifier=qual[0] if qual else (num.implied or "exactly"),
                counted=counted_text,
                number_start=tokens[i].start,
                number_end=tokens[num.stop - 1].end,
                has_qualifier=qual is not None or num.implied is not None,
            )
        )
        i = max(num.stop, counted[1] if counted else num.stop)
    return found


@dataclass(frozen=True)
class FigureClaimParts:
    """What `parse_figure` reads from a phrase."""

    value: float
    qualifier: str
    counted: str | None


def parse_figure(phrase: str) -> FigureClaimParts | None:
    """Value, qualifier and counted noun phrase of a figure phrase; None if it has no number.

    >>> parse_figure("More than 1,500 people")
    FigureClaimParts(value=1500.0, qualifier='more than', counted='people')
    """
    tokens = tokenize(phrase)
    for i in range(len(tokens)):
        num = match_number(tokens, i)
        if num is None:
            continue
        qual = _qualifier_before(tokens, i)
        counted = _counted_after(tokens, num.stop, phrase)
        counted_text = None
        if counted:
            raw = phrase[tokens[counted[0]].start : tokens[counted[1] - 1].end]
            counted_text = re.sub(r"['’]s$", "", " ".join(raw.split()))
        return FigureClaimParts(
            value=num.value,
            qualifier=qual[0] if qual else (num.implied or "exactly"),
            counted=counted_text,
        )
    return None


def format_value(value: float | None) -> str:
    """600.0 -> "600", 1500 -> "1,500", 1.5 -> "1.5"."""
    if value is None:
        return "?"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def claim_text(value: float | None, qualifier: str | None, counted: str | None) -> str:
    """A claim as words: "more than 600 police officers"."""
    parts = [qualifier if qualifier and qualifier != "exactly" else "", format_value(value)]
    if counted:
        parts.append(counted)
    return " ".join(p for p in parts if p)


# -- the "figures" comparison --------------------------------------------------


@dataclass
class FigureClaim:
    """One source's claim about a figure."""

    annotation_id: str
    article_id: str
    article_title: str
    source: str | None
    published: str | None
    value: float | None
    qualifier: str | None
    counted: str | None
    as_of: str | None
    quote: str
    orphaned: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass
class FigureGroup:
    """A figure entity with every claim made about it, oldest as-of date first."""

    entity_id: str | None
    name: str
    claims: list[FigureClaim] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        """The distinct sources that make a claim."""
        return sorted({c.source or "(unknown source)" for c in self.claims})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame figures --json`)."""
        return {
            "entity_id": self.entity_id,
            "name": self.name,
            "sources": self.sources,
            "claims": [c.to_dict() for c in self.claims],
        }


def figure_table(
    archive: Archive, entity_id: str | None = None, *, include_unlinked: bool = False
) -> list[FigureGroup]:
    """Figure claims grouped by figure entity, side by side across sources.

    `entity_id` limits the table to one figure; `include_unlinked` adds a
    last group (entity_id None) of figure annotations that name no entity.
    """
    from sqlmodel import col, select

    from archive import models
    from archive.entities import get_row

    a, art, ent = models.Annotation, models.Article, models.Entity
    with archive.session() as session:
        query = (
            select(
                a.id,
                a.article_id,
                art.title,
                art.source,
                art.published,
                a.value,
                a.qualifier,
                a.counted,
                a.as_of,
                a.quote,
                a.orphaned,
                a.entity_id,
                ent.name,
            )
            .join(art, col(art.id) == col(a.article_id))
            .join(ent, col(ent.id) == col(a.entity_id), isouter=True)
            .where(a.type_key == "figure")
        )
        if entity_id:
            query = query.where(a.entity_id == get_row(session, entity_id).id)
        elif not include_unlinked:
            query = query.where(col(a.entity_id).is_not(None))
        rows = session.exec(query).all()
    groups: dict[str | None, FigureGroup] = {}
    for *claim, eid, name in rows:
        group = groups.setdefault(eid, FigureGroup(eid, name or "(no figure entity)"))
        group.claims.append(FigureClaim(*claim))
    for group in groups.values():
        group.claims.sort(
            key=lambda c: (c.as_of or c.published or "", c.source or "", c.value or 0)
        )
    return sorted(groups.values(), key=lambda g: (g.entity_id is None, g.name.casefold()))
