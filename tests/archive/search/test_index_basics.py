"""The search index follows the database: catch-up, rebuild, check."""

from __future__ import annotations

import shutil
import time

from archive import models
from archive.search import SearchIndex
from archive.store import Archive, mark_for_index

from .helpers import add_articles, found

POLICE = {
    "title": "Crackdown in the capital",
    "text": "Witnesses said more than 600 police officers surrounded the market at dawn.",
    "source": "Northern Ledger",
    "published": "2021-03-05",
    "language": "en",
}
RIVER = {
    "title": "Floods along the river",
    "text": "The river rose overnight and farmers moved their cattle to higher ground.",
    "source": "Valley Post",
    "published": "2020-08-17",
    "language": "en",
}


def test_catch_up_applies_queue_and_search_finds(archive: Archive) -> None:
    add_articles(archive, POLICE, RIVER)
    assert archive.index.catch_up() == 2
    assert archive.index.catch_up() == 0
    results = archive.index.search('"more than 600 police"')
    assert results.total == 1
    hit = results.hits[0]
    assert hit.title == POLICE["title"]
    assert "[[more than 600 police]]" in hit.snippet
    start, end = hit.matches[0]
    assert POLICE["text"][start:end] == "more than 600 police"


def test_rows_added_behind_the_index_are_found_on_next_search(archive: Archive) -> None:
    add_articles(archive, POLICE)
    archive.sync_index()
    # Another writer adds an article and its queue row without touching the index.
    add_articles(archive, RIVER)
    assert found(archive, "cattle") == [RIVER["title"]]


def test_update_and_delete_follow_the_queue(archive: Archive) -> None:
    (aid,) = add_articles(archive, POLICE)
    archive.sync_index()
    with archive.transaction() as session:
        article = session.get(models.Article, aid)
        assert article is not None
        article.text = "Nothing about officers any more, only bicycles."
        mark_for_index(session, aid)
    assert found(archive, "bicycles") == [POLICE["title"]]
    assert found(archive, '"600 police"') == []
    with archive.transaction() as session:
        session.delete(session.get(models.Article, aid))
        mark_for_index(session, aid, op="delete")
    assert found(archive, "bicycles") == []
    assert archive.index.check().ok


def test_missing_index_is_rebuilt_on_open(archive_dir) -> None:
    with Archive.open(archive_dir, create=True) as arch:
        add_articles(arch, POLICE, RIVER)
        arch.sync_index()
    shutil.rmtree(archive_dir / "index")
    with Archive.open(archive_dir) as arch:
        assert found(arch, "cattle") == [RIVER["title"]]
        assert arch.index.check().ok


def test_corrupt_index_is_rebuilt_on_open(archive_dir) -> None:
    with Archive.open(archive_dir, create=True) as arch:
        add_articles(arch, POLICE, RIVER)
        arch.sync_index()
    for path in (archive_dir / "index").iterdir():
        if path.suffix in (".seg", ".toc"):
            path.write_bytes(b"garbage")
    with Archive.open(archive_dir) as arch:
        assert found(arch, "cattle") == [RIVER["title"]]
        assert arch.index.check().ok


def test_index_of_another_archive_is_rebuilt(tmp_path) -> None:
    with Archive.open(tmp_path / "one", create=True) as one:
        add_articles(one, POLICE)
        one.sync_index()
    with Archive.open(tmp_path / "two", create=True) as two:
        add_articles(two, RIVER)
    shutil.copytree(tmp_path / "one" / "index", tmp_path / "two" / "index")
    with Archive.open(tmp_path / "two") as two:
        assert found(two, "police") == []
        assert found(two, "cattle") == [RIVER["title"]]


def test_check_detects_disagreement(archive: Archive) -> None:
    (aid,) = add_articles(archive, POLICE)
    archive.sync_index()
    # Change the text without queueing it: a bug elsewhere, which check must see.
    with archive.transaction() as session:
        article = session.get(models.Article, aid)
        assert article is not None
        article.text = "changed behind the index's back"
    report = archive.index.check()
    assert not report.ok
    assert report.stale == [aid]


def test_search_index_can_be_opened_directly(archive: Archive) -> None:
    add_articles(archive, RIVER)
    index = SearchIndex(archive)
    try:
        assert index.catch_up() == 1
        assert [h.title for h in index.search("farmers").hits] == [RIVER["title"]]
    finally:
        index.close()


def test_tags_never_merge_and_idle_merges_keep_every_document(
    archive: Archive, monkeypatch
) -> None:
    from archive.search import index as search_index
    from archive.search import segments

    monkeypatch.setattr(search_index, "IDLE_MERGE_SECONDS", 3600.0)
    ids = add_articles(archive, *({"title": f"t{i}", "text": f"word{i} common"} for i in range(30)))
    archive.sync_index()
    before = archive.index._segment_count()
    for aid in ids:  # thirty one-article commits, like tag changes
        with archive.transaction() as session:
            article = session.get(models.Article, aid)
            assert article is not None
            article.text += " changed"
            mark_for_index(session, aid)
        archive.sync_index(force=True)  # on disk now (a tag alone is held in memory first)
    # A one-article commit never merges (a merge would make it wait): one segment each.
    assert archive.index._segment_count() == before + 30
    assert archive.index.search("common changed", limit=100).total == 30
    archive.index.merge()  # what the idle worker does: the small segments only
    assert archive.index._segment_count() <= before + 30 - segments.MIN_SMALL_MERGE + 1
    assert archive.index.search("common changed", limit=100).total == 30
    archive.index.merge(optimize=True)
    assert archive.index._segment_count() == 1
    assert archive.index.search("common changed", limit=100).total == 30
    assert archive.index.check().ok


def test_a_merge_never_takes_a_big_segment(archive: Archive) -> None:
    from archive.search import segments

    add_articles(archive, *({"title": f"b{i}", "text": f"bulk {i}"} for i in range(120)))
    archive.sync_index(force=True)
    ids = add_articles(archive, *({"title": f"s{i}", "text": f"small {i}"} for i in range(4)))
    for aid in ids:
        with archive.transaction() as session:
            article = session.get(models.Article, aid)
            assert article is not None
            article.text += " again"
            mark_for_index(session, aid)
        archive.sync_index()
    archive.index.merge()
    sizes = sorted(r.doc_count_all() for r, _ in archive.index._searcher.reader().leaf_readers())
    assert max(sizes) == 120  # the big segment was left alone
    assert sum(n for n in sizes if n < 120) <= segments.SMALL_MERGE_DOCS[-1] + 4
    assert archive.index.search("small", limit=10).total == 4


def test_import_batches_wait_for_a_bigger_commit_but_never_hide(archive_dir) -> None:
    from archive.search import index as search_index

    batch = [{"title": f"b{i}", "text": f"batch word{i}"} for i in range(search_index.DEFER_MIN)]
    with Archive.open(archive_dir, create=True) as arch:
        arch.sync_index()
        add_articles(arch, *batch)
        assert arch.index.catch_up() == 0  # waits for more (as after an import batch)
        assert arch.index.pending() == len(batch)
        assert arch.index.search("batch", limit=100).total == len(batch)  # search applies it
        add_articles(arch, *batch)
        assert arch.index.catch_up() == 0
    # Closing applied the second batch: nothing is left for the next open.
    with Archive.open(archive_dir) as arch:
        assert arch.index.pending() == 0
        assert arch.index.check().ok


def test_tag_sized_changes_never_wait(archive: Archive) -> None:
    add_articles(archive, POLICE)
    assert archive.index.catch_up() == 1
    add_articles(archive, RIVER)
    assert archive.index.catch_up() == 1


def test_cancelled_rebuild_keeps_the_old_index(archive: Archive) -> None:
    import pytest

    from archive.tasks import Cancelled, CancelToken

    add_articles(archive, *({"title": f"r{i}", "text": f"river {i}"} for i in range(150)))
    archive.sync_index()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        archive.index.rebuild(cancel=token)
    assert archive.index.search("river").total == 150
    assert not list(archive.path.glob("index.new-*"))
    assert archive.index.check().ok


def test_read_only_search_reports_changes_not_yet_indexed(archive_dir) -> None:
    with Archive.open(archive_dir, create=True) as arch:
        add_articles(arch, POLICE)
        arch.sync_index()
        add_articles(arch, RIVER)  # the writer has not caught up yet
        with Archive.open(archive_dir, readonly=True) as reader:
            results = reader.index.search("police OR cattle")
            assert results.pending == 1
            assert [h.title for h in results.hits] == [POLICE["title"]]


def test_changes_during_a_merge_are_kept_and_searchable(archive: Archive, monkeypatch) -> None:
    """A merge runs beside tag commits: edits and deletions made meanwhile all survive."""
    from archive.search import index as search_index
    from archive.search import merging

    monkeypatch.setattr(search_index, "IDLE_MERGE_SECONDS", 3600.0)
    ids = []
    for i in range(6):  # six one-article segments, as tags leave them
        ids += add_articles(archive, {"title": f"m{i}", "text": f"merge word{i} before"})
        archive.sync_index(force=True)  # (a tag alone is held in memory first)
    real_run = merging.MergeJob.run
    seen: list[float] = []

    def run_with_tags_meanwhile(job: merging.MergeJob) -> None:
        # A commit while the merge's writer is open (each Whoosh writer deletes
        # the shared temporary folder when it finishes: not the merge's).
        add_articles(archive, {"title": "early", "text": "merge early arrival"})
        archive.sync_index()
        real_run(job)
        # While the merge holds nothing: re-index two merged articles, add one.
        started = time.perf_counter()
        for aid in ids[:2]:
            with archive.transaction() as session:
                article = session.get(models.Article, aid)
                assert article is not None
                article.text = article.text.replace("before", "after")
                mark_for_index(session, aid)
            archive.sync_index()
            assert archive.index.search("after", limit=10).total >= 1
        add_articles(archive, {"title": "late", "text": "merge late arrival"})
        archive.sync_index()
        seen.append(time.perf_counter() - started)

    monkeypatch.setattr(merging.MergeJob, "run", run_with_tags_meanwhile)
    before = archive.index._segment_count()
    archive.index.merge()
    assert seen, "the merge ran"
    assert archive.index._segment_count() < before + 3
    assert archive.index.search("merge", limit=100).total == 8
    assert archive.index.search("after", limit=100).total == 2
    assert archive.index.search("before", limit=100).total == 4
    assert archive.index.check().ok
    archive.close()
    with Archive.open(archive.path) as again:  # the files on disk agree too
        assert again.index.search("merge", limit=100).total == 8
        assert again.index.check().ok


def test_an_open_reads_what_first_searches_need_in_the_background(archive_dir) -> None:
    """Opened with nothing to catch up, the index still warms up soon (word lists,
    facet tables): no search is the first to read them (10 s for the window's first
    `re*` at 50,000 articles)."""
    archive = Archive.open(archive_dir, create=True)
    add_articles(archive, {"title": "Report one", "text": "Police entered the camp."})
    archive.index.catch_up(force=True)
    archive.close()
    archive = Archive.open(archive_dir)
    try:
        index = archive.index
        deadline = time.monotonic() + 20
        while not index._lexicons._items and time.monotonic() < deadline:
            time.sleep(0.05)
        assert {field for _, field in index._lexicons._items} >= {"title", "text_words"}
    finally:
        archive.close()
