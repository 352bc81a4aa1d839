"""Desktop benchmarks (issue 5; results in docs/benchmarks.md, "Desktop").

1. Window shown with a 100,000-article archive: time from creating the main
   window to the window painted, and to the library table filled (target 2 s).
   Also: one library filter and one sort over the 100,000 rows.
2. Event-loop stalls during a 5,000-file import run from the window (through
   the task helper, search index on): a 5 ms QTimer heartbeat records the
   longest gap between beats (target: no gap over 100 ms).

Opening a 20,000-word article with 1,000 annotations is measured by
bench/reader_bench.py (the reader's own benchmark).

    .venv/bin/python bench/desktop_bench.py [--articles 100000] [--files 5000]

(offscreen by default: QT_QPA_PLATFORM=offscreen unless set).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

print = functools.partial(print, flush=True)

TARGET_SHOW_S = 2.0
TARGET_STALL_MS = 100.0

_WORD_TEXT = (
    "police protest strike harbour council village soldiers workers union committee "
    "arrested detained released hospital school market township province minister "
    "report statement march april monday families residents convoy bridge curfew"
)
WORDS = _WORD_TEXT.split()
SOURCES = ["Coast Herald", "Daily Lantern", "Meridian Post", "Valley Times", "Derin Radio"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def build_big_archive(folder: Path, count: int) -> None:
    """An archive with `count` articles and some annotations, written in bulk."""
    from archive import models
    from archive.store import Archive

    rng = random.Random(5)
    archive = Archive.open(folder, create=True)
    art = models.Article.__table__  # type: ignore[attr-defined]
    ann = models.Annotation.__table__  # type: ignore[attr-defined]
    batch = 5000
    with archive.engine.begin() as conn:
        for first in range(0, count, batch):
            rows = []
            notes = []
            for i in range(first, min(first + batch, count)):
                article_id = models.new_id()
                text = " ".join(_sentence(rng, 12) for _ in range(8))
                rows.append(
                    {
                        "id": article_id,
                        "title": _sentence(rng, 7)[:-1],
                        "source": rng.choice(SOURCES),
                        "published": f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-"
                        f"{rng.randint(1, 28):02d}",
                        "published_precision": "day",
                        "language": "en",
                        "text": text,
                        "text_sha256": f"{i:064x}",
                        "imported_at": models.utcnow(),
                        "imported_from": f"bench-{i}.txt",
                        "meta": {},
                        "updated_at": models.utcnow(),
                    }
                )
                for k in range(i % 4):
                    notes.append(
                        {
                            "id": models.new_id(),
                            "article_id": article_id,
                            "start": k * 10,
                            "end": k * 10 + 5,
                            "quote": text[k * 10 : k * 10 + 5],
                            "type_key": ("actor", "event", "figure")[k % 3],
                            "created_at": models.utcnow(),
                            "updated_at": models.utcnow(),
                            "origin": "manual",
                            "orphaned": False,
                            "note": "",
                            "prefix": "",
                            "suffix": "",
                        }
                    )
            conn.execute(art.insert(), rows)
            if notes:
                conn.execute(ann.insert(), notes)
    archive.close()


def wait(app: object, done, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not done():
        app.processEvents()  # type: ignore[attr-defined]
        if time.monotonic() > end:
            raise SystemExit("desktop_bench: timed out")
        time.sleep(0.001)


def bench_show(app: object, folder: Path, count: int) -> dict[str, float]:
    from PySide6.QtCore import Qt

    from archive.library import LibraryFilter
    from archive.store import Archive
    from desktop.main_window import create_main_window
    from desktop.settings import Settings

    started = time.perf_counter()
    archive = Archive.open(folder)
    window = create_main_window(archive, Settings())
    loaded: list[int] = []
    window.library.loaded.connect(loaded.append)
    window.show()
    app.processEvents()  # type: ignore[attr-defined]
    shown = time.perf_counter() - started
    wait(app, lambda: bool(loaded))
    app.processEvents()  # type: ignore[attr-defined]
    filled = time.perf_counter() - started
    assert window.library.model.rowCount() == count, window.library.model.rowCount()

    t = time.perf_counter()
    window.library.model.set_filter(LibraryFilter(text="police"))
    filter_s = time.perf_counter() - t
    t = time.perf_counter()
    window.library.model.sort(0, Qt.SortOrder.AscendingOrder)
    sort_s = time.perf_counter() - t
    window.shutdown()
    window.close()
    archive.close()
    return {"shown": shown, "filled": filled, "filter": filter_s, "sort": sort_s}


def bench_import_stalls(app: object, tmp: Path, files: int) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer

    from archive.store import Archive
    from desktop.main_window import create_main_window
    from desktop.settings import Settings

    rng = random.Random(7)
    src = tmp / "files"
    src.mkdir()
    for i in range(files):
        body = "\n\n".join(" ".join(_sentence(rng, 14) for _ in range(5)) for _ in range(6))
        (src / f"article-{i:05d}.txt").write_text(
            f"# {_sentence(rng, 6)[:-1]} {i}\n\nDate: 2023-05-{1 + i % 28:02d}\n"
            f"Source: {rng.choice(SOURCES)}\n\n{body}\n",
            encoding="utf-8",
        )
    archive = Archive.open(tmp / "import-archive", create=True)
    window = create_main_window(archive, Settings())
    window.show()
    wait(app, lambda: not window.ctx.tasks.busy)

    beats: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: beats.append(time.perf_counter()))
    finished: list[dict] = []
    window.importer.importFinished.connect(finished.append)
    timer.start()
    started = time.perf_counter()
    if os.environ.get("SESAME_BENCH_DEBUG"):
        _watchdog(beats)
    # The app's own event loop, as a person's window runs it (a processEvents
    # loop with sleeps would add its own waits for the interpreter lock).
    loop = QEventLoop()
    window.importer.importFinished.connect(lambda _summary: loop.quit())
    window.importer.import_paths([src])
    if not finished:
        loop.exec()
    elapsed = time.perf_counter() - started
    timer.stop()
    gaps = sorted((b - a) * 1000 for a, b in itertools.pairwise(beats))
    if os.environ.get("SESAME_BENCH_DEBUG"):
        for a, b in itertools.pairwise(beats):
            if b - a > 0.05:
                print(f"  stall {1000 * (b - a):.0f} ms at {a - started:.2f} s of {elapsed:.2f} s")
    imported = len(finished[0]["imported"])
    if window.importer.summary is not None:
        window.importer.summary.close()
    window.shutdown()
    window.close()
    archive.close()
    return {
        "files": float(imported),
        "seconds": elapsed,
        "max_gap_ms": gaps[-1] if gaps else 0.0,
        "p99_gap_ms": gaps[int(len(gaps) * 0.99)] if gaps else 0.0,
        "beats": float(len(beats)),
    }


def _watchdog(beats: list[float]) -> None:
    """Debug aid: print every thread's stack when the heartbeat is late."""
    import threading
    import traceback

    def watch() -> None:
        reported = 0.0
        while True:
            time.sleep(0.01)
            if not beats:
                continue
            late = time.perf_counter() - beats[-1]
            if late > 0.06 and beats[-1] != reported:
                reported = beats[-1]
                for ident, frame in sys._current_frames().items():
                    if ident == threading.get_ident():
                        continue
                    stack = "".join(traceback.format_stack(frame)[-14:])
                    print(f"--- late {late * 1000:.0f} ms, thread {ident}:\n{stack}")

    threading.Thread(target=watch, daemon=True).start()

    import gc

    starts: dict[int, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        ident = threading.get_ident()
        if phase == "start":
            starts[ident] = time.perf_counter()
        else:
            took = time.perf_counter() - starts.pop(ident, time.perf_counter())
            if took > 0.02:
                gen, freed = info["generation"], info["collected"]
                print(f"  gc gen {gen} took {took * 1000:.0f} ms, {freed} freed")

    gc.callbacks.append(on_gc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sesame-desktop-bench-"))
    os.environ["SESAME_CONFIG_DIR"] = str(tmp / "config")
    from desktop.app import make_application

    app = make_application([])
    ok = True

    t = time.perf_counter()
    big = tmp / "big"
    build_big_archive(big, args.articles)
    print(f"built a {args.articles:,}-article archive in {time.perf_counter() - t:.1f} s")
    show = bench_show(app, big, args.articles)
    print(
        f"window shown: {show['shown']:.2f} s; library filled with {args.articles:,} rows: "
        f"{show['filled']:.2f} s (target <= {TARGET_SHOW_S:.0f} s); "
        f"filter {show['filter'] * 1000:.0f} ms, sort {show['sort'] * 1000:.0f} ms"
    )
    ok &= show["filled"] <= TARGET_SHOW_S

    stalls = bench_import_stalls(app, tmp, args.files)
    print(
        f"import of {int(stalls['files']):,} files from the window: {stalls['seconds']:.1f} s; "
        f"longest event-loop stall {stalls['max_gap_ms']:.0f} ms, "
        f"p99 {stalls['p99_gap_ms']:.0f} ms "
        f"over {int(stalls['beats']):,} heartbeats (target < {TARGET_STALL_MS:.0f} ms)"
    )
    ok &= stalls["max_gap_ms"] < TARGET_STALL_MS
    print("desktop_bench: " + ("all targets met" if ok else "TARGET MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
