"""What reading files in the worker process costs (issue 10; results in docs/benchmarks.md).

The same files imported into fresh archives twice, alternately: read in the
import's worker process (`archive.ingest.sandbox`, the default) and in-process
(`import_paths(..., isolate=False)`, the yardstick). Index off, copies off: the
reading is what differs. Also the worker's start (the first file of an import
in a process that has none idle) and a one-file `sesame import` from a shell.

    .venv/bin/python bench/sandbox_bench.py [--files 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.ingest import import_paths, sandbox
from archive.store import Archive

WORDS = [
    "police",
    "river",
    "market",
    "vote",
    "strike",
    "curfew",
    "convoy",
    "clinic",
    "bridge",
    "council",
]


def write_files(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(600))
        (folder / f"a{i:05d}.txt").write_text(f"Report {seed} {i}\n\n{body}\n", "utf-8")


def timed_import(root: Path, data: Path, isolate: bool) -> float:
    where = root / f"arch-{time.monotonic_ns()}"
    with Archive.open(where, create=True) as archive:
        started = time.perf_counter()
        report = import_paths(archive, [data], index=False, find_copies=False, isolate=isolate)
        seconds = time.perf_counter() - started
    assert not report.failed, report.failed[:3]
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ.setdefault("SESAME_CONFIG_DIR", str(root / "config"))
        os.environ.setdefault("SESAME_USER", "Bench")
        data = root / "data"
        write_files(data, args.files, 1)
        timed_import(root, data, True)  # warm: the worker started, caches filled
        worker: list[float] = []
        inline: list[float] = []
        for _ in range(args.rounds):
            inline.append(timed_import(root, data, False))
            worker.append(timed_import(root, data, True))
        sandbox.close_idle()
        started = time.perf_counter()
        with sandbox.worker() as w:
            w.read(".txt", b"Start\n\nthe worker's start", "a.txt")
        start_s = time.perf_counter() - started
        sandbox.close_idle()
        one = data / "a00000.txt"
        shell: list[float] = []
        for k in range(3):
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "archive.cli",
                    "--archive",
                    str(root / f"one{k}"),
                    "import",
                    str(one),
                ],
                check=True,
                capture_output=True,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
            )
            shell.append(time.perf_counter() - started)
    w_med, i_med = statistics.median(worker), statistics.median(inline)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{args.files} text files, index and copies off, median of {args.rounds}:")
    print(f"  in-process (yardstick): {i_med:.2f} s = {args.files / i_med:.0f} files/s")
    print(f"  in the worker:          {w_med:.2f} s = {args.files / w_med:.0f} files/s")
    print(f"  worker / in-process:    {w_med / i_med:.2f}x")
    print(f"worker start (first file of an import): {start_s:.2f} s")
    print(f"`sesame import` of one file from a shell: median {statistics.median(shell):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
