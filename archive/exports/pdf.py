"""The PDF report: the HTML report (`archive.exports.report`) laid out on pages by WeasyPrint.

The same content as the HTML report, made to be printed and handed over:
A4 pages with 18 mm margins, the report's title at the head of each page and
"page N of M" at its foot (`@page` CSS), each article and each index on a
new page, headings kept with what follows, the tag colours printed. Burmese
is set in a Myanmar font from the system (Noto Sans Myanmar or Padauk,
found through fontconfig, the report's font list); the fonts used are
embedded in the PDF.

Nothing remote, ever: WeasyPrint is given a URL fetcher that refuses every
URL but `data:` (the report has none; links to the articles' sources stay
links in the PDF and are never fetched), and no base URL.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from archive.errors import SesameError
from archive.exports.files import atomic_file, output_path
from archive.exports.report import FONTS, export_report
from archive.exports.selection import Selection
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn, report

PAGE_CSS = """
@page {
  size: A4; margin: 18mm 16mm 20mm 16mm;
  @top-center { content: string(heading); font-size: 8pt; color: #555; }
  @bottom-center { content: "page " counter(page) " of " counter(pages); font-size: 8pt;
                   color: #555; }
}
@page { @top-center { font-family: %(fonts)s; } @bottom-center { font-family: %(fonts)s; } }
h1 { string-set: heading content(); }
body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
h2, h3 { break-after: avoid; }
tr, mark { break-inside: avoid; }
.text { orphans: 3; widows: 3; }
"""


class PdfUnavailable(SesameError):
    """WeasyPrint or its system libraries (Pango) cannot be loaded."""


def refuse_remote(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """A URL fetcher for WeasyPrint before 70: `data:` URLs only, anything else refused."""
    if url.startswith("data:"):
        from urllib.request import urlopen

        with urlopen(url) as response:  # data: only, checked above
            return {"string": response.read(), "mime_type": response.headers.get_content_type()}
    raise ValueError(f"Sesame never fetches {url[:80]!r}: the report is offline.")


def offline_fetcher(weasyprint: Any) -> Any:
    """The URL fetcher to give WeasyPrint: one that fetches `data:` URLs only."""
    fetcher_class = getattr(weasyprint.urls, "URLFetcher", None)
    if fetcher_class is None:
        return refuse_remote
    return fetcher_class(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)


def _weasyprint() -> Any:
    try:
        import weasyprint
        import weasyprint.urls
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(
            "The PDF report needs WeasyPrint's system libraries (Pango); install them with "
            "`python3 tools/sysdeps.py` (or `apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0`), or export the HTML report instead ({exc})."
        ) from exc
    return weasyprint


def html_to_pdf(html: str, out: Path) -> None:
    """Lay out a report's HTML (with the page rules) and write it as a PDF to `out`."""
    weasyprint = _weasyprint()
    page = html.replace("</style>", PAGE_CSS % {"fonts": FONTS} + "</style>", 1)
    fetcher = offline_fetcher(weasyprint)
    document = weasyprint.HTML(string=page, url_fetcher=fetcher, base_url=None)
    document.write_pdf(str(out), stylesheets=None)


def export_pdf(
    archive: Archive,
    out: str | Path,
    selection: Selection | None = None,
    *,
    title: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Write the selection as a PDF report to OUT; the counts (and the number of pages)."""
    path = output_path(out, "report.pdf")
    _weasyprint()  # say it is missing before any work
    with tempfile.TemporaryDirectory(prefix="sesame-pdf-") as tmp:
        html_path = Path(tmp) / "report.html"
        result = export_report(
            archive, html_path, selection, title=title, progress=progress, cancel=cancel
        )
        if cancel is not None:
            cancel.raise_if_cancelled()
        report(progress, 0, None, "Laying out the pages")  # one step WeasyPrint cannot split
        html = html_path.read_text(encoding="utf-8")
    with atomic_file(path) as part:
        html_to_pdf(html, part)
        if cancel is not None:
            cancel.raise_if_cancelled()
    return {**result, "path": str(path), "format": "pdf", "pages": _pages(path)}


def _pages(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()
