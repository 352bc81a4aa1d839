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

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import regex
from whoosh.analysis import Composable, Token, Tokenizer
from whoosh.lang import has_stemmer, languages, stemmer_for_language

from archive.search.positions import pack

# Scripts written without spaces between words; their punctuation and spaces
# are excluded so that "။" or "、" ends a run.
_SPACELESS = (
    r"[[\p{Myanmar}\p{Thai}\p{Lao}\p{Khmer}\p{Han}\p{Hiragana}\p{Katakana}\u30fc\u3005]"
    r"--[\p{P}\p{Z}\p{S}]]"
)
SPACELESS_RE = regex.compile(rf"{_SPACELESS}+", regex.VERSION1)
# Han and kana carry meaning in one character, so they also get 1-grams;
# a single Burmese or Thai code point means nothing on its own.
_SINGLE_OK_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]", regex.VERSION1)


# Word characters include combining marks (Arabic harakat, Indic vowel signs),
# which Python's \w leaves out and which would otherwise split words: the
# blocks of scripts that use marks are listed whole (a class of every mark
# made scanning five times slower). The standard `re` module does the
# scanning (four times faster than `regex` here); the rare tokens that
# contain a spaceless script are split after.
_WORDCH = (
    "[\\w\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0963\u0966-\u0dff"
    "\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f]"
)
WORD_RE = re.compile(rf"{_WORDCH}+(?:[.'’]{_WORDCH}+)*")

# Marks that are decoration rather than spelling: Latin/Greek/Cyrillic
# diacritics, Hebrew points, Arabic harakat and tatweel. Indic and Burmese
# vowel signs are spelling and stay.
_FOLDABLE_MARKS = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u0640]"
)


def fold(word: str) -> str:
    """Lower-case `word` and strip its accents: "Café" -> "cafe", "Straße" -> "strasse"."""
    folded = _FOLD_CACHE.get(word)
    if folded is None:
        folded = word.casefold()
        if not folded.isascii():
            stripped = _FOLDABLE_MARKS.sub("", unicodedata.normalize("NFKD", folded))
            folded = unicodedata.normalize("NFC", stripped)
        if len(_FOLD_CACHE) > 200_000:
            _FOLD_CACHE.clear()
        _FOLD_CACHE[word] = folded
    return folded


_FOLD_CACHE: dict[str, str] = {}
# Per stemmer language: word as written -> (folded, term) (`character_postings`).
_TERM_CACHE: dict[str, dict[str, tuple[str, str]]] = {}


class Stemmer:
    """A language's stemmer with a plain dict cache (Whoosh's LRU wrapper costs more)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._stem = stemmer_for_language(lang)
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            stem = self._stem(word)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[word] = stem
        return stem

    def __getstate__(self) -> dict[str, Any]:
        # Pickled into the index's schema and to writer processes: no cache.
        return {"lang": self.lang}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["lang"])  # type: ignore[misc]


# Languages Whoosh has stemmers for (Snowball); others are stemmed as English.
STEM_LANGUAGES = frozenset(lang for lang in languages if has_stemmer(lang))


class LangText(str):
    """Text that knows its language, so the analyser can pick the stemmer.

    Whoosh analysers see only the field value; an article's language
    travels with the value (and through pickling to writer processes).
    """

    lang: str

    def __new__(cls, value: str, lang: str | None) -> LangText:
        obj = super().__new__(cls, value)
        obj.lang = (lang or "").lower()
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (LangText, (str(self), self.lang))


def stemmer(lang: str) -> Stemmer:
    """The shared stemmer of `lang` (a Whoosh stemmer language)."""
    found = _STEMMERS.get(lang)
    if found is None:
        found = _STEMMERS[lang] = Stemmer(lang)
    return found


_STEMMERS: dict[str, Stemmer] = {}


def warm_stems(folded: Iterable[str], lang: str = "en") -> None:
    """Stem these folded words into `lang`'s stemmer cache (the idle worker's warm-up)."""
    stem = stemmer(lang)
    for word in folded:
        stem(word)


def words(value: str) -> Iterator[tuple[str, int, int]]:
    """(word, start, end) for the words of space-separated scripts in `value`."""
    search_spaceless = SPACELESS_RE.search
    for match in WORD_RE.finditer(value):
        word = match.group()
        if word.isascii() or not search_spaceless(word):
            yield word, match.start(), match.end()
            continue
        # A word touching a spaceless run ("NLDပါတီ"): keep only the other parts.
        base = match.start()
        last = 0
        for run in SPACELESS_RE.finditer(word):
            if run.start() > last:
                yield word[last : run.start()], base + last, base + run.start()
            last = run.end()
        if last < len(word):
            yield word[last:], base + last, match.end()


class WordTokenizer(Tokenizer):
    """Folded (and optionally stemmed) words; runs of spaceless scripts are skipped.

    Folding and stemming happen here rather than in chained filters: one
    Python generator per field instead of three measured 1.6 times faster.
    """

    def __init__(self, stem: str | None = None) -> None:
        self.stem = stem

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordTokenizer) and other.stem == self.stem

    @property
    def _stemmer(self) -> Stemmer | None:
        """The default stemmer (English), used when a text has no language of its own."""
        return stemmer(self.stem) if self.stem else None

    def _stemmer_for(self, value: str) -> Stemmer | None:
        if not self.stem:
            return None
        lang = getattr(value, "lang", None)
        if lang and lang in STEM_LANGUAGES:
            return stemmer(lang)
        return stemmer(self.stem)

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
        # Queries are stemmed later, in every language of the index
        # (`query.stem_for_languages`): the parser cannot know the language.
        stem = None if mode == "query" else self._stemmer_for(value)
        if not tokenize:
            # Wildcard and fuzzy text from the query parser: one token as typed.
            # Not stemmed: the query side compares with both forms.
            t.original = t.text = fold(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        folded: list[str] = []
        terms: list[str] = []
        for word, start, end in words(value):
            text = fold(word)
            folded.append(text)
            t.text = stem(text) if stem is not None else text
            terms.append(t.text)
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t
        _LAST_WORDS[:] = [value, folded, terms]

    def character_postings(
        self, value: str, boost: float
    ) -> Iterator[tuple[bytes, int, float, bytes]]:
        """The field's postings of `value` in one pass: what `PackedCharacters`
        (search.positions) makes of this tokenizer's tokens (term bytes, frequency, weight,
        positions and character spans encoded), without a token object per word.

        The text field's analysis was half of a bulk writer's document time
        (a generator per token, then `Characters.word_values` rebuilding each
        token's position and characters); tests/archive/search/
        test_postings_pool.py checks that both give the same postings.
        """
        stem = self._stemmer_for(value)
        # word as written -> (folded, term): one look-up per word instead of two caches.
        known = _TERM_CACHE.setdefault(stem.lang if stem is not None else "", {})
        if len(known) > 200_000:
            known.clear()
        seen: dict[str, list[tuple[int, int, int]]] = {}
        folded: list[str] = []
        terms: list[str] = []
        get = seen.get
        pos = 0
        search_spaceless = SPACELESS_RE.search
        for match in WORD_RE.finditer(value):
            word = match.group()
            if word.isascii() or not search_spaceless(word):
                found: Any = ((word, match.start(), match.end()),)
            else:  # a word touching a spaceless run: its other parts (as `words`)
                found = list(words(word))
                base = match.start()
                found = [(w, base + a, base + b) for w, a, b in found]
            for part, start, end in found:
                pair = known.get(part)
                if pair is None:
                    text = fold(part)
                    pair = known[part] = (text, stem(text) if stem is not None else text)
                text, term = pair
                folded.append(text)
                terms.append(term)
                spans = get(term)
                if spans is None:
                    seen[term] = [(pos, start, end)]
                else:
                    spans.append((pos, start, end))
                pos += 1
        _LAST_WORDS[:] = [value, folded, terms]
        for term, spans in seen.items():
            count = len(spans)
            ps, starts, ends = zip(*spans, strict=True)
            yield (term.encode("utf-8"), count, float(count) * boost, pack(ps, starts, ends))


# The folded words and the terms (stems) of the text analysed last: the
# `text_pairs` and `text_words` fields of the same document (analysed right
# after `text`, Whoosh goes by field name) reuse them instead of scanning the
# text again.
_LAST_WORDS: list[Any] = [None, [], []]


def folded_words(value: str) -> set[str]:
    """The distinct folded words of `value` (reusing the last analysis of the same object)."""
    last, folded, _ = _LAST_WORDS
    if last is value:
        return set(folded)
    return {fold(word) for word, _, _ in words(value)}


def text_terms(value: str) -> list[str]:
    """The terms of `value` in the `text` field, in order (the last analysis if the same)."""
    last, _, terms = _LAST_WORDS
    if last is value:
        return list(terms)
    return [t.text for t in text_analyzer()(value)]


def _ngrams(
    t: Token,
    run: str,
    offset: int,
    positions: bool,
    chars: bool,
    query: bool,
    pos_offset: int | None = None,
) -> Iterator[Token]:
    """Character 2- and 3-grams of one spaceless run (plus 1-grams for Han/kana).

    The position of an n-gram is its start offset, so a query's consecutive
    3-grams form a phrase that matches exactly the runs containing the word.
    """
    n = len(run)
    if pos_offset is None:
        pos_offset = offset
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
                t.pos = pos_offset + i
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


class MixedTokenizer(WordTokenizer):
    """Words and n-grams in one field (titles, notes, names): both kinds of script."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MixedTokenizer) and other.stem == self.stem

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
        yield from super().__call__(
            value,
            positions=positions,
            chars=chars,
            keeporiginal=keeporiginal,
            removestops=removestops,
            start_pos=start_pos,
            start_char=start_char,
            tokenize=tokenize,
            mode=mode,
            **kwargs,
        )
        if not tokenize:
            return
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        query = mode == "query"
        # N-gram positions sit far past the words so phrases of either kind stay
        # consecutive and each term's positions keep increasing.
        for match in SPACELESS_RE.finditer(value):
            yield from _ngrams(
                t,
                match.group(),
                start_char + match.start(),
                positions,
                chars,
                query,
                pos_offset=1_000_000 + match.start(),
            )


def text_analyzer() -> Composable:
    """Article text: words, folded and stemmed (English)."""
    return WordTokenizer(stem="en")


def ngram_analyzer() -> Composable:
    """Article text: n-grams of Burmese, Thai, Lao, Khmer, Chinese and Japanese runs."""
    return NgramRunTokenizer()


def title_analyzer() -> Composable:
    """Titles and notes: folded, stemmed words plus n-grams of spaceless runs."""
    return MixedTokenizer(stem="en")


def name_analyzer() -> Composable:
    """Names (sources, bylines, entities, collections): folded words and n-grams, no stemming."""
    return MixedTokenizer()
