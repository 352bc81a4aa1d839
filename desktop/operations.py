"""The window's one way to write: core changes run off the GUI thread, one at a time.

Modelled on Anki's `CollectionOp`: a view asks `ctx.writer.change(label, fn)`;
`fn(ch)` runs on a pool thread inside `archive.change(label)` (a core change,
see `archive.changes`), and when it is committed the views are told what
changed from the returned `ChangeSet`: one `ctx.changed(ViewDelta)` with the rows
written (desktop/delta.py), from which each view updates what it shows. Writes wait in a queue
and run in the order they were asked for, so a tag typed while an earlier
write is in flight (waiting for an import's batch to commit) is kept, not
lost, and the keyboard never waits for SQLite.

Undo and redo are the core's (`archive.undo()` / `redo()`); the writer is a
thin view over them with the signals and actions a `QUndoStack` offers.
A long change (`change(..., long=True)`: a bundle's merge), undo and redo
run alone, show in the status bar with Cancel, and a Cancel rolls the whole
change back at its next SQL statement (`archive.cancelling`): nothing half-written.
The search index catches up after each write in a background job of its own.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QObject, QTimer, Signal
from PySide6.QtGui import QAction

from archive import changes
from desktop.delta import ViewDelta

if TYPE_CHECKING:
    from archive.changes import Change, ChangeSet
    from desktop.context import AppContext

log = logging.getLogger(__name__)

# See IndexCatchUp.
SEARCH_PATIENCE_SECONDS = 1.0
# At most this many queued writes are committed in one transaction (see Writer._next).
BATCH_LIMIT = 20


class _UndoAction(QAction):
    """Undo or Redo, named after the change it would undo or redo.

    The writer's signals are connected to this action's own method, so Qt drops the
    connections when the window deletes the action (a closure would outlive it and
    touch a deleted C++ object when the next change is told).
    """

    def __init__(self, writer: Writer, parent: QObject, prefix: str, *, redo: bool) -> None:
        super().__init__(parent)
        self._writer = writer
        self._prefix = prefix
        self._redo = redo
        self.update_text()
        (writer.redoTextChanged if redo else writer.undoTextChanged).connect(self.update_text)
        (writer.canRedoChanged if redo else writer.canUndoChanged).connect(self.update_text)
        self.triggered.connect(writer.redo if redo else writer.undo)

    def update_text(self, _: object = None) -> None:
        w = self._writer
        text = w.redoText() if self._redo else w.undoText()
        self.setText(f"{self._prefix} {text}".strip() if text else self._prefix)
        self.setEnabled(w.canRedo() if self._redo else w.canUndo())


@dataclass
class _Op:
    kind: str  # do | undo | redo
    label: str
    fn: Callable[[Change], Any] | None
    origin: str
    on_done: Callable[[Any], None] | None
    on_error: Callable[[str], None] | None
    long: bool = False  # alone, in the status bar, cancellable
    on_cancelled: Callable[[], None] | None = None


@dataclass
class _Outcome:
    """What became of one asked write: its result and change set, or its refusal."""

    op: _Op
    result: Any
    done: ChangeSet | None
    delta: ViewDelta | None
    error: str | None = None


class IndexCatchUp(QObject):
    """Brings the search index up to date off the GUI thread after the window's changes.

    Writes skip the catch-up (`sync=False`: a tag costs a few ms instead of
    tens, and never waits for an import that holds the index), then ask for
    one here; requests made while one runs fold into one follow-up run.
    """

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("indexCatchUp")
        self.ctx = ctx
        self.job: Any = None
        self._again = False
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.request)
        # While child processes index an import's articles (archive.search.building),
        # a search from the window waits at most this long for them, then shows the
        # index as it is with those changes counted as pending.
        ctx.archive.search_patience = SEARCH_PATIENCE_SECONDS

    def request(self) -> None:
        """Catch the index up soon (now, if no catch-up is running)."""
        if self.job is not None:
            self._again = True
            return
        if self.ctx.tasks is None:  # no background helper (scripts): do it here
            self.ctx.archive.sync_index()
            return
        self.job = self.ctx.tasks.run(
            "Updating the search index",
            self.ctx.archive.sync_index,
            with_progress=False,
            show=False,
            on_error=lambda message, _details: log.warning("Index catch-up failed: %s", message),
        )
        self.job.ended.connect(self._ended)

    def request_later(self, delay_ms: int) -> None:
        """Catch the index up in `delay_ms` (a search before then catches up itself)."""
        if not self._later.isActive():
            self._later.start(delay_ms)

    def _ended(self) -> None:
        self.job = None
        if self._again:
            self._again = False
            self.request()


class Writer(QObject):
    """Runs the window's changes, undo and redo in the background, in order."""

    # A write the archive refused, with its message (the shell shows it).
    failed = Signal(str)
    # A change was committed (its ChangeSet), after the views were told.
    committed = Signal(object)
    # QUndoStack's signals, for the Edit menu and the toolbar.
    canUndoChanged = Signal(bool)
    canRedoChanged = Signal(bool)
    undoTextChanged = Signal(str)
    redoTextChanged = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("writer")
        self.ctx = ctx
        self.queue: deque[_Op] = deque()
        self.job: Any = None
        # Run on the calling thread (scripts and panel tests); the window never does.
        self.inline = False
        self._own: Any = None
        self.index = IndexCatchUp(ctx)
        self._undo: str | None = None
        self._redo: str | None = None
        # The views' reads of what the writes did (desktop.widgets.run_read): wait() waits
        # for them too.
        self.settling: set[Any] = set()
        # Changes committed but not yet told to the views (see _finished).
        self._untold: list[tuple[_Op, Any, ChangeSet, ViewDelta]] = []
        self.refresh()
        # An import writes its own batches (a background job of its own, not through
        # here): when it ends (articlesChanged), Undo names its last batch.
        ctx.articlesChanged.connect(self.refresh)

    def refresh(self) -> None:
        """Read again what undo and redo would do (after writes made elsewhere)."""
        if not self.ctx.archive.readonly and not self.busy:
            self._labels((changes.can_undo(self.ctx.archive), changes.can_redo(self.ctx.archive)))

    # -- asking for writes ---------------------------------------------------------

    def change(
        self,
        label: str,
        fn: Callable[[Change], Any],
        *,
        origin: str = "manual",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        long: bool = False,
        on_cancelled: Callable[[], None] | None = None,
    ) -> None:
        """Run `fn(ch)` in a core change called `label`; `on_done(result)` on the GUI thread.

        A refusal (`SesameError`) goes to `on_error(message)`, or to `failed`.
        `long`: it runs alone, shows in the status bar with Cancel; cancelled, nothing
        of it stays and `on_cancelled()` is called (else `on_error`).
        """
        self._submit(_Op("do", label, fn, origin, on_done, on_error, long, on_cancelled))

    def undo(self) -> None:
        """Undo the newest change (in the background; Cancel in the status bar)."""
        label = f"Undo {self._undo}" if self._undo else "Undo"
        self._submit(_Op("undo", label, None, "undo", None, None, long=True))

    def redo(self) -> None:
        """Redo the change undone last (in the background; Cancel in the status bar)."""
        label = f"Redo {self._redo}" if self._redo else "Redo"
        self._submit(_Op("redo", label, None, "redo", None, None, long=True))

    @property
    def busy(self) -> bool:
        """Whether a write is running or waiting (or its views not told yet)."""
        return self.job is not None or bool(self.queue) or bool(self._untold)

    def wait(self, msecs: int = 30000) -> bool:
        """Process events until every write asked for so far is done and the views show it
        (their reads after the writes delivered): tests, closing."""
        timer = QElapsedTimer()
        timer.start()
        while (self.busy or self.settling) and timer.elapsed() < msecs:
            QCoreApplication.processEvents()
        return not self.busy and not self.settling

    # -- QUndoStack's face ----------------------------------------------------------

    def canUndo(self) -> bool:
        return self._undo is not None

    def canRedo(self) -> bool:
        return self._redo is not None

    def undoText(self) -> str:
        return self._undo or ""

    def redoText(self) -> str:
        return self._redo or ""

    def createUndoAction(self, parent: QObject, prefix: str) -> QAction:
        """An action that undoes, named after the change it would undo."""
        return self._action(parent, prefix, redo=False)

    def createRedoAction(self, parent: QObject, prefix: str) -> QAction:
        """An action that redoes, named after the change it would redo."""
        return self._action(parent, prefix, redo=True)

    def _action(self, parent: QObject, prefix: str, *, redo: bool) -> QAction:
        return _UndoAction(self, parent, prefix, redo=redo)

    # -- running ----------------------------------------------------------------------

    def _submit(self, op: _Op) -> None:
        self.queue.append(op)
        self._next()

    def _next(self) -> None:
        """Start the next write; writes queued one after another go together.

        Consecutive changes waiting in the queue (tags typed while an import held
        the write lock) are committed in one transaction, each still its own change
        with its own undo step and audit entries (`archive.changes.Transaction`):
        during a 5,000-file import one tag's commit cost 57 ms p50 / 118 ms p95 of
        fsync beside the import's, so tags asked every 200 ms queued behind each
        other (487 ms p95 queued). Undo and redo run alone.
        """
        if self.job is not None or not self.queue:
            return
        ops = [self.queue.popleft()]
        if ops[0].kind == "do" and not ops[0].long:
            while (
                self.queue
                and self.queue[0].kind == "do"
                and not self.queue[0].long
                and len(ops) < BATCH_LIMIT
            ):
                ops.append(self.queue.popleft())
        if self.inline or self.ctx.tasks is None:  # scripts: no background helper
            from archive.errors import SesameError

            try:
                value = self._work(ops)
            except SesameError as exc:
                self._failed(ops, str(exc))
                return
            self._finished(value)
            return
        long = ops[0].long
        self.job = self._runner().run(
            ops[0].label,
            self._work,
            ops,
            with_progress=long,
            show=long,
            on_result=self._finished,
            on_error=lambda message, _details: self._failed(ops, message),
            on_cancelled=lambda: self._cancelled(ops),
        )

    def _runner(self) -> Any:
        """A thread of the writer's own: a tag never queues behind an import or a panel's
        read in the shared pool (measured: 252 ms p50 of waiting for a pool thread)."""
        if self._own is None:
            from desktop.tasks import TaskRunner

            self._own = TaskRunner(self, max_threads=1)
            self._own.setObjectName("writerTasks")
            # Jobs of both runners are waited for and cancelled together at close.
            tasks = self.ctx.tasks
            if hasattr(tasks, "adopt"):
                tasks.adopt(self._own)
        return self._own

    def _work(
        self, ops: list[_Op], progress: Any = None, cancel: Any = None
    ) -> tuple[list[_Outcome], tuple[str | None, str | None]]:
        """On the writer's thread: the changes, then what undo and redo would now do.

        `cancel` (a long op's, which runs alone): checked at each SQL statement of its
        change, up to the commit; set, the change rolls back (`tasks.Cancelled`).

        One op's refusal (`SesameError`) in a transaction of several leaves nothing
        of it behind (its SAVEPOINT is rolled back) and the others commit; any other
        error rolls back them all (the job fails).
        """
        from archive.cancelling import cancel_at_statements
        from archive.errors import SesameError
        from archive.tasks import Cancelled

        archive = self.ctx.archive
        outcomes: list[_Outcome] = []
        if ops[0].kind in ("undo", "redo"):
            with cancel_at_statements(cancel):
                done = (
                    archive.undo(sync=False) if ops[0].kind == "undo" else archive.redo(sync=False)
                )
            outcomes.append(_Outcome(ops[0], None, done, ViewDelta.of([done])))
        elif len(ops) == 1:
            op = ops[0]
            assert op.fn is not None
            with (
                cancel_at_statements(cancel),
                archive.change(op.label, op.origin, sync=False) as ch,
            ):
                result = op.fn(ch)
            assert ch.changes is not None
            outcomes.append(_Outcome(op, result, ch.changes, ViewDelta.of([ch.changes])))
        else:
            with changes.transaction(archive, sync=False) as txn:
                for op in ops:
                    assert op.fn is not None
                    try:
                        with txn.change(op.label, op.origin) as ch:
                            result = op.fn(ch)
                    except Cancelled:
                        raise
                    except SesameError as exc:
                        outcomes.append(_Outcome(op, None, None, None, str(exc)))
                        continue
                    assert ch.changes is not None
                    outcomes.append(_Outcome(op, result, ch.changes, None))
            # What the views are told, worked out here rather than on the GUI thread.
            for outcome in outcomes:
                if outcome.done is not None:
                    outcome.delta = ViewDelta.of([outcome.done])
        return outcomes, (changes.can_undo(archive), changes.can_redo(archive))

    def _finished(self, value: tuple[list[_Outcome], tuple[str | None, str | None]]) -> None:
        """Writes are committed: start the next ones, tell the views soon.

        The next write starts before the views are told (it used to wait for
        them: during an import the tags queued behind each other's view
        reloads, p50 9 s queued at load 15), and the changes committed while
        the window was busy are told in one go, once per event-loop turn.
        """
        outcomes, labels = value
        self.job = None
        self._labels(labels)
        waiting = bool(self._untold)  # then a turn of the loop will tell them already
        for outcome in outcomes:
            if outcome.error is not None:
                self._tell()  # the writes before it first, in order
                self._refused(outcome.op, outcome.error)
            else:
                assert outcome.done is not None and outcome.delta is not None
                self._untold.append((outcome.op, outcome.result, outcome.done, outcome.delta))
        if self.inline or self.ctx.tasks is None:
            self._tell()
            self._next()
            return
        self._next()
        if self._untold and not waiting:
            QTimer.singleShot(0, self, self._tell)

    def _tell(self) -> None:
        told, self._untold = self._untold, []
        if not told:
            return
        self.notify(ViewDelta.merge([delta for *_, delta in told]))
        self.index.request()
        for op, result, done, _delta in told:
            if op.on_done is not None:
                op.on_done(result)
            self.committed.emit(done)

    def _failed(self, ops: list[_Op], message: str) -> None:
        """The job failed: none of its writes were committed."""
        self.job = None
        self._tell()  # the writes before them first, in order
        for op in ops:
            self._refused(op, message)
        self._next()

    def _cancelled(self, ops: list[_Op]) -> None:
        """A long op was cancelled: its change rolled back, nothing of it stays."""
        self.job = None
        self._tell()
        for op in ops:
            if op.on_cancelled is not None:
                op.on_cancelled()
            else:
                self._refused(op, f"{op.label}: cancelled; nothing was changed.")
        self.refresh()
        self._next()

    def _refused(self, op: _Op, message: str) -> None:
        log.info("Change %r refused: %s", op.label, message)
        if op.on_error is not None:
            op.on_error(message)
        else:
            self.failed.emit(message)

    def notify(self, delta: ViewDelta) -> None:
        """Tell every view what the changes did: one `ctx.changed(delta)`.

        Each view takes from the delta's rows what concerns it and updates only
        that (desktop/delta.py). Measured before: the per-article and "reload
        everything" signals this replaced made a 1,200-mention merge stall the
        window 408 ms (reader, panels and library reloading, SQL on this thread).
        """
        if not delta.empty:
            self.ctx.changed.emit(delta)

    def _labels(self, labels: tuple[str | None, str | None]) -> None:
        undo, redo = labels
        if undo != self._undo:
            could = self._undo is not None
            self._undo = undo
            self.undoTextChanged.emit(undo or "")
            if could != (undo is not None):
                self.canUndoChanged.emit(undo is not None)
        if redo != self._redo:
            could = self._redo is not None
            self._redo = redo
            self.redoTextChanged.emit(redo or "")
            if could != (redo is not None):
                self.canRedoChanged.emit(redo is not None)
