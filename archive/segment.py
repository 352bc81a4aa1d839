"""Text units in every script: grapheme clusters, Burmese syllables and figure tokens.

Burmese, Thai and Devanagari words carry combining vowel signs and
medials (Unicode Mn/Mc), so a word is a run of *grapheme clusters*
(`regex`'s ``\\X``), never a run of letters. Burmese and Thai are written
without spaces between words; there, tokens are smaller units that are
safe to cut between: Burmese syllables (the sylbreak rule: a syllable
starts at a consonant that carries no asat or stacker and follows no
stacker, or at an independent vowel, digit or symbol) and Thai grapheme
clusters. Every token boundary is therefore a grapheme boundary, and in
Burmese a syllable boundary, so no span built from tokens ends inside one.

`tokenize` gives the tokens the figure parser and the suggester read;
`grapheme_bounds` and `syllable_bounds` are for anything else that must
not cut a cluster (selection snapping, snippets); `line_breaks` says where a
line may wrap (in Burmese, between syllables), for text laid out to a width.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from itertools import pairwise
from typing import NamedTuple

import regex

# Scripts whose words are written without spaces: tokens are syllables (Burmese)
# or grapheme clusters (Thai, Lao, Khmer).
MYANMAR, THAI, OTHER = "my", "th", ""

_NUMBER = r"\d(?:[\d,\u066c]*\d)?(?:[.\u066b]\d+)?[A-Za-z]*"
# Burmese text often has the letter ဝ typed for the digit zero ၀ (they look alike):
# after a Burmese digit, a ဝ that starts no syllable ("၆ဝဝ", "၂ဝ၂၁") is a zero.
WA, ZERO = "\u101d", "\u1040"
_MY_NUMBER = (
    r"[\u1040-\u1049](?:[\u1040-\u1049,]*[\u1040-\u1049])?"
    r"(?:\u101d(?=[\u1040-\u1049\u101d]|[^\u1000-\u109f\uaa60-\uaa7f]|$)[\u1040-\u1049]*)+"
)
_LETTER = r"(?=[^\W\d_])"
_SEA = r"\p{Myanmar}\p{Thai}\p{Lao}\p{Khmer}"
_MY_RUN = rf"(?:{_LETTER}(?=\p{{Myanmar}})\X)+"
_TOKEN = regex.compile(
    rf"(?P<num>{_MY_NUMBER}|{_NUMBER})"
    # Plain ASCII words first, for speed; one followed by a letter or mark ("café"
    # written with a combining accent) is left to the general rule below.
    r"|(?P<a>(?>[A-Za-z]+(?:[-'’][A-Za-z]+)*)(?![^\W\d_]|[-'’][^\W\d_]))"
    r"|(?P<q>[!-/:-@\[-`{-~](?!\p{M}))"
    rf"|(?P<my>{_MY_RUN})"
    rf"|(?P<th>(?:{_LETTER}(?=[\p{{Thai}}\p{{Lao}}\p{{Khmer}}])\X)+)"
    # Other scripts: words, hyphenated words, possessives ("Min's", "twenty-five").
    rf"|(?P<w>(?:{_LETTER}(?![{_SEA}])\X)+(?:[-'’](?:{_LETTER}(?![{_SEA}])\X)+)*)"
    r"|(?P<p>(?!\s)\X)"  # punctuation, one cluster at a time
)
_MARK = regex.compile(r"\p{M}")
_GRAPHEME = regex.compile(r"\X")

# Burmese: the asat (kills a consonant's vowel) and the stacker (stacks the next one).
_ASAT, _STACKER = "\u103a", "\u1039"


class Token(NamedTuple):
    """A word, syllable, number or punctuation mark with its code-point span."""

    text: str
    start: int
    end: int
    low: str  # lower case and NFC, computed once
    script: str = OTHER  # MYANMAR or THAI for the unspaced scripts' units


def _low(text: str) -> str:
    return text.lower() if text.isascii() else unicodedata.normalize("NFC", text).lower()


# A Burmese syllable starts at a character that is no mark, follows no stacker and
# carries no asat or stacker (which would make it the final of the syllable before:
# "ကျော" + "င်း"). Unicode keeps some vowel signs (ာ, း) out of the grapheme
# cluster before; as marks they stay in the syllable.
_SYLLABLE_START = regex.compile(r"(?<!\u1039)(?=[^\p{M}\u200c\u200d](?!\u1037?[\u103a\u1039]))")


def _myanmar_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The syllables of the Burmese run `text[start:end]`, as spans."""
    cuts = [start] + [m.start() for m in _SYLLABLE_START.finditer(text, start + 1, end)]
    return list(zip(cuts, [*cuts[1:], end], strict=True))


# Text with none of these has one character per grapheme cluster and none of the
# unspaced scripts: `re`'s simpler, faster rule gives the very same tokens there
# (most English articles; a property test in test_figures_scripts.py holds it).
_NEEDS_CLUSTERS = regex.compile(
    r"[\p{M}\p{Cf}\p{No}\p{Nl}\p{Other_Alphabetic}\p{Myanmar}\p{Thai}\p{Lao}\p{Khmer}"
    r"\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=SpacingMark}"
    r"\p{Grapheme_Cluster_Break=Prepend}\p{Grapheme_Cluster_Break=ZWJ}"
    r"\p{Grapheme_Cluster_Break=Regional_Indicator}\p{Grapheme_Cluster_Break=L}"
    r"\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}"
    r"\u203f\u2040\u2054\ufe33\ufe34\ufe4d-\ufe4f\uff3f\x1c-\x1f]"
)
_SIMPLE_TOKEN = re.compile(rf"{_NUMBER}|[^\W\d_]+(?:[-'’][^\W\d_]+)*|\S")


def tokenize(text: str) -> list[Token]:
    """Words, syllables, numbers and punctuation of `text` with their spans."""
    # The check reads each kind of character once; ASCII needs none but \x1c-\x1f
    # (whitespace to `re`, not to `regex`).
    rare = "".join(c for c in set(text) if c > "\x7f" or "\x1c" <= c <= "\x1f")
    if not rare:
        return tokenize_simple(text)
    # Characters newer than Python's own Unicode tables: `re` would not know them.
    if _NEEDS_CLUSTERS.search(rare) or any(unicodedata.category(c) == "Cn" for c in rare):
        return tokenize_clusters(text)
    return tokenize_simple(text)


def tokenize_simple(text: str) -> list[Token]:
    """`tokenize` for text whose every character is a grapheme cluster of its own."""
    make = tuple.__new__  # Token(...) without NamedTuple's slower __new__
    if unicodedata.is_normalized("NFC", text):
        return [
            make(Token, (w := m.group(), m.start(), m.end(), w.lower(), OTHER))
            for m in _SIMPLE_TOKEN.finditer(text)
        ]
    return [
        make(Token, (w := m.group(), m.start(), m.end(), _low(w), OTHER))
        for m in _SIMPLE_TOKEN.finditer(text)
    ]


def tokenize_clusters(text: str) -> list[Token]:
    """`tokenize` by grapheme clusters and Burmese syllables: any text."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "my":
            for s, e in _myanmar_units(text, m.start(), m.end()):
                tokens.append(Token(text[s:e], s, e, _low(text[s:e]), MYANMAR))
        elif kind == "th":
            for g in _GRAPHEME.finditer(text, m.start(), m.end()):
                tokens.append(Token(g.group(), g.start(), g.end(), _low(g.group()), THAI))
        elif kind == "a" or kind == "q":
            word = m.group()
            tokens.append(Token(word, m.start(), m.end(), word.lower()))
        else:
            word = m.group()
            tokens.append(Token(word, m.start(), m.end(), _low(word)))
    if _MARK.search(text):
        tokens = _whole_clusters(text, tokens)
    return tokens


def _whole_clusters(text: str, tokens: list[Token]) -> list[Token]:
    """Tokens widened to whole grapheme clusters: a stray mark joins what it follows.

    A combining mark after a space or a digit ("၆၀၀်") belongs to that
    cluster; the token it would start is dropped and the one it ends is widened.
    """
    bounds = set(grapheme_bounds(text))
    out: list[Token] = []
    for tok in tokens:
        if tok.start not in bounds:
            if out and out[-1].end == tok.start:
                last = out[-1]
                merged = text[last.start : tok.end]
                out[-1] = Token(merged, last.start, tok.end, _low(merged), last.script)
                continue
            start = tok.start
            while start < tok.end and start not in bounds:
                start += 1
            if start == tok.end:
                continue
            tok = Token(
                text[start : tok.end], start, tok.end, _low(text[start : tok.end]), tok.script
            )
        out.append(tok)
    for k, tok in enumerate(out):
        end = tok.end
        while end not in bounds:
            end += 1
        if end != tok.end:
            out[k] = Token(
                text[tok.start : end], tok.start, end, _low(text[tok.start : end]), tok.script
            )
    return out


def grapheme_bounds(text: str) -> list[int]:
    """Every grapheme-cluster boundary of `text`, 0 and len(text) included."""
    return [0] + [m.end() for m in _GRAPHEME.finditer(text)]


def syllable_bounds(text: str) -> list[int]:
    """Boundaries that cut no grapheme cluster and, in Burmese, no syllable."""
    bounds = set(grapheme_bounds(text))
    for tok in tokenize(text):
        if tok.script == MYANMAR:
            bounds.difference_update(range(tok.start + 1, tok.end))
    return sorted(bounds)


def snap(bounds: list[int], pos: int, *, forward: bool) -> int:
    """The boundary at `pos`, else the next (forward) or previous one in `bounds`."""
    k = bisect_left(bounds, pos)
    if k < len(bounds) and bounds[k] == pos:
        return pos
    if forward:
        return bounds[min(k, len(bounds) - 1)]
    return bounds[max(k - 1, 0)]


_MYANMAR_CHAR = regex.compile(r"\p{Myanmar}")
_SPACE_RUN = regex.compile(r"\s+")


def line_breaks(text: str) -> list[int]:
    """Where a line of `text` may wrap, in order: after a run of spaces, and in Burmese
    (written without spaces between words) between two syllables, a number being one
    unit and a full stop or comma (။ ၊) staying with what it ends. Never inside a
    syllable: a layout without a Burmese dictionary (Qt's) cuts "ထွက်" as "ထွ|က်"."""
    points = {m.end() for m in _SPACE_RUN.finditer(text) if m.end() < len(text)}
    if _MYANMAR_CHAR.search(text):
        for a, b in pairwise(tokenize(text)):
            if (
                a.end == b.start
                and _MYANMAR_CHAR.match(text, a.end - 1)
                and _MYANMAR_CHAR.match(text, b.start)
                and b.text not in ("\u104a", "\u104b")
            ):
                points.add(b.start)
    return sorted(points)
