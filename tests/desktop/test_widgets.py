"""The shared widgets and helpers (desktop/widgets.py): a held non-blocking dialog."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QDialog, QWidget

from desktop.widgets import open_held


def test_a_held_dialog_is_let_go_and_deleted_when_closed(qtbot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.form = None  # type: ignore[attr-defined]
    closed: list[bool] = []
    first = QDialog(owner)
    open_held(owner, "form", first, on_closed=lambda: closed.append(True))
    assert owner.form is first and first.isVisible()  # type: ignore[attr-defined]
    second = QDialog(owner)
    open_held(owner, "form", second)
    first.reject()  # an older dialog closing leaves the newer one held
    assert owner.form is second and closed == [True]  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=3000)
    second.accept()
    assert owner.form is None  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not shiboken6.isValid(second), timeout=3000)
