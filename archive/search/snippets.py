"""Where a query matched in an article, and the passage to show.

Match offsets come from the character positions stored in the index
(`chars=True`): no re-tokenising of the text, which measured as most of the
cost of Whoosh's own highlighter. The text itself is read from SQLite.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import query as wq
from whoosh.reading import IndexReader

from archive.search.analysis import fold
from archive.search.analysis import words as text_words
from archive.search.expand import Expansion, WordTest
from archive.search.matchers import values_of
from archive.search.positions import PackedCharacters, characters

HIGHLIGHT_FIELDS = ("text", "text_ngram")
SNIPPET_CHARS = 240
MARK_OPEN, MARK_CLOSE = "[[", "]]"

Span = tuple[int, int]


def highlight_parts(q: wq.Query) -> tuple[set[tuple[str, str]], list[tuple[str, list[str]]]]:
    """(terms, phrases) of `q` in the highlighted fields, leaving out negated parts."""
    terms: set[tuple[str, str]] = set()
    phrases: list[tuple[str, list[str]]] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Phrase):
            if node.fieldname in HIGHLIGHT_FIELDS and node.words:
                phrases.append((node.fieldname, list(node.words)))
            return
        words = getattr(node, "words", None)
        if words is not None and not isinstance(node, wq.Phrase):  # ExpandedTerms
            if node.fieldname in HIGHLIGHT_FIELDS:
                terms.update((node.fieldname, w) for w in words)
            return
        if isinstance(node, wq.Term):
            if node.fieldname in HIGHLIGHT_FIELDS:
                terms.add((node.fieldname, node.text))
            return
        for child in node.children():
            walk(child)

    walk(q)
    return terms, phrases


def highlight_tests(q: wq.Query) -> list[WordTest]:
    """The word tests of the expanded terms of `q` in article text, leaving out negated parts."""
    tests: list[WordTest] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, Expansion):
            if node.highlight_field in HIGHLIGHT_FIELDS:
                tests.append(node.test)
            return
        for child in node.children():
            walk(child)

    walk(q)
    return tests


def word_spans(text: str, tests: list[WordTest]) -> list[Span]:
    """Spans of the words of `text` that a wildcard or fuzzy term matched.

    Read from the text itself (20 hits of ~600 words: about a millisecond
    each): the words matched may be thousands, too many to look up one by one.
    """
    if not tests or not text:
        return []
    found: list[Span] = []
    verdicts: dict[str, bool] = {}
    for word, start, end in text_words(text):
        ok = verdicts.get(word)  # by the word as written: no folding when seen before
        if ok is None:
            key = fold(word)
            ok = verdicts[word] = any(t.accepts(key) for t in tests)
        if ok:
            found.append((start, end))
    return found


def _chars(
    reader: IndexReader, field: str, word: str, docnums: list[int]
) -> dict[int, list[tuple[int, int, int]]]:
    """docnum -> [(pos, startchar, endchar)] of `word` for the (sorted) docnums.

    Read block by block (`matchers.values_of`), each document's spans sliced
    from its packed arrays (search.positions): Whoosh's skip_to and `value_as`
    loop in Python, which for a very common word's 20 documents ("the", ~45
    occurrences in each) was most of a phrase's snippets.
    """
    fmt = reader.schema[field].format
    decode = characters if isinstance(fmt, PackedCharacters) else fmt.decode_characters
    return {d: decode(v) for d, v in values_of(reader, field, word, docnums).items()}


def match_spans(
    reader: IndexReader, q: wq.Query, docnums: Iterable[int]
) -> dict[int, tuple[list[Span], list[Span]]]:
    """docnum -> (term spans, phrase spans) in code points of the article text."""
    ordered = sorted(set(docnums))
    result: dict[int, tuple[list[Span], list[Span]]] = {d: ([], []) for d in ordered}
    terms, phrases = highlight_parts(q)
    for field, word in terms:
        for docnum, chars in _chars(reader, field, word, ordered).items():
            result[docnum][0].extend((s, e) for _, s, e in chars)
    for field, words in phrases:
        per_word = [_chars(reader, field, w, ordered) for w in words]
        for docnum in ordered:
            lists = [pw.get(docnum) for pw in per_word]
            if not all(lists):
                continue
            result[docnum][1].extend(_phrase_spans(lists))  # type: ignore[arg-type]
    return result


def _phrase_spans(lists: list[list[tuple[int, int, int]]]) -> Iterator[Span]:
    """Spans where each word sits one position after the previous one."""
    by_pos = [{pos: (s, e) for pos, s, e in chars} for chars in lists]
    for pos, start, end in lists[0]:
        last_end = end
        for offset, table in enumerate(by_pos[1:], start=1):
            hit = table.get(pos + offset)
            if hit is None:
                break
            last_end = max(last_end, hit[1])
        else:
            yield (start, last_end)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, non-overlapping spans."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def make_snippet(text: str, spans: list[Span], preferred: list[Span]) -> dict[str, Any]:
    """The best passage of `text` around the matches, marked with [[ ]].

    Phrase matches (`preferred`) count three times, so the passage of
    "more than 600 police" is shown rather than a stray "police".
    """
    spans = merge_spans(spans + preferred)
    if not text:
        return {"snippet": "", "text": "", "start": 0, "spans": []}
    if not spans:
        start, end = 0, min(len(text), SNIPPET_CHARS)
    else:
        weight = {span: 1 for span in spans}
        for p in merge_spans(preferred):
            for span in spans:
                if span[0] <= p[0] < span[1]:
                    weight[span] = 3
        starts = [s for s, _ in spans]
        best, best_score = spans[0][0], -1
        for i, (s, _) in enumerate(spans):
            j = bisect_left(starts, s + SNIPPET_CHARS - 20)
            score = sum(weight[sp] for sp in spans[i:j])
            if score > best_score:
                best, best_score = s, score
        start = max(0, best - 60)
        end = min(len(text), start + SNIPPET_CHARS)
        start = max(0, min(start, end - SNIPPET_CHARS))
    start, end = _word_bounds(text, start, end)
    inside = [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]
    parts: list[str] = []
    rel: list[Span] = []
    cursor = start
    plain = text[start:end]
    for s, e in inside:
        parts.append(text[cursor:s])
        parts.append(MARK_OPEN + text[s:e] + MARK_CLOSE)
        rel.append((s - start, e - start))
        cursor = e
    parts.append(text[cursor:end])
    marked = "".join(parts)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return {
        "snippet": (prefix + marked + suffix).replace("\n", " "),
        "text": plain,
        "start": start,
        "spans": rel,
    }


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Move `start` forward and `end` back to whitespace, if there is some nearby."""
    if start > 0:
        for i in range(start, min(start + 25, end)):
            if text[i].isspace():
                start = i + 1
                break
    if end < len(text):
        for i in range(end - 1, max(end - 25, start), -1):
            if text[i].isspace():
                end = i
                break
    return start, end
