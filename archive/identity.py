"""Who is working: the local user's identity, kept in the config dir.

The identity (id and display name; later the Ed25519 private key) lives in
the user's config folder, never in an archive or a bundle. Each archive gets
a `User` row with the id, name and public key so annotations can name their
author.
"""

import getpass
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from archive.errors import ConfigError
from archive.models import User, new_id
from archive.paths import config_dir, create_exclusive

ENV_USER = "SESAME_USER"
# The window's writer and an import's thread may both be first to need the identity:
# without this, each made its own id and one rename found the other's temp file gone
# (tests/desktop/test_tag_during_import.py, once in a CI run).
_LOCK = threading.Lock()


@dataclass
class Identity:
    """The person using this machine."""

    id: str
    display_name: str


def _identity_file() -> Path:
    return config_dir() / "identity.json"


def _default_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some systems
        return "me"


def local_identity() -> Identity:
    """The local identity, created (with the login name) on first use."""
    path = _identity_file()
    with _LOCK:
        if not path.exists():
            _create(Identity(id=new_id(), display_name=_default_name()))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            identity = Identity(id=str(data["id"]), display_name=str(data["display_name"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"Your Sesame identity file {path} cannot be read ({type(exc).__name__}). "
                "Nothing was changed. Restore it from a backup (your annotations are "
                "signed with the id it holds), or move it aside to start a new identity."
            ) from exc
    override = os.environ.get(ENV_USER)
    if override:
        identity.display_name = override
    return identity


def has_identity() -> bool:
    """Whether a display name was ever saved on this machine (first-run check)."""
    return _identity_file().exists()


def set_display_name(name: str) -> Identity:
    """Change the local display name (archives pick it up on the next change)."""
    name = name.strip()
    if not name:
        raise ValueError("A display name cannot be empty.")
    identity = local_identity()
    identity.display_name = name
    _save(identity)
    return identity


def _encoded(identity: Identity) -> bytes:
    return json.dumps({"id": identity.id, "display_name": identity.display_name}).encode()


def _written(identity: Identity) -> Path:
    """The identity in a new temporary file of its own beside the identity file."""
    path = _identity_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".identity-", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(_encoded(identity))
        f.flush()
        os.fsync(f.fileno())
    return Path(tmp)


def _create(identity: Identity) -> None:
    """Make the identity file unless one exists (another process may have won: theirs stays)."""
    create_exclusive(_identity_file(), _encoded(identity))


def _save(identity: Identity) -> None:
    with _LOCK:
        os.replace(_written(identity), _identity_file())


def ensure_user(session: Session, identity: Identity | None = None) -> User:
    """The archive's row for `identity` (the local one by default), kept up to date.

    The local user's row carries their public signing key (made on first use).
    """
    local = identity is None
    identity = identity or local_identity()
    public_key = None
    if local:
        from archive.keys import public_key_text

        public_key = public_key_text()
    user = session.get(User, identity.id)
    if user is None:
        user = User(id=identity.id, display_name=identity.display_name, public_key=public_key)
        session.add(user)
        session.flush()
    elif user.display_name != identity.display_name or (local and user.public_key != public_key):
        user.display_name = identity.display_name
        if local:
            user.public_key = public_key
        session.add(user)
    return user
