"""Search benchmark (issue 3): index build rate, query latency, size, reopen time.

Builds archives of generated articles (600 words each from a Zipf-shaped
vocabulary of made-up words), indexes them through `SearchIndex.catch_up`
(the path imports take), and times term, two-term AND, phrase, prefix and
fuzzy queries, each returning 20 hits with snippets. The same texts and the
same queries run on SQLite FTS5 in the same run as a yardstick.

    .venv/bin/python bench/search_bench.py                 # 10,000 articles
    .venv/bin/python bench/search_bench.py --sizes 10000 50000
    .venv/bin/python bench/search_bench.py --import-folder 10000   # whole import pipeline
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select

from archive import models
from archive.store import Archive

WORDS_PER_ARTICLE = 600
VOCABULARY = 30_000
QUERIES_PER_KIND = 40
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def make_vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    # sorted() first: a set's order changes with the hash seed of each process.
    return sorted(sorted(words), key=lambda w: rng.random())


def make_texts(count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    cum: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    texts = []
    for _ in range(count):
        words = rng.choices(vocab, cum_weights=cum, k=WORDS_PER_ARTICLE)
        sentences = [
            " ".join(words[i : i + 15]).capitalize() + "." for i in range(0, len(words), 15)
        ]
        texts.append(" ".join(sentences))
    return texts, vocab


def build_archive(path: Path, texts: list[str]) -> tuple[Archive, float, float]:
    """Insert articles with queue rows, then index them: (archive, insert s, index s)."""
    archive = Archive.open(path, create=True)
    started = time.perf_counter()
    batch = 1000
    for start in range(0, len(texts), batch):
        with archive.change("bench fixture", sync=False) as ch:
            session = ch.session
            for i, body in enumerate(texts[start : start + batch], start=start):
                article = models.Article(
                    title=" ".join(body.split()[:6]),
                    text=body,
                    source=f"Source {i % 37}",
                    published=f"{2000 + i % 24}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    language="en",
                )
                session.add(article)  # the change queues it for the index
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    archive.sync_index()
    indexed = time.perf_counter() - started
    return archive, inserted, indexed


def make_queries(texts: list[str], vocab: list[str], rng: random.Random) -> dict[str, list[str]]:
    mid = vocab[50:3000]
    queries: dict[str, list[str]] = {"term": [], "and": [], "phrase": [], "prefix": [], "fuzzy": []}
    for _ in range(QUERIES_PER_KIND):
        queries["term"].append(rng.choice(mid))
        queries["and"].append(f"{rng.choice(mid)} AND {rng.choice(mid)}")
        words = rng.choice(texts).rstrip(".").split()
        i = rng.randrange(len(words) - 3)
        phrase = " ".join(w.strip(".").lower() for w in words[i : i + 3])
        queries["phrase"].append(f'"{phrase}"')
        queries["prefix"].append(rng.choice(vocab)[:3] + "*")
        word = rng.choice(mid)
        j = rng.randrange(1, len(word))
        typo = word[:j] + ("x" if word[j] != "x" else "q") + word[j + 1 :]
        queries["fuzzy"].append(typo + "~")
    return queries


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_whoosh(
    archive: Archive, queries: dict[str, list[str]]
) -> dict[str, tuple[float, float, float]]:
    index = archive.index
    for q in queries["term"][:3]:
        index.search(q, limit=20, facets=False)  # warm the searcher
    figures = {}
    for kind, qs in queries.items():
        times = []
        for q in qs:
            started = time.perf_counter()
            results = index.search(q, limit=20, facets=False)
            times.append((time.perf_counter() - started) * 1000)
            assert len(results.hits) <= 20
        figures[kind] = (statistics.median(times), pct(times, 95), max(times))
    times = []
    for q in queries["term"]:
        started = time.perf_counter()
        index.search(q, limit=20, facets=True)
        times.append((time.perf_counter() - started) * 1000)
    figures["term+facets"] = (statistics.median(times), pct(times, 95), max(times))
    return figures


def fts_build(path: Path, texts: list[str]) -> tuple[sqlite3.Connection, float]:
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='porter unicode61')")
    started = time.perf_counter()
    for start in range(0, len(texts), 1000):
        with conn:
            conn.executemany(
                "INSERT INTO fts(title, text) VALUES (?, ?)",
                [(" ".join(t.split()[:6]), t) for t in texts[start : start + 1000]],
            )
    return conn, time.perf_counter() - started


def fts_query(q: str) -> str:
    if q.endswith("~"):  # FTS5 has no fuzzy terms: the nearest it has is a prefix
        return q[:-1][:4] + "*"
    return q


def time_fts(
    conn: sqlite3.Connection, queries: dict[str, list[str]]
) -> dict[str, tuple[float, float, float]]:
    figures = {}
    sql = (
        "SELECT rowid, snippet(fts, 1, '[[', ']]', '…', 30) FROM fts WHERE fts MATCH ? "
        "ORDER BY rank LIMIT 20"
    )
    for kind, qs in queries.items():
        times = []
        for q in qs:
            started = time.perf_counter()
            conn.execute(sql, (fts_query(q),)).fetchall()
            conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (fts_query(q),)).fetchone()
            times.append((time.perf_counter() - started) * 1000)
        figures[kind] = (statistics.median(times), pct(times, 95), max(times))
    return figures


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def tag_change_latency(
    archive: Archive, rounds: int = 40, spacing: float = 1.2
) -> tuple[float, float, float]:
    """One annotation-like change, timed until a search shows it: (p50, p95, max) ms.

    The change is queued as tagging queues it, then `sync_index()` (what
    tagging calls) and a search for the change's new word: the time until
    the search finds it is what a person waits for. Changes come `spacing`
    seconds apart: 1.2 s is quick tagging by a person (background merges
    run in between, as in the app); 0.2 s is a burst faster than anyone
    tags, where merges fall on the changes themselves.
    """
    with archive.session() as session:
        ids = [a.id for a in session.exec(select(models.Article).limit(rounds))]
    times = []
    for n, aid in enumerate(ids):
        time.sleep(spacing)
        mark = f"tagmark{n}x{int(spacing * 10)}"
        with archive.change("bench tag", sync=False) as ch:
            article = ch.session.get(models.Article, aid)
            assert article is not None
            article.title = article.title + " " + mark  # the change queues the article
        started = time.perf_counter()
        archive.sync_index()
        results = archive.index.search(f"title:{mark}", limit=1, facets=False)
        times.append((time.perf_counter() - started) * 1000)
        assert results.total == 1, (mark, results.total)
    return statistics.median(times), pct(times, 95), max(times)


def run_size(count: int, workdir: Path) -> None:
    print(f"\n== {count:,} articles ==", flush=True)
    texts, vocab = make_texts(count)
    queries = make_queries(texts, vocab, random.Random(11))
    path = workdir / f"arch{count}"
    archive, inserted, indexed = build_archive(path, texts)
    print(f"SQLite insert: {count / inserted:,.0f} articles/s ({inserted:.1f} s)")
    print(
        f"Whoosh index (catch_up, bulk writer): {count / indexed:,.0f} articles/s ({indexed:.1f} s)"
    )
    print(
        f"index size: {folder_size(archive.index_dir) / 1e6:,.1f} MB "
        f"(database {archive.db_path.stat().st_size / 1e6:,.1f} MB)"
    )
    whoosh = time_whoosh(archive, queries)
    tag_p50, tag_p95, tag_max = tag_change_latency(archive)
    burst_p50, burst_p95, burst_max = tag_change_latency(archive, rounds=60, spacing=0.2)
    archive.close()
    started = time.perf_counter()
    archive = Archive.open(path)
    archive.index.search(queries["term"][0], limit=20)
    reopen = time.perf_counter() - started
    archive.close()
    conn, fts_secs = fts_build(workdir / f"fts{count}.sqlite", texts)
    fts = time_fts(conn, queries)
    conn.close()
    print(f"FTS5 index: {count / fts_secs:,.0f} articles/s")
    print(f"reopen and first search: {reopen * 1000:.0f} ms")
    print(f"load average now: {os.getloadavg()[0]:.1f}")
    print(
        f"tag change until a search shows it, 1.2 s apart: p50 {tag_p50:.1f} ms, "
        f"p95 {tag_p95:.1f} ms, max {tag_max:.1f} ms; in a burst 0.2 s apart: "
        f"p50 {burst_p50:.1f} ms, p95 {burst_p95:.1f} ms, max {burst_max:.1f} ms"
    )
    print(
        f"{'query (20 hits + snippets)':<28}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
        f"{'FTS5 p50':>10}{'FTS5 p95':>10}{'p95 ratio':>10}"
    )
    for kind, (p50, p95, mx) in whoosh.items():
        f50, f95, _ = fts.get(kind, fts.get("term", (0, 0, 0)))
        ratio = p95 / f95 if f95 else 0
        print(f"{kind:<28}{p50:>8.1f}{p95:>8.1f}{mx:>8.1f}{f50:>10.1f}{f95:>10.1f}{ratio:>9.1f}x")


def run_import_folder(count: int, workdir: Path) -> None:
    from archive.ingest import import_paths

    print(f"\n== folder import of {count:,} plain-text articles ==", flush=True)
    texts, _ = make_texts(count, seed=3)
    folder = workdir / "folder"
    folder.mkdir()
    for i, body in enumerate(texts):
        (folder / f"article-{i:05d}.txt").write_text(f"Article {i}\n\n{body}\n", "utf-8")
    os.sync()  # else the first commits also wait for the generator's unwritten pages
    archive = Archive.open(workdir / "import-arch", create=True)
    started = time.perf_counter()
    report = import_paths(archive, [folder], index=True)
    # Timed until every article is searchable (import batches may wait for a
    # bigger index commit; this applies what is left).
    archive.index.catch_up(force=True)
    secs = time.perf_counter() - started
    print(
        f"imported {len(report.imported):,} in {secs:.1f} s: {count / secs:,.0f} articles/s "
        "(import_paths with index=True, until all are searchable)"
    )
    print(f"index agrees with DB: {archive.index.check().ok}")
    archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--import-folder", type=int, default=0, metavar="N")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--writer-procs",
        type=int,
        default=0,
        metavar="N",
        help="processes of the bulk writer (default: as configured in archive.search.index)",
    )
    args = parser.parse_args()
    if args.writer_procs:
        from archive.search import segments

        segments.BULK_WRITER["procs"] = args.writer_procs
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    workdir = Path(tempfile.mkdtemp(prefix="sesame-search-bench-"))
    try:
        for size in args.sizes:
            run_size(size, workdir)
        if args.import_folder:
            run_import_folder(args.import_folder, workdir)
    finally:
        if args.keep:
            print(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
