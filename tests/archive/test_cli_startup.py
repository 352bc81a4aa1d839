"""`sesame --help` and usage errors load no heavy module (the 0.3 s start-up budget);
`sesame search`, `list` and `show` load only what reading an archive needs (`list`
and `show` not even the ORM).

The figures themselves are measured by bench/cli_bench.py; here we hold the
cause: building every parser must not import SQLAlchemy, the models, the
search engine or the HTML extractor (together ~1 s of imports), and the
commands that read a plain archive must not import the libraries only some
commands use (near-copies, OCR, captures, PDF, graphs, encryption, the GUI).
"""

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive import commands, figures
from archive.cli import build_parser
from archive.commands.annotate import QUALIFIERS_HELP
from archive.commands.ingest import DEFAULT_MAX_MB
from archive.ingest import DEFAULT_MAX_BYTES

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "whoosh", "trafilatura", "lxml", "pypdf", "docx")
# Ours, light but not needed to parse: the figure parser's tables take ~90 ms, the
# encryption module brings dataclasses and inspect (22 ms at best on a loaded machine).
NOT_NEEDED = (
    "archive.figures",
    "archive.store",
    "archive.ingest",
    "archive.search",
    "archive.encryption",
)
# Needed by some commands only: none may load for a search, a listing or a reading.
FOR_SOME_COMMANDS = (
    "numpy",
    "scipy",
    "datasketch",
    "networkx",
    "weasyprint",
    "PIL",
    "pytesseract",
    "warcio",
    "sqlcipher3",
    "PySide6",
    "trafilatura",
    "lxml",
    "pypdf",
    "docx",
)

_PROBE = """
import contextlib, io, json, sys
from archive.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    codes = [main(argv) for argv in {argvs!r}]
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
heavy += sorted(set(sys.modules) & set({not_needed!r}))
print(json.dumps({{"codes": codes, "heavy": heavy}}))
"""


def _probe(
    *argvs: list[str], heavy: tuple[str, ...] = HEAVY, not_needed: tuple[str, ...] = NOT_NEEDED
) -> dict[str, list]:
    code = _PROBE.format(argvs=list(argvs), heavy=heavy, not_needed=not_needed)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


def test_help_and_usage_errors_import_no_heavy_module() -> None:
    result = _probe(
        ["--help"],
        ["search", "--help"],
        ["tag"],  # missing arguments
        ["entity", "merge", "A"],
        ["no-such-command"],
    )
    assert result == {"codes": [0, 0, 2, 2, 2], "heavy": []}


def _small_archive(folder: Path, **open_args: object) -> str:
    """An archive of two imported articles; the id of one of them."""
    from archive.ingest import import_paths
    from archive.store import Archive

    texts = folder.parent / f"{folder.name}-texts"
    texts.mkdir()
    (texts / "a.txt").write_text("Police entered the camp.\n\nAt least 35 people were held.")
    (texts / "b.txt").write_text("Flood relief\n\nOfficials and aid groups disagree.")
    with Archive.open(folder, create=True, **open_args) as arch:  # type: ignore[arg-type]
        report = import_paths(arch, [texts])
    return report.imported[0].id


@pytest.mark.parametrize(
    "command", [["search", "police"], ["list"], ["show", "ID"], ["--help"], ["list", "--json"]]
)
def test_reading_a_plain_archive_loads_no_module_of_other_commands(
    tmp_path: Path, command: list[str]
) -> None:
    folder = tmp_path / "plain"
    article = _small_archive(folder)
    argv = ["--archive", str(folder), *[article if a == "ID" else a for a in command]]
    # The figure parser is needed to tag a figure, not to read one (~90 ms).
    result = _probe(argv, heavy=FOR_SOME_COMMANDS, not_needed=("archive.figures",))
    assert result == {"codes": [0], "heavy": []}


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["show", "ID"]])
def test_listing_and_showing_load_neither_the_orm_nor_the_search_engine(
    tmp_path: Path, command: list[str]
) -> None:
    """`sesame list` and `show` read through `archive.reader` (plain sqlite3, the same
    plain-SQL functions as the window): SQLAlchemy, SQLModel, pydantic and Whoosh are
    ~0.6 s of a cold start they do not need."""
    folder = tmp_path / "plain"
    article = _small_archive(folder)
    argv = ["--archive", str(folder), *[article[:8] if a == "ID" else a for a in command]]
    orm = ("sqlalchemy", "sqlmodel", "pydantic", "whoosh")
    result = _probe(argv, heavy=orm, not_needed=("archive.store", "archive.models"))
    assert result == {"codes": [0], "heavy": []}


def test_an_encrypted_archive_loads_sqlcipher_and_nothing_else_heavy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "sealed"
    _small_archive(folder, encrypt=True, passphrase="correct horse")
    monkeypatch.setenv("SESAME_PASSPHRASE", "correct horse")
    result = _probe(
        ["--archive", str(folder), "search", "police"], heavy=FOR_SOME_COMMANDS, not_needed=()
    )
    assert result == {"codes": [0], "heavy": ["sqlcipher3"]}


def test_every_command_module_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[str] = []
    names = [m.name for m in pkgutil.iter_modules(commands.__path__)]
    for name in names:
        module = importlib.import_module(f"archive.commands.{name}")
        real = module.register_commands

        def record(add: object, name: str = name, real: object = real) -> None:
            registered.append(name)
            real(add)  # type: ignore[operator]

        monkeypatch.setattr(module, "register_commands", record)
    choices = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in ("import", "search", "tag", "entity", "audit", "init", "show"):
        assert command in choices
    # Each module under archive/commands/ is registered once (build_parser names them all).
    assert sorted(registered) == sorted(names)


def test_the_defaults_written_out_for_the_help_are_the_real_ones() -> None:
    assert DEFAULT_MAX_MB * 1024 * 1024 == DEFAULT_MAX_BYTES
    assert ", ".join(figures.QUALIFIERS) == QUALIFIERS_HELP
