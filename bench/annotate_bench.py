"""Benchmark tagging (issue 4): suggestions, creating annotations, listing mentions.

    .venv/bin/python bench/annotate_bench.py [--articles 1000] [--annotations 10000]
                                             [--mentions-among 100000]

Prints figures for docs/benchmarks.md. Articles are generated here (about
1,000 words each, in the style of news about the 2021 coup in Myanmar), so
nothing third-party is needed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from archive import annotate, entities, models, suggest
from archive.store import Archive

FIRST = ["Aung", "Kyaw", "Zaw", "Min", "Hnin", "Thet", "Su", "Myo", "Tun", "Win", "Htet", "Naing"]
HONORIFIC = ["U", "Daw", "Khun", "Ko", "Ma", "Major", "Mr", "Lieutenant", "Dr"]
ORGS = [
    "Civil Disobedience Movement (CDM)",
    "National League for Democracy (NLD)",
    "Committee Representing Pyidaungsu Hluttaw (CRPH)",
    "Myanmar Teachers Federation",
    "Ministry of Foreign Affairs",
    "Assistance Association for Political Prisoners",
]
COUNTED = [
    "police officers",
    "teachers",
    "nurses",
    "civilians",
    "diplomats",
    "railway workers",
    "students",
    "protesters",
    "ministry of health officials",
]
QUALIFIER = ["more than", "at least", "over", "about", "nearly", "up to", "", "fewer than"]
NUMBER = ["600", "19", "1,500", "nine", "thousands of", "dozens of", "1.2 million", "42", "250"]
MONTHS = ["Feb.", "March", "Jan.", "Nov.", "April"]
PLACES = ["Yangon", "Mandalay", "Naypyitaw", "Sagaing", "Monywa", "Bago"]
FILLER = (
    "The statement could not be independently verified and officials did not answer calls "
    "seeking comment on the reports from the region during the week."
)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(HONORIFIC)} {' '.join(rng.sample(FIRST, rng.randint(2, 3)))}"


def make_article(rng: random.Random, words: int = 1000) -> str:
    """A generated news-like article of about `words` words."""
    sentences = []
    count = 0
    while count < words:
        kind = rng.randrange(6)
        if kind == 0:
            s = (
                f"{rng.choice(QUALIFIER).capitalize()} {rng.choice(NUMBER)} "
                f"{rng.choice(COUNTED)} have joined the {rng.choice(ORGS)} in {rng.choice(PLACES)}."
            ).strip()
        elif kind == 1:
            s = (
                f"{_name(rng)}, a spokesman for the {rng.choice(ORGS)}, said that "
                f"{rng.choice(QUALIFIER)} {rng.choice(NUMBER)} {rng.choice(COUNTED)} were detained."
            )
        elif kind == 2:
            s = (
                f"The military raided offices in {rng.choice(PLACES)} on "
                f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, according to {_name(rng)}."
            )
        elif kind == 3:
            day = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
            s = f"On {day}, {_name(rng)} told reporters {FILLER}"
        else:
            s = FILLER
        sentences.append(s)
        count += len(s.split())
        if rng.random() < 0.2:
            sentences.append("\n\n")
    return " ".join(sentences).replace(" \n\n ", "\n\n")


def bench_suggest(n: int, rng: random.Random) -> None:
    texts = [make_article(rng) for _ in range(n)]
    words = statistics.mean(len(t.split()) for t in texts)
    suggest.suggest(texts[0], "2021-03-05")  # warm up regexes
    times, counts = [], []
    for text in texts:
        started = time.perf_counter()
        found = suggest.suggest(text, "2021-03-05")
        times.append((time.perf_counter() - started) * 1000)
        counts.append(len(found))
    times.sort()
    print(
        f"suggest: {n} articles of ~{words:.0f} words, "
        f"{statistics.mean(counts):.0f} suggestions each"
    )
    print(
        f"  per article: mean {statistics.mean(times):.2f} ms, "
        f"median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.2f} ms, max {times[-1]:.2f} ms"
    )


def _articles(archive: Archive, n: int, rng: random.Random) -> list[tuple[str, str]]:
    rows = []
    with archive.change("bench fixture") as ch:
        session = ch.session
        for i in range(n):
            text = make_article(rng, 300)
            article = models.Article(
                title=f"Article {i}", source="Bench", published="2021-03-05", text=text
            )
            session.add(article)
            rows.append((article.id, text))
    return rows


def bench_create(folder: Path, n: int, rng: random.Random) -> None:
    with Archive.open(folder / "create", create=True) as archive:
        arts = _articles(archive, max(1, n // 20), rng)
        archive.sync_index()
        spans = []
        for aid, text in arts:
            for sug in suggest.suggest(text, "2021-03-05")[:20]:
                spans.append((aid, sug))
        while len(spans) < n:
            spans += spans[: n - len(spans)]
        spans = spans[:n]
        started = time.perf_counter()
        for aid, sug in spans:
            annotate.create_annotation(
                archive, aid, sug.start, sug.end, sug.type, entity_name=sug.entity_name, sync=False
            )
        elapsed = time.perf_counter() - started
        print(f"create_annotation x {n} (own transaction + audit entry each, index later):")
        print(f"  total {elapsed:.1f} s, {elapsed / n * 1000:.2f} ms per annotation")
        started = time.perf_counter()
        archive.sync_index()
        print(f"  then the search index caught up in {time.perf_counter() - started:.1f} s")
        sample = spans[:100]
        started = time.perf_counter()
        for aid, sug in sample:
            annotate.create_annotation(archive, aid, sug.start, sug.end, "event")
        per = (time.perf_counter() - started) / len(sample) * 1000
        print(f"  interactive (index updated after each, {len(sample)} calls): {per:.1f} ms each")


def bench_mentions(folder: Path, total: int, rng: random.Random) -> None:
    with Archive.open(folder / "mentions", create=True) as archive:
        arts = _articles(archive, 1000, rng)
        n_entities = 1000
        ids = [entities.create_entity(archive, "actor", f"Actor {i}").id for i in range(3)]
        with archive.change("bench fixture") as ch:
            session = ch.session
            extra = [
                models.Entity(type_key="actor", name=f"Actor {i}") for i in range(3, n_entities)
            ]
            session.add_all(extra)
        ids += [e.id for e in extra]
        rows = []
        now = models.utcnow()
        for i in range(total):
            aid, text = arts[i % len(arts)]
            start = rng.randrange(0, len(text) - 20)
            rows.append(
                {
                    "id": models.new_id(),
                    "article_id": aid,
                    "start": start,
                    "end": start + 12,
                    "quote": text[start : start + 12],
                    "prefix": "",
                    "suffix": "",
                    "type_key": "actor",
                    # Entity 1 is a busy one (about 1% of all mentions), the rest share.
                    "entity_id": ids[1] if i % 100 == 0 else ids[i % n_entities],
                    "note": "",
                    "created_at": now,
                    "updated_at": now,
                    "origin": "manual",
                    "orphaned": False,
                }
            )
        with archive.engine.begin() as conn:
            conn.execute(insert(models.Annotation), rows)
        for label, target in (("a typical", ids[2]), ("a busy", ids[1])):
            entities.mentions(archive, target)
            times = []
            for _ in range(20):
                started = time.perf_counter()
                found = entities.mentions(archive, target)
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"mentions of {label} entity among {total} annotations ({len(found)} mentions): "
                f"median {statistics.median(times):.2f} ms, max {max(times):.2f} ms"
            )
        started = time.perf_counter()
        listed = entities.list_entities(archive)
        print(
            f"list_entities with mention counts ({len(listed)} entities): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
        started = time.perf_counter()
        one = annotate.list_annotations(archive, arts[0][0])
        print(
            f"list_annotations of one article ({len(one)}): "
            f"{(time.perf_counter() - started) * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--annotations", type=int, default=10_000)
    parser.add_argument("--mentions-among", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(4)
    with tempfile.TemporaryDirectory() as tmp:
        # Keep the bench's identity out of the real config folder.
        os.environ.setdefault("SESAME_CONFIG_DIR", str(Path(tmp) / "config"))
        os.environ.setdefault("SESAME_USER", "Bench")
        bench_suggest(args.articles, rng)
        bench_create(Path(tmp), args.annotations, rng)
        bench_mentions(Path(tmp), args.mentions_among, rng)


if __name__ == "__main__":
    main()
