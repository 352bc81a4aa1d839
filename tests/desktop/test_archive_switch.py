"""File → New archive…, Open archive…, Open recent: one window moves between archives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.store import Archive
from desktop.archive_switch import ArchiveSwitcher, read_recent
from tests.desktop.reader.articles import add_article


@pytest.fixture
def switcher(qtbot, settings, tmp_path: Path) -> Iterator[ArchiveSwitcher]:  # type: ignore[no-untyped-def]
    """The app's switcher on a first archive "first" (with one article)."""
    first = Archive.open(tmp_path / "first", create=True)
    add_article(first, title="An article of the first archive")
    switch = ArchiveSwitcher(settings)
    window = switch.show(first)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1, timeout=10000)
    yield switch
    last = switch.window
    switch.shutdown()  # the windows it replaced were deleted as it went
    if last is not None:
        last.hide()
        last.deleteLater()
    qtbot.wait(1)


def shown_archive(switch: ArchiveSwitcher) -> Path:
    assert switch.window is not None
    return switch.window.ctx.archive.path


def names_the_archive(window: Any, folder: Path) -> bool:
    return folder.name in window.windowTitle() and str(folder) in window.archive_label.text()


def test_the_file_menu_offers_them(switcher: ArchiveSwitcher) -> None:
    window = switcher.window
    assert window is not None
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert texts[:3] == ["&New archive…", "Open &archive…", "Open &recent"]
    assert names_the_archive(window, shown_archive(switcher))


def test_new_then_open_recent(
    qtbot, switcher: ArchiveSwitcher, dialogs, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    first = shown_archive(switcher)
    second = tmp_path / "second"
    second.mkdir()  # an empty folder, as made in the folder dialog
    dialogs.answer("folder", second)
    switcher.window.new_archive_action.trigger()
    window = switcher.window
    assert shown_archive(switcher) == second.resolve()
    assert names_the_archive(window, second)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 0, timeout=5000)
    # The first archive was closed: its lock is free again.
    Archive.open(first).close()
    assert read_recent(settings)[:2] == [str(second.resolve()), str(first)]

    [recent] = window.recent_menu.actions()
    assert recent.text() == str(first)
    recent.trigger()
    again = switcher.window
    assert again is not window and shown_archive(switcher) == first
    assert names_the_archive(again, first)
    qtbot.waitUntil(lambda: again.library.model.rowCount() == 1, timeout=10000)
    assert [a.text() for a in again.recent_menu.actions()] == [str(second.resolve())]


def test_a_folder_that_is_not_an_archive_changes_nothing(
    switcher: ArchiveSwitcher,
    dialogs,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    window, first = switcher.window, shown_archive(switcher)
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "notes.txt").write_text("not an archive", encoding="utf-8")
    dialogs.answer("folder", papers)
    assert switcher.open_archive() is False
    dialogs.answer("folder", papers)
    assert switcher.new_archive() is False  # never scattered among someone's files
    assert switcher.window is window and shown_archive(switcher) == first
    titles = [title for _kind, title, _text in dialogs.of_kind("error")]
    assert titles == ["This folder is not a Sesame archive"] * 2
    assert "other files" in dialogs.of_kind("error")[1][2]


def test_the_open_archive_again_and_a_cancelled_dialog(switcher: ArchiveSwitcher, dialogs) -> None:  # type: ignore[no-untyped-def]
    window = switcher.window
    assert switcher.switch(shown_archive(switcher), create=False) is False
    dialogs.answer("folder", None)
    assert switcher.open_archive() is False
    assert switcher.window is window and dialogs.of_kind("error") == []


def test_a_recent_archive_that_is_gone_is_forgotten(
    switcher: ArchiveSwitcher,
    dialogs,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    gone = str(tmp_path / "gone")
    assert switcher.open_recent(gone) is False
    assert gone not in read_recent(settings)
    assert [title for _k, title, _t in dialogs.of_kind("error")] == [
        "This folder is not a Sesame archive"
    ]
