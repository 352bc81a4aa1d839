"""`sesame search` and `sesame show` mark what is flagged sensitive: "[sensitive: reason]"
before the text, `"sensitive"` and `"sensitive_reason"` in --json (archive/sensitive.py)."""

from __future__ import annotations

import io
import os

import pytest

from archive import annotate, review
from archive.cli import main
from archive.store import Archive
from tests.archive.annotate.test_cli import run
from tests.archive.conftest import REPORT


def text_of(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(list(argv), stdout=out, stderr=err) == 0, err.getvalue()
    return out.getvalue()


@pytest.fixture
def flagged(arch: dict[str, str]) -> dict[str, str]:
    """Article two flagged "graphic"; in article one, the passage "Daw Hnin Wai" "personal"."""
    with Archive.open(os.environ["SESAME_ARCHIVE"]) as archive:
        start = REPORT.index("Daw Hnin Wai")
        ann = annotate.create_annotation(
            archive, arch["one"], start, start + 12, "actor", entity_name="Hnin Wai"
        )
        review.flag_annotation(archive, ann.id, True, "personal")
        review.flag_articles(archive, [arch["two"]], True, "graphic")
    return {**arch, "ann": ann.id, "start": str(start)}


def test_search_marks_a_flagged_article_and_a_flagged_passage_its_snippet_shows(
    flagged: dict[str, str],
) -> None:
    code, doc, _ = run("search", "Officials")
    [hit] = doc["hits"]
    assert hit["sensitive"] is True and hit["sensitive_reason"] == "graphic"
    assert {"id", "title", "published", "source", "score", "snippet", "matches"} < set(hit)
    code, doc, _ = run("search", "Hnin")
    [hit] = doc["hits"]
    assert (hit["sensitive"], hit["sensitive_reason"]) == (True, "personal")
    # The same article, its snippet elsewhere: nothing sensitive shown, nothing marked.
    code, doc, _ = run("search", "nurses")
    assert code == 0
    [hit] = doc["hits"]
    assert "Hnin" not in hit["snippet"]
    assert (hit["sensitive"], hit["sensitive_reason"]) == (False, "")

    lines = text_of("search", "Officials").splitlines()
    assert lines[1].startswith("    [sensitive: graphic] [[Officials]] said")
    assert "    [sensitive: personal] …at least 42" in text_of("search", "Hnin")
    assert "[sensitive" not in text_of("search", "nurses")


def test_search_marks_a_flag_without_a_reason(flagged: dict[str, str]) -> None:
    with Archive.open(os.environ["SESAME_ARCHIVE"]) as archive:
        review.flag_articles(archive, [flagged["two"]], False)
        review.flag_articles(archive, [flagged["two"]], True)  # the reason cleared stays
    assert "    [sensitive] [[Officials]]" in text_of("search", "Officials")


def test_show_marks_the_article_and_its_passages(flagged: dict[str, str]) -> None:
    code, doc, _ = run("show", flagged["two"])
    assert code == 0 and (doc["sensitive"], doc["sensitive_reason"]) == (True, "graphic")
    text = text_of("show", flagged["two"])
    before, _, after = text.partition("Officials said on Tuesday")
    assert before.rstrip().endswith("[sensitive: graphic] this article")

    code, doc, _ = run("show", flagged["one"])
    assert code == 0 and doc["sensitive"] is False
    [ann] = doc["annotations"]
    assert (ann["sensitive"], ann["sensitive_reason"]) == (True, "personal")
    text = text_of("show", flagged["one"])
    start = int(flagged["start"])
    before, _, after = text.partition("Strike Spreads Among Hospital Staff\n\nYangon")
    assert f"[sensitive: personal] the passage at {start}-{start + 12}" in before
    assert "this article" not in before
    assert f"[{start}-{start + 12}] actor -> Hnin Wai: [sensitive: personal] Daw Hnin Wai" in after
