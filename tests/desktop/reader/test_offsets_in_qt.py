"""The reader's offsets against Qt itself: any span of any text round-trips."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.reading import ReadingArticle
from desktop.reader.text_view import ArticleTextView

PIECES = ["a", "b ", "é", "ရဲ", "ဝင်", "\U0001f600", "✊🏽", "\U0001f1f2\U0001f1f2", "\n", "中"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=40),
    a=st.integers(0, 200),
    b=st.integers(0, 200),
)
def test_select_span_and_read_it_back(qtbot, pieces: list[str], a: int, b: int) -> None:
    text = "".join(pieces)
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    view = ArticleTextView()
    qtbot.addWidget(view)
    view.show_article(ReadingArticle("x", "t", None, None, None, None, None, text, annotations=[]))
    view.select_span(start, end, centre=False)
    if start == end:
        assert view.selection_span() is None
        return
    assert view.selection_span() == (start, end)
    # What Qt selected is exactly those code points (Qt writes \n as U+2029).
    assert view.textCursor().selectedText() == text[start:end].replace("\n", "\u2029")
