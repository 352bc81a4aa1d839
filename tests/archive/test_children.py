"""Child processes started by `archive.children` die with their parent process, not
with the thread that asked for them (the sandbox, the window's imports and the index
catch-up's writers all start theirs there)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

from archive import children

ROOT = Path(__file__).resolve().parents[2]
# A child that sets PR_SET_PDEATHSIG on itself, says so, and then waits.
SLEEPER = (
    "import sys, time\n"
    "from archive.children import die_with_parent\n"
    "die_with_parent()\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG")


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@linux_only
def test_a_child_outlives_the_thread_that_asked_for_it() -> None:
    started: list[subprocess.Popen[bytes]] = []

    def ask() -> None:
        started.append(
            children.popen(
                [sys.executable, "-c", SLEEPER],
                stdout=subprocess.PIPE,
                cwd=str(ROOT),
            )
        )

    asker = threading.Thread(target=ask)
    asker.start()
    asker.join()  # the thread that asked has ended
    process = started[0]
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"  # past its PR_SET_PDEATHSIG
        time.sleep(0.3)
        assert process.poll() is None
    finally:
        process.kill()
        process.wait()


@linux_only
def test_a_child_dies_with_its_parent_process(tmp_path: Path) -> None:
    # A parent that starts a child from a short-lived thread, reports its pid, waits.
    parent_code = textwrap.dedent(
        f"""
        import subprocess, sys, threading, time
        from archive import children
        out = []
        def ask():
            out.append(children.popen([sys.executable, "-c", {SLEEPER!r}],
                                      stdout=subprocess.PIPE))
        t = threading.Thread(target=ask); t.start(); t.join()
        child = out[0]
        assert child.stdout.readline() == b"ready\\n"
        print(child.pid, flush=True)
        time.sleep(60)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdout=subprocess.PIPE, env=env, cwd=str(tmp_path)
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        time.sleep(0.3)
        assert not _gone(pid, 0.1)  # alive while its parent lives
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _gone(pid)
    finally:
        parent.kill()
        parent.wait()


def test_a_child_whose_parent_is_already_gone_exits() -> None:
    # The parent's pid in the environment is not its parent's: it stops at once.
    env = {**os.environ, "PYTHONPATH": str(ROOT), children.PARENT_ENV: "1"}
    code = subprocess.run(
        [sys.executable, "-c", SLEEPER], env=env, capture_output=True, timeout=30
    ).returncode
    assert code == 1


def test_a_program_that_cannot_start_raises_in_the_caller(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        children.popen([str(tmp_path / "no-such-program")])


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no os.nice")
@pytest.mark.parametrize("background", [False, True])
def test_background_children_yield_the_processor(background: bool) -> None:
    # Bulk work (an import's child, the index's writers) runs at a lower priority, so
    # the window's threads are not kept waiting behind it on a busy machine (issue 8).
    probe = (
        "import os\n"
        "from archive.children import die_with_parent\n"
        "die_with_parent()\n"
        "print(os.nice(0), os.environ.get('SESAME_NICENESS'), flush=True)\n"
    )
    process = children.popen(
        [sys.executable, "-c", probe], background=background, stdout=subprocess.PIPE, cwd=ROOT
    )
    out, _ = process.communicate(timeout=60)
    niceness, passed_on = out.decode().split()
    expected = os.nice(0) + (children.BACKGROUND_NICENESS if background else 0)
    assert int(niceness) == min(expected, 19)
    assert passed_on == (str(children.BACKGROUND_NICENESS) if background else "None")
