"""Freed memory given back to the system after a big piece of work (glibc's `malloc_trim`).

Python frees a big change's rows, texts and originals once it commits, but glibc's
allocator keeps the freed pages of its heap: after a full-size bundle import the
process stayed at 350 MB while the search index's child processes started beside it
(the tree at 565 MB). `malloc_trim(0)` returns the free pages inside the heap too
(glibc 2.8 and later). Elsewhere (macOS, musl, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Any

_libc: Any = None


def give_back() -> bool:
    """Return the heap's free pages to the system; whether it could (glibc only).

    ctypes releases the interpreter lock for the call: other threads (the window's)
    run meanwhile."""
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    if _libc is None:
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc.malloc_trim.argtypes = [ctypes.c_size_t]
            _libc.malloc_trim.restype = ctypes.c_int
        except (OSError, AttributeError):  # not glibc
            _libc = False
    if not _libc:
        return False
    _libc.malloc_trim(0)
    return True
