"""A fuzzy term on a Burmese, Thai or CJK word (`ရဲတပ်ဖွဲ့ဝင်~`), or a prefix or suffix
longer than an n-gram (`ဆန္ဒပြသူ*`), finds at least the word itself: such runs are
indexed as n-grams, where these matched nothing at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archive.store import Archive

from .helpers import found

BURMESE = "မန္တလေးမြို့တွင် ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် ဆန္ဒပြသူများကို ပစ်ခတ်ခဲ့သည်။"
THAI = "ตำรวจจับกุมผู้ประท้วงหน้าทำเนียบรัฐบาล"


@pytest.fixture
def two_scripts(archive_of: Callable[..., Archive]) -> Archive:
    return archive_of(
        ("Shooting in Mandalay", BURMESE, "my"),
        ("Bangkok protest", THAI, "th"),
        ("English", "The police arrested protesters.", "en"),
    )


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("ရဲတပ်ဖွဲ့ဝင်~", ["Shooting in Mandalay"]),
        ("ပစ်ခတ်~2", ["Shooting in Mandalay"]),
        ("title:Shooting ပစ်ခတ်~", ["Shooting in Mandalay"]),
        ("ผู้ประท้วง~", ["Bangkok protest"]),
        ("ရဲတပ်ဖွဲ့ဝင်~ OR polise~", ["Shooting in Mandalay", "English"]),
        ("ဆန္ဒပြသူ*", ["Shooting in Mandalay"]),
        ("*ဆန္ဒပြသူများကို", ["Shooting in Mandalay"]),
        ("(ဆန္ဒပြသူ* OR arrest*)", ["Shooting in Mandalay", "English"]),
        ("title:Shooting *ပစ်ခတ်", ["Shooting in Mandalay"]),
        ("ผู้ประท้วง*", ["Bangkok protest"]),
        ("ရဲ*", ["Shooting in Mandalay"]),
    ],
)
def test_a_fuzzy_spaceless_word_finds_the_word(
    two_scripts: Archive, query: str, titles: list[str]
) -> None:
    assert sorted(found(two_scripts, query)) == sorted(titles)
    assert two_scripts.index.search(query).total_exact


def test_latin_fuzzy_wildcards_and_phrase_slop_are_unchanged(two_scripts: Archive) -> None:
    assert found(two_scripts, "polise~") == ["English"]
    assert found(two_scripts, "*ested") == ["English"]
    assert sorted(found(two_scripts, "*")) == ["Bangkok protest", "English", "Shooting in Mandalay"]
    assert found(two_scripts, "pilise~") == []  # two edits: not within one
    assert found(two_scripts, '"police protesters"~2') == ["English"]
