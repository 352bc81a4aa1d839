"""A bundle export that is cancelled or fails half-way leaves nothing at OUT (nor beside it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive.bundles.reader import verify_bundle
from archive.bundles.writer import export_bundle
from archive.errors import InvalidInput
from archive.store import Archive
from archive.tasks import Cancelled, CancelToken
from tests.archive.bundles.conftest import add_report


def _cancelled_half_way(archive: Archive, out: Path) -> list[Path]:
    """Export to `out`, cancelled once the first progress is reported; the files that
    were beside `out` at that moment."""
    token = CancelToken()
    seen: list[Path] = []

    def progress(_done: int, _total: int | None, _message: str = "") -> Any:
        seen.extend(p for p in out.parent.iterdir() if p.name.endswith(".part"))
        token.cancel()

    with pytest.raises(Cancelled):
        export_bundle(archive, out, progress=progress, cancel=token)
    return seen


@pytest.mark.parametrize("earlier", [None, b"an earlier bundle"])
def test_a_cancelled_export_leaves_out_as_it_was(
    archive: Archive, tmp_path: Path, earlier: bytes | None
) -> None:
    add_report(archive)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "case.sesame"
    if earlier is not None:
        out.write_bytes(earlier)
    seen = _cancelled_half_way(archive, out)
    assert len(seen) == 1 and seen[0].parent == folder  # it was being written beside OUT
    after = sorted(p.name for p in folder.iterdir())
    assert after == ([] if earlier is None else ["case.sesame"])  # the temp file is gone
    if earlier is not None:
        assert out.read_bytes() == earlier


def test_a_failure_after_the_zip_is_written_leaves_out_as_it_was(
    archive: Archive, tmp_path: Path
) -> None:
    add_report(archive)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "case.sesame"
    out.write_bytes(b"an earlier bundle")
    # A recipient that is not an age key is found only when encrypting, the zip complete.
    with pytest.raises(InvalidInput, match="not an age public key"):
        export_bundle(archive, out, recipients=["age1notakey"])
    assert out.read_bytes() == b"an earlier bundle"
    assert [p.name for p in out.parent.iterdir()] == ["case.sesame"]
    export_bundle(archive, out)  # the same file, replaced whole once asked to
    assert verify_bundle(out).ok
