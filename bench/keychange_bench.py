"""`sesame encrypt` and `sesame rekey` on a 10,000-article archive, beside yardsticks from
the same run (docs/benchmarks.md, "Encrypted archives").

Generates N plain-text articles of about 600 words (bench/import_bench.py's
generator), imports them into a plain archive as bench/encryption_bench.py
does (its `do_import`: `import_paths`, the index included), then times:

- the yardsticks, on the same plain database: SQLite's `VACUUM INTO` (a
  plain copy of every page, what any rewrite of the database costs at least)
  and a file copy of the database and the index folder; measured before the
  encryption and again after the re-key, to bracket the machine's load;
- `keychange.encrypt_archive` with the default Argon2id parameters, phase by
  phase (index catch-up, export through SQLCipher, index re-sealed, the
  checks: custody with every original re-hashed, the index against the DB);
- `keychange.rekey_archive` on the result, phase by phase;
- opening the encrypted archive ready to search afterwards.

    .venv/bin/python bench/keychange_bench.py                 # 10,000 articles
    .venv/bin/python bench/keychange_bench.py --articles 1000
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from encryption_bench import PASSPHRASE, do_import
from import_bench import _vocabulary, generate_text

from archive import encryption, keychange
from archive.store import Archive


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Phases:
    """Progress callback that times each phase (the message it reports)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: list[tuple[str, float]] = []

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        if not self.marks or self.marks[-1][0] != message:
            self.marks.append((message, time.perf_counter()))

    def lines(self, end: float) -> list[str]:
        out = []
        for i, (message, at) in enumerate(self.marks):
            until = self.marks[i + 1][1] if i + 1 < len(self.marks) else end
            out.append(f"    {message:<40} {until - at:7.2f} s")
        return out


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def yardsticks(plain: Path, work: Path, tag: str) -> tuple[float, float]:
    target = work / f"vacuum-{tag}.sqlite"
    started = time.perf_counter()
    conn = sqlite3.connect(plain / "archive.sqlite")
    conn.execute("VACUUM INTO ?", (str(target),))
    conn.close()
    t_vacuum = time.perf_counter() - started
    target.unlink()
    copy = work / f"copy-{tag}"
    started = time.perf_counter()
    copy.mkdir()
    shutil.copyfile(plain / "archive.sqlite", copy / "archive.sqlite")
    shutil.copytree(plain / "index", copy / "index")
    for path in copy.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    t_copy = time.perf_counter() - started
    shutil.rmtree(copy)
    print(
        f"yardstick ({tag}): VACUUM INTO {t_vacuum:.2f} s, file copy of database + index "
        f"(fsync'd) {t_copy:.2f} s  (load {load()})",
        flush=True,
    )
    return t_vacuum, t_copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(11)
    vocab = _vocabulary(rng)
    with tempfile.TemporaryDirectory(prefix="sesame-keychange-bench-") as tmp:
        work = Path(tmp)
        src = work / "src"
        print(f"generating {args.articles} articles …  (load {load()})", flush=True)
        generate_text(src, args.articles, rng, vocab)
        folder = work / "arch"
        imported, t_import = do_import(src, folder, encrypt=False)
        print(f"plain import: {imported} in {t_import:.0f} s  (load {load()})", flush=True)
        pristine = work / "pristine"
        shutil.copytree(folder, pristine)  # the yardstick's plain copy, kept to the end
        db_mb = (folder / "archive.sqlite").stat().st_size / 1e6
        index_mb = folder_bytes(folder / "index") / 1e6
        print(f"database {db_mb:.0f} MB, index {index_mb:.0f} MB")
        before = yardsticks(pristine, work, "before")

        encryption.forget_unlocked()
        phases = Phases()
        archive = Archive.open(folder)
        print(f"encrypt  (load {load()})", flush=True)
        rep = keychange.encrypt_archive(archive, PASSPHRASE, progress=phases)
        end = time.perf_counter()
        t_encrypt = end - phases.started
        print(f"encrypt: {t_encrypt:.2f} s  (load {load()})")
        print("\n".join(phases.lines(end)))
        print(f"  rows {sum(rep.tables.values()):,}, originals {rep.originals:,}, "
              f"index files {rep.index_files}")  # fmt: skip

        encryption.forget_unlocked()
        archive = Archive.open(folder, passphrase=PASSPHRASE)
        phases = Phases()
        print(f"rekey  (load {load()})", flush=True)
        rep = keychange.rekey_archive(archive, PASSPHRASE, progress=phases)
        end = time.perf_counter()
        t_rekey = end - phases.started
        print(f"rekey: {t_rekey:.2f} s  (load {load()})")
        print("\n".join(phases.lines(end)))

        after = yardsticks(pristine, work, "after")
        encryption.forget_unlocked()
        started = time.perf_counter()
        with Archive.open(folder, passphrase=PASSPHRASE) as arch:
            hits = arch.index.search(vocab[50], limit=20).hits
        print(
            f"open ready to search afterwards: {time.perf_counter() - started:.2f} s "
            f"({len(hits)} hits)"
        )
        vacuum = (before[0] + after[0]) / 2
        print(
            f"encrypt / VACUUM INTO: {t_encrypt / vacuum:.1f}x; rekey / VACUUM INTO: "
            f"{t_rekey / vacuum:.1f}x  (VACUUM INTO mean of {before[0]:.2f} and {after[0]:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
