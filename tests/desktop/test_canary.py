"""The canary through the window: an encrypted archive shown, read, searched and closed
leaves none of its words in the archive folder, the config or cache folder, or TMPDIR."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from archive.store import Archive
from desktop.archive_switch import ArchiveSwitcher
from tests.archive.test_canary import BURMESE, ENGLISH, _files, _needles
from tests.desktop.reader.articles import add_article

GOOD = "a good long passphrase"


@pytest.mark.usefixtures("fast_kdf")
def test_the_window_leaves_no_word_of_an_encrypted_archive(
    qtbot, settings, dialogs, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(system_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    folder = tmp_path / "case"
    archive = Archive.open(folder, create=True, encrypt=True, passphrase=GOOD)
    article = add_article(
        archive,
        f"Witnesses named {ENGLISH} at the market.\n{BURMESE} ကို တွေ့ခဲ့သည်။\n",
        title=f"Report on {ENGLISH}",
    )
    archive.sync_index(force=True)
    switcher = ArchiveSwitcher(settings)
    window = switcher.show(archive)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1, timeout=10000)
    window.ctx.open_article(article)
    qtbot.waitUntil(lambda: ENGLISH in window.reader.view.toPlainText(), timeout=10000)
    window.search.query_edit.setText(BURMESE)
    window.search.search()
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 1, timeout=10000)
    window.save_layout()
    switcher.shutdown()
    window.hide()
    window.deleteLater()
    qtbot.wait(1)
    settings.sync()

    roots = [folder, system_tmp, isolated_home / "config", isolated_home / "cache"]
    scanned = [p for root in roots for p in _files(root)]
    assert any(p.name == "archive.sqlite" for p in scanned)
    found = [
        f"{what} in {path}"
        for path in scanned
        for data in [path.read_bytes()]
        for what, needle in _needles()
        if needle in data
    ]
    assert not found, found
