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


def test_no_signal_copies_a_dict_or_list_through_qvariant() -> None:
    """A Signal(dict) or Signal(list) converts its argument to a QVariantMap/List and
    back on every emit: 60 ms on the window's thread for a 5,000-file import summary
    (Signal(object) passes the Python object: 0.07 ms). The window's signals carry
    containers as `object`."""
    import re
    from pathlib import Path

    desktop = Path(__file__).resolve().parents[2] / "desktop"
    copying = re.compile(r"Signal\([^)]*\b(dict|list)\b")
    found = [
        f"{path.relative_to(desktop.parent)}:{n}"
        for path in sorted(desktop.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if copying.search(line.split("#")[0])
    ]
    assert not found, found
