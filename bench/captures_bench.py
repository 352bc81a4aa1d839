"""Import throughput of web captures (issue 14; results in docs/benchmarks.md).

Generates 1,000 HTML news pages (those of bench/import_bench.py: about 600
words of article plus navigation, share links, comments and a footer) and
writes them twice: as plain .html files in a folder (the yardstick) and as
one WACZ whose gzipped WARC holds each page's response record beside an
image and a stylesheet record (skipped, as in a real crawl). Imports each
into a fresh archive with the search index off, then imports the WACZ again
(every page a duplicate), and prints pages per second and peak RSS.

    .venv/bin/python bench/captures_bench.py [--pages 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from archive.ingest import import_paths
from archive.store import Archive
from bench.import_bench import _vocabulary, generate_html, peak_rss_mb

# A WACZ page costs a WARC record's parse, digest check and copy on top of the
# HTML reader: within a third of the plain files' rate.
TARGET_RATIO = 0.67


def write_wacz(folder: Path, path: Path) -> int:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    writer.write_record(writer.create_warcinfo_record("bench.warc.gz", {"software": "bench"}))
    urls = []
    for n, page in enumerate(sorted(folder.glob("*.html"))):
        url = f"https://news.example.org/html/{n}"
        urls.append(url)
        for target, ctype, body in (
            (url, "text/html; charset=utf-8", page.read_bytes()),
            (url + "/logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(2000)),
            (url + "/site.css", "text/css", b"body{font:1em serif}" * 50),
        ):
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    target,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"},
                )
            )
    warc = buf.getvalue()
    pages = [json.dumps({"format": "json-pages-1.0", "id": "pages"})]
    pages += [json.dumps({"url": u, "ts": "2024-03-05T10:00:00Z"}) for u in urls]
    package = {
        "software": "captures_bench",
        "resources": [
            {"path": "archive/data.warc.gz", "hash": "sha256:" + hashlib.sha256(warc).hexdigest()}
        ],
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.warc.gz", warc)
        zf.writestr("pages/pages.jsonl", "\n".join(pages))
        zf.writestr("datapackage.json", json.dumps(package))
    return len(urls)


def timed(archive: Archive, paths: list[Path]) -> tuple[int, int, int, float]:
    start = time.perf_counter()
    report = import_paths(archive, paths, index=False)
    elapsed = time.perf_counter() - start
    return len(report.imported), len(report.duplicates), len(report.failed), elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(2024)
    vocab = _vocabulary(rng)
    with tempfile.TemporaryDirectory(prefix="sesame-bench-") as tmp:
        root = Path(tmp)
        generate_html(root / "html", args.pages, rng, vocab)
        wacz = root / "crawl.wacz"
        count = write_wacz(root / "html", wacz)
        os.sync()  # the generator's dirty pages would slow the first commits
        print(f"{count} pages: {wacz.stat().st_size / 1e6:.1f} MB of WACZ")
        with Archive.open(root / "arch-html", create=True) as archive:
            html_n, _, html_failed, html_s = timed(archive, [root / "html"])
        with Archive.open(root / "arch-wacz", create=True) as archive:
            wacz_n, _, wacz_failed, wacz_s = timed(archive, [wacz])
            _, again_dups, _, again_s = timed(archive, [wacz])
        html_rate, wacz_rate = html_n / html_s, wacz_n / wacz_s
        ratio = wacz_rate / html_rate
        print(f" html files: {html_n} in {html_s:.1f} s = {html_rate:.0f} pages/s (yardstick)")
        print(f"       wacz: {wacz_n} in {wacz_s:.1f} s = {wacz_rate:.0f} pages/s ({ratio:.2f}x)")
        print(f"wacz again: {again_dups} duplicates in {again_s:.1f} s, nothing added")
        print(f"peak RSS: {peak_rss_mb():.0f} MB")
        ok = (
            not html_failed
            and not wacz_failed
            and wacz_n == count
            and again_dups == count
            and ratio >= TARGET_RATIO
        )
        print("ok" if ok else f"BELOW TARGET (WACZ rate >= {TARGET_RATIO:.2f} x plain files)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
