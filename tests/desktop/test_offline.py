"""The offline guarantee (issue 10): nothing Sesame does opens a network connection.

Every Python-level way out (socket connect, create_connection, name lookups) fails
loudly and is recorded for the whole test, and an HTML page full of remote
resources (images, scripts, iframes, stylesheets, fonts, srcset, meta refresh,
prefetch) points them at a loopback HTTP server that counts what it is asked for —
which also catches Qt's own sockets, out of Python's sight. Import, search,
tagging, every export, a bundle out and back in, and the real window reading the
page, searching and tagging it: the server must see no request and no code may
have tried to connect anywhere.
"""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import Qt

from archive.cli import main


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    """A local HTTP server; the test asserts it was never asked for anything."""
    _Counter.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every outgoing connection or name lookup raises and is recorded (local IPC allowed)."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def refuse(what: str) -> None:
        attempts.append(what)
        raise OSError(f"network use in an offline test: {what}")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        refuse(f"connect {address!r}")

    def connect_ex(self: socket.socket, address: Any) -> int:
        connect(self, address)
        return 0

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(
        socket, "create_connection", lambda address, *a, **k: refuse(f"create {address!r}")
    )
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: refuse(f"lookup {host!r}"))
    monkeypatch.setattr(socket, "gethostbyname", lambda host: refuse(f"lookup {host!r}"))
    yield attempts


def _page(base: str) -> str:
    remote = ["https://cdn.example.invalid", base]
    tags = []
    for i, where in enumerate(remote):
        tags += [
            f'<link rel="stylesheet" href="{where}/style{i}.css">',
            f'<link rel="preconnect" href="{where}/">',
            f'<link rel="prefetch" href="{where}/next{i}.html">',
            f'<link rel="icon" href="{where}/favicon{i}.ico">',
            f'<script src="{where}/tracker{i}.js"></script>',
            f"<style>@import url('{where}/imported{i}.css'); "
            f"@font-face {{ font-family: F; src: url('{where}/font{i}.woff2'); }} "
            f"body {{ background: url('{where}/bg{i}.png'); }}</style>",
        ]
    head = "".join(tags) + f'<meta http-equiv="refresh" content="0; url={base}/refresh">'
    body = "".join(
        f'<img src="{where}/photo{i}.jpg" srcset="{where}/photo{i}@2x.jpg 2x">'
        f'<iframe src="{where}/frame{i}.html"></iframe>'
        f'<video poster="{where}/poster{i}.jpg"><source src="{where}/clip{i}.mp4"></video>'
        f'<object data="{where}/object{i}.swf"></object><embed src="{where}/embed{i}.swf">'
        f'<picture><source srcset="{where}/pic{i}.webp"><img src="{where}/pic{i}.png"></picture>'
        for i, where in enumerate(remote)
    )
    body += '<img src="file:///etc/hostname">'
    return (
        f"<!doctype html><html><head><title>Riot police block the river bridge</title>{head}"
        "</head><body><article><h1>Riot police block the river bridge</h1>"
        "<p>More than 300 riot police blocked the river bridge on Sunday, witnesses said. "
        "The offline canary word is zyzzogeton.</p><p>Shops along the river stayed shut "
        "and the bridge was still closed by the evening, residents said.</p>"
        f"{body}</article></body></html>"
    )


def _cli(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    assert code == 0, out.getvalue() + err.getvalue()
    return out.getvalue()


def test_cli_and_window_never_touch_the_network(
    qtbot: Any, tmp_path: Path, loopback: str, no_network: list[str], archive: Any, settings: Any
) -> None:
    page = tmp_path / "capture.html"
    page.write_text(_page(loopback), "utf-8")
    where = str(tmp_path / "cli-archive")
    _cli("--archive", where, "import", str(page))
    assert "river bridge" in _cli("--archive", where, "search", "zyzzogeton")
    article = json.loads(_cli("--archive", where, "--json", "list"))[0]["id"]
    _cli(
        "--archive",
        where,
        "tag",
        article,
        "--quote",
        "riot police",
        "--type",
        "actor",
        "--entity",
        "Riot police",
    )
    _cli(
        "--archive",
        where,
        "tag",
        article,
        "--quote",
        "More than 300 riot police",
        "--type",
        "figure",
        "--prefill",
        "--allow-overlap",
    )
    for fmt, name in (
        ("w3c", "a.jsonld"),
        ("csv", "a.csv"),
        ("report", "r.html"),
        ("qdpx", "p.qdpx"),
    ):
        _cli("--archive", where, "export", fmt, str(tmp_path / name))
    report = (tmp_path / "r.html").read_text("utf-8")
    assert loopback not in report and "cdn.example.invalid" not in report
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text("offline passphrase\n", "utf-8")
    bundle = str(tmp_path / "out.sesame")
    _cli("--archive", where, "export-bundle", bundle, "--passphrase-file", str(passphrase))
    _cli("--archive", where, "verify-bundle", bundle, "--passphrase-file", str(passphrase))
    receiver = str(tmp_path / "receiver")
    _cli("--archive", receiver, "import-bundle", bundle, "--passphrase-file", str(passphrase))
    assert "river bridge" in _cli("--archive", receiver, "search", "zyzzogeton")

    # The real window on another archive: the page imported, searched, read; the guide.
    from desktop.main_window import create_main_window

    win = create_main_window(archive, settings)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.library.loaded, timeout=10000):
        win.show()
    try:
        with (
            qtbot.waitSignal(win.importer.importFinished, timeout=30000),
            qtbot.waitSignal(win.library.loaded, timeout=30000),
        ):
            win.importer.import_paths([page])
        win.find_action.trigger()
        qtbot.keyClicks(win.search.query_edit, "zyzzogeton")
        with qtbot.waitSignal(win.search.hitsShown, timeout=30000) as shown:
            qtbot.keyClick(win.search.query_edit, Qt.Key.Key_Return)
        assert shown.args[0] == 1
        with qtbot.waitSignal(win.ctx.articleOpenRequested, timeout=5000):
            win.search.results.activated.emit(win.search.model.index(0))
        qtbot.wait(300)  # let the reader draw the page (and ask for anything it would)
        win.guide_action.trigger()  # the guide's pictures are package files
        qtbot.wait(200)
    finally:
        win.shutdown()
        qtbot.wait(1)
    assert _Counter.hits == [], f"resources fetched: {_Counter.hits[:5]}"
    assert no_network == [], f"network use: {no_network[:5]}"
