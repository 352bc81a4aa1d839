"""Where the command line finds a passphrase (archive/cli_passphrase.py): one order for
the archive's, a new one and a bundle's: a file, else the environment, else a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from archive import encryption
from archive.cli_passphrase import passphrase_from


def _from(path: Path | None, *, ask: str | None = "Passphrase") -> str | None:
    return passphrase_from(
        str(path) if path else None,
        "SESAME_TEST_PASSPHRASE",
        what="test passphrase file",
        ask=ask,
        twice=False,
        stream=io.StringIO(),
    )


def test_a_file_comes_first_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_TEST_PASSPHRASE", "from the environment")
    pw = tmp_path / "pw.txt"
    pw.write_text("first line\nsecond line\n", "utf-8")
    assert _from(pw) == "first line"
    assert _from(None) == "from the environment"
    monkeypatch.setenv("SESAME_TEST_PASSPHRASE", "")
    assert _from(None) is None  # an empty variable is no passphrase; no terminal: not asked


def test_nothing_is_asked_without_a_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SESAME_TEST_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt, stream=None: asked.append(prompt) or "")
    assert _from(None, ask=None) is None and asked == []
    assert _from(None, ask="Typed") is None and asked == ["Typed: "]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "is empty"), (b"\n", "is empty"), (b"\xff\xfe pass", "not UTF-8"), (None, "cannot")],
)
def test_an_unusable_file_is_named(tmp_path: Path, content: bytes | None, reason: str) -> None:
    pw = tmp_path / "pw.txt"
    if content is not None:
        pw.write_bytes(content)
    with pytest.raises(encryption.PassphraseNeeded, match=reason) as exc:
        _from(pw)
    assert "test passphrase file" in str(exc.value) and str(pw) in str(exc.value)
