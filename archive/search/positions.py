"""Word positions and character spans in a posting, packed as arrays (`PackedCharacters`).

Whoosh's `Characters` format pickles each posting's (position, start, end)
deltas as a list of tuples, and a block of 128 postings is pickled again
(protocol 2, which writes a byte string as a latin-1 text to re-encode) and
zlib-compressed. A phrase pairing a very common word with another ("the
said") reads "the"'s positions in every article holding both: at 50,000
articles that was most of the phrase's time (zlib and unpickling, measured in
docs/benchmarks.md). Here a posting's value is its count, then one byte
naming the array type (`H` when every number fits in 16 bits, else `I`), then
the positions, the start characters and the end characters as little-endian
arrays: positions are one slice read in C, no loop, and a block of them is
cheap to load (`whoosh_fixes` writes blocks with pickle protocol 5).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Sequence

from whoosh import formats
from whoosh.system import pack_uint, unpack_uint

_BIG_ENDIAN = sys.byteorder == "big"
_HEADER = 5  # count (4 bytes, as Whoosh's) and the array type
_SHORT = 0xFFFF


def pack(positions: Sequence[int], starts: Sequence[int], ends: Sequence[int]) -> bytes:
    """A posting value of these occurrences (sorted by position)."""
    count = len(positions)
    typecode = "H" if count == 0 or (ends[-1] <= _SHORT and positions[-1] <= _SHORT) else "I"
    key = (typecode, count)
    packer = _PACKERS.get(key)
    if packer is None:
        if len(_PACKERS) > 4096:
            _PACKERS.clear()
        packer = _PACKERS[key] = struct.Struct(f"<{3 * count}{typecode}").pack
    header: bytes = pack_uint(count)
    return header + _TYPECODES[typecode] + packer(*positions, *starts, *ends)


# struct packers by (array type, count): an `array` built from a text's ints checked
# each one's range in Python (9 µs for 45 occurrences, 3 µs packed by struct).
_PACKERS: dict[tuple[str, int], Callable[..., bytes]] = {}
_TYPECODES = {"H": b"H", "I": b"I"}


def _numbers(value: bytes, parts: int) -> array[int]:
    """The first `parts` arrays of a packed value (1: positions; 3: with the characters)."""
    typecode = value[4]
    numbers = array(_ARRAY_TYPES[typecode])
    size = int.from_bytes(value[:4], "big") * _ITEM_SIZES[typecode]
    numbers.frombytes(value[_HEADER : _HEADER + parts * size])
    if _BIG_ENDIAN:
        numbers.byteswap()
    return numbers


def positions(value: bytes) -> array[int]:
    """The word positions of a packed posting value, ascending."""
    return _numbers(value, 1)


_ARRAY_TYPES = {ord("H"): "H", ord("I"): "I"}
_ITEM_SIZES = {ord("H"): 2, ord("I"): 4}


def characters(value: bytes) -> list[tuple[int, int, int]]:
    """(position, start character, end character) of each occurrence."""
    numbers = _numbers(value, 3)
    count = len(numbers) // 3
    return list(zip(numbers[:count], numbers[count : 2 * count], numbers[2 * count :], strict=True))


class PackedCharacters(formats.Characters):
    """Whoosh's `Characters` format (the same information), packed as arrays."""

    def encode(self, poslist: list[tuple[int, int, int]]) -> bytes:
        if not poslist:
            return pack((), (), ())
        ps, starts, ends = zip(*poslist, strict=True)
        return pack(ps, starts, ends)

    def decode_characters(self, valuestring: bytes) -> list[tuple[int, int, int]]:
        return characters(valuestring)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(positions(valuestring))

    def decode_frequency(self, valuestring: bytes) -> int:
        return int(unpack_uint(valuestring[:4])[0])
