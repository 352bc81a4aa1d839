"""`sesame history` says each step's undo state in words: undone, a bundle imported a
second time (it changed nothing, so it is no undo step)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from archive.cli import main
from tests.archive.conftest import Person, Sent, add_report


def _history(archive_dir: Path) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--archive", str(archive_dir), "history"], stdout=out, stderr=err) == 0, err
    return out.getvalue().splitlines()


def test_history_names_undone_and_no_op_steps(aung_sends: Callable[..., Sent]) -> None:
    sent = aung_sends()
    aung, hla = sent.aung, sent.hla
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        argv = ["--archive", str(hla.archive_dir), "import-bundle", str(sent.bundle)]
        assert main(argv, stdout=out, stderr=err) == 0, err
    again, first = _history(hla.archive_dir)
    assert again.endswith("Import bundle from Aung  [changed nothing; not an undo step]")
    assert first.endswith("Import bundle from Aung")
    aung.me()
    out, err = io.StringIO(), io.StringIO()
    assert main(["--archive", str(aung.archive_dir), "undo"], stdout=out, stderr=err) == 0, err
    lines = _history(aung.archive_dir)
    assert any(line.endswith("  [undone]") for line in lines)
    assert not any("final" in line for line in lines)


def test_history_limit_below_one_is_a_usage_error(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, _ = people
    with aung.acting() as a:
        add_report(a)
    for limit in ("0", "-1"):
        out, err = io.StringIO(), io.StringIO()
        argv = ["--archive", str(aung.archive_dir), "history", "--limit", limit]
        assert main(argv, stdout=out, stderr=err) == 2
        assert "--limit must be at least 1" in err.getvalue() and out.getvalue() == ""
    assert len(_history(aung.archive_dir)) == 1


def test_audit_log_limit_below_one_is_a_usage_error(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, _ = people
    with aung.acting() as a:
        add_report(a)
    for limit in ("0", "-1"):
        out, err = io.StringIO(), io.StringIO()
        argv = ["--archive", str(aung.archive_dir), "audit", "log", "--limit", limit]
        assert main(argv, stdout=out, stderr=err) == 2
        assert "--limit must be at least 1" in err.getvalue()
