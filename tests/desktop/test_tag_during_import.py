"""Tagging while an import runs: the tag is queued behind the import's batches, never lost."""

from __future__ import annotations

import time
from pathlib import Path

from archive import annotate, changes
from tests.desktop.reader.articles import TEXT, add_article


def _articles(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    words = [
        "strike",
        "police",
        "union",
        "march",
        "curfew",
        "hospital",
        "nurses",
        "river",
        "market",
        "town",
    ]
    for i in range(n):
        body = " ".join(words[(i + k) % len(words)] for k in range(300))
        (folder / f"report-{i:04d}.txt").write_text(f"Report {i}\n\n{body}.\n", encoding="utf-8")
    return [folder]


def test_tags_made_during_an_import_all_land_in_order(qtbot, window, tmp_path) -> None:
    archive = window.ctx.archive
    aid = add_article(archive)
    writer = window.ctx.writer
    with qtbot.waitSignal(window.importer.importFinished, timeout=120_000) as finished:
        job = window.importer.import_paths(_articles(tmp_path / "in", 600))
        assert job is not None
        asked: list[float] = []  # when each tag was asked for, and when it was committed
        landed: list[float] = []
        for i in range(8):
            if i == 0:
                # The first tag is asked for while the import's job is running.
                assert not job.token_done.is_set()
            asked.append(time.perf_counter())
            writer.change(
                f"Tag {i}",
                lambda ch, i=i: annotate.create_annotation(ch, aid, i, i + 4, "event", note=str(i)),
                on_done=lambda _result: landed.append(time.perf_counter()),
            )
            qtbot.wait(30)
        # Every tag asked for while the import was still running is committed.
        qtbot.waitUntil(lambda: len(landed) == 8, timeout=60_000)
    assert len(finished.args[0]["imported"]) == 600
    assert all(done > ask for ask, done in zip(asked, landed, strict=True))
    notes = [a.note for a in annotate.list_annotations(archive, aid)]
    assert notes == [str(i) for i in range(8)]
    labels = [e.label for e in changes.history(archive, 200) if e.label.startswith("Tag ")]
    assert labels == [f"Tag {i}" for i in range(7, -1, -1)]
    # The window stayed usable: the reader can still open the tagged article.
    with qtbot.waitSignal(window.ctx.articleShown, timeout=5000):
        window.ctx.open_article(aid)
    assert window.reader.view.toPlainText().startswith(TEXT[:10])
