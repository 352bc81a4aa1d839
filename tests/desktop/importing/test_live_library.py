"""A long import shows its articles in the library as they arrive (QA finding 22)."""

from __future__ import annotations

from pathlib import Path


def test_the_library_reloads_during_a_long_import(qtbot, window, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    count = 600  # three batches of the importer's 200 files
    for i in range(count):
        (folder / f"note{i:04d}.txt").write_text(
            f"# Harbour note number {i}\n\nWorkers met on day {i} to talk about wages {i * 7}.\n",
            encoding="utf-8",
        )
    importer = window.importer
    importer.REFRESH_EVERY_S = 0.0  # as often as progress comes, for the test
    events: list[tuple[str, int]] = []
    window.library.loaded.connect(lambda n: events.append(("loaded", n)))
    importer.articlesArrived.connect(lambda: events.append(("arrived", 0)))
    with qtbot.waitSignal(importer.importFinished, timeout=60000) as finished:
        importer.import_paths([folder])
    events.append(("finished", len(finished.args[0]["imported"])))
    assert finished.args[0]["imported"] and len(finished.args[0]["imported"]) == count
    before_end = events[: events.index(("finished", count))]
    assert ("arrived", 0) in before_end
    # The library was filled again while the import still ran.
    assert any(kind == "loaded" for kind, _ in before_end), events
    qtbot.waitUntil(lambda: window.library.model.rowCount() == count, timeout=10000)
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=20000)
