"""Guards against known defects of the installed Qt binding."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int, object, str)


def test_emitting_signals_keeps_reference_counts(qtbot) -> None:
    """PySide6 6.12.0's emit() dropped a reference to True on every call, so a
    long session crashed ("bool_dealloc") once it had emitted a few thousand
    signals: pyproject.toml excludes that version."""
    emitter = _Emitter()
    seen: list[int] = []
    emitter.ping.connect(lambda n, _t, _m: seen.append(n))
    before = sys.getrefcount(True)
    for i in range(500):
        emitter.ping.emit(i, None, "")
    assert len(seen) == 500
    assert abs(sys.getrefcount(True) - before) < 10
