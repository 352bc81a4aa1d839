"""Parse query strings into Whoosh queries, with helpful errors and bounded expansion."""

from __future__ import annotations

import re
from typing import Any

import regex
from whoosh import query as wq
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
)

from archive.errors import InvalidInput
from archive.search.analysis import SPACELESS_RE, fold, stemmer
from archive.search.matchers import FastPhrase
from archive.search.schema import QUERY_FIELDS, VOCABULARY_FIELDS, build_schema

# Fields searched by words without a field prefix, and their weights.
DEFAULT_FIELDS = ("title", "text", "text_ngram", "entity", "note")
FIELD_BOOSTS = {"title": 2.0, "text": 1.0, "text_ngram": 1.0, "entity": 0.5, "note": 0.5}
ALIASES = {
    "lang": ["language"],
    "byline": ["author", "by"],
    "note": ["notes"],
    "collection": ["case"],
    "tag": ["tags", "type"],
}
# Filters a caller (a facet click) can add: key -> index field.
FILTER_FIELDS = {
    "source": "f_source",
    "year": "year",
    "lang": "lang",
    "tag": "tag",
    "entity": "f_entity",
    "status": "status",
    "verification": "verification",
    "claim": "claim",
    "flag": "flag",
}
# Filters whose values are lower-cased words.
_LOWER_FILTERS = ("lang", "tag", "status", "verification", "claim", "flag")


class QueryError(InvalidInput):
    """A query that cannot be understood; the message says how to fix it."""


_FIELD_PREFIX = re.compile(r"(?<![\w\"])([A-Za-z_]+):(?=\S)")
_KNOWN = set(QUERY_FIELDS) | {a for names in ALIASES.values() for a in names}
_DATE_HELP = (
    "Write dates as YYYY, YYYY-MM or YYYY-MM-DD, e.g. published:[2021-03-01 TO 2021-03-31]."
)
_MINUS = re.compile(r"(?<!\S)-(?=[^\s-])")
# A field name with nothing after its colon (`title:`, `title: police`).
_EMPTY_FIELD = re.compile(r"(?<![\w\"])([A-Za-z_]+):(?=\s|\)|$)")
_YEAR = re.compile(r"\d{4}")
_RANGE_TEXT = re.compile(r"([A-Za-z_]+):\[\s*([^\]\s]+)\s+TO\s+([^\]\s]+)\s*\]", re.IGNORECASE)


def _field_example(name: str) -> str:
    """`name:` with an example value, for messages."""
    canonical = next((f for f, names in ALIASES.items() if name.lower() in names), name.lower())
    described = QUERY_FIELDS.get(canonical, "")
    if "e.g. " in described:
        return described.split("e.g. ", 1)[1]
    return f'{name.lower()}:word or {name.lower()}:"a phrase" ({described})'


_HELP = "Known fields: " + ", ".join(f"{name}:" for name in QUERY_FIELDS) + "."


def _check_syntax(text: str) -> None:
    """Catch the mistakes Whoosh's forgiving parser would silently reinterpret."""
    if not text.strip():
        raise QueryError("The query is empty. Type some words to search for.")
    if text.count('"') % 2:
        raise QueryError(
            'A quotation mark is not closed. Put phrases between two ", e.g. "more than 600".'
        )
    # A phrase counts as one word here: `"more than" AND p*` is well formed.
    outside = re.sub(r'"[^"]*"', "_phrase_", text)
    depth = 0
    for ch in outside:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError("A closing parenthesis ')' has no opening '('.")
    if depth:
        raise QueryError("A parenthesis '(' is not closed with ')'.")
    if outside.count("[") != outside.count("]"):
        raise QueryError("A date range is not closed: write published:[2021-03-01 TO 2021-03-31].")
    for match in _FIELD_PREFIX.finditer(outside):
        name = match.group(1)
        if name.lower() not in _KNOWN and not name.isdigit():
            raise QueryError(f"Unknown field {name}:. {_HELP}")
    for match in _EMPTY_FIELD.finditer(outside):
        name = match.group(1)
        if name.lower() in _KNOWN:
            raise QueryError(
                f"Nothing follows {name}: — put what to look for right after the colon, "
                f"with no space: {_field_example(name)}."
            )
    words = outside.split()
    if words and (words[0] in ("AND", "OR") or words[-1] in ("AND", "OR", "NOT")):
        raise QueryError(
            "AND, OR and NOT need a word on each side, e.g. police AND Yangon, police NOT army."
        )


_VOCABULARY = re.compile(
    r"(?<![\w\"])(" + "|".join(VOCABULARY_FIELDS) + r"):([^\s()\"]+)", re.IGNORECASE
)


def _vocabulary_word(field: str, value: str) -> str:
    """A value of a vocabulary field as indexed ("In-Review" -> "in_review"), or QueryError."""
    word = value.lower().replace("-", "_")
    allowed = VOCABULARY_FIELDS[field.lower()]
    if word not in allowed:
        raise QueryError(f"{field}:{value} is not known; write {field}: with {', '.join(allowed)}.")
    return word


def _vocabularies(text: str) -> str:
    """Review fields (`status:In-Review`) checked against their vocabulary and written as
    indexed, outside quotes."""
    parts = re.split(r'("[^"]*")', text)
    return "".join(
        p
        if p.startswith('"')
        else _VOCABULARY.sub(
            lambda m: f"{m.group(1)}:{_vocabulary_word(m.group(1), m.group(2))}", p
        )
        for p in parts
    )


def _minus_to_not(text: str) -> str:
    """`-word` (outside quotes) means NOT word, as in web search engines."""
    parts = re.split(r'("[^"]*")', text)
    return "".join(p if p.startswith('"') else _MINUS.sub("NOT ", p) for p in parts)


# `~` or `~N` right after a Burmese, Thai or CJK run, and `*` at either end of one
# (outside quotes).
_RUN = SPACELESS_RE.pattern
_SPACELESS_OPERATORS = regex.compile(
    rf"(?<={_RUN})~\d*|(?<={_RUN})\*+(?=[\s)]|$)|(?:(?<=^)|(?<=[\s(:]))\*+(?={_RUN})",
    regex.VERSION1,
)


def _spaceless_as_pieces(text: str) -> str:
    """`ရဲတပ်ဖွဲ့ဝင်~`, `လေကြောင်း*` and `*ကြောင်း` searched as the run itself.

    A spaceless run is indexed as character n-grams, never as a word, so a fuzzy
    term or a prefix longer than an n-gram matched nothing, not even the run spelled
    exactly. The run itself is matched wherever it stands, inside longer words too:
    what a prefix or a suffix asks for (a run's spellings have no word list to be
    near to). A `*` inside a run is left as it is.
    """
    parts = re.split(r'("[^"]*")', text)
    return "".join(p if p.startswith('"') else _SPACELESS_OPERATORS.sub("", p) for p in parts)


def _script_aware_phrase(
    fieldname: str,
    words: list[str],
    slop: int = 1,
    boost: float = 1.0,
    char_ranges: list[tuple[int | None, int | None]] | None = None,
) -> wq.Query:
    """A phrase whose n-gram runs are matched run by run.

    N-grams take their character offset as position, so the runs of a
    phrase like "ရဲ ဖမ်း" (two words, a space between) are not consecutive
    positions: each contiguous run is its own phrase, all of them required.
    """
    ranges = char_ranges or []
    if len(ranges) != len(words) or any(r[0] is None for r in ranges):
        return FastPhrase(fieldname, words, slop=slop, boost=boost)
    plain: list[str] = []
    runs: list[list[str]] = []
    last_start: int | None = None
    for word, (start, _) in zip(words, ranges, strict=True):
        if not SPACELESS_RE.match(word):
            plain.append(word)
            last_start = None
            continue
        if last_start is not None and start == last_start + 1 and runs:
            runs[-1].append(word)
        else:
            runs.append([word])
        last_start = start
    parts: list[wq.Query] = []
    for group in ([plain] if plain else []) + runs:
        if len(group) == 1:
            parts.append(wq.Term(fieldname, group[0], boost=boost))
        else:
            parts.append(FastPhrase(fieldname, group, slop=slop, boost=boost))
    if len(parts) == 1:
        return parts[0]
    return wq.And(parts)


class _Parser:
    """One configured Whoosh parser (parsers are cheap but not free to build)."""

    def __init__(self) -> None:
        self.schema = build_schema()
        parser = MultifieldParser(list(DEFAULT_FIELDS), self.schema, fieldboosts=FIELD_BOOSTS)
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(GtLtPlugin())
        parser.add_plugin(FieldAliasPlugin(ALIASES))
        parser.phraseclass = _script_aware_phrase
        self.parser = parser


_PARSER: _Parser | None = None


def parse_query(text: str, filters: dict[str, str] | None = None) -> wq.Query:
    """The Whoosh query for `text`; raises `QueryError` with a fix for bad input."""
    global _PARSER
    _check_syntax(text)
    if _PARSER is None:
        _PARSER = _Parser()
    # Whoosh lower-cases field names itself but not these; be forgiving.
    normalised = _FIELD_PREFIX.sub(lambda m: m.group(1).lower() + ":", text)
    normalised = _spaceless_as_pieces(_minus_to_not(_vocabularies(normalised)))
    try:
        q = _PARSER.parser.parse(normalised)
    except Exception as exc:  # Whoosh raises assorted errors on odd input
        if "published:" in normalised:
            raise QueryError(f"A date could not be read ({exc}). {_DATE_HELP}") from exc
        raise QueryError(f"The query could not be understood ({exc}). {_HELP}") from exc
    _raise_errors(q)
    _check_values(q, text)
    if q is wq.NullQuery or type(q).__name__ == "_NullQuery":
        raise QueryError(
            "The query has no words that can be searched for. Type a word, a phrase in "
            "quotes, or a field such as source:irrawaddy."
        )
    if filters:
        q = wq.And([q, filter_query(filters)])
    return q


def filter_query(filters: dict[str, str]) -> wq.Query:
    """Exact facet filters (as shown in `SearchResults.facets`), all required."""
    parts: list[wq.Query] = []
    for key, value in filters.items():
        if key == "collection":
            parts.append(wq.Phrase("collection", [fold(w) for w in value.split()]))
            continue
        field = FILTER_FIELDS.get(key)
        if field is None:
            raise QueryError(
                f"Unknown filter {key!r}; filters are {', '.join(sorted(FILTER_FIELDS))}."
            )
        if key in VOCABULARY_FIELDS:
            value = _vocabulary_word(key, value)
        parts.append(wq.Term(field, value.lower() if key in _LOWER_FILTERS else value))
    return wq.And(parts)


def _raise_errors(q: wq.Query) -> None:
    for node in _walk(q):
        error = getattr(node, "error", None)
        if error:
            message = str(error)
            if "date" in message.lower() or "published" in str(node):
                raise QueryError(f"A date could not be read ({message}). {_DATE_HELP}")
            raise QueryError(f"Part of the query could not be read ({message}). {_HELP}")


def _check_values(q: wq.Query, text: str) -> None:
    """Values no article can have: a year that is not one, a range that ends before it starts.

    Whoosh searched them and found nothing, which reads as "no such articles".
    """
    for node in _walk(q):
        if getattr(node, "fieldname", None) == "year":
            values = [getattr(node, a, None) for a in ("text", "start", "end")]
            for value in values:
                if isinstance(value, str) and not _YEAR.fullmatch(value):
                    raise QueryError(
                        f"year:{value} is not a year. Write four digits, e.g. year:2021, "
                        "or a range, e.g. year:[2015 TO 2024]."
                    )
        if isinstance(node, (wq.NumericRange, wq.TermRange)):
            start, end = node.start, node.end
            if start is not None and end is not None and start > end:
                shown = next(
                    (
                        (m.group(1), m.group(2), m.group(3))
                        for m in _RANGE_TEXT.finditer(text)
                        if m.group(1).lower() == node.fieldname
                    ),
                    (node.fieldname, str(start), str(end)),
                )
                name, first, last = shown
                raise QueryError(
                    f"The range {name}:[{first} TO {last}] ends before it starts. "
                    f"Write the earlier value first: {name}:[{last} TO {first}]."
                )


def _walk(q: wq.Query) -> Any:
    yield q
    for child in q.children():
        yield from _walk(child)


# Fields whose words are stemmed (in the article's language).
STEMMED_FIELDS = ("text", "title", "note")


def stem_for_languages(q: wq.Query, langs: list[str]) -> wq.Query:
    """Stem the words of stemmed fields in each language of the index (OR of the forms).

    Query words reach here unstemmed: "Demonstrant" must match the German
    stem of a German article and the English stem of an English one.
    """

    def forms(word: str) -> list[str]:
        if SPACELESS_RE.match(word):
            return [word]  # an n-gram: never stemmed
        return list(dict.fromkeys(stemmer(lang)(word) for lang in langs))

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname in STEMMED_FIELDS:
            variants = forms(node.text)
            if len(variants) == 1:
                return wq.Term(node.fieldname, variants[0], boost=node.boost)
            return wq.Or([wq.Term(node.fieldname, v, boost=node.boost) for v in variants])
        if isinstance(node, wq.Phrase) and node.fieldname in STEMMED_FIELDS:
            phrases = list(
                dict.fromkeys(tuple(forms_in(word, lang) for word in node.words) for lang in langs)
            )
            made = [
                FastPhrase(node.fieldname, list(words), slop=node.slop, boost=node.boost)
                for words in phrases
            ]
            return made[0] if len(made) == 1 else wq.Or(made)
        return node

    def forms_in(word: str, lang: str) -> str:
        return word if SPACELESS_RE.match(word) else stemmer(lang)(word)

    return q.accept(fix)
