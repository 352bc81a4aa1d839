"""Command-line start-up benchmark: `sesame --help`, a usage error, search, list, show.

Each case is a whole process (interpreter start, imports, the command, exit),
run several times; the median and the fastest are printed next to
`python -c pass` and `python -c "import sqlite3"` run the same way in the same
run, the floors no command can go under. The commands run on a small archive
of the demo articles. The load average is printed before and after.

Compiled bytecode is kept in a private folder (PYTHONPYCACHEPREFIX) even when
PYTHONDONTWRITEBYTECODE is set, as an installed copy has its .pyc files:
without them every run compiles archive/ again (`--no-pyc` measures that).

    .venv/bin/python bench/cli_bench.py            # 15 runs per case
    .venv/bin/python bench/cli_bench.py --runs 31
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.resources import demo_dir

TARGET_S = 0.3  # for --help and usage errors (issue 8)
SEARCH_TARGET_S = 0.5  # a whole `sesame search` (issue 15 item 5), reported only


def sesame_command() -> list[str]:
    """The installed `sesame` script next to this interpreter, else `python -m archive.cli`."""
    script = Path(sys.executable).with_name("sesame")
    return [str(script)] if script.exists() else [sys.executable, "-m", "archive.cli"]


def timed(argv: list[str], env: dict[str, str], expect: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        raise SystemExit(f"{argv}: exit {done.returncode}, expected {expect}\n{done.stderr!r}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--no-pyc", action="store_true", help="compile every module on every run (no .pyc)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sesame-cli-bench-"))
    env = dict(os.environ, SESAME_CONFIG_DIR=str(tmp / "config"), SESAME_USER="Bench")
    if args.no_pyc:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pyc")
    sesame = sesame_command()
    archive = tmp / "archive"
    setup = [*sesame, "--archive", str(archive), "import", str(demo_dir())]
    subprocess.run(setup, env=env, check=True, capture_output=True)
    listing = subprocess.run(
        [*sesame, "--archive", str(archive), "list", "--json"],
        env=env,
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
    load_before = os.getloadavg()
    try:
        for _, argv, expect in cases:  # warm the file cache and the .pyc files
            timed(argv, env, expect)
        times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
        for _ in range(args.runs):  # interleaved, so a busy moment hits every case alike
            for label, argv, expect in cases:
                times[label].append(timed(argv, env, expect))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load_after = os.getloadavg()
    pyc = "no .pyc (compiled every run)" if args.no_pyc else ".pyc kept"
    print(f"{args.runs} runs per case; {' '.join(sesame)}; {pyc}")
    print(
        f"load average (1, 5, 15 min) before {', '.join(f'{v:.1f}' for v in load_before)}; "
        f"after {', '.join(f'{v:.1f}' for v in load_after)}; {os.cpu_count()} CPUs"
    )
    print("| case | median | fastest |")
    print("| --- | --- | --- |")
    for label, values in times.items():
        print(f"| {label} | {statistics.median(values):.3f} s | {min(values):.3f} s |")
    search = statistics.median(times["sesame search police"])
    if search > SEARCH_TARGET_S:
        print(f"sesame search: {search:.3f} s, over its {SEARCH_TARGET_S} s target")
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
