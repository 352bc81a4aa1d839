"""What is not searchable yet is counted in articles, not in index-queue rows: an article
tagged three times while another process holds the archive is one article."""

from __future__ import annotations

import io
from pathlib import Path

from archive import annotate
from archive.cli import main
from archive.store import Archive
from tests.archive.search.helpers import add_articles


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_search_and_check_count_changed_articles_not_queue_rows(archive_dir: Path) -> None:
    with Archive.open(archive_dir, create=True) as arch:
        first, _ = add_articles(
            arch,
            {"title": "Dawn", "text": "Police came at dawn."},
            {"title": "Night", "text": "Police came back at night."},
        )
        arch.index.catch_up(force=True)
    with Archive.open(archive_dir) as arch:  # the window, say, holds it meanwhile
        with arch.index_deferred():
            for start, end in ((0, 6), (7, 11), (12, 14)):  # three changes, one article
                annotate.create_annotation(arch, first, start, end, "event")
            add_articles(arch, {"title": "Later", "text": "Police left."})  # and another
        with arch.read_connection() as conn:
            rows = conn.execute("SELECT count(*) FROM indexqueue WHERE seq > 2").fetchone()[0]
        assert rows == 4
        assert arch.index.pending() == 2  # the writer's own count, as its searches give it
        code, out, err = _run("--archive", str(archive_dir), "search", "police")
        assert code == 0, err
        assert "Note: 2 article(s) changed recently are not in the search index yet" in out
        code, out, err = _run("--archive", str(archive_dir), "check")
        assert "(2 changed article(s) not indexed yet)" in out + err
        # Behind, not wrong: no advice to rebuild an index that another window is updating.
        assert "disagrees" not in out and "sesame reindex" not in out
