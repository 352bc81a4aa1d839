"""Every importer fuzzed for a bounded time (issue 10 item 4): a valid file of each
format, mutated (bytes flipped, cut, repeated, spliced), must give articles or an
UnreadableFile with a message — never another exception — both read in this
process and through the import's worker (archive.ingest.sandbox)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.ingest.errors import UnreadableFile
from archive.ingest.parsed import ParsedArticle
from archive.ingest.readers import READERS, extension_of
from archive.ingest.sandbox import Sandbox
from tests.archive.ingest import captures, samples

PARAS = ["Police blocked the bridge on Sunday.", "More than 300 riot police were there."]

SEEDS: dict[str, Callable[[], bytes]] = {
    "a.txt": lambda: ("Report\n\n" + "\n\n".join(PARAS)).encode(),
    "a.md": lambda: ("# Report\n\n" + "\n\n".join(PARAS)).encode(),
    "a.html": lambda: samples.html_page("Report", PARAS).encode(),
    "a.pdf": lambda: samples.pdf_bytes([PARAS], title="Report"),
    "a.docx": lambda: samples.docx_bytes("Report", PARAS, table=[["a", "b"]]),
    "a.eml": lambda: samples.eml_bytes("Report", "\n\n".join(PARAS)),
    "a.mbox": lambda: (
        b"From reporter@example.org Fri Mar  5 09:30:00 2021\n"
        + samples.eml_bytes("Report", PARAS[0])
    ),
    "a.warc": lambda: captures.warc_bytes(captures.pages(2)),
    "a.warc.gz": lambda: captures.warc_bytes(captures.pages(2), gzip=True),
    "a.wacz": lambda: captures.wacz_bytes(captures.pages(2)),
    "a.mhtml": lambda: captures.mhtml_bytes("https://news.example.org/a", "Report"),
}
# Images are read by OCR (tests/archive/ingest/test_scans.py fuzzes their decoding).
TEXT_FORMATS = sorted(e for e in READERS if e not in {".png", ".jpg", ".jpeg", ".tif", ".tiff"})


def test_every_reader_has_a_seed() -> None:
    assert {extension_of(name) for name in SEEDS} >= set(TEXT_FORMATS) - {
        ".markdown",
        ".htm",
        ".mht",
    }


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "repeat", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            del data[at:]
        elif kind == "repeat":
            end = min(len(data), at + draw(st.integers(1, 64)))
            data[at:at] = data[at:end] * draw(st.integers(1, 20))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
    return bytes(data)


def _holds(name: str, read: Callable[[bytes, str], list[ParsedArticle]], data: bytes) -> None:
    try:
        articles = read(data, name)
    except UnreadableFile as exc:
        assert str(exc).strip(), "a failure must say why"
        return
    assert all(isinstance(a, ParsedArticle) for a in articles)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_a_mutated_file_gives_articles_or_a_reason(name: str) -> None:
    seed = SEEDS[name]()
    reader = READERS[extension_of(name)][1]
    _holds(name, reader, seed)  # the seed itself reads

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutated(seed))
    def check(data: bytes) -> None:
        _holds(name, reader, data)

    check()


def test_mutated_files_through_the_worker() -> None:
    """The same, through the worker: its replies travel and its errors come back whole."""
    seeds = {name: make() for name, make in SEEDS.items()}  # made once: fixed inputs
    with Sandbox() as sandbox:

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.sampled_from(sorted(SEEDS)), st.data())
        def check(name: str, data: st.DataObject) -> None:
            blob = data.draw(mutated(seeds[name]))
            _holds(name, lambda b, n: sandbox.read(extension_of(n), b, n), blob)

        check()
