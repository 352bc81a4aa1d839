"""The background-task helper: results, progress, errors and cancel on the GUI thread."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from archive.errors import InvalidInput
from archive.tasks import Cancelled
from desktop.tasks import TaskRunner, TaskStatusWidget


@pytest.fixture
def runner(qtbot):  # type: ignore[no-untyped-def]
    r = TaskRunner()
    yield r
    r.cancel_all()
    assert r.wait(10000)


def _counting(n: int, progress=None, cancel=None) -> int:  # type: ignore[no-untyped-def]
    for i in range(n):
        if cancel is not None:
            cancel.raise_if_cancelled()
        time.sleep(0.001)
        progress(i + 1, n, f"item {i}")
    return n * 2


def test_result_arrives_on_the_gui_thread(qtbot, runner) -> None:
    seen: dict[str, object] = {}

    def work(progress=None, cancel=None) -> str:  # type: ignore[no-untyped-def]
        seen["worker"] = threading.current_thread()
        return "done"

    def on_result(value: object) -> None:
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is QApplication.instance().thread()

    job = runner.run("work", work, on_result=on_result)
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert seen["value"] == "done" and seen["gui"] is True
    assert seen["worker"] is not threading.main_thread()
    assert not runner.busy


def test_progress_is_reported_and_thinned(qtbot, runner) -> None:
    reports: list[tuple[int, int | None, str]] = []
    job = runner.run("count", _counting, 200)
    job.progressed.connect(lambda d, t, m: reports.append((d, t, m)))
    with qtbot.waitSignal(job.succeeded, timeout=10000) as done:
        pass
    assert done.args == [400]
    assert reports, "no progress reached the GUI"
    assert reports[-1][:2] == (200, 200)  # the last report always arrives
    assert len(reports) < 100  # 200 calls in ~0.3 s are thinned to a few events
    assert all(t == 200 for _, t, _ in reports)


def test_people_errors_keep_their_message(qtbot, runner) -> None:
    def bad(progress=None, cancel=None) -> None:  # type: ignore[no-untyped-def]
        raise InvalidInput("Write the date as YYYY-MM-DD.")

    job = runner.run("bad", bad)
    with qtbot.waitSignal(job.failed, timeout=5000) as failed:
        pass
    assert failed.args[0] == "Write the date as YYYY-MM-DD."


def test_unexpected_errors_are_reported_not_lost(qtbot, runner) -> None:
    def crash(progress=None, cancel=None) -> None:  # type: ignore[no-untyped-def]
        raise KeyError("oops")

    job = runner.run("crash", crash)
    with qtbot.waitSignal(job.failed, timeout=5000) as failed:
        pass
    assert failed.args[0].startswith("Something went wrong")
    assert "KeyError" in failed.args[1]  # the traceback, for a bug report


def test_cancel_stops_the_job(qtbot, runner) -> None:
    job = runner.run("long", _counting, 100000)
    with qtbot.waitSignal(job.progressed, timeout=5000):
        pass
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.cancel()
    assert job.was_cancelled and job.result is None


def test_a_function_without_progress_arguments(qtbot, runner) -> None:
    job = runner.run("sum", sum, [1, 2, 3], with_progress=False)
    with qtbot.waitSignal(job.succeeded, timeout=5000) as done:
        pass
    assert done.args == [6]


def test_status_widget_shows_the_job_and_cancels_it(qtbot, runner) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    widget = TaskStatusWidget(runner, parent)
    parent.show()
    assert widget.isHidden()
    job = runner.run("Importing things", _counting, 100000)
    assert widget.isVisible() and "Importing things" in widget.label.text()
    with qtbot.waitSignal(job.progressed, timeout=5000):
        pass
    qtbot.wait(60)
    assert widget.bar.maximum() == 100000
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        widget.cancel_button.click()
    assert widget.isHidden()


def test_the_status_bar_lets_go_of_a_job_before_its_result_is_shown(qtbot, runner) -> None:
    # Check archive's result opens a dialog from its on_result: the status bar had kept
    # "Checking the archive" and an enabled Cancel behind it until the dialog closed.
    parent = QWidget()
    qtbot.addWidget(parent)
    widget = TaskStatusWidget(runner, parent)
    parent.show()
    seen: list[bool] = []
    job = runner.run(
        "Checking the archive", _counting, 10, on_result=lambda _r: seen.append(widget.isVisible())
    )
    assert widget.isVisible()
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert seen == [False] and widget.isHidden()


def test_quiet_jobs_stay_out_of_the_status_bar(qtbot, runner) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    widget = TaskStatusWidget(runner, parent)
    parent.show()
    job = runner.run("search", _counting, 50, show=False)
    assert widget.isHidden()
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass


def test_the_gui_stays_responsive_during_a_job(qtbot, runner) -> None:
    """A heartbeat timer keeps beating while a CPU-bound job runs."""

    def busy(progress=None, cancel=None) -> int:  # type: ignore[no-untyped-def]
        total = 0
        end = time.monotonic() + 0.8
        i = 0
        while time.monotonic() < end:
            total += sum(range(2000))
            i += 1
            progress(i, None, "")
        return total

    beats: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: beats.append(time.monotonic()))
    timer.start()
    job = runner.run("busy", busy)
    with qtbot.waitSignal(job.ended, timeout=10000):
        pass
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert len(beats) > 20
    assert max(gaps) < 0.25, f"the event loop stalled for {max(gaps) * 1000:.0f} ms"


def test_cancelled_raised_inside_is_a_cancel(qtbot, runner) -> None:
    def stop(progress=None, cancel=None) -> None:  # type: ignore[no-untyped-def]
        raise Cancelled("Cancelled.")

    job = runner.run("stop", stop)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        pass


def test_a_closed_runner_drops_late_results_and_starts_nothing(qtbot, runner) -> None:
    delivered: list[object] = []
    job = runner.run("load", lambda: "rows", with_progress=False, on_result=delivered.append)
    # The function returns at once, but its result waits in the GUI thread's queue:
    # closing now (the window going away) must keep it from any view.
    assert runner.close(10000)
    with qtbot.waitSignal(job.ended, timeout=5000):  # the queued delivery lands ...
        pass
    assert delivered == [] and job.finished  # ... and its result is dropped
    started = threading.Event()
    late = runner.run("late", started.set, with_progress=False, on_result=delivered.append)
    qtbot.wait(100)
    assert late.finished and not started.is_set() and delivered == []
    assert not runner.busy
