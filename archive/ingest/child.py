"""The window's imports of a plain archive, run in a child process of their own.

In the window's process an import's pipeline (preparing, normalising, language
guesses, copies of one story, writing the batches) ran on a pool thread and
competed with the window's thread for the interpreter lock: during a 5,000-file
import a tag waited 234 ms at p50 (444 at p95) just to be handed back to the
window's thread, and the window stalled for up to 1.1 s (issue 8). Here the
import runs in `python -m archive.ingest.child`, started with `subprocess`
(never forked: the window's process has Qt threads), which opens the archive
itself (`Archive.open_for_parent`: the parent keeps the write lock) and runs
`import_paths`; the parent's thread only waits on a pipe.

- Request: one JSON line on the child's stdin (archive, paths, provenance, OCR
  languages, the parent's pid); then "cancel" (or the end of its input: the
  parent went away) stops the import at its next check, between files or a
  scan's pages, and what was committed stays, as in-process.
- Answers: JSON lines on a pipe of their own (its number the child's argument;
  a library printing to stdout cannot garble them): {"progress": [done, total, message]}
  thinned to 20 a second, then {"report": ...} (`ImportReport.to_json()` with
  "cancelled" and "warnings") or {"error": message}.
- The child dies with its parent (`archive.children`: PR_SET_PDEATHSIG, Linux);
  a killed child loses at most the batch it was writing (each batch is one
  transaction), and the parent reports `ImportStopped`.
- The child never touches the search index (`index=False`): the parent's own
  `SearchIndex` catches up from the queue rows the batches wrote (`tick()` is
  called about once a second, as each batch did in-process).

Encrypted archives are imported in-process (`import_in_process`): their data
key never leaves the process that unlocked them.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from archive.children import die_with_parent, popen
from archive.errors import SesameError
from archive.tasks import Cancelled, CancelToken, ProgressFn

if TYPE_CHECKING:
    from archive.provenance import Provenance
    from archive.store import Archive

# Progress reports sent by the child at most this often (the window thins to the same).
PROGRESS_SECONDS = 0.05
# The parent's `tick` (its index catch-up) runs about this often while the child imports.
TICK_SECONDS = 1.0


class ImportStopped(SesameError):
    """The import's process ended without its report (killed, crashed, or refused)."""


def available(archive: Archive) -> bool:
    """Whether `archive`'s imports can run in a child process (plain archive, POSIX)."""
    return os.name == "posix" and not archive.encrypted and not archive.readonly


def import_in_process(
    archive: Archive,
    paths: Sequence[str | Path],
    provenance: Provenance | None = None,
    ocr_languages: str = "",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    *,
    index: bool = True,
) -> dict[str, Any]:
    """`import_paths` with the window's options, reported as plain data (the child
    runs this; so does the window for an encrypted archive)."""
    from archive.ingest import import_paths, ocr

    notes = []
    try:  # a saved choice whose language data was removed since: the archive's own
        languages = ocr.check_languages(ocr_languages) if ocr_languages else None
    except (ocr.UnknownLanguage, ocr.OcrUnavailable) as exc:
        languages = None
        if isinstance(exc, ocr.UnknownLanguage):
            notes.append(f"{exc}; scans were read in the archive's languages instead")
    report = import_paths(
        archive,
        paths,
        progress=progress,
        cancel=cancel,
        provenance=provenance,
        ocr_languages=languages,
        index=index,
    )
    return report.to_json() | {
        "cancelled": bool(report.cancelled),
        "warnings": notes + list(report.warnings),
    }


# -- the parent's side ----------------------------------------------------------------


def import_in_child(
    archive: Archive,
    paths: Sequence[str | Path],
    provenance: Provenance | None = None,
    ocr_languages: str = "",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    *,
    tick: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Import `paths` into the plain `archive` in a child process; its report as plain data.

    Blocks the calling thread (it only waits on a pipe) until the child ends.
    `tick()` is called about once a second while the child imports (the
    window catches its search index up there). Raises `ImportStopped` if the child
    fails or dies, `Cancelled` if it stopped on `cancel` without a report.
    """
    if not available(archive):
        raise ValueError("imports in a child process are for writable plain archives")
    from archive import keys
    from archive.identity import local_identity

    # Made here first if new: the child reads the same files (SESAME_CONFIG_DIR).
    local_identity()
    keys.signing_key()
    request = {
        "archive": str(archive.path),
        "paths": [str(p) for p in paths],
        "provenance": _provenance_json(provenance),
        "ocr_languages": ocr_languages,
        "parent": os.getpid(),
    }
    answers_r, answers_w = os.pipe()
    try:
        process = popen(
            [sys.executable, "-m", "archive.ingest.child", str(answers_w)],
            background=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(answers_w,),  # the same number in the child
            cwd=str(Path(__file__).resolve().parents[2]),
            close_fds=True,
        )
    except OSError as exc:
        os.close(answers_r)
        os.close(answers_w)
        raise ImportStopped(f"The import could not be started: {exc}.") from exc
    os.close(answers_w)
    assert process.stdin is not None
    try:
        process.stdin.write(json.dumps(request).encode() + b"\n")
        process.stdin.flush()
    except OSError:
        pass  # it died at once: told below from its exit status
    try:
        return _follow(process, answers_r, progress, cancel, tick)
    finally:
        os.close(answers_r)
        with contextlib.suppress(OSError):
            process.stdin.close()
        if process.poll() is None:  # only after an error here: never left behind
            process.kill()
        process.wait()


def _follow(
    process: subprocess.Popen[bytes],
    answers: int,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
    tick: Callable[[], None] | None,
) -> dict[str, Any]:
    """Read the child's answers until its pipe closes; pass cancel on."""
    buffer = b""
    result: dict[str, Any] | None = None
    error: str | None = None
    cancel_sent = False
    ticked = time.monotonic()
    while True:
        if cancel is not None and cancel.cancelled and not cancel_sent:
            cancel_sent = True
            with contextlib.suppress(OSError):
                assert process.stdin is not None
                process.stdin.write(b"cancel\n")
                process.stdin.flush()
        # A blocking wait that lets go of the interpreter lock; 0.1 s to notice cancel.
        ready, _, _ = select.select([answers], [], [], 0.1)
        if ready:
            chunk = os.read(answers, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = _parse(line)
                if "progress" in message and progress is not None:
                    done, total, text = message["progress"]
                    progress(int(done), None if total is None else int(total), str(text))
                elif "report" in message:
                    result = message["report"]
                elif "error" in message:
                    error = str(message["error"])
        now = time.monotonic()
        if tick is not None and now - ticked >= TICK_SECONDS:
            ticked = now
            tick()
    code = process.wait()
    if result is not None:
        return result
    if error is not None:
        raise ImportStopped(f"The import stopped: {error}")
    if cancel_sent and code == 0:
        raise Cancelled("Cancelled.")
    how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
    raise ImportStopped(
        f"The import stopped unexpectedly: its process ended ({how}) before it finished. "
        "What it had saved is kept, whole (each batch is saved at once or not at all). "
        "Import the same files again to add the rest: those already in the archive are "
        "listed as duplicates."
    )


def _parse(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def _provenance_json(provenance: Provenance | None) -> dict[str, str | None]:
    if provenance is None:
        return {}
    return {
        "collected_by": provenance.collected_by,
        "collected_with": provenance.collected_with,
        "collected_from": provenance.collected_from,
    }


# -- the child ----------------------------------------------------------------------


class _Answers:
    """The child's answers on its pipe, one JSON line each; progress thinned."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.lock = threading.Lock()
        self.last = 0.0

    def send(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.stream.write(json.dumps(message) + "\n")
            self.stream.flush()

    def progress(self, done: int, total: int | None, message: str = "") -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        self.send({"progress": [done, total, message]})


def _listen(stdin: IO[str], cancel: CancelToken) -> None:
    """Cancel on "cancel" or at the end of the input (the parent closed it or died)."""
    for line in stdin:
        if line.strip() == "cancel":
            break
    cancel.cancel()


def run(request: dict[str, Any], answers: _Answers, cancel: CancelToken) -> int:
    """In the child: open the archive, import, send the report; the exit status."""
    from archive.provenance import Provenance
    from archive.store import Archive

    try:
        archive = Archive.open_for_parent(request["archive"])
    except SesameError as exc:
        answers.send({"error": str(exc)})
        return 1
    try:
        given = request.get("provenance") or {}
        provenance = Provenance(
            given.get("collected_by"), given.get("collected_with"), given.get("collected_from")
        )
        report = import_in_process(
            archive,
            [Path(p) for p in request["paths"]],
            provenance,
            str(request.get("ocr_languages") or ""),
            answers.progress,
            cancel,
            index=False,
        )
    except Cancelled:
        return 0
    except SesameError as exc:
        answers.send({"error": str(exc)})
        return 1
    except Exception as exc:
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        answers.send(
            {
                "error": f"something went wrong ({type(exc).__name__}: {exc}, "
                f"{Path(where.filename).name}:{where.lineno})"
            }
        )
        return 1
    finally:
        archive.close()
    answers.send({"report": report})
    return 0


def main(argv: list[str]) -> int:
    """The child's entry point: `python -m archive.ingest.child FD`."""
    answers = _Answers(os.fdopen(int(argv[0]), "w", encoding="utf-8"))
    request = json.loads(sys.stdin.readline())
    die_with_parent(int(request["parent"]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to pass on
    cancel = CancelToken()
    threading.Thread(target=_listen, args=(sys.stdin, cancel), daemon=True).start()
    return run(request, answers, cancel)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
