"""The CLI frame: exit codes, errors as messages, a closed pipe."""

import io
import json
from pathlib import Path

import pytest

from archive.cli import main


def test_missing_archive_is_exit_2_with_a_message(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["--archive", str(tmp_path / "none"), "list"], io.StringIO(), err) == 2
    assert "sesame init" in err.getvalue()


def test_json_error_is_one_json_document(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["--archive", str(tmp_path / "none"), "list", "--json"], out, io.StringIO()) == 2
    assert '"error"' in out.getvalue()


def test_unknown_command_is_a_usage_error() -> None:
    assert main(["frobnicate"], io.StringIO(), io.StringIO()) == 2


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    """`sesame show ID | head`: the reader going away ends the command quietly."""
    from archive.models import Article
    from archive.store import Archive

    with Archive.open(tmp_path / "a", create=True) as arch, arch.transaction() as session:
        article = Article(title="Long", text="a line of text\n" * 100)
        session.add(article)
    argv = ["--archive", str(tmp_path / "a"), "show", article.id]
    assert main(argv, _ClosedPipe(), io.StringIO()) == 0


def test_init_encrypt_without_a_passphrase_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SESAME_PASSPHRASE", raising=False)
    err = io.StringIO()
    assert main(["--archive", str(tmp_path / "enc"), "init", "--encrypt"], io.StringIO(), err) == 2
    assert "needs a passphrase" in err.getvalue() and "Nothing was created" in err.getvalue()
    assert not (tmp_path / "enc").exists()


def test_usage_errors_with_json_print_one_json_document() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--json", "search"], out, err) == 2
    assert json.loads(out.getvalue())["error"].startswith("the following arguments")
    assert "usage: sesame search" in err.getvalue()


def test_short_unknown_id_says_prefixes_need_six_characters(tmp_path: Path) -> None:
    main(["--archive", str(tmp_path / "a"), "init"], io.StringIO(), io.StringIO())
    err = io.StringIO()
    assert main(["--archive", str(tmp_path / "a"), "show", "a4"], io.StringIO(), err) == 1
    assert "at least 6 characters" in err.getvalue()
