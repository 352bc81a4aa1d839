"""Memory after a big piece of work: freed pages given back, survivors kept from the collector.

Freed pages (glibc's `malloc_trim`, `give_back`):

Python frees a big change's rows, texts and originals once it commits, but glibc's
allocator keeps the freed pages of its heap: after a full-size bundle import the
process stayed at 350 MB while the search index's child processes started beside it
(the tree at 565 MB). `malloc_trim(0)` returns the free pages inside the heap too
(glibc 2.8 and later). Elsewhere (macOS, musl, Windows) this does nothing.

Survivors (`keep_out_of_collections`): a full pass of Python's cyclic garbage
collector walks every tracked object and holds the interpreter lock meanwhile;
with the archive open (its modules, SQLAlchemy's and the search index's caches)
one pass took 90-200 ms on the 2-core machine, and when one fell on a tag the
tag took 190-220 ms to become searchable (goal 50 ms; bench/compare_bench.py at
50,000 articles). With 100,000 library rows loaded in the window, the same
pauses stalled imports. What is alive after a big load is long-lived: moved out
of the collector's reach, later passes walk only what was made since; closing
an archive gives them back (`release_survivors`).
"""

from __future__ import annotations

import gc
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
        import ctypes  # (here: the command line's cold start never pays for it)
        import ctypes.util

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


def keep_out_of_collections() -> None:
    """Move every object alive now out of the cyclic collector's later passes (see above).

    The youngest garbage is collected first (cheap), so that little is kept by
    mistake. Called after big loads and jobs: the window's, and the search
    index's warm-up after an import or an open.
    """
    gc.collect(0)
    gc.freeze()


def release_survivors() -> None:
    """Give what `keep_out_of_collections` kept back to the collector: an archive was
    closed, and what it held (its caches, its searchers) may be garbage now. Frozen
    objects are never collected; without this, each archive opened and closed in one
    process (the window switching archives, the test suite) would stay in memory."""
    gc.unfreeze()
