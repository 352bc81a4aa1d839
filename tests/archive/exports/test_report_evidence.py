"""The report's evidence model (HTML and PDF): roles with their quotes, relations, review and
verification, figure ranges and their comparison, case notes; --without-sensitive honoured."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from archive import annotate, models, notes, review, roles
from archive.exports.pdf import export_pdf
from archive.exports.report import export_report
from archive.exports.report_evidence import LEFT_OUT
from archive.exports.selection import Selection
from archive.store import Archive
from tests.archive.exports.conftest import BURMESE, REPORT
from tests.archive.exports.test_pdf import _fonts, _pages
from tests.archive.test_timeline import build_case

SECRET = "Daw Hnin Wai"  # the victim's passage, flagged sensitive in `flagged`


def _figure(archive: Archive, article_id: str, quote: str, text: str = REPORT, **kw: object) -> str:
    start, end = annotate.find_quote(text, quote)
    return annotate.create_annotation(
        archive,
        article_id,
        start,
        end,
        "figure",
        entity_name="Strikers",
        **kw,  # type: ignore[arg-type]
    ).id


@pytest.fixture
def case(archive: Archive) -> dict[str, str]:
    """The timeline's case, with a relation, reviews, verifications, figures and notes."""
    ids = build_case(archive)
    roles.add_relation(archive, ids["kyaw"], ids["hnin"], "commands", annotation_id=ids["perp_ann"])
    review.set_review(archive, [ids["one"]], status="reviewed", assignee="Ma Thida")
    review.verify_article(archive, [ids["one"]], "corroborated", note="two papers agree")
    review.verify_claim(archive, ids["perp_ann"], "verified", note="seen on video")
    with archive.change("sources") as ch:
        art = ch.session.get(models.Article, ids["three"])
        assert art is not None
        art.source = "Paper B"
        ch.session.add(art)
    ids["f1"] = _figure(archive, ids["one"], "More than 250 nurses")
    ids["f2"] = _figure(archive, ids["two"], "More than 250 nurses", value=250.0, low=200.0,
                      high=300.0)  # fmt: skip
    ids["f3"] = _figure(archive, ids["three"], "42 hospital staff", value=42.0, qualifier="exactly")
    review.verify_claim(archive, ids["f2"], "disputed", note="union figure")
    victim = notes.passage_link(ids["victim_ann"], SECRET)
    notes.set_notes(
        archive, "Case",
        f"## Findings\nThe raid: {victim}; who ordered it: sesame:entity/{ids['kyaw']}.\n"
        "<script>alert(1)</script>",
    )  # fmt: skip
    return ids


class _Text(HTMLParser):
    """The page's text, per h2 section (its heading the key), its element ids and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, list[str]] = {"": []}
        self.current = ""
        self.in_h2 = False
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "h2":
            self.in_h2, self.current = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.in_h2 = False
            self.sections.setdefault(self.current, [])
        elif tag in ("li", "p", "h3", "tr", "td", "th"):
            self.sections[self.current].append(" ")

    def handle_data(self, data: str) -> None:
        if self.in_h2:
            self.current += data
        else:
            self.sections[self.current].append(data)

    def section(self, heading: str) -> str:
        return " ".join("".join(self.sections.get(heading, [])).split())


def _read(path: Path) -> tuple[str, _Text]:
    parsed = _Text()
    parsed.feed(path.read_text("utf-8"))
    return " ".join(parsed.section(h) for h in parsed.sections), parsed


def test_roles_relations_review_figures_and_notes(
    archive: Archive, case: dict[str, str], tmp_path: Path
) -> None:
    result = export_report(archive, tmp_path / "r.html")
    assert result["roles"] == 3 and result["relations"] == 1
    text, parsed = _read(tmp_path / "r.html")
    # Every internal link lands somewhere in the page.
    internal = [h[1:] for h in parsed.hrefs if h.startswith("#")]
    assert internal and set(internal) <= parsed.ids
    events = parsed.section("Events")
    raid = events[events.index("Hospital raid") : events.index("Mandalay marches")]
    assert "Who did what to whom:" in raid
    assert (
        "Perpetrator: Kyaw Swar Lin — One: “Major Kyaw Swar Lin” — verified: seen on video" in raid
    )
    assert "Victim: Hnin Wai — Three: “Daw Hnin Wai”" in raid
    assert "date precise to the day · place precise to the town" in raid
    relations = parsed.section("Relations between actors")
    assert "Kyaw Swar Lin — commands — Hnin Wai" in relations
    assert "cited 2021-03-05 (1 passage(s))" in relations and "“Major Kyaw Swar Lin”" in relations
    actors = parsed.section("Actors")
    assert "Perpetrator in Hospital raid; commands Hnin Wai" in actors
    figures = parsed.section("Figures, source by source")
    assert (
        "range across sources 42 – 300 · the sources conflict · 2 independent source(s)" in figures
    )
    assert "200 – 250 – 300" in figures and "disputed: union figure" in figures
    review_part = parsed.section("Review")
    assert "One Paper reviewed Ma Thida corroborated two papers agree" in review_part
    assert (
        "Review: reviewed · assigned to Ma Thida · verification: corroborated: two papers agree"
        in text
    )
    notes_part = parsed.section("Case notes")
    assert "Findings" in notes_part and f"The raid: {SECRET};" in notes_part
    assert "who ordered it: Kyaw Swar Lin" in notes_part
    assert f"#a-{case['victim_ann']}" in parsed.hrefs and f"#e-{case['kyaw']}" in parsed.hrefs
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<h5>Findings</h5>" in page  # the notes' Markdown rendered, under the report's h3


def test_a_collection_report_holds_its_notes_only(
    archive: Archive, case: dict[str, str], tmp_path: Path
) -> None:
    export_report(archive, tmp_path / "r.html", Selection(collection="Case"))
    text, parsed = _read(tmp_path / "r.html")
    notes_part = parsed.section("Case notes")
    # The passage linked lives in article `three`, not in the collection.
    assert f"{SECRET} (passage not in this report)" in notes_part
    # Only `two` is chosen: no role rests on its passages, the strike's victim neither.
    assert "Who did what to whom" not in text and "No relations are recorded." in text
    export_report(archive, tmp_path / "q.html", Selection(article_ids=(case["one"],)))
    assert _read(tmp_path / "q.html")[1].section("Case notes") == (
        "No collection of this report has case notes."
    )


@pytest.fixture
def flagged(archive: Archive, case: dict[str, str]) -> dict[str, str]:
    review.flag_annotation(archive, case["victim_ann"], True, "personal")
    review.flag_articles(archive, [case["two"]], True, "graphic")
    return case


def test_without_sensitive_leaves_out_roles_and_claims_with_their_passages(
    archive: Archive, flagged: dict[str, str], tmp_path: Path
) -> None:
    result = export_report(archive, tmp_path / "r.html", Selection(without_sensitive=True))
    assert result["roles"] == 1 and result["relations"] == 1  # the victim's two roles are gone
    text, parsed = _read(tmp_path / "r.html")
    # (article `one` holds the same words, unflagged: the quoted passage is what goes)
    assert f"“{SECRET}”" not in text and "Victim" not in text
    assert "union figure" not in text  # the claim in the left-out article `two`
    assert LEFT_OUT in parsed.section("Case notes")
    assert "Perpetrator: Kyaw Swar Lin" in text
    # Without the option, the flags show.
    export_report(archive, tmp_path / "all.html")
    everything, _ = _read(tmp_path / "all.html")
    assert "sensitive (graphic)" in everything and SECRET in everything


def test_pdf_pages_carry_the_evidence_in_burmese_too(
    archive: Archive, case: dict[str, str], tmp_path: Path
) -> None:
    from tests.archive.bundles.conftest import add_report

    burmese = add_report(archive, BURMESE, title="ရန်ကုန် သပိတ်")
    _figure(archive, burmese, "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်", text=BURMESE, value=600.0, low=500.0,
            high=700.0)  # fmt: skip
    out = tmp_path / "r.pdf"
    export_pdf(archive, out, title="Case report")
    pages = [" ".join(p.split()) for p in _pages(out)]
    whole = " ".join(pages)
    for needed in (
        "Who did what to whom:", "Perpetrator: Kyaw Swar Lin", "Relations between actors",
        "Kyaw Swar Lin — commands — Hnin Wai", "500 – 600 – 700", "the sources conflict",
        "verified: seen on video", "Case notes", "Findings",
    ):  # fmt: skip
        assert needed in whole, needed
    burmese_page = next(i for i, p in enumerate(pages) if p.startswith("ရန်ကုန် သပိတ်"))
    assert any("Myanmar" in f or "Padauk" in f for f in _fonts(out, burmese_page))
    figures_page = next(i for i, p in enumerate(pages) if p.startswith("Figures, source by source"))
    assert any("Myanmar" in f or "Padauk" in f for f in _fonts(out, figures_page))
