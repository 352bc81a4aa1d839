"""Import throughput and peak memory (issue 2; results in docs/benchmarks.md).

Generates 5,000 plain-text articles of about 600 words and 500 HTML pages in
a temporary folder, imports each set into a fresh archive with the search
index off (database only), and prints articles per second and peak RSS.

    .venv/bin/python bench/import_bench.py [--text 5000] [--html 500] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.ingest import import_paths
from archive.store import Archive

TARGET_TEXT = 300.0  # articles/s
TARGET_HTML = 30.0  # pages/s
TARGET_RSS_MB = 300.0

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "tu",
    "sen",
    "bar",
    "dol",
    "vin",
    "ash",
    "pel",
    "gor",
    "nim",
    "tak",
    "ru",
    "el",
    "os",
    "ban",
    "cue",
    "fyr",
]
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "that",
    "for",
    "was",
    "on",
    "with",
    "said",
    "by",
    "from",
    "at",
    "as",
    "police",
    "army",
]


def _vocabulary(rng: random.Random) -> list[str]:
    words = set()
    while len(words) < 3000:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))))
    return sorted(words)


def _paragraphs(rng: random.Random, vocab: list[str], words: int) -> list[str]:
    paragraphs = []
    left = words
    while left > 0:
        size = min(left, rng.randint(40, 90))
        tokens = [
            rng.choice(COMMON) if rng.random() < 0.35 else rng.choice(vocab) for _ in range(size)
        ]
        tokens[0] = tokens[0].capitalize()
        paragraphs.append(" ".join(tokens) + ".")
        left -= size
    return paragraphs


def generate_text(folder: Path, count: int, rng: random.Random, vocab: list[str]) -> None:
    folder.mkdir(parents=True)
    for n in range(count):
        title = " ".join(rng.choice(vocab) for _ in range(6)).title()
        day = rng.randint(1, 28)
        body = "\n\n".join(_paragraphs(rng, vocab, 600))
        text = (
            f"{title}\n\nDate first published: {day} March 2021\n\nBy Ann Example\n\n{body}\n\n"
            f"- The Example Times {day} March 2021:\n\n<https://news.example.org/{n}>\n"
        )
        (folder / f"article{n:05d}.txt").write_text(text, encoding="utf-8")


def generate_html(folder: Path, count: int, rng: random.Random, vocab: list[str]) -> None:
    folder.mkdir(parents=True)
    nav = "".join(f'<li><a href="/s{i}">{rng.choice(vocab)}</a></li>' for i in range(25))
    for n in range(count):
        title = " ".join(rng.choice(vocab) for _ in range(6)).title()
        body = "\n".join(f"<p>{p}</p>" for p in _paragraphs(rng, vocab, 600))
        comments = "".join(
            f'<div class="comment"><p>{p}</p></div>' for p in _paragraphs(rng, vocab, 120)
        )
        page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Example Times</title>
<link rel="canonical" href="https://news.example.org/html/{n}">
<meta property="og:site_name" content="Example Times">
<meta name="author" content="Ann Example">
<meta property="article:published_time" content="2021-03-{rng.randint(1, 28):02d}T08:00:00Z">
</head><body><header><nav><ul>{nav}</ul></nav></header>
<div class="share">Share on Facebook | Share on X | Email</div>
<main><article><h1>{title}</h1>{body}</article></main>
<section id="comments" class="comments">{comments}</section>
<footer><p>Copyright Example Times. All rights reserved.</p></footer></body></html>"""
        (folder / f"page{n:04d}.html").write_text(page, encoding="utf-8")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_import(folder: Path, archive_dir: Path, profile: bool) -> tuple[int, float, int]:
    with Archive.open(archive_dir, create=True) as archive:
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        report = import_paths(archive, [folder], index=False)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - start
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return len(report.imported), elapsed, len(report.failed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=5000)
    parser.add_argument("--html", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args()
    rng = random.Random(2021)
    vocab = _vocabulary(rng)
    ok = True
    with tempfile.TemporaryDirectory(prefix="sesame-bench-") as tmp:
        root = Path(tmp)
        generate_text(root / "text", args.text, rng, vocab)
        generate_html(root / "html", args.html, rng, vocab)
        # Write the generated files out first: with synchronous=FULL the import's
        # commits would otherwise also wait for the generator's dirty pages.
        os.sync()
        rss_before = peak_rss_mb()
        results = {}
        for kind, target in (("text", TARGET_TEXT), ("html", TARGET_HTML)):
            imported, elapsed, failed = timed_import(
                root / kind, root / f"arch-{kind}", args.profile
            )
            rate = imported / elapsed if elapsed else float("inf")
            results[kind] = rate
            verdict = "ok" if rate >= target and not failed else "BELOW TARGET"
            ok = ok and verdict == "ok"
            print(
                f"{kind:>5}: {imported} articles in {elapsed:.1f} s = {rate:.0f}/s "
                f"(target >= {target:.0f}/s, {failed} failed) {verdict}"
            )
        rss = peak_rss_mb()
        verdict = "ok" if rss < TARGET_RSS_MB else "ABOVE TARGET"
        ok = ok and verdict == "ok"
        print(
            f"peak RSS: {rss:.0f} MB (after generating the files: {rss_before:.0f} MB; "
            f"target < {TARGET_RSS_MB:.0f} MB) {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
