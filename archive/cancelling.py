"""Cancel a change that has no progress steps of its own, at its next SQL statement.

A long change (a bundle's merge, the undo of a big import) runs inside one
transaction; stopping it anywhere before the commit rolls all of it back, so
nothing is half-written. `cancel_at_statements(token)` makes every SQL
statement the calling thread runs through SQLAlchemy check `token` first and
raise `tasks.Cancelled` once it is set; the change's transaction then rolls
back as for any error. Other threads' statements are not looked at (the token
is the thread's own), and a statement already running finishes first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from archive.tasks import CancelToken

_local = threading.local()
_installed = False
_install_lock = threading.Lock()


def _check(*_args: Any, **_kw: Any) -> None:
    token: CancelToken | None = getattr(_local, "token", None)
    if token is not None:
        token.raise_if_cancelled()


def _install() -> None:
    """One listener for every engine, installed once (registering listeners while other
    threads run statements is not safe; a thread-local read per statement is cheap)."""
    global _installed
    with _install_lock:
        if not _installed:
            event.listen(Engine, "before_cursor_execute", _check)
            _installed = True


@contextmanager
def cancel_at_statements(token: CancelToken | None) -> Iterator[None]:
    """While inside, this thread's SQL statements raise `Cancelled` once `token` is set."""
    if token is None:
        yield
        return
    _install()
    outer = getattr(_local, "token", None)
    _local.token = token
    try:
        yield
    finally:
        _local.token = outer
