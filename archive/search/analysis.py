"""Text analysis for the search index: words, accent folding, n-grams.

Two kinds of script need two kinds of tokens. Scripts that separate words
with spaces (Latin, Cyrillic, Arabic, Devanagari, ...) become words, folded
and stemmed. Scripts written without spaces between words (Burmese, Thai,
Lao, Khmer, Chinese, Japanese) become character n-grams, and only their runs
are cut into n-grams: an n-gram copy of all text made English indexing ten
times slower (issue 3). Every token keeps its code-point offsets into the
article text, so matches can be highlighted without re-tokenising.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import regex
from whoosh.analysis import Composable, Filter, StemFilter, Token, Tokenizer
from whoosh.lang import has_stemmer

# Scripts written without spaces between words; their punctuation and spaces
# are excluded so that "။" or "、" ends a run.
_SPACELESS = (
    r"[[\p{Myanmar}\p{Thai}\p{Lao}\p{Khmer}\p{Han}\p{Hiragana}\p{Katakana}\u30fc\u3005]"
    r"--[\p{P}\p{Z}\p{S}]]"
)
# Word characters include combining marks (Arabic harakat, Indic vowel signs),
# which Python's \w leaves out and which would otherwise split words.
_WORDCH = r"[[\p{L}\p{N}\p{M}]--" + _SPACELESS + "]"
WORD_RE = regex.compile(rf"{_WORDCH}+(?:[.'’]{_WORDCH}+)*", regex.VERSION1)
SPACELESS_RE = regex.compile(rf"{_SPACELESS}+", regex.VERSION1)
_BOTH_RE = regex.compile(rf"({_SPACELESS}+)|{_WORDCH}+(?:[.'’]{_WORDCH}+)*", regex.VERSION1)
# Han and kana carry meaning in one character, so they also get 1-grams;
# a single Burmese or Thai code point means nothing on its own.
_SINGLE_OK_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]", regex.VERSION1)

# Marks that are decoration rather than spelling: Latin/Greek/Cyrillic
# diacritics, Hebrew points, Arabic harakat and tatweel. Indic and Burmese
# vowel signs are spelling and stay.
_FOLDABLE_MARKS = regex.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    r"\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u0640]"
)


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """Lower-case `word` and strip its accents: "Café" -> "cafe", "Straße" -> "strasse"."""
    word = word.casefold()
    if word.isascii():
        return word
    stripped = _FOLDABLE_MARKS.sub("", unicodedata.normalize("NFKD", word))
    return unicodedata.normalize("NFC", stripped)


class WordTokenizer(Tokenizer):
    """Words of space-separated scripts; runs of spaceless scripts are skipped."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Wildcard and fuzzy text from the query parser: one token as typed.
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for match in WORD_RE.finditer(value):
            t.text = match.group()
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


def _ngrams(
    t: Token, run: str, offset: int, positions: bool, chars: bool, query: bool
) -> Iterator[Token]:
    """Character 2- and 3-grams of one spaceless run (plus 1-grams for Han/kana).

    The position of an n-gram is its start offset, so a query's consecutive
    3-grams form a phrase that matches exactly the runs containing the word.
    """
    n = len(run)
    if query:
        # A query needs only the 3-grams in a row (or the whole run if shorter).
        size = min(3, n)
        sizes: tuple[int, ...] = (size,)
    else:
        sizes = (1, 2, 3) if _SINGLE_OK_RE.search(run) else (2, 3)
        if n == 1:
            sizes = (1,)
    for i in range(n):
        for size in sizes:
            if i + size > n:
                break
            t.text = run[i : i + size]
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = offset + i
            if chars:
                t.startchar = offset + i
                t.endchar = offset + i + size
            yield t


class NgramRunTokenizer(Tokenizer):
    """Character n-grams of the runs of spaceless scripts only."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            yield t
            return
        query = mode == "query"
        for match in SPACELESS_RE.finditer(value):
            yield from _ngrams(
                t, match.group(), start_char + match.start(), positions, chars, query
            )


class MixedTokenizer(Tokenizer):
    """Words and n-grams in one field (titles, notes, names): both kinds of script."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            yield t
            return
        query = mode == "query"
        # Words count positions one by one; n-grams use their char offset
        # shifted past the words, so phrases of either kind stay consecutive.
        pos = start_pos
        for match in _BOTH_RE.finditer(value):
            if match.group(1):
                base = 1_000_000 + match.start()
                yield from _ngrams(t, match.group(1), base, positions, False, query)
                continue
            t.text = match.group()
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


class FoldFilter(Filter):
    """Lower-case and strip accents (see `fold`); n-grams pass through lower-cased."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def _stemmer(lang: str) -> StemFilter:
    return StemFilter(lang=lang, cachesize=50_000)


def text_analyzer() -> Composable:
    """Article text: words, folded and stemmed (English)."""
    return WordTokenizer() | FoldFilter() | _stemmer("en")


def ngram_analyzer() -> Composable:
    """Article text: n-grams of Burmese, Thai, Lao, Khmer, Chinese and Japanese runs."""
    return NgramRunTokenizer() | FoldFilter()


def title_analyzer() -> Composable:
    """Titles and notes: folded, stemmed words plus n-grams of spaceless runs."""
    return MixedTokenizer() | FoldFilter() | _stemmer("en")


def name_analyzer() -> Composable:
    """Names (sources, bylines, entities, collections): folded words and n-grams, no stemming."""
    return MixedTokenizer() | FoldFilter()


def stemmer_available(lang: str) -> bool:
    """Whether Whoosh has a stemmer for the ISO language code `lang`."""
    return bool(lang) and has_stemmer(lang)
