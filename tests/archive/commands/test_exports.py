"""`sesame original` and `sesame export (w3c|csv)`: the commands, their JSON and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from archive import models
from archive.cli import main
from archive.store import Archive
from tests.archive.bundles.conftest import add_report, tag
from tests.archive.exports.conftest import BURMESE


def run(*argv: str) -> tuple[int, object, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--json"], stdout=out, stderr=err)
    return code, json.loads(out.getvalue()) if out.getvalue() else None, err.getvalue()


@pytest.fixture
def ids(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    with Archive.open(archive_dir, create=True) as archive:
        first = add_report(archive)
        second = add_report(archive, BURMESE, title="ရန်ကုန် သပိတ်")
        tag(archive, first, "Daw Hnin Wai", entity_name="Hnin Wai")
        tag(archive, second, "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်", "figure")
        from archive.collections import add_articles, create_collection

        create_collection(archive, "Case")
        add_articles(archive, "Case", [second])
    return {"first": first, "second": second}


def test_original_round_trip_and_refusal(
    ids: dict[str, str], archive_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o.txt"
    code, doc, _ = run("original", ids["second"][:8], str(out))
    assert code == 0 and isinstance(doc, dict)
    assert out.read_bytes() == BURMESE.encode("utf-8") and doc["size"] == len(out.read_bytes())
    with Archive.open(archive_dir) as archive, archive.transaction() as session:
        art = session.get(models.Article, ids["second"])
        assert art is not None
        orig = session.get(models.Original, art.original_sha256)
        assert orig is not None
        orig.data = bytes(orig.data)[:-1] + b"?"
    code, doc, err = run("original", ids["second"], str(tmp_path / "bad.txt"))
    assert code == 1 and "does not match" in err and not (tmp_path / "bad.txt").exists()
    code, _, err = run("original", "nosuch", str(tmp_path / "x"))
    assert code == 2 and "No article" in err  # a prefix naming nothing: a usage error


def test_export_w3c_and_csv_with_a_selection(ids: dict[str, str], tmp_path: Path) -> None:
    code, doc, _ = run("export", "w3c", str(tmp_path / "a.jsonld"))
    assert code == 0 and doc == {
        "path": str(tmp_path / "a.jsonld"), "format": "w3c", "articles": 2, "annotations": 2,
        "claims": 0,
    }  # fmt: skip
    code, doc, _ = run("export", "w3c", str(tmp_path / "c.jsonld"), "--collection", "Case")
    assert code == 0 and isinstance(doc, dict) and doc["annotations"] == 1
    code, doc, _ = run("export", "csv", str(tmp_path / "f.csv"), "--kind", "figures", "--bom",
                       "--article", ids["second"][:8])  # fmt: skip
    assert code == 0 and isinstance(doc, dict) and doc["rows"] == 1
    raw = (tmp_path / "f.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0]["value"] == "600"
    code, doc, _ = run("export", "csv", str(tmp_path / "p.csv"), "--pseudonymise", "Hnin Wai")
    assert code == 0 and "Hnin Wai" not in (tmp_path / "p.csv").read_text("utf-8")


def test_usage_errors(ids: dict[str, str], tmp_path: Path) -> None:
    assert run("export", "docx", str(tmp_path / "x"))[0] == 2
    assert run("export", "w3c", str(tmp_path / "x"), "--kind", "figures")[0] == 2
    code, _, _ = run("export", "csv", str(tmp_path / "x"), "--collection", "A", "--query", "b")
    assert code == 2
    code, _, err = run("export", "csv", str(tmp_path / "x"), "--collection", "Nope")
    assert code == 1 and "Nope" in err
    code, _, err = run("export", "csv", str(tmp_path))
    assert code == 1 and "is a folder" in err


def test_export_report(ids: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, doc, _ = run("export", "report", str(out), "--query", "nurses", "--title", "Strike")
    assert code == 0 and isinstance(doc, dict) and doc["format"] == "report"
    page = out.read_text("utf-8")
    assert "<h1>Strike</h1>" in page
    assert run("export", "csv", str(out), "--title", "x")[0] == 2


def test_export_qdpx(ids: dict[str, str], tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "p.qdpx"
    code, doc, _ = run("export", "qdpx", str(out), "--collection", "Case")
    assert code == 0 and isinstance(doc, dict)
    assert (doc["articles"], doc["selections"], doc["orphaned_left_out"]) == (1, 1, 0)
    with zipfile.ZipFile(out) as zf:
        assert "project.qde" in zf.namelist() and len(zf.namelist()) == 2


@pytest.mark.parametrize(
    "argv", [("export", "csv"), ("export", "report"), ("export", "w3c"), ("original", "FIRST")]
)
def test_an_existing_file_is_replaced_only_with_force(
    ids: dict[str, str], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    argv = tuple(ids["first"] if a == "FIRST" else a for a in argv)
    out = tmp_path / "evidence.out"
    out.write_bytes(b"an earlier export")
    code, doc, err = run(*argv, str(out))
    assert code == 2 and "already exists" in err and "--force" in err
    assert isinstance(doc, dict) and "already exists" in doc["error"]
    assert out.read_bytes() == b"an earlier export"
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    assert run(*argv, str(link))[0] == 2 and not (tmp_path / "nowhere").exists()
    code, doc, err = run(*argv, str(out), "--force")
    assert code == 0, err
    assert out.read_bytes() != b"an earlier export"


@pytest.mark.parametrize("command", ["export", "original"])
def test_force_is_in_the_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--force replace OUT if it exists already" in text
    assert "OUT exists already and no --force was given" in text
