"""tools/sysdeps.py: what `make run` checks and installs before the window starts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("sysdeps", ROOT / "tools" / "sysdeps.py")
assert spec is not None and spec.loader is not None
sysdeps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sysdeps)


def test_missing_libraries_from_the_linker_cache() -> None:
    everything = set(sysdeps.LIBRARIES.values())
    assert sysdeps.missing_libraries(everything) == []
    assert sysdeps.missing_libraries(everything - {"libxcb-cursor.so.0"}) == ["libxcb-cursor0"]
    assert sysdeps.missing_libraries(None) == []  # cannot tell: never guess


def test_plan_adds_a_myanmar_font_only_when_none_is_installed() -> None:
    assert sysdeps.plan([], True) == []
    assert sysdeps.plan([], None) == []
    assert sysdeps.plan(["libegl1"], False) == ["libegl1", "fonts-sil-padauk"]


def test_advice_names_the_exact_command() -> None:
    text = sysdeps.advice(["libxcb-cursor0", "fonts-sil-padauk"])
    assert "sudo apt-get install libxcb-cursor0 fonts-sil-padauk" in text
    assert "Myanmar" in text and "Fedora" in text


def test_debian_detection() -> None:
    assert sysdeps.is_debian_like('ID=fedora\nID_LIKE="rhel centos"') is False
    if sysdeps.shutil.which("apt-get"):
        assert sysdeps.is_debian_like("ID=ubuntu\nID_LIKE=debian") is True
        assert sysdeps.is_debian_like('ID=linuxmint\nID_LIKE="ubuntu debian"') is True


def test_check_mode_never_fails_make_run_and_is_quick() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sysdeps.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert time.monotonic() - started < 5
