"""Copies of one story at import (issue 14; results in docs/benchmarks.md).

Generates 10,000 plain-text articles of about 600 words: 9,600 stories, 300
planted copies of some of them (a new lead, another byline and dateline, the
last third cut, or a new lead and a cut ending) and 100 other stories from
the same "wire" that share one background paragraph and the header with a
story (they must not be grouped). The same folder is imported into fresh
archives with copy detection off and on, in the same run and alternating:
the whole pipeline as `sesame import` runs it (search index on) and the
database alone (`index=False`). It prints each import's wall and CPU time,
their medians each way, the slowdown and the CPU ratio, the time detection
itself took (signatures and grouping, timed inside the import), and recall /
precision on the planted pairs.

    .venv/bin/python bench/copies_bench.py [--articles 10000] [--repeats 3] [--no-index-run]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import copies
from archive.ingest import import_paths
from archive.store import Archive
from bench.import_bench import _paragraphs, _vocabulary

TARGET_SECONDS = 60.0  # grouping 10,000 articles at import
TARGET_SLOWDOWN = 0.05


def _story(rng: random.Random, vocab: list[str], n: int) -> tuple[str, str, list[str]]:
    title = " ".join(rng.choice(vocab) for _ in range(6)).title()
    header = f"Date first published: {rng.randint(1, 28)} March 2021\n\nBy Ann Example, Wire {n}"
    return title, header, _paragraphs(rng, vocab, 600)


def _text(title: str, header: str, paragraphs: list[str]) -> str:
    return f"{title}\n\n{header}\n\n" + "\n\n".join(paragraphs) + "\n"


def generate(
    folder: Path, total: int, planted: int, negatives: int, rng: random.Random
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Write the articles; (planted copy pairs, same-wire other-story pairs) as file names."""
    folder.mkdir(parents=True)
    vocab = _vocabulary(rng)
    stories = total - planted - negatives
    kept: list[tuple[str, str, list[str]]] = []
    for n in range(stories):
        story = _story(rng, vocab, n)
        kept.append(story)
        (folder / f"s{n:05d}.txt").write_text(_text(*story), encoding="utf-8")
    pairs, others = [], []
    chosen = rng.sample(range(stories), planted + negatives)
    for k, n in enumerate(chosen[:planted]):
        title, header, paragraphs = kept[n]
        kind = k % 4
        if kind in (0, 3):  # a new lead
            paragraphs = [*_paragraphs(rng, vocab, 60)[:1], *paragraphs[1:]]
        if kind == 1:  # another outlet's byline and dateline
            header = "Staff and agencies | The Daily Example\n\nYangon (Wire)"
        if kind in (2, 3):  # the last third cut
            paragraphs = paragraphs[: max(1, len(paragraphs) * 2 // 3)]
        name = f"c{k:05d}.txt"
        (folder / name).write_text(_text(title, header, paragraphs), encoding="utf-8")
        pairs.append((f"s{n:05d}.txt", name))
    for k, n in enumerate(chosen[planted:]):
        title, header, paragraphs = kept[n]
        fresh = _paragraphs(rng, vocab, 600)
        body = [*fresh[:-1], paragraphs[len(paragraphs) // 2]]  # one background paragraph
        name = f"o{k:05d}.txt"
        (folder / name).write_text(_text(title + " (2)", header, body), encoding="utf-8")
        others.append((f"s{n:05d}.txt", name))
    return pairs, others


class _Timer:
    """Time spent in ImportCopies.sign and .detect during an import."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu = 0.0  # CPU time of the thread that ran them
        self._saved: list[tuple[str, Callable[..., Any]]] = []

    def __enter__(self) -> _Timer:
        for name in ("sign", "detect"):
            original = getattr(copies.ImportCopies, name)
            self._saved.append((name, original))
            setattr(copies.ImportCopies, name, self._wrap(original))
        return self

    def _wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began
                self.cpu += time.thread_time() - cpu

        return timed

    def __exit__(self, *_exc: object) -> None:
        for name, original in self._saved:
            setattr(copies.ImportCopies, name, original)


def _cpu() -> float:
    """CPU seconds of this process and its children (the index's forked writers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_import(
    folder: Path, target: Path, *, index: bool, find: bool
) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds, wall and CPU seconds inside detection) of one import.

    CPU time is the steadier yardstick on a shared machine: other work on the
    cores stretches wall time, not the CPU this import itself uses.
    """
    with Archive.open(target, create=True) as archive, _Timer() as timer:
        began, cpu = time.perf_counter(), _cpu()
        result = import_paths(archive, [folder], index=index, find_copies=find)
        elapsed, used = time.perf_counter() - began, _cpu() - cpu
        assert not result.failed, result.failed[:3]
    return elapsed, used, timer.seconds, timer.cpu


def quality(
    target: Path, pairs: list[tuple[str, str]], others: list[tuple[str, str]]
) -> tuple[float, float, int, int]:
    """(recall, precision, grouped pairs, same-wire stories grouped) of an archive's groups."""
    with Archive.open(target, readonly=True) as archive:
        groups = copies.copy_groups(archive)
        with archive.session() as session:
            names = {
                str(r[0]): str(r[1])
                for r in session.connection().exec_driver_sql(
                    "SELECT id, imported_from FROM article"
                )
            }
    grouped = {
        frozenset((names[a], names[b]))
        for g in groups
        for a, b in itertools.combinations(g.articles, 2)
    }
    planted = {frozenset(p) for p in pairs}
    recall = len(grouped & planted) / len(planted) if planted else 1.0
    precision = len(grouped & planted) / len(grouped) if grouped else 1.0
    wrong = len(grouped & {frozenset(o) for o in others})
    return recall, precision, len(grouped), wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--copies", type=int, default=300)
    parser.add_argument("--negatives", type=int, default=100)
    parser.add_argument("--no-index-run", action="store_true", help="skip the index-on runs")
    parser.add_argument(
        "--no-database-run", action="store_true", help="skip the database-only runs"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="imports each way, alternating (medians kept)"
    )
    args = parser.parse_args()
    rng = random.Random(14)
    ok = True
    with tempfile.TemporaryDirectory(prefix="sesame-copies-") as tmp:
        root = Path(tmp)
        pairs, others = generate(root / "in", args.articles, args.copies, args.negatives, rng)
        os.sync()  # the import's commits must not wait for the generator's pages
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        runs = ([] if args.no_database_run else [("database only", False)]) + (
            [] if args.no_index_run else [("pipeline", True)]
        )
        for label, index in runs:
            wall: dict[bool, list[float]] = {False: [], True: []}
            cpu: dict[bool, list[float]] = {False: [], True: []}
            inside: list[float] = []
            inside_cpu: list[float] = []
            last_on = root
            for repeat in range(args.repeats):
                for find in (False, True):
                    target = root / f"arch-{int(index)}-{int(find)}-{repeat}"
                    elapsed, used, detection, detection_cpu = timed_import(
                        root / "in", target, index=index, find=find
                    )
                    wall[find].append(elapsed)
                    cpu[find].append(used)
                    print(
                        f"  {label}, detection {'on' if find else 'off'}: {elapsed:.1f} s wall, "
                        f"{used:.1f} s CPU"
                        + (
                            f", {detection:.1f} s in detection ({detection_cpu:.1f} s CPU)"
                            if find
                            else ""
                        )
                        + f" (load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
                    if find:
                        inside.append(detection)
                        inside_cpu.append(detection_cpu)
                        last_on = target
            # Medians of imports made off, on, off, on, ...: a burst of other work on
            # the machine stretches one import, not the middle one of each kind.
            off, on = statistics.median(wall[False]), statistics.median(wall[True])
            cpu_off, cpu_on = statistics.median(cpu[False]), statistics.median(cpu[True])
            detection = statistics.median(inside)
            detection_cpu = statistics.median(inside_cpu)
            slowdown, cpu_slowdown = (on - off) / off, (cpu_on - cpu_off) / cpu_off
            share = detection / off
            recall, precision, grouped, wrong = quality(last_on, pairs, others)
            verdict = (
                "ok"
                if detection <= TARGET_SECONDS
                and (not index or min(slowdown, share) <= TARGET_SLOWDOWN)
                else "ABOVE TARGET"
            )
            ok = ok and verdict == "ok"
            print(
                f"{label}: {args.articles} articles, medians of {args.repeats} alternating "
                f"imports each way; detection off {off:.1f} s wall / {cpu_off:.1f} s CPU, on "
                f"{on:.1f} s / {cpu_on:.1f} s: slowdown {slowdown:+.1%} wall, "
                f"{cpu_slowdown:+.1%} CPU (CPU on/off {cpu_on / cpu_off:.3f}); detection itself "
                f"{detection:.1f} s = {share:.1%} of the import's wall time, its CPU "
                f"{detection_cpu:.1f} s = {detection_cpu / cpu_off:.1%} of the import's CPU "
                f"(target <= "
                f"{TARGET_SECONDS:.0f} s{', <= 5%' if index else ''}) {verdict}",
                flush=True,
            )
            print(
                "    wall off: "
                + ", ".join(f"{w:.1f}" for w in wall[False])
                + "; on: "
                + ", ".join(f"{w:.1f}" for w in wall[True])
                + "; CPU off: "
                + ", ".join(f"{c:.1f}" for c in cpu[False])
                + "; on: "
                + ", ".join(f"{c:.1f}" for c in cpu[True]),
                flush=True,
            )
            print(
                f"  planted pairs: recall {recall:.3f}, precision {precision:.3f} "
                f"({grouped} pairs grouped; {wrong} of {len(others)} same-wire other stories "
                "grouped)",
                flush=True,
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
