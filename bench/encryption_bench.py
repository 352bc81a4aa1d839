"""Encrypted archives against plain ones, in the same run (issue 10; docs/benchmarks.md).

Generates N plain-text articles of about 600 words (bench/import_bench.py's
generator), imports them with `import_paths` (index included, as `sesame
import` does) into a plain archive and into an encrypted one, then measures:

- import throughput, encrypted against plain (target >= 70 %);
- opening the encrypted archive ready to search: Argon2id with the default
  parameters, SQLCipher, the sealed index decrypted, and the first search
  answered (target <= 2 s; plain measured beside it);
- search latency (term, AND, phrase, prefix, fuzzy; 20 hits with snippets),
  p95 encrypted against plain (target <= 1.5x);
- a one-article change until a search shows it (the write cost per tag);
- the index storage choices: reading the index's files from the sealed
  files (what Sesame does), as blobs from an SQLCipher database (the other
  design), and through mmap (plain).

    .venv/bin/python bench/encryption_bench.py            # 10,000 articles
    .venv/bin/python bench/encryption_bench.py --articles 2000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import _vocabulary, generate_text
from sqlmodel import select

from archive import encryption, models
from archive.ingest import import_paths
from archive.search.storage import SealedStorage
from archive.store import Archive

PASSPHRASE = "a bench passphrase of some length"
QUERIES_PER_KIND = 30
TARGET_OPEN_S = 2.0
TARGET_IMPORT_RATIO = 0.70
TARGET_SEARCH_RATIO = 1.5


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mb() -> float:
    """The process's resident memory now (not its peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def do_import(folder: Path, dest: Path, encrypt: bool) -> tuple[int, float]:
    encryption.forget_unlocked()
    started = time.perf_counter()
    with Archive.open(dest, create=True, encrypt=encrypt, passphrase=PASSPHRASE) as archive:
        report = import_paths(archive, [folder])
        archive.sync_index(force=True)
    return len(report.imported), time.perf_counter() - started


def make_queries(vocab: list[str], rng: random.Random) -> dict[str, list[str]]:
    mid = vocab[20:1500]
    queries: dict[str, list[str]] = {k: [] for k in ("term", "and", "phrase", "prefix", "fuzzy")}
    for _ in range(QUERIES_PER_KIND):
        queries["term"].append(rng.choice(mid))
        queries["and"].append(f"{rng.choice(mid)} AND {rng.choice(mid)}")
        queries["phrase"].append(f'"{rng.choice(mid)} {rng.choice(mid)}"')
        queries["prefix"].append(rng.choice(vocab)[:3] + "*")
        word = rng.choice([w for w in mid if len(w) > 4])
        queries["fuzzy"].append(word[:-1] + ("x" if word[-1] != "x" else "q") + "~")
    return queries


def open_ready(path: Path, encrypted: bool, query: str) -> float:
    """Seconds from Archive.open to the first search answered (key derivation included)."""
    encryption.forget_unlocked()
    started = time.perf_counter()
    archive = Archive.open(path, passphrase=PASSPHRASE if encrypted else None)
    try:
        archive.index.search(query, limit=20)
        return time.perf_counter() - started
    finally:
        archive.close()


def search_times(
    archives: dict[str, Archive], queries: dict[str, list[str]]
) -> dict[str, dict[str, list[float]]]:
    """Each query on both archives in turn (the order alternating), so that the load of
    the shared machine falls on both alike."""
    for archive in archives.values():
        for q in queries["term"][:3]:
            archive.index.search(q, limit=20)
    out: dict[str, dict[str, list[float]]] = {name: {} for name in archives}
    names = list(archives)
    for kind, qs in queries.items():
        for n, q in enumerate(qs):
            for name in names if n % 2 == 0 else names[::-1]:
                started = time.perf_counter()
                archives[name].index.search(q, limit=20)
                elapsed = (time.perf_counter() - started) * 1000
                out[name].setdefault(kind, []).append(elapsed)
    return out


def change_latency(archive: Archive, rounds: int = 15) -> list[float]:
    """A one-article change (its title) until a search finds the new word, in ms."""
    with archive.session() as session:
        ids = [a.id for a in session.exec(select(models.Article).limit(rounds))]
    times = []
    for n, aid in enumerate(ids):
        time.sleep(0.5)
        mark = f"benchmark{n}zq"
        started = time.perf_counter()
        with archive.change("bench edit", sync=False) as ch:
            article = ch.session.get(models.Article, aid)
            assert article is not None
            article.title = f"{article.title} {mark}"
        archive.sync_index()
        assert archive.index.search(mark, limit=1).total == 1
        times.append((time.perf_counter() - started) * 1000)
    return times


def storage_choices(
    plain_index: Path, sealed_index: Path, key: bytes, work: Path
) -> dict[str, float]:
    """Seconds to read every file of the index: mmap'd plain files, sealed files, and
    SQLCipher blobs (the files stored in an encrypted database instead)."""
    import mmap

    import sqlcipher3  # type: ignore[import-untyped]

    names = [
        p.name
        for p in sealed_index.iterdir()
        if p.is_file() and p.stat().st_size > 0 and p.suffix != ".json"
    ]
    figures: dict[str, float] = {}
    started = time.perf_counter()
    total = 0
    for p in plain_index.iterdir():
        if p.is_file() and p.stat().st_size > 0 and p.suffix != ".json":
            with open(p, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
                total += len(m[::4096])  # touch every page
    figures["plain mmap (touch every page)"] = time.perf_counter() - started
    storage = SealedStorage(str(sealed_index), encryption.index_key(key))
    started = time.perf_counter()
    blobs = {name: bytes(storage.open_file(name).file.read()) for name in names}
    figures["sealed files (AES-GCM, decrypt all)"] = time.perf_counter() - started
    db = work / "blobs.sqlite"
    conn = sqlcipher3.connect(str(db))
    conn.execute(encryption.sqlcipher_key(key))
    conn.execute("CREATE TABLE f (name TEXT PRIMARY KEY, data BLOB)")
    started = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO f VALUES (?, ?)", list(blobs.items()))
    figures["SQLCipher blobs: write all"] = time.perf_counter() - started
    conn.close()
    conn = sqlcipher3.connect(str(db))
    conn.execute(encryption.sqlcipher_key(key))
    started = time.perf_counter()
    read = sum(len(row[0]) for row in conn.execute("SELECT data FROM f"))
    figures["SQLCipher blobs: read all"] = time.perf_counter() - started
    conn.close()
    assert read == sum(len(b) for b in blobs.values())
    started = time.perf_counter()
    for name, data in blobs.items():
        with storage.create_file(name + ".bench") as f:
            f.write(data)
    figures["sealed files: write all"] = time.perf_counter() - started
    for name in blobs:
        storage.delete_file(name + ".bench")
    figures["index MB"] = sum(len(b) for b in blobs.values()) / 1e6
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--opens", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(11)
    vocab = _vocabulary(rng)
    with tempfile.TemporaryDirectory(prefix="sesame-enc-bench-") as tmp:
        work = Path(tmp)
        src = work / "src"
        print(f"generating {args.articles} articles …  (load {load()})", flush=True)
        generate_text(src, args.articles, rng, vocab)
        plain_dir, enc_dir = work / "plain", work / "enc"
        n_plain, t_plain = do_import(src, plain_dir, False)
        print(
            f"plain import:     {n_plain} in {t_plain:.1f} s = {n_plain / t_plain:.0f}/s"
            f"  (load {load()})",
            flush=True,
        )
        n_enc, t_enc = do_import(src, enc_dir, True)
        print(
            f"encrypted import: {n_enc} in {t_enc:.1f} s = {n_enc / t_enc:.0f}/s  (load {load()})",
            flush=True,
        )
        ratio = (n_enc / t_enc) / (n_plain / t_plain)
        print(f"  encrypted/plain throughput: {ratio:.0%} (target >= {TARGET_IMPORT_RATIO:.0%})")

        queries = make_queries(vocab, random.Random(5))
        first = queries["term"][0]
        opens = {
            name: [open_ready(path, name == "encrypted", first) for _ in range(args.opens)]
            for name, path in (("plain", plain_dir), ("encrypted", enc_dir))
        }
        for name, values in opens.items():
            print(
                f"open ready to search, {name}: median {statistics.median(values):.2f} s, "
                f"max {max(values):.2f} s  {[round(v, 2) for v in values]}"
            )
        encryption.forget_unlocked()
        started = time.perf_counter()
        key = encryption.unlock(enc_dir, PASSPHRASE)
        t_kdf = time.perf_counter() - started
        print(f"  of which Argon2id (64 MiB, 3 passes, 4 lanes): {t_kdf:.2f} s")
        print(f"  target <= {TARGET_OPEN_S} s")
        archives: dict[str, Archive] = {}
        rss: dict[str, float] = {}
        for name, path in (("plain", plain_dir), ("encrypted", enc_dir)):
            before = rss_mb()
            archives[name] = Archive.open(path, passphrase=PASSPHRASE)
            archives[name].index.search(first, limit=20)
            rss[name] = rss_mb() - before
        try:
            results = search_times(archives, queries)
            latency = {name: change_latency(archive) for name, archive in archives.items()}
        finally:
            for archive in archives.values():
                archive.close()
        print(f"search (ms, 20 hits with snippets; load {load()}):")
        print(
            f"  {'kind':<8} {'plain p50':>9} {'p95':>7}   {'encr. p50':>9} {'p95':>7}   ratio p95"
        )
        worst = 0.0
        for kind in queries:
            p, e = results["plain"][kind], results["encrypted"][kind]
            r = pct(e, 95) / max(pct(p, 95), 1e-9)
            worst = max(worst, r)
            print(
                f"  {kind:<8} {statistics.median(p):>9.1f} {pct(p, 95):>7.1f}   "
                f"{statistics.median(e):>9.1f} {pct(e, 95):>7.1f}   {r:.2f}x"
            )
        all_p = [t for ts in results["plain"].values() for t in ts]
        all_e = [t for ts in results["encrypted"].values() for t in ts]
        print(
            f"  all      p95 plain {pct(all_p, 95):.1f} ms, encrypted {pct(all_e, 95):.1f} ms: "
            f"{pct(all_e, 95) / pct(all_p, 95):.2f}x (worst kind {worst:.2f}x; target <= "
            f"{TARGET_SEARCH_RATIO}x)"
        )
        print(
            f"  memory (RSS) growth, archive opened and searched: plain {rss['plain']:.0f} MB, "
            f"encrypted {rss['encrypted']:.0f} MB (the sealed index is held decrypted in memory)"
        )
        for name, values in latency.items():
            print(
                f"one-article change until searchable, {name}: "
                f"p50 {statistics.median(values):.0f} ms, p95 {pct(values, 95):.0f} ms"
            )
        print("index storage choices (s):")
        for label, value in storage_choices(
            plain_dir / "index", enc_dir / "index", key, work
        ).items():
            print(f"  {label:<40} {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
