"""`archive.reader`: a read-only archive without the ORM, for `sesame search`'s quick start.

It must give exactly what the usual open gives (the same hits, snippets and
totals: one read path), and step aside (None) whenever the usual open has
work to do: an older format to migrate, an index behind the database or
missing. A newer format or a wrong passphrase is refused as `Archive.open`
refuses it.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive import database, keychange, store
from archive import reader as reader_module
from archive.cli import main
from archive.encryption import WrongPassphrase
from archive.errors import ArchiveTooNew
from archive.reader import open_current
from archive.store import Archive

from .search.helpers import add_articles

TEXTS = [
    {
        "title": "Crackdown at dawn",
        "text": "Witnesses counted more than 600 police around the market.",
        "source": "Northern Ledger",
        "published": "2021-03-05",
    },
    {"title": "Quiet day", "text": "Police stayed away from the valley.", "published": "2020"},
]


def _made(folder: Path, **open_args: object) -> list[str]:
    """An archive of TEXTS with its index caught up."""
    with Archive.open(folder, create=True, **open_args) as arch:  # type: ignore[arg-type]
        ids = add_articles(arch, *TEXTS)
        arch.index.catch_up(force=True)
    return ids


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _set_version(folder: Path, version: int) -> None:
    conn = sqlite3.connect(folder / database.DB_NAME)
    conn.execute(f"PRAGMA user_version={version}")
    conn.commit()
    conn.close()


def test_the_schema_version_is_the_number_of_migrations() -> None:
    assert database.SCHEMA_VERSION == store.SCHEMA_VERSION == len(store.MIGRATIONS)


def test_a_current_index_is_searched_as_the_usual_open_searches_it(archive_dir: Path) -> None:
    _made(archive_dir)
    with Archive.open(archive_dir) as arch:
        usual = arch.index.search("police", limit=5).to_json()
    reader = open_current(archive_dir)
    assert reader is not None
    with reader:
        quick = reader.index.search("police", limit=5).to_json()
    assert quick == usual
    assert quick["total"] == 2 and all("[[" in hit["snippet"] for hit in quick["hits"])


def test_an_index_behind_the_database_is_left_to_the_usual_open(archive_dir: Path) -> None:
    _made(archive_dir)
    with Archive.open(archive_dir) as arch:
        with arch.index_deferred():  # a change the index has not applied
            add_articles(arch, {"title": "Late", "text": "Police came back at night."})
        arch._index = None  # closing must not catch up: leave it behind, as a crash does
    assert open_current(archive_dir) is None
    code, out, _ = _run("--archive", str(archive_dir), "--json", "search", "night")
    assert code == 0 and json.loads(out)["total"] == 1  # the usual open caught up
    reader = open_current(archive_dir)
    assert reader is not None
    reader.close()


def test_a_missing_index_or_database_is_left_to_the_usual_open(tmp_path: Path) -> None:
    assert open_current(tmp_path / "nothing") is None
    folder = tmp_path / "fresh"
    with Archive.open(folder, create=True) as arch:
        add_articles(arch, *TEXTS)  # never indexed
    assert open_current(folder) is None


def test_an_interrupted_key_change_is_left_to_the_usual_open(archive_dir: Path) -> None:
    assert reader_module.KEY_CHANGE_LEFTOVER == keychange.STAGING
    _made(archive_dir)
    (archive_dir / keychange.STAGING).mkdir()  # as a crash before the commit point leaves it
    assert open_current(archive_dir) is None
    code, out, _ = _run("--archive", str(archive_dir), "--json", "search", "police")
    assert code == 0 and json.loads(out)["total"] == 2
    assert not (archive_dir / keychange.STAGING).exists()  # dropped by Archive.open
    reader = open_current(archive_dir)
    assert reader is not None
    reader.close()


def test_an_older_format_is_migrated_by_a_search(archive_dir: Path) -> None:
    _made(archive_dir)
    _set_version(archive_dir, database.SCHEMA_VERSION - 1)
    assert open_current(archive_dir) is None
    code, out, _ = _run("--archive", str(archive_dir), "--json", "search", "police")
    assert code == 0 and json.loads(out)["total"] == 2
    conn = sqlite3.connect(archive_dir / database.DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == database.SCHEMA_VERSION
    conn.close()


def test_a_newer_format_is_refused_with_the_usual_message(archive_dir: Path) -> None:
    _made(archive_dir)
    _set_version(archive_dir, database.SCHEMA_VERSION + 1)
    with pytest.raises(ArchiveTooNew, match="newer version of Sesame"):
        open_current(archive_dir)
    code, out, err = _run("--archive", str(archive_dir), "search", "police")
    assert code == 2 and "newer version of Sesame" in err and "Traceback" not in err + out


def test_an_encrypted_archive_is_searched_through_the_same_path(tmp_path: Path) -> None:
    folder = tmp_path / "sealed"
    _made(folder, encrypt=True, passphrase="correct horse")
    with pytest.raises(WrongPassphrase):
        open_current(folder, passphrase="wrong horse")
    reader = open_current(folder, passphrase="correct horse")
    assert reader is not None
    with reader:
        assert reader.encrypted
        results = reader.index.search('"600 police"')
    assert [h.title for h in results.hits] == ["Crackdown at dawn"]


def test_a_search_reports_changes_made_meanwhile_by_another_process(archive_dir: Path) -> None:
    _made(archive_dir)
    reader = open_current(archive_dir)
    assert reader is not None
    with reader, Archive.open(archive_dir) as arch:
        with arch.index_deferred():
            add_articles(arch, {"title": "Late", "text": "Police came back at night."})
        results = reader.index.search("police")
        assert results.total == 2 and results.pending == 1  # said, not hidden
        arch._index = None


ORM = {"sqlalchemy", "sqlmodel", "pydantic"}
OURS = {"archive.store", "archive.models", "archive.search.documents"}
_NO_ORM = """
import contextlib, io, json, sys
from archive.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    codes = [main(argv) for argv in {argvs!r}]
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & {heavy!r})
loaded += sorted(set(sys.modules) & {ours!r})
print(json.dumps({{"codes": codes, "loaded": loaded, "out": out.getvalue()}}))
"""


@pytest.mark.parametrize("encrypted", [False, True])
def test_searching_a_current_index_loads_no_orm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encrypted: bool
) -> None:
    """A correctness guard on the deferred imports (the time is bench/cli_bench.py's)."""
    folder = tmp_path / "archive"
    if encrypted:
        _made(folder, encrypt=True, passphrase="correct horse")
        monkeypatch.setenv("SESAME_PASSPHRASE", "correct horse")
    else:
        _made(folder)
    on = ["--archive", str(folder)]
    argvs = [[*on, "search", "police"], [*on, "--json", "search", '"600 police"']]
    done = subprocess.run(
        [sys.executable, "-c", _NO_ORM.format(argvs=argvs, heavy=ORM, ours=OURS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    assert result["codes"] == [0, 0]
    assert result["loaded"] == []
    assert "2 articles found" in result["out"] and "[[police]]" in result["out"]
    assert '"total": 1' in result["out"]


@pytest.mark.parametrize("encrypted", [False, True])
def test_listing_and_showing_read_through_the_reader_as_through_the_usual_open(
    tmp_path: Path, encrypted: bool
) -> None:
    """`sesame list` and `show` read from `open_readable` (no index needed): the same
    rows, article and annotations as the window's `Archive` gives (one read path)."""
    from archive.annotation_records import read_records
    from archive.library import list_articles
    from archive.reading import load_article

    folder = tmp_path / "archive"
    secret = {"passphrase": "correct horse"} if encrypted else {}
    ids = _made(folder, **({"encrypt": True, **secret} if encrypted else {}))
    with Archive.open(folder, **secret) as arch:  # type: ignore[arg-type]
        with arch.index_deferred():  # the index behind: a listing does not mind
            ids += add_articles(arch, {"title": "Late", "text": "Police came back at night."})
        arch._index = None
    usual_open = Archive.open(folder, readonly=True, **secret)  # type: ignore[arg-type]
    with usual_open as arch, arch.read_connection() as conn:
        usual = (list_articles(arch), load_article(arch, ids[0]), read_records(conn))
    assert open_current(folder, **secret) is None  # a search would catch up first
    reader = reader_module.open_readable(folder, **secret)
    assert reader is not None
    with reader, reader.read_connection() as conn:
        quick = (list_articles(reader), load_article(reader, ids[0]), read_records(conn))
    assert quick == usual and len(usual[0]) == 3
