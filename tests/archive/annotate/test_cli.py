"""The tagging commands: JSON shapes, exit codes, merging and audit verification."""

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import models
from archive.annotate import find_quote, text_sha256
from archive.cli import main
from archive.store import DB_NAME, Archive
from tests.archive.conftest import REPORT

SECOND = (
    "Officials said on Tuesday that U Zaw Min Htet had left the country. "
    "Zaw Min Htet denied it, and over 900 people signed a letter."
)


def run(*argv: str) -> tuple[int, Any, str]:
    """Run `sesame ARGV --json`; (exit status, parsed stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--json"], stdout=out, stderr=err)
    return code, json.loads(out.getvalue()) if out.getvalue() else None, err.getvalue()


@pytest.fixture
def arch(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An archive (the default one for the CLI) with two articles; their ids."""
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    ids = {}
    with Archive.open(archive_dir, create=True) as archive, archive.transaction() as session:
        for name, text, source in (("one", REPORT, "Paper A"), ("two", SECOND, "Paper B")):
            article = models.Article(
                title=f"Article {name}",
                source=source,
                published="2021-03-05",
                text=text,
                text_sha256=text_sha256(text),
            )
            session.add(article)
            ids[name] = article.id
    return ids


ANNOTATION_KEYS = {
    "id", "article_id", "start", "end", "quote", "type", "entity", "note", "created_by",
    "orphaned",
}  # fmt: skip


def test_tag_by_quote_and_by_span(arch: dict[str, str]) -> None:
    code, ann, _ = run("tag", arch["one"][:8], "--quote", "Daw Hnin Wai", "--type", "actor",
                       "--entity", "Hnin Wai", "--note", "witness")  # fmt: skip
    assert code == 0
    assert set(ann) >= ANNOTATION_KEYS
    start, end = find_quote(REPORT, "Daw Hnin Wai")
    assert (ann["start"], ann["end"], ann["quote"]) == (start, end, "Daw Hnin Wai")
    assert (ann["type"], ann["entity"], ann["note"]) == ("actor", "Hnin Wai", "witness")
    assert ann["created_by"] == "Test User" and ann["orphaned"] is False
    code, ann, _ = run("tag", arch["one"], "--span", "0", "5", "--type", "event")
    assert code == 0 and ann["quote"] == "Strik"
    code, ann, _ = run("tag", arch["one"], "--quote", "people", "--occurrence", "1",
                       "--type", "figure", "--value", "1200", "--qualifier", "over",
                       "--counted", "marchers")  # fmt: skip
    assert code == 0
    assert (ann["value"], ann["qualifier"], ann["counted"], ann["as_of"]) == (
        1200, "more than", "marchers", "2021-03-05",
    )  # fmt: skip


def test_offsets_on_the_command_line_are_code_points(
    archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    text = "😀😀 ရဲ 600 police"
    with Archive.open(archive_dir, create=True) as archive, archive.transaction() as session:
        article = models.Article(title="t", text=text)
        session.add(article)
    code, ann, _ = run("tag", article.id, "--span", "6", "16", "--type", "figure")
    assert code == 0 and ann["quote"] == "600 police" and ann["value"] == 600


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["--span", "5", "2"], 2, "start must be smaller than its end"),
        (["--span", "5000", "6000"], 2, "starts and ends after the end of the text"),
        (["--span", "10", "6000"], 2, "ends after the end of the text"),
        (["--quote", "not in the text"], 1, "does not contain"),
        (["--quote", "Daw", "--occurrence", "9"], 2, "no occurrence 9"),
        (["--quote", "Daw", "--type-missing"], 2, ""),
    ],
)
def test_tag_errors_have_messages_and_exit_codes(
    arch: dict[str, str], argv: list[str], status: int, message: str
) -> None:
    extra = [] if "--type-missing" in argv else ["--type", "actor"]
    argv = [a for a in argv if a != "--type-missing"]
    code, doc, err = run("tag", arch["one"], *argv, *extra)
    assert code == status
    if message:
        assert message in doc["error"] and message in err
    code, doc, _ = run("annotations", arch["one"])
    assert doc == []


def test_unknown_article_and_type(arch: dict[str, str]) -> None:
    code, doc, _ = run("tag", "nosuch", "--span", "0", "3", "--type", "actor")
    assert code == 2 and "sesame list" in doc["error"]  # a prefix naming nothing: usage
    code, doc, _ = run("tag", arch["one"], "--span", "0", "3", "--type", "place")
    assert code == 1 and "tagtype add" in doc["error"]
    code, doc, _ = run("tagtype", "add", "place", "--label", "Place", "--colour", "#112233",
                       "--shortcut", "p")  # fmt: skip
    assert code == 0 and doc["shortcut"] == "P"
    code, doc, _ = run("tag", arch["one"], "--quote", "Mandalay", "--type", "place")
    assert code == 0 and doc["type"] == "place"
    code, doc, _ = run("tagtype", "add", "other", "--shortcut", "A")
    assert code == 1 and "already used" in doc["error"]


def test_annotations_and_entities_json(arch: dict[str, str]) -> None:
    run("tag", arch["one"], "--quote", "MHWU", "--type", "actor", "--entity", "MHWU")
    run("tag", arch["two"], "--quote", "Zaw Min Htet", "--occurrence", "2", "--type", "actor",
        "--entity", "Zaw Min Htet")  # fmt: skip
    code, rows, _ = run("annotations")
    assert code == 0 and len(rows) == 2 and all(set(r) >= ANNOTATION_KEYS for r in rows)
    code, rows, _ = run("annotations", arch["two"])
    assert [r["quote"] for r in rows] == ["Zaw Min Htet"]
    code, rows, _ = run("annotations", "--entity", "MHWU")
    assert [r["article_id"] for r in rows] == [arch["one"]]
    code, rows, _ = run("entities", "--type", "actor")
    assert code == 0
    assert {"id", "type", "name", "aliases", "mentions"} <= set(rows[0])
    assert {(r["name"], r["mentions"]) for r in rows} == {("MHWU", 1), ("Zaw Min Htet", 1)}
    code, rows, _ = run("entities", "--type", "nosuch")
    assert code == 1


def test_two_spellings_merge_into_one_entity_and_unmerge(arch: dict[str, str]) -> None:
    _, first, _ = run("tag", arch["two"], "--quote", "U Zaw Min Htet", "--type", "actor",
                      "--entity", "U Zaw Min Htet")  # fmt: skip
    _, second, _ = run("tag", arch["one"], "--quote", "Zaw Min Htet", "--type", "actor",
                       "--entity", "Zaw Min Htet")  # fmt: skip
    assert first["entity_id"] != second["entity_id"]
    code, doc, _ = run("entity", "merge", first["entity_id"], second["entity_id"])
    assert code == 0
    assert doc["entity"]["mentions"] == 2 and doc["entity"]["aliases"] == ["Zaw Min Htet"]
    _, rows, _ = run("entities")
    assert [(r["name"], r["mentions"]) for r in rows] == [("U Zaw Min Htet", 2)]
    _, rows, _ = run("annotations", "--entity", "U Zaw Min Htet")
    assert sorted(r["quote"] for r in rows) == ["U Zaw Min Htet", "Zaw Min Htet"]
    assert {r["entity"] for r in rows} == {"U Zaw Min Htet"}
    code, doc, _ = run("entity", "show", "Zaw Min Htet")  # an alias now
    assert code == 0 and len(doc["mention_list"]) == 2
    code, doc, _ = run("entity", "unmerge", second["entity_id"][:10])
    assert code == 0 and doc["entity"]["mentions"] == 1
    _, rows, _ = run("entities")
    assert sorted((r["name"], r["mentions"]) for r in rows) == [
        ("U Zaw Min Htet", 1),
        ("Zaw Min Htet", 1),
    ]
    code, doc, _ = run("entity", "merge", "nobody", second["entity_id"])
    assert code == 1 and "No entity" in doc["error"]


def test_entity_rename_add_edit_delete(arch: dict[str, str]) -> None:
    code, doc, _ = run("entity", "add", "event", "Hospital raid", "--date", "2021-03-02",
                       "--place", "Mandalay", "--alias", "the raid")  # fmt: skip
    assert code == 0 and doc["date_start"] == "2021-03-02" and doc["aliases"] == ["the raid"]
    code, doc, _ = run("entity", "rename", doc["id"], "Raid on the general hospital")
    assert code == 0 and doc["aliases"] == ["the raid", "Hospital raid"]
    code, doc, _ = run("entity", "edit", doc["id"], "--date", "2021-03-02", "2021-03-03",
                       "--description", "Soldiers entered wards")  # fmt: skip
    assert code == 0 and doc["date_end"] == "2021-03-03"
    code, doc, _ = run("entity", "delete", doc["id"])
    assert code == 0 and doc["deleted"]["name"] == "Raid on the general hospital"
    code, _, err = run("entity")
    assert code == 2 and "usage" in err


def test_annotation_edit_and_delete(arch: dict[str, str]) -> None:
    _, ann, _ = run("tag", arch["one"], "--quote", "Mr Henderson", "--type", "actor")
    code, doc, _ = run("annotation", "edit", ann["id"][:8], "--note", "doctor",
                       "--entity", "Henderson")  # fmt: skip
    assert code == 0 and (doc["note"], doc["entity"]) == ("doctor", "Henderson")
    code, doc, _ = run("annotation", "show", ann["id"])
    assert code == 0 and doc["note"] == "doctor"
    code, doc, _ = run("annotation", "edit", ann["id"])
    assert code == 2
    code, doc, _ = run("annotation", "delete", ann["id"])
    assert code == 0 and doc["deleted"]["id"] == ann["id"]
    code, doc, _ = run("annotation", "delete", ann["id"])
    assert code == 1


def test_suggest_and_accept(arch: dict[str, str]) -> None:
    code, found, _ = run("suggest", arch["one"])
    assert code == 0
    assert {"start", "end", "quote", "type"} <= set(found[0])
    quotes = [s["quote"] for s in found]
    assert "More than 250 nurses" in quotes and "U Zaw Min Htet" in quotes
    code, _, _ = run("annotations", arch["one"])
    pick = [quotes.index("More than 250 nurses") + 1, quotes.index("U Zaw Min Htet") + 1]
    code, doc, _ = run("suggest", arch["one"], "--accept", ",".join(map(str, pick)))
    assert code == 0 and len(doc["accepted"]) == 2
    _, rows, _ = run("annotations", arch["one"])
    assert sorted(r["quote"] for r in rows) == ["More than 250 nurses", "U Zaw Min Htet"]
    assert {r["origin"] for r in rows} == {"suggestion"}
    code, doc, _ = run("suggest", arch["one"], "--accept", "999")
    assert code == 2  # a usage error, like "x": nothing is accepted
    code, doc, _ = run("suggest", arch["one"], "--accept", "x")
    assert code == 2
    code, doc, _ = run("suggest", arch["two"], "--type", "figure", "--accept", "all")
    assert [a["quote"] for a in doc["accepted"]] == ["over 900 people"]


def test_figures_side_by_side(arch: dict[str, str]) -> None:
    run("tag", arch["one"], "--quote", "over 1,200 people", "--type", "figure",
        "--entity", "people who signed")  # fmt: skip
    run("tag", arch["two"], "--quote", "over 900 people", "--type", "figure",
        "--entity", "people who signed")  # fmt: skip
    code, groups, _ = run("figures")
    assert code == 0 and len(groups) == 1
    assert groups[0]["sources"] == ["Paper A", "Paper B"]
    assert sorted(c["value"] for c in groups[0]["claims"]) == [900, 1200]


def _tamper(archive_dir: Path, sql: str) -> None:
    conn = sqlite3.connect(archive_dir / DB_NAME)
    with conn:
        conn.execute(sql)
    conn.close()


def test_audit_verify_names_the_first_broken_link(arch: dict[str, str], archive_dir: Path) -> None:
    for quote in ("Daw Hnin Wai", "Mr Henderson", "MHWU"):
        run("tag", arch["one"], "--quote", quote, "--type", "actor", "--entity", quote)
    code, doc, _ = run("audit", "verify")
    assert code == 0 and doc["ok"] and doc["checked"] == 6
    out = io.StringIO()
    assert main(["audit", "verify"], stdout=out, stderr=io.StringIO()) == 0
    assert "no link broken" in out.getvalue()
    # Someone rewrites history: who made annotation 4.
    _tamper(archive_dir, "UPDATE auditevent SET user_id = 'mallory' WHERE seq = 4")
    code, doc, _ = run("audit", "verify")
    assert code == 1 and doc["first_broken_seq"] == 4 and "changed" in doc["reason"]
    out = io.StringIO()
    assert main(["audit", "verify"], stdout=out, stderr=io.StringIO()) == 1
    assert "broken at entry 4" in out.getvalue()


def test_audit_verify_detects_a_deleted_entry(arch: dict[str, str], archive_dir: Path) -> None:
    for quote in ("Daw Hnin Wai", "Mr Henderson"):
        run("tag", arch["one"], "--quote", quote, "--type", "event")
    _tamper(archive_dir, "DELETE FROM auditevent WHERE seq = 1")
    code, doc, _ = run("audit", "verify")
    assert code == 1 and doc["first_broken_seq"] == 1 and "missing" in doc["reason"]
    code, rows, _ = run("audit", "log", "--limit", "5")
    assert code == 0 and [r["action"] for r in rows] == ["annotation.create"]


def test_whoami_sets_the_name_on_later_annotations(
    arch: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SESAME_USER")
    code, doc, _ = run("whoami", "--set", "Aye Aye")
    assert code == 0 and doc["display_name"] == "Aye Aye"
    _, ann, _ = run("tag", arch["one"], "--quote", "MHWU", "--type", "actor")
    assert ann["created_by"] == "Aye Aye"
    code, doc, _ = run("whoami", "--set", "  ")
    assert code == 1


def test_reading_commands_need_an_archive(tmp_path: Path) -> None:
    code, doc, _ = run("annotations", "--archive", str(tmp_path / "none"))
    assert code == 2 and "sesame init" in doc["error"]
    assert not (tmp_path / "none").exists()


def test_show_lists_the_annotations_like_annotations_does(arch: dict[str, str]) -> None:
    run("tag", arch["one"], "--quote", "Daw Hnin Wai", "--type", "actor", "--entity", "Hnin Wai")
    code, doc, _ = run("show", arch["one"])
    assert code == 0
    _, rows, _ = run("annotations", arch["one"])
    assert doc["annotations"] == rows
    assert doc["annotations"][0]["quote"] == "Daw Hnin Wai"


def test_entity_similar_proposes_the_merge(arch: dict[str, str]) -> None:
    run("tag", arch["two"], "--quote", "U Zaw Min Htet", "--type", "actor",
        "--entity", "U Zaw Min Htet")  # fmt: skip
    run("tag", arch["one"], "--quote", "Zaw Min Htet", "--type", "actor",
        "--entity", "Zaw Min Htet")  # fmt: skip
    code, pairs, _ = run("entity", "similar")
    assert code == 0 and len(pairs) == 1
    names = {pairs[0]["keep"]["name"], pairs[0]["other"]["name"]}
    assert names == {"U Zaw Min Htet", "Zaw Min Htet"}


def test_tag_prefill_fills_the_entity_and_date_as_the_tagging_form_does(
    arch: dict[str, str],
) -> None:
    # Without --prefill nothing is guessed: no entity, no date.
    code, ann, _ = run("tag", arch["one"], "--quote", "Major Kyaw Swar Lin", "--type", "actor")
    assert code == 0 and ann["entity"] is None
    # With it, the suggester's name (the title dropped), created once, then found again.
    code, ann, _ = run("tag", arch["one"], "--quote", "Major Kyaw Swar Lin", "--type", "actor",
                       "--prefill")  # fmt: skip
    assert code == 0 and ann["entity"] == "Kyaw Swar Lin"
    _, listed, _ = run("entities", "--type", "actor")
    assert [e["name"] for e in listed] == ["Kyaw Swar Lin"]
    # An event: its words and the date the suggester resolves, as the form starts.
    code, ann, _ = run("tag", arch["one"], "--quote", "detained on Feb. 14", "--type", "event",
                       "--prefill")  # fmt: skip
    assert code == 0 and (ann["entity"], ann["as_of"]) == ("detained on Feb. 14", "2021-02-14")
    # What is given wins over what would be filled in.
    code, ann, _ = run("tag", arch["one"], "--quote", "detained on Feb. 14", "--type", "event",
                       "--prefill", "--entity", "Arrests", "--date", "2021-02-15")  # fmt: skip
    assert code == 0 and (ann["entity"], ann["as_of"]) == ("Arrests", "2021-02-15")


def test_suggest_groups_mentions_and_accepts_chosen_ones(
    archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive_dir))
    text = "Doctors joined the CDM. Bankers joined the CDM. Police joined the CDM too."
    with Archive.open(archive_dir, create=True) as archive, archive.transaction() as session:
        article = models.Article(title="t", published="2021-03-05", text=text,
                                 text_sha256=text_sha256(text))  # fmt: skip
        session.add(article)
        aid = article.id
    code, groups, _ = run("suggest", aid)
    assert code == 0
    (cdm,) = [g for g in groups if g["entity_name"] == "CDM"]
    assert (cdm["label"], cdm["count"], len(cdm["mentions"])) == ("CDM ×3", 3, 3)
    n = groups.index(cdm) + 1
    code, _, err = run("suggest", aid, "--accept", f"{n}.4")
    assert code == 2 and "has no mention 4" in err
    code, doc, _ = run("suggest", aid, "--accept", f"{n}.1,{n}.3")
    assert code == 0 and [a["start"] for a in doc["accepted"]] == [
        text.index("CDM"),
        text.rindex("CDM"),
    ]
    assert len({a["entity_id"] for a in doc["accepted"]}) == 1
    code, groups, _ = run("suggest", aid)
    (left,) = [g for g in groups if g["entity_name"] == "CDM"]
    assert left["count"] == 1
    out = io.StringIO()
    assert main(["suggest", aid], stdout=out, stderr=io.StringIO()) == 0
    assert "'CDM'" in out.getvalue()


def test_an_ambiguous_quote_is_refused_with_the_count(arch: dict[str, str]) -> None:
    count = REPORT.count("the")
    assert count > 1
    code, doc, err = run("tag", arch["one"], "--quote", "the", "--type", "actor")
    assert code == 2
    assert f"appears {count} times" in doc["error"] and "--occurrence K" in err
    code, ann, _ = run("tag", arch["one"], "--quote", "the", "--occurrence", "2", "--type", "actor")
    assert code == 0 and ann["start"] == REPORT.index("the", REPORT.index("the") + 1)
    _, rows, _ = run("annotations", arch["one"])
    assert len(rows) == 1


def test_a_span_outside_the_text_says_so(arch: dict[str, str]) -> None:
    code, doc, _ = run("tag", arch["two"], "--span", "5000", "6000", "--type", "actor")
    assert code == 2
    assert doc["error"] == (
        f"The span 5000-6000 starts and ends after the end of the text, which has "
        f"{len(SECOND)} code points (spans run from 0 to {len(SECOND)})."
    )


def test_the_same_entity_on_overlapping_words_needs_allow_overlap(arch: dict[str, str]) -> None:
    code, _, _ = run("tag", arch["one"], "--quote", "U Zaw Min Htet", "--type", "actor",
                     "--entity", "Zaw Min Htet")  # fmt: skip
    assert code == 0
    inner = ["--quote", "Zaw Min Htet", "--type", "actor", "--entity", "Zaw Min Htet"]
    code, doc, _ = run("tag", arch["one"], *inner)
    assert code == 1 and "--allow-overlap" in doc["error"] and "count twice" in doc["error"]
    _, rows, _ = run("annotations", arch["one"])
    assert len(rows) == 1
    code, ann, _ = run("tag", arch["one"], *inner, "--allow-overlap")
    assert code == 0 and ann["quote"] == "Zaw Min Htet"
    # Another entity on the same words is not a repeat.
    code, _, _ = run("tag", arch["one"], "--quote", "Zaw Min Htet", "--type", "actor",
                     "--entity", "Someone else")  # fmt: skip
    assert code == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["tag", "abcdef", "--span", "5", "2", "--type", "actor"],
        ["tag", "abcdef", "--span", "0", "3", "--type", "actor"],
        ["suggest", "abcdef", "--accept", "1"],
        ["annotation", "delete", "abcdef"],
        ["entity", "merge", "a", "b"],
        ["tagtype", "add", "place"],
        ["undo"],
        ["article", "edit", "abcdef", "--source", "Paper C"],
    ],
)
def test_a_command_on_a_missing_archive_creates_nothing(tmp_path: Path, argv: list[str]) -> None:
    missing = tmp_path / "no-archive"
    code, doc, _ = run("--archive", str(missing), *argv)
    assert code == 2 and doc["error"]
    assert not missing.exists()


def test_exit_statuses_are_in_every_commands_help() -> None:
    for argv in (["tag"], ["suggest"], ["annotation", "edit"], ["entity", "merge"]):
        out = io.StringIO()
        with pytest.raises(SystemExit):
            import contextlib

            with contextlib.redirect_stdout(out):
                from archive.cli import build_parser

                build_parser().parse_args([*argv, "--help"])
        text = out.getvalue()
        assert "exit status:" in text and "  0  done" in text and "  2  a usage error" in text


def test_figures_lists_unlinked_ones_as_the_window_does(arch: dict[str, str]) -> None:
    from archive import figures

    run("tag", arch["one"], "--quote", "over 1,200 people", "--type", "figure",
        "--entity", "people who signed")  # fmt: skip
    run("tag", arch["two"], "--quote", "over 900 people", "--type", "figure")
    code, groups, _ = run("figures")
    assert code == 0 and figures.SHOW_UNLINKED
    assert [g["name"] for g in groups] == ["people who signed", "(no figure entity)"]
    code, groups, _ = run("figures", "--linked")
    assert [g["name"] for g in groups] == ["people who signed"]
