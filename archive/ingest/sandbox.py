"""Untrusted files are read in a worker process with memory and time limits.

A crafted file (a zip bomb in a .docx, two million paragraphs, one 20 MB line)
used to take the importing process with it: gigabytes of memory, minutes of
work, and Ctrl+C that did nothing until the file ended. Every format reader now
runs in a worker process (`python -m archive.ingest.sandbox`), one per import,
reused from file to file:

- its address space is capped (RLIMIT_AS) at what it used when idle plus
  `memory_budget(size)`, so a bomb ends in MemoryError inside the worker and the
  file fails with a message, never the machine;
- each file has `time_limit(size)` seconds; past it the worker is killed and the
  file fails, named;
- Cancel and Ctrl+C kill the worker at once (the parent polls every 50 ms), and
  the worker dies with its parent (`archive.children`: PR_SET_PDEATHSIG, and the
  end of its input);
- what comes back is unpickled with a closed list of classes (a worker subverted
  by a parser bug cannot make the importing process run code).

Tesseract (OCR of scans) runs in its own processes with their own limits
(`archive.ingest.ocr`); a reader that raises NeedsOcr sends the file back here.
Where the worker cannot be used (not POSIX), files are read in-process.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Container, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from archive.children import popen
from archive.ingest.errors import UnreadableFile
from archive.ingest.parsed import ParsedArticle
from archive.tasks import Cancelled, CancelToken

MB = 1024 * 1024
# Measured on the hostile catalogue (tests/archive/ingest/test_sandbox.py): the
# largest honest reads peak at about 4x the file (a .docx's XML is ~4x its zip);
# a worker idles at ~150 MB of address space.
MEMORY_FLOOR = 512 * MB


def memory_budget(size: int) -> int:
    """Address space a file of `size` bytes may use beyond the idle worker's."""
    return max(MEMORY_FLOOR, 8 * size)


def time_limit(size: int) -> float:
    """Seconds a file of `size` bytes may take to read (50 MB: 4 minutes)."""
    return 40.0 + 4.0 * size / MB


# What a worker may send back: the readers' results and errors, and builtins.
_ALLOWED = {
    ("archive.ingest.parsed", "ParsedArticle"),
    ("archive.ingest.parsed", "ReadArticles"),
    ("archive.ingest.parsed", "Attachment"),
    ("archive.ingest.errors", "UnreadableFile"),
    ("archive.ingest.scans", "NeedsOcr"),
    ("builtins", "list"),
    ("builtins", "dict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "tuple"),
    ("builtins", "bytearray"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"a worker sent {module}.{name}: refused")
        return super().find_class(module, name)


def _loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


class Sandbox:
    """The worker process of one import; `read` one file at a time, then `close`."""

    def __init__(self, memory: int | None = None, seconds: float | None = None) -> None:
        """`memory` (bytes beyond the idle worker) and `seconds` replace the limits
        `memory_budget` and `time_limit` give for a file's size."""
        self.memory = memory
        self.seconds = seconds
        self._proc: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self.enabled = os.name == "posix"

    def read(
        self,
        extension: str,
        data: bytes,
        name: str,
        cancel: CancelToken | None = None,
        known: Collection[str] | None = None,
    ) -> list[ParsedArticle]:
        """What the reader for `extension` makes of `data`, read in the worker.

        `known`: the SHA-256 of the originals the archive holds; a container of
        captures skips those it holds (`parsed.KNOWN_ORIGINALS`).

        Raises UnreadableFile (also for a file over its time or memory limit) or
        Cancelled (the worker is killed; the next file starts a new one).
        """
        if not self.enabled:
            return _read(extension, data, name, known)
        budget = self.memory if self.memory is not None else memory_budget(len(data))
        seconds = self.seconds if self.seconds is not None else time_limit(len(data))
        # Only containers of captures ask what the archive holds.
        shas = sorted(known) if known is not None and extension in CONTAINERS else None
        request = pickle.dumps((extension, name, budget, shas, data), protocol=5)
        try:
            self._start()
            assert self._send is not None
            self._send.send_bytes(request)
        except OSError:  # it died idle (killed?): once more, with a new one
            self.close()
            self._start()
            assert self._send is not None
            self._send.send_bytes(request)
        del request
        assert self._recv is not None
        deadline = time.monotonic() + seconds
        while True:
            if cancel is not None and cancel.cancelled:
                self.close()
                raise Cancelled()
            try:
                ready = self._recv.poll(0.05)
            except OSError:
                ready = True
            if ready:
                break
            if time.monotonic() > deadline:
                self.close()
                raise UnreadableFile(
                    f"reading it took longer than {seconds:g} s and was stopped "
                    "(a damaged or crafted file?)"
                )
        try:
            status, value = _loads(self._recv.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            code = self._proc.poll() if self._proc is not None else None
            self.close()
            if code == -signal.SIGKILL:
                raise UnreadableFile(
                    "reading it needed more memory than the import allows and was stopped "
                    "(a damaged or crafted file?)"
                ) from exc
            raise UnreadableFile(f"the reader stopped unexpectedly ({exc or code})") from exc
        if status == "ok":
            articles: list[ParsedArticle] = value
            return articles
        if status == "error":
            raise value
        raise UnreadableFile(value)

    def _start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self.close()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = {**os.environ, "PYTHONPATH": _package_root()}
        self._proc = popen(
            [sys.executable, "-c", _WORKER, str(to_child_r), str(from_child_w)],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            start_new_session=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._recv = Connection(from_child_r, writable=False)

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def close(self) -> None:
        """Stop the worker (killed if busy); the next `read` starts a new one."""
        for conn in (self._send, self._recv):
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.close()
        self._send = self._recv = None
        if self._proc is not None:
            if self._proc.poll() is None:
                with contextlib.suppress(OSError):
                    self._proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
            self._proc = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# Dies with its parent before it imports anything (the readers take ~1 s to import).
_WORKER = (
    "import signal, sys\n"
    "from archive.children import die_with_parent\n"
    "die_with_parent()\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle\n"
    "from archive.ingest.sandbox import main\n"
    "main(sys.argv[1:])\n"
)


# Idle workers, kept for the next import of this process: a worker takes about a
# second to start (its readers' imports), which every small import would pay.
_idle: list[Sandbox] = []
_idle_lock = threading.Lock()
_KEEP_IDLE = 2


@contextmanager
def worker() -> Iterator[Sandbox]:
    """A worker for one import: an idle one of this process, or a new one."""
    with _idle_lock:
        sandbox = _idle.pop() if _idle else Sandbox()
    try:
        yield sandbox
    finally:
        with _idle_lock:
            keep = len(_idle) < _KEEP_IDLE
            if keep:
                _idle.append(sandbox)
        if not keep:
            sandbox.close()


def close_idle() -> None:
    """Stop the idle workers (at exit, and in tests)."""
    with _idle_lock:
        idle = list(_idle)
        _idle.clear()
    for sandbox in idle:
        sandbox.close()


atexit.register(close_idle)


# Readers that ask which originals the archive holds (a WARC's records).
CONTAINERS = frozenset({".warc", ".warc.gz", ".wacz"})


def _read(
    extension: str, data: bytes, name: str, known: Container[str] | None
) -> list[ParsedArticle]:
    from archive.ingest.parsed import KNOWN_ORIGINALS
    from archive.ingest.readers import READERS

    token = KNOWN_ORIGINALS.set(known.__contains__ if known is not None else None)
    try:
        return READERS[extension][1](data, name)
    finally:
        KNOWN_ORIGINALS.reset(token)


def _package_root() -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    extra = os.environ.get("PYTHONPATH")
    return root if not extra else f"{root}{os.pathsep}{extra}"


# -- the worker ---------------------------------------------------------------------


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _serve(inbox: Connection, outbox: Connection) -> None:
    import resource

    import archive.ingest.readers  # noqa: F401  (imported before the first file's limits)

    while True:
        try:
            request = inbox.recv_bytes()
        except (EOFError, OSError):
            return  # the importer is done (or gone)
        extension, name, budget, shas, data = pickle.loads(request)  # from our own parent
        del request
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        try:
            limit = _address_space() + budget
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (OSError, ValueError):
            pass
        try:
            known = frozenset(shas) if shas is not None else None
            reply: tuple[str, Any] = ("ok", _read(extension, data, name, known))
        except UnreadableFile as exc:
            reply = ("error", exc)
        except MemoryError:
            reply = (
                "failed",
                "reading it needed more memory than the import allows and was stopped "
                "(a damaged or crafted file?)",
            )
        except RecursionError:
            reply = ("failed", "it is nested too deeply to read (a damaged or crafted file?)")
        except Exception as exc:  # a reader library's own bug must not stop the import
            reply = ("failed", f"could not be read ({type(exc).__name__}: {exc})")
        del data
        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        try:
            payload = pickle.dumps(reply, protocol=5)
        except Exception as exc:  # an exception that cannot travel: its words can
            payload = pickle.dumps(("failed", f"could not be read ({exc})"), protocol=5)
        try:
            outbox.send_bytes(payload)
        except (OSError, MemoryError):
            return


def main(argv: list[str]) -> None:
    """The worker's loop (started by `_WORKER`): argv = the two pipe descriptors."""
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    _serve(inbox, outbox)
