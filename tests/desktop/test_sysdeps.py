"""tools/sysdeps.py: what `make run` and `make test` check and install first."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

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
    assert sysdeps.plan(["libegl1"], False) == ["libegl1", "fonts-noto-core"]


def test_advice_names_the_exact_command() -> None:
    text = sysdeps.advice(["libxcb-cursor0", "fonts-noto-core"])
    assert "sudo apt-get install libxcb-cursor0 fonts-noto-core" in text
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


def test_weasyprint_libraries_are_checked() -> None:
    # The PDF report's WeasyPrint opens these at import (cffi dlopen).
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "libglib2.0-0"):
        assert package in sysdeps.LIBRARIES
    everything = set(sysdeps.LIBRARIES.values())
    assert sysdeps.missing_libraries(everything - {"libpango-1.0.so.0"}) == ["libpango-1.0-0"]


def test_missing_tesseract_or_its_languages() -> None:
    assert sysdeps.missing_ocr(None) == ["tesseract-ocr", "tesseract-ocr-eng", "tesseract-ocr-mya"]
    assert sysdeps.missing_ocr({"eng", "osd"}) == ["tesseract-ocr-mya"]
    assert sysdeps.missing_ocr({"eng", "mya", "osd"}) == []
    planned = sysdeps.plan(["libpango-1.0-0"], True, ["tesseract-ocr-mya"])
    assert planned == ["libpango-1.0-0", "tesseract-ocr-mya"]
    assert "scanned PDFs" in sysdeps.advice(planned)


def test_tesseract_languages_read_from_the_program(tmp_path: Path, monkeypatch: Any) -> None:
    # A stand-in `tesseract` printing what Tesseract 5 prints.
    program = tmp_path / "tesseract"
    program.write_text(
        "#!/bin/sh\necho 'List of available languages in \"/usr/share/tessdata/\" (2):'\n"
        "echo eng\necho osd\n"
    )
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert sysdeps.tesseract_languages() == {"eng", "osd"}
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert sysdeps.tesseract_languages() is None


def test_padauk_alone_is_not_enough(tmp_path: Path, monkeypatch: Any) -> None:
    # A PDF report set in Padauk alone has a garbled Burmese text layer: Noto is wanted.
    program = tmp_path / "fc-list"
    monkeypatch.setenv("PATH", str(tmp_path))
    program.write_text("#!/bin/sh\necho 'Padauk Book'\necho Padauk\n")
    program.chmod(0o755)
    assert sysdeps.has_myanmar_font() is False
    program.write_text("#!/bin/sh\necho Padauk\necho 'Noto Sans Myanmar,Noto Sans Myanmar UI'\n")
    assert sysdeps.has_myanmar_font() is True
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert sysdeps.has_myanmar_font() is None


def test_ci_has_what_the_tests_need() -> None:
    # `make test` runs sysdeps first; in CI (root, Debian) everything is installed.
    if not os.environ.get("CI"):
        pytest.skip("checked in CI, where `make test` installs the system packages")
    assert sysdeps.shutil.which("tesseract"), "tesseract-ocr is not installed"
    assert sysdeps.missing_ocr(sysdeps.tesseract_languages()) == []
    assert sysdeps.has_myanmar_font() is True
