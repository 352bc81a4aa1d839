"""Protected names replaced by consistent pseudonyms in an exported bundle.

A documenter may hand work to a colleague without revealing who a witness
is: every name and alias of the chosen entities becomes "Actor A", "Actor B",
... in article titles and texts, annotation quotes, context and notes, and in
the entity records. So does the exact quote of every passage tagged as one of
them (a spelling in another script, a rank and name): at the passage itself,
whatever it is, and wherever else it is written (if at least two characters),
so a person tagged under a Burmese spelling is not sent in clear. Offsets move
with the replacement (a span that starts or ends inside a replaced name widens
to the whole pseudonym), so annotations still point at their passage. The
original files still hold the real names, so an article whose text mentions a
protected name travels without its original, and the bundle carries no audit
entries (they quote names too); the manifest says both.

Names are matched without regard to case. A name written in a script with
spaces between words is replaced as a whole word only ("Aung" not inside
"Aungban"); one in a script written without them (Myanmar, Thai, Chinese, ...)
wherever it is, unless a combining mark follows (then it is another syllable).
"""

from __future__ import annotations

import bisect
import string
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from archive.errors import InvalidInput


@dataclass
class Rewritten:
    """A text with names replaced, and how to find old offsets in it."""

    text: str
    changed: bool
    # (old start, old end, new start, new end) of each replacement, in order.
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)

    def offset(self, old: int, *, end: bool = False) -> int:
        """Where an old offset is in the new text (inside a name: its start, or its end)."""
        starts = [s[0] for s in self.spans]
        i = bisect.bisect_right(starts, old) - 1
        if i < 0:
            return old
        o_start, o_end, n_start, n_end = self.spans[i]
        if old < o_end or (end and old == o_end):
            if old == o_start and not end:
                return n_start
            return n_end if end else n_start
        return old + (n_end - o_end)


# Scripts written without spaces between words: a name in one is found inside longer runs.
_UNSPACED = r"\p{Mymr}\p{Thai}\p{Laoo}\p{Khmr}\p{Hani}\p{Hira}\p{Kana}\p{Tibt}"
_WORD = rf"[[\p{{L}}\p{{M}}\p{{N}}]--[{_UNSPACED}]]"  # a letter of a script with spaces
_IS_WORD = regex.compile(rf"(?V1){_WORD}")
_IS_UNSPACED = regex.compile(rf"[{_UNSPACED}]")
MIN_QUOTE = 2  # a tagged quote shorter than this is replaced at its passage only


@dataclass(frozen=True)
class Passage:
    """A passage tagged as a protected entity: its article, offsets and exact quote."""

    article_id: str
    start: int
    end: int
    quote: str


def _edges(name: str) -> tuple[str, str]:
    """The word boundaries `name`'s script has: the lookbehind before it, the lookahead
    after it."""
    before = rf"(?<!{_WORD})" if _IS_WORD.match(name[0]) else ""
    if _IS_WORD.match(name[-1]):
        after = rf"(?!{_WORD})"
    elif _IS_UNSPACED.match(name[-1]):
        after = r"(?!\p{M})"
    else:
        after = ""
    return before, after


def _pattern(names: list[str], *, fold: bool = False) -> str:
    """One alternation per kind of boundaries, names longest first in each (an uncased
    Burmese name among English ones each with its own lookbehind made a rewrite 17x
    slower: 300 texts, 0.50 s, 0.03 s grouped); `fold`: names of any case."""
    kinds: dict[tuple[str, str], list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        body = regex.escape(name)
        if fold and any(c.lower() != c.upper() for c in name):
            body = f"(?i:{body})"
        kinds.setdefault(_edges(name), []).append(body)
    return "(?V1)" + "|".join(
        f"{before}(?:{'|'.join(bodies)}){after}" for (before, after), bodies in kinds.items()
    )


class Pseudonyms:
    """The replacement of each protected name, applied the same way everywhere."""

    def __init__(
        self,
        entities: Iterable[tuple[str, str, list[str]]],
        passages: Iterable[Iterable[Passage]] = (),
    ) -> None:
        """`entities`: (type label, name, aliases) of each entity to protect; `passages`:
        for each of them, in the same order, the passages tagged as it."""
        self.by_name: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        # Article id -> (start, end, quote, pseudonym) of its protected passages.
        self.passages: dict[str, list[tuple[int, int, str, str]]] = {}
        counters: dict[str, int] = {}
        tagged = iter(passages)
        for label, name, aliases in entities:
            n = counters.get(label, 0)
            counters[label] = n + 1
            letters = string.ascii_uppercase
            tag = letters[n] if n < 26 else f"{letters[n // 26 - 1]}{letters[n % 26]}"
            pseudonym = f"{label} {tag}"
            written = [name, *aliases]
            for p in next(tagged, ()):
                self.passages.setdefault(p.article_id, []).append(
                    (p.start, p.end, p.quote, pseudonym)
                )
                if len(p.quote.strip()) >= MIN_QUOTE:
                    written.append(p.quote.strip())
            for w in written:
                if w.strip() and w.casefold() not in self._folded:
                    self.by_name[w] = pseudonym
                    self._folded[w.casefold()] = pseudonym
        if not self.by_name:
            raise InvalidInput("Choose at least one entity to replace with a pseudonym.")
        names = sorted(self.by_name, key=len, reverse=True)
        # Matched in the lower-cased text (same length, so the same offsets): IGNORECASE
        # made a rewrite 77x slower (2,000 texts of 2.6 kB, 62 names: 4.2 s, 0.07 s).
        lowered = sorted({n.lower() for n in names}, key=len, reverse=True)
        self._lower = {n.lower(): p for n, p in reversed(self.by_name.items())}
        self.pattern = regex.compile(_pattern(lowered))
        # For the rare text whose lower case is not as long ("İ"): case folded as it goes.
        self._folding = _pattern(names, fold=True)

    def pseudonym_of(self, name: str) -> str | None:
        return self._folded.get(name.casefold())

    def _pseudonym_of_match(self, found: str) -> str:
        known = self._folded.get(found.casefold())
        if known is not None:
            return known
        # Case folding that changes the length ("ß", "ss"): the name matching it.
        for name, pseudonym in self.by_name.items():
            if regex.fullmatch("(?V1i)" + regex.escape(name), found):
                return pseudonym
        return next(iter(self.by_name.values()))

    def rewrite(self, text: str, article_id: str | None = None) -> Rewritten:
        """`text` with every protected name replaced; with `article_id`, the passages of
        that article tagged as a protected entity too (those whose quote is still there)."""
        lower = text.lower()
        if len(lower) == len(text):
            found = [
                (
                    m.start(),
                    m.end(),
                    self._lower.get(m.group(0)) or self._pseudonym_of_match(m.group(0)),
                )
                for m in self.pattern.finditer(lower)
            ]
        else:
            found = [
                (m.start(), m.end(), self._pseudonym_of_match(m.group(0)))
                for m in regex.finditer(self._folding, text)
            ]
        if article_id is not None:
            found += [
                (s, e, p)
                for s, e, q, p in self.passages.get(article_id, ())
                if e > s and text[s:e] == q
            ]
            found.sort(key=lambda f: (f[0], -f[1]))
        merged: list[tuple[int, int, str]] = []
        for s, e, p in found:
            if merged and s < merged[-1][1]:  # overlapping: one replacement for both
                ms, me, mp = merged[-1]
                merged[-1] = (ms, max(me, e), mp)
            else:
                merged.append((s, e, p))
        out: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        last = 0
        length = 0
        for start, end, new in merged:
            out.append(text[last:start])
            length += start - last
            spans.append((start, end, length, length + len(new)))
            out.append(new)
            length += len(new)
            last = end
        out.append(text[last:])
        return Rewritten("".join(out), bool(spans), spans)

    def plain(self, text: str) -> str:
        """`text` with every protected name replaced (no offsets needed)."""
        return self.rewrite(text).text
