"""`--article ID` of an export or a bundle takes an id prefix as `sesame show` does: a
unique one names its article, one naming none is a usage error, a full id naming nothing
a failure; nothing is written in either case."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from archive.cli import main
from archive.store import Archive


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, err.getvalue()


def test_exports_take_a_unique_id_prefix(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    where = ["--archive", str(archive.path)]
    archive.close()
    first = filled["first"]
    code, err = _run([*where, "export", "csv", str(tmp_path / "a.csv"), "--article", first[:8]])
    assert code == 0, err
    with (tmp_path / "a.csv").open(encoding="utf-8") as f:
        assert {r["article_id"] for r in csv.DictReader(f)} == {first}
    bundle = tmp_path / "one.sesame"
    code, err = _run([*where, "export-bundle", str(bundle), "--article", first[:6]])
    assert code == 0, err
    assert bundle.exists()


def test_an_article_naming_nothing_writes_nothing(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    where = ["--archive", str(archive.path)]
    archive.close()
    absent = "0" * 32 if not filled["first"].startswith("000000") else "f" * 32
    for ident, status in ((absent[:8], 2), (absent, 1)):
        out = tmp_path / f"{ident}.sesame"
        code, err = _run([*where, "export-bundle", str(out), "--article", ident])
        assert code == status and f"No article with id {ident}" in err
        assert not out.exists()
