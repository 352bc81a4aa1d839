"""Fixtures for GUI tests (pytest-qt), after novelWriter's tests/conftest.py.

- Settings and identity live in the per-test config dir (tests/conftest.py
  isolates HOME, XDG and SESAME_CONFIG_DIR).
- No modal dialog can ever block: the static QMessageBox / QFileDialog /
  QInputDialog helpers are replaced, answers are queued by the test with the
  `dialogs` fixture, and an unexpected question fails the test.
- The thread pool is drained in teardown, before the archive closes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


class DialogScript:
    """Answers queued for the app's questions, and a record of what it said."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.answers: dict[str, list[Any]] = {}

    def answer(self, kind: str, value: Any) -> None:
        """Queue the answer to the next question of `kind` (text, files, folder, confirm)."""
        self.answers.setdefault(kind, []).append(value)

    def take(self, kind: str, title: str) -> Any:
        queue = self.answers.get(kind)
        if not queue:
            raise AssertionError(f"Unexpected {kind} question: {title!r}")
        return queue.pop(0)

    def of_kind(self, kind: str) -> list[tuple[str, str, str]]:
        return [m for m in self.messages if m[0] == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogScript:
    """Replace every blocking dialog of the app (desktop.dialogs and Qt statics)."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    from desktop import dialogs as d

    script = DialogScript()

    def record(kind: str):  # type: ignore[no-untyped-def]
        def show(_parent: Any, title: str, text: str, *args: Any, **kw: Any) -> Any:
            script.messages.append((kind, title, text))
            return QMessageBox.StandardButton.Ok

        return show

    monkeypatch.setattr(d, "error", lambda _p, t, m: script.messages.append(("error", t, m)))
    monkeypatch.setattr(d, "info", lambda _p, t, m: script.messages.append(("info", t, m)))
    monkeypatch.setattr(d, "confirm", lambda _p, t, q: bool(script.take("confirm", t)))
    monkeypatch.setattr(d, "ask_text", lambda _p, t, _l, text="": script.take("text", t))
    monkeypatch.setattr(d, "open_files", lambda _p, t, _d, _f: script.take("files", t))
    monkeypatch.setattr(d, "open_folder", lambda _p, t, _d: script.take("folder", t))
    monkeypatch.setattr(d, "ask_secret", lambda _p, t, _l: script.take("secret", t))
    monkeypatch.setattr(d, "save_file", lambda _p, t, _path, _f: script.take("save", t))
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(record(name)))

    def question(_parent: Any, title: str, text: str, *args: Any, **kw: Any) -> Any:
        script.messages.append(("question", title, text))
        yes = script.take("confirm", title)
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))

    from desktop import encryption as enc

    def new_archive(_parent: Any, _start: str) -> Any:
        # The New archive dialog: a "folder" answer, and a "new passphrase" one if queued.
        folder = script.take("folder", "New archive")
        queued = script.answers.get("new passphrase")
        passphrase = queued.pop(0) if queued else None
        return None if folder is None else enc.NewArchiveChoice(Path(folder), passphrase)

    monkeypatch.setattr(enc, "ask_new_archive", new_archive)

    def no_dialog(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("A file or input dialog was opened directly; use desktop.dialogs")

    for name in ("getOpenFileNames", "getOpenFileName", "getExistingDirectory", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(no_dialog))
    for name in ("getText", "getItem", "getInt", "getDouble", "getMultiLineText"):
        monkeypatch.setattr(QInputDialog, name, staticmethod(no_dialog))
    return script


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    """The desktop settings, in this test's private config dir."""
    from desktop.settings import Settings

    return Settings()


@pytest.fixture
def ctx(qtbot, archive) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """An AppContext with a task runner, on a fresh archive.

    Its writes run inline, so a panel test reads the result at once; the
    `window` fixture and tests/desktop/test_writes.py use the background path.
    """
    from desktop.context import AppContext
    from desktop.tasks import TaskRunner

    context = AppContext(archive)
    context.tasks = TaskRunner(context)
    context.writer.inline = True
    yield context
    context.tasks.cancel_all()
    assert context.tasks.wait(30000), "background jobs did not finish"
    qtbot.wait(1)


@pytest.fixture
def window(qtbot, archive, settings) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The real main window on a fresh archive, shown, with the library loaded."""
    from desktop.main_window import create_main_window

    win = create_main_window(archive, settings)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.library.loaded, timeout=10000):
        win.show()
    yield win
    win.shutdown()
    qtbot.wait(1)


@pytest.fixture
def article_files(tmp_path: Path) -> list[Path]:
    """A few article files written for the tests (not the seeds)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    texts = {
        "harbour.txt": (
            "# Police disperse harbour strike\n\nDate: 2023-06-02\nSource: Test Gazette\n\n"
            "Riot police cleared the harbour gate on 1 June. More than 40 workers were "
            "detained, said union leader Ms. Ida Brandt.\n"
        ),
        "council.txt": (
            "# Council debates water prices\n\nDate: 2023-07-14\nSource: Test Courier\n\n"
            "The town council met on Thursday to discuss the price of water. Councillor "
            "Omar Lind proposed a freeze for one year.\n"
        ),
        "clinic.html": (
            "<html><head><title>Clinic reopens after repairs</title></head><body>"
            "<article><h1>Clinic reopens after repairs</h1><p>The district clinic reopened "
            "on Monday after six weeks of repairs. About 300 patients were seen on the "
            "first day, said Dr. Mia Sorel. The police station next door is still closed."
            "</p></article></body></html>"
        ),
    }
    paths = []
    for name, text in texts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
