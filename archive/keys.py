"""The local user's keys and known colleagues (DESIGN "Bundles", issue 9 item 2).

Two key pairs, made on first use and kept in the user's config folder with
0600 permissions (never in an archive or a bundle):

- an Ed25519 signing key: bundles are signed with it; its public half goes
  into each archive's `User` row and each bundle's manifest;
- an age X25519 identity: bundles encrypted for this person's recipient key
  (`age1...`) open with it.

A fingerprint is the first 128 bits of the SHA-256 of the raw Ed25519
public key, in eight groups of four hex digits: short enough to read out
over the phone. Known colleagues (`contacts.json`) map a name to a public key,
so that verifying a bundle can say "signed by Aung, a known contact".
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from archive.errors import ConfigError, InvalidInput
from archive.paths import config_dir, create_exclusive

SIGNING_FILE = "signing.key"
AGE_FILE = "age.key"
CONTACTS_FILE = "contacts.json"
# Keys are made once even when several threads ask for them on first use.
_LOCK = threading.Lock()


def _keys_dir() -> Path:
    return config_dir() / "keys"


def _create_private(path: Path, data: bytes) -> None:
    """Make a secret file (0600, in a 0700 folder) unless it exists: one made at the same
    moment elsewhere wins and stays (`paths.create_exclusive`)."""
    create_exclusive(path, data, private_folder=True)


def _read_signing(path: Path) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(path.read_bytes().strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"Your signing key {path} cannot be read ({type(exc).__name__}). Nothing "
            "was changed. Restore it from a backup: bundles and audit checkpoints you "
            "signed are verified with it."
        ) from exc


def signing_key() -> Ed25519PrivateKey:
    """The local Ed25519 signing key, made on first use."""
    path = _keys_dir() / SIGNING_FILE
    with _LOCK:
        if not path.exists():
            seed = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            _create_private(path, base64.b64encode(seed) + b"\n")
        return _read_signing(path)  # (the one that won, if another was made at once)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey | None = None) -> str:
    """A public key as text (base64 of its 32 raw bytes); the local one by default."""
    key = key or signing_key()
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key from its text form; InvalidInput if it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"{text[:60]!r} is not a Sesame public key (44 characters of base64, as "
            "`sesame whoami` shows it)."
        ) from exc


def fingerprint(public_key: str) -> str:
    """ "ab12 cd34 ..." (eight groups of four hex digits) of a public key's text form."""
    raw = base64.b64decode(public_key)
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def sign(data: bytes) -> bytes:
    """The local key's Ed25519 signature of `data` (64 bytes)."""
    return signing_key().sign(data)


def signature_holds(public_key: str, signature: bytes, data: bytes) -> bool:
    """Whether `signature` is the key's signature of `data`."""
    try:
        parse_public_key(public_key).verify(signature, data)
    except (InvalidSignature, InvalidInput):
        return False
    return True


# -- age, for encrypted bundles -------------------------------------------------------


def age_identity() -> object:
    """The local age X25519 identity (pyrage), made on first use."""
    from pyrage import x25519

    path = _keys_dir() / AGE_FILE
    with _LOCK:
        if not path.exists():
            _create_private(path, (str(x25519.Identity.generate()) + "\n").encode("ascii"))
        return x25519.Identity.from_str(path.read_text(encoding="ascii").strip())


def age_recipient() -> str:
    """The local age recipient key (`age1...`): give it to colleagues who encrypt for you."""
    return str(age_identity().to_public())  # type: ignore[attr-defined]


# -- known colleagues --------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """A colleague whose public key this person has checked."""

    name: str
    public_key: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def _contacts_path() -> Path:
    return config_dir() / CONTACTS_FILE


def contacts() -> list[Contact]:
    """Every known colleague, by name."""
    path = _contacts_path()
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return sorted((Contact(n, k) for n, k in data.items()), key=lambda c: c.name.casefold())


def add_contact(name: str, public_key: str, *, replace: bool = False) -> Contact:
    """Remember a colleague's public key under a name.

    A name already known with another key is refused unless `replace` (a trust list
    must never change a checked key silently); so are a key already known under
    another name and this person's own key. The same name and key again is a no-op."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("A contact needs a name.")
    parse_public_key(public_key)
    key = public_key.strip()
    if key == public_key_text():
        raise InvalidInput("That is your own key, not a colleague's: nothing was added.")
    known = {c.name: c.public_key for c in contacts()}
    other = next((n for n, k in known.items() if k == key and n != name), None)
    if other is not None:
        raise InvalidInput(
            f"That key is already your contact {other!r} (fingerprint {fingerprint(key)}): "
            f"nothing was added. Remove {other!r} first to give it another name."
        )
    old = known.get(name)
    if old is not None and old != key and not replace:
        raise InvalidInput(
            f"{name!r} is already a contact with another key (fingerprint "
            f"{fingerprint(old)}; the new one is {fingerprint(key)}). Nothing was changed. "
            "Check the new fingerprint with them; to replace the key, add it again with "
            "--replace (in the window: Replace)."
        )
    known[name] = key
    _save_contacts(known)
    return Contact(name, key)


def remove_contact(name: str) -> Contact:
    """Forget a colleague; InvalidInput if no contact has that name."""
    name = " ".join(name.split())
    known = {c.name: c.public_key for c in contacts()}
    if name not in known:
        raise InvalidInput(f"No contact is named {name!r}: nothing was removed.")
    key = known.pop(name)
    _save_contacts(known)
    return Contact(name, key)


def _save_contacts(known: dict[str, str]) -> None:
    """Write the contacts whole (a temp file renamed over the old one)."""
    path = _contacts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def contact_for(public_key: str) -> Contact | None:
    """The known colleague with this key, if any."""
    return next((c for c in contacts() if c.public_key == public_key), None)
