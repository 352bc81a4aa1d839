"""Child processes that die with this process: one launcher for all of them.

Sesame runs work in child processes of its own (`subprocess`, never fork: the
window's process has Qt threads): the sandbox that reads untrusted files
(`ingest/sandbox.py`), the window's imports (`ingest/child.py`) and the index
catch-up's writers (`search/building.py`). Each must die when its parent dies
(killed, crashed), or it goes on writing an index nobody will swap in, holds
memory, or reads files for an import that is gone. Linux does that with
PR_SET_PDEATHSIG, which a child sets on itself (`die_with_parent`, before it
imports anything heavy); but the signal fires when the *thread* that started the
child ends, not its process. Catch-ups were started from pool threads and idle
timers that ended (QThreadPool: after 30 s idle) while the children indexed,
and a child killed so turned the rest of the session's catch-ups in-process;
idle sandbox workers died with the import's thread.

So every such child is started here, by one thread that lives as long as the
process (`popen`): a child then dies with its parent process and never with the
thread that asked for it, and whichever thread waits for it may end. The
parent's pid travels in the child's environment (`PARENT_ENV`), so a child
started as its parent died exits at once (its parent is then no longer its
parent: the race PR_SET_PDEATHSIG leaves open).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

# The parent's pid, in a child's environment (read by `die_with_parent`).
PARENT_ENV = "SESAME_PARENT_PID"
# How much a child lowers its priority (`popen(background=True)`; read by `die_with_parent`).
NICENESS_ENV = "SESAME_NICENESS"
# Bulk work (an import, the index's writers) yields the processor to the window: on 2
# cores an import's child and two index writers kept both busy, and the window's threads
# waited their turn beside them (issue 8). Niceness only matters when the processor is
# short: alone on the machine a background child runs as fast as before.
BACKGROUND_NICENESS = 10
_PR_SET_PDEATHSIG = 1

_requests: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
_launcher: threading.Thread | None = None
_launcher_pid = 0
_lock = threading.Lock()


def _serve() -> None:
    while True:
        start, done = _requests.get()
        if not done.set_running_or_notify_cancel():
            continue
        try:
            done.set_result(start())
        except BaseException as exc:  # handed to the caller, raised there
            done.set_exception(exc)


def _ensure_launcher() -> None:
    global _launcher, _launcher_pid
    with _lock:
        if _launcher is not None and _launcher.is_alive() and _launcher_pid == os.getpid():
            return
        _launcher = threading.Thread(target=_serve, name="sesame-children", daemon=True)
        _launcher_pid = os.getpid()
        _launcher.start()


def popen(
    args: Sequence[str], *, background: bool = False, **kwargs: Any
) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(args, **kwargs)`, started by the launcher thread.

    The child's environment (`env`, else this process's) gets `PARENT_ENV`
    (and, for `background` work, `NICENESS_ENV`); the child calls
    `die_with_parent()` first thing. Raises what Popen raises (OSError when the
    program cannot be started). Any thread may wait for it.
    """
    env = dict(kwargs.pop("env", None) or os.environ)
    env[PARENT_ENV] = str(os.getpid())
    env.pop(NICENESS_ENV, None)  # a child of a background child is not lowered twice
    if background:
        env[NICENESS_ENV] = str(BACKGROUND_NICENESS)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(list(args), env=env, **kwargs)

    if threading.current_thread() is _launcher:  # (never: but no deadlock if so)
        return start()
    _ensure_launcher()
    done: Future[subprocess.Popen[bytes]] = Future()
    _requests.put((start, done))
    return done.result()


def die_with_parent(parent: int | None = None) -> None:
    """In a child: SIGKILL when the parent process dies (Linux); exit now if it has;
    a background child lowers its priority (`NICENESS_ENV`).

    `parent`: the parent's pid (default: `PARENT_ENV` of the environment, as
    `popen` sets it; without either, a parent already gone is told by being
    re-parented to init).
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(Exception):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    with contextlib.suppress(KeyError, ValueError, OSError, AttributeError):
        os.nice(int(os.environ[NICENESS_ENV]))  # (no os.nice on Windows)
    if parent is None:
        with contextlib.suppress(KeyError, ValueError):
            parent = int(os.environ[PARENT_ENV])
    ppid = os.getppid()
    if ppid != parent if parent is not None else ppid == 1:
        os._exit(1)
