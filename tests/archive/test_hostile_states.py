"""A catalogue of hostile archive states and hostile text (issue 10 item 4): each case gives
a clear message and exit status, no traceback, and leaves the archive as it was (every row
of every table, and every original, compared before and after)."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.cli import clean_terminal, main, one_line, quoted
from archive.store import DB_NAME
from tests.archive.conftest import REPORT

HOSTILE_TITLE = "Police \x1b]0;pwned\x07raid \x1b[2J\x1b[31mmarket\x9b31m\r\x08 now"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> Any:
    """Every row of every table (originals' bytes included), or the files if no database."""
    db = folder / DB_NAME
    if not db.exists() or db.stat().st_size == 0:
        return (
            sorted((p.name, p.stat().st_size) for p in folder.iterdir())
            if folder.exists()
            else None
        )
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


@pytest.fixture
def made(tmp_path: Path) -> dict[str, Any]:
    """An archive with one article, imported the ordinary way."""
    folder = tmp_path / "arch"
    src = tmp_path / "src"
    src.mkdir()
    (src / "report.txt").write_text(REPORT, encoding="utf-8")
    assert run("--archive", str(folder), "import", str(src))[0] == 0
    _code, out, _ = run("--archive", str(folder), "--json", "list")
    return {"dir": folder, "src": src, "id": json.loads(out)[0]["id"]}


@dataclass
class Case:
    name: str
    setup: Callable[[dict[str, Any], pytest.MonkeyPatch], list[str]]  # returns argv
    code: int
    message: str  # in stdout or stderr, case-insensitive
    target: str = "dir"  # the folder whose state must not change


def _read_only(made: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The archive on read-only media: a write-protected folder (root ignores the mode bits,
    so os.access answers as a read-only mount does)."""
    folder: Path = made["dir"]
    (folder / "lock").unlink(missing_ok=True)
    real = os.access

    def access(path: Any, mode: int, *args: Any, **kw: Any) -> bool:
        if mode & os.W_OK and Path(path).resolve().is_relative_to(folder.resolve()):
            return False
        return real(path, mode, *args, **kw)

    monkeypatch.setattr(os, "access", access)


def ro(argv: list[str]) -> Callable[[dict[str, Any], pytest.MonkeyPatch], list[str]]:
    def setup(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
        _read_only(made, mp)
        return [a.replace("{id}", made["id"]).replace("{src}", str(made["src"])) for a in argv]

    return setup


def empty_db(argv: list[str]) -> Callable[[dict[str, Any], pytest.MonkeyPatch], list[str]]:
    def setup(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
        folder = made["src"].parent / "emptied"
        folder.mkdir()
        (folder / DB_NAME).write_bytes(b"")
        made["dir"] = folder
        return [a.replace("{src}", str(made["src"])) for a in argv]

    return setup


def lost_db(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
    folder: Path = made["dir"]
    assert run("--archive", str(folder), "reindex")[0] == 0
    (folder / DB_NAME).rename(folder.parent / "moved.sqlite")
    return ["import", str(made["src"])]


def mistyped(argv: list[str]) -> Callable[[dict[str, Any], pytest.MonkeyPatch], list[str]]:
    def setup(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
        made["dir"] = made["src"].parent / "arhcive"  # a typo: no such folder
        return argv

    return setup


def lock_dir(argv: list[str]) -> Callable[[dict[str, Any], pytest.MonkeyPatch], list[str]]:
    def setup(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
        lock: Path = made["dir"] / "lock"
        lock.unlink(missing_ok=True)
        lock.mkdir()
        return [a.replace("{id}", made["id"]).replace("{src}", str(made["src"])) for a in argv]

    return setup


def junk_config(file: str, content: bytes, argv: list[str]) -> Callable[..., list[str]]:
    def setup(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
        config = Path(os.environ["SESAME_CONFIG_DIR"])
        (config / file).parent.mkdir(parents=True, exist_ok=True)
        (config / file).write_bytes(content)
        return [a.replace("{id}", made["id"]).replace("{src}", str(made["src"])) for a in argv]

    return setup


def no_config_dir(argv: list[str]) -> Callable[..., list[str]]:
    def setup(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
        blocker = made["src"].parent / "not-a-folder"
        blocker.write_text("a file where the config folder's parent should be")
        mp.setenv("SESAME_CONFIG_DIR", str(blocker / "sesame"))
        return [a.replace("{id}", made["id"]).replace("{src}", str(made["src"])) for a in argv]

    return setup


def plain(argv: list[str]) -> Callable[..., list[str]]:
    def setup(made: dict[str, Any], mp: pytest.MonkeyPatch) -> list[str]:
        return [a.replace("{id}", made["id"]).replace("{src}", str(made["src"])) for a in argv]

    return setup


TAG = ["tag", "{id}", "--quote", "Daw Hnin Wai", "--type", "actor"]

CASES = [
    # read-only media: readers read and say so, writers refuse (exit 2), nothing "damaged"
    Case("read-only: list", ro(["list"]), 0, "1 article(s)"),
    Case("read-only: show", ro(["show", "{id}"]), 0, "Strike Spreads"),
    Case("read-only: search", ro(["search", "nurses"]), 0, "1 article found"),
    Case("read-only: check", ro(["check"]), 0, "opened read-only"),
    Case("read-only: audit verify", ro(["audit", "verify"]), 0, "no link broken"),
    Case("read-only: import", ro(["import", "{src}"]), 2, "is read-only"),
    Case("read-only: tag", ro(TAG), 2, "is read-only"),
    Case("read-only: reindex", ro(["reindex"]), 2, "is read-only"),
    # a 0-byte database is refused, never replaced by a new archive
    Case("0-byte db: import", empty_db(["import", "{src}"]), 2, "empty (0 bytes)"),
    Case("0-byte db: init", empty_db(["init"]), 2, "empty (0 bytes)"),
    Case("0-byte db: list", empty_db(["list"]), 2, "empty (0 bytes)"),
    Case("0-byte db: check", empty_db(["check"]), 2, "empty (0 bytes)"),
    Case("0-byte db: search", empty_db(["search", "x"]), 2, "empty (0 bytes)"),
    Case("missing db beside its index: import", lost_db, 2, "is missing"),
    # read-only commands on a mistyped path create nothing
    Case("mistyped: check", mistyped(["check"]), 2, "no archive"),
    Case("mistyped: list", mistyped(["list"]), 2, "no archive"),
    Case("mistyped: search", mistyped(["search", "x"]), 2, "no archive"),
    Case("mistyped: show", mistyped(["show", "abcdef"]), 2, "no archive"),
    Case("mistyped: audit verify", mistyped(["audit", "verify"]), 2, "no archive"),
    Case("mistyped: history", mistyped(["history"]), 2, "no archive"),
    # a lock that is a folder
    Case("lock is a folder: import", lock_dir(["import", "{src}"]), 2, "is not a file"),
    Case("lock is a folder: tag", lock_dir(TAG), 2, "is not a file"),
    Case("lock is a folder: list", lock_dir(["list"]), 0, "1 article(s)"),
    # a broken config folder
    Case("junk identity.json: tag", junk_config("identity.json", b"{junk", TAG), 2, "identity"),
    Case(
        "junk identity.json: import",
        junk_config("identity.json", b"[1, 2]", ["import", "{src}"]),
        2,
        "identity file",
    ),
    Case("junk signing key: tag", junk_config("keys/signing.key", b"not base64!", TAG), 2, "key"),
    Case("config dir cannot be made: tag", no_config_dir(TAG), 2, "not-a-folder"),
    Case("config dir cannot be made: import", no_config_dir(["import", "{src}"]), 2, "cannot"),
    # usage errors
    Case("--max-size nan", plain(["import", "{src}", "--max-size", "nan"]), 2, "--max-size"),
    Case("--max-size inf", plain(["import", "{src}", "--max-size", "inf"]), 2, "--max-size"),
    Case("--max-size -1", plain(["import", "{src}", "--max-size", "-1"]), 2, "--max-size"),
    # id prefixes are literal: _ and % are not wildcards; one naming nothing is a usage error
    Case("prefix ______", plain(["show", "______"]), 2, "no article"),
    Case("prefix %%%%%%", plain(["show", "%%%%%%"]), 2, "no article"),
    Case("prefix %_%_%_", plain(["show", "%_%_%_"]), 2, "no article"),
    Case("annotation prefix ______", plain(["annotation", "show", "______"]), 1, "no annotation"),
    Case("entity prefix %%%%%%", plain(["entity", "show", "%%%%%%"]), 1, "no entity"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_state(
    case: Case, made: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    argv = case.setup(made, monkeypatch)
    folder: Path = made["dir"]
    default = Path(os.environ["SESAME_ARCHIVE"])
    before = snapshot(folder)
    code, out, err = run("--archive", str(folder), *argv)
    assert (code, case.message.lower() in (out + err).lower()) == (case.code, True), (out, err)
    assert "Traceback" not in out + err
    assert snapshot(folder) == before
    assert not default.exists()  # nothing was made in the default place either


@pytest.mark.parametrize("argv", [["list"], ["import", "{src}"], ["check"], ["init"]])
def test_an_empty_archive_path_is_a_usage_error(made: dict[str, Any], argv: list[str]) -> None:
    argv = [a.replace("{src}", str(made["src"])) for a in argv]
    cwd_before = sorted(p.name for p in Path.cwd().iterdir())
    code, _out, err = run("--archive", "", *argv)
    assert code == 2 and "empty" in err
    assert not Path(os.environ["SESAME_ARCHIVE"]).exists()
    assert sorted(p.name for p in Path.cwd().iterdir()) == cwd_before


def test_a_zero_byte_database_stays_zero_bytes_and_keeps_no_new_id(tmp_path: Path) -> None:
    folder = tmp_path / "arch"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"")
    for argv in (["init"], ["import", str(tmp_path)], ["check"]):
        assert run("--archive", str(folder), *argv)[0] == 2
    assert (folder / DB_NAME).stat().st_size == 0
    assert sorted(p.name for p in folder.iterdir()) == [DB_NAME]


# -- text from imported files never drives the terminal ---------------------------------------


def test_titles_and_texts_reach_the_terminal_without_control_sequences(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    body = (
        f"{HOSTILE_TITLE}\n\nThe \x1b[8mhidden\x1b[0m text, \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\.\n"
        + REPORT * 3  # (a text file with a few controls among many words is still text)
    )
    (src / "evil.txt").write_text(body, encoding="utf-8")
    folder = tmp_path / "arch"
    assert run("--archive", str(folder), "import", str(src))[0] == 0
    code, out, _ = run("--archive", str(folder), "--json", "list")
    article_id = json.loads(out)[0]["id"]
    for argv in (["list"], ["show", article_id], ["search", "hidden"], ["check"]):
        code, out, err = run("--archive", str(folder), *argv)
        assert code == 0, (argv, out, err)
        bad = [c for c in out + err if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]
        assert bad == [], (argv, out)
    assert "Police raid market" in run("--archive", str(folder), "list")[1].replace("  ", " ")
    # JSON keeps the exact text, every control escaped (C1 too).
    code, out, _ = run("--archive", str(folder), "--json", "show", article_id)
    assert "\x1b" not in out and "\x9b" not in out and "\\u009b" in out
    assert json.loads(out)["title"].startswith("Police \x1b]0;pwned")


def test_a_failing_file_name_with_a_newline_cannot_forge_a_report_line(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    forged = (
        "x\nImported 50 article(s) from 50 file(s); 0 duplicate(s) already in the archive; "
        "0 failed.pdf"
    )
    (src / forged).write_bytes(b"%PDF-1.4 not really a pdf")
    code, out, _ = run("--archive", str(tmp_path / "arch"), "import", str(src))
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("Imported")] == [
        "Imported 0 article(s) from 0 file(s); 0 duplicate(s) already in the archive; 1 failed."
    ]
    assert "\\nImported 50" in out  # the name, quoted, on its own report line


@given(st.text())
def test_cleaned_text_holds_no_control_but_tab_and_newline(text: str) -> None:
    cleaned = clean_terminal(text)
    assert not [c for c in cleaned if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]
    line = one_line(text)
    assert "\n" not in line and "\t" not in line and "\x1b" not in line


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_cleaning_keeps_text_without_controls_as_it_is(text: str) -> None:
    assert clean_terminal(text) == text


@given(st.text())
def test_a_quoted_name_is_one_line_and_reads_back(text: str) -> None:
    shown = quoted(text)
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    assert not [c for c in shown if 0x7F <= ord(c) < 0xA0]
    assert json.loads(shown) == text


def test_the_progress_bar_shows_file_names_without_controls() -> None:
    from archive.cli import TerminalProgress

    stream = io.StringIO()
    TerminalProgress("Importing", stream)(1, 2, "evil\x1b]0;pwned\x07\nname.txt")
    assert "\x1b" not in stream.getvalue().replace("\r", "") and "\n" not in stream.getvalue()
    assert "name.txt" in stream.getvalue()


def test_a_real_read_only_mount(made: dict[str, Any], tmp_path: Path) -> None:
    """Where this runs as root with `mount`, a read-only bind mount (a write-protected
    evidence copy): readers read, writers refuse, nothing is written."""
    import shutil
    import subprocess

    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount(8) for a read-only bind mount")
    source, mounted = tmp_path / "evidence", tmp_path / "mnt"
    shutil.copytree(made["dir"], source / "arch")
    mounted.mkdir()
    done = subprocess.run(["mount", "--bind", str(source), str(mounted)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"mount --bind is not allowed here: {done.stderr!r}")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)]).returncode != 0:
            pytest.skip("a read-only remount is not allowed here")
        folder = mounted / "arch"
        before = snapshot(folder)
        assert run("--archive", str(folder), "list")[0] == 0
        code, out, _ = run("--archive", str(folder), "check")
        assert code == 0 and "opened read-only" in out and "agrees" in out
        code, _, err = run("--archive", str(folder), "import", str(made["src"]))
        assert code == 2 and "is read-only" in err and "damaged" not in err
        assert snapshot(folder) == before
    finally:
        subprocess.run(["umount", str(mounted)], check=False)


@pytest.mark.parametrize(
    "flags",
    [["--value", "nan"], ["--value", "inf"], ["--value=-inf"], ["--low", "nan", "--high", "3"]],
)
def test_non_finite_figure_values_are_refused(made: dict[str, Any], flags: list[str]) -> None:
    folder: Path = made["dir"]
    before = snapshot(folder)
    code, out, err = run(
        "--archive",
        str(folder),
        "tag",
        made["id"],
        "--quote",
        "Daw Hnin Wai",
        "--type",
        "figure",
        *flags,
    )
    assert code == 2 and "finite" in out + err, (out, err)
    assert "Traceback" not in out + err
    assert snapshot(folder) == before
