"""The canary: after an encrypted archive is used and closed, its words are nowhere on disk.

An article with a unique English word and a unique Burmese one is imported,
tagged and searched in an encrypted archive; then every byte under the archive
folder, the temp folder (a fresh TMPDIR), the config folder and the cache
folder, and the archive's backup, is searched for the words (and the Burmese
word's syllables) in UTF-8, UTF-16 LE and UTF-16 BE: none may be there.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import cli

ENGLISH = "quixotlumberwhisk"
BURMESE = "ဇော်ဂျီဖျော့ကွမ်း"  # a made-up word: zaw-gyi-hpyawt-kwan
SYLLABLES = ["ဇော်", "ဂျီ", "ဖျော့", "ကွမ်း"]


def _needles() -> list[tuple[str, bytes]]:
    words = [ENGLISH, ENGLISH.upper(), BURMESE, *SYLLABLES]
    return [
        (f"{word!r} as {codec}", word.encode(codec))
        for word in words
        for codec in ("utf-8", "utf-16-le", "utf-16-be")
    ]


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
    elif root.is_dir():
        yield from (p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def fresh_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    assert Path(tempfile.gettempdir()) == folder
    yield folder


@pytest.mark.usefixtures("fast_kdf")
def test_nothing_of_an_encrypted_archive_is_readable_on_disk(
    tmp_path: Path, isolated_home: Path, fresh_tmpdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_PASSPHRASE", "a long passphrase")
    folder = tmp_path / "case"
    src = tmp_path / "incoming"
    src.mkdir()
    text = (
        f"Witnesses said {ENGLISH} was seen near the market on 3 March.\n\n"
        f"ရန်ကုန်မြို့တွင် {BURMESE} ကို တွေ့ခဲ့သည်။\n"
    )
    (src / "report.txt").write_text(text, encoding="utf-8")

    assert run("init", "--encrypt", "--archive", str(folder))[0] == 0
    code, out, err = run("import", str(src), "--archive", str(folder))
    assert code == 0, err
    (src / "report.txt").unlink()  # the source file itself is not the archive's to protect
    code, out, _ = run("list", "--archive", str(folder), "--json")
    article = json.loads(out)[0]["id"]
    code, _, err = run(
        "tag",
        article,
        "--quote",
        ENGLISH,
        "--type",
        "actor",
        "--entity",
        ENGLISH,
        "--archive",
        str(folder),
    )
    assert code == 0, err
    code, _, err = run(
        "tag",
        article,
        "--quote",
        BURMESE,
        "--type",
        "actor",
        "--entity",
        BURMESE,
        "--archive",
        str(folder),
    )
    assert code == 0, err
    for word in (ENGLISH, BURMESE):
        code, out, err = run("search", word, "--archive", str(folder), "--json")
        assert code == 0 and json.loads(out)["total"] == 1, (word, out, err)
    code, _, err = run("check", "--archive", str(folder))
    assert code == 0, err
    backup = tmp_path / "case.sesame-backup"
    code, _, err = run("backup", str(backup), "--archive", str(folder))
    assert code == 0, err

    config = Path(isolated_home / "config")
    cache = Path(isolated_home / "cache")
    roots = [folder, fresh_tmpdir, config, cache, backup]
    scanned = [p for root in roots for p in _files(root)]
    assert any(p.name == "archive.sqlite" for p in scanned)
    assert any(p.parent.name == "index" for p in scanned)
    found = [
        f"{what} in {path}"
        for path in scanned
        for data in [path.read_bytes()]
        for what, needle in _needles()
        if needle in data
    ]
    assert not found, found
