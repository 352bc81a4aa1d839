"""Bundles: export, verify, import, re-import, peak memory (issue 9; docs/benchmarks.md).

Builds an archive of N articles (default 10,000, about 400 words each, every
one with its original bytes) carrying 50,000 annotations (actors, events and
figures, some with notes) linked to a few hundred entities, two collections,
and the audit entries an import and tagging would have written: all in one
core change (`archive.change("bench fixture")`, bulk INSERTs announced with
`ch.track`). Then, each phase in a fresh subprocess (so that its peak RSS is
its own):

- export: `writer.export_bundle` of the whole archive (target <= 30 s);
- verify: `reader.verify_bundle` (target <= 10 s);
- import: `merge.import_bundle` into an empty archive of another person
  (target <= 60 s), split into the merge itself and the search-index catch-up
  that follows its commit;
- re-import: the same bundle again; the report must say nothing was added,
  updated or in conflict (target <= 20 s);
- peak RSS of every phase (target < 500 MB): the phase process's own high-water
  mark, and its whole process tree's (the search index's child processes with it:
  the sum of their PSS) sampled every 50 ms.

Yardsticks from the same run (the 2 cores are shared and noisy): the
bundle's own uncompressed members deflated into a new zip with plain
`zipfile` (level 6, as the writer) and hashed with `hashlib.sha256`; the
same members read back, hashed and `json.loads`-ed; the same articles and
annotations inserted with plain `sqlite3` in one transaction.

    .venv/bin/python bench/bundle_bench.py [--articles 10000] [--annotations 50000]
        [--entities 300] [--words 400] [--profile export|verify|import|reimport]
        [--keep DIR] [--strict]

`--profile PHASE`: that phase runs under cProfile; the top 20 functions by
cumulative and by own time are printed (and the stats kept in
profile-PHASE.prof of the work folder, with `--keep`). `--strict`: exit 1 if a target is
missed. Nothing touches the real user's folders: SESAME_CONFIG_DIR and
SESAME_USER point into the temporary folder.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import hashlib
import io
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

print = functools.partial(print, flush=True)

TARGETS = {"export": 30.0, "verify": 10.0, "import": 60.0, "reimport": 20.0}
TARGET_RSS_MB = 500.0

_WORD_TEXT = (
    "police protest strike harbour council village soldiers workers union committee "
    "arrested detained released hospital school market township province minister "
    "report statement march april monday families residents convoy bridge curfew "
    "the of and to in a was were said that on for with by at from as had has"
)
WORDS = _WORD_TEXT.split()
_NAME_TEXT = "Aung Hla Tin Min Tun Kyaw Zaw Win Myint Thein Soe Nyein Moe Thida Su Mya"
NAMES = _NAME_TEXT.split()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _tree_pss_mb(root: int) -> float:
    """The memory of `root` and every process under it (the index's children), now: the
    sum of their proportional set sizes (PSS: a page shared by a process and the ones it
    forked, as Whoosh's parallel writer does, counts once in all, not once per process)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    tree, grew = {root}, True
    while grew:
        more = {p for p, pp in parents.items() if pp in tree} - tree
        grew = bool(more)
        tree |= more
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(ln.split()[1]) for ln in f if ln.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total / 1024  # kB


class TreeSampler(threading.Thread):
    """Samples a process tree's memory (PSS) every 50 ms; `peak` is the largest sum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self.done.wait(0.05):
            self.peak = max(self.peak, _tree_pss_mb(self.pid))


# -- the fixture -----------------------------------------------------------------------


def build_fixture(
    archive_dir: Path, n_articles: int, n_annotations: int, n_entities: int, words: int
) -> dict[str, Any]:
    """The source archive, written in one core change."""
    from archive import annotate, models
    from archive.store import Archive

    rng = random.Random(9)
    t0 = time.perf_counter()
    with (
        Archive.open(archive_dir, create=True) as archive,
        archive.change("bench fixture", sync=False) as ch,
    ):
        session = ch.session
        now = models.utcnow()
        ents = []
        types = ("actor", "event", "figure")
        for i in range(n_entities):
            type_key = types[i % 3]
            name = f"{rng.choice(NAMES)} {rng.choice(NAMES)} {i}"
            ents.append(
                {
                    "id": models.new_id(),
                    "type_key": type_key,
                    "name": name,
                    "aliases": [f"{name} alias"] if i % 4 == 0 else [],
                    "description": "",
                    "date_start": "2021-03-05" if type_key == "event" else None,
                    "date_end": None,
                    "place": "Yangon" if type_key == "event" else None,
                    "merged_into": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ch.track("entity", [e["id"] for e in ents], new=True)
        session.execute(models.Entity.__table__.insert(), ents)  # type: ignore[attr-defined]
        colls = [
            {"id": models.new_id(), "name": f"Case {c}", "description": "", "created_at": now}
            for c in range(2)
        ]
        ch.track("collection", [c["id"] for c in colls], new=True)
        session.execute(models.Collection.__table__.insert(), colls)  # type: ignore[attr-defined]

        articles, originals, members, texts = [], [], [], []
        for i in range(n_articles):
            text = "\n\n".join(
                " ".join(rng.choice(WORDS) for _ in range(words // 5)).capitalize() + "."
                for _ in range(5)
            )
            title = f"Bench article {i}"
            data = f"{title}\n\n{text}\n".encode()
            sha = hashlib.sha256(data).hexdigest()
            aid = models.new_id()
            originals.append(
                {
                    "sha256": sha,
                    "media_type": "text/plain",
                    "size": len(data),
                    "data": data,
                    "first_name": f"bench-{i}.txt",
                    "imported_at": now,
                }
            )
            articles.append(
                {
                    "id": aid,
                    "title": title,
                    "source": "Bench Paper",
                    "url": None,
                    "byline": "Bench Writer",
                    "published": "2021-03-05",
                    "published_precision": "day",
                    "language": "en",
                    "text": text,
                    "text_sha256": annotate.text_sha256(text),
                    "original_sha256": sha,
                    "imported_at": now,
                    "imported_from": f"bench-{i}.txt",
                    "parent_id": None,
                    "meta": {},
                    "updated_at": now,
                }
            )
            if i % 3 == 0:
                members.append({"article_id": aid, "collection_id": colls[i % 2]["id"]})
            texts.append((aid, text))
        ch.track("original", [o["sha256"] for o in originals], new=True)
        session.execute(models.Original.__table__.insert(), originals)  # type: ignore[attr-defined]
        ch.track("article", [a["id"] for a in articles], new=True)
        session.execute(models.Article.__table__.insert(), articles)  # type: ignore[attr-defined]
        ch.track(
            "articlecollection",
            [(m["article_id"], m["collection_id"]) for m in members],
            new=True,
        )
        session.execute(models.ArticleCollection.__table__.insert(), members)  # type: ignore[attr-defined]
        for a in articles:
            ch.audit(
                "article",
                "import",
                a["id"],
                after={"title": a["title"], "original_sha256": a["original_sha256"]},
            )

        anns = []
        for n in range(n_annotations):
            aid, text = texts[n % len(texts)]
            ent = ents[rng.randrange(len(ents))] if ents else None
            start = rng.randrange(0, max(1, len(text) - 40))
            end = start + rng.randrange(5, 30)
            is_fig = ent is not None and ent["type_key"] == "figure"
            anns.append(
                {
                    "id": models.new_id(),
                    "article_id": aid,
                    **annotate.anchor(text, start, end),
                    "type_key": ent["type_key"] if ent else "actor",
                    "entity_id": ent["id"] if ent else None,
                    "note": "checked against the second report" if n % 10 == 0 else "",
                    "created_at": now,
                    "updated_at": now,
                    "created_by": ch.user_id,
                    "origin": "manual",
                    "orphaned": False,
                    "value": float(rng.randrange(1, 900)) if is_fig else None,
                    "qualifier": "more than" if is_fig else None,
                    "counted": "police" if is_fig else None,
                    "as_of": None,
                }
            )
        ch.track("annotation", [a["id"] for a in anns], new=True)
        session.execute(models.Annotation.__table__.insert(), anns)  # type: ignore[attr-defined]
        for a in anns:
            snap = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in a.items()}
            ch.audit("annotation", "create", a["id"], after=snap)
    with sqlite3.connect(archive_dir / "archive.sqlite") as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("article", "original", "annotation", "entity", "auditevent")
        }
    return {
        "seconds": time.perf_counter() - t0,
        "counts": counts,
        "db_mb": (archive_dir / "archive.sqlite").stat().st_size / 1e6,
    }


# -- phases (each in its own process) ------------------------------------------------


def phase_export(work: Path) -> dict[str, Any]:
    from archive.bundles.writer import export_bundle
    from archive.store import Archive

    out = work / "bench.sesame"
    with Archive.open(work / "source") as archive:
        t0 = time.perf_counter()
        report = export_bundle(archive, out)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "counts": report.counts, "bundle_mb": out.stat().st_size / 1e6}


def yardstick_zip(work: Path) -> dict[str, Any]:
    """Plain zipfile + hashlib over the bundle's own members: write, then read back."""
    with zipfile.ZipFile(work / "bench.sesame") as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    raw = sum(len(d) for _, d in members)
    out = work / "yardstick.zip"
    t0 = time.perf_counter()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, data in members:
            hashlib.sha256(data).hexdigest()
            zf.writestr(name, data)
    write = time.perf_counter() - t0
    del members
    t0 = time.perf_counter()
    data = out.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            blob = zf.read(info)
            hashlib.sha256(blob).hexdigest()
            if info.filename.endswith((".json", ".jsonld")):
                json.loads(blob)
    read = time.perf_counter() - t0
    out.unlink()
    return {"write_seconds": write, "read_seconds": read, "raw_mb": raw / 1e6}


def phase_verify(work: Path) -> dict[str, Any]:
    from archive.bundles.reader import verify_bundle

    t0 = time.perf_counter()
    verdict = verify_bundle(work / "bench.sesame")
    seconds = time.perf_counter() - t0
    if not verdict.ok:
        raise SystemExit(f"verify refused the bundle: {verdict.reason}")
    return {"seconds": seconds, "verdict": verdict.line()}


def _timed_import(work: Path) -> dict[str, Any]:
    from archive.bundles.merge import import_bundle
    from archive.store import Archive

    spent = {"sync": 0.0, "ready_rss": 0.0}
    original_sync = Archive.sync_index

    def timed_sync(self: Archive, *args: Any, **kwargs: Any) -> None:
        if not spent["ready_rss"]:
            # The change has committed: the archive is ready, the index catches up next.
            spent["ready_rss"] = peak_rss_mb()
        t = time.perf_counter()
        try:
            original_sync(self, *args, **kwargs)
        finally:
            spent["sync"] += time.perf_counter() - t

    Archive.sync_index = timed_sync  # type: ignore[method-assign]
    with Archive.open(work / "target", create=True) as archive:
        t0 = time.perf_counter()
        report = import_bundle(archive, work / "bench.sesame")
        # Until the index has caught up: its child processes may still be at work.
        archive.sync_index(force=True)
        seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "index_seconds": spent["sync"],
        "ready_peak_rss_mb": spent["ready_rss"],
        "added": report.added,
        "updated": report.updated,
        "conflicts": len(report.conflicts),
        "orphaned": len(report.orphaned),
        "offers": len(report.entity_offers),
        "changed_nothing": report.changed_nothing,
    }


def phase_import(work: Path) -> dict[str, Any]:
    return _timed_import(work)


def phase_reimport(work: Path) -> dict[str, Any]:
    return _timed_import(work)


def yardstick_sqlite(work: Path) -> dict[str, Any]:
    """The bundle's articles, originals and annotations inserted with plain sqlite3."""
    with zipfile.ZipFile(work / "bench.sesame") as zf:
        names = zf.namelist()
        arts = [json.loads(zf.read(n)) for n in names if n.startswith("articles/")]
        origs = [(n[10:], zf.read(n)) for n in names if n.startswith("originals/")]
        anns = json.loads(zf.read("annotations.jsonld"))["items"]
    path = work / "yardstick.sqlite"
    t0 = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE original (sha256 TEXT PRIMARY KEY, data BLOB)")
    conn.execute("CREATE TABLE article (id TEXT PRIMARY KEY, title TEXT, text TEXT, meta TEXT)")
    conn.execute(
        "CREATE TABLE annotation (id TEXT PRIMARY KEY, article_id TEXT, start INT, "
        "end_ INT, quote TEXT, prefix TEXT, suffix TEXT, type_key TEXT)"
    )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO original VALUES (?, ?)", origs)
    conn.executemany(
        "INSERT INTO article VALUES (?, ?, ?, ?)",
        [(a["id"], a["title"], a["text"], json.dumps(a["meta"])) for a in arts],
    )
    rows = []
    for a in anns:
        pos, quote = a["target"]["selector"]
        rows.append(
            (
                a["id"][23:],
                a["target"]["source"][20:],
                pos["start"],
                pos["end"],
                quote["exact"],
                quote["prefix"],
                quote["suffix"],
                a["body"][0]["value"],
            )
        )
    conn.executemany("INSERT INTO annotation VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    seconds = time.perf_counter() - t0
    path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return {"seconds": seconds}


PHASES = {
    "export": phase_export,
    "verify": phase_verify,
    "import": phase_import,
    "reimport": phase_reimport,
    "yardstick_zip": yardstick_zip,
    "yardstick_sqlite": yardstick_sqlite,
}


def child(args: argparse.Namespace) -> None:
    work = Path(args.work)
    if args.phase == "fixture":
        result = build_fixture(
            work / "source", args.articles, args.annotations, args.entities, args.words
        )
    else:
        fn = PHASES[args.phase]
        if args.profile == args.phase:
            # CPU time, not wall: the machine is shared, and its load must not move the figures.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            result = fn(work)
            profiler.disable()
            profiler.dump_stats(str(work / f"profile-{args.phase}.prof"))
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("cumulative").print_stats(20)
            stats.sort_stats("tottime").print_stats(20)
            sys.stderr.write(stream.getvalue())
        else:
            result = fn(work)
    result["peak_rss_mb"] = peak_rss_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    print("RESULT " + json.dumps(result))


def run_phase(work: Path, phase: str, args: argparse.Namespace, env: dict[str, str]) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        phase,
        "--work",
        str(work),
        "--articles",
        str(args.articles),
        "--annotations",
        str(args.annotations),
        "--entities",
        str(args.entities),
        "--words",
        str(args.words),
    ]
    if args.profile:
        cmd += ["--profile", args.profile]
    # Popen, not run: the phase's process tree (the index's child processes too) is
    # sampled while it runs.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.done.set()
    sampler.join()
    if stderr.strip():
        sys.stderr.write(stderr)
    if proc.returncode != 0:
        raise SystemExit(f"phase {phase} failed (exit {proc.returncode})")
    line = next(ln for ln in stdout.splitlines() if ln.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line[len("RESULT ") :])
    result["tree_peak_pss_mb"] = sampler.peak
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--annotations", type=int, default=50_000)
    p.add_argument("--entities", type=int, default=300)
    p.add_argument("--words", type=int, default=400, help="words per article")
    p.add_argument("--profile", choices=["export", "verify", "import", "reimport"])
    p.add_argument("--keep", metavar="DIR", help="work in DIR and leave it (default: a temp dir)")
    p.add_argument("--strict", action="store_true")
    p.add_argument(
        "--phases",
        default="export,verify,import,reimport",
        help="which phases to run (comma-separated; with --keep, a kept fixture "
        "and bundle are reused)",
    )
    p.add_argument("--child", metavar="PHASE", dest="phase", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        child(args)
        return 0

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bundle-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base = dict(os.environ)
    base.update(
        {
            "HOME": str(work / "home"),
            "XDG_CONFIG_HOME": str(work / "home" / "config"),
            "XDG_DATA_HOME": str(work / "home" / "data"),
            "XDG_CACHE_HOME": str(work / "home" / "cache"),
        }
    )
    aung = base | {"SESAME_CONFIG_DIR": str(work / "config-aung"), "SESAME_USER": "Aung"}
    hla = base | {"SESAME_CONFIG_DIR": str(work / "config-hla"), "SESAME_USER": "Hla"}
    try:
        load = os.getloadavg()[0]
        print(
            f"{args.articles:,} articles, {args.annotations:,} annotations, "
            f"{args.entities} entities, ~{args.words} words each; load average {load:.1f}"
        )
        want = set(args.phases.split(","))
        empty: dict[str, Any] = {
            "seconds": float("nan"),
            "cpu_seconds": float("nan"),
            "peak_rss_mb": float("nan"),
            "index_seconds": float("nan"),
            "changed_nothing": None,
            "added": {},
            "updated": {},
            "conflicts": 0,
        }
        fx = ex = yz = ve = im = re_ = ys = empty
        yz = {"raw_mb": float("nan"), "write_seconds": float("nan"), "read_seconds": float("nan")}
        ys = {"seconds": float("nan")}
        if not (work / "source").exists():
            fx = run_phase(work, "fixture", args, aung)
            print(f"fixture: {fx['seconds']:.1f} s, {fx['db_mb']:.0f} MB database, {fx['counts']}")
        if "export" in want or not (work / "bench.sesame").exists():
            ex = run_phase(work, "export", args, aung)
            print(f"export: {ex['seconds']:.2f} s, bundle {ex['bundle_mb']:.1f} MB, {ex['counts']}")
        if want & {"export", "verify"}:
            yz = run_phase(work, "yardstick_zip", args, aung)
        if "verify" in want:
            ve = run_phase(work, "verify", args, hla)
        if "import" in want:
            shutil.rmtree(work / "target", ignore_errors=True)
            im = run_phase(work, "import", args, hla)
            print(
                f"import: added {im['added']}, conflicts {im['conflicts']}, "
                f"orphaned {im['orphaned']}, offers {im['offers']}"
            )
            ys = run_phase(work, "yardstick_sqlite", args, hla)
        if "reimport" in want:
            re_ = run_phase(work, "reimport", args, hla)
            print(
                f"re-import: added {re_['added']} updated {re_['updated']} "
                f"conflicts {re_['conflicts']} -> changed nothing: {re_['changed_nothing']}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    rows = [
        (
            "export",
            ex,
            f"zip+sha256 of the same {yz['raw_mb']:.0f} MB: {yz['write_seconds']:.2f} s",
        ),
        ("verify", ve, f"unzip+sha256+json.loads: {yz['read_seconds']:.2f} s"),
        (
            "import (empty archive)",
            im,
            f"archive ready (verify + merge + commit) {im['seconds'] - im['index_seconds']:.1f}"
            f" s, peak {im.get('ready_peak_rss_mb', float('nan')):.0f} MB; then index caught "
            f"up in {im['index_seconds']:.1f} s; plain sqlite3 insert {ys['seconds']:.2f} s",
        ),
        (
            "re-import (nothing changes)",
            re_,
            f"changed nothing: {re_['changed_nothing']}; index {re_['index_seconds']:.1f} s; "
            f"peak at archive ready {re_.get('ready_peak_rss_mb', float('nan')):.0f} MB",
        ),
    ]
    keys = ["export", "verify", "import", "reimport"]
    print()
    print(
        f"| phase | seconds | CPU s | target | peak RSS MB (< {TARGET_RSS_MB:.0f}) "
        "| process tree PSS MB | yardstick / notes |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    missed = []
    for (label, r, note), key in zip(rows, keys, strict=True):
        if key not in want:
            continue
        target = TARGETS[key]
        ok = r["seconds"] <= target and r["peak_rss_mb"] < TARGET_RSS_MB
        if not ok:
            missed.append(key)
        print(
            f"| {label} | {r['seconds']:.2f} | {r['cpu_seconds']:.1f} | <= {target:.0f} "
            f"| {r['peak_rss_mb']:.0f} | {r.get('tree_peak_pss_mb', float('nan')):.0f} "
            f"| {note} |"
        )
    if "reimport" in want and not re_["changed_nothing"]:
        missed.append("reimport-changed-something")
    print(
        f"\nbundle {ex.get('bundle_mb', float('nan')):.1f} MB ({yz['raw_mb']:.0f} MB "
        f"uncompressed); fixture peak RSS {fx['peak_rss_mb']:.0f} MB; "
        f"targets missed: {missed or 'none'}; load average at the end "
        f"{os.getloadavg()[0]:.1f}"
    )
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
