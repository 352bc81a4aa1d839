"""The original round trip: the exact bytes imported come back out, checked, written atomically."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import models
from archive.errors import InvalidInput, NotFound
from archive.exports.originals import OriginalDamaged, original_name, save_original
from archive.ingest import import_paths
from archive.store import Archive
from tests.archive.bundles.conftest import add_report


def _imported(archive: Archive, path: Path) -> str:
    report = import_paths(archive, [path])
    assert report.imported, report
    return report.imported[0].id


def test_an_imported_file_comes_back_byte_for_byte(archive: Archive, tmp_path: Path) -> None:
    # CRLF, a BOM, Burmese and trailing spaces: what text normalisation would change.
    data = "\ufeffStrike\r\nရန်ကုန် ၆၀၀ ကျော်  \r\n\r\nMore than 600 police.  \r\n".encode()
    src = tmp_path / "strike.txt"
    src.write_bytes(data)
    aid = _imported(archive, src)
    out = tmp_path / "out" / "copy.txt"
    out.parent.mkdir()
    saved = save_original(archive, aid, out)
    assert out.read_bytes() == data
    assert saved.sha256 == hashlib.sha256(data).hexdigest() and saved.size == len(data)
    assert saved.first_name == original_name(archive, aid) == "strike.txt"
    assert [p.name for p in out.parent.iterdir()] == ["copy.txt"]  # no temporary file left


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(min_size=1, max_size=2000))
def test_any_bytes_round_trip(archive: Archive, tmp_path: Path, data: bytes) -> None:
    sha = hashlib.sha256(data).hexdigest()
    with archive.transaction() as session:
        if session.get(models.Original, sha) is None:
            session.add(models.Original(sha256=sha, media_type="application/octet-stream",
                                        size=len(data), data=data))  # fmt: skip
            session.flush()
        article = models.Article(title="bytes", text="x", original_sha256=sha)
        session.add(article)
    out = tmp_path / f"{sha[:12]}.bin"
    save_original(archive, article.id, out)
    assert out.read_bytes() == data


def test_damaged_bytes_are_refused_and_nothing_is_written(archive: Archive, tmp_path: Path) -> None:
    aid = add_report(archive)
    with archive.transaction() as session:
        article = session.get(models.Article, aid)
        assert article is not None
        orig = session.get(models.Original, article.original_sha256)
        assert orig is not None
        orig.data = bytes(orig.data).replace(b"250", b"205")  # same size, other bytes
    out = tmp_path / "copy.txt"
    out.write_bytes(b"what was there before")
    with pytest.raises(OriginalDamaged, match="does not match its record"):
        save_original(archive, aid, out)
    assert out.read_bytes() == b"what was there before"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["copy.txt"]


def test_an_article_without_an_original_or_a_bad_path_is_refused(
    archive: Archive, tmp_path: Path
) -> None:
    with archive.transaction() as session:
        article = models.Article(title="pasted", text="typed in")
        session.add(article)
    assert original_name(archive, article.id) is None
    with pytest.raises(NotFound, match="has no original"):
        save_original(archive, article.id, tmp_path / "x.txt")
    with pytest.raises(NotFound):
        save_original(archive, "0" * 32, tmp_path / "x.txt")
    aid = add_report(archive)
    with pytest.raises(InvalidInput, match="is a folder"):
        save_original(archive, aid, tmp_path)
    with pytest.raises(InvalidInput, match="does not exist"):
        save_original(archive, aid, tmp_path / "missing" / "x.txt")
