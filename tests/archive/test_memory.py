"""Freed heap memory given back, survivors kept from the collector (`archive.memory`)."""

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


def test_survivors_are_kept_from_the_collector_until_released() -> None:
    import gc

    gc.unfreeze()
    kept = [[n] for n in range(1000)]  # tracked containers, alive now
    memory.keep_out_of_collections()
    try:
        assert gc.get_freeze_count() >= len(kept)
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(o) in tracked for o in kept)  # the collector no longer walks them
    finally:
        memory.release_survivors()
    assert gc.get_freeze_count() == 0


def test_the_index_warm_up_keeps_survivors_and_closing_gives_them_back(tmp_path) -> None:
    import gc

    from archive.store import Archive
    from tests.archive.search.helpers import add_articles

    gc.unfreeze()
    archive = Archive.open(tmp_path / "arc", create=True)
    add_articles(archive, {"title": "A report", "text": "Police said more than 600 came."})
    assert archive.index.search("police").total == 1
    archive.index._warm_lexicons()  # what the idle worker does after an import or an open
    assert gc.get_freeze_count() > 0
    archive.close()
    assert gc.get_freeze_count() == 0
