"""`sesame review`, `verify`, `verify-claim`, `flag`, and `list` / `show` with review fields."""

from __future__ import annotations

import io

from archive.cli import main
from tests.archive.annotate.test_cli import run


def _tag(arch: dict[str, str]) -> str:
    code, ann, _ = run("tag", arch["one"], "--quote", "Daw Hnin Wai", "--type", "actor",
                       "--entity", "Hnin Wai")  # fmt: skip
    assert code == 0
    return str(ann["id"])


def test_review_several_articles_then_list_by_status_and_assignee(arch: dict[str, str]) -> None:
    one, two = arch["one"], arch["two"]
    code, done, _ = run("review", one[:8], two, "--status", "in review", "--assignee", "Aung")
    assert code == 0
    assert [(r["id"], r["review_status"], r["assignee"]) for r in done] == [
        (one, "in_review", "Aung"),
        (two, "in_review", "Aung"),
    ]
    assert run("review", two, "--status", "reviewed")[0] == 0
    code, rows, _ = run("list", "--status", "reviewed")
    assert code == 0 and [r["id"] for r in rows] == [two]
    assert rows[0]["review_status"] == "reviewed" and rows[0]["assignee"] == "Aung"
    code, rows, _ = run("list", "--assignee", "aung", "--status", "in_review")
    assert [r["id"] for r in rows] == [one]
    code, history, _ = run("history")
    assert history[1]["label"] == "Review 2 articles"
    # One undo takes both articles back.
    assert run("undo")[0] == 0 and run("undo")[0] == 0
    code, rows, _ = run("list", "--status", "unread")
    assert sorted(r["id"] for r in rows) == sorted([one, two])


def test_bad_status_is_a_usage_error_and_changes_nothing(arch: dict[str, str]) -> None:
    code, doc, err = run("review", arch["one"], "--status", "finished")
    assert code == 2 and "not one of unread, in_review" in doc["error"]
    code, doc, err = run("review", arch["one"])
    assert code == 2 and "--status" in err
    code, doc, err = run("list", "--verification", "maybe")
    assert code == 2
    code, doc, err = run("verify", arch["one"], "--status", "true")
    assert code == 2 and "corroborated" in doc["error"]
    code, doc, err = run("review", "nosuch1", "--status", "reviewed")
    assert code == 2 and "No article" in doc["error"]  # a prefix naming nothing: usage
    code, doc, err = run("flag", arch["one"])
    assert code == 2  # --sensitive or --not-sensitive is required
    code, history, _ = run("history")
    assert history == []


def test_verify_an_article_and_a_claim(arch: dict[str, str]) -> None:
    ann = _tag(arch)
    code, (rec,), _ = run("verify", arch["one"], "--status", "corroborated", "--note", "RFA too")
    assert code == 0 and (rec["verification"], rec["verification_note"]) == (
        "corroborated",
        "RFA too",
    )
    code, claim, _ = run("verify-claim", ann[:8], "--status", "disputed", "--note", "Not her")
    assert code == 0
    assert (claim["id"], claim["verification"], claim["verification_note"]) == (
        ann,
        "disputed",
        "Not her",
    )
    code, anns, _ = run("annotations", arch["one"])
    assert anns[0]["verification"] == "disputed" and anns[0]["verification_note"] == "Not her"
    code, doc, _ = run("show", arch["one"])
    assert (doc["verification"], doc["verification_note"]) == ("corroborated", "RFA too")
    assert doc["annotations"][0]["verification"] == "disputed"
    code, rows, _ = run("list", "--verification", "corroborated")
    assert [r["id"] for r in rows] == [arch["one"]]
    code, doc, _ = run("verify-claim", "zzzzzzzz", "--status", "verified")
    assert code == 1 and "No annotation" in doc["error"]


def test_flag_an_article_and_a_passage(arch: dict[str, str]) -> None:
    ann = _tag(arch)
    code, rec, _ = run("flag", arch["two"], "--sensitive", "--reason", "graphic")
    assert code == 0 and rec["sensitive"] and rec["sensitive_reason"] == "graphic"
    code, rec, _ = run("flag", ann, "--sensitive", "--reason", "personal")
    assert code == 0 and rec["article_id"] == arch["one"] and rec["sensitive"]
    # A sensitive passage makes its article show under --flag sensitive.
    code, rows, _ = run("list", "--flag", "sensitive")
    assert sorted(r["id"] for r in rows) == sorted([arch["one"], arch["two"]])
    code, rec, _ = run("flag", ann, "--not-sensitive")
    assert code == 0 and not rec["sensitive"] and rec["sensitive_reason"] == ""
    code, rows, _ = run("list", "--flag", "not-sensitive")
    assert [r["id"] for r in rows] == [arch["one"]]
    code, _doc, _ = run("flag", arch["one"], "--not-sensitive", "--reason", "x")
    assert code == 2


def test_text_output_names_the_fields(arch: dict[str, str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["review", arch["one"], "--status", "relevant", "--assignee", "Mya"], out, err)
    assert code == 0 and "relevant, assigned to Mya" in out.getvalue()
    out = io.StringIO()
    assert main(["show", arch["one"]], out, err) == 0
    assert "  review: relevant, assigned to Mya, unverified" in out.getvalue()
