"""Exports: W3C, the three CSVs, the HTML report, REFI-QDA and originals (issue 11).

Builds the bundle benchmark's archive (`bench/bundle_bench.py build_fixture`:
N articles, default 10,000 of about 400 words, each with its original;
50,000 annotations linked to 300 entities, some figures, some notes), then
times each export of the whole archive, each in a fresh subprocess (so that
its peak RSS is its own):

- w3c: `export_w3c` (target <= 10 s);
- csv-annotations, csv-figures, csv-entities: `export_csv` of each kind
  (target <= 10 s each);
- report: `export_report`, one HTML page of every article (target <= 10 s);
- qdpx: `export_qdpx`, the REFI-QDA project with every source (target <= 10 s);
- originals: `save_original` of 1,000 articles, each checked and written
  atomically (no target; per file);
- pdf: `export_pdf` of 100 articles (the first 100, as a collection would
  give them) with their annotations (target <= 30 s).

Yardsticks from the same run (the 2 cores are shared and noisy): the same
article and annotation rows read with plain `sqlite3` and written with
plain `json.dump` (the W3C shape built inline) and plain `csv.writer`,
and the articles' texts deflated into a zip with plain `zipfile` (what a
`.qdpx` holds besides its XML): the floor of any exporter in Python; for the
PDF, WeasyPrint laying out the same 100 texts as plain paragraphs, no marks,
no indexes (yardstick-pdf).

    .venv/bin/python bench/exports_bench.py [--articles 10000] [--annotations 50000]
        [--keep DIR] [--strict] [--profile PHASE] [--only PHASE ...]

Nothing touches the real user's folders: SESAME_CONFIG_DIR and SESAME_USER
point into the temporary folder. `--strict`: exit 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import functools
import importlib
import json
import os
import pstats
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

print = functools.partial(print, flush=True)

TARGET_S = 10.0
PHASES = (
    "w3c", "csv-annotations", "csv-figures", "csv-entities", "report", "qdpx", "originals", "pdf",
)  # fmt: skip
TARGETS = {p: TARGET_S for p in PHASES if p not in ("originals", "pdf")}
TARGETS["pdf"] = 30.0
PDF_ARTICLES = 100
YARDSTICKS = ("yardstick-json", "yardstick-csv", "yardstick-zip", "yardstick-pdf")


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which starts afresh at exec (ru_maxrss does not)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_export(work: Path, phase: str) -> dict[str, Any]:
    from archive.store import Archive

    # Imported before the clock starts: a command pays them once, and `sesame --help` none.
    for name in ("csv_export", "originals", "qdpx", "report", "w3c", "pdf"):
        importlib.import_module(f"archive.exports.{name}")
    if phase == "pdf":
        importlib.import_module("weasyprint")

    with Archive.open(work / "archive", readonly=True) as archive:
        t0 = time.perf_counter()
        if phase == "w3c":
            from archive.exports.w3c import export_w3c

            result = export_w3c(archive, work / "out.jsonld")
        elif phase.startswith("csv-"):
            from archive.exports.csv_export import export_csv

            result = export_csv(archive, work / f"{phase}.csv", kind=phase[4:])
        elif phase == "report":
            from archive.exports.report import export_report

            result = export_report(archive, work / "report.html")
        elif phase == "qdpx":
            from archive.exports.qdpx import export_qdpx

            result = export_qdpx(archive, work / "project.qdpx")
        elif phase == "pdf":
            from archive.exports.pdf import export_pdf
            from archive.exports.selection import Selection

            with archive.engine.connect() as conn:
                ids = tuple(
                    r[0]
                    for r in conn.exec_driver_sql(
                        f"SELECT id FROM article ORDER BY rowid LIMIT {PDF_ARTICLES}"
                    )
                )
            result = export_pdf(archive, work / "report.pdf", Selection(article_ids=ids))
        else:
            from archive.exports.originals import save_original

            with archive.engine.connect() as conn:
                ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM article LIMIT 1000")]
            folder = work / "originals"
            folder.mkdir(exist_ok=True)
            for i, aid in enumerate(ids):
                save_original(archive, aid, folder / f"{i}.txt")
            result = {"files": len(ids)}
        seconds = time.perf_counter() - t0
    out = next((Path(v) for k, v in result.items() if k == "path"), None)
    return {
        "seconds": seconds,
        "result": result,
        "mb": out.stat().st_size / 1e6 if out else None,
        "rss_mb": peak_rss_mb(),
    }


def yardstick(work: Path, what: str) -> dict[str, Any]:
    """Plain sqlite3 rows written with plain json / csv: the floor."""
    t0 = time.perf_counter()
    conn = sqlite3.connect(work / "archive" / "archive.sqlite")
    conn.row_factory = sqlite3.Row
    titles = {r["id"]: r["title"] for r in conn.execute("SELECT id, title FROM article")}
    anns = conn.execute("SELECT * FROM annotation ORDER BY article_id, start, id")
    if what == "pdf":
        import html

        import weasyprint

        texts = conn.execute(f"SELECT title, text FROM article ORDER BY rowid LIMIT {PDF_ARTICLES}")
        page = (
            "<html><body>"
            + "".join(
                f"<h2>{html.escape(r['title'])}</h2><p>{html.escape(r['text'])}</p>" for r in texts
            )
            + "</body></html>"
        )
        weasyprint.HTML(string=page).write_pdf(str(work / "yardstick.pdf"))
        conn.close()
        return {"seconds": time.perf_counter() - t0, "rss_mb": peak_rss_mb()}
    if what == "zip":
        import zipfile

        with zipfile.ZipFile(work / "yardstick.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for r in conn.execute("SELECT id, text FROM article"):
                zf.writestr(f"sources/{r['id']}.txt", r["text"].encode("utf-8"))
        conn.close()
        return {"seconds": time.perf_counter() - t0, "rss_mb": peak_rss_mb()}
    if what == "json":
        items = [
            {
                "id": f"urn:sesame:annotation:{r['id']}",
                "type": "Annotation",
                "motivation": "tagging",
                "created": r["created_at"],
                "body": [{"type": "TextualBody", "purpose": "tagging", "value": r["type_key"]}],
                "target": {
                    "source": f"urn:sesame:article:{r['article_id']}",
                    "sesame:title": titles[r["article_id"]],
                    "selector": [
                        {"type": "TextPositionSelector", "start": r["start"], "end": r["end"]},
                        {"type": "TextQuoteSelector", "exact": r["quote"],
                         "prefix": r["prefix"], "suffix": r["suffix"]},
                    ],
                },
            }
            for r in anns
        ]  # fmt: skip
        with open(work / "yardstick.json", "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"items": items}, ensure_ascii=False, separators=(",", ":")))
    else:
        with open(work / "yardstick.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for r in anns:
                w.writerow([r["id"], r["article_id"], titles[r["article_id"]], r["type_key"],
                            r["start"], r["end"], r["quote"], r["prefix"], r["suffix"],
                            r["note"], r["value"]])  # fmt: skip
    conn.close()
    return {"seconds": time.perf_counter() - t0, "rss_mb": peak_rss_mb()}


def child(args: argparse.Namespace) -> None:
    work = Path(args.work)
    phase = args.child
    prof = cProfile.Profile() if args.profile == phase else None
    if prof:
        prof.enable()
    if phase.startswith("yardstick-"):
        result = yardstick(work, phase.split("-", 1)[1])
    else:
        result = run_export(work, phase)
    if prof:
        prof.disable()
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(20)
        stats.sort_stats("tottime").print_stats(20)
    print("RESULT " + json.dumps(result))


def run_phase(work: Path, phase: str, args: argparse.Namespace, env: dict[str, str]) -> dict:
    cmd = [sys.executable, __file__, "--child", phase, "--work", str(work)]
    if args.profile:
        cmd += ["--profile", args.profile]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{proc.stderr}")
    if args.profile == phase:
        sys.stderr.write(proc.stderr)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--annotations", type=int, default=50_000)
    parser.add_argument("--entities", type=int, default=300)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--keep", metavar="DIR")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--profile", choices=PHASES)
    parser.add_argument(
        "--only", nargs="+", metavar="PHASE", help="only these phases (and yardsticks)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="exports-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SESAME_CONFIG_DIR=str(work / "config"), SESAME_USER="Bench")
    os.environ.update(SESAME_CONFIG_DIR=env["SESAME_CONFIG_DIR"], SESAME_USER="Bench")
    try:
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if not (work / "archive" / "archive.sqlite").exists():
            from bundle_bench import build_fixture

            fx = build_fixture(work / "archive", args.articles, args.annotations,
                               args.entities, args.words)  # fmt: skip
            print(f"fixture: {fx['counts']} in {fx['seconds']:.1f} s, {fx['db_mb']:.0f} MB")
        results = {}
        for phase in (*YARDSTICKS, *PHASES):
            if args.only and phase not in args.only:
                continue
            results[phase] = r = run_phase(work, phase, args, env)
            size = f", {r['mb']:.1f} MB" if r.get("mb") else ""
            print(f"{phase:<16} {r['seconds']:7.2f} s{size}, peak RSS {r['rss_mb']:.0f} MB")
        missed = [p for p, t in TARGETS.items() if p in results and results[p]["seconds"] > t]
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
        print()
        print("| measure | figure | target |")
        print("|---|---|---|")
        for phase in (p for p in (*YARDSTICKS, *PHASES) if p in results):
            r = results[phase]
            extra = f", {r['mb']:.0f} MB" if r.get("mb") else ""
            if phase == "originals":
                per = r["seconds"] / max(1, r["result"]["files"]) * 1000
                figure = f"{r['seconds']:.2f} s ({per:.1f} ms a file)"
            else:
                figure = f"{r['seconds']:.2f} s{extra}"
            target = f"<= {TARGETS[phase]:.0f} s" if phase in TARGETS else ""
            print(f"| {phase} | {figure}, peak RSS {r['rss_mb']:.0f} MB | {target} |")
        if missed:
            print(f"targets missed: {', '.join(missed)}")
        return 1 if (missed and args.strict) else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
