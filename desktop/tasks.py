"""The one background-task helper: run an `archive` function off the GUI thread.

Every job that can take more than ~50 ms (import, reindex, export, big
searches) goes through `TaskRunner.run()`. The function runs on a pool
thread with `progress=` and `cancel=` keywords (archive.tasks.ProgressFn and
CancelToken); its progress, result, error or cancellation arrive as signals
on the GUI thread. `TaskStatusWidget` shows the running job in the status bar
with a progress bar and a Cancel button, so the window stays usable.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from archive import memory
from archive.errors import SesameError
from archive.tasks import Cancelled, CancelToken

log = logging.getLogger(__name__)

# A worker may report progress thousands of times a second; every report is
# an event the GUI thread has to process, so reports are thinned to this rate.
PROGRESS_INTERVAL = 0.05


def freeze_long_lived() -> None:
    """Keep Python's garbage collector from stalling the window (`archive.memory`):
    with 100,000 library rows loaded a full pass paused all threads, the GUI too,
    for 80-200 ms during imports. Called after big loads and jobs, from the GUI thread."""
    memory.keep_out_of_collections()


class _Relay(QObject):
    """Signals emitted from the worker thread, delivered queued to the Job."""

    progress = Signal(int, object, str)
    result = Signal(object)
    error = Signal(object, str)
    cancelled = Signal()


class Job(QObject):
    """One piece of background work, as the GUI thread sees it.

    Signals (all delivered on the GUI thread):
    `progressed(done, total_or_None, message)`, `succeeded(result)`,
    `failed(message, details)`, `cancelled()`, and `ended()` after any of the
    last three; `settled()` before them, once the work is over (the status bar
    stops showing it then, not after a result dialog the outcome opened).
    """

    progressed = Signal(int, object, str)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()
    ended = Signal()
    settled = Signal()

    def __init__(self, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.token = CancelToken()
        # Set by the worker when the function has returned (before the result
        # is delivered to the GUI thread): "busy" must not wait for delivery.
        self.token_done = threading.Event()
        self.done = 0
        self.total: int | None = None
        self.message = ""
        self.result: Any = None
        self.error: str | None = None
        self.finished = False
        self.was_cancelled = False
        # Set when its runner closed (the window went away): a result that arrives
        # afterwards is dropped, never handed to views reading a closed archive;
        # `ended` is still emitted.
        self.discarded = False
        self.show = True  # shown in the status bar
        self.ask_before_quit = False  # closing the window asks first
        self.started_at = time.monotonic()
        self._relay = _Relay()
        self._relay.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._relay.result.connect(self._on_result, Qt.ConnectionType.QueuedConnection)
        self._relay.error.connect(self._on_error, Qt.ConnectionType.QueuedConnection)
        self._relay.cancelled.connect(self._on_cancelled, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        """Ask the work to stop at its next check (what it committed stays)."""
        self.token.cancel()

    @Slot(int, object, str)
    def _on_progress(self, done: int, total: object, message: str) -> None:
        if self.finished:
            return
        self.done, self.total, self.message = (
            done,
            total if isinstance(total, int) else None,
            message,
        )
        self.progressed.emit(done, self.total, message)

    @Slot(object)
    def _on_result(self, result: object) -> None:
        self.result = result
        self._finish()
        if self.discarded:  # only the end is told (bookkeeping), never the outcome
            self.ended.emit()
            return
        self.succeeded.emit(result)
        self.ended.emit()

    @Slot(object, str)
    def _on_error(self, message: object, details: str) -> None:
        self.error = str(message)
        self._finish()
        if self.discarded:  # only the end is told (bookkeeping), never the outcome
            self.ended.emit()
            return
        self.failed.emit(self.error, details)
        self.ended.emit()

    @Slot()
    def _on_cancelled(self) -> None:
        self.was_cancelled = True
        self._finish()
        if self.discarded:  # only the end is told (bookkeeping), never the outcome
            self.ended.emit()
            return
        self.cancelled.emit()
        self.ended.emit()

    def _finish(self) -> None:
        self.finished = True
        self.settled.emit()


class _Work:
    """The worker side of a job: calls the function, relays what happens.

    A plain callable handed to `QThreadPool.start()`: PySide wraps it in its
    own runnable and keeps it alive, which avoids the double delete seen with
    auto-deleted Python QRunnable subclasses (a refcount crash at exit).
    """

    def __init__(
        self,
        job: Job,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        with_progress: bool,
    ) -> None:
        self.job = job
        self.relay = job._relay
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.with_progress = with_progress
        self._last = 0.0
        self._lock = threading.Lock()

    def _progress(self, done: int, total: int | None, message: str = "") -> None:
        # Each progress step hands the interpreter lock over, so the window's
        # thread is not starved by a busy job (p99 event-loop stall 40 -> 20 ms).
        time.sleep(0)
        now = time.monotonic()
        final = total is not None and done >= total
        with self._lock:
            if not final and now - self._last < PROGRESS_INTERVAL:
                return
            self._last = now
        self.relay.progress.emit(int(done), total, str(message))

    def __call__(self) -> None:
        token = self.job.token
        try:
            kwargs = dict(self.kwargs)
            if self.with_progress:
                kwargs.setdefault("progress", self._progress)
                kwargs.setdefault("cancel", token)
            token.raise_if_cancelled()
            result = self.fn(*self.args, **kwargs)
        except Cancelled:
            self.relay.cancelled.emit()
        except SesameError as exc:
            self.relay.error.emit(str(exc), "")
        except Exception as exc:  # shown to the person, never lost in a thread
            details = traceback.format_exc()
            log.error("Background job %r failed:\n%s", self.job.label, details)
            self.relay.error.emit(f"Something went wrong: {exc}", details)
        else:
            # A job may notice the token and return a partial result instead of
            # raising (e.g. an import report with .cancelled set): still a result.
            self.relay.result.emit(result)
        finally:
            self.job.token_done.set()


class TaskRunner(QObject):
    """Runs jobs on a thread pool and keeps track of the ones in progress."""

    jobStarted = Signal(object)  # Job
    jobEnded = Signal(object)  # Job

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.jobs: list[Job] = []
        # Runners with threads of their own (the writer's): waited for with this one.
        self.adopted: list[TaskRunner] = []
        self.closed = False

    def adopt(self, runner: TaskRunner) -> None:
        """Count `runner`'s jobs as this runner's for busy, wait and cancel_all; its shown
        jobs (the writer's long changes) appear in the status bar too."""
        self.adopted.append(runner)
        runner.jobStarted.connect(self.jobStarted)
        runner.jobEnded.connect(self.jobEnded)

    def run(
        self,
        label: str,
        fn: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        with_progress: bool = True,
        show: bool = True,
        ask_before_quit: bool = False,
        **kwargs: Any,
    ) -> Job:
        """Start `fn(*args, progress=..., cancel=..., **kwargs)` on a pool thread.

        With `with_progress=False` the function is called without the two
        keywords (for functions that take neither). `show=False` keeps a quick
        job (a search) out of the status bar. Callbacks run on the GUI thread.
        """
        job = Job(label)
        if self.closed:  # the window is going away: nothing more starts
            job.discarded = job.finished = True
            return job
        job.show = show
        job.ask_before_quit = ask_before_quit
        if on_result is not None:
            job.succeeded.connect(on_result)
        if on_error is not None:
            job.failed.connect(on_error)
        if on_cancelled is not None:
            job.cancelled.connect(on_cancelled)
        job.ended.connect(lambda: self._ended(job))
        self.jobs.append(job)
        self.jobStarted.emit(job)
        self.pool.start(_Work(job, fn, args, kwargs, with_progress))
        return job

    def _ended(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
        self.jobEnded.emit(job)
        if job.show:
            freeze_long_lived()

    @property
    def busy(self) -> bool:
        """Whether some job has not finished yet (its result not yet delivered)."""
        return bool(self.jobs) or any(r.busy for r in self.adopted)

    @property
    def working(self) -> list[Job]:
        """Jobs whose function is still running that a person should not lose
        by quitting (started with `ask_before_quit=True`)."""
        return [j for j in self.jobs if j.ask_before_quit and not j.token_done.is_set()]

    def cancel_all(self) -> None:
        """Ask every running job to stop."""
        for job in list(self.jobs):
            job.cancel()
        for runner in self.adopted:
            runner.cancel_all()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the pool is idle (for closing the window and tests)."""
        done = all(r.wait(msecs) for r in self.adopted)
        return self.pool.waitForDone(msecs) and done

    def close(self, msecs: int = 60000) -> bool:
        """Stop every job, wait for them, and drop what they deliver afterwards.

        For a window going away: a library load that finished just before the
        window closed delivered its rows later, and the view then read an archive
        a key change held locked ("database is locked", tests/desktop/
        test_keychange.py, once in CI). Jobs asked for afterwards do not start.
        """
        self.closed = True
        self.cancel_all()
        idle = self.wait(msecs)
        for job in self.jobs:
            job.discarded = True
        self.jobs.clear()
        for runner in self.adopted:
            runner.close(0)
        return idle


class TaskStatusWidget(QWidget):
    """Status-bar view of the running job: label, progress bar, Cancel."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.job: Job | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop this job; what is already done is kept"))
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        runner.jobStarted.connect(self._started)
        runner.jobEnded.connect(self._ended)
        self.hide()

    def _started(self, job: Job) -> None:
        if not job.show:
            return
        job.progressed.connect(self._progress)
        job.settled.connect(lambda: self._ended(job))
        self._show(job)

    def _show(self, job: Job) -> None:
        self.job = job
        self.label.setText(job.label)
        self.bar.setRange(0, 0)  # busy until the first report
        self.cancel_button.setEnabled(True)
        self.show()

    def _progress(self, done: int, total: int | None, message: str) -> None:
        if self.sender() is not self.job:
            return
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{done} / {total}")
        else:
            self.bar.setRange(0, 0)
        text = self.job.label if self.job else ""
        if message:
            text = f"{text}: {message[-50:]}"
        self.label.setText(text)

    def _cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Cancelling…"))

    def _ended(self, job: Job) -> None:
        if job is not self.job:
            return
        remaining = [j for j in self.runner.jobs if j.show and not j.finished]
        if remaining:
            self._show(remaining[-1])
        else:
            self.job = None
            self.hide()
