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
    assert main(["--archive", str(tmp_path / "a"), "show", "a4"], io.StringIO(), err) == 2
    assert "at least 6 characters" in err.getvalue()


def _two_articles(folder: Path, ids: tuple[str, str]) -> None:
    from archive.models import Article
    from archive.store import Archive

    with Archive.open(folder, create=True) as arch, arch.transaction() as session:
        for article_id in ids:
            session.add(Article(id=article_id, title=f"Title {article_id[8]}", text="Some text."))


SHARED = "abcdef01"
IDS = (SHARED + "1" + "0" * 23, SHARED + "2" + "0" * 23)


@pytest.mark.parametrize(
    ("ident", "code", "message"),
    [
        (IDS[1], 0, "Title 2"),  # a full id
        (IDS[1][:9], 0, "Title 2"),  # a unique prefix
        (SHARED, 2, "matches 2 articles"),  # several: give more of it
        ("ffffff99", 2, "No article with id ffffff99, nor one whose id starts so"),
        ("abc", 2, "at least 6 characters"),
        ("f" * 32, 1, "No article with id"),  # a full id naming nothing: not a usage error
    ],
)
@pytest.mark.parametrize("command", ["show", "original"])
def test_an_id_prefix_naming_none_or_several_is_a_usage_error(
    tmp_path: Path, ident: str, code: int, message: str, command: str
) -> None:
    folder = tmp_path / "a"
    _two_articles(folder, IDS)
    out, err = io.StringIO(), io.StringIO()
    argv = ["--archive", str(folder), command, ident]
    if command == "original":  # an ORM command: find_article, the same rule
        if code == 0:
            return  # these articles have no original: the lookup is what is checked here
        argv.append(str(tmp_path / "x"))
    assert main(argv, out, err) == code, err.getvalue()
    assert message in (out.getvalue() + err.getvalue())
    assert "Traceback" not in err.getvalue()


def _named(defaults: dict[str, object]) -> dict[str, object]:
    """Defaults with functions by name (each build makes its own closures)."""
    return {k: getattr(v, "__qualname__", v) for k, v in defaults.items()}


def test_a_command_parsed_alone_is_parsed_as_among_all_the_others() -> None:
    """`main` builds only the named subcommand's parser (`build_parser(only=...)`): its
    help, usage and defaults are those of the full parser's, for every command."""
    from archive.cli import build_parser

    full = build_parser()
    commands = full._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in commands.items():
        alone = build_parser(only=name)
        built = alone._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        assert list(built) == [name]
        assert built[name].format_help() == sub.format_help(), name
        assert _named(built[name]._defaults) == _named(sub._defaults), name
    assert len(build_parser(only="frobnicate")._subparsers._group_actions[0].choices) == len(  # type: ignore[union-attr]
        commands
    )


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--archive", "a", "--json", "search", "police"], "search"),
        (["--archive=a", "list"], "list"),
        (["--passphrase-file", "f", "show", "abc123"], "show"),
        (["--help"], None),
        (["-h", "list"], None),  # an option of its own: the full parser reads it
        ([], None),
    ],
)
def test_the_command_word_is_found_past_sesames_own_options(
    argv: list[str], word: str | None
) -> None:
    from archive.cli import command_word

    assert command_word(argv) == word
