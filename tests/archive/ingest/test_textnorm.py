"""Decoding any encoding to canonical text, and Zawgyi conversion."""

from __future__ import annotations

import codecs
import os
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.ingest import UnreadableFile
from archive.ingest.textnorm import canonical, decode, normalise, zawgyi_probability

SAMPLE = "Le café était fermé; naïve “résumé” — ça va très bien, merci. Über Straße."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_finds_the_encoding(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert decoded.text == SAMPLE


def test_latin1_without_cp1252_extras_reads_right() -> None:
    text = "Grüße aus München: schöne Straße, Äpfel und Öl für alle Kinder hier."
    assert decode(text.encode("latin-1")).text == text


def test_invalid_utf8_keeps_the_good_text() -> None:
    data = "Naypyitaw — officials said ".encode() + b"\xff\xfe\xc3" + " more text here ñ".encode()
    decoded = decode(data)
    assert decoded.encoding == "utf-8"
    assert decoded.replaced >= 1
    assert decoded.text.startswith("Naypyitaw — officials said ")
    assert decoded.text.endswith(" more text here ñ")


def test_binary_junk_is_not_text() -> None:
    with pytest.raises(UnreadableFile, match="not a text file"):
        decode(os.urandom(4096) + b"\x00\x01\x02")
    with pytest.raises(UnreadableFile, match="not a text file"):
        decode(bytes(range(1, 32)) * 40)


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t ", codecs.BOM_UTF8])
def test_empty_input(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="empty"):
        decode(data)


def test_normalise_line_endings_nfc_and_blank_lines() -> None:
    text = "\ufeffTitle  \r\nline two\rline three\n\n\n\nCafe\u0301 end \n\n"
    assert normalise(text) == "Title\nline two\nline three\n\nCafé end"


@given(st.text())
def test_normalise_is_idempotent_and_canonical(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "\r" not in once
    assert "\n\n\n" not in once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1))
def test_utf8_round_trip(text: str) -> None:
    data = text.encode("utf-8")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        return
    try:
        decoded = decode(data)
    except UnreadableFile:
        return  # control characters galore: refused as binary, which is fine
    if decoded.encoding == "utf-8":
        assert decoded.text == text.removeprefix("\ufeff")


# Burmese written for these tests: "More than 600 police officers of Myanmar joined the movement."
UNICODE_BURMESE = "မြန်မာနိုင်ငံ ရဲတပ်ဖွဲ့ဝင် အယောက် ၆၀၀ ကျော် လှုပ်ရှားမှုတွင် ပါဝင်ခဲ့သည်။"
ZAWGYI_BURMESE = "ျမန္မာႏိုင္ငံ ရဲတပ္ဖြဲ႕ဝင္ အေယာက္ ၆၀၀ ေက်ာ္ လႈပ္ရွားမႈတြင္ ပါဝင္ခဲ့သည္။"


def test_zawgyi_is_detected_and_converted() -> None:
    assert zawgyi_probability(ZAWGYI_BURMESE) > 0.95
    assert zawgyi_probability(UNICODE_BURMESE) < 0.05
    result = canonical(f"Report\n\n{ZAWGYI_BURMESE}\n")
    assert result.converted_from == "zawgyi"
    assert result.text == f"Report\n\n{UNICODE_BURMESE}"


def test_unicode_burmese_is_left_alone() -> None:
    result = canonical(UNICODE_BURMESE)
    assert result.converted_from is None
    assert result.text == UNICODE_BURMESE
