"""A Burmese snippet wraps between syllables, never inside one (Qt's own line breaking
cuts "ထွက်" as "ထွ|က်"; the delegate cuts the lines itself)."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QListView, QStyleOptionViewItem

from archive import segment
from desktop.search.model import SearchResultsModel, SnippetDelegate, snippet_html, wrap_points

BURMESE = (
    "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်သည် အာဏာသိမ်းမှုကို ဆန့်ကျင်သော အာဏာဖီဆန်ရေးလှုပ်ရှားမှုတွင် "
    "ပါဝင်ခဲ့ကြပြီး မြို့တွင်းရှိ ဆန္ဒပြသူများနှင့်အတူ လမ်းများပေါ်သို့ ထွက်ခဲ့ကြသည်။"
)


def _snippet_line_ends(doc, text: str) -> list[int]:
    """Where each laid-out line of the snippet ends, in code points of `text` (the title
    and source lines before it, and the <br> line separators, left out)."""
    doc.size()  # lays the document out
    block = doc.lastBlock()
    shown = block.text()
    plain = shown.replace("\u2028", "")
    offset = plain.index(text[:12])
    assert plain[offset:] == text
    layout = block.layout()
    ends = []
    for n in range(layout.lineCount()):
        line = layout.lineAt(n)
        prefix = shown.encode("utf-16-le")[: 2 * (line.textStart() + line.textLength())]
        end = len(prefix.decode("utf-16-le").replace("\u2028", "")) - offset
        if end > 0:
            ends.append(end)
    return ends


def test_a_burmese_snippet_wraps_between_syllables(qtbot) -> None:
    view = QListView()
    qtbot.addWidget(view)
    model = SearchResultsModel(view)
    start = BURMESE.index("၆၀၀")
    hit = SimpleNamespace(
        id="a", title="Police", source="Myanmar Now", published="2021-03-05", matches=[],
        snippet="", snippet_text=BURMESE, snippet_matches=[(start, start + 3)],
    )  # fmt: skip
    model.set_results([hit], 1)
    delegate = SnippetDelegate(view)
    bounds = set(segment.syllable_bounds(BURMESE))
    for width in (220, 260, 330, 420):
        option = QStyleOptionViewItem()
        option.initFrom(view)
        option.rect = QRect(0, 0, width, 400)
        doc = delegate._document(option, model.index(0))
        assert "background-color" in doc.toHtml()  # the match is marked
        ends = _snippet_line_ends(doc, BURMESE)
        assert len(ends) >= 2, width
        for end in ends:
            assert end in bounds, (width, end, BURMESE[max(0, end - 3) : end + 3])


def test_wrap_points_only_where_a_line_may_break(qtbot) -> None:
    view = QListView()
    qtbot.addWidget(view)
    metrics = QFontMetricsF(view.font())
    allowed = set(segment.line_breaks(BURMESE))
    assert allowed <= set(segment.syllable_bounds(BURMESE))
    for width in (80.0, 150.0, 300.0):
        points = wrap_points(BURMESE, metrics, width)
        assert points and set(points) <= allowed
    assert wrap_points("short", metrics, 300.0) == []
    assert snippet_html("a b", [(2, 3)], [2]) == "a <br><mark>b</mark>"
