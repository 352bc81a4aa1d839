"""Sample files written by the tests themselves (never third-party text)."""

from __future__ import annotations

import io
from email.message import EmailMessage

ARTICLE = """# Teachers march in the river town

Date first published: 12 April 2022

By Mira Solano

Several hundred teachers walked through the river town on Tuesday, asking for
salaries that have not been paid since January.

The district office said the payments would resume next month, a promise the
teachers said they had heard before.

- The Valley Courier 12 April 2022:

<https://courier.example.org/2022/04/teachers-march>
"""


def pdf_bytes(
    pages: list[list[str]], *, title: str | None = None, created: str | None = None
) -> bytes:
    """A small valid PDF whose pages carry the given lines as real text."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for lines in pages:
        ops = [b"BT /F1 12 Tf 14 TL 72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + escaped.encode("latin-1") + b") Tj T*")
        ops.append(b"ET")
        if not lines:  # a "scan": only a grey box, no text
            ops = [b"0.5 g 72 72 400 600 re f"]
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        page = add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_obj, font, content)
        )
        kids.append(page)
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = None
    entries = b""
    if title:
        entries += b"/Title (" + title.encode("latin-1") + b") "
    if created:  # e.g. "D:20261121093000"
        entries += b"/CreationDate (" + created.encode("latin-1") + b") "
    if entries:
        info = add(b"<< " + entries + b">>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def docx_bytes(title: str, paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    """A Word document with a Title paragraph, body paragraphs and maybe a table."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=0)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def eml_bytes(
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    *,
    sender: str = "Field Reporter <reporter@example.org>",
    date: str = "Fri, 05 Mar 2021 09:30:00 +0000",
) -> bytes:
    """An e-mail with a plain-text body and attachments (name, bytes, mime type)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "desk@example.org"
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = "<test-1@example.org>"
    message.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def html_page(title: str, paragraphs: list[str], *, lang: str = "en") -> str:
    """A saved news page with navigation, share buttons and comments around the article."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title} | The Hill Gazette</title>
<link rel="canonical" href="https://gazette.example.net/news/{abs(hash(title)) % 10000}">
<meta property="og:site_name" content="The Hill Gazette">
<meta name="author" content="Tomas Vale">
<meta property="article:published_time" content="2023-07-14T08:00:00+00:00">
<script src="https://cdn.example.net/tracker.js"></script>
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<div class="social-share">Share on Facebook | Share on Twitter | Email this story</div>
<main><article><h1>{title}</h1>
<p class="byline">By Tomas Vale</p>
{body}
<img src="https://images.example.net/photo.jpg" alt="">
</article></main>
<section id="comments" class="comments"><h2>Comments</h2>
<div class="comment"><p>COMMENTJUNK first! Visit my shop for cheap watches.</p></div></section>
<footer><p>FOOTERJUNK Copyright 2023 The Hill Gazette. All rights reserved.</p></footer>
</body></html>"""
