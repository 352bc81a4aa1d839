"""`python -m archive.cli` is `sesame`: the same parser, so each command's --help ends
with its own exit statuses (run as `__main__`, the module's second copy lost them)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from archive.cli import main


def test_python_m_archive_cli_gives_each_commands_own_help(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps to it, in both processes
    assert main(["tag", "--help"]) == 0
    expected = capsys.readouterr().out
    assert "nothing was tagged: the article, entity or tag type does not exist" in expected
    done = subprocess.run(
        [sys.executable, "-m", "archive.cli", "tag", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    done = subprocess.run(
        [sys.executable, "-m", "archive.cli", "tag", "--span", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
