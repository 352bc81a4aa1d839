"""Sesame search beside SQLite FTS5 (and tantivy, when installed) on the same corpus (issue 15).

Generates N articles (default 10,000): English-like text drawn from a Zipf
vocabulary (real function words at the top ranks, then ~40,000 made-up
words with English endings such as -tion, -ing, -ly, so that `*tion` or
`th*` mean something), and about 3% Burmese articles. Every engine gets the
same texts and the same query mix; each query returns the top 20 (Sesame
with snippets and facets, FTS5 with snippet() and a count(*), tantivy with
its count). Printed per query kind: p50/p95/max in ms per engine, the
p95 ratios to Sesame, and the hits each engine reports divided by the
yardstick's (a brute-force scan of the generated words: 1.00 means every
matching article and no other; Sesame's stemming may give more than 1 for
plain words and phrases). Then how long a one-article change (a tag) takes
to show up in a search: right after the import, 1.2 s apart and in a burst.

    .venv/bin/python bench/compare_bench.py                # 10,000 articles
    .venv/bin/python bench/compare_bench.py 50000
    .venv/bin/python bench/compare_bench.py 2000 --queries 10
    .venv/bin/python bench/compare_bench.py 50000 --work /tmp/c50k --no-tags
        # builds the three indexes into /tmp/c50k once; later runs with the
        # same --work reuse them (the corpus is regenerated from its seed)

FTS5 has no leading or inner wildcards and no fuzzy terms: those rows
expand the pattern over FTS5's own vocabulary table (fts5vocab) in Python
and OR the words (the 1,000 most frequent at most; more is marked "at
least"), and the expansion is in the timing. tantivy runs only if
`import tantivy` works (it is not a dependency of Sesame).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import models
from archive.search.expand import edit_distance
from archive.store import Archive

FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "that",
    "for",
    "it",
    "was",
    "on",
    "with",
    "as",
    "he",
    "be",
    "by",
    "at",
    "this",
    "had",
    "not",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "her",
    "all",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
    "who",
    "will",
    "more",
    "no",
    "if",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
    "may",
    "then",
    "do",
    "first",
    "any",
    "my",
    "now",
    "such",
    "like",
    "our",
    "over",
    "man",
    "me",
    "even",
    "most",
    "made",
    "after",
    "also",
    "did",
    "many",
    "before",
    "must",
    "through",
    "back",
    "years",
    "where",
    "much",
    "your",
    "way",
    "well",
    "down",
    "should",
    "because",
    "each",
    "just",
    "those",
    "people",
    "how",
    "too",
    "little",
    "state",
    "good",
    "very",
    "make",
    "world",
    "still",
    "own",
    "see",
    "men",
    "work",
    "long",
    "get",
    "here",
    "between",
    "both",
    "life",
    "being",
    "under",
    "never",
    "day",
    "same",
    "another",
    "know",
    "while",
    "last",
    "might",
    "us",
    "great",
    "old",
    "year",
    "off",
    "come",
    "since",
    "against",
    "go",
    "came",
    "right",
    "used",
    "take",
    "three",
    "police",
    "army",
    "city",
    "government",
    "protest",
]
ENDINGS = [
    ("", 40),
    ("s", 15),
    ("ed", 8),
    ("ing", 8),
    ("tion", 7),
    ("er", 5),
    ("ly", 5),
    ("ment", 4),
    ("al", 4),
    ("ness", 2),
    ("ity", 2),
]
ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "y",
    "z",
    "br",
    "cl",
    "dr",
    "fl",
    "gr",
    "pl",
    "pr",
    "st",
    "th",
    "tr",
    "sh",
    "ch",
]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
BURMESE_WORDS = [
    "ရဲတပ်ဖွဲ့ဝင်",
    "ဆန္ဒပြသူ",
    "ဖမ်းဆီး",
    "မန္တလေး",
    "ရန်ကုန်",
    "သတင်း",
    "အစိုးရ",
    "မြို့",
    "စစ်တပ်",
    "လူထု",
    "ကျောင်းသား",
    "သပိတ်",
    "ပစ်ခတ်",
    "သေဆုံး",
    "ဒဏ်ရာ",
    "နေ့",
    "ညနေ",
    "အိမ်",
    "လမ်း",
    "ဆေးရုံ",
]
BURMESE_SHARE = 0.03
FTS5_MAX_TERMS = 1000
RUN = random.randrange(10**9)  # tag marks of this run (a reused archive has older ones)
VOCABULARY = 40_000


# -- the corpus --------------------------------------------------------------------


def make_vocabulary(rng: random.Random) -> list[str]:
    words = list(FUNCTION_WORDS)
    seen = set(words)
    endings = [e for e, _ in ENDINGS]
    weights = [w for _, w in ENDINGS]
    while len(words) < VOCABULARY:
        stem = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.choice((1, 2, 2, 3)))
        )
        word = stem + rng.choices(endings, weights)[0]
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Corpus:
    """Texts, titles and the yardstick's inverted index (word id -> article numbers)."""

    def __init__(self, count: int, seed: int = 15) -> None:
        rng = random.Random(seed)
        self.vocab = make_vocabulary(rng)
        cum: list[float] = []
        total = 0.0
        for rank in range(len(self.vocab)):
            total += 1 / (rank + 1)
            cum.append(total)
        self.postings: list[array] = [array("I") for _ in self.vocab]
        self.texts: list[str] = []
        self.burmese: list[int] = []
        for n in range(count):
            if rng.random() < BURMESE_SHARE:
                sentences = []
                for _ in range(rng.randint(8, 20)):
                    picked = rng.choices(BURMESE_WORDS, k=rng.randint(3, 8))
                    sentences.append(" ".join(picked) + "။")
                self.texts.append(" ".join(sentences))
                self.burmese.append(n)
                continue
            ids = rng.choices(range(len(self.vocab)), cum_weights=cum, k=rng.randint(300, 700))
            for wid in set(ids):
                self.postings[wid].append(n)
            words = [self.vocab[i] for i in ids]
            sentences = []
            for i in range(0, len(words), 14):
                chunk = words[i : i + 14]
                sentences.append(" ".join([chunk[0].capitalize(), *chunk[1:]]) + ".")
            self.texts.append(" ".join(sentences))
        self.word_id = {w: i for i, w in enumerate(self.vocab)}

    def title(self, n: int) -> str:
        return f"Report {n}"

    # The yardstick: matching article numbers by brute force over the generated words.

    def docs_of_words(self, words: list[str]) -> set[int]:
        found: set[int] = set()
        for w in words:
            wid = self.word_id.get(w)
            if wid is not None:
                found.update(self.postings[wid])
        return found

    def words_matching(self, rx: re.Pattern[str]) -> list[str]:
        return [w for w in self.vocab if rx.fullmatch(w)]

    def yard_glob(self, pattern: str) -> set[int]:
        if set(pattern) <= {"*"}:
            return set(range(len(self.texts)))
        rx = re.compile("".join(".*" if c == "*" else "." if c == "?" else c for c in pattern))
        return self.docs_of_words(self.words_matching(rx))

    def yard_fuzzy(self, word: str, edits: int = 1) -> set[int]:
        return self.docs_of_words([w for w in self.vocab if edit_distance(w, word, edits) <= edits])

    def yard_phrase(self, words: list[str]) -> set[int]:
        candidates: set[int] | None = None
        for w in words:
            docs = self.docs_of_words([w])
            candidates = docs if candidates is None else candidates & docs
        needle = " " + " ".join(words) + " "
        return {
            n
            for n in candidates or set()
            if needle in " " + self.texts[n].lower().replace(".", "") + " "
        }

    def yard_burmese(self, word: str) -> set[int]:
        return {n for n in self.burmese if word in self.texts[n]}


# -- the query mix -------------------------------------------------------------------


class Q:
    """One query: the text for each engine and its yardstick article set."""

    def __init__(self, kind: str, sesame: str, yard: set[int], **engines: Any) -> None:
        self.kind = kind
        self.sesame = sesame
        self.yard = yard
        self.engines = engines


def make_queries(corpus: Corpus, per_kind: int, rng: random.Random) -> list[Q]:
    vocab = corpus.vocab
    mid = vocab[100:3000]
    english = [n for n in range(len(corpus.texts)) if n not in set(corpus.burmese)]
    out: list[Q] = []

    def phrase(length: int) -> list[str]:
        words = corpus.texts[rng.choice(english)].lower().replace(".", "").split()
        i = rng.randrange(len(words) - length)
        return words[i : i + length]

    for _ in range(per_kind):
        w = rng.choice(mid)
        out.append(Q("term", w, corpus.docs_of_words([w]), fts=f'"{w}"', tv=("parse", w)))
        for length, kind in ((2, "phrase 2 words"), (3, "phrase 3 words")):
            p = phrase(length)
            text = " ".join(p)
            out.append(
                Q(
                    kind,
                    f'"{text}"',
                    corpus.yard_phrase(p),
                    fts=f'"{text}"',
                    tv=("parse", f'"{text}"'),
                )
            )
        a, b, c = rng.sample(mid, 3)
        out.append(
            Q(
                "OR of 3",
                f"{a} OR {b} OR {c}",
                corpus.docs_of_words([a, b, c]),
                fts=f"{a} OR {b} OR {c}",
                tv=("parse", f"{a} OR {b} OR {c}"),
            )
        )
        a, b = rng.choice(mid), rng.choice(vocab[20:200])
        yard = corpus.docs_of_words([a]) - corpus.docs_of_words([b])
        out.append(Q("NOT", f"{a} NOT {b}", yard, fts=f"{a} NOT {b}", tv=("parse", f"+{a} -{b}")))
        p = rng.choice(vocab[:20000])[:3]
        out.append(
            Q(
                "prefix 3 letters",
                f"{p}*",
                corpus.yard_glob(p + "*"),
                fts=f"{p}*",
                tv=("regex", p + ".*"),
            )
        )
        w = rng.choice(mid)
        j = rng.randrange(1, len(w))
        typo = w[:j] + ("x" if w[j] != "x" else "q") + w[j + 1 :]
        out.append(
            Q("fuzzy", f"{typo}~", corpus.yard_fuzzy(typo), fts=("fuzzy", typo), tv=("fuzzy", typo))
        )
        bw = rng.choice(BURMESE_WORDS)
        out.append(
            Q("Burmese", bw, corpus.yard_burmese(bw), fts=f'"{bw}"', tv=("parse", f'"{bw}"'))
        )
    for p in ("a", "th", "s", "co", "re"):
        out.append(
            Q(
                "short prefix",
                f"{p}*",
                corpus.yard_glob(p + "*"),
                fts=f"{p}*",
                tv=("regex", p + ".*"),
            )
        )
    for s in ("tion", "ing", "ment", "ly", "ness"):
        pat = f"*{s}"
        out.append(
            Q("leading *", pat, corpus.yard_glob(pat), fts=("glob", pat), tv=("regex", f".*{s}"))
        )
    for pat in ("*a*", "*ou*", "b*n", "th?s", "*ea?"):
        rx = pat.replace("*", ".*").replace("?", ".")
        out.append(Q("inner * ?", pat, corpus.yard_glob(pat), fts=("glob", pat), tv=("regex", rx)))
    for w in ("to~", "the~", "city~"):
        word = w[:-1]
        out.append(
            Q("fuzzy short", w, corpus.yard_fuzzy(word), fts=("fuzzy", word), tv=("fuzzy", word))
        )
    for p in ("of the", "in the", "to the", "and the", "on the"):
        out.append(
            Q(
                "common phrase",
                f'"{p}"',
                corpus.yard_phrase(p.split()),
                fts=f'"{p}"',
                tv=("parse", f'"{p}"'),
            )
        )
    out.append(Q("every (*)", "*", set(range(len(corpus.texts))), fts=("all",), tv=("all",)))
    return out


# -- engines ---------------------------------------------------------------------------


def build_sesame(path: Path, corpus: Corpus) -> tuple[Archive, float]:
    """Import-like: batches of 2,000 articles, each followed by a bulk index commit.

    As an import leaves it (several segments, no optimize), so that the tag
    timings below are "right after a big import". Returns the index seconds.
    """
    archive = Archive.open(path, create=True)
    archive.index.catch_up(force=True)
    indexing = 0.0
    for start in range(0, len(corpus.texts), 2000):
        for sub in range(start, min(start + 2000, len(corpus.texts)), 1000):
            with archive.change("bench corpus", sync=False) as ch:
                session = ch.session
                for n in range(sub, min(sub + 1000, len(corpus.texts))):
                    article = models.Article(
                        title=corpus.title(n),
                        text=corpus.texts[n],
                        source=f"Source {n % 37}",
                        published=f"{2000 + n % 24}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                        language="my" if n in corpus.burmese else "en",
                    )
                    session.add(article)  # the change queues it for the index
        started = time.perf_counter()
        archive.index.catch_up(force=True)
        indexing += time.perf_counter() - started
    return archive, indexing


def reuse_sesame(path: Path, size: int) -> Archive:
    """An archive built by an earlier run with the same --work (its index caught up)."""
    archive = Archive.open(path)
    started = time.perf_counter()
    archive.index.catch_up(force=True)  # rebuilt here if the index schema changed
    secs = time.perf_counter() - started
    if secs > 1:
        print(f"Sesame index caught up or rebuilt in {secs:.1f} s", flush=True)
    with archive.engine.connect() as conn:
        from sqlalchemy import text

        found = conn.execute(text("SELECT count(*) FROM article")).scalar_one()
    if found != size:
        raise SystemExit(f"{path} holds {found:,} articles, not {size:,}: use another --work")
    archive.index._warm_lexicons()  # as the idle worker does after an import
    return archive


def tag_latency(archive: Archive, rounds: int, spacing: float, skip: int = 0) -> list[float]:
    """ms from a one-article change to a search that shows it, changes `spacing` s apart.

    Each change is to an article not changed before in the run (`skip` past
    the earlier rounds' ones): its text is analysed afresh (the index keeps the
    analysis of articles tagged lately, as a documenter tags one article often).
    """
    from sqlmodel import select

    with archive.session() as session:
        ids = [
            a.id
            for a in session.exec(
                select(models.Article).order_by(models.Article.id).offset(skip).limit(rounds)
            )
        ]
    times = []
    for n, aid in enumerate(ids):
        if spacing:
            time.sleep(spacing)
        mark = f"tagmark{n}s{int(spacing * 10)}r{RUN}"
        with archive.change("bench tag", sync=False) as ch:
            article = ch.session.get(models.Article, aid)
            assert article is not None
            article.title = f"{article.title} {mark}"
        started = time.perf_counter()
        archive.sync_index()  # what tagging calls
        found = archive.index.search(f"title:{mark}", limit=1, facets=False).total
        times.append((time.perf_counter() - started) * 1000)
        assert found == 1, mark
    return times


def fts_tag_latency(conn: sqlite3.Connection, rounds: int, spacing: float) -> list[float]:
    """The yardstick: ms from an FTS5 row update (committed) to a MATCH that finds it."""
    times = []
    for n in range(rounds):
        if spacing:
            time.sleep(spacing)
        mark = f"ftsmark{n}s{int(spacing * 10)}r{RUN}"
        started = time.perf_counter()
        with conn:
            conn.execute("UPDATE fts SET title = title || ' ' || ? WHERE rowid = ?", (mark, n))
        found = conn.execute(_FTS_COUNT, (f"title:{mark}",)).fetchone()[0]
        times.append((time.perf_counter() - started) * 1000)
        assert found == 1, mark
    return times


def report_tags(archive: Archive, conn: sqlite3.Connection | None = None) -> None:
    """Tag rounds (right after the import, 1.2 s apart, in a burst); FTS5's after each."""
    print(f"segments after the import: {archive.index._segment_count()}")
    skip = 0
    for label, rounds, spacing in (
        ("right after the import, back to back", 10, 0.0),
        ("1.2 s apart (quick tagging)", 30, 1.2),
        ("in a burst, 0.2 s apart", 60, 0.2),
    ):
        load = os.getloadavg()[0]
        t = tag_latency(archive, rounds, spacing, skip)
        skip += rounds
        print(
            f"tag searchable, {label}: p50 {statistics.median(t):.1f} ms, "
            f"p95 {pct(t, 95):.1f} ms, max {max(t):.1f} ms ({rounds} changes, "
            f"load {load:.1f})",
            flush=True,
        )
        if conn is not None:
            f = fts_tag_latency(conn, rounds, spacing)
            print(
                f"  FTS5 yardstick, same spacing: p50 {statistics.median(f):.1f} ms, "
                f"p95 {pct(f, 95):.1f} ms, max {max(f):.1f} ms",
                flush=True,
            )
    print(f"segments after the tags: {archive.index._segment_count()}")


def run_sesame(archive: Archive, q: Q) -> int:
    results = archive.index.search(q.sesame, limit=20, facets=True)
    return results.total if results.total_exact else -results.total  # negative: "at least"


def build_fts(path: Path, corpus: Corpus) -> tuple[sqlite3.Connection, float]:
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='unicode61')")
    conn.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(fts, 'row')")
    started = time.perf_counter()
    with conn:
        conn.executemany(
            "INSERT INTO fts(rowid, title, text) VALUES (?, ?, ?)",
            ((n, corpus.title(n), t) for n, t in enumerate(corpus.texts)),
        )
    return conn, time.perf_counter() - started


_FTS_TOP = (
    "SELECT rowid, snippet(fts, 1, '[[', ']]', '…', 30) FROM fts WHERE fts MATCH ? "
    "ORDER BY rank LIMIT 20"
)
_FTS_COUNT = "SELECT count(*) FROM fts WHERE fts MATCH ?"


def run_fts(conn: sqlite3.Connection, q: Q) -> int:
    spec = q.engines["fts"]
    if isinstance(spec, tuple):
        if spec[0] == "all":
            conn.execute("SELECT rowid FROM fts LIMIT 20").fetchall()
            return int(conn.execute("SELECT count(*) FROM fts").fetchone()[0])
        if spec[0] == "glob":
            terms = [
                r[0]
                for r in conn.execute(
                    "SELECT term FROM vocab WHERE term GLOB ? ORDER BY doc DESC", (spec[1],)
                )
            ]
        else:  # fuzzy: one edit, checked in Python over the vocabulary of similar length
            word = spec[1]
            terms = [
                r[0]
                for r in conn.execute(
                    "SELECT term FROM vocab WHERE length(term) BETWEEN ? AND ? ORDER BY doc DESC",
                    (len(word) - 1, len(word) + 1),
                )
                if edit_distance(r[0], word, 1) <= 1
            ]
        # An OR of 20,000 words took FTS5 15 s at 2,000 articles: the most
        # frequent FTS5_MAX_TERMS only, and the count is marked "at least".
        partial = len(terms) > FTS5_MAX_TERMS
        terms = terms[:FTS5_MAX_TERMS]
        if not terms:
            return 0
        match = " OR ".join(f'"{t}"' for t in terms)
        conn.execute(_FTS_TOP, (match,)).fetchall()
        found = int(conn.execute(_FTS_COUNT, (match,)).fetchone()[0])
        return -found if partial else found
    conn.execute(_FTS_TOP, (spec,)).fetchall()
    return int(conn.execute(_FTS_COUNT, (spec,)).fetchone()[0])


def build_tantivy(path: Path, corpus: Corpus) -> tuple[Any, float] | None:
    try:
        import tantivy
    except ImportError:
        return None
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("n", stored=True, indexed=True)
    builder.add_text_field("title", stored=False)
    builder.add_text_field("text", stored=True)
    schema = builder.build()
    path.mkdir()
    index = tantivy.Index(schema, path=str(path))
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for n, t in enumerate(corpus.texts):
        writer.add_document(tantivy.Document(n=n, title=corpus.title(n), text=t))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return (tantivy, index, schema), time.perf_counter() - started


def reuse_tantivy(path: Path) -> Any:
    try:
        import tantivy
    except ImportError:
        return None
    if not path.is_dir():
        return None
    index = tantivy.Index.open(str(path))
    return (tantivy, index, index.schema), 0.0


def run_tantivy(handle: Any, q: Q) -> int:
    tantivy, index, schema = handle
    spec = q.engines["tv"]
    kind = spec[0]
    if kind == "parse":
        query = index.parse_query(spec[1], ["text"], conjunction_by_default=True)
    elif kind == "regex":
        query = tantivy.Query.regex_query(schema, "text", spec[1])
    elif kind == "fuzzy":
        query = tantivy.Query.fuzzy_term_query(schema, "text", spec[1], distance=1)
    else:
        query = tantivy.Query.all_query()
    searcher = index.searcher()
    return int(searcher.search(query, limit=20, count=True).count)


# -- running ------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(
    name: str, run: Callable[[Q], int], queries: list[Q]
) -> dict[str, tuple[list[float], list[float], int]]:
    """kind -> (times in ms, hits / yardstick per query, queries marked "at least")."""
    for q in queries[:3]:
        run(q)  # warm caches (searchers, lexicons)
    out: dict[str, tuple[list[float], list[float], int]] = {}
    for q in queries:
        started = time.perf_counter()
        hits = run(q)
        ms = (time.perf_counter() - started) * 1000
        times, ratios, partial = out.setdefault(q.kind, ([], [], 0))
        times.append(ms)
        ratios.append(abs(hits) / len(q.yard) if q.yard else (1.0 if hits == 0 else float("inf")))
        if hits < 0:
            out[q.kind] = (times, ratios, partial + 1)
        if ms > 1000:
            print(f"  {name}: {q.sesame!r} took {ms:,.0f} ms", flush=True)
    return out


def report(engines: dict[str, dict[str, tuple[list[float], list[float], int]]], count: int) -> None:
    names = list(engines)
    kinds = list(engines["Sesame"])
    print(f"\n{count:,} articles; ms per query (top 20 with snippets; Sesame also facets)")
    header = f"{'kind':<18}{'n':>3}"
    for name in names:
        header += f" | {name + ' p50':>12}{'p95':>8}{'max':>8}{'hits':>7}"
    for name in names[1:]:
        header += f" | {'p95 / ' + name:>14}"
    print(header)
    every: dict[str, list[float]] = {name: [] for name in names}
    for kind in kinds:
        row = ""
        for name in names:
            times, ratios, partial = engines[name][kind]
            every[name].extend(times)
            mark = "*" if partial else ""
            row += (
                f" | {statistics.median(times):>12.1f}{pct(times, 95):>8.1f}{max(times):>8.1f}"
                f"{statistics.median(ratios):>6.2f}{mark or ' '}"
            )
        s95 = pct(engines["Sesame"][kind][0], 95)
        for name in names[1:]:
            o95 = pct(engines[name][kind][0], 95)
            row += f" | {s95 / o95 if o95 else 0:>13.1f}x"
        print(f"{kind:<18}{len(engines['Sesame'][kind][0]):>3}{row}")
    row = ""
    for name in names:
        t = every[name]
        row += f" | {statistics.median(t):>12.1f}{pct(t, 95):>8.1f}{max(t):>8.1f}{'':>7}"
    for name in names[1:]:
        o95 = pct(every[name], 95)
        row += f" | {pct(every['Sesame'], 95) / o95 if o95 else 0:>13.1f}x"
    print(f"{'all kinds':<18}{sum(len(v[0]) for v in engines['Sesame'].values()):>3}{row}")
    print(
        "hits: median of (articles reported / yardstick's matching articles); "
        "* some totals were 'at least' (time budget)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("size", type=int, nargs="?", default=10_000, help="articles (10,000)")
    parser.add_argument("--queries", type=int, default=20, help="random queries per kind (20)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--work",
        type=Path,
        help="build the indexes into this folder once and reuse them on later runs "
        "(kept; the same size each time)",
    )
    parser.add_argument("--no-tags", action="store_true", help="skip the tag latency rounds")
    parser.add_argument(
        "--kinds", help="only the query kinds containing one of these words (comma-separated)"
    )
    parser.add_argument("--sesame-only", action="store_true", help="time Sesame alone")
    parser.add_argument(
        "--tags-only", action="store_true", help="only the tag rounds (with FTS5's beside them)"
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    reuse = args.work is not None and (args.work / "sesame").is_dir()
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="sesame-compare-"))
    try:
        started = time.perf_counter()
        corpus = Corpus(args.size)
        queries = make_queries(corpus, args.queries, random.Random(7))
        if args.kinds:
            wanted = [k.strip() for k in args.kinds.split(",")]
            queries = [q for q in queries if any(k in q.kind for k in wanted)]
        print(
            f"corpus: {args.size:,} articles ({len(corpus.burmese):,} Burmese), "
            f"{len(queries)} queries, made in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        if reuse:
            archive = reuse_sesame(work / "sesame", args.size)
            conn = sqlite3.connect(str(work / "fts.sqlite"))
            tv = reuse_tantivy(work / "tantivy")
            print(f"indexes reused from {work}", flush=True)
        else:
            archive, secs = build_sesame(work / "sesame", corpus)
            print(f"Sesame index: {args.size / secs:,.0f} articles/s ({secs:.1f} s)", flush=True)
            conn, secs = build_fts(work / "fts.sqlite", corpus)
            print(f"FTS5 index: {args.size / secs:,.0f} articles/s", flush=True)
            tv = build_tantivy(work / "tantivy", corpus)
            if tv is not None:
                print(f"tantivy index: {args.size / tv[1]:,.0f} articles/s", flush=True)
        if tv is None:
            print("tantivy: not installed, skipped")
        if args.tags_only:
            report_tags(archive, conn)
            archive.close()
            conn.close()
            return
        engines = {"Sesame": measure("Sesame", lambda q: run_sesame(archive, q), queries)}
        if not args.sesame_only:
            engines["FTS5"] = measure("FTS5", lambda q: run_fts(conn, q), queries)
        if tv is not None and not args.sesame_only:
            handle = tv[0]
            engines["tantivy"] = measure("tantivy", lambda q: run_tantivy(handle, q), queries)
        print(f"load average after the queries: {os.getloadavg()[0]:.1f}")
        report(engines, args.size)
        if not args.no_tags:
            report_tags(archive, conn)
        archive.close()
        conn.close()
    finally:
        if args.work is not None:
            pass  # the caller's folder, reused next time
        elif args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
