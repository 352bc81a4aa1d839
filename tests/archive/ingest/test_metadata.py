"""Dates, titles and language guesses (with property tests)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.ingest.metadata import (
    detect_language,
    find_date,
    first_sentence,
    shorten,
    title_from_text,
)

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("date 2021-03-05", "2021-03-05", "day"),
        ("Saturday 6 March 2021, by someone", "2021-03-06", "day"),
        ("March 5, 2021", "2021-03-05", "day"),
        ("5th Feb. 2020", "2020-02-05", "day"),
        ("posted in March 2021 or so", "2021-03", "month"),
        ("2019/12/31", "2019-12-31", "day"),
    ],
)
def test_find_date_forms(text: str, iso: str, precision: str) -> None:
    found = find_date(text)
    assert found is not None
    assert (found.iso, found.precision) == (iso, precision)


def test_impossible_dates_are_ignored() -> None:
    assert find_date("31 February 2021") is None
    assert find_date("2021-13-40") is None


def test_bare_year_only_when_allowed() -> None:
    assert find_date("1999 was a year") is None
    found = find_date("1999 was a year", allow_year=True)
    assert found is not None and (found.iso, found.precision) == ("1999", "year")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 3))
def test_find_date_round_trip(day: date, style: int) -> None:
    month = MONTHS[day.month - 1]
    written = [
        day.isoformat(),
        f"{day.day} {month} {day.year}",
        f"{month} {day.day}, {day.year}",
        f"{day.day} {month[:3]}. {day.year}",
    ][style]
    found = find_date(f"Published: {written} in the morning")
    assert found is not None
    assert found.iso == day.isoformat()
    assert found.precision == "day"


@given(st.text(), st.integers(10, 120))
def test_shorten_respects_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit + 1
    assert "\n" not in short
    if len(" ".join(text.split())) <= limit:
        assert short == " ".join(text.split())
    else:
        assert short.endswith("…")
        assert " ".join(text.split()).startswith(short[:-1].rstrip(" ,;:-–—"))


def test_first_sentence_skips_abbreviations() -> None:
    text = "Since Feb. 1, Mr. Tun has led the strike. Others followed."
    assert first_sentence(text) == "Since Feb. 1, Mr. Tun has led the strike."


def test_title_from_lead_is_cut_at_a_word() -> None:
    lead = (
        "At least nineteen officers from three border districts crossed the river into the "
        "neighbouring province on Thursday night, officials said."
    )
    title = title_from_text(lead)
    assert title.endswith("…")
    assert len(title) <= 91
    assert lead.startswith(title[:-1])


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The officers said that they would not return to work with the army.", "en"),
        ("Les policiers ont dit que la grève est dans une phase nouvelle pour les gens.", "fr"),
        ("Los agentes dijeron que la huelga es para el pueblo y con los trabajadores.", "es"),
        ("မြန်မာနိုင်ငံ ရဲတပ်ဖွဲ့ဝင် အယောက် ၆၀၀", "my"),
        ("ตำรวจไทยได้เข้าร่วมการประท้วง", "th"),
        ("警察はデモに参加した", "ja"),
        ("警察加入了抗议活动", "zh"),
        ("انضم رجال الشرطة إلى الاحتجاج", "ar"),
        ("12 34 56", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang
