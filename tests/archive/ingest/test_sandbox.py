"""The worker process that reads untrusted files: same results, limits, cancel, death."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive.ingest.errors import UnreadableFile
from archive.ingest.readers import READERS
from archive.ingest.sandbox import Sandbox, _loads
from archive.tasks import Cancelled, CancelToken

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the worker needs POSIX pipes")

TEXT = b"Police disperse a strike\n\nMore than 300 riot police blocked the bridge.\n"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_the_worker_reads_as_the_reader_does_and_is_reused() -> None:
    with Sandbox() as sandbox:
        first = sandbox.read(".txt", TEXT, "a.txt")
        pid = sandbox.pid
        second = sandbox.read(".md", TEXT, "b.md")
        assert sandbox.pid == pid  # one worker for a whole import
    assert first == READERS[".txt"][1](TEXT, "a.txt")
    assert [a.text for a in second] == [a.text for a in first]
    assert pid is not None and not _alive(pid)


def test_a_reader_error_comes_back_as_the_files_failure() -> None:
    with Sandbox() as sandbox, pytest.raises(UnreadableFile, match=r"not really a pdf|PDF"):
        sandbox.read(".pdf", b"%PDF-1.4 this is not really a pdf", "bad.pdf")
    with Sandbox() as sandbox:  # and the worker goes on with the next file
        with pytest.raises(UnreadableFile):
            sandbox.read(".docx", b"PK\x03\x04 not a zip at all", "bad.docx")
        assert sandbox.read(".txt", TEXT, "a.txt")[0].title


def test_a_file_over_its_memory_budget_fails_with_the_reason() -> None:
    big = ("word " * 4_000_000).encode()  # 20 MB of text: its reading needs ~5x that
    with Sandbox() as sandbox:
        sandbox.read(".txt", TEXT, "warm.txt")  # the readers' own imports, unlimited
        sandbox.memory = 16 * 1024 * 1024
        with pytest.raises(UnreadableFile, match="more memory than the import allows"):
            sandbox.read(".txt", big, "big.txt")
        assert sandbox.read(".txt", TEXT, "a.txt")  # a new worker for the next file


def test_a_file_over_its_time_limit_is_stopped() -> None:
    with Sandbox(seconds=0.01) as sandbox:
        started = time.monotonic()
        with pytest.raises(UnreadableFile, match=r"took longer than 0\.01 s"):
            sandbox.read(".txt", TEXT, "a.txt")  # the worker's start alone takes longer
        assert time.monotonic() - started < 2
        assert sandbox.pid is None


def test_cancel_kills_the_worker_at_once() -> None:
    token = CancelToken()
    with Sandbox() as sandbox:
        sandbox.read(".txt", TEXT, "warm.txt")
        pid = sandbox.pid
        assert pid is not None
        slow = ("police " * 3_000_000).encode()
        threading.Timer(0.05, token.cancel).start()
        started = time.monotonic()
        with pytest.raises(Cancelled):
            sandbox.read(".txt", slow, "slow.txt", cancel=token)
        assert time.monotonic() - started < 1.0
        assert not _alive(pid)


def test_the_worker_dies_with_the_importing_process(tmp_path: Path) -> None:
    """SIGKILL of the importer (mid-read) leaves no reader process behind."""
    script = tmp_path / "importer.py"
    script.write_text(
        "import sys\n"
        "from archive.ingest.sandbox import Sandbox\n"
        "s = Sandbox()\n"
        "s.read('.txt', b'warm up\\n\\ntext', 'a.txt')\n"
        "print(s.pid, flush=True)\n"
        "s.read('.txt', b'police ' * 3_000_000, 'slow.txt')\n",
        "utf-8",
    )
    root = str(Path(__file__).resolve().parents[3])
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": root},
    )
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)


def test_what_a_worker_sends_back_is_limited_to_the_readers_classes() -> None:
    assert _loads(pickle.dumps(("ok", READERS[".txt"][1](TEXT, "a.txt"))))[0] == "ok"
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        _loads(pickle.dumps(("ok", os.system)))
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        _loads(pickle.dumps(("error", ValueError("x"))))
