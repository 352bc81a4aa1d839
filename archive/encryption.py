"""An encrypted archive's keys: the key file, Argon2id, wrapping, where passphrases come from.

An encrypted archive has a random 256-bit **data key**. SQLCipher encrypts the
database with it (given raw, `PRAGMA key = "x'…'"`, so opening costs no
second key derivation) and the search index's files are sealed with a key
derived from it (`index_key`, HKDF). The data key is stored only wrapped:
AES-256-GCM under a key derived from the passphrase with Argon2id, in the
archive folder's `keyfile.json` with the salt and the Argon2id parameters.
Changing the passphrase re-wraps the data key (a new salt, a new key file,
replaced atomically); nothing else is re-encrypted.

Argon2id parameters: RFC 9106's second recommended choice (64 MiB, 3 passes,
4 lanes) took 0.6-0.7 s on the loaded 2-core machine; 256 MiB took 2.2 s,
more than the whole 2 s budget for opening an archive ready to search.

Passphrases come from the caller (`Archive.open(passphrase=…)`, the app's
dialog) or from the process's passphrase source (`set_passphrase_source`):
the CLI's reads `--passphrase-file`, then `SESAME_PASSPHRASE`, then asks on a
terminal; the default reads `SESAME_PASSPHRASE` only.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError

KEYFILE_NAME = "keyfile.json"
FORMAT = "sesame-archive-key"
FORMAT_VERSION = 1
ENV_PASSPHRASE = "SESAME_PASSPHRASE"
KEY_BYTES = 32
# A key file asking for more than this is refused as damaged (it could make
# opening take all memory or hours).
MAX_MEMORY_KIB = 1024 * 1024
MAX_ITERATIONS = 64
MAX_LANES = 64


class PassphraseNeeded(ArchiveError):
    """An encrypted archive was opened without a passphrase."""


class WrongPassphrase(ArchiveError):
    """The passphrase does not unlock the archive's key."""


# The shortest new passphrase, the same in the CLI and the window (a bundle's; the
# window asks the same of an archive's): a short one falls to a guessing attack on
# a seized copy (QA F18).
MIN_PASSPHRASE = 8


class WeakPassphrase(ArchiveError):
    """A new passphrase shorter than MIN_PASSPHRASE (the caller's fault: exit 2)."""


def check_new_passphrase(passphrase: str, what: str = "The passphrase") -> None:
    """Refuse (WeakPassphrase) a new passphrase of fewer than MIN_PASSPHRASE characters."""
    n = len(unicodedata.normalize("NFC", passphrase))
    if n < MIN_PASSPHRASE:
        raise WeakPassphrase(
            f"{what} has {n} character(s); choose one of at least "
            f"{MIN_PASSPHRASE}. Nothing was written."
        )


@dataclass(frozen=True)
class KdfParams:
    """Argon2id's parameters (memory in KiB), recorded in the key file."""

    iterations: int = 3
    lanes: int = 4
    memory_cost_kib: int = 64 * 1024


DEFAULT_KDF = KdfParams()


def is_encrypted(folder: Path) -> bool:
    """Whether the archive folder is an encrypted archive's (it has a key file)."""
    return (folder / KEYFILE_NAME).exists()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _normalised(passphrase: str) -> bytes:
    # NFC: the same Burmese (or accented) passphrase typed on two keyboards can
    # arrive as different code point sequences.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_cost_kib,
    )
    return kdf.derive(_normalised(passphrase))


def _aad(kdf: dict[str, Any]) -> bytes:
    """What the wrapping authenticates beside the key: the format and the KDF section,
    so that a key file whose parameters were weakened no longer opens."""
    return json.dumps(
        {"format": FORMAT, "version": FORMAT_VERSION, "kdf": kdf}, sort_keys=True
    ).encode()


def _wrap(data_key: bytes, passphrase: str, params: KdfParams) -> dict[str, Any]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = os.urandom(16)
    kdf = {"name": "argon2id", "salt": _b64(salt), **asdict(params)}
    nonce = os.urandom(12)
    wrapped = AESGCM(_derive(passphrase, salt, params)).encrypt(nonce, data_key, _aad(kdf))
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "kdf": kdf,
        "wrap": {"cipher": "aes-256-gcm", "nonce": _b64(nonce), "wrapped_key": _b64(wrapped)},
        "database": "sqlcipher 4, raw data key",
        "index": "aes-256-gcm per file, key = HKDF-SHA256(data key, 'sesame index v1')",
    }


def _write_keyfile(folder: Path, document: dict[str, Any]) -> None:
    """Replace the key file atomically (write, fsync, rename, fsync the folder)."""
    tmp = folder / (KEYFILE_NAME + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(document, fh, indent=1)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / KEYFILE_NAME)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_keyfile(folder: Path, passphrase: str, params: KdfParams | None = None) -> bytes:
    """Make a new data key, write it wrapped under `passphrase`; returns the data key."""
    if not passphrase:
        raise ArchiveError("An encrypted archive needs a passphrase; it was given an empty one.")
    data_key = os.urandom(KEY_BYTES)
    _write_keyfile(folder, _wrap(data_key, passphrase, params or DEFAULT_KDF))
    return data_key


def write_keyfile_for(
    folder: Path, data_key: bytes, passphrase: str, params: KdfParams | None = None
) -> None:
    """Write a key file wrapping an existing `data_key` (a restored backup, a new passphrase)."""
    if not passphrase:
        raise ArchiveError("The new passphrase is empty; nothing was changed.")
    _write_keyfile(folder, _wrap(data_key, passphrase, params or DEFAULT_KDF))


def _read(folder: Path) -> tuple[dict[str, Any], KdfParams, bytes, bytes, bytes]:
    """The key file's (kdf section, params, salt, nonce, wrapped key); refuses a damaged one."""
    path = folder / KEYFILE_NAME
    try:
        document = json.loads(path.read_text("utf-8"))
        if document.get("format") != FORMAT or document.get("version") != FORMAT_VERSION:
            raise ValueError("not a Sesame key file of a version this Sesame reads")
        kdf = document["kdf"]
        if kdf.get("name") != "argon2id":
            raise ValueError(f"unknown key derivation {kdf.get('name')!r}")
        params = KdfParams(
            iterations=int(kdf["iterations"]),
            lanes=int(kdf["lanes"]),
            memory_cost_kib=int(kdf["memory_cost_kib"]),
        )
        if not (
            1 <= params.iterations <= MAX_ITERATIONS
            and 1 <= params.lanes <= MAX_LANES
            and 8 * params.lanes <= params.memory_cost_kib <= MAX_MEMORY_KIB
        ):
            raise ValueError("its Argon2id parameters are out of range")
        wrap = document["wrap"]
        if wrap.get("cipher") != "aes-256-gcm":
            raise ValueError(f"unknown key wrapping {wrap.get('cipher')!r}")
        salt, nonce, wrapped = (
            _unb64(kdf["salt"]),
            _unb64(wrap["nonce"]),
            _unb64(wrap["wrapped_key"]),
        )
    except OSError as exc:
        raise ArchiveError(
            f"The archive's key file {path} cannot be read: {exc.strerror}. Nothing was changed."
        ) from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ArchiveError(
            f"The archive's key file {path} is damaged ({exc}). Without it the archive cannot "
            "be opened: restore the key file (or the whole archive) from a backup. Nothing "
            "was changed."
        ) from exc
    return kdf, params, salt, nonce, wrapped


# The last key unlocked (key file text and passphrase digest -> data key): a command
# that opens the archive twice (read-write, then read-only when it is locked) derives once.
_last: tuple[bytes, bytes] | None = None
_last_lock = threading.Lock()


def unlock(folder: Path, passphrase: str) -> bytes:
    """The archive's data key, unwrapped with `passphrase`; `WrongPassphrase` if it does not."""
    import hashlib

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    global _last
    kdf, params, salt, nonce, wrapped = _read(folder)
    tag = hashlib.sha256(
        (folder / KEYFILE_NAME).read_bytes() + b"\0" + _normalised(passphrase)
    ).digest()
    with _last_lock:
        if _last is not None and _last[0] == tag:
            return _last[1]
    try:
        data_key = AESGCM(_derive(passphrase, salt, params)).decrypt(nonce, wrapped, _aad(kdf))
    except InvalidTag:
        raise WrongPassphrase(
            f"Wrong passphrase for the encrypted archive {folder}: it does not unlock the "
            "archive's key. Try again (mind the keyboard layout); nothing was changed."
        ) from None
    if len(data_key) != KEY_BYTES:
        raise ArchiveError(f"The archive's key file in {folder} holds a key of the wrong size.")
    with _last_lock:
        _last = (tag, data_key)
    return data_key


def remember_unlocked(folder: Path, passphrase: str, data_key: bytes) -> None:
    """Remember a key just wrapped into `folder`'s key file (a key change: its new archive
    is opened twice, to check it and after the swap, with one Argon2id derivation)."""
    import hashlib

    global _last
    tag = hashlib.sha256(
        (folder / KEYFILE_NAME).read_bytes() + b"\0" + _normalised(passphrase)
    ).digest()
    with _last_lock:
        _last = (tag, data_key)


def forget_unlocked() -> None:
    """Drop the remembered key (the app, after closing an encrypted archive)."""
    global _last
    with _last_lock:
        _last = None


def change_passphrase(
    folder: Path, data_key: bytes, new_passphrase: str, params: KdfParams | None = None
) -> None:
    """Re-wrap the (already unlocked) data key under `new_passphrase`; the key file is
    replaced atomically, the database and index are untouched."""
    write_keyfile_for(folder, data_key, new_passphrase, params)
    forget_unlocked()


def sqlcipher_key(data_key: bytes) -> str:
    """The PRAGMA that gives SQLCipher the raw data key (no key derivation of its own)."""
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def index_key(data_key: bytes) -> bytes:
    """The key that seals the search index's files (HKDF-SHA256 of the data key)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sesame index v1").derive(
        data_key
    )


# -- where passphrases come from ------------------------------------------------

# (archive folder, whether it is a new archive) -> the passphrase, or None.
PassphraseSource = Callable[[Path, bool], "str | None"]


def environment_passphrase(folder: Path, new: bool) -> str | None:
    """SESAME_PASSPHRASE, if it is set and not empty."""
    return os.environ.get(ENV_PASSPHRASE) or None


_source: PassphraseSource = environment_passphrase


def set_passphrase_source(source: PassphraseSource | None) -> None:
    """Where `Archive.open` finds a passphrase it was not given (None: the environment)."""
    global _source
    _source = source or environment_passphrase


def passphrase_for(folder: Path, *, new: bool = False) -> str:
    """The passphrase for `folder` from the process's source, or `PassphraseNeeded`."""
    passphrase = _source(folder, new)
    if not passphrase:
        if new:
            raise PassphraseNeeded(
                "A new encrypted archive needs a passphrase: give it with --passphrase-file F "
                f"(its first line) or {ENV_PASSPHRASE}. Nothing was created."
            )
        raise PassphraseNeeded(
            f"{folder} is an encrypted archive: give the passphrase (--passphrase-file F, "
            f"or {ENV_PASSPHRASE}, or type it when asked on a terminal)."
        )
    return passphrase
