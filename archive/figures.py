"""Figures as data: parse "more than 600 police officers" into a claim, compare claims.

A figure claim is a value (a number), a qualifier (one of `QUALIFIERS`),
what is counted and an as-of date. Parsing understands digits ("600",
"1,500", "1.2 million", "5k"), words ("nine", "twenty-five", "a hundred",
"two dozen") and vague quantities ("dozens", "thousands", "tens of
thousands"). A vague plural means at least two of its unit, so "thousands"
is the claim "at least 2,000": the lowest figure the source  behind.
A number with no qualifier is read as the exact figure the source states.

Any script: tokens come from `archive.segment` (grapheme clusters, Burmese
syllables), digits may be Burmese, Thai, Arabic-Indic or Devanagari, Hindi
and Arabic qualifiers sit in the tables below, and Burmese and Thai, which
put what is counted before the number, are read by `archive.figures_sea`.

A claim may state a range ("between 500 and 600": `parse_range`), kept as
low and high beside the best estimate `value` (UCDP's low / best / high).

`figure_table` lines up the claims linked to each figure entity, source by
source, so that "more than 600" here and "over 500" there sit side by side,
and compares them (`FigureGroup.compare`): the range across sources, a
conflict flag when no number satisfies every claim, and the number of
independent sources (one publication, or copies of one story, count once).
Only `figure_table` needs the database; it imports the models itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from archive import figures_sea
from archive.errors import InvalidInput
from archive.segment import MYANMAR, THAI, WA, ZERO, Token, tokenize
from archive.timeline import paused_gc

if TYPE_CHECKING:
    from archive.store import Archive

__all__ = ["Token", "tokenize"]  # re-exported for the suggester


def _nfc(words: str) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", words).lower().split())


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
    # Hindi
    **{
        _nfc(k): v
        for k, v in {
            "कम से कम": "at least", "न्यूनतम": "at least", "लगभग": "about", "करीब": "about",
            "क़रीब": "about", "तकरीबन": "about", "तक़रीबन": "about", "अनुमानित": "about",
            "कुल": "exactly", "केवल": "exactly", "सिर्फ़": "exactly", "सिर्फ": "exactly",
            "अधिकतम": "up to", "ज़्यादा से ज़्यादा": "up to", "ज्यादा से ज्यादा": "up to",
        }.items()
    },
    # Arabic
    **{
        _nfc(k): v
        for k, v in {
            "أكثر من": "more than", "ما يزيد عن": "more than", "ما يزيد على": "more than",
            "نحو": "about", "حوالي": "about", "حوالى": "about", "قرابة": "about",
            "ما لا يقل عن": "at least", "لا يقل عن": "at least", "أقل من": "less than",
            "ما يصل إلى": "up to", "فقط": "exactly",
        }.items()
    },
}  # fmt: skip
# Words after a number that qualify it (Hindi: "600 से अधिक पुलिसकर्मी").
_POST_QUALIFIERS: dict[tuple[str, ...], str] = {
    _nfc(k): v
    for k, v in {
        "से अधिक": "more than", "से ज़्यादा": "more than", "से ज्यादा": "more than",
        "से ऊपर": "more than", "से कम": "less than", "तक": "up to",
    }.items()
}  # fmt: skip
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
    **{_nfc(k)[0]: v for k, v in {"सौ": 100, "हज़ार": 1_000, "हजार": 1_000, "लाख": 100_000,
                                  "करोड़": 10_000_000, "करोड": 10_000_000}.items()},
}  # fmt: skip
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
    **{_nfc(k)[0]: v for k, v in {"दर्जनों": 12, "सैकड़ों": 100, "सैकडों": 100, "हज़ारों": 1_000,
                                  "हजारों": 1_000, "लाखों": 100_000, "करोड़ों": 10_000_000}.items()},
}  # fmt: skip
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
) | {
    _nfc(w)[0]
    for w in (  # noqa: SIM905
        # Hindi postpositions, conjunctions and common verbs
        "ने को के की का में से पर और या है हैं था थे थी गए गये गई हुए हुई कर किया किए तक भी ही "
        "ने वाले वाली रहे रही"
        # Arabic prepositions and conjunctions
        " في من على إلى عن و أو قد"
    ).split()
}
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
    "जनवरी", "फ़रवरी", "फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर",
    "अक्टूबर", "नवंबर", "दिसंबर", "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
}  # fmt: skip
_MONTHS = {_nfc(m)[0] for m in _MONTHS}

_DIGITS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([A-Za-z]*)$")


def _ascii_digits(text: str) -> str:
    """Digits of any script as ASCII: "၂၀၂၁" -> "2021"."""
    text = text.replace(WA, ZERO)
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)


def _can_start_number(low: str) -> bool:
    return low[0].isdigit() or low in _STARTERS or low.partition("-")[0] in _UNITS


@dataclass(frozen=True)
class NumberMatch:
    """A number found at a token position: its value and the qualifier it implies."""

    value: float
    implied: str | None  # "at least" for vague quantities, else None
    first: int  # token index of the number's first token
    stop: int  # token index after its last token
    exact_digits: bool  # written in digits (or digit + scale)


def _digits_value(token: str) -> float | None:
    if not token.isascii():  # Arabic separators; a stray combining mark ("၆၀၀်")
        token = "".join(c for c in token if not unicodedata.category(c).startswith("M"))
        token = token.replace("\u066c", ",").replace("\u066b", ".")
        token = token.replace(WA, ZERO)  # "၆ဝဝ": the letter typed for the digit
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
    return _spelled_number(tokens, i)


def _spelled_number(tokens: list[Token], i: int) -> NumberMatch | None:
    """Words: "nine", "twenty-five", "a hundred", "two hundred and fifty thousand", "a dozen"."""
    total, current, j, seen = 0, 0, i, False
    while j < len(tokens):
        word = tokens[j].low
        word_unit = _word_value(word)
        if word_unit is not None:
            current += word_unit
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
            factor = _SCALES[word]
            if factor == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * factor
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
    words = _nfc(" ".join(words))
    if words in _QUALIFIER_PHRASES:
        return _QUALIFIER_PHRASES[words]
    if words in _POST_QUALIFIERS:
        return _POST_QUALIFIERS[words]
    if "".join(words) in figures_sea.QUALIFIER_WORDS:  # Burmese, Thai
        return figures_sea.QUALIFIER_WORDS["".join(words)]
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


def _is_year(tokens: list[Token], num: NumberMatch, *, buddhist_era: bool = False) -> bool:
    """ "2020", "၂၀၂၁"; with `buddhist_era` also Thai years ("๒๕๖๔", 2564)."""
    centuries = r"(1[5-9]|20|25)" if buddhist_era else r"(1[5-9]|20)"
    return (
        num.exact_digits
        and num.stop == num.first + 1
        and re.fullmatch(centuries + r"\d\d", _ascii_digits(tokens[num.first].text)) is not None
    )


def _post_qualifier(tokens: list[Token], j: int) -> tuple[str, int] | None:
    """A qualifier written after the number ("600 से अधिक"): (qualifier, token after it)."""
    for words, qual in _POST_QUALIFIERS.items():
        if _words_at(tokens, j, words):
            return qual, j + len(words)
    return None


def _clean_counted(raw: str) -> str:
    return re.sub(r"['’]s$", "", " ".join(raw.split()))


def _figure_at(
    tokens: list[Token], i: int, text: str, *, strict: bool
) -> tuple[FigureMatch, int] | None:
    """The figure whose number starts at token `i`, and the token index after it.

    `strict` leaves out what reads as a date, a year or a code ("Feb. 1",
    "in 2020", "10:30"), as a search through running text must.
    """
    num = match_number(tokens, i)
    if num is None and tokens[i].script:
        vague = figures_sea.vague_at(tokens, i, text)
        if vague is not None:
            num = NumberMatch(vague[0], "at least", i, vague[1], False)
        else:
            words = figures_sea.word_number_at(tokens, i, text)
            if words is not None:
                num = NumberMatch(words[0], None, i, words[1], False)
    if num is None:
        return None
    if figures_sea.script_near(tokens, i, num.stop, text) in (MYANMAR, THAI):
        return _figure_sea(tokens, num, text, strict=strict)
    if strict and _looks_like_date_or_code(tokens, num, text):
        return None
    qual = _qualifier_before(tokens, i)
    post = _post_qualifier(tokens, num.stop)
    if strict and qual is None and post is None and _is_year(tokens, num):
        return None  # "in 2020", "the 2020 election"
    after = post[1] if post else num.stop
    counted = _counted_after(tokens, after, text)
    start = tokens[qual[1]].start if qual else tokens[i].start
    end = tokens[counted[1] - 1].end if counted else tokens[after - 1].end
    counted_text = None
    if counted:
        counted_text = _clean_counted(text[tokens[counted[0]].start : tokens[counted[1] - 1].end])
    qualifier = post[0] if post else qual[0] if qual else None
    match = FigureMatch(
        start=start,
        end=end,
        value=num.value,
        qualifier=qualifier or num.implied or "exactly",
        counted=counted_text,
        number_start=tokens[i].start,
        number_end=tokens[num.stop - 1].end,
        has_qualifier=qualifier is not None or num.implied is not None,
    )
    return match, max(after, counted[1] if counted else after)


def _figure_sea(
    tokens: list[Token], num: NumberMatch, text: str, *, strict: bool
) -> tuple[FigureMatch, int] | None:
    """A Burmese or Thai figure: noun, number, classifier, qualifier (`archive.figures_sea`)."""
    read = figures_sea.read_at(tokens, num.first, num.stop, num.value, num.implied, text)
    thai = figures_sea.script_near(tokens, num.first, num.stop, text) == THAI
    year = _is_year(tokens, num, buddhist_era=thai)
    if strict and (read.is_date or (read.qualifier is None and year)):
        return None
    counted = None
    if read.measure is not None:
        counted = text[read.measure[0] : read.measure[1]]  # "၁၀ နှစ်": ten years
    elif read.counted is not None:
        counted = _clean_counted(text[read.counted[0] : read.counted[1]])
    match = FigureMatch(
        start=read.start,
        end=read.end,
        value=read.value,
        qualifier=read.qualifier or read.implied or "exactly",
        counted=counted,
        number_start=read.number_start,
        number_end=read.number_end,
        has_qualifier=read.qualifier is not None or read.implied is not None,
    )
    return match, read.stop


def find_figures(text: str, tokens: list[Token] | None = None) -> list[FigureMatch]:
    """Every figure phrase in `text` (numbers that are not dates, years or codes)."""
    tokens = tokens if tokens is not None else tokenize(text)
    found: list[FigureMatch] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        # Most tokens cannot start a number: turned away before any parsing.
        hit = (
            _figure_at(tokens, i, text, strict=True)
            if tok.script or _can_start_number(tok.low)
            else None
        )
        if hit is None:
            i += 1
            continue
        found.append(hit[0])
        i = max(hit[1], i + 1)
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
    >>> parse_figure("ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်")
    FigureClaimParts(value=600.0, qualifier='more than', counted='ရဲတပ်ဖွဲ့ဝင်')
    """
    tokens = tokenize(phrase)
    for i in range(len(tokens)):
        hit = _figure_at(tokens, i, phrase, strict=False)
        if hit is not None:
            fig = hit[0]
            return FigureClaimParts(value=fig.value, qualifier=fig.qualifier, counted=fig.counted)
    return None


# -- ranges ("between 500 and 600", "500-600", "၅၀၀ မှ ၆၀၀") ------------------------------

# Words (or signs) between the two numbers of a range, compared as the tokens' lower
# case run together (Thai "ถึง" is two grapheme-cluster tokens).
_RANGE_JOINS = frozenset(
    {"to", "-", "–", "—", "~", "till", "until", "through"}
    | {"မှ", "ကနေ", "ကန", "ถึง", "से", "إلى", "الى"}  # Burmese, Thai, Hindi, Arabic
)
# "and" joins a range only after "between" (or before Burmese "ကြား", between).
_RANGE_AND = frozenset({"and", "နှင့်", "နဲ့", "และ", "और", "و"})
_RANGE_BETWEEN = frozenset({"between", "ระหว่าง", "बीच"})
# Words after the second number that close the range ("until", "between").
_RANGE_TAIL = frozenset({"အထိ", "ထိ", "ကြား", "အကြား", "तक"})


@dataclass(frozen=True)
class FigureRange:
    """A range a phrase states: its low and high numbers and what is counted."""

    low: float
    high: float
    counted: str | None


def _run_at(tokens: list[Token], j: int, text: str, words: frozenset[str]) -> int | None:
    """The index after one of `words` written at token `j` (as 1 to 3 touching tokens)."""
    for n in (1, 2, 3):
        if j + n > len(tokens):
            break
        if n > 1 and tokens[j + n - 2].end != tokens[j + n - 1].start:
            break
        if "".join(t.low for t in tokens[j : j + n]) in words:
            return j + n
    return None


def _scale_of(tokens: list[Token], num: NumberMatch) -> float:
    """The factor scale words give a number in digits ("1.5 million": 1,000,000)."""
    if not num.exact_digits or num.stop == num.first + 1:
        return 1.0
    digits = _digits_value(tokens[num.first].text)
    return num.value / digits if digits else 1.0


def _range_at(tokens: list[Token], i: int, text: str) -> FigureRange | None:
    first = match_number(tokens, i)
    if first is None or first.implied is not None:
        return None
    between = i > 0 and tokens[i - 1].low in _RANGE_BETWEEN
    j = _run_at(tokens, first.stop, text, _RANGE_JOINS)
    by_and = False
    if j is None:
        j = _run_at(tokens, first.stop, text, _RANGE_AND)
        by_and = True
    if j is None:
        return None
    second = match_number(tokens, j)
    if second is None or second.implied is not None:
        return None
    if by_and and not between and _run_at(tokens, second.stop, text, _RANGE_TAIL) is None:
        return None  # "500 and 600" without "between": two figures, not one range
    low, high = first.value, second.value
    if first.stop == first.first + 1:
        low *= _scale_of(tokens, second)  # "1.2 to 1.5 million"
    before = tokens[i - 1].low if i > 0 else ""
    after = tokens[second.stop].low if second.stop < len(tokens) else ""
    if before in _MONTHS or after in _MONTHS or low >= high:
        return None  # "March 4-5", a score "3-1", or no range at all
    if _is_year(tokens, first) and _is_year(tokens, second):
        return None  # "2020-2021"
    stop = second.stop
    closed = _run_at(tokens, stop, text, _RANGE_TAIL)
    stop = closed if closed is not None else stop
    counted = _counted_after(tokens, stop, text)
    counted_text = None
    if counted:
        counted_text = _clean_counted(text[tokens[counted[0]].start : tokens[counted[1] - 1].end])
    else:
        single = parse_figure(text)  # Burmese and Thai: what is counted comes first
        counted_text = single.counted if single is not None else None
    return FigureRange(low=low, high=high, counted=counted_text)


def parse_range(phrase: str) -> FigureRange | None:
    """The range a figure phrase states ("between 500 and 600 police", "500-600",
    "1.2 to 1.5 million", "၅၀၀ မှ ၆၀၀"), or None when it states one number (or none).

    >>> parse_range("between 500 and 600 police officers")
    FigureRange(low=500.0, high=600.0, counted='police officers')
    """
    tokens = tokenize(phrase)
    for i in range(len(tokens)):
        found = _range_at(tokens, i, phrase)
        if found is not None:
            return found
    return None


def format_value(value: float | None) -> str:
    """600.0 -> "600", 1500 -> "1,500", 1.5 -> "1.5"."""
    if value is None:
        return "?"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def claim_text(
    value: float | None,
    qualifier: str | None,
    counted: str | None,
    low: float | None = None,
    high: float | None = None,
) -> str:
    """A claim as words: "more than 600 police officers", "500–600 police (best 550)"."""
    if low is not None and high is not None and low < high:
        parts = [f"{format_value(low)}–{format_value(high)}"]
        if value is not None and value not in (low, high):
            parts.append(f"(best {format_value(value)})")
    else:
        parts = [qualifier if qualifier and qualifier != "exactly" else "", format_value(value)]
    if counted:
        parts.append(counted)
    return " ".join(p for p in parts if p)


# -- the "figures" comparison --------------------------------------------------

# How far "about 600" reaches either side when claims are compared: 10 %.
ABOUT_MARGIN = 0.1
INFINITY = float("inf")


@dataclass(slots=True)  # 20,000 in a table: made a fifth faster (19 -> 15 ms) with slots
class FigureClaim:
    """One source's claim about a figure (`low` / `high`: a range it states; `value` the best)."""

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
    low: float | None = None
    high: float | None = None
    copy_group: str | None = None

    def bounds(self) -> tuple[float, float] | None:
        """The numbers this claim allows, both ends included: the range it states, else
        what its qualifier says of its value ("at least 19": 19 to infinity, "about 600":
        540 to 660, "up to 50": 0 to 50); None for a claim with no number."""
        if self.low is not None or self.high is not None:
            lo = self.low if self.low is not None else (self.value or 0.0)
            hi = self.high if self.high is not None else (self.value or INFINITY)
            return lo, hi
        v = self.value
        if v is None:
            return None
        if self.qualifier in ("at least", "more than"):
            return v, INFINITY
        if self.qualifier in ("less than", "up to"):
            return 0.0, v
        if self.qualifier == "about":
            return v * (1 - ABOUT_MARGIN), v * (1 + ABOUT_MARGIN)
        return v, v

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@lru_cache(maxsize=4096)
def source_key(source: str) -> str:
    """A publication's name as sources are compared: single spaces, no case."""
    return " ".join(source.split()).casefold()


def independent_sources(claims: list[FigureClaim]) -> int:
    """How many independent sources make `claims`: articles of one publication (`source`,
    compared without case) count once, and so do articles marked as copies of one story
    (one `copy_group`), and so does any chain of the two (a reprint in another paper of a
    story this paper ran). An article with neither counts alone.

    Publications and copy groups are the nodes, an article with both an edge between
    them: the sources are the connected components, plus the lone articles."""
    alone: set[str] = set()
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def root(node: tuple[int, str]) -> tuple[int, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for claim in claims:
        source = (0, source_key(claim.source)) if claim.source else None
        group = (1, claim.copy_group) if claim.copy_group else None
        if source is None and group is None:
            alone.add(claim.article_id)
        elif source is None or group is None:
            root(source or group)  # type: ignore[arg-type]
        else:
            parent[root(source)] = root(group)
    return len(alone) + sum(1 for node in parent if parent[node] == node)


@dataclass
class FigureGroup:
    """A figure entity with every claim made about it, oldest as-of date first, and how
    the claims compare: their range, whether they conflict, how many independent sources."""

    entity_id: str | None
    name: str
    claims: list[FigureClaim] = field(default_factory=list)
    low: float | None = None  # the smallest low (or value) any source gives
    high: float | None = None  # the largest high (or value) any source gives
    conflict: bool = False  # some two claims allow no number in common
    independent: int = 0  # independent sources (`independent_sources`)

    @property
    def sources(self) -> list[str]:
        """The names of the distinct sources that make a claim, to show; how many
        sources there are is `source_count` (articles with no source count one each)."""
        return sorted({c.source or "(unknown source)" for c in self.claims})

    def source_count(self) -> int:
        """How many sources make a claim: publications (without case), and each article
        with no source alone (so never fewer than the independent sources)."""
        return len({source_key(c.source) if c.source else f"\0{c.article_id}" for c in self.claims})

    def compare(self) -> None:
        """Fill in the range across sources, the conflict flag and the independent count.

        The claims conflict when no number satisfies them all: the largest lower bound
        is above the smallest upper bound (`FigureClaim.bounds`; on a line, claims that
        overlap two by two share a number, so this is "some two do not overlap")."""
        low = high = None
        floor, ceiling = -INFINITY, INFINITY  # the largest lower and smallest upper bound
        for c in self.claims:
            lo = c.low if c.low is not None else c.value
            hi = c.high if c.high is not None else c.value
            if lo is not None and (low is None or lo < low):
                low = lo
            if hi is not None and (high is None or hi > high):
                high = hi
            bounds = c.bounds()
            if bounds is not None:
                floor, ceiling = max(floor, bounds[0]), min(ceiling, bounds[1])
        self.low, self.high = low, high
        self.conflict = floor > ceiling
        self.independent = independent_sources(self.claims)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame figures --json`)."""
        return {
            "entity_id": self.entity_id,
            "name": self.name,
            "sources": self.sources,
            "source_count": self.source_count(),
            "low": self.low,
            "high": self.high,
            "conflict": self.conflict,
            "independent_sources": self.independent,
            "claims": [c.to_dict() for c in self.claims],
        }


# Whether figure tables show figures linked to no figure entity, unless told otherwise:
# the window's Figures panel and `sesame figures` both start from this (figures nobody
# has linked yet are still worth seeing side by side).
SHOW_UNLINKED = True


# The claims, then the articles they are in, each read once, then the copy groups. An
# article's copy_group column comes after its text, so reading it from the table walks the
# text's overflow pages: joined per claim that was 20,000 walks for 4,000 articles, and
# even once per article it was half the articles' read. The articles' columns read here
# all come before the text, and copy groups come from their index (covering: the group
# and the rowid), for the articles in a group only (bench/figures_bench.py).
_CLAIMS_SQL = """
SELECT a.id, a.article_id, a.value, a.qualifier, a.counted, a.as_of, a.quote, a.orphaned,
       a.low, a.high, a.entity_id, e.name
FROM annotation a LEFT JOIN entity e ON e.id = a.entity_id
WHERE a.type_key = 'figure'"""
_ARTICLES_SQL = """
SELECT rowid, id, title, source, published FROM article
WHERE id IN (SELECT a.article_id FROM annotation a WHERE a.type_key = 'figure'{where})"""
_COPY_GROUPS_SQL = "SELECT rowid, copy_group FROM article WHERE copy_group IS NOT NULL"


def _claim_order(c: FigureClaim) -> tuple[str, str, float]:
    return (c.as_of or c.published or "", c.source or "", c.value or 0)


def figure_table(
    archive: Archive, entity_id: str | None = None, *, include_unlinked: bool = False
) -> list[FigureGroup]:
    """Figure claims grouped by figure entity, side by side across sources.

    `entity_id` limits the table to one figure; `include_unlinked` adds a
    last group (entity_id None) of figure annotations that name no entity.
    """
    # 20,000 claims are 20,000 rows, then 20,000 objects: no cyclic collector passes
    # over them meanwhile (callgrind: 928 -> 890 million instructions a table).
    with paused_gc():
        return _figure_table(archive, entity_id, include_unlinked)


def _figure_table(
    archive: Archive, entity_id: str | None, include_unlinked: bool
) -> list[FigureGroup]:
    from archive.entities import get_row

    # Plain SQL through the session's connection: the ORM's row loading was a third of
    # the time of 20,000 claims (bench/figures_bench.py).
    where = ""
    params: tuple[str, ...] = ()
    with archive.session() as session:
        if entity_id:
            where = " AND a.entity_id = ?"
            params = (get_row(session, entity_id).id,)
        elif not include_unlinked:
            where = " AND a.entity_id IS NOT NULL"
        # The DB-API cursor itself: SQLAlchemy's Row objects for 20,000 claims cost as
        # much again as SQLite's own fetch (bench/figures_bench.py, profiled).
        cursor = session.connection().connection.cursor()
        try:
            rows = cursor.execute(_CLAIMS_SQL + where, params).fetchall()
            found = cursor.execute(_ARTICLES_SQL.format(where=where), params).fetchall()
            copies = dict(cursor.execute(_COPY_GROUPS_SQL).fetchall())
        finally:
            cursor.close()
    articles = {
        art_id: (title, source, published, copies.get(rowid))
        for rowid, art_id, title, source, published in found
    }
    return _grouped(rows, articles)


def _grouped(
    rows: list[tuple[Any, ...]], articles: dict[str, tuple[Any, ...]]
) -> list[FigureGroup]:
    groups: dict[str | None, FigureGroup] = {}
    for ann_id, art_id, value, qual, counted, as_of, quote, orphaned, low, high, eid, name in rows:
        article = articles.get(art_id)
        if article is None:
            continue
        title, source, published, copy_group = article
        group = groups.get(eid)
        if group is None:
            group = groups[eid] = FigureGroup(eid, name or "(no figure entity)")
        claim = FigureClaim(
            ann_id, art_id, title, source, published, value, qual, counted, as_of, quote,
            bool(orphaned), low, high, copy_group,
        )  # fmt: skip
        group.claims.append(claim)
    for group in groups.values():
        group.claims.sort(key=_claim_order)
        group.compare()
    return sorted(groups.values(), key=lambda g: (g.entity_id is None, g.name.casefold()))
