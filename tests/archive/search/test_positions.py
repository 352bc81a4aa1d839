"""Packed posting values (archive/search/positions.py): what goes in comes out, and
Whoosh's own reading of the format (its phrase matcher, `value_as`) agrees."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, Schema

from archive.search import whoosh_fixes  # noqa: F401 (blocks at protocol 5)
from archive.search.positions import PackedCharacters, characters, pack, positions
from archive.search.schema import _text

# Occurrences as a text holds them: ascending positions, each span after the last.
occurrences = st.lists(
    st.tuples(st.integers(1, 70_000), st.integers(0, 70_000), st.integers(1, 40)),
    max_size=60,
).map(
    lambda steps: [
        (sum(s[0] for s in steps[: i + 1]), sum(s[1] + s[2] for s in steps[:i]) + s[1], 0)
        for i, s in enumerate(steps)
    ]
)


def _spans(raw: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    spans = []
    for pos, start, _ in raw:
        spans.append((pos, start, start + 1 + pos % 7))
    return spans


@given(occurrences)
def test_what_is_packed_comes_back(raw: list[tuple[int, int, int]]) -> None:
    spans = _spans(raw)
    fmt = PackedCharacters()
    value = fmt.encode(spans)
    assert characters(value) == spans
    assert list(positions(value)) == [p for p, _, _ in spans]
    assert fmt.decode_frequency(value) == len(spans)
    assert fmt.decode_characters(value) == spans
    assert fmt.decode_positions(value) == [p for p, _, _ in spans]


def test_small_numbers_take_two_bytes_and_large_four() -> None:
    small = pack([0, 9], [0, 50], [3, 55])
    large = pack([0, 9], [0, 70_000], [3, 70_005])
    assert len(small) == 5 + 6 * 2
    assert len(large) == 5 + 6 * 4
    assert characters(large) == [(0, 0, 3), (9, 70_000, 70_005)]


def test_whoosh_reads_the_format_itself(tmp_path: Path) -> None:
    schema = Schema(
        id=ID(stored=True), body=_text(RegexTokenizer() | LowercaseFilter(), chars=True)
    )
    assert isinstance(schema["body"].format, PackedCharacters)
    ix = windex.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        for n in range(300):  # several posting blocks of "river"
            w.add_document(
                id=str(n), body=f"the river {'flows' if n % 3 == 0 else 'ran dry'} river"
            )
    with ix.searcher() as s:
        # Whoosh's own phrase matcher (not ours) reads positions through the format.
        assert len(s.search(wq.Phrase("body", ["ran", "dry"]), limit=None)) == 200
        assert len(s.search(wq.Phrase("body", ["river", "flows", "river"]), limit=None)) == 100
        m = s.postings("body", "river")
        assert m.id() == 0
        assert m.value_as("characters") == [(1, 4, 9), (3, 16, 21)]
        m.next()
        assert m.value_as("positions") == [1, 4]
