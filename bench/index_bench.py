"""The search index's bulk writing beside a plain Whoosh writer, same texts, same run (issue 15).

Writes N generated articles (`compare_bench.Corpus`: English-like Zipf text
plus 3% Burmese) as .txt files, then runs each phase in its own process and
prints wall seconds, CPU seconds of the whole process tree (user + system,
children included), articles per CPU-second and the peak RSS and PSS of the
tree (sums over the process and its descendants, sampled about every 50 ms;
PSS counts the pages processes share once, RSS once per process):

- `plain`: a plain Whoosh writer in-process, minimal schema (an ID and one
  TEXT field with `StemmingAnalyzer`), the files' texts: the yardstick.
- `schema`: the same writer (one process, same `limitmb`) with Sesame's
  schema and documents (`documents.make_document`, every field).
- `import`: `sesame import DIR` of the files, the whole pipeline (reading,
  the database, copies, audit, and the index until it is complete).
- `noindex`: `sesame import --no-index DIR`, the pipeline without the index
  (what the catch-up does not do: the breakdown of `import`).
- `catchup`: the index catching up with the same articles already committed
  (`sesame import --no-index` first, not timed; then `sync_index(force=True)`
  in a fresh process: the child processes of `archive/search/building.py`).
- `rebuild`: `sesame reindex` of that archive (a new index from scratch, as
  a first open of an archive without one, a bundle import into a new archive).

    .venv/bin/python bench/index_bench.py                 # 5,000 articles, every phase
    .venv/bin/python bench/index_bench.py 10000 --phases plain,import
    .venv/bin/python bench/index_bench.py 2000 --profile catchup   # cProfile of a child

`--profile catchup` runs one child's `build_segment` in-process under
cProfile over every article (after the untimed import) and prints the top.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PHASES = ("plain", "schema", "import", "noindex", "catchup", "rebuild")
# The writer settings of the in-process phases: one process, Sesame's children's limit.
LIMIT_MB = 128


# -- the corpus on disk ---------------------------------------------------------------


def write_files(folder: Path, count: int) -> None:
    from compare_bench import Corpus  # the same generator as the search comparison

    corpus = Corpus(count)
    folder.mkdir(parents=True, exist_ok=True)
    for n, body in enumerate(corpus.texts):
        (folder / f"a{n:06d}.txt").write_text(f"{corpus.title(n)}\n\n{body}\n", encoding="utf-8")


def read_files(folder: Path) -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


# -- phases, each run in a child process ----------------------------------------------


def phase_plain(work: Path) -> None:
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    folder = work / "plain-index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=StemmingAnalyzer()))
    ix = index.create_in(str(folder), schema)
    writer = ix.writer(limitmb=LIMIT_MB)
    for name, body in read_files(work / "files"):
        writer.add_document(id=name, text=body)
    writer.commit()


def phase_schema(work: Path) -> None:
    from types import SimpleNamespace

    from whoosh import index

    from archive.search import whoosh_fixes  # noqa: F401  (as Sesame writes)
    from archive.search.documents import make_document
    from archive.search.schema import build_schema

    folder = work / "schema-index"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    ix = index.create_in(str(folder), build_schema())
    writer = ix.writer(limitmb=LIMIT_MB)
    for name, body in read_files(work / "files"):
        title, _, text = body.partition("\n\n")
        row = SimpleNamespace(
            id=name,
            title=title,
            source=None,
            byline=None,
            published=None,
            language="my" if "\u1000" <= text[:1] <= "\u109f" else "en",
            text=text.strip(),
            review_status="unread",
            assignee=None,
            verification="unverified",
            sensitive=False,
        )
        writer.add_document(**make_document(row, [], [], {}))
    writer.commit()


def _sesame(*args: str) -> list[str]:
    return [sys.executable, "-m", "archive.cli", *args]


def phase_import(work: Path) -> None:
    archive = work / "import-archive"
    shutil.rmtree(archive, ignore_errors=True)
    subprocess.run(
        _sesame("import", "--archive", str(archive), str(work / "files")),
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )


def phase_noindex(work: Path) -> None:
    archive = work / "noindex-archive"
    shutil.rmtree(archive, ignore_errors=True)
    subprocess.run(
        _sesame("import", "--no-index", "--archive", str(archive), str(work / "files")),
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )


def prepare_committed(work: Path) -> Path:
    """An archive holding the files' articles, committed, its (empty) index behind."""
    archive = work / "catchup-archive"
    shutil.rmtree(archive, ignore_errors=True)
    from archive.store import Archive

    with Archive.open(archive, create=True) as opened:  # an empty index, built now
        opened.index.catch_up(force=True)
    subprocess.run(
        _sesame("import", "--no-index", "--archive", str(archive), str(work / "files")),
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return archive


def phase_catchup(work: Path) -> None:
    from archive.store import Archive

    archive = Archive.open(work / "catchup-archive")
    try:
        archive.sync_index(force=True)
    finally:
        archive.close()


def phase_rebuild(work: Path) -> None:
    subprocess.run(
        _sesame("reindex", "--archive", str(work / "catchup-archive")),
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )


def profile_catchup(work: Path, top: int) -> None:
    """One child's work (`building.build_segment`) in-process under cProfile."""
    import cProfile
    import pstats
    import sqlite3

    from archive.database import DB_NAME, INDEX_DIR
    from archive.search import building

    archive = work / "catchup-archive"
    with sqlite3.connect(archive / DB_NAME) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM article ORDER BY rowid")]
    index_dir = archive / INDEX_DIR
    profiler = cProfile.Profile()
    sink = open(os.devnull, "w")  # noqa: SIM115  (the child's answers)
    stdout, sys.stdout = sys.stdout, sink
    try:
        profiler.runcall(
            building.build_segment,
            archive / DB_NAME,
            index_dir,
            ids,
            building._random_segid(),
            "build-profile.tmp",
            [],
        )
    finally:
        sys.stdout = stdout
    stats = pstats.Stats(profiler).sort_stats("tottime")
    stats.print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


RUNNERS = {
    "plain": phase_plain,
    "schema": phase_schema,
    "import": phase_import,
    "noindex": phase_noindex,
    "catchup": phase_catchup,
    "rebuild": phase_rebuild,
}


# -- measuring a phase ------------------------------------------------------------------


def _tree_memory(proc: psutil.Process) -> tuple[int, int, list[tuple[str, int]]]:
    """RSS and PSS summed over the process tree (PSS counts shared pages once), and
    each process's PSS by what it runs."""
    rss = pss = 0
    each: list[tuple[str, int]] = []
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            info = p.memory_full_info()  # (/proc/PID/smaps_rollup: ~3 ms a process)
            rss += info.rss
            pss += info.pss
            each.append((_what(p), info.pss))
    return rss, pss, each


def _what(p: psutil.Process) -> str:
    """A short name for a process of the tree: its module or script and first argument."""
    with contextlib.suppress(psutil.Error):
        args = p.cmdline()
        if "-m" in args:
            rest = args[args.index("-m") + 1 :]
            return " ".join(rest[:2])
        if "-c" in args:  # the import's sandbox (archive.ingest.sandbox, started with -c)
            code = args[args.index("-c") + 1]
            return next((line for line in code.splitlines() if "import main" in line), "-c")
        return " ".join(Path(a).name for a in args[1:3])
    return "?"


def measure(work: Path, phase: str, count: int) -> dict[str, Any]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--phase", phase, "--work", str(work)], cwd=ROOT
    )
    proc = psutil.Process(child.pid)
    peak = peak_pss = 0
    at_peak: list[tuple[str, int]] = []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss, at_peak
        while not stop.wait(0.05):
            try:
                rss, pss, each = _tree_memory(proc)
            except psutil.Error:
                return
            peak = max(peak, rss)
            if pss > peak_pss:
                peak_pss, at_peak = pss, each

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"phase {phase} failed (exit status {child.returncode})")
    cpu = usage.ru_utime + usage.ru_stime  # the child and every descendant it waited for
    return {
        "phase": phase,
        "wall": wall,
        "cpu": cpu,
        "per_cpu_s": count / cpu,
        "per_s": count / wall,
        "rss_mb": peak / 2**20,
        "pss_mb": peak_pss / 2**20,
        "at_peak": [(what, round(pss / 2**20)) for what, pss in at_peak],
        "load": os.getloadavg()[0],
    }


LABELS = {
    "plain": "plain Whoosh, one TEXT field (yardstick)",
    "schema": "Whoosh writer, Sesame's schema and documents",
    "import": "`sesame import`, whole pipeline",
    "noindex": "`sesame import --no-index` (all but the index)",
    "catchup": "index catch-up of committed articles",
    "rebuild": "`sesame reindex` (from scratch)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--work", type=Path, help="keep the files and archives here")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the phases this often")
    parser.add_argument("--profile", choices=["catchup"], help="cProfile of one child's work")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        RUNNERS[args.phase](args.work)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="index-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    files = work / "files"
    count = len(list(files.glob("*.txt"))) if files.is_dir() else 0
    if count != args.count:
        shutil.rmtree(files, ignore_errors=True)
        write_files(files, args.count)
    phases = [p for p in args.phases.split(",") if p]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase(s): {', '.join(sorted(unknown))}")
    if args.profile:
        prepare_committed(work)
        profile_catchup(work, 40)
        return
    print(f"{args.count:,} articles in {work}; load average {os.getloadavg()[0]:.2f}", flush=True)
    results = []
    for _ in range(args.rounds):
        for phase in phases:
            if phase in ("catchup", "rebuild") and not (work / "catchup-archive").is_dir():
                prepare_committed(work)
            if phase == "catchup":
                prepare_committed(work)  # the articles committed, the index behind them
            result = measure(work, phase, args.count)
            results.append(result)
            print(
                f"{LABELS[phase]:<48} {result['wall']:7.1f} s  {result['cpu']:7.1f} CPU s  "
                f"{result['per_cpu_s']:6.0f} art/CPU-s  {result['per_s']:6.0f} art/s  "
                f"{result['rss_mb']:6.0f} MB RSS  {result['pss_mb']:6.0f} MB PSS  "
                f"load {result['load']:.2f}",
                flush=True,
            )
            print("  at the peak (MB PSS):", ", ".join(f"{w} {m}" for w, m in result["at_peak"]))
    plain = [r for r in results if r["phase"] == "plain"]
    if plain:
        yard = sum(r["per_cpu_s"] for r in plain) / len(plain)
        print("\narticles per CPU-second against the plain Whoosh writer of the same run:")
        for r in results:
            print(f"  {LABELS[r['phase']]:<48} {r['per_cpu_s'] / yard:5.2f}x")
    if args.json:
        print(json.dumps(results, indent=1))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
