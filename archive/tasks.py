"""Progress reporting and cancellation for long work.

Long functions in `archive` take `progress` and `cancel` arguments; the CLI
turns progress into a terminal bar, the desktop app into a progress dialog
with a cancel button. Neither knows about the other.
"""

import threading
from collections.abc import Callable

from archive.errors import SesameError

# progress(done, total, message): total is None while it is not yet known.
ProgressFn = Callable[[int, int | None, str], None]


class Cancelled(SesameError):
    """The person cancelled the work; what was committed before stays."""


class CancelToken:
    """A flag set from one thread (the GUI) and checked by the worker."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise `Cancelled` if `cancel()` was called."""
        if self._event.is_set():
            raise Cancelled("Cancelled.")


def report(progress: ProgressFn | None, done: int, total: int | None, message: str = "") -> None:
    """Call `progress` if there is one."""
    if progress is not None:
        progress(done, total, message)
