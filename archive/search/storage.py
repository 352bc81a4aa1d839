"""Where the search index's files live: the storage seam of `archive/search/`.

A plain archive keeps Whoosh's own `FileStorage` (files in `index/`, read
through mmap), exactly as before. An encrypted archive's index is a
`SealedStorage`: the same files in the same folder, each sealed with
AES-256-GCM under the index key (`encryption.index_key`, derived from the
data key), so not one term of the index is on disk in plain text.

Whoosh writes every index file once and never changes it, so one AEAD
seal per file is enough: a file is written into memory, and sealed and
written to disk when Whoosh closes it. An opened file is decrypted once
into memory and kept there (its readers share that memory) until Whoosh
deletes it; segments are decrypted only when new. Whoosh's temporary files
(the posting pool's sorted runs, the parallel writer's document lists, which
hold every article's text, the column spool) go through `temp_storage()`:
sealed files in a folder inside `index/` too, never in the system's temp
folder. Why this design and what it costs: docs/security.md, measured by
bench/encryption_bench.py.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.filedb.filestore import FileStorage, ReadOnlyError
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.util import random_name

from archive import encryption

if TYPE_CHECKING:
    from archive.store import Archive

MAGIC = b"SESX1"  # a sealed index file: MAGIC, 12-byte nonce, ciphertext and 16-byte tag
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD = len(MAGIC) + NONCE_BYTES + TAG_BYTES


class SealError(OSError):
    """A sealed index file that does not open (damaged, or sealed under another key)."""


def index_storage(archive: Archive, folder: Path) -> FileStorage:
    """The storage of `archive`'s index in `folder`: sealed when the archive is encrypted."""
    if archive.data_key is None:
        return FileStorage(str(folder))
    return SealedStorage(str(folder), encryption.index_key(archive.data_key))


class _SealOnClose(io.BytesIO):
    """A file being written: kept in memory, sealed and written to disk on close."""

    def __init__(self, storage: SealedStorage, name: str) -> None:
        super().__init__()
        self._storage = storage
        self._name = name

    def close(self) -> None:
        if not self.closed:
            self._storage._seal(self._name, self.getvalue())
        super().close()


class SealedStorage(FileStorage):
    """Whoosh storage whose files are sealed (AES-256-GCM, one seal per file) on disk."""

    supports_mmap = False
    _keep_plain = True  # keep decrypted files in memory (not for temporary files)

    def __init__(self, path: str, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        super().__init__(path, supports_mmap=False)
        self._key = key
        self._aead = AESGCM(key)
        self._plain: dict[str, bytes] = {}
        self._plain_lock = threading.Lock()

    # -- sealing -----------------------------------------------------------------

    def _seal(self, name: str, data: bytes) -> None:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, data, MAGIC)
        with open(self._fpath(name), "wb") as fh:
            fh.write(MAGIC)
            fh.write(nonce)
            fh.write(sealed)
        if self._keep_plain:
            with self._plain_lock:
                self._plain[name] = data

    def _unsealed(self, name: str) -> bytes:
        with self._plain_lock:
            data = self._plain.get(name)
        if data is not None:
            return data
        from cryptography.exceptions import InvalidTag

        with open(self._fpath(name), "rb") as fh:
            blob = fh.read()
        head = len(MAGIC) + NONCE_BYTES
        if len(blob) < OVERHEAD or not blob.startswith(MAGIC):
            raise SealError(f"index file {name} is not sealed (damaged or foreign)")
        try:
            data = self._aead.decrypt(blob[len(MAGIC) : head], memoryview(blob)[head:], MAGIC)
        except InvalidTag:
            raise SealError(f"index file {name} does not open with this archive's key") from None
        if self._keep_plain:
            with self._plain_lock:
                self._plain[name] = data
        return data

    def read_plain(self, name: str) -> bytes:
        """A sealed file's plain bytes (`SealError` if it does not open with this key)."""
        return self._unsealed(name)

    def write_sealed(self, name: str, data: bytes) -> None:
        """Write `data` as the sealed file `name` (not kept in memory: a re-key's copy)."""
        keep, self._keep_plain = self._keep_plain, False
        try:
            self._seal(name, data)
        finally:
            self._keep_plain = keep

    # -- the Storage API -----------------------------------------------------------

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> Any:
        if self.readonly:
            raise ReadOnlyError
        if excl and self.file_exists(name):
            raise FileExistsError(self._fpath(name))
        f = StructFile(_SealOnClose(self, name), name=name, **kwargs)
        f.is_real = False  # not a real file: no fileno(), no array.tofile()
        return f

    def open_file(self, name: str, **kwargs: Any) -> Any:
        return BufferFile(memoryview(self._unsealed(name)), name=name, **kwargs)

    def file_length(self, name: str) -> int:
        with self._plain_lock:
            data = self._plain.get(name)
        if data is not None:
            return len(data)
        return max(os.path.getsize(self._fpath(name)) - OVERHEAD, 0)

    def delete_file(self, name: str) -> None:
        super().delete_file(name)
        with self._plain_lock:
            self._plain.pop(name, None)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        super().rename_file(oldname, newname, safe=safe)
        with self._plain_lock:
            data = self._plain.pop(oldname, None)
            if data is not None:
                self._plain[newname] = data

    def clean(self, ignore: bool = False) -> None:
        super().clean(ignore=ignore)
        with self._plain_lock:
            self._plain.clear()

    def temp_storage(self, name: str | None = None) -> Any:
        name = name or f"{random_name()}.tmp"
        return _SealedTemp(os.path.join(self.folder, name), self._key).create()

    def close(self) -> None:
        with self._plain_lock:
            self._plain.clear()


class _SealedTemp(SealedStorage):
    """Whoosh's temporary files, sealed too; read back once, so not kept in memory.

    Opened as ordinary in-memory files: Whoosh reads runs and document lists
    through `raw_file()` with marshal / pickle, which need `readinto`."""

    _keep_plain = False

    def open_file(self, name: str, **kwargs: Any) -> Any:
        f = StructFile(io.BytesIO(self._unsealed(name)), name=name, **kwargs)
        f.is_real = False
        return f
