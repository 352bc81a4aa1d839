"""`sesame import-bundle` reports what came in, in words: "1 entity", not "1 entities";
a refused bundle's reason says once that nothing was changed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from archive.bundles.writer import export_bundle
from archive.cli import main
from tests.archive.conftest import Person, Sent, add_report


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_report_names_each_kind_in_singular_and_plural(
    aung_sends: Callable[..., Sent],
) -> None:
    sent = aung_sends(also={"MHWU": {}})
    code, out, err = _run(
        ["--archive", str(sent.hla.archive_dir), "import-bundle", str(sent.bundle)]
    )
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("Imported:"))
    assert "added 2 annotations, 1 article, 1 entity, 1 original file, 1 user;" in line
    assert "entities" not in line and "originals" not in line and "_" not in line


def test_a_wrong_passphrase_says_once_that_nothing_changed(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    with aung.acting() as a:
        add_report(a)
        export_bundle(a, tmp_path / "p.sesame", passphrase="correct horse")
    (tmp_path / "pw").write_text("wrong horse\n")
    hla.me()
    code, _, err = _run(
        [
            "--archive",
            str(hla.archive_dir),
            "import-bundle",
            str(tmp_path / "p.sesame"),
            "--passphrase-file",
            str(tmp_path / "pw"),
        ]
    )
    assert code == 1
    assert "wrong passphrase" in err
    assert err.count("not changed") + err.count("Nothing was changed") == 1
    assert not hla.archive_dir.exists()  # a refused bundle creates nothing
