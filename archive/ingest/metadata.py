"""Metadata heuristics shared by the format readers: dates, titles, language.

Everything here is pure string work, cheap enough to run on every article of
a large import, and covered by property tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<{name}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b"), "day"),
    (
        re.compile(
            r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+"
            + _MONTH.format(name="mon")
            + r",?\s+(?P<y>\d{4})\b",
            re.IGNORECASE,
        ),
        "day",
    ),
    (
        re.compile(
            r"\b"
            + _MONTH.format(name="mon")
            + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b",
            re.IGNORECASE,
        ),
        "day",
    ),
    (
        re.compile(r"\b" + _MONTH.format(name="mon") + r",?\s+(?P<y>\d{4})\b", re.IGNORECASE),
        "month",
    ),
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})\b(?!-)"), "month"),
]
_YEAR = re.compile(r"^\s*(?P<y>(?:1[89]|20)\d{2})\b")


@dataclass(frozen=True)
class FoundDate:
    """A date found in a string: ISO text, its precision and where it stood."""

    iso: str
    precision: str  # day | month | year
    start: int
    end: int


def _build(match: re.Match[str], precision: str) -> tuple[str, str] | None:
    groups = match.groupdict()
    year = int(groups["y"])
    if not 1800 <= year <= 2200:
        return None
    if groups.get("mon"):
        month = _MONTHS[groups["mon"][:3].lower()]
    else:
        month = int(groups["m"])
    if precision == "month":
        return (f"{year:04d}-{month:02d}", "month") if 1 <= month <= 12 else None
    try:
        value = date(year, month, int(groups["d"]))
    except ValueError:
        return None
    return value.isoformat(), "day"


def find_date(text: str, *, allow_year: bool = False) -> FoundDate | None:
    """The first date written in `text` ("2021-03-05", "5 March 2021", "March 5, 2021", ...).

    A date with a day wins over a month-and-year one at the same place. A bare
    year counts only with `allow_year` and only at the start of `text` (after
    a label such as "date"), since numbers like 2021 are common in prose.
    """
    best: FoundDate | None = None
    rejected: list[tuple[int, int]] = []  # spans of impossible dates ("31 February")
    for pattern, precision in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s <= match.start() and match.end() <= e for s, e in rejected):
                continue
            built = _build(match, precision)
            if built is None:
                rejected.append(match.span())
                continue
            found = FoundDate(built[0], built[1], match.start(), match.end())
            if best is None or found.start < best.start:
                best = found
            break
    if best is None and allow_year:
        year = _YEAR.match(text)
        if year:
            return FoundDate(year.group("y"), "year", year.start("y"), year.end("y"))
    return best


# -- titles ----------------------------------------------------------------------

TITLE_LIMIT = 90
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9\u1000-\u109f])")
_ABBREVIATIONS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Lt|Col|Maj|Capt|Sgt|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec|No|Nos|U\.S|U\.N|[A-Z])\.$"
)


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters (+ "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    if space < limit // 2:  # one enormous word: cut inside it
        space = limit
    return text[:space].rstrip(" ,;:-–—") + "…"


def first_sentence(paragraph: str) -> str:
    """The first sentence of a paragraph (skipping abbreviations such as "Feb.")."""
    paragraph = " ".join(paragraph.split())
    for match in _SENTENCE_END.finditer(paragraph):
        head = paragraph[: match.start()]
        if _ABBREVIATIONS.search(head):
            continue
        return head
    return paragraph


def title_from_text(paragraph: str, limit: int = TITLE_LIMIT) -> str:
    """A title made from a lead paragraph: its first sentence, shortened."""
    sentence = first_sentence(paragraph).rstrip(".")
    return shorten(sentence, limit)


# -- language ----------------------------------------------------------------------

# (language, first and last code point) for scripts that name their language well
# enough for search analysis; the first script with most letters wins.
_SCRIPTS: list[tuple[str, int, int]] = [
    ("my", 0x1000, 0x109F),
    ("th", 0x0E00, 0x0E7F),
    ("lo", 0x0E80, 0x0EFF),
    ("km", 0x1780, 0x17FF),
    ("ja", 0x3040, 0x30FF),
    ("ko", 0xAC00, 0xD7AF),
    ("zh", 0x4E00, 0x9FFF),
    ("ar", 0x0600, 0x06FF),
    ("he", 0x0590, 0x05FF),
    ("hi", 0x0900, 0x097F),
    ("bn", 0x0980, 0x09FF),
    ("ta", 0x0B80, 0x0BFF),
    ("si", 0x0D80, 0x0DFF),
    ("ka", 0x10A0, 0x10FF),
    ("el", 0x0370, 0x03FF),
    ("ru", 0x0400, 0x04FF),
]


def _words(text: str) -> list[str]:
    return text.split()


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(_words("the and of to in is that for was with on are have has by from")),
    "fr": frozenset(_words("le la les et des du un une est dans pour que qui sur avec pas")),
    "es": frozenset(_words("el la los las y de del que en un una por con para es se")),
    "de": frozenset(_words("der die das und ist nicht mit von den dem ein eine auf sich zu")),
    "pt": frozenset(_words("o os as e de do da que em um uma para com não por se")),
    "it": frozenset(_words("il lo la gli le di che e un una per con non sono del della")),
    "nl": frozenset(_words("de het een en van is dat op te zijn niet met voor")),
    "id": frozenset(_words("yang dan di ini itu dengan untuk dari dalam tidak akan pada adalah")),
}
_WORD = re.compile(r"[^\W\d_]+")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_SCRIPT_PATTERNS = [(lang, re.compile(f"[{chr(low)}-{chr(high)}]")) for lang, low, high in _SCRIPTS]


def detect_language(text: str) -> str | None:
    """A simple language guess (ISO 639-1), or None when unsure.

    Non-Latin scripts name their language (Myanmar -> "my", Thai -> "th",
    kana -> "ja", Han without kana -> "zh", ...); Latin-script text is
    scored by common function words of a few languages.
    """
    sample = text[:4000]
    if not sample.isascii():
        latin = len(_LATIN_LETTER.findall(sample))
        counts = {lang: len(pattern.findall(sample)) for lang, pattern in _SCRIPT_PATTERNS}
        if counts["ja"]:
            counts["ja"] += counts.pop("zh")
        lang, n = max(counts.items(), key=lambda item: item[1])
        if n and n >= latin * 0.5:
            if lang == "ru" and any(ch in sample for ch in "іїєґ"):
                return "uk"
            return lang
    words = _WORD.findall(sample.lower())
    if len(words) < 3:
        return None
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    lang, best = max(scores.items(), key=lambda item: item[1])
    if best < max(2, len(words) // 25):
        return None
    return lang
