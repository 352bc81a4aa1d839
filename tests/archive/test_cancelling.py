"""A change cancelled at any SQL statement leaves the archive exactly as it was."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from archive.bundles.merge import merge_bundle
from archive.bundles.reader import open_bundle
from archive.bundles.writer import export_bundle
from archive.cancelling import cancel_at_statements
from archive.store import Archive
from archive.tasks import Cancelled, CancelToken
from tests.archive.bundles.conftest import add_report, tag
from tests.archive.test_changes import dump


class _After(CancelToken):
    """A token that is set at the n-th check (the n-th SQL statement)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.checks = 0

    def raise_if_cancelled(self) -> None:
        self.checks += 1
        if self.checks >= self.n:
            self.cancel()
        super().raise_if_cancelled()


def _bundle(tmp_path: Path) -> Path:
    out = tmp_path / "b.sesame"
    with Archive.open(tmp_path / "other", create=True) as other:
        for n in range(3):
            aid = add_report(other, title=f"R{n}", text=f"Report {n}: Daw Hnin Wai spoke.")
            tag(other, aid, "Daw Hnin Wai", entity_name="Hnin Wai", note=f"n{n}")
        export_bundle(other, out)
    return out


@pytest.mark.parametrize("at", [1, 5, 20, -1])
def test_a_merge_cancelled_at_any_statement_changes_nothing(tmp_path: Path, at: int) -> None:
    path = _bundle(tmp_path)
    if at == -1:  # the last statement the merge runs: counted in a merge elsewhere
        counter = _After(10**9)
        with Archive.open(tmp_path / "count", create=True) as archive:
            add_report(archive)
            with cancel_at_statements(counter):
                merge_bundle(archive, open_bundle(path), release=True, sync=False)
        at = counter.checks
        assert at > 20
    with Archive.open(tmp_path / "mine", create=True) as archive:
        add_report(archive)
        before = dump(archive)
        bundle = open_bundle(path)
        token = _After(at)
        with pytest.raises(Cancelled), cancel_at_statements(token):
            merge_bundle(archive, bundle, release=True, sync=False)
        assert dump(archive) == before
        # Not cancelled, the same bundle merges in full afterwards.
        report = merge_bundle(archive, open_bundle(path), release=True, sync=False)
        assert report.added["annotations"] == 3


def test_an_undo_cancelled_changes_nothing_and_other_threads_are_not_stopped(
    tmp_path: Path,
) -> None:
    path = _bundle(tmp_path)
    with Archive.open(tmp_path / "mine", create=True) as archive:
        merge_bundle(archive, open_bundle(path), release=True, sync=False)
        before = dump(archive)
        token = CancelToken()
        token.cancel()
        seen: list[int] = []
        with cancel_at_statements(token):
            # Another thread's statements are its own: not cancelled.
            thread = threading.Thread(target=lambda: seen.append(len(dump(archive))))
            thread.start()
            thread.join()
            with pytest.raises(Cancelled):
                archive.undo(sync=False)
        assert seen and dump(archive) == before
        archive.undo(sync=False)  # outside, the undo runs
        assert dump(archive) != before
