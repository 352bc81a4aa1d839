"""Suggestions for a person to review: candidate actors, events and figures.

Rule-based and fast (well under 20 ms for a 1,000-word article):

- figures: numbers with their qualifier and counted noun phrase
  ("More than 600 police officers", "at least 28 people"), via
  `archive.figures`, leaving out dates, years, codes and measures of time;
- actors: names after honorifics and titles (U, Daw, Khun, Major, Mr, ...;
  ဦး and ဒေါ် in Burmese script), runs of capitalised words ("Civil
  Disobedience Movement"), and acronyms (CDM, NLD, CRPH, UN);
- events: the clause around a date ("The military staged a coup on Feb. 1"),
  with the date resolved against the article's published date.

Photo credits and bylines ("Lauren DeCicca /Getty Images AsiaPac", "Photo:
Ye Aung Thu", "(Reuters)") are not proposed as actors, and bare quantity
words ("Thousands have joined") not as figures. `group_suggestions` gathers
the mentions of one entity into one `SuggestionGroup` ("CDM ×10"), to be
accepted all at once or mention by mention. A figure's as-of is the
article's published date (`Suggestion.as_of`), the same the tagging form
and `sesame tag` start from.

Nothing is tagged here: `accept_suggestion` makes the annotation (origin
"suggestion") only when a person accepts one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from archive import annotate, entities, models
from archive.changes import Change, changing
from archive.errors import InvalidInput
from archive.figures import Token, find_figures, tokenize
from archive.figures_sea import MEASURE_WORDS
from archive.segment import grapheme_bounds, snap, syllable_bounds
from archive.store import Archive


@dataclass
class Suggestion:
    """A candidate annotation: a span, its tag type and what accepting it would record."""

    start: int
    end: int
    quote: str
    type: str  # actor | event | figure
    entity_name: str | None = None
    aliases: list[str] = field(default_factory=list)
    value: float | None = None
    qualifier: str | None = None
    counted: str | None = None
    date: str | None = None  # events: ISO date when it could be resolved
    reason: str = ""  # which rule proposed it
    # Figures: the date the claim is as of (the article's published date, as the
    # tagging form's pre-fill and `create_annotation` take it); events: `date`.
    as_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame suggest --json`)."""
        data = asdict(self)
        if self.value is not None and float(self.value).is_integer():
            data["value"] = int(self.value)
        return data


# -- actors ----------------------------------------------------------------------

# Burmese and other Myanmar honorifics: part of how a person is addressed, not of the name.
_BURMESE_HONORIFICS = {"U", "Daw", "Khun", "Ko", "Ma", "Saw", "Sai", "Nang", "Naw", "Mahn"}
_TITLES = {
    "Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Dame", "Lady", "Lord", "Major", "Lieutenant", "Lt",
    "Captain", "Capt", "Colonel", "Col", "General", "Gen", "Brigadier", "Sergeant", "Sgt",
    "Corporal", "Cpl", "Commander", "Admiral", "Senior", "Deputy", "Vice", "President",
    "Minister", "Ambassador", "Judge", "Justice", "Professor", "Prof", "Senator", "Governor",
    "Sayadaw", "Bishop", "Cardinal", "Father", "Sheikh", "Imam", "Chairman", "Chairwoman",
    "Superintendent", "Inspector", "Officer", "Prime", "Chief",
}  # fmt: skip
# Words that make a run of capitalised words an organisation, not a person.
_ORG_WORDS = {
    "Assembly", "Council", "Committee", "Department", "Ministry", "Office", "Branch",
    "Police", "Army", "Party", "Movement", "Union", "Parliament", "Embassy", "Government",
    "Commission", "Court", "Nations", "Bank", "Agency", "Association", "Network", "Forces",
    "Front", "Organisation", "Organization", "League", "Board", "Bureau", "Service",
}  # fmt: skip
# Capitalised at the start of a sentence but not names.
_LEADING = {
    "the", "a", "an", "on", "in", "at", "by", "for", "but", "and", "or", "since", "after",
    "before", "when", "while", "moreover", "however", "recently", "another", "all", "some",
    "many", "most", "this", "that", "these", "those", "his", "her", "their", "our", "its",
    "if", "as", "with", "from", "none", "there", "then", "also", "yet", "so", "during",
    "according", "meanwhile", "now", "last", "next", "both", "each", "every", "such", "what",
    "he", "she", "they", "we", "it", "i", "you", "one", "no", "not", "more", "than", "only",
    "police", "officers", "protesters", "said", "says",
}  # fmt: skip
_CONNECTORS = {"of", "for", "the", "on", "de", "du", "von", "van", "al"}
# Last words of place names ("Rakhine State"): places are not actors.
_PLACE_WORDS = {"State", "Region", "Division", "Township", "District", "Province", "City"}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_NUMBERS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_CALENDAR = set(_WEEKDAYS) | set(_MONTH_NUMBERS)
_NOT_ACRONYMS = {
    "US", "USA", "UK", "AP", "TV", "AM", "PM", "OK", "II", "III", "IV", "VI", "VII", "VIII",
    "IX", "XI", "XII", "ID", "PDF", "URL", "HTML", "HTTP", "HTTPS", "WWW", "CEO", "AND", "THE",
    "OF", "FOR", "BBC", "CNN", "GMT", "UTC", "MP", "NO",
}  # fmt: skip
_ABBREVIATED = {"Mr", "Mrs", "Ms", "Dr", "Lt", "Capt", "Col", "Gen", "Sgt", "Prof", "Cpl"}
# ဦး after a number is the classifier for persons ("ဆန္ဒပြသူ ၂၀ ဦး", 20 protesters), not "U".
_BURMESE_NAME = re.compile(
    r"(?<![\u1000-\u109f])(?<!\d)(?<!\d\s)(ဦး|ဒေါ်)\s?([\u1000-\u1049\u104c-\u109f]{2,24})"
)
_DOLLAR = re.compile(r"ဒေါ်\s?လာ(?![\u102b-\u103e])")  # ဒေါ်လာ is "dollar", not Daw La
_PLACE_BEFORE = {"in", "at", "near", "across", "outside", "inside"}
_TIME_UNITS = {
    "year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
    "minute", "minutes", "second", "seconds", "mile", "miles", "km", "kilometres",
    "kilometers", "metres", "meters", "am", "pm", "times", "percent", "per", "cent",
    "decade", "decades", "century", "centuries", "time",
    "साल", "वर्ष", "दिन", "महीने", "महीना", "हफ़्ते", "घंटे", "मिनट", "प्रतिशत", "किलोमीटर",
}  # fmt: skip
_TIME_UNITS |= MEASURE_WORDS


# Photo agencies and wire services as photo credits and datelines name them.
_AGENCY = (
    r"(?:Getty\s?Images(?:\s(?:AsiaPac|News|Europe))?|AFP|Reuters|EPA(?:-EFE)?|AP(?:\sPhoto)?"
    r"|Anadolu(?:\sAgency)?|NurPhoto|SOPA\sImages|LightRocket|Shutterstock|Xinhua|Sipa"
    r"|Pacific\sPress|ZUMA(?:\sPress|\sWire)?|Alamy)"
)
_NAME_WORDS = r"(?:[A-Z][\w'’.-]*\s?){1,4}"
_CREDITS = re.compile(
    # "Photo: Ye Aung Thu / AFP", "Photo by X", "Credit: X", "Courtesy of X": to the line's end
    # or the sentence's.
    r"(?:\b(?:[Pp]hotos?|[Pp]hotograph|[Pp]icture|[Ii]mage|[Cc]redits?)"
    r"(?:\s?:|\s?/|\s[—–-]\s|\sby\b|\scredit\b)|\b(?:Courtesy|courtesy\sof)\b)"
    r"[^\n]*?(?=[.;]\s|\n|$)"
    # "Lauren DeCicca /Getty Images AsiaPac", "AFP/Ye Aung Thu", "via Getty Images".
    rf"|{_NAME_WORDS}\s?/\s?{_AGENCY}(?:\s(?:via|for)\s{_AGENCY})?"
    rf"|{_AGENCY}\s?/\s?{_NAME_WORDS}"
    rf"|\bvia\s{_AGENCY}"
    rf"|Getty\sImages(?:\s[A-Z]\w*)?"
    # A wire service's dateline: "YANGON (Reuters) -".
    rf"|(?:\b[A-Z]{{2,}}\s)?\(\s?{_AGENCY}\s?\)"
)


def credit_spans(text: str) -> list[tuple[int, int]]:
    """Spans of photo credits and wire bylines: names there are credits, not actors."""
    return [(m.start(), m.end()) for m in _CREDITS.finditer(text)]


def _title_lines(text: str) -> list[tuple[int, int]]:
    """Spans of lines that look like headlines (most words capitalised)."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        words = [w for w in re.findall(r"[^\W\d_]+", line) if len(w) > 3]
        if len(words) >= 2 and len(line) < 160:
            caps = sum(1 for w in words if w[0].isupper())
            if caps / len(words) >= 0.7:
                spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _in_spans(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _is_cap(tok: Token) -> bool:
    return tok.text[0].isupper() and tok.text[0].isalpha()


def _joined(text: str, a: Token, b: Token) -> bool:
    """Whether two tokens are neighbours on one line, with one space between them."""
    return text[a.end : b.start] == " "


def _possessive(tok: Token) -> bool:
    return tok.text.endswith(("'s", "’s"))


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _acronyms_defined(text: str, tokens: list[Token]) -> dict[str, str]:
    """ "Civil Disobedience Movement (CDM)": acronym -> the long name it stands for."""
    found: dict[str, str] = {}
    for k, tok in enumerate(tokens):
        if tok.text != "(" or k + 2 >= len(tokens) or tokens[k + 2].text != ")":
            continue
        acro = tokens[k + 1].text
        if not (acro.isupper() and 2 <= len(acro) <= 8):
            continue
        words: list[Token] = []
        j = k - 1
        letters = 0
        while j >= 0 and letters < len(acro) and tokens[j].text[0].isalpha():
            words.insert(0, tokens[j])
            if _is_cap(tokens[j]):
                letters += 1
            j -= 1
        initials = "".join(w.text[0] for w in words if _is_cap(w))
        if initials == acro and words:
            found[acro] = text[words[0].start : words[-1].end]
    return found


def _actors(text: str, tokens: list[Token]) -> list[Suggestion]:
    titles = _title_lines(text)
    defined = _acronyms_defined(text, tokens)
    long_names = {v.casefold(): k for k, v in defined.items()}
    out: list[Suggestion] = []
    taken: set[int] = set()
    n = len(tokens)

    # 1. Honorifics and titles followed by capitalised names.
    for i, tok in enumerate(tokens):
        if i in taken or (tok.text not in _BURMESE_HONORIFICS and tok.text not in _TITLES):
            continue
        j, k = i, -1
        while True:  # walk a chain of titles: "Senior General", "Prime Minister", "Mr."
            nxt = j + 1
            if nxt < n and tokens[nxt].text == "." and tokens[j].text in _ABBREVIATED:
                nxt += 1
            if nxt >= n or not _is_cap(tokens[nxt]):
                break
            if text[tokens[nxt - 1].end : tokens[nxt].start] != " ":
                break
            nxt_word = tokens[nxt].text
            # After a Burmese honorific the name starts ("U Ko Ko": the second is a name).
            if tokens[j].text in _TITLES and (
                nxt_word in _TITLES or nxt_word in _BURMESE_HONORIFICS
            ):
                j = nxt
                continue
            k = nxt
            break
        if k < 0:
            continue
        name: list[int] = []
        while k < n and _is_cap(tokens[k]) and tokens[k].low not in _CALENDAR:
            if name and not _joined(text, tokens[k - 1], tokens[k]):
                break
            if tokens[k].text.isupper() and len(tokens[k].text) > 1:
                break  # an acronym after a name is not part of it
            name.append(k)
            if _possessive(tokens[k]):
                break
            k += 1
        if not name:
            continue
        western = tok.text not in _BURMESE_HONORIFICS
        before = tokens[i - 1].low if i > 0 else ""
        name_words = [_strip_possessive(tokens[x].text) for x in name]
        if western and (
            before == "the"
            or any(w in _ORG_WORDS for w in name_words)
            or _in_spans(tok.start, titles)
        ):
            continue  # "the General Assembly": an organisation, found below
        start, end = tok.start, tokens[name[-1]].end
        quote = _strip_possessive(text[start:end])
        entity = _strip_possessive(text[tokens[name[0]].start : tokens[name[-1]].end])
        out.append(
            Suggestion(
                start=start,
                end=start + len(quote),
                quote=quote,
                type="actor",
                entity_name=entity,
                aliases=[quote] if quote != entity else [],
                reason="honorific",
            )
        )
        taken.update(range(i, name[-1] + 1))

    # 2. Runs of capitalised words (organisations, people without a title).
    i = 0
    while i < n:
        if i in taken or not _is_cap(tokens[i]) or _in_spans(tokens[i].start, titles):
            i += 1
            continue
        run = [i]
        k = i + 1
        while k < n and k not in taken and not _possessive(tokens[run[-1]]):
            cur = tokens[k]
            if not _joined(text, tokens[k - 1], cur):
                break
            if _is_cap(cur):
                run.append(k)
                k += 1
                continue
            # "Ministry of Foreign Affairs": a connector between capitalised words.
            if (
                cur.low in _CONNECTORS
                and k + 1 < n
                and (k + 1) not in taken
                and _is_cap(tokens[k + 1])
                and _joined(text, cur, tokens[k + 1])
            ):
                run.append(k)
                k += 1
                continue
            break
        i = k
        while run and (tokens[run[0]].low in _LEADING or tokens[run[0]].low in _CALENDAR):
            run.pop(0)
        while run and (
            tokens[run[-1]].low in _CONNECTORS
            or _strip_possessive(tokens[run[-1]].low) in _CALENDAR
        ):
            run.pop()
        caps = [tokens[r] for r in run if _is_cap(tokens[r])]
        if len(caps) < 2 or all(w.text.isupper() for w in caps):
            continue
        words = [_strip_possessive(tokens[r].text) for r in run]
        before = tokens[run[0] - 1].low if run[0] > 0 else ""
        if before == "the" and run[0] > 1:
            before = tokens[run[0] - 2].low
        if words[-1] in _PLACE_WORDS or (
            before in _PLACE_BEFORE and not any(w in _ORG_WORDS for w in words)
        ):
            continue  # "in Los Angeles", "Rakhine State": a place
        start = tokens[run[0]].start
        quote = _strip_possessive(text[start : tokens[run[-1]].end])
        acro = long_names.get(quote.casefold())
        out.append(
            Suggestion(
                start=start,
                end=start + len(quote),
                quote=quote,
                type="actor",
                entity_name=acro or quote,
                aliases=[quote] if acro else [],
                reason="capitalised",
            )
        )
        taken.update(run)

    # 3. Acronyms.
    for i, tok in enumerate(tokens):
        word = tok.text
        if i in taken or not (2 <= len(word) <= 6 and word.isupper() and word.isalpha()):
            continue
        if word in _NOT_ACRONYMS or text[tok.end : tok.end + 1] in {"—", "–"}:
            continue  # "YANGON—": a dateline
        # A shouted headline word is not an acronym: its neighbours are upper case too.
        near = [tokens[j].text for j in (i - 1, i + 1) if 0 <= j < n]
        if any(w.isupper() and w.isalpha() and len(w) > 1 for w in near):
            continue
        out.append(
            Suggestion(
                start=tok.start,
                end=tok.end,
                quote=word,
                type="actor",
                entity_name=word,
                aliases=[defined[word]] if word in defined else [],
                reason="acronym",
            )
        )

    # 4. Burmese script: ဦး / ဒေါ် followed by a name (cut at a syllable boundary).
    ends = [t.end for t in tokens]  # Burmese tokens are syllables
    for m in _BURMESE_NAME.finditer(text):
        end = snap(ends, m.end(2), forward=False)
        if end - m.start(2) < 2 or _DOLLAR.match(text, m.start()):
            continue
        out.append(
            Suggestion(
                start=m.start(),
                end=end,
                quote=text[m.start() : end],
                type="actor",
                entity_name=text[m.start(2) : end],
                aliases=[text[m.start() : end]],
                reason="honorific",
            )
        )
    credits = credit_spans(text)
    return [a for a in out if not any(s < a.end and a.start < e for s, e in credits)]


# -- figures ---------------------------------------------------------------------


# Quantity words that are a figure only with what they count ("thousands of
# refugees"); alone ("Thousands have joined") they claim no number.
_QUANTITY_WORDS = {
    "dozens", "scores", "hundreds", "thousands", "millions", "tens", "lakhs", "crores",
}  # fmt: skip


def _figures(text: str, tokens: list[Token], published: str | None) -> list[Suggestion]:
    out = []
    for fig in find_figures(text, tokens):
        if not fig.has_qualifier and not fig.counted:
            continue  # a bare number: too often an age, a count of pages, ...
        words = text[fig.number_start : fig.number_end].lower().split()
        if not fig.counted and words and words[-1] in _QUANTITY_WORDS:
            continue  # "Thousands have joined": no number is claimed
        head = (fig.counted or "").split()[:1]
        if head and head[0].lower() in _TIME_UNITS:
            continue  # "nearly 30 years": a duration, not a figure
        number = text[fig.number_start : fig.number_end].lower()
        if number in {"one", "a", "an"} and not fig.has_qualifier:
            continue
        out.append(
            Suggestion(
                start=fig.start,
                end=fig.end,
                quote=text[fig.start : fig.end],
                type="figure",
                value=fig.value,
                qualifier=fig.qualifier,
                counted=fig.counted,
                reason="figure",
                as_of=annotate.figure_defaults("", published).get("as_of"),
            )
        )
    return out


# -- events ----------------------------------------------------------------------

_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH_RE})\s(?P<d1>[12]?\d|3[01])(?:st|nd|rd|th)?(?:,?\s(?P<y1>(?:19|20)\d\d))?"
    rf"|(?P<d2>[12]?\d|3[01])(?:st|nd|rd|th)?\s(?P<m2>{_MONTH_RE})(?:,?\s(?P<y2>(?:19|20)\d\d))?"
    rf"|(?P<m3>{_MONTH_RE})\s(?P<y3>(?:19|20)\d\d)"
    r"|(?P<on>[Oo]n\s)(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
    r"(?![-/]\d)"
)
_CLAUSE_BREAK = re.compile(r",\s|;\s|:\s|\s[—–-]\s|[“”\"()\[\]]")
# A full stop ends a sentence unless it ends "Mr.", "U.", "Feb." or "Sept.".
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z][a-z])(?<!\b[A-Z])"
    r"(?<!Jan)(?<!Feb)(?<!Mar)(?<!Apr)(?<!Jun)(?<!Jul)(?<!Aug)(?<!Sep)(?<!Sept)(?<!Oct)(?<!Nov)"
    r"(?<!Dec)(?<!Gen)(?<!Col)(?<!Capt)(?<!Prof)(?<!Sgt)(?<!Mrs)"
    r"[.!?](?=\s|$)|\n"
)


def _published_date(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10]) if len(published) >= 10 else None
    except ValueError:
        return None


def _month_number(name: str) -> int:
    return _MONTH_NUMBERS[name.rstrip(".").lower()]


def _resolve(match: re.Match[str], published: str | None) -> str | None:
    """The ISO date a date expression means, read against the article's date."""
    pub = _published_date(published)
    pub_year = int(published[:4]) if published and published[:4].isdigit() else None
    g = match.groupdict()
    try:
        if g["wd"]:
            if pub is None:
                return None
            back = (pub.weekday() - _WEEKDAYS.index(g["wd"].lower())) % 7
            return (pub - timedelta(days=back)).isoformat()
        if g["m3"]:
            return f"{int(g['y3']):04d}-{_month_number(g['m3']):02d}"
        month = _month_number(g["m1"] or g["m2"])
        day = int(g["d1"] or g["d2"])
        year_text = g["y1"] or g["y2"]
        if year_text:
            return date(int(year_text), month, day).isoformat()
        if pub_year is None:
            return None
        candidate = date(pub_year, month, day)
        # A day later than the article's date without a year is last year's.
        if pub is not None and candidate > pub + timedelta(days=7):
            candidate = date(pub_year - 1, month, day)
        return candidate.isoformat()
    except ValueError:
        return None


def _sentence_bounds(text: str, pos: int, end: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE_END.finditer(text, max(0, pos - 600), pos):
        start = m.end()
    after = _SENTENCE_END.search(text, end)
    stop = after.start() if after else len(text)
    while start < pos and text[start].isspace():
        start += 1
    return start, stop


def _lower_words(chunk: str) -> int:
    return sum(1 for w in re.findall(r"[^\W\d_]+", chunk) if w[0].islower())


def _events(text: str, published: str | None) -> list[Suggestion]:
    titles = _title_lines(text)
    out: list[Suggestion] = []
    for m in _DATE.finditer(text):
        d_start = m.start("wd") if m.group("wd") else m.start()
        d_end = m.end()
        if _in_spans(d_start, titles) or "published" in text[max(0, d_start - 25) : d_start]:
            continue
        s_start, s_end = _sentence_bounds(text, d_start, d_end)
        # The clause around the date, within the sentence.
        c_start, c_end = s_start, s_end
        for b in _CLAUSE_BREAK.finditer(text, s_start, s_end):
            if b.end() <= d_start:
                c_start = b.end()
            elif b.start() >= d_end:
                c_end = b.start()
                break
        around = text[c_start:d_start] + " " + text[d_end:c_end]
        if len(re.findall(r"[^\W\d_]+", around)) < 4:
            # "On Feb 9, Khun Aung Ko Ko ... told a crowd": the happening follows.
            c_end = s_end
            quote_mark = re.search(r"[“\":]", text[d_end:s_end])
            if quote_mark:
                c_end = d_end + quote_mark.start()
            if c_end - c_start > 200:
                cut = text.rfind(" ", c_start, c_start + 200)
                c_end = cut if cut > d_end else c_end
        while c_end > c_start and text[c_end - 1] in " ,;:—–-":
            c_end -= 1
        chunk = text[c_start:d_start] + " " + text[d_end:c_end]
        if _lower_words(chunk) < 4:
            continue
        if out and out[-1].start == c_start and out[-1].end == c_end:
            continue
        out.append(
            Suggestion(
                start=c_start,
                end=c_end,
                quote=text[c_start:c_end],
                type="event",
                date=_resolve(m, published),
                reason="dated clause",
                as_of=_resolve(m, published),
            )
        )
    return out


# -- entry points --------------------------------------------------------------------


def suggest(
    text: str,
    published: str | None = None,
    *,
    existing: Iterable[tuple[int, int, str]] = (),
    types: Iterable[str] | None = None,
) -> list[Suggestion]:
    """Candidate annotations for `text`, in text order.

    `published` (ISO date) resolves dates like "Feb. 1" to a year. `existing`
    holds (start, end, type) of annotations already made: a suggestion that
    overlaps one of the same type is left out. `types` limits the kinds
    proposed (actor, event, figure).
    """
    wanted = set(types) if types is not None else {"actor", "event", "figure"}
    tokens = tokenize(text)
    found: list[Suggestion] = []
    if "figure" in wanted:
        found += _figures(text, tokens, published)
    if "actor" in wanted:
        found += _actors(text, tokens)
    if "event" in wanted:
        found += _events(text, published)
    by_type: dict[str, list[tuple[int, int]]] = {}
    for s, e, t in existing:
        by_type.setdefault(t, []).append((s, e))
    result = [
        sug
        for sug in found
        if sug.end > sug.start
        and not any(s < sug.end and sug.start < e for s, e in by_type.get(sug.type, ()))
    ]
    if result and not text.isascii():
        # A span never starts or ends inside a grapheme cluster or a Burmese syllable
        # (hypothesis found an honorific read inside "္่ဦး", a cluster that begins with
        # stray marks): such a suggestion is dropped, never offered cut.
        whole = set(grapheme_bounds(text)) & set(syllable_bounds(text))
        result = [sug for sug in result if sug.start in whole and sug.end in whole]
    result.sort(key=lambda s: (s.start, s.end, s.type))
    return result


def suggest_for_article(
    archive: Archive, article_id: str, *, types: Iterable[str] | None = None
) -> list[Suggestion]:
    """Suggestions for an article of the archive, leaving out spans already tagged."""
    with archive.session() as session:
        article = annotate._article(session, article_id)
        spans = session.exec(
            select(
                models.Annotation.start, models.Annotation.end, models.Annotation.type_key
            ).where(models.Annotation.article_id == article.id)
        ).all()
        text, published = article.text, article.published
    existing = [(int(a), int(b), str(t)) for a, b, t in spans]
    return suggest(text, published, existing=existing, types=types)


@dataclass
class SuggestionGroup:
    """The suggestions of one entity ("CDM" ten times: one group of ten mentions), or a
    figure or an event alone. `members` are in text order."""

    type: str
    entity_name: str | None
    members: list[Suggestion]

    @property
    def first(self) -> Suggestion:
        """The first mention (the one the group is listed by)."""
        return self.members[0]

    @property
    def count(self) -> int:
        """How many mentions the group holds."""
        return len(self.members)

    @property
    def label(self) -> str:
        """How the group is listed: "CDM ×10", or a lone suggestion's quote."""
        if self.count == 1:
            return self.first.quote
        return f"{self.entity_name or self.first.quote} ×{self.count}"

    @property
    def aliases(self) -> list[str]:
        """Every other name its mentions give the entity, in order, once each."""
        seen: list[str] = []
        for sug in self.members:
            for name in [*sug.aliases, sug.quote]:
                if name != self.entity_name and name not in seen:
                    seen.append(name)
        return seen

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the first mention's fields, the count and every mention."""
        return self.first.to_dict() | {
            "label": self.label,
            "count": self.count,
            "mentions": [m.to_dict() for m in self.members],
        }


def group_suggestions(suggestions: Iterable[Suggestion]) -> list[SuggestionGroup]:
    """Suggestions gathered by entity: every actor mention proposing one entity name (as
    `entities.norm_name` compares names) is one group; figures and events stay alone.
    Groups are in the order of their first mention."""
    groups: list[SuggestionGroup] = []
    by_key: dict[tuple[str, str], SuggestionGroup] = {}
    for sug in suggestions:
        key = entities.norm_name(sug.entity_name or "") if sug.type == "actor" else ""
        if not key:
            groups.append(SuggestionGroup(sug.type, sug.entity_name, [sug]))
            continue
        group = by_key.get((sug.type, key))
        if group is None:
            group = by_key[(sug.type, key)] = SuggestionGroup(sug.type, sug.entity_name, [])
            groups.append(group)
        group.members.append(sug)
    return groups


def suggest_groups(
    archive: Archive, article_id: str, *, types: Iterable[str] | None = None
) -> list[SuggestionGroup]:
    """`suggest_for_article`, grouped by entity (`group_suggestions`)."""
    return group_suggestions(suggest_for_article(archive, article_id, types=types))


def _accept(
    ch: Change, article: models.Article, suggestion: Suggestion, overrides: dict[str, Any]
) -> models.Annotation:
    if article.text[suggestion.start : suggestion.end] != suggestion.quote:
        raise InvalidInput(
            f"The suggestion {suggestion.quote!r} no longer matches the article's text; "
            "ask for suggestions again."
        )
    fields: dict[str, Any] = {
        "entity_name": suggestion.entity_name,
        "entity_aliases": suggestion.aliases,
        "value": suggestion.value,
        "qualifier": suggestion.qualifier,
        "counted": suggestion.counted,
        # A figure's as-of (the published date), an event's date as this source
        # gives it (the entity may hold a range).
        "as_of": suggestion.as_of or suggestion.date,
        "note": "",
    }
    fields.update(overrides)
    if "entity_id" in overrides:
        fields.pop("entity_name", None)
        fields.pop("entity_aliases", None)
    start = fields.pop("start", suggestion.start)
    end = fields.pop("end", suggestion.end)
    type_key = fields.pop("type_key", suggestion.type)
    return annotate.create_annotation(
        ch, article.id, start, end, type_key, origin="suggestion", **fields
    )


def accept_suggestion(
    target: Archive | Change,
    article_id: str,
    suggestion: Suggestion,
    *,
    sync: bool = True,
    **overrides: Any,
) -> models.Annotation:
    """Make the annotation a suggestion proposes (origin "suggestion").

    `overrides` change what is recorded: start, end, type_key, entity_id or
    entity_name, note, value, qualifier, counted, as_of.
    """
    label = f"Accept suggestion {suggestion.quote[:40]!r}"
    with changing(target, label, "suggestion", sync=sync) as ch:
        article = annotate._article(ch.session, article_id)
        return _accept(ch, article, suggestion, overrides)


def accept_suggestions(
    target: Archive | Change,
    article_id: str,
    suggestions: Iterable[Suggestion],
    *,
    sync: bool = True,
    **overrides: Any,
) -> list[models.Annotation]:
    """Accept several suggestions in one change (all or none).

    `overrides` (as `accept_suggestion` takes them, but not the span) apply to
    every one: the mentions of a group accepted with an edited entity.
    """
    chosen = list(suggestions)
    if {"start", "end"} & set(overrides):
        raise InvalidInput("One span cannot override several suggestions.")
    label = f"Accept {len(chosen)} suggestion(s)"
    with changing(target, label, "suggestion", sync=sync) as ch:
        article = annotate._article(ch.session, article_id)
        return [_accept(ch, article, s, overrides) for s in chosen]


def accept_group(
    target: Archive | Change,
    article_id: str,
    group: SuggestionGroup,
    mentions: Iterable[int] | None = None,
    *,
    sync: bool = True,
) -> list[models.Annotation]:
    """Accept a group's mentions (`mentions`: 0-based positions in `group.members`; None
    for all) in one change, every one linked to the one entity with all its names."""
    picked = sorted(set(range(group.count) if mentions is None else mentions))
    if not picked or not all(0 <= k < group.count for k in picked):
        raise InvalidInput(
            f"{group.label!r} has {group.count} mention(s); choose among 1 to {group.count}."
        )
    overrides: dict[str, Any] = {}
    if group.type == "actor" and group.entity_name:
        overrides = {"entity_name": group.entity_name, "entity_aliases": group.aliases}
    chosen = [group.members[k] for k in picked]
    return accept_suggestions(target, article_id, chosen, sync=sync, **overrides)
