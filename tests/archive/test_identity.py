"""The local identity: made once on first use, however many threads ask at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import identity
from archive.paths import config_dir
from tests.archive.test_keys import at_once


def test_threads_asking_at_once_get_one_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(identity.ENV_USER, raising=False)
    folder = config_dir()
    assert not (folder / "identity.json").exists()
    found = at_once(lambda: identity.local_identity().id)
    assert len(set(found)) == 1 and len(found) == 8
    assert identity.local_identity().id == found[0]
    assert not list(Path(folder).glob("*.tmp"))


def test_an_existing_identity_is_never_replaced_on_creation(tmp_path: Path) -> None:
    first = identity.local_identity()
    identity._create(identity.Identity(id="other", display_name="x"))
    assert identity.local_identity().id == first.id
    renamed = identity.set_display_name("Documenter")
    assert renamed.id == first.id
