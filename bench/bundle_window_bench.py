"""Bundles in the window: does it stall during an export or an import? (issue 9)

Everything runs in the real window (`create_main_window`: an `AppContext`
with its `TaskRunner` and `Writer`, every view connected), offscreen, in the
app's own event loop, with the 5 ms QTimer heartbeat of
`bench/writes_bench.py` on the GUI thread: its longest gap is the window's
longest stall (target: none > 100 ms).

1. Export: the whole source archive, as File → Export bundle… starts it
   (`BundleController.run_export`), until the `exported` signal.
2. Import into an empty archive of another window, as File → Import bundle…
   does: `BundleController.check` (verification in the background), the
   verdict dialog's Import (`importRequested`), the merge through the
   window's writer, the report; then the search index's catch-up (the
   writer's `IndexCatchUp` job). Times: verified, archive ready (the change
   committed, views told), index caught up.
3. Re-import of the same bundle (nothing changes), the same way.
4. The entities panel's reload of the imported archive, in the GUI thread's CPU time
   (`panel_reload`: a figure the machine's load changes little).

The source archive is `bench/bundle_bench.py`'s fixture (`build_fixture`),
kept with `--keep DIR` (reused when there). Yardstick from the same run: a
quiet second of heartbeat with the window open and nothing running.

    .venv/bin/python bench/bundle_window_bench.py [--articles 2000] [--annotations 10000]
        [--entities 100] [--words 400] [--keep DIR] [--debug]

`--debug`: print the GUI thread's stack whenever the heartbeat is 60 ms late.
`--trace`: for each stall over 50 ms, the GUI thread's own CPU time in it (from
/proc: a stall with little of it is the GUI thread waiting for the interpreter lock,
another thread's allocator lock or a core, not working) and where it was, sampled
every 5 ms (its innermost archive/desktop frames, most frequent first).
`--profile`: cProfile of the GUI thread through the first import (verdict to index).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

print = functools.partial(print, flush=True)

TARGET_STALL_MS = 100.0


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def open_window(path: Path, create: bool = False) -> Any:
    from writes_bench import wait_idle

    from archive.store import Archive
    from desktop.main_window import create_main_window
    from desktop.settings import Settings

    archive = Archive.open(path, create=create)
    window = create_main_window(archive, Settings())
    window.resize(1400, 900)
    window.show()
    wait_idle(window.ctx)
    return window


def close_window(window: Any) -> None:
    from writes_bench import wait_idle

    wait_idle(window.ctx)
    window.ctx.tasks.cancel_all()
    window.ctx.tasks.wait(60000)
    window.close()
    window.ctx.archive.close()


def quiet(hb: Any) -> float:
    from writes_bench import run_loop

    t0 = time.perf_counter()
    run_loop(lambda: time.perf_counter() - t0 > 1.0, 5)
    return hb.worst(t0)[0]


def export(window: Any, hb: Any, out: Path) -> dict[str, Any]:
    from writes_bench import run_loop

    done: list[Any] = []
    window.bundles.exported.connect(done.append)
    t0 = time.perf_counter()
    window.bundles.run_export(out, {"scope": "archive"}, None, [])
    if not run_loop(lambda: bool(done), 3600):
        raise SystemExit("bundle_window_bench: export timed out")
    t1 = time.perf_counter()
    return {"seconds": t1 - t0, "stall": hb.worst(t0, t1)}


def _none_pending(archive: Any) -> Any:
    """Whether nothing is left for the index, asked at most every 250 ms: asked at each
    20 ms check, the bench's own COUNT query was a tenth of the GUI thread's time."""
    last = [0.0, False]

    def check() -> bool:
        now = time.perf_counter()
        if now - last[0] >= 0.25:
            last[:] = [now, archive.index.pending() == 0]
        return bool(last[1])

    return check


def import_(window: Any, hb: Any, path: Path) -> dict[str, Any]:
    from writes_bench import run_loop, wait_idle

    from desktop.bundles.dialogs import VerdictDialog

    ctl = window.bundles
    verdicts: list[Any] = []
    reports: list[Any] = []
    ctl.verified.connect(verdicts.append)
    ctl.imported.connect(reports.append)
    t0, c0 = time.perf_counter(), time.thread_time()
    ctl.check(path, then_import=True)
    if not run_loop(lambda: bool(verdicts) and isinstance(ctl.dialog, VerdictDialog), 3600):
        raise SystemExit("bundle_window_bench: verification timed out")
    t_verified, c_verified = time.perf_counter(), time.thread_time()
    if not verdicts[0].ok:
        raise SystemExit(f"bundle_window_bench: refused: {verdicts[0].reason}")
    prof = None
    if PROFILE and not import_.profiled:  # type: ignore[attr-defined]
        import cProfile

        import_.profiled = True  # type: ignore[attr-defined]
        prof = cProfile.Profile()
        prof.enable()
    ctl.dialog.importRequested.emit()  # the verdict dialog's Import button
    if not run_loop(lambda: bool(reports), 3600):
        raise SystemExit("bundle_window_bench: import timed out")
    t_ready, c_ready = time.perf_counter(), time.thread_time()
    wait_idle(window.ctx, 3600)  # the index catch-up (and any view reload) ends
    # A big catch-up's child processes (archive.search.building) may still be at work,
    # their segments swapped in later: until nothing is pending.
    run_loop(_none_pending(window.ctx.archive), 3600)
    wait_idle(window.ctx, 3600)
    t_index, c_index = time.perf_counter(), time.thread_time()
    if prof is not None:
        import pstats

        prof.disable()
        print("--- GUI thread from Import to the index caught up, by cumulative time:")
        pstats.Stats(prof).sort_stats("cumulative").print_stats("desktop|archive|PySide6", 60)
    if ctl.dialog is not None:
        ctl.dialog.close()
    report = reports[0]
    return {
        "verified": t_verified - t0,
        "ready": t_ready - t0,
        "indexed": t_index - t0,
        "stall_verify": hb.worst(t0, t_verified),
        "stall_merge": hb.worst(t_verified, t_ready),
        "stall_index": hb.worst(t_ready, t_index),
        "changed_nothing": report.changed_nothing,
        "line": report.line()[:160],
        # The GUI thread's own CPU time in each step (its work, whatever the machine's
        # load; the stalls' wall time adds the waits for a core and the interpreter lock).
        "gui_cpu_ms": [
            (c_verified - c0) * 1000,
            (c_ready - c_verified) * 1000,
            (c_index - c_ready) * 1000,
        ],
    }


class StallTracer:
    """`--trace`: what the GUI thread did during each stall of the heartbeat."""

    def __init__(self, hb: Any, over_ms: float = 50.0) -> None:
        import threading

        self.hb = hb
        self.over = over_ms / 1000
        self.main = threading.main_thread()
        self.stalls: list[dict[str, Any]] = []
        self.tick = os.sysconf("SC_CLK_TCK")
        # Collections of the cyclic garbage collector over 10 ms (any thread: it holds the
        # interpreter lock, so every thread waits): (start, ms, generation, thread, freed).
        self.gcs: list[tuple[float, float, int, str, int]] = []
        self._gc_start: dict[int, float] = {}
        import gc

        gc.callbacks.append(self._on_gc)
        threading.Thread(target=self._watch, daemon=True).start()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        import threading

        ident = threading.get_ident()
        if phase == "start":
            self._gc_start[ident] = time.perf_counter()
            return
        start = self._gc_start.pop(ident, None)
        if start is not None and time.perf_counter() - start > 0.01:
            self.gcs.append(
                (
                    start,
                    (time.perf_counter() - start) * 1000,
                    info["generation"],
                    threading.current_thread().name,
                    info["collected"],
                )
            )

    def _cpu(self) -> float:
        """The GUI thread's user + system CPU seconds (Linux /proc)."""
        with open(f"/proc/self/task/{self.main.native_id}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick

    def _where(self, frame: Any) -> str:
        import traceback

        stack = traceback.extract_stack(frame)
        ours = [f for f in stack if "/archive/" in f.filename or "/desktop/" in f.filename]
        picked = ours[-2:] or stack[-1:]
        inner = stack[-1]
        text = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(picked))
        return f"{text} [{inner.name}]"

    def _watch(self) -> None:
        from collections import Counter

        beats = self.hb.beats
        last, samples, others, cpu0 = 0.0, Counter[str](), Counter[str](), 0.0
        while True:
            time.sleep(0.005)
            if not beats or not self.hb.running:
                continue
            if beats[-1] != last:
                late = beats[-1] - last if last else 0.0
                if samples and late > self.over:
                    self.stalls.append(
                        {
                            "at": last,
                            "ms": late * 1000,
                            "cpu_ms": (self._cpu() - cpu0) * 1000,
                            "where": samples.most_common(4),
                            "others": others.most_common(3),
                        }
                    )
                last, samples, others = beats[-1], Counter(), Counter()
                cpu0 = self._cpu()
                continue
            if time.perf_counter() - last < 0.02:
                continue
            frames = sys._current_frames()
            frame = frames.get(self.main.ident)
            if frame is not None:
                samples[self._where(frame)] += 1
            for ident, f in frames.items():
                if ident not in (self.main.ident, __import__("threading").get_ident()):
                    others[self._where(f)] += 1

    def report(self, since: float, until: float, label: str) -> None:
        for st in self.stalls:
            if since <= st["at"] <= until:
                print(
                    f"  [{label}] stall {st['ms']:.0f} ms at {st['at'] - since:.2f} s, "
                    f"GUI thread CPU {st['cpu_ms']:.0f} ms"
                )
                for where, n in st["where"]:
                    print(f"      GUI x{n}: {where}")
                for where, n in st["others"]:
                    print(f"      other x{n}: {where}")
        for start, ms, gen, thread, freed in self.gcs:
            if since <= start <= until:
                print(
                    f"  [{label}] gc of generation {gen} on {thread}: {ms:.0f} ms at "
                    f"{start - since:.2f} s ({freed:,} objects freed)"
                )


def panel_reload(window: Any) -> dict[str, float]:
    """The GUI thread's CPU time (ms, median of 3) for the entities panel to show every
    entity of the imported archive from none, as after an import: `_fill` with rows read
    on a worker, then the events it leaves (the views' layout), and for the most
    mentioned entity its mentions. CPU time, not wall: a figure the machine's load does
    not change much."""
    import statistics

    from PySide6.QtWidgets import QApplication

    from archive import entities, tagtypes
    from desktop.panels.entities import EntitiesPanel

    app = QApplication.instance()
    panel = window.findChildren(EntitiesPanel)[0]
    archive = window.ctx.archive
    types, rows = tagtypes.list_tag_types(archive), entities.list_entities(archive, None)
    fills, layouts, mentions = [], [], []
    for _ in range(3):
        panel._fill(panel._generation, types, [])
        app.processEvents()
        c0 = time.thread_time()
        panel._fill(panel._generation, types, rows)
        c1 = time.thread_time()
        app.processEvents()
        c2 = time.thread_time()
        fills.append((c1 - c0) * 1000)
        layouts.append((c2 - c1) * 1000)
    most = max(rows, key=lambda r: r.mentions)
    found = entities.mentions(archive, most.id)
    for _ in range(3):
        panel.mentions_model.set_mentions([])
        app.processEvents()
        c0 = time.thread_time()
        panel.mentions_model.set_mentions(found)
        if hasattr(panel, "_fit_mentions"):
            panel._fit_mentions()
        app.processEvents()
        mentions.append((time.thread_time() - c0) * 1000)
    return {
        "entities": len(rows),
        "fill": statistics.median(fills),
        "layout": statistics.median(layouts),
        "mentions": len(found),
        "mentions_ms": statistics.median(mentions),
    }


PROFILE = False
import_.profiled = False  # type: ignore[attr-defined]


def main() -> int:
    global PROFILE
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=2000)
    p.add_argument("--annotations", type=int, default=10_000)
    p.add_argument("--entities", type=int, default=100)
    p.add_argument("--words", type=int, default=400)
    p.add_argument("--keep", metavar="DIR")
    p.add_argument("--debug", action="store_true")
    p.add_argument("--trace", action="store_true")
    p.add_argument("--profile", action="store_true")
    args = p.parse_args()
    PROFILE = args.profile

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bundle-window-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["SESAME_CONFIG_DIR"] = str(work / "config-window")
    os.environ["SESAME_USER"] = "Aung"
    from bundle_bench import build_fixture
    from writes_bench import Heartbeat, _watchdog

    from desktop.app import make_application

    make_application([])
    print(
        f"{args.articles:,} articles, {args.annotations:,} annotations; "
        f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    try:
        if not (work / "source").exists():
            fx = build_fixture(
                work / "source", args.articles, args.annotations, args.entities, args.words
            )
            print(f"fixture: {fx['seconds']:.1f} s")
        hb = Heartbeat()
        if args.debug:
            _watchdog(hb)
        tracer = StallTracer(hb) if args.trace else None
        res: dict[str, Any] = {}
        out = work / "window.sesame"
        out.unlink(missing_ok=True)
        window = open_window(work / "source")
        hb.start()
        res["quiet"] = quiet(hb)
        t_export = time.perf_counter()
        res["export"] = export(window, hb, out)
        hb.stop()
        if tracer is not None:
            tracer.report(t_export, time.perf_counter(), "export")
        close_window(window)
        print(
            f"export: {res['export']['seconds']:.1f} s, longest stall "
            f"{res['export']['stall'][0]:.0f} ms (at {res['export']['stall'][1]:.1f} s); "
            f"quiet second's longest gap {res['quiet']:.0f} ms"
        )
        shutil.rmtree(work / "window-target", ignore_errors=True)
        window = open_window(work / "window-target", create=True)
        hb.start()
        for phase in ("import", "reimport"):
            t_phase = time.perf_counter()
            r = import_(window, hb, out)
            if tracer is not None:
                tracer.report(t_phase, time.perf_counter(), phase)
            res[phase] = r
            print(
                f"{phase}: verified {r['verified']:.1f} s, archive ready {r['ready']:.1f} s, "
                f"index caught up {r['indexed']:.1f} s; longest stall: verify "
                f"{r['stall_verify'][0]:.0f} ms, merge {r['stall_merge'][0]:.0f} ms, "
                f"index {r['stall_index'][0]:.0f} ms; GUI thread CPU: verify "
                f"{r['gui_cpu_ms'][0]:.0f} / merge {r['gui_cpu_ms'][1]:.0f} / index "
                f"{r['gui_cpu_ms'][2]:.0f} ms; {r['line']}"
            )
        hb.stop()
        pr = panel_reload(window)
        print(
            f"entities panel reload, GUI thread CPU: {pr['entities']} entities {pr['fill']:.1f} ms "
            f"+ the layout after it {pr['layout']:.1f} ms; {pr['mentions']} mentions of one "
            f"{pr['mentions_ms']:.1f} ms"
        )
        close_window(window)
        print(
            f"peak RSS (whole process) {rss_mb():.0f} MB now; load average at end "
            f"{os.getloadavg()[0]:.1f}"
        )
        worst = max(
            res["export"]["stall"][0],
            *(res[ph][k][0] for ph in ("import", "reimport")
              for k in ("stall_verify", "stall_merge", "stall_index")),
        )  # fmt: skip
        print(f"longest stall of all: {worst:.0f} ms (target < {TARGET_STALL_MS:.0f} ms)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
