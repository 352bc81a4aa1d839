"""The HTML report: every tagged passage marked in place, the indexes, nothing remote, rendered."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import annotate, entities
from archive.exports.report import export_report, highlight
from archive.exports.selection import Selection
from archive.store import Archive
from tests.archive.exports.conftest import BURMESE, REPORT


class Marks(HTMLParser):
    """The text of each `<div class="text">` and, per annotation id, the offsets it marks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.spans: dict[str, list[tuple[int, int]]] = {}
        self._depth = 0  # > 0 inside a text div
        self._stack: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div" and a.get("class") == "text":
            self._depth = 1
            self.texts.append("")
        elif self._depth:
            self._stack.append(a.get("data-a") if tag == "mark" else None)

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "div":
            self._depth = 0
        elif self._depth:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._depth:
            return
        start = len(self.texts[-1])
        self.texts[-1] += data
        for ann in self._stack:
            if ann:
                spans = self.spans.setdefault(ann, [])
                if spans and spans[-1][1] == start:
                    spans[-1] = (spans[-1][0], start + len(data))
                else:
                    spans.append((start, start + len(data)))


def _report(archive: Archive, tmp_path: Path, selection: Selection | None = None) -> str:
    out = tmp_path / "report.html"
    export_report(archive, out, selection)
    return out.read_text("utf-8")


def test_every_passage_is_marked_in_place(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    page = _report(archive, tmp_path)
    parsed = Marks()
    parsed.feed(page)
    assert parsed.texts == [REPORT, BURMESE]
    offset = {filled["first"]: 0, filled["second"]: 1}
    for ann in annotate.list_annotations(archive):
        spans = parsed.spans[ann.id]
        assert spans == [(ann.start, ann.end)], ann.quote
        assert parsed.texts[offset[ann.article_id]][ann.start : ann.end] == ann.quote
    assert 'class="t-actor"' in page and "mark.t-actor { background: #8ecae6; }" in page


def test_nothing_remote_and_burmese_set_in_a_myanmar_font(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    page = _report(archive, tmp_path)
    lowered = page.lower()
    for remote in ("<script", "<link", "<img", "<iframe", "src=", "@import", "url(", "@font-face"):
        assert remote not in lowered
    assert re.search(r'font-family: [^;]*"Noto Sans Myanmar"', page)
    assert "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်" in page


def test_the_indexes(archive: Archive, filled: dict[str, str], tmp_path: Path) -> None:
    from tests.archive.bundles.conftest import tag

    raid = tag(archive, filled["first"], "raided", "event", entity_name="Hospital raid",
               as_of="2021-03-02")  # fmt: skip
    event_id = annotate.get_annotation(archive, raid).entity_id
    assert event_id
    entities.set_event_details(archive, event_id, date_start="2021-03-02", place="Yangon")
    page = _report(archive, tmp_path)
    actors = page[page.index('id="actors"') : page.index('id="events"')]
    assert "Hnin Wai" in actors and "ဒေါ်ခင်ခင်" in actors
    assert f'href="#a-{filled["hnin"]}"' in actors and f'id="a-{filled["hnin"]}"' in page
    events = page[page.index('id="events"') : page.index('id="figures"')]
    assert "Hospital raid" in events and "2021-03-02 · Yangon" in events
    assert "says 2021-03-02" in events
    figures = page[page.index('id="figures"') :]
    assert "Strikers" in figures and "more than 250 nurses" in figures
    assert figures.count("<tr><td>Paper A") == 2  # one row per claim, source by source


def test_a_selection_and_pseudonyms(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    page = _report(archive, tmp_path, Selection(collection="Case", pseudonymise=("ဒေါ်ခင်ခင်",)))
    assert "Strike Spreads" not in page and "ခင်ခင်" not in page and "Actor A" in page


def test_html_in_an_article_stays_text(archive: Archive, tmp_path: Path) -> None:
    from tests.archive.bundles.conftest import add_report, tag

    aid = add_report(archive, "<script>alert(1)</script> & <b>U Aung</b>\n", title="<i>t</i>")
    tag(archive, aid, "<b>U Aung</b>", entity_name='"><script>x</script>')
    page = _report(archive, tmp_path)
    assert "<script" not in page and "<b>" not in page and "<i>t</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[dict[str, object]]]:
    text = draw(st.text(min_size=1, max_size=60))
    spans = []
    for i in range(draw(st.integers(0, 6))):
        a = draw(st.integers(0, len(text) - 1))
        b = draw(st.integers(a + 1, len(text)))
        spans.append({"id": f"n{i}", "start": a, "end": b, "type_key": "actor", "orphaned": False})
    return text, spans


@given(text_and_spans())
def test_highlight_keeps_the_text_and_marks_each_span(case: tuple[str, list]) -> None:
    text, spans = case
    parsed = Marks()
    parsed.feed(f'<div class="text">{highlight(text, spans, {})}</div>')
    assert parsed.texts == [text]
    for s in spans:
        assert parsed.spans[str(s["id"])] == [(s["start"], s["end"])]


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium is not installed")
def test_rendered_by_headless_chromium(
    archive: Archive, filled: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    export_report(archive, out)
    png, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    for extra in (f"--screenshot={png}", f"--print-to-pdf={pdf}"):
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--window-size=900,1400", extra,
             out.as_uri()],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip
    assert png.stat().st_size > 10_000  # a page with text and colours, not a blank
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
