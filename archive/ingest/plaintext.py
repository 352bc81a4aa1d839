"""Plain text and Markdown articles (.txt, .md).

Heuristics for article files as people save them (see the seed files):

- Title: a Markdown heading (`# Title`) or the first short line that reads
  like a heading. Lines that are dates (`date 2021-03-05`), bylines, links or
  photo captions (a line ending in a credit such as "- AP" or
  "- Name /Getty Images") are skipped. With no heading at all, the title is
  the lead paragraph's first sentence, cut at a word boundary to 90
  characters with "…".
- Date: "Date first published: 5 March 2021" wins over a labelled
  `date 2021-03-05`, which wins over the date on a trailing source line
  ("- The Irrawaddy 5 March 2021:"), which wins over any other date in the
  header lines. Dates in the body are never used.
- URL: the first `<https://...>` link; any others go to `meta["urls"]`.
- Source (the publication): a trailing "- Publication [date]:" line, else
  "by [Publication](...)" (a linked "by"), else a "Source: ..." line.
- Byline: "By Name" or ", by Name" in a header line (not linked).
- Digest: a file holding several articles, each ending with its own
  `<https://...>` link line, is split into one article per part. A leading
  list of titles (one per part) gives each part its title and is not
  repeated in the first part's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.ingest.metadata import find_date, shorten, title_from_text
from archive.ingest.parsed import ParsedArticle

_LINK_LINE = re.compile(r"^\s*<(https?://[^>\s]+)>\s*$")
_ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
_LABELLED_URL = re.compile(r"^\s*(?:url|source|link|original)\s*:\s*(https?://\S+)\s*$", re.I)
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
# "Label: value" header lines; "Title:" gives the title, "Author:" the byline.
_LABEL_LINE = re.compile(
    r"^\s*(?P<label>title|headline|author|writer|source|publication|url|link|original|tags?|"
    r"category|section|keywords)\s*:\s*(?P<value>.*?)\s*$",
    re.I,
)
_FIRST_PUBLISHED = re.compile(r"first\s+published\s*:?\s*", re.I)
_DATE_LABEL = re.compile(
    r"^\s*(?:date(?:d)?|published(?:\s+on)?|posted(?:\s+on)?)\s*[:\-]?\s+", re.I
)
_BY_LINKED = re.compile(r"(?:^|[\s,(|])by\s+\[([^\]]+)\]\([^)]*\)", re.I)
_BY_NAME = re.compile(
    r"(?:^|[,(|]\s*)(?:by|By|BY)\s+(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|bin|al|and|&))"
    r"{0,6})"
)
_SOURCE_LABEL = re.compile(r"^\s*(?:source|publication)\s*:\s*(?P<name>[^<\n]+?)\s*$", re.I)
_TRAILER = re.compile(r"^\s*[-–—•*]\s+(?P<body>.+?)\s*:?\s*$")
# A photo caption ends with " - Credit": a few capitalised words, maybe with "/".
_CAPTION = re.compile(r"\s[-–—]\s*(?P<credit>[A-Z][\w.'’-]*(?:\s*/?\s*[A-Z][\w.'’-]*){0,5})\s*$")
_SENTENCE_PUNCT = (".", ",", ";", ":")
HEADING_MAX_CHARS = 160
HEADING_MAX_WORDS = 25
DIGEST_PART_MIN_WORDS = 40


@dataclass
class _Line:
    index: int
    text: str


def _nonblank(lines: list[str]) -> list[_Line]:
    return [_Line(i, line.strip()) for i, line in enumerate(lines) if line.strip()]


def _is_link_line(line: str) -> bool:
    return _LINK_LINE.match(line) is not None


def _strip_markdown_links(line: str) -> str:
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)


def _is_dateline(line: str) -> bool:
    """A line that is mostly a date (and maybe a "by" or "first published")."""
    if _FIRST_PUBLISHED.search(line) or _DATE_LABEL.match(line):
        return True
    found = find_date(line)
    if found is None:
        return False
    rest = line[: found.start] + line[found.end :]
    rest = _BY_LINKED.sub("", rest)
    rest = re.sub(r"\bby\b.*", "", rest, flags=re.I)
    words = re.findall(r"[^\W\d_]+", rest)
    weekdays = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    return len([w for w in words if w.lower() not in weekdays]) <= 3


def _is_caption(line: str) -> bool:
    if line.endswith(_SENTENCE_PUNCT) or line.startswith("#"):
        return False
    match = _CAPTION.search(line)
    return match is not None and len(match.group("credit")) <= 50


def _is_byline(line: str) -> bool:
    return re.match(r"^\s*by\s+\S", line, re.I) is not None and len(line.split()) <= 10


def _looks_like_heading(line: str) -> bool:
    if len(line) > HEADING_MAX_CHARS or len(line.split()) > HEADING_MAX_WORDS:
        return False
    if line.endswith(_SENTENCE_PUNCT) or _is_link_line(line):
        return False
    return bool(re.search(r"[^\W\d_]", line))


def _strip_date_label(line: str) -> str:
    """What follows a leading `date 2021-03-05` on a line ("" if nothing)."""
    label = _DATE_LABEL.match(line)
    if not label:
        return line
    rest = line[label.end() :]
    found = find_date(rest, allow_year=True)
    if found is None or found.start > 0:
        return line
    return rest[found.end :].strip(" ,;:-–—")


def _title(lines: list[_Line], filename: str) -> tuple[str, set[int]]:
    """The title and the indexes of lines that were skipped as captions."""
    captions: set[int] = set()
    head = lines[:8]
    for line in head[:5]:
        heading = _MD_HEADING.match(line.text)
        if heading:
            return shorten(_strip_markdown_links(heading.group(2)), 300), captions
    for line in head:
        label = _LABEL_LINE.match(line.text)
        if label:
            if label.group("label").lower() in ("title", "headline") and label.group("value"):
                return shorten(_strip_markdown_links(label.group("value")), 300), captions
            continue
        text = _strip_markdown_links(_strip_date_label(line.text))
        if not text or _is_dateline(line.text) or _is_byline(text) or _is_link_line(text):
            continue
        if _is_caption(text):
            captions.add(line.index)
            continue
        if _looks_like_heading(text):
            # A short heading-like line followed by a long one is a title; a short
            # line as the only content is one too.
            return shorten(text, 300), captions
        # A body paragraph: nothing before it read as a title.
        return title_from_text(text), captions
    body = next((line.text for line in lines if not _is_link_line(line.text)), "")
    if body:
        return title_from_text(_strip_markdown_links(body)), captions
    return filename, captions


def _header_lines(lines: list[_Line]) -> list[_Line]:
    """The lines before the body: short lines at the top (at most 8)."""
    header: list[_Line] = []
    for line in lines[:8]:
        if len(line.text) > 250 and not _FIRST_PUBLISHED.search(line.text):
            break
        header.append(line)
    return header


def _trailer(lines: list[_Line]) -> tuple[str | None, str | None]:
    """(publication, the line's text) of a trailing "- Publication 5 March 2021:" line."""
    for line in reversed(lines[-6:]):
        match = _TRAILER.match(line.text)
        if not match or len(line.text) > 120:
            continue
        body = match.group("body")
        found = find_date(body)
        name = body[: found.start] if found else body
        name = name.strip(" ,;:-–—")
        if name and len(name.split()) <= 8 and not name.endswith("."):
            return name, body
    return None, None


def parse_article(text: str, filename: str) -> ParsedArticle:
    """Metadata for one article whose canonical text is `text`."""
    lines = _nonblank(text.split("\n"))
    title, captions = _title(lines, filename)
    title = title or filename
    header = _header_lines(lines)
    meta: dict[str, object] = {}

    urls = _ANGLE_URL.findall(text)
    if not urls:
        urls = [m.group(1) for line in lines if (m := _LABELLED_URL.match(line.text))]
    url = urls[0] if urls else None
    if len(urls) > 1:
        meta["urls"] = urls[1:]

    source, trailer_text = _trailer(lines)
    byline = None
    for line in header:
        linked = _BY_LINKED.search(line.text)
        if linked and source is None:
            source = linked.group(1).strip()
        if not linked and byline is None:
            by = _BY_NAME.search(line.text)
            if by and line.index not in captions:
                byline = by.group("name").strip()
        label = _SOURCE_LABEL.match(line.text)
        if label and source is None and not label.group("name").startswith("http"):
            source = label.group("name")
        author = _LABEL_LINE.match(line.text)
        if (
            author
            and byline is None
            and author.group("label").lower() in ("author", "writer")
            and author.group("value")
        ):
            byline = author.group("value")
    if byline and source and byline.casefold() == source.casefold():
        byline = None

    published, precision = _published(header, trailer_text)
    return ParsedArticle(
        title=title,
        text=text,
        source=source,
        url=url,
        byline=byline,
        published=published,
        published_precision=precision,
        meta=meta,
    )


def _published(header: list[_Line], trailer_text: str | None) -> tuple[str | None, str]:
    for line in header:
        first = _FIRST_PUBLISHED.search(line.text)
        if first:
            found = find_date(line.text[first.end() :], allow_year=True)
            if found:
                return found.iso, found.precision
    for line in header:
        label = _DATE_LABEL.match(line.text)
        if label:
            found = find_date(line.text[label.end() :], allow_year=True)
            if found and found.start == 0:
                return found.iso, found.precision
    if trailer_text:
        found = find_date(trailer_text)
        if found:
            return found.iso, found.precision
    for line in header:
        if _is_dateline(line.text):
            found = find_date(line.text)
            if found:
                return found.iso, found.precision
    return None, "unknown"


# -- digests -------------------------------------------------------------------------


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines if not _is_link_line(line))


def _split_digest(lines: list[str]) -> list[list[str]] | None:
    """The parts of a digest (each ending with its link line), or None for one article."""
    link_rows = [i for i, line in enumerate(lines) if _is_link_line(line)]
    if len(link_rows) < 2:
        return None
    parts: list[list[str]] = []
    start = 0
    for row in link_rows:
        segment = lines[start : row + 1]
        if parts and _words(segment) < DIGEST_PART_MIN_WORDS:
            parts[-1].extend(segment)  # a second link of the same article
        else:
            parts.append(segment)
        start = row + 1
    tail = lines[start:]
    if parts and _words(tail) < DIGEST_PART_MIN_WORDS:
        parts[-1].extend(tail)
    else:
        parts.append(tail)
    if len(parts) < 2 or _words(parts[0]) < DIGEST_PART_MIN_WORDS:
        return None
    # Each later part opens with its own title; an article that merely has a
    # link line in the middle goes on with a sentence instead.
    for part in parts[1:]:
        first = next((line.strip() for line in part if line.strip()), "")
        if not _looks_like_heading(_strip_markdown_links(first).lstrip("# ")):
            return None
    return parts


def _norm_title(text: str) -> str:
    return " ".join(_strip_markdown_links(text).lstrip("#").split()).casefold()


def parse_plaintext(text: str, filename: str) -> list[ParsedArticle]:
    """One article, or one per part of a digest, from canonical text."""
    lines = text.split("\n")
    parts = _split_digest(lines)
    if parts is None:
        return [parse_article(text, filename)]

    # A leading list of titles, one per part, names the parts.
    top = _nonblank(parts[0])
    listed: list[_Line] = []
    for line in top:
        if not _looks_like_heading(line.text) or _is_dateline(line.text):
            break
        listed.append(line)
    titles: list[str] | None = None
    if len(listed) >= len(parts):
        titles = [" ".join(_strip_markdown_links(line.text).lstrip("#").split()) for line in listed]
        # The list entries after the first part's own title belong to later parts.
        drop = {line.index for line in listed[1 : len(parts)]}
        parts[0] = [line for i, line in enumerate(parts[0]) if i not in drop]

    from archive.ingest.textnorm import normalise

    articles = []
    for number, part in enumerate(parts):
        part_text = normalise("\n".join(part))
        article = parse_article(part_text, filename)
        if titles is not None:
            own = _nonblank(part)
            article.title = titles[number]
            if number > 0 and own and _norm_title(own[0].text) != _norm_title(titles[number]):
                # The part does not start with its listed title: trust the part.
                article = parse_article(part_text, filename)
        article.meta.update({"digest_of": filename, "digest_part": number + 1})
        articles.append(article)
    return articles
