"""The Whoosh schema of the search index (DESIGN "Search").

Only `id` and `rev` are stored: titles, dates and snippet text are read from
SQLite, which keeps the index small and keeps article text out of it in
readable form beyond the terms themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import formats
from whoosh.analysis import RegexTokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, FieldType, Schema
from whoosh.system import pack_uint

from archive.search.analysis import (
    folded_words,
    name_analyzer,
    ngram_analyzer,
    text_analyzer,
    text_terms,
    title_analyzer,
)
from archive.search.pairs import pair_counts
from archive.search.positions import PackedCharacters

# Bump when the schema or the analysers change: an index of another version is rebuilt.
# 3: `text_words`, the words of the text as written, for wildcards and fuzzy terms.
# 4: review fields (archive.review): `status`, `assignee`, `verification`, `claim`, `flag`.
# 5: `text_pairs`, adjacent pairs of common words, for fast exact phrases (search.pairs).
# 6: (withdrawn: `text_bigrams`; never trusted again.)
# 7: article text's positions packed as arrays (search.positions), blocks pickled at protocol 5.
SCHEMA_VERSION = 7

# Fields a query may name, with what each holds (shown in error messages).
QUERY_FIELDS: dict[str, str] = {
    "title": "words of the title",
    "source": "the publication",
    "byline": "the author",
    "lang": "language code, e.g. lang:my",
    "collection": "a collection name",
    "tag": "a tag type present, e.g. tag:figure",
    "actor": "an actor's name or alias",
    "event": "an event's name or alias",
    "figure": "a figure's name",
    "entity": "any entity name",
    "note": "words of annotation notes",
    "published": "a date or range, e.g. published:[2021-03-01 TO 2021-03-31]",
    "year": "year of publication, e.g. year:2021",
    "text": "words of the article text",
    "status": "review status: unread, in_review, reviewed, relevant, not_relevant",
    "assignee": "who reviews the article, e.g. assignee:aung",
    "verification": "the article's verification: unverified, corroborated, verified, disputed",
    "claim": "a passage's claim verification, e.g. claim:disputed",
    "flag": "flag:sensitive (the article or one of its passages)",
}

# Fields whose values are a fixed vocabulary (a query naming another value is refused).
VOCABULARY_FIELDS: dict[str, tuple[str, ...]] = {
    "status": ("unread", "in_review", "reviewed", "relevant", "not_relevant"),
    "verification": ("unverified", "corroborated", "verified", "disputed"),
    "claim": ("unverified", "corroborated", "verified", "disputed"),
    "flag": ("sensitive",),
}

# Entity name fields for the built-in tag types; other types go to `entity` only.
ENTITY_FIELDS = ("actor", "event", "figure")

# Values of multi-valued facet keyword fields are joined with this separator.
SEP = "\x1f"


def _text(analyzer: object, chars: bool = False, **kw: object) -> TEXT:
    field = TEXT(analyzer=analyzer, chars=chars, **kw)
    if chars:  # positions and character spans, packed (read fast by phrases and snippets)
        field.format = PackedCharacters(field_boost=field.format.field_boost)
    # A word that analyses into several tokens ("e-mail", a Burmese word cut
    # into n-grams) must match those tokens in a row.
    field.multitoken_query = "phrase"
    return field


def _facet() -> TEXT:
    """Exact values joined by SEP, one term each: the keys that facets count."""
    return TEXT(analyzer=RegexTokenizer(r"[^\x1f]+"), phrase=False)


class _UnscoredTerms(FieldType):
    """A field of terms built by its own `index`: not scored, stored or unique."""

    def __init__(self, format: formats.Format) -> None:
        self.format = format
        self.analyzer = name_analyzer()
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None


class WordSet(_UnscoredTerms):
    """Each distinct word of a text once: folded, not stemmed, no positions.

    Wildcards and fuzzy terms match words as written ("relation" for
    `*tion`, whose stem in `text` is "relat"). Only the set of words is
    indexed, reusing the words the `text` field's analysis just folded and
    bypassing Whoosh's token objects. Not scorable: with field lengths the
    commit looked up a length per posting, two thirds of this field's cost.
    """

    def __init__(self) -> None:
        super().__init__(formats.Existence())

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        for word in folded_words(value):
            yield word.encode("utf-8"), 1, 1.0, b""


class PairSet(_UnscoredTerms):
    """The pairs of adjacent common terms of a text, each once with its count (`pairs`).

    Built from the terms the `text` field's analysis just made (same stems,
    same positions), so "of the" here is exactly the phrase there. Not
    scorable, as `WordSet`: a phrase is scored from the counts alone.
    """

    def __init__(self) -> None:
        super().__init__(formats.Frequency())

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        for pair, freq in pair_counts(text_terms(value)):
            yield pair.encode("utf-8"), freq, float(freq), pack_uint(freq)


def build_schema() -> Schema:
    """A fresh schema object (Whoosh mutates field objects, so never share one)."""
    return Schema(
        id=ID(stored=True, unique=True),
        rev=ID(stored=True),
        title=_text(title_analyzer(), field_boost=2.0),
        text=_text(text_analyzer(), chars=True),
        text_ngram=_text(ngram_analyzer(), chars=True),
        text_words=WordSet(),
        text_pairs=PairSet(),
        source=_text(name_analyzer()),
        byline=_text(name_analyzer()),
        published=DATETIME(sortable=True),
        year=ID(),
        lang=ID(),
        collection=_text(name_analyzer()),
        tag=KEYWORD(lowercase=True, commas=True, scorable=False),
        actor=_text(name_analyzer()),
        event=_text(name_analyzer()),
        figure=_text(name_analyzer()),
        entity=_text(name_analyzer()),
        note=_text(title_analyzer()),
        # Review (archive.review): exact words of a vocabulary, and the assignee's name.
        status=KEYWORD(lowercase=True, scorable=False),
        assignee=_text(name_analyzer()),
        verification=KEYWORD(lowercase=True, scorable=False),
        claim=KEYWORD(lowercase=True, commas=True, scorable=False),
        flag=KEYWORD(lowercase=True, commas=True, scorable=False),
        # Facet keys: exact values, one term each, never analysed.
        f_source=_facet(),
        f_entity=_facet(),
    )
