"""Hostile bytes for the capture readers: random and mutated WARC, WACZ and MHTML files
end in articles or an UnreadableFile, never another exception, and memory stays bounded."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.ingest.errors import UnreadableFile
from archive.ingest.mhtml import read_mhtml
from archive.ingest.parsed import ParsedArticle
from archive.ingest.wacz import read_wacz
from archive.ingest.warc import read_warc
from tests.archive.ingest.captures import mhtml_bytes, pages, wacz_bytes, warc_bytes

SEEDS = {
    "warc": warc_bytes(pages(2)),
    "warc.gz": warc_bytes(pages(2), gzip=True),
    "wacz": wacz_bytes(pages(2)),
    "mhtml": mhtml_bytes("https://news.example.org/a", "A page"),
}
READ: dict[str, Callable[[bytes, str], list[ParsedArticle]]] = {
    "warc": read_warc,
    "warc.gz": read_warc,
    "wacz": read_wacz,
    "mhtml": read_mhtml,
}
# Far above what these small inputs need, far below what an unbounded reader would take.
MEMORY_LIMIT = 64 << 20


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[kind])
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            del data[at : at + draw(st.integers(1, 64))]
    return kind, bytes(data)


def read_bounded(kind: str, data: bytes) -> None:
    tracemalloc.start()
    try:
        try:
            READ[kind](data, f"fuzz.{kind}")
        except UnreadableFile as exc:
            assert str(exc)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_captures_never_raise_anything_else(case: tuple[str, bytes]) -> None:
    read_bounded(*case)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=4096))
def test_random_bytes_never_raise_anything_else(kind: str, data: bytes) -> None:
    read_bounded(kind, data)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["warc", "mhtml"]), st.binary(max_size=512))
def test_a_valid_prefix_with_garbage_after(kind: str, tail: bytes) -> None:
    read_bounded(kind, SEEDS[kind] + tail)
