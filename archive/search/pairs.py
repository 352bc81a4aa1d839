"""Adjacent pairs of terms with a very common word (`text_bigrams`): fast exact phrases.

A phrase is matched by checking, in every article holding all its words,
that the words sit at consecutive positions. The positions of a very common
word are the expensive part: "the" is in nearly every article, about 45
times in each, and its postings (position, start and end of every
occurrence, for the snippets) are most of the index's bytes. At 50,000
articles reading them for the ~12,000 articles holding "the" and "city"
took about a second ("the city", "the said", "of seer the").

So each article also indexes, with their positions, the pairs of adjacent
terms of its text that have a word of `TOP` on either side ("the city",
"city of") or two words of `COMMON` ("whose own"): a two-word phrase with
such a pair is the postings of one term, and a longer phrase is checked on
the positions of its pairs (small postings) and of its other words only.
The words of a phrase whose neighbours are neither never need a common
word's positions.

The pairs come from the same terms and positions as the `text` field
(stems, in the article's language), and a query uses a pair only when
`is_link` says it is indexed, so a match is exact whatever the lists hold;
the lists only decide which phrases are fast. They are fixed: changing them
changes the index (bump `schema.SCHEMA_VERSION`).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterator

from archive.search.analysis import stemmer

BIGRAMS_FIELD = "text_bigrams"

# English function words (the most frequent words of English text, content
# words left out): a pair of two of them is indexed.
_COMMON = """
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
# The commonest words of English (news) text, about 40% of its words: a pair
# with one of them on either side is indexed, whatever the other word.
_TOP = """
a after all also an and are as at be been but by for from had has have he her his
i in into is it its more not of on one or said she than that the their there they
this to was we were which who will with would you
"""


def _with_stems(words: str) -> frozenset[str]:
    listed = words.split()
    return frozenset(set(listed) | {stemmer("en")(w) for w in listed})


COMMON: frozenset[str] = _with_stems(_COMMON)
TOP: frozenset[str] = _with_stems(_TOP)


def pair_term(first: str, second: str) -> str:
    """The `text_bigrams` term of two adjacent `text` terms."""
    return f"{first} {second}"


def is_link(first: str, second: str) -> bool:
    """Whether the pair of these two adjacent terms is indexed."""
    return first in TOP or second in TOP or (first in COMMON and second in COMMON)


def pair_positions(terms: list[str]) -> Iterator[tuple[str, list[int]]]:
    """(pair term, positions of its first term) of a text's terms in order."""
    found: dict[str, list[int]] = {}
    top, common = TOP, COMMON
    previous = None
    before_top = before_common = False
    for pos, term in enumerate(terms):
        in_top = term in top
        in_common = in_top or term in common
        if previous is not None and (in_top or before_top or (in_common and before_common)):
            key = f"{previous} {term}"
            at = found.get(key)
            if at is None:
                found[key] = [pos - 1]
            else:
                at.append(pos - 1)
        previous, before_top, before_common = term, in_top, in_common
    return iter(found.items())


# Posting values are 32-bit unsigned integers, little-endian, read without pickle.
_BIG_ENDIAN = sys.byteorder == "big"
if array("I").itemsize != 4:  # pragma: no cover - no platform CPython runs on today
    raise ImportError("archive.search.pairs needs 4-byte array('I') items")


def encode_positions(positions: list[int]) -> bytes:
    """A `text_bigrams` posting value: the positions, 4 bytes each, little-endian."""
    found = array("I", positions)
    if _BIG_ENDIAN:  # pragma: no cover
        found.byteswap()
    return found.tobytes()


def decode_positions(value: bytes) -> array[int]:
    """The positions of a `text_bigrams` posting value."""
    found = array("I")
    found.frombytes(value)
    if _BIG_ENDIAN:  # pragma: no cover
        found.byteswap()
    return found
