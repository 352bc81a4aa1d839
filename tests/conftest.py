"""Test set-up shared by every test: nothing touches the real user's folders."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A private data, config and archive location for each test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("SESAME_ARCHIVE", str(home / "archive"))
    monkeypatch.setenv("SESAME_CONFIG_DIR", str(home / "config" / "sesame"))
    monkeypatch.setenv("SESAME_USER", "Test User")
    yield home


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """A folder path for a new archive (not created yet)."""
    return tmp_path / "arch"


@pytest.fixture
def archive(archive_dir: Path):
    """A freshly created, open archive, closed after the test."""
    from archive.store import Archive

    arch = Archive.open(archive_dir, create=True)
    yield arch
    arch.close()


@pytest.fixture
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny Argon2id parameters (the defaults take ~0.7 s a derivation), no passphrase
    in the environment and no key left unlocked by an earlier test.

    Encryption tests take it with ``pytestmark = pytest.mark.usefixtures("fast_kdf")``.
    """
    from archive import encryption

    monkeypatch.setattr(
        encryption, "DEFAULT_KDF", encryption.KdfParams(iterations=1, lanes=1, memory_cost_kib=64)
    )
    monkeypatch.delenv("SESAME_PASSPHRASE", raising=False)
    monkeypatch.delenv("SESAME_NEW_PASSPHRASE", raising=False)
    encryption.forget_unlocked()
