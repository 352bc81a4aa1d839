"""Freed heap memory given back to the system (`archive.memory`)."""

from __future__ import annotations

import sys

import pytest

from archive import memory


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        import os

        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_pages_inside_the_heap_go_back() -> None:
    # 80 MB of 2 kB blocks (malloc's heap, not pymalloc), freed but for one in 200: the
    # survivors pin the heap, so glibc keeps the freed pages until trimmed.
    blocks = [bytes(2000) + i.to_bytes(4, "little") for i in range(40_000)]
    keep = blocks[::200]
    del blocks
    held = _rss_mb()
    assert memory.give_back()
    assert _rss_mb() < held - 40
    assert len(keep) == 200
