"""Command-line start-up benchmark: `sesame --help`, a usage error, search, list, show.

Each case is a whole process (interpreter start, imports, the command, exit),
run several times, interleaved; p50, p95 and the fastest wall time are
printed, and the median CPU time (user + system) of the process, next to
`python -c pass` and `python -c "import sqlite3"` run the same way in the same
run, the floors no command can go under. On a machine others load, CPU time
moves far less than wall time. The commands run on a small archive of the
demo articles, and with `--articles N` search, list and show also run on a
generated archive of N articles (bench/compare_bench.py's corpus, indexed as
an import leaves it; issue 15 item 5: `sesame search` <= 0.5 s at 10,000).
The load average is printed before and after.

Compiled bytecode is kept in a private folder (PYTHONPYCACHEPREFIX) even when
PYTHONDONTWRITEBYTECODE is set, as an installed copy has its .pyc files:
without them every run compiles archive/ again (`--no-pyc` measures that).

    .venv/bin/python bench/cli_bench.py            # 15 runs per case
    .venv/bin/python bench/cli_bench.py --runs 31
    .venv/bin/python bench/cli_bench.py --articles 10000 --work /tmp/cli10k
        # builds the 10,000-article archive into /tmp/cli10k once; reused later
    .venv/bin/python bench/cli_bench.py --tree /tmp/after --before /tmp/before
        # `python -m archive.cli` of two source trees (git archive), interleaved
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # compare_bench's corpus

from desktop.resources import demo_dir

TARGET_S = 0.3  # for --help and usage errors (issue 8)
SEARCH_TARGET_S = 0.5  # a whole `sesame search` (issue 15 item 5), reported only


def sesame_command() -> list[str]:
    """The installed `sesame` script next to this interpreter, else `python -m archive.cli`."""
    script = Path(sys.executable).with_name("sesame")
    return [str(script)] if script.exists() else [sys.executable, "-m", "archive.cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_env(env: dict[str, str], tree: Path) -> dict[str, str]:
    """`env` for `python -m archive.cli` run from the source tree `tree`."""
    return dict(env, PYTHONPATH=str(tree.resolve()))


def timed(argv: list[str], env: dict[str, str], expect: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one whole process."""
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        raise SystemExit(f"{argv}: exit {done.returncode}, expected {expect}\n{done.stderr!r}")
    return elapsed, _children_cpu() - cpu


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def generated_archive(folder: Path, count: int, env: dict[str, str]) -> tuple[str, str]:
    """A generated archive of `count` articles in `folder` (built once, then reused);
    returns (a search term, an article id prefix)."""
    from compare_bench import Corpus, build_sesame

    corpus = Corpus(count)
    term = corpus.vocab[60]  # a common made-up word: ~1,000s of articles hold it
    db = folder / "archive.sqlite"
    if db.exists():
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        found = conn.execute("SELECT count(*) FROM article").fetchone()[0]
        conn.close()
        if found != count:
            raise SystemExit(f"{folder} holds {found:,} articles, not {count:,}: another --work")
    else:
        print(f"building {count:,} articles in {folder} ...", flush=True)
        started = time.perf_counter()
        os.environ.update(env)  # the same user and config as the commands
        archive, _ = build_sesame(folder, corpus)
        archive.close()
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    article = conn.execute("SELECT id FROM article ORDER BY rowid LIMIT 1").fetchone()[0]
    conn.close()
    return term, article[:8]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--no-pyc", action="store_true", help="compile every module on every run (no .pyc)"
    )
    parser.add_argument(
        "--articles", type=int, default=0, help="also search, list, show N generated articles"
    )
    parser.add_argument("--work", type=Path, help="where the generated archive is kept")
    parser.add_argument("--tree", type=Path, help="run the sesame cases from this source tree")
    parser.add_argument(
        "--before", type=Path, help="also run every sesame case from this tree (interleaved)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sesame-cli-bench-"))
    for name in ("work", "tree", "before"):
        if getattr(args, name) is not None:
            setattr(args, name, getattr(args, name).resolve())
    os.chdir(tmp)  # `python -m` puts the working folder first on the path: not a tree
    env = dict(os.environ, SESAME_CONFIG_DIR=str(tmp / "config"), SESAME_USER="Bench")
    if args.no_pyc:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pyc")
    sesame = sesame_command()
    run_env = env
    if args.tree or args.before:
        sesame = [sys.executable, "-m", "archive.cli"]
        if args.tree:
            run_env = tree_env(env, args.tree)
    archive = tmp / "archive"
    setup = [*sesame, "--archive", str(archive), "import", str(demo_dir())]
    subprocess.run(setup, env=run_env, check=True, capture_output=True)
    listing = subprocess.run(
        [*sesame, "--archive", str(archive), "list", "--json"],
        env=run_env,
        check=True,
        capture_output=True,
    )
    article = json.loads(listing.stdout)[0]["id"][:8]
    on = [*sesame, "--archive", str(archive)]
    cases = [
        ("python -c pass (yardstick)", [sys.executable, "-c", "pass"], 0),
        ("python -c 'import sqlite3' (yardstick)", [sys.executable, "-c", "import sqlite3"], 0),
        ("sesame --help", [*sesame, "--help"], 0),
        ("sesame tag (usage error)", [*sesame, "tag"], 2),
        ("sesame search police", [*on, "search", "police"], 0),
        ("sesame list", [*on, "list"], 0),
        (f"sesame show {article}", [*on, "show", article], 0),
    ]
    big_search = ""
    if args.articles:
        work = args.work or tmp / "generated"
        term, big_id = generated_archive(work, args.articles, run_env)
        big = [*sesame, "--archive", str(work)]
        n = f"{args.articles:,}"
        big_search = f"sesame search {term} ({n})"
        cases += [
            (big_search, [*big, "search", term], 0),
            (f"sesame --json search {term} ({n})", [*big, "--json", "search", term], 0),
            (f"sesame list ({n})", [*big, "list"], 0),
            (f"sesame show {big_id} ({n})", [*big, "show", big_id], 0),
        ]
    runs = [
        (label, argv, expect, env if "yardstick" in label else run_env)
        for label, argv, expect in cases
    ]
    if args.before:
        before_env = tree_env(env, args.before)
        runs += [
            (f"{label} [before]", argv, expect, before_env)
            for label, argv, expect in cases
            if "yardstick" not in label
        ]
    load_before = os.getloadavg()
    try:
        for _, argv, expect, case_env in runs:  # warm the file cache and the .pyc files
            timed(argv, case_env, expect)
        times: dict[str, list[float]] = {label: [] for label, _, _, _ in runs}
        cpus: dict[str, list[float]] = {label: [] for label, _, _, _ in runs}
        for _ in range(args.runs):  # interleaved, so a busy moment hits every case alike
            for label, argv, expect, case_env in runs:
                wall, cpu = timed(argv, case_env, expect)
                times[label].append(wall)
                cpus[label].append(cpu)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load_after = os.getloadavg()
    pyc = "no .pyc (compiled every run)" if args.no_pyc else ".pyc kept"
    print(f"{args.runs} runs per case; {' '.join(sesame)}; {pyc}")
    print(
        f"load average (1, 5, 15 min) before {', '.join(f'{v:.1f}' for v in load_before)}; "
        f"after {', '.join(f'{v:.1f}' for v in load_after)}; {os.cpu_count()} CPUs"
    )
    floor = statistics.median(times["python -c pass (yardstick)"])
    floor_cpu = statistics.median(cpus["python -c pass (yardstick)"])
    print("| case | p50 | p95 | fastest | p50 / `pass` | CPU p50 | CPU / `pass` |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, values in times.items():
        p50, cpu = statistics.median(values), statistics.median(cpus[label])
        print(
            f"| {label} | {p50:.3f} s | {pct(values, 95):.3f} s | {min(values):.3f} s | "
            f"{p50 / floor:.1f}x | {cpu:.3f} s | {cpu / floor_cpu:.1f}x |"
        )
    for label in filter(None, ("sesame search police", big_search)):
        search = statistics.median(times[label])
        if search > SEARCH_TARGET_S:
            print(f"{label}: {search:.3f} s, over its {SEARCH_TARGET_S} s target")
    slow = [
        label
        for label in ("sesame --help", "sesame tag (usage error)")
        if statistics.median(times[label]) >= TARGET_S
    ]
    if slow:
        print(f"over the {TARGET_S} s target: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
