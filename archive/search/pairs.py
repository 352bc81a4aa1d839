"""Pairs of common words in a row (`text_pairs`): phrases like "of the" as one term.

A phrase is matched by checking, in every article holding all its words,
that the words sit at consecutive positions: about 20 µs an article in
Python. For a phrase of function words ("of the", "in the", "to be") that
is nearly every article (a second at 50,000). So each article also indexes
the pairs of adjacent terms of its text whose two terms are both in
`COMMON` (function words), once per pair with its count: the phrase
"of the" is then the postings of one term, and a longer phrase ("one of
the most") reads only the articles that hold all its common pairs.

The pairs come from the same terms and positions as the `text` field
(stems, in the article's language), and a query looks a pair up only when
both of its terms are in `COMMON`, so the match is exact whatever the list
holds; the list only decides which phrases are fast. It is fixed: changing
it changes the index (bump `schema.SCHEMA_VERSION`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from archive.search.analysis import stemmer

PAIRS_FIELD = "text_pairs"

# English function words (the most frequent words of English text, content
# words left out). Only pairs of these are indexed: about a quarter of the
# positions of English text, a third of the terms of `text_words`.
_WORDS = """
a about above after again against all also am among an and another any are as at
be because been before being below between both but by can could did do does doing
down during each even every few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just like many may
me might more most much must my myself never no nor not now of off on once one only
or other our ours out over own per same shall she should since so some such than
that the their theirs them themselves then there these they this those through
to too two under until up upon us very was we were what when where whether which
while who whom whose why will with within without would yet you your yours
"""
COMMON: frozenset[str] = frozenset(
    {w for w in _WORDS.split()} | {stemmer("en")(w) for w in _WORDS.split()}
)


def pair_term(first: str, second: str) -> str:
    """The `text_pairs` term of two adjacent `text` terms."""
    return f"{first} {second}"


def is_pair(first: str, second: str) -> bool:
    """Whether the pair of these two terms is indexed."""
    return first in COMMON and second in COMMON


def pair_counts(terms: list[str]) -> Iterator[tuple[str, int]]:
    """(pair term, occurrences) of a text's terms in order."""
    counts: Counter[str] = Counter()
    common = COMMON
    previous = None
    for term in terms:
        if term in common:
            if previous is not None:
                counts[f"{previous} {term}"] += 1
            previous = term
        else:
            previous = None
    return iter(counts.items())
