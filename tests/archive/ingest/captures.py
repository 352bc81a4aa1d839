"""Web captures written for the tests: WARC and WACZ files made with warcio, MHTML with
the email package, a SingleFile page. Each page is a short news story."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from email.message import EmailMessage
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

PARAGRAPH = (
    "More than 600 police were deployed at the port of Derin on Monday, according to a "
    "union leader who counted the trucks at the gate before dawn."
)


def page_html(title: str, paragraphs: int = 3, extra: str = "") -> str:
    body = "".join(f"<p>{PARAGRAPH} {title} {n}.</p>" for n in range(paragraphs))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<link rel='stylesheet' href='https://cdn.example.org/site.css'></head><body>"
        f"<article><h1>{title}</h1>{body}{extra}</article>"
        "<img src='https://cdn.example.org/logo.png'></body></html>"
    )


Page = tuple[str, str, str]  # url, html, WARC-Date


def pages(count: int, prefix: str = "https://news.example.org/story-") -> list[Page]:
    return [
        (
            f"{prefix}{n}",
            page_html(f"Story {n} from the port"),
            f"2024-03-{n % 28 + 1:02d}T10:0{n % 10}:00Z",
        )
        for n in range(count)
    ]


def warc_bytes(
    captured: list[Page],
    *,
    gzip: bool = False,
    software: str | None = "auto-archiver 0.11",
    resources: bool = True,
    bad_digest: set[str] | None = None,
) -> bytes:
    """A WARC with a warcinfo record, each page's request and response, and its image,
    stylesheet and a redirect (unless `resources` is False)."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    if software:
        writer.write_record(
            writer.create_warcinfo_record("test.warc", {"software": software, "format": "WARC 1.1"})
        )
    for url, html, date in captured:
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        extra = {"WARC-Date": date}
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html.encode("utf-8")),
            http_headers=headers,
            warc_headers_dict=extra,
        )
        writer.write_record(record)
        if resources:
            write_resource(writer, url + "/logo.png", "image/png", b"\x89PNG\r\n\x1a\n....")
            write_resource(writer, url + "/site.css", "text/css", b"body{color:red}")
            write_resource(writer, url + "/app.js", "application/javascript", b"alert(1)")
            redirect = StatusAndHeaders("301 Moved", [("Location", url)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url + "/old", "response", payload=io.BytesIO(b""), http_headers=redirect
                )
            )
    data = buf.getvalue()
    for url in bad_digest or ():
        # The page changed after capture: same length, so only the digests tell.
        at = data.index(f"WARC-Target-URI: {url}\r\n".encode())
        hit = data.index(b"600 police", at)
        data = data[:hit] + b"900 police" + data[hit + 10 :]
    return data


def write_resource(writer: WARCWriter, url: str, content_type: str, data: bytes) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(url, "response", payload=io.BytesIO(data), http_headers=headers)
    )


def wacz_bytes(
    captured: list[Page], *, software: str = "Browsertrix-Crawler 1.1", warc: bytes | None = None
) -> bytes:
    """A WACZ: archive/data.warc.gz, pages/pages.jsonl, datapackage.json with hashes."""
    data = warc if warc is not None else warc_bytes(captured, gzip=True, software=None)
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})]
    lines += [
        json.dumps({"url": url, "ts": date, "title": f"Listed {url}"}) for url, _, date in captured
    ]
    package = {
        "profile": "data-package",
        "wacz_version": "1.1.1",
        "software": software,
        "resources": [
            {
                "name": "data.warc.gz",
                "path": "archive/data.warc.gz",
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("archive/data.warc.gz"), data)
        zf.writestr("pages/pages.jsonl", "\n".join(lines) + "\n")
        zf.writestr("datapackage.json", json.dumps(package))
    return out.getvalue()


def mhtml_bytes(url: str, title: str, date: str = "Tue, 05 Mar 2024 17:30:00 +0700") -> bytes:
    """A page saved by Chrome as "Webpage, single file": multipart/related, quoted-printable."""
    root = MIMEMultipart("related", type="text/html")
    root["From"] = "<Saved by Blink>"
    root["Snapshot-Content-Location"] = url
    root["Subject"] = title
    root["Date"] = date
    html = MIMEText(page_html(title), "html", "utf-8")
    html["Content-Location"] = url
    root.attach(html)
    image = MIMEImage(b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "png")
    image["Content-Location"] = "https://cdn.example.org/logo.png"
    root.attach(image)
    return root.as_bytes()


def singlefile_html(url: str, title: str, saved: str) -> bytes:
    """A page saved with the SingleFile extension (its header comment as it writes it)."""
    html = page_html(title)
    comment = f"<!--\n Page saved with SingleFile \n url: {url} \n saved date: {saved}\n-->"
    return html.replace("<html lang='en'>", "<html lang='en'>" + comment, 1).encode("utf-8")


def plain_message() -> bytes:
    message = EmailMessage()
    message["Subject"] = "not a page"
    message.set_content("hello")
    return message.as_bytes()
