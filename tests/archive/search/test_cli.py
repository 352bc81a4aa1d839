"""`sesame search`, `sesame reindex`, `sesame check`."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlmodel import select

from archive import models
from archive.cli import main
from archive.store import Archive

from .helpers import add_articles


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def make(archive_dir: Path) -> list[str]:
    with Archive.open(archive_dir, create=True) as arch:
        return add_articles(
            arch,
            {
                "title": "Crackdown at dawn",
                "text": "Witnesses counted more than 600 police around the market.",
                "source": "Northern Ledger",
                "published": "2021-03-05",
            },
            {"title": "Quiet day", "text": "Nothing happened in the valley.", "published": "2020"},
        )


def test_search_json(archive_dir: Path) -> None:
    ids = make(archive_dir)
    code, out, _ = run("--archive", str(archive_dir), "--json", "search", '"600 police"')
    assert code == 0
    doc = json.loads(out)
    assert doc["total"] == 1
    assert doc["hits"][0]["id"] == ids[0]
    assert doc["hits"][0]["title"] == "Crackdown at dawn"
    assert "[[600 police]]" in doc["hits"][0]["snippet"]
    assert doc["hits"][0]["score"] > 0
    assert doc["facets"]["source"] == {"Northern Ledger": 1}


def test_search_text_shows_title_date_source_and_passage(archive_dir: Path) -> None:
    make(archive_dir)
    code, out, _ = run(
        "--archive", str(archive_dir), "search", "police OR valley", "--sort", "date"
    )
    assert code == 0
    lines = out.splitlines()
    assert "2021-03-05" in lines[0] and "Northern Ledger" in lines[0] and "Crackdown" in lines[0]
    assert "[[police]]" in lines[1]
    assert "Quiet day" in out
    assert "2 articles found" in out


def test_search_limit(archive_dir: Path) -> None:
    make(archive_dir)
    _, out, _ = run(
        "--archive", str(archive_dir), "--json", "search", "police OR valley", "--limit", "1"
    )
    doc = json.loads(out)
    assert doc["total"] == 2 and len(doc["hits"]) == 1


def test_malformed_query_is_a_message_not_a_traceback(archive_dir: Path) -> None:
    make(archive_dir)
    code, out, err = run("--archive", str(archive_dir), "search", '"600 police')
    assert code == 2  # a usage error, as the README defines exit status 2
    assert "quotation mark" in err
    assert "Traceback" not in err + out
    code, out, _ = run("--archive", str(archive_dir), "--json", "search", "colour:red")
    assert code == 2
    assert "Unknown field" in json.loads(out)["error"]


def test_search_without_archive_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run("--archive", str(tmp_path / "none"), "search", "police")
    assert code == 2
    assert "sesame init" in err


def test_reindex_and_check(archive_dir: Path, tmp_path: Path) -> None:
    # Imported the audited way: `check` also compares every row with the audit log.
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.txt").write_text("Crackdown at dawn\n\nMore than 600 police.\n", "utf-8")
    (files / "b.txt").write_text("Quiet day\n\nNothing happened in the valley.\n", "utf-8")
    assert run("--archive", str(archive_dir), "import", str(files))[0] == 0
    code, out, _ = run("--archive", str(archive_dir), "--json", "reindex")
    assert (code, json.loads(out)) == (0, {"indexed": 2})
    code, out, _ = run("--archive", str(archive_dir), "check")
    assert code == 0
    assert "agrees" in out
    # A change that bypassed the queue (a bug elsewhere): check must report it.
    with Archive.open(archive_dir) as arch, arch.transaction() as session:
        article = session.exec(
            select(models.Article).where(models.Article.title == "Quiet day")
        ).one()
        article.title = "Renamed behind the index's back"
        renamed = article.id
    code, out, _ = run("--archive", str(archive_dir), "--json", "check")
    assert code == 1
    doc = json.loads(out)
    assert doc["index"]["stale"] == [renamed]
    # ... and, written outside a change, the custody check names the row too.
    assert [f["target"] for f in doc["findings"] if f["severity"] == "fail"] == [renamed]
    assert run("--archive", str(archive_dir), "reindex")[0] == 0
    code, out, _ = run("--archive", str(archive_dir), "--json", "check")
    assert code == 1 and json.loads(out)["index"]["ok"]


def test_search_while_archive_is_locked_reads_the_index(archive_dir: Path) -> None:
    make(archive_dir)
    with Archive.open(archive_dir) as arch:
        arch.sync_index()
        code, out, _ = run("--archive", str(archive_dir), "--json", "search", "valley")
    assert code == 0
    assert json.loads(out)["total"] == 1


def test_a_query_starting_with_minus_is_the_query(archive_dir: Path) -> None:
    ids = make(archive_dir)
    # "-police" is NOT police, not an unknown option (it needed "--" before).
    for argv in (
        ("search", "-police"),
        ("search", "-police", "--limit", "5"),
        ("search", "--limit", "5", "-police"),
        ("search", "--", "-police"),
    ):
        code, out, err = run("--archive", str(archive_dir), "--json", *argv)
        assert code == 0, (argv, err)
        assert [hit["id"] for hit in json.loads(out)["hits"]] == [ids[1]], argv
    # An option's value that starts with '-' is still its value (and refused as such).
    code, _, err = run("--archive", str(archive_dir), "search", "--limit", "-1", "police")
    assert code == 2 and "--limit" in err


def test_impossible_values_are_usage_errors(archive_dir: Path) -> None:
    make(archive_dir)
    for query, said in (
        ("title:", "Nothing follows title:"),
        ("year:abc", "not a year"),
        ("published:[2024 TO 2015]", "ends before it starts"),
    ):
        code, out, err = run("--archive", str(archive_dir), "--json", "search", query)
        assert code == 2, query
        assert said in json.loads(out)["error"] and said in err, query
