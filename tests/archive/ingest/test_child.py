"""Imports in a child process (archive.ingest.child): the same report, the archive shared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive import changes, custody, encryption
from archive.errors import ArchiveError
from archive.ingest import child
from archive.store import Archive
from archive.tasks import CancelToken


def _notes(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"note-{i}.txt"
        path.write_text(f"Note {i}\n\nThe curfew began at nine, note {i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_an_import_in_a_child_reports_as_in_process(archive: Archive, tmp_path: Path) -> None:
    paths = _notes(tmp_path / "in", 4)
    (tmp_path / "in" / "odd.xyz").write_text("what is this", encoding="utf-8")
    seen: list[tuple[int, int | None]] = []
    ticks: list[int] = []
    report = child.import_in_child(
        archive,
        [tmp_path / "in", tmp_path / "missing.txt"],
        progress=lambda done, total, _m: seen.append((done, total)),
        tick=lambda: ticks.append(1),
    )
    assert sorted(report) == ["cancelled", "duplicates", "failed", "imported", "warnings"]
    assert {Path(i["path"]) for i in report["imported"]} == set(paths)
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(failed) == {"odd.xyz", "missing.txt"} and "unsupported" in failed["odd.xyz"]
    assert report["cancelled"] is False
    assert seen[-1] == (5, 5)
    # Written by the child, seen here: rows, one undo step, the audit chain intact.
    with archive.read_connection() as conn:
        assert conn.execute("SELECT count(*) FROM article").fetchone()[0] == 4
    assert changes.can_undo(archive) == "Import in and 1 more"
    assert custody.check_custody(archive).ok
    # The index was left to this process: it catches up from the queue.
    archive.sync_index(force=True)
    assert archive.index.search("curfew", limit=10).total == 4
    # A second run finds them all there.
    again = child.import_in_child(archive, paths)
    assert again["imported"] == [] and len(again["duplicates"]) == 4


def test_cancel_before_the_first_file_imports_nothing(archive: Archive, tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    report = child.import_in_child(archive, _notes(tmp_path / "in", 3), cancel=token)
    assert report["cancelled"] is True and report["imported"] == []


def test_the_child_says_why_it_cannot_open_the_archive(tmp_path: Path) -> None:
    sent: list[dict[str, Any]] = []

    class Answers:
        def send(self, message: dict[str, Any]) -> None:
            sent.append(message)

        def progress(self, *_args: object) -> None:
            pass

    request = {"archive": str(tmp_path / "nothing"), "paths": [], "parent": 0}
    assert child.run(request, Answers(), CancelToken()) == 1  # type: ignore[arg-type]
    assert "There is no archive database" in sent[0]["error"]


@pytest.mark.usefixtures("fast_kdf")
def test_an_encrypted_archive_is_never_opened_by_another_process(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "sealed", create=True, encrypt=True, passphrase="x" * 20) as a:
        assert encryption.is_encrypted(a.path)
        assert not child.available(a)
        with pytest.raises(ValueError):
            child.import_in_child(a, [])
        with pytest.raises(ArchiveError, match="encrypted"):
            Archive.open_for_parent(a.path)
