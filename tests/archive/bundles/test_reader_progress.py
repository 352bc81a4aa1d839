"""Verification reports its progress and stops when cancelled (the window's Cancel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.bundles.reader import open_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from archive.tasks import Cancelled, CancelToken
from tests.archive.bundles.conftest import add_report, tag


def _bundle(tmp_path: Path) -> Path:
    out = tmp_path / "b.sesame"
    with Archive.open(tmp_path / "a", create=True) as archive:
        for n in range(3):
            aid = add_report(archive, title=f"Report {n}", text=f"Report {n}: Daw Hnin Wai spoke.")
            tag(archive, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
        export_bundle(archive, out)
    return out


def test_progress_counts_every_member_up_to_the_total(tmp_path: Path) -> None:
    path = _bundle(tmp_path)
    seen: list[tuple[int, int | None]] = []
    bundle = open_bundle(path, progress=lambda done, total, _m: seen.append((done, total)))
    try:
        assert bundle.verdict.ok
    finally:
        bundle.close()
    counted = [(d, t) for d, t in seen if t is not None]
    assert seen[0] == (0, None)  # before the member count is known
    assert [d for d, _ in counted] == sorted(d for d, _ in counted)
    total = counted[-1][1]
    assert total is not None and counted[-1][0] <= total
    assert total >= 3 + 3  # three articles, three originals at least (and the annotations)


def test_cancel_stops_the_check(tmp_path: Path) -> None:
    path = _bundle(tmp_path)
    token = CancelToken()
    calls: list[int] = []

    def progress(done: int, total: int | None, _m: str) -> None:
        calls.append(done)
        if done >= 2:
            token.cancel()

    with pytest.raises(Cancelled):
        open_bundle(path, progress=progress, cancel=token)
    assert max(calls) == 2  # stopped at the next step


def test_a_bundle_for_someone_elses_key_is_told_apart_from_a_passphrase_one(
    tmp_path: Path,
) -> None:
    from pyrage import x25519

    from archive import keys
    from archive.bundles.reader import BundleForOtherKey, BundleLocked

    with Archive.open(tmp_path / "a", create=True) as archive:
        add_report(archive)
        theirs = str(x25519.Identity.generate().to_public())
        export_bundle(archive, tmp_path / "k.sesame", recipients=[theirs])
        export_bundle(archive, tmp_path / "p.sesame", passphrase="a long passphrase")
    with pytest.raises(BundleForOtherKey, match="someone else's key"):
        open_bundle(tmp_path / "k.sesame", identity=keys.age_identity())
    with pytest.raises(BundleLocked) as locked:
        open_bundle(tmp_path / "p.sesame", identity=keys.age_identity())
    assert not isinstance(locked.value, BundleForOtherKey)
