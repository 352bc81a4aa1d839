"""Case notes (Markdown) drawn as HTML for the report, by markdown-it-py (CommonMark, with
tables and strikethrough as the notes editor's preview shows them).

What the notes can hold is kept inside the report:
- raw HTML in the notes is shown as text, escaped (markdown-it's `html` option off);
- nothing is loaded: an image is drawn as its description, "[image: …]", never as an
  `<img>` (the report loads nothing from the network, and a PDF holds only data: URLs);
- links with a dangerous scheme (javascript:, vbscript:, file:, data:) are not made
  links (markdown-it's own check);
- headings sit under the report's own (a note's `#` is an `<h4>`);
- every text run, code span, link address and title goes through `plain` (the
  export's pseudonyms), and Sesame's links (`[label](sesame:annotation/ID)`,
  `<sesame:entity/ID>` or bare `sesame:entity/ID`) are drawn by `link`, the report's
  (a passage in the report, an entity's index entry, or a passage left out).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# kind ("annotation" | "entity"), the id as written, the label written (None: none)
LinkDrawer = Callable[[str, str, str | None], str]

SESAME_LINK = re.compile(r"sesame:(annotation|entity)/([0-9A-Za-z]{6,64})")
HEADING_SHIFT = 3  # the report's h1 (title), h2 (section), h3 (a collection's name)


def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render_notes(text: str, plain: Callable[[str], str], link: LinkDrawer) -> str:
    """The notes `text` as HTML (see the module's docstring for what is kept out)."""
    md = _parser()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + HEADING_SHIFT)}"
        elif token.type in ("code_block", "fence"):
            token.content = plain(token.content)
            token.info = ""  # no language class: nothing to highlight
        elif token.type == "inline" and token.children is not None:
            token.children = _inline(token.children, plain, link)
    rendered: str = md.renderer.render(tokens, md.options, {})
    return rendered


def _html(content: str) -> Token:
    from markdown_it.token import Token

    token = Token("html_inline", "", 0)
    token.content = content
    return token


def _text(content: str) -> Token:
    from markdown_it.token import Token

    token = Token("text", "", 0)
    token.content = content
    return token


def _label(tokens: list[Token]) -> str:
    """A link's or an image's words, without their formatting."""
    words = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        elif token.type == "image":
            words.append(_label(token.children or []))
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return "".join(words)


def _inline(children: list[Token], plain: Callable[[str], str], link: LinkDrawer) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(children):
        token = children[i]
        if token.type == "link_open":
            close = next(j for j in range(i + 1, len(children)) if children[j].type == "link_close")
            inner = children[i + 1 : close]
            href = str(token.attrGet("href") or "")
            found = SESAME_LINK.fullmatch(href)
            if found is not None:
                label = None if token.markup == "autolink" else _label(inner)
                out.append(_html(link(found.group(1), found.group(2), label)))
                i = close + 1
                continue
            if href.startswith("sesame:"):  # not a link Sesame can follow: its words only
                out.extend(_inline(inner, plain, link))
                i = close + 1
                continue
            token.attrSet("href", plain(href))
            if token.attrGet("title"):
                token.attrSet("title", plain(str(token.attrGet("title"))))
            out.append(token)
        elif token.type == "image":
            out.append(_text(f"[image: {plain(_label(token.children or []))}]"))
        elif token.type == "text":
            out.extend(_bare_links(token.content, plain, link))
        else:
            if token.type == "code_inline":
                token.content = plain(token.content)
            out.append(token)
        i += 1
    return out


def _bare_links(text: str, plain: Callable[[str], str], link: LinkDrawer) -> list[Token]:
    """A text run, its bare Sesame links drawn by `link`."""
    out: list[Token] = []
    pos = 0
    for m in SESAME_LINK.finditer(text):
        if m.start() > pos:
            out.append(_text(plain(text[pos : m.start()])))
        out.append(_html(link(m.group(1), m.group(2), None)))
        pos = m.end()
    if pos < len(text):
        out.append(_text(plain(text[pos:])))
    return out
