"""The main window fits a 1280x720 screen: on first start and after a bigger screen (issue 12).

In this process the offscreen screen is whatever the session started with,
so `desktop.layout.available_geometry` is replaced by a 1280x720 area;
`test_a_real_1280x720_screen_first_and_after_a_bigger_one` starts the app
in subprocesses on offscreen screens of exactly those sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QTabBar, QWidget

from desktop import layout

SMALL = QRect(0, 0, 1280, 720)


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def off_screen(window: QWidget, area: QRect) -> list[str]:
    """The tab bars, dock buttons and status bar of `window` not wholly inside `area`."""
    outside = []
    if not area.contains(window.frameGeometry()):
        outside.append(f"the frame {window.frameGeometry()}")
    bars = [b for b in window.findChildren(QTabBar) if b.isVisible() and b.count()]
    assert len(bars) >= 2, "the docks are tabbed: Library/Search and the panels"
    for bar in bars:
        if not area.contains(global_rect(bar)):
            outside.append("tab bar " + "/".join(bar.tabText(i) for i in range(bar.count())))
    for button in window.findChildren(QAbstractButton):
        # A tabbed dock that is not in front keeps its buttons "visible", out of sight.
        shown = button.isVisible() and not button.visibleRegion().isEmpty()
        if shown and not area.contains(global_rect(button)):
            outside.append(f"button {button.text() or button.objectName()!r}")
    if not area.contains(global_rect(window.statusBar())):
        outside.append("the status bar")
    return outside


@pytest.fixture
def small_screen(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """Every window sees a 1280x720 screen."""
    monkeypatch.setattr(layout, "available_geometry", lambda _widget=None: QRect(SMALL))
    return SMALL


def settle(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window._layout_pending, timeout=3000)
    qtbot.wait(50)  # the fit after the docks are tabbed


def test_first_start_fits_1280x720(small_screen: QRect, qtbot, window) -> None:  # type: ignore[no-untyped-def]
    settle(qtbot, window)
    assert off_screen(window, small_screen) == []
    # The first size is a share of the screen, not the stacked docks' height.
    assert window.frameGeometry().height() <= int(720 * layout.SCREEN_SHARE[1])


def test_a_geometry_saved_on_a_bigger_screen_is_fitted(
    small_screen: QRect,
    qtbot,
    window,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from desktop.main_window import create_main_window

    settle(qtbot, window)
    window.resize(1900, 1150)
    window.move(300, 200)
    qtbot.waitUntil(lambda: window.width() == 1900, timeout=2000)
    window.save_layout()
    window.shutdown()
    window.hide()

    again = create_main_window(window.ctx.archive, settings)
    qtbot.addWidget(again)
    again.show()
    settle(qtbot, again)
    try:
        assert off_screen(again, small_screen) == []
    finally:
        again.shutdown()


def test_a_floating_dock_off_the_screen_comes_back(small_screen: QRect, qtbot, window) -> None:  # type: ignore[no-untyped-def]
    settle(qtbot, window)
    dock = window.panel_docks[0]
    dock.setFloating(True)
    dock.show()
    dock.move(2400, 1300)  # where it was on a bigger screen
    dock.resize(700, 900)
    qtbot.waitUntil(lambda: dock.isFloating() and dock.x() == 2400, timeout=2000)
    window.fit_to_screen()
    assert small_screen.contains(dock.frameGeometry())


def test_the_guide_window_fits_too(small_screen: QRect, qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from desktop.guide import show_guide

    settle(qtbot, window)
    shown = show_guide(window)
    assert shown is not None
    assert small_screen.contains(shown.frameGeometry())


@given(
    st.integers(-3000, 3000),
    st.integers(-3000, 3000),
    st.integers(1, 5000),
    st.integers(1, 5000),
    st.integers(-500, 500),
    st.integers(-500, 500),
    st.integers(1280, 4000),
    st.integers(720, 3000),
)
def test_property_fit_rect_is_inside_and_keeps_what_fits(
    x: int, y: int, w: int, h: int, ax: int, ay: int, aw: int, ah: int
) -> None:
    area = QRect(ax, ay, aw, ah)
    fitted = layout.fit_rect(QRect(x, y, w, h), area)
    assert area.contains(fitted)
    assert fitted.width() == min(w, aw) and fitted.height() == min(h, ah)
    if area.contains(QRect(x, y, w, h)):
        assert fitted == QRect(x, y, w, h)


def test_default_size_is_a_share_of_a_small_screen() -> None:
    assert layout.default_size(QRect(0, 0, 1920, 1080)) == QSize(1280, 800)
    assert layout.default_size(SMALL) == QSize(1216, 662)


_PROBE = textwrap.dedent(
    """
    import json
    from PySide6.QtCore import QEventLoop, QPoint, QRect, QTimer
    from PySide6.QtWidgets import QApplication, QTabBar
    from archive.store import Archive
    from desktop.main_window import create_main_window

    app = QApplication([])
    archive = Archive.open({archive!r}, create=True)
    window = create_main_window(archive)
    window.show()
    def wait(ms):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    wait(800)  # past the fits after the first show
    area = window.screen().availableGeometry()
    rect = lambda w: QRect(w.mapToGlobal(QPoint(0, 0)), w.size())
    bars = [b for b in window.findChildren(QTabBar) if b.isVisible() and b.count()]
    print(json.dumps({{
        "area": [area.width(), area.height()],
        "bars": len(bars),
        "outside": [b.tabText(0) for b in bars if not area.contains(rect(b))]
        + (["status bar"] if not area.contains(rect(window.statusBar())) else [])
        + (["frame"] if not area.contains(window.frameGeometry()) else []),
    }}))
    if {resize!r}:
        window.move(40, 30)
        window.resize(*{resize!r})
        wait(100)
        window.save_layout()
    window.shutdown()
    archive.close()
    """
)


def _run_on_screen(tmp_path: Path, width: int, height: int, resize: tuple[int, int] | None) -> dict:
    screens = tmp_path / f"screen-{width}x{height}.json"
    screen = {"name": "probe", "x": 0, "y": 0, "width": width, "height": height}
    screens.write_text(json.dumps({"screens": [screen]}))
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=f"offscreen:configfile={screens}",
        SESAME_CONFIG_DIR=str(tmp_path / "config"),
    )
    probe = _PROBE.format(archive=str(tmp_path / "archive"), resize=resize)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_real_1280x720_screen_first_and_after_a_bigger_one(tmp_path: Path) -> None:
    fits = {"area": [1280, 720], "bars": 2, "outside": []}
    assert _run_on_screen(tmp_path, 1280, 720, None) == fits
    # Used on a big monitor, then started again on the laptop's screen.
    big = _run_on_screen(tmp_path, 2560, 1440, (2400, 1350))
    assert big == {"area": [2560, 1440], "bars": 2, "outside": []}
    assert _run_on_screen(tmp_path, 1280, 720, None) == fits
