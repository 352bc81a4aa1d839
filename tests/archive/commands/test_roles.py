"""`sesame role`, `roles`, `role-types`, `relation`, `relations`: JSON shapes, exit codes."""

import io
import json
from pathlib import Path
from typing import Any

import pytest

from archive import models
from archive.annotate import text_sha256
from archive.cli import main
from archive.store import Archive
from tests.archive.conftest import REPORT

SECOND = "The union said the junta's soldiers detained nurses. The soldiers left."


def run(*argv: str) -> tuple[int, Any, str]:
    """Run `sesame ARGV --json`; (exit status, parsed stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--json"], stdout=out, stderr=err)
    return code, json.loads(out.getvalue()) if out.getvalue() else None, err.getvalue()


@pytest.fixture
def arch(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    ids = {}
    with Archive.open(archive_dir, create=True) as archive, archive.transaction() as session:
        for name, text, published in (("one", REPORT, "2021-03-02"), ("two", SECOND, "2021-03-09")):
            article = models.Article(
                title=name, source=name, published=published, text=text,
                text_sha256=text_sha256(text),
            )  # fmt: skip
            session.add(article)
            ids[name] = article.id
    for kind, name in (("event", "Hospital raid"), ("actor", "Tatmadaw"), ("actor", "Nurses")):
        assert run("entity", "add", kind, name)[0] == 0
    return ids


def test_role_add_list_remove(arch: dict[str, str]) -> None:
    code, doc, err = run("role", "add", "Hospital raid", "Tatmadaw", "--role", "perpetrator",
                         "--quote", "The soldiers raided the general hospital")  # fmt: skip
    assert code == 0, err
    assert doc["article_id"] == arch["one"] and doc["role"] == "perpetrator"
    code, listed, _ = run("roles", "Hospital raid")
    assert code == 0
    assert [{k: r[k] for k in ("event", "actor", "role", "annotation_id", "quote", "article_id")}
            for r in listed] == [{
        "event": "Hospital raid", "actor": "Tatmadaw", "role": "perpetrator",
        "annotation_id": doc["annotation_id"], "quote": "The soldiers raided the general hospital",
        "article_id": arch["one"],
    }]  # fmt: skip
    # The same passage by its annotation, for the victims.
    code, second, _ = run("role", "add", "Hospital raid", "Nurses", "--role", "victim",
                          "--annotation", doc["annotation_id"][:8])  # fmt: skip
    assert code == 0 and second["annotation_id"] == doc["annotation_id"]
    assert len(run("roles")[1]) == 2
    assert run("roles", "--actor", "Nurses")[1][0]["role"] == "victim"
    code, shown, _ = run("entity", "show", "Hospital raid")
    assert code == 0 and [r["actor"] for r in shown["roles"]] == ["Tatmadaw", "Nurses"]
    assert run("entity", "show", "Nurses")[1]["relations"] == []
    assert run("role", "remove", second["id"][:8])[0] == 0
    assert len(run("roles")[1]) == 1
    assert run("undo")[0] == 0
    assert len(run("roles")[1]) == 2


def test_role_errors_and_exit_codes(arch: dict[str, str]) -> None:
    # "soldiers" is in both articles: which one is a usage error.
    code, doc, err = run("role", "add", "Hospital raid", "Tatmadaw", "--role", "perpetrator",
                         "--quote", "soldiers")  # fmt: skip
    assert code == 2 and "--article" in doc["error"] and "Traceback" not in err
    code, doc, _ = run("role", "add", "Hospital raid", "Tatmadaw", "--role", "perpetrator",
                       "--quote", "soldiers", "--article", arch["two"])  # fmt: skip
    assert code == 2 and "--occurrence" in doc["error"]
    code, doc, _ = run("role", "add", "Hospital raid", "Tatmadaw", "--role", "perpetrator",
                       "--quote", "soldiers", "--article", arch["two"],
                       "--occurrence", "2")  # fmt: skip
    assert code == 0 and doc["quote"] == "soldiers"
    code, doc, _ = run("role", "add", "Tatmadaw", "Nurses", "--role", "victim",
                       "--quote", "nurses")  # fmt: skip
    assert code == 1 and "not an event" in doc["error"]
    code, doc, _ = run("role", "add", "Hospital raid", "Nurses", "--role", "hostage",
                       "--quote", "nurses")  # fmt: skip
    assert code == 1 and "role-types --add" in doc["error"]
    code, _, _ = run("role", "add", "Hospital raid", "Nurses", "--role", "victim")
    assert code == 2
    assert run("roles", "Nobody")[0] == 1
    assert run("role")[0] == 2


def test_role_types(arch: dict[str, str]) -> None:
    code, doc, _ = run("role-types", "--add", "hostage", "Hostage")
    assert code == 0 and doc == {"key": "hostage", "label": "Hostage", "builtin": False}
    keys = [t["key"] for t in run("role-types")[1]]
    assert keys[:2] == ["intervening", "perpetrator"] and keys[-1] == "hostage"
    code, doc, _ = run("role", "add", "Hospital raid", "Nurses", "--role", "Hostage",
                       "--quote", "nurses", "--article", arch["two"][:8])  # fmt: skip
    assert code == 0 and doc["role"] == "hostage"
    assert run("role-types", "--add", "Bad Key", "x")[0] == 1
    assert run("relation-types", "--add", "funds", "Funds")[0] == 0
    assert "funds" in [t["key"] for t in run("relation-types")[1]]


def test_relations(arch: dict[str, str]) -> None:
    code, doc, err = run("relation", "add", "Tatmadaw", "Nurses", "--type", "commands",
                         "--quote", "the junta's soldiers", "--article", arch["two"],
                         "--from", "2021-02")  # fmt: skip
    assert code == 0, err
    assert (doc["subject"], doc["object"], doc["type"]) == ("Tatmadaw", "Nurses", "commands")
    assert (doc["first_cited"], doc["last_cited"], doc["date_start"]) == (
        "2021-03-09", "2021-03-09", "2021-02")  # fmt: skip
    code, listed, _ = run("relations", "Nurses")
    assert code == 0 and [r["id"] for r in listed] == [doc["id"]]
    assert run("relations", "Hospital raid")[0] == 1
    code, doc2, _ = run("relation", "add", "Tatmadaw", "Nurses", "--type", "commands",
                        "--annotation", doc["annotation_id"])  # fmt: skip
    assert code == 1 and "already records" in doc2["error"]
    assert run("relation", "remove", doc["id"])[0] == 0
    assert run("relations")[1] == []


def test_tag_with_a_range_and_entity_precision(arch: dict[str, str]) -> None:
    code, doc, err = run("tag", arch["one"], "--quote", "More than 250 nurses", "--type",
                         "figure", "--low", "250", "--high", "300")  # fmt: skip
    assert code == 0, err
    assert (doc["value"], doc["low"], doc["high"]) == (250, 250, 300)
    code, doc, _ = run("annotation", "edit", doc["id"], "--high", "280")
    assert code == 0 and doc["high"] == 280
    assert run("tag", arch["one"], "--quote", "nurses", "--type", "actor", "--low", "1")[0] == 2
    code, doc, _ = run("entity", "edit", "Hospital raid", "--date", "2021-03")
    assert code == 0 and doc["date_precision"] == "month"
    code, doc, _ = run("entity", "edit", "Hospital raid", "--date-precision", "week",
                       "--place", "Yangon", "--place-precision", "town")  # fmt: skip
    assert code == 0 and (doc["date_precision"], doc["place_precision"]) == ("week", "town")
    code, doc, _ = run("entity", "edit", "Hospital raid", "--date-precision", "decade")
    assert code == 1 and "not one of" in doc["error"]


def test_deleting_a_passage_says_which_claims_went_with_it(arch: dict[str, str]) -> None:
    """QA: `annotation delete` removed the roles resting on it without a word."""
    code, doc, err = run("role", "add", "Hospital raid", "Tatmadaw", "--role", "perpetrator",
                         "--quote", "The soldiers raided the general hospital")  # fmt: skip
    assert code == 0, err
    code, gone, err = run("annotation", "delete", doc["annotation_id"])
    assert code == 0 and gone["roles_deleted"] == [doc["id"]], err
    out = io.StringIO()
    assert main(["undo"], stdout=out, stderr=io.StringIO()) == 0
    assert main(["annotation", "delete", doc["annotation_id"]], stdout=out) == 0
    assert "1 role(s) and 0 relation(s)" in out.getvalue() and "sesame undo" in out.getvalue()
    assert run("roles")[1] == []
