"""Word documents (.docx): paragraphs and tables, in document order."""

from __future__ import annotations

import io
import zipfile
import zlib

from archive.ingest import textnorm
from archive.ingest.errors import UnreadableFile
from archive.ingest.metadata import shorten
from archive.ingest.parsed import ParsedArticle
from archive.ingest.plaintext import parse_article

# A 400-page report has about 10,000 paragraphs; python-docx reads ~10,000 a
# second here, so a crafted file of millions would hold an import for minutes.
MAX_BLOCKS = 100_000


def read_docx(data: bytes, name: str) -> list[ParsedArticle]:
    """One article from a Word document."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        zlib.error,  # a damaged deflate stream (tests/archive/ingest/test_fuzz_readers.py)
        EOFError,
        OSError,
    ) as exc:
        raise UnreadableFile(
            "not a valid Word (.docx) file; open it in a word processor and save it as "
            ".docx again (an old .doc file must be converted first)"
        ) from exc
    count = len(document.element.body)
    if count > MAX_BLOCKS:
        raise UnreadableFile(
            f"it has {count:,} paragraphs and tables, more than the {MAX_BLOCKS:,} Sesame reads "
            "from one document (a damaged or crafted file? split a real one into parts)"
        )
    blocks: list[str] = []
    heading: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if not text:
                continue
            style = (block.style.name if block.style is not None else "") or ""
            if heading is None and style.startswith(("Title", "Heading")):
                heading = text
            blocks.append(text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                if any(cells):
                    blocks.append(" | ".join(cells))
    raw = "\n\n".join(blocks)
    if not raw.strip():
        raise UnreadableFile("no text found in this Word document")
    canon = textnorm.canonical(raw)
    article = parse_article(canon.text, name)
    if canon.converted_from:
        article.meta["converted_from"] = canon.converted_from
    props = document.core_properties
    if heading:
        article.title = shorten(heading, 300)
    elif props.title and props.title.strip():
        article.title = shorten(props.title, 300)
    if props.author and not article.byline:
        article.byline = props.author.strip() or None
    return [article]
