"""Review benchmarks (issue 13 item 3; results in docs/benchmarks.md, "Review").

On an archive of N articles (default 100,000, built in bulk as bench/desktop_bench.py
builds its own):

1. The library read (`library.library_rows`) with the review columns and the
   sensitive passages, beside the yardstick: the same read as it was before them
   (the old row and count queries, run here on the same archive in the same run).
2. The library filters `status:` / `flag:sensitive` over every row (in memory).
3. `review.set_review` of 1,000 articles in one change, and its undo.
4. Case notes: `notes.set_notes` of a 200 KB notes document with 1,000 links.

    .venv/bin/python bench/review_bench.py [--articles 100000]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

print = functools.partial(print, flush=True)

_OLD_ROWS = (
    "SELECT id, coalesce(title, ''), coalesce(source, ''), coalesce(published, ''), "
    "coalesce(language, ''), coalesce(imported_at, ''), retracted_at IS NOT NULL FROM article"
)
_OLD_COUNTS = "SELECT article_id, type_key FROM annotation"


def _best(fn, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def _old_read(archive) -> int:  # type: ignore[no-untyped-def]
    """`library_rows` as it was before the review columns (its queries and its rows)."""
    from collections import defaultdict

    from archive.library import LibraryRow

    counts: dict[str, dict[str, int]] = defaultdict(dict)
    raw = archive.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN")
        for article_id, type_key in cur.execute(_OLD_COUNTS):
            tags = counts[article_id]
            tags[type_key] = tags.get(type_key, 0) + 1
        list(cur.execute("SELECT article_id, collection_id FROM articlecollection"))
        fetched = cur.execute(_OLD_ROWS).fetchall()
        cur.execute("COMMIT")
        cur.close()
    finally:
        raw.close()
    rows = []
    for article_id, title, source, published, language, imported_at, gone in fetched:
        if gone:
            continue
        tags = counts.get(article_id)
        rows.append(
            LibraryRow(
                article_id, title, source, published, language, str(imported_at),
                sum(tags.values()) if tags else 0, tags or {}, frozenset(),
            )
        )  # fmt: skip
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()

    from archive import library, notes, review
    from archive.collections import create_collection
    from archive.store import Archive
    from bench.desktop_bench import build_big_archive

    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "arch"
        started = time.perf_counter()
        build_big_archive(folder, args.articles)
        print(f"built {args.articles:,} articles in {time.perf_counter() - started:.1f} s")
        archive = Archive.open(folder)
        ids = [r.id for r in library.library_rows(archive)]
        # Some review state to filter on: a tenth reviewed, one in a hundred sensitive.
        # The bulk-built archive has no search index yet: every change here is made with
        # sync=False (a sync would index all the articles first), so the figures are the
        # changes themselves; the index catch-up is measured by bench/search_bench.py.
        with archive.change("Bench review", sync=False) as ch:
            review.set_review(ch, ids[::10], status="reviewed")
            review.flag_articles(ch, ids[::100], True, "graphic")

        yard = _best(lambda: _old_read(archive))
        now = _best(lambda: library.library_rows(archive))
        print(
            f"library read, {args.articles:,} rows: {now * 1000:.0f} ms "
            f"(yardstick, the read before the review columns: {yard * 1000:.0f} ms)"
        )
        rows = library.library_rows(archive)
        flt = library.LibraryFilter(review_status="reviewed")
        t_status = _best(lambda: library.filter_rows(rows, flt))
        flt = library.LibraryFilter(sensitive=True)
        t_flag = _best(lambda: library.filter_rows(rows, flt))
        flt = library.LibraryFilter(text="police")
        t_text = _best(lambda: library.filter_rows(rows, flt))
        print(
            f"filter status:reviewed {t_status * 1000:.0f} ms, flag:sensitive "
            f"{t_flag * 1000:.0f} ms (yardstick, the text filter 'police': "
            f"{t_text * 1000:.0f} ms)"
        )

        chosen = ids[1::100][:1000]
        times = []
        undo_times = []
        for _ in range(3):
            started = time.perf_counter()
            with archive.change("Review", sync=False) as ch:
                review.set_review(ch, chosen, status="relevant", assignee="Bench")
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            archive.undo(sync=False)
            undo_times.append(time.perf_counter() - started)
        print(
            f"review 1,000 articles in one change: {statistics.median(times) * 1000:.0f} ms, "
            f"its undo {statistics.median(undo_times) * 1000:.0f} ms (without the index catch-up)"
        )

        with archive.change("Bench case", sync=False) as ch:
            coll = create_collection(ch, "Bench case")
        anns = [a for (a,) in archive.engine.raw_connection().cursor().execute(
            "SELECT id FROM annotation LIMIT 1000")]  # fmt: skip
        lines = [f"- Point {i}: [quote](sesame:annotation/{a}) " + "x" * 140
                 for i, a in enumerate(anns)]  # fmt: skip
        text = "# Notes\n\n" + "\n".join(lines) + "\n"
        started = time.perf_counter()
        with archive.change("Case notes", sync=False) as ch:
            result = notes.set_notes(ch, coll.id, text)
        t_notes = time.perf_counter() - started
        t_get = _best(lambda: notes.get_notes(archive, coll.id), 3)
        print(
            f"case notes of {len(text) // 1000} KB with {len(result.links)} links: save "
            f"{t_notes * 1000:.0f} ms, read with links checked {t_get * 1000:.0f} ms"
        )
        archive.close()


if __name__ == "__main__":
    main()
