"""Protected names replaced by consistent pseudonyms in an exported bundle.

A documenter may hand work to a colleague without revealing who a witness
is: every name and alias of the chosen entities becomes "Actor A", "Actor B",
... in article titles and texts, annotation quotes, context and notes, and in
the entity records. Offsets move with the replacement (a span that starts or
ends inside a replaced name widens to the whole pseudonym), so annotations
still point at their passage. The original files still hold the real names,
so an article whose text mentions a protected name travels without its
original, and the bundle carries no audit entries (they quote names too);
the manifest says both.
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


class Pseudonyms:
    """The replacement of each protected name, applied the same way everywhere."""

    def __init__(self, entities: Iterable[tuple[str, str, list[str]]]) -> None:
        """`entities`: (type label, name, aliases) of each entity to protect."""
        self.by_name: dict[str, str] = {}
        counters: dict[str, int] = {}
        for label, name, aliases in entities:
            n = counters.get(label, 0)
            counters[label] = n + 1
            letters = string.ascii_uppercase
            tag = letters[n] if n < 26 else f"{letters[n // 26 - 1]}{letters[n % 26]}"
            pseudonym = f"{label} {tag}"
            for written in (name, *aliases):
                if written.strip():
                    self.by_name[written] = pseudonym
        if not self.by_name:
            raise InvalidInput("Choose at least one entity to replace with a pseudonym.")
        names = sorted(self.by_name, key=len, reverse=True)
        # Whole words only: "Aung" is not replaced inside "Aungban".
        self.pattern = regex.compile(
            r"(?<![\p{L}\p{M}\p{N}])(?:"
            + "|".join(regex.escape(n) for n in names)
            + r")(?![\p{L}\p{M}\p{N}])"
        )

    def pseudonym_of(self, name: str) -> str | None:
        return self.by_name.get(name)

    def rewrite(self, text: str) -> Rewritten:
        """`text` with every protected name replaced."""
        out: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        last = 0
        length = 0
        for m in self.pattern.finditer(text):
            out.append(text[last : m.start()])
            length += m.start() - last
            new = self.by_name[m.group(0)]
            spans.append((m.start(), m.end(), length, length + len(new)))
            out.append(new)
            length += len(new)
            last = m.end()
        out.append(text[last:])
        return Rewritten("".join(out), bool(spans), spans)

    def plain(self, text: str) -> str:
        """`text` with every protected name replaced (no offsets needed)."""
        return self.rewrite(text).text
