"""The local keys: made once on first use, 0600, even when several ask at once."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from archive import keys
from archive.errors import InvalidInput
from archive.paths import config_dir


def at_once(ask: Callable[[], str]) -> list[str]:
    """What 8 threads got from `ask()`, started together (none may raise)."""
    barrier = threading.Barrier(8)
    found: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            found.append(ask())
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return found


@pytest.mark.parametrize(
    ("name", "ask"),
    [
        (keys.SIGNING_FILE, lambda: keys.public_key_text()),
        (keys.AGE_FILE, lambda: keys.age_recipient()),
    ],
)
def test_threads_asking_at_once_get_one_key(name: str, ask: Callable[[], str]) -> None:
    # The window's writer and an import's thread both made the signing key on first
    # use: one rename failed ("signing.tmp" gone), and two keys could be made.
    folder = config_dir() / "keys"
    assert not (folder / name).exists()
    found = at_once(ask)
    assert len(found) == 8 and len(set(found)) == 1
    assert ask() == found[0]
    assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert not list(Path(folder).glob("*.tmp"))


def test_a_key_made_elsewhere_meanwhile_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another process wins between the check and the link: its key stays and is used.
    theirs = keys.public_key_text()
    path = config_dir() / "keys" / keys.SIGNING_FILE
    saved = path.read_bytes()
    path.unlink()
    real = keys._create_private

    def racing(target: Path, data: bytes) -> None:
        target.write_bytes(saved)  # the other process's key lands first
        real(target, data)

    monkeypatch.setattr(keys, "_create_private", racing)
    assert keys.public_key_text() == theirs
    assert path.read_bytes() == saved


def _key() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return keys.public_key_text(Ed25519PrivateKey.generate())


def test_a_contacts_key_is_never_replaced_silently() -> None:
    first, second = _key(), _key()
    keys.add_contact("Aung Kyaw", first)
    assert keys.add_contact(" Aung  Kyaw ", first).public_key == first  # again: a no-op
    with pytest.raises(InvalidInput, match="already a contact with another key"):
        keys.add_contact("Aung Kyaw", second)
    assert [c.public_key for c in keys.contacts()] == [first]
    with pytest.raises(InvalidInput, match="already your contact 'Aung Kyaw'"):
        keys.add_contact("Aung2", first)
    with pytest.raises(InvalidInput, match="your own key"):
        keys.add_contact("Me", keys.public_key_text())
    assert keys.add_contact("Aung Kyaw", second, replace=True).public_key == second
    assert [(c.name, c.public_key) for c in keys.contacts()] == [("Aung Kyaw", second)]


def test_a_contact_is_removed_by_name() -> None:
    keys.add_contact("Hla", _key())
    keys.add_contact("Aung", _key())
    assert keys.remove_contact("Hla").name == "Hla"
    assert [c.name for c in keys.contacts()] == ["Aung"]
    with pytest.raises(InvalidInput, match="No contact is named 'Hla'"):
        keys.remove_contact("Hla")
    assert [c.name for c in keys.contacts()] == ["Aung"]
