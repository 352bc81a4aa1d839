"""Bytes to canonical text (DESIGN "Text and offsets").

The canonical text of an article is Unicode NFC with `\\n` line endings and
no trailing spaces on its lines. Offsets of annotations count code points in
it, so the same input must always give the same text: every step here is
deterministic and `normalise(normalise(t)) == normalise(t)`.

Legacy Zawgyi-encoded Burmese (a font hack that reuses Unicode code points
for other glyphs) is detected with myanmartools and converted to Unicode;
the original bytes are kept untouched elsewhere.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import charset_normalizer

from archive.ingest.errors import UnreadableFile

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# Single-byte Latin code pages that charset-normalizer may pick for short
# Western text; when cp1252 reads the bytes as well, cp1252 is the likelier
# truth (it is what Windows editors write).
_LATIN_FAMILY = {"cp1250", "cp1252", "latin_1", "iso8859_2", "iso8859_15", "cp1254", "mac_roman"}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MYANMAR = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
_TRAILING_SPACE = re.compile(r"[ \t\f\v\u00a0]+$", re.MULTILINE)
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# Zawgyi probability above which a text is converted (myanmartools suggests 0.95).
ZAWGYI_THRESHOLD = 0.95


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes, with how it was done."""

    text: str
    encoding: str
    replaced: int = 0  # bytes that could not be decoded and became U+FFFD


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes look like UTF-16 text without a BOM."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    half = len(sample) // 2
    # Latin text in UTF-16 has a zero in every other byte; random binary does not.
    if odd_zero > 0.4 * half and even_zero < 0.05 * half:
        return "utf-16-le"
    if even_zero > 0.4 * half and odd_zero < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    controls = len(_CONTROL.findall(sample))
    return controls > max(2, len(sample) // 100)


def decode(data: bytes) -> DecodedText:
    """Decode the bytes of a text file, whatever its encoding.

    Order: byte-order mark; UTF-16 without a BOM; strict UTF-8; UTF-8 with a
    few broken bytes (replaced by U+FFFD and counted); otherwise the encoding
    charset-normalizer finds. Raises `UnreadableFile` for empty or binary data.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UnreadableFile("empty file: there is no text in it")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            return _checked(DecodedText(text, encoding, text.count("\ufffd")))
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _checked(DecodedText(data.decode(utf16), utf16))
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise UnreadableFile("not a text file: it holds binary data")
    try:
        return _checked(DecodedText(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    replaced = lenient.count("\ufffd")
    multibyte = sum(1 for ch in lenient if ord(ch) > 0x7F and ch != "\ufffd")
    # Mostly valid UTF-8 with a few broken bytes (a cut-off download, a bad
    # copy): keep UTF-8 rather than reading the whole file in a wrong code page.
    if multibyte and replaced <= max(3, multibyte // 10):
        return _checked(DecodedText(lenient, "utf-8", replaced))
    matches = charset_normalizer.from_bytes(data[:200000])
    best = matches.best()
    if best is None:
        raise UnreadableFile("not a text file: no text encoding fits its bytes")
    encoding = best.encoding
    if encoding in _LATIN_FAMILY and encoding != "cp1252":
        # Western text often fits several code pages equally well; prefer the
        # one Windows editors write when it fits as well as the best.
        tied = any(m.encoding == "cp1252" and m.chaos <= best.chaos + 0.01 for m in matches)
        if tied or _same_in_cp1252(data, encoding):
            encoding = "cp1252"
    text = data.decode(encoding, errors="replace")
    return _checked(DecodedText(text, encoding, text.count("\ufffd")))


def _same_in_cp1252(data: bytes, encoding: str) -> bool:
    try:
        return data.decode("cp1252") == data.decode(encoding)
    except UnicodeDecodeError:
        return False


def _checked(decoded: DecodedText) -> DecodedText:
    if _looks_binary(decoded.text):
        raise UnreadableFile("not a text file: it holds binary data")
    return decoded


def normalise(text: str) -> str:
    """The canonical form: NFC, `\\n` line endings, no BOM or NUL, no trailing spaces.

    Runs of more than one blank line become one blank line, and the text is
    stripped of blank lines at both ends. Idempotent.
    """
    text = text.replace("\ufeff", "").replace("\x00", "")
    text = _LINE_BREAKS.sub("\n", text)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()


@lru_cache(maxsize=1)
def _zawgyi_detector() -> Any:
    from myanmartools import ZawgyiDetector

    with warnings.catch_warnings():  # it loads its model with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        return ZawgyiDetector()


def has_myanmar(text: str) -> bool:
    """Whether the text contains any Myanmar-script character."""
    return _MYANMAR.search(text) is not None


def zawgyi_probability(text: str) -> float:
    """How likely the Burmese in `text` is Zawgyi-encoded (0 for no Burmese)."""
    if not has_myanmar(text):
        return 0.0
    burmese = "\n".join(line for line in text.split("\n") if _MYANMAR.search(line))
    return float(_zawgyi_detector().get_zawgyi_probability(burmese[:20000]))


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi Burmese to Unicode, line by line, leaving other lines alone."""
    from myanmar.converter import convert

    lines = text.split("\n")
    return "\n".join(
        convert(line, "zawgyi", "unicode") if _MYANMAR.search(line) else line for line in lines
    )


@dataclass(frozen=True)
class CanonicalText:
    """Canonical text plus what was done to get it (for `Article.meta`)."""

    text: str
    converted_from: str | None = None


def canonical(text: str) -> CanonicalText:
    """Normalise `text`, converting Zawgyi Burmese to Unicode first if detected."""
    converted = None
    if has_myanmar(text) and zawgyi_probability(text) > ZAWGYI_THRESHOLD:
        text = zawgyi_to_unicode(text)
        converted = "zawgyi"
    return CanonicalText(normalise(text), converted)
