"""Case notes drawn from their Markdown for the report (archive/exports/notes_markdown.py):
formatting kept, HTML escaped, nothing loaded, names protected, Sesame links the report's."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.exports.notes_markdown import render_notes
from archive.notes import passage_link

ID = "0123456789abcdef0123456789abcdef"


def _draw(kind: str, ref: str, label: str | None) -> str:
    return f"<LINK {kind} {ref} {label!r}>"


def _render(text: str) -> str:
    return render_notes(text, lambda s: s.replace("Hnin Wai", "Person A"), _draw)


def test_formatting_is_rendered_under_the_reports_headings() -> None:
    page = _render(
        "# Raid\n\n## Who\n\n- **Hnin Wai**, *nurse*\n- ~~wrong~~ `Hnin Wai`\n\n"
        "| who | when |\n| --- | --- |\n| Hnin Wai | 3 March |\n\n```python\nHnin Wai\n```\n"
    )
    assert "<h4>Raid</h4>" in page and "<h5>Who</h5>" in page and "<h1>" not in page
    assert "<li><strong>Person A</strong>, <em>nurse</em></li>" in page
    assert "<s>wrong</s>" in page and "<code>Person A</code>" in page
    assert "<td>Person A</td>" in page and "Hnin Wai" not in page
    assert "<pre><code>Person A\n</code></pre>" in page  # no language class


def test_html_is_text_and_nothing_is_loaded() -> None:
    page = _render(
        '<script>alert(1)</script>\n\n<img src="http://example.org/x.png" onerror="x()">\n\n'
        "![map of Hnin Wai's town](http://example.org/map.png)\n\n"
        "[click](javascript:alert(1)) [site](https://example.org/Hnin Wai) "
        '[site](https://example.org/a "about Hnin Wai")\n'
    )
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "&lt;img" in page
    assert "[image: map of Person A's town]" in page
    assert 'href="javascript' not in page and "[click](javascript:alert(1))" in page
    assert '<a href="https://example.org/a" title="about Person A">site</a>' in page


def test_sesame_links_are_drawn_by_the_report() -> None:
    page = _render(
        f"{passage_link(ID, 'Daw [Hnin] Wai')} said it; see <sesame:entity/{ID[:8]}> and "
        f"sesame:annotation/{ID[:6]}, not [this](sesame:article/{ID}) or sesame:entity/abc."
    )
    assert f"<LINK annotation {ID} 'Daw [Hnin] Wai'>" in page
    assert f"<LINK entity {ID[:8]} None>" in page and f"<LINK annotation {ID[:6]} None>" in page
    assert "not this or sesame:entity/abc." in page and "sesame:article" not in page


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>[]()!*_`#|-:/=\"' \nabsrcjvt&;\\")), max_size=80))
def test_any_notes_render_without_tags_of_their_own(text: str) -> None:
    page = render_notes(text, lambda s: s, lambda kind, ref, label: "")
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", page))
    assert tags <= {
        "p", "h4", "h5", "h6", "em", "strong", "s", "code", "pre", "ul", "ol", "li", "a",
        "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
    }  # fmt: skip
    assert not re.search(r"href=\"\s*(javascript|vbscript|file|data):", page, re.I)
    attributes = set(re.findall(r'\s([a-zA-Z-]+)="', "".join(re.findall(r"<[^>]*>", page))))
    assert attributes <= {"href", "title", "style", "start"}
