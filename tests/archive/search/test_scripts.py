"""Search in every script: words inside Burmese, Thai and CJK runs; Arabic; accents."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archive.store import Archive

from .helpers import add_articles, found

# Texts written for these tests.
BURMESE = "ရန်ကုန်မြို့တွင် ရဲတပ်ဖွဲ့ဝင်များက ဆန္ဒပြသူများကို ဖမ်းဆီးခဲ့သည်။ အမျိုးသမီး သုံးဦး ဒဏ်ရာရခဲ့သည်။"
BURMESE_RAIN = "မန္တလေးတွင် မိုးသည်းထန်စွာ ရွာသွန်းခဲ့သည်။ လမ်းများ ရေလွှမ်းခဲ့သည်။"
THAI = "ตำรวจจับกุมผู้ประท้วงหน้าทำเนียบรัฐบาลเมื่อวันจันทร์ มีผู้บาดเจ็บสามคน"
CHINESE = "警方周一在市中心逮捕了三十名抗议者。目击者说，现场有很多警察。"
CHINESE_WEATHER = "今天天气很好，农民在田里工作。"
JAPANESE = "警察は月曜日に抗議者を逮捕した。"
ARABIC = "اعتقلت الشرطة أكثر من مئة متظاهر في العاصمة يوم الاثنين."
MIXED = "The NLD (အမျိုးသားဒီမိုကရေစီအဖွဲ့ချုပ်) won the vote; ပါတီ leaders met in Naypyitaw."
ACCENTS = "Reporters met at Café Müller in São Paulo before the Straße was closed."


@pytest.fixture
def multilingual(archive_of: Callable[..., Archive]) -> Archive:
    return archive_of(
        ("Arrests in Yangon", BURMESE, "my"),
        ("Rain in Mandalay", BURMESE_RAIN, "my"),
        ("Bangkok protest", THAI, "th"),
        ("Chinese report", CHINESE, "zh"),
        ("Weather", CHINESE_WEATHER, "zh"),
        ("Japanese report", JAPANESE, "ja"),
        ("Arabic report", ARABIC, "ar"),
        ("Mixed script", MIXED, "en"),
        ("Accents", ACCENTS, "en"),
        ("ရေကြီးမှု သတင်း", "Flood news with a Burmese title.", "en"),
    )


def _span_text(archive: Archive, query: str) -> list[str]:
    hit = archive.index.search(query).hits[0]
    from archive import models

    with archive.session() as session:
        article = session.get(models.Article, hit.id)
        assert article is not None
        return [article.text[s:e] for s, e in hit.matches]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("ရဲတပ်ဖွဲ့ဝင်", ["Arrests in Yangon"]),  # "police member", inside a longer word
        ("ဆန္ဒပြသူ", ["Arrests in Yangon"]),  # "protester", followed by a suffix
        ("ဖမ်းဆီး", ["Arrests in Yangon"]),
        ("မိုး", ["Rain in Mandalay"]),
        ("ဒီမိုကရေစီ", ["Mixed script"]),
        ("ผู้ประท้วง", ["Bangkok protest"]),
        ("ทำเนียบ", ["Bangkok protest"]),
        ("抗议者", ["Chinese report"]),
        ("天气", ["Weather"]),
        ("逮捕", ["Chinese report", "Japanese report"]),
        ("الشرطة", ["Arabic report"]),
        ("الشُّرطة", ["Arabic report"]),  # with harakat: folded away
        ("election OR vote", ["Mixed script"]),
        ("sao paulo", ["Accents"]),
        ("MULLER", ["Accents"]),
        ("café", ["Accents"]),
        ("strasse", ["Accents"]),
        ("ရေကြီး", ["ရေကြီးမှု သတင်း"]),  # Burmese in a title
    ],
)
def test_word_found_in_its_script(multilingual: Archive, query: str, titles: list[str]) -> None:
    assert sorted(found(multilingual, query)) == sorted(titles)


def test_burmese_match_offsets_cover_the_word(multilingual: Archive) -> None:
    assert _span_text(multilingual, "ရဲတပ်ဖွဲ့ဝင်") == ["ရဲတပ်ဖွဲ့ဝင်"]
    assert _span_text(multilingual, "逮捕 AND 抗议者") == ["逮捕", "抗议者"]


def test_burmese_snippet_marks_the_word(multilingual: Archive) -> None:
    hit = multilingual.index.search("ဖမ်းဆီး").hits[0]
    assert "[[ဖမ်းဆီး]]" in hit.snippet


def test_words_that_are_not_there_are_not_found(multilingual: Archive) -> None:
    assert found(multilingual, "ရေလွှမ်း") == ["Rain in Mandalay"]
    assert found(multilingual, "ရဲတပ်ဖွဲ့ဝင်များက ဆန္ဒပြ") == ["Arrests in Yangon"]
    assert found(multilingual, "ဖမ်းဆီးမိုး") == []  # two real words glued: no match
    assert found(multilingual, "警察局") == []


def test_language_field(multilingual: Archive) -> None:
    assert sorted(found(multilingual, "lang:th OR lang:ar")) == ["Arabic report", "Bangkok protest"]


def test_zawgyi_file_found_by_unicode_query(archive: Archive, tmp_path) -> None:
    from myanmar import converter

    from archive import ingest

    zawgyi = converter.convert(BURMESE, "unicode", "zawgyi")
    assert zawgyi != BURMESE
    path = tmp_path / "zawgyi.txt"
    path.write_text("Zawgyi report\n\n" + zawgyi + "\n", encoding="utf-8")
    ingest.import_paths(archive, [path])
    assert found(archive, "ရဲတပ်ဖွဲ့ဝင်") != []


def test_phrase_of_two_burmese_words(multilingual: Archive) -> None:
    assert found(multilingual, '"အမျိုးသမီး သုံးဦး"') == ["Arrests in Yangon"]
    assert found(multilingual, '"ရန်ကုန်မြို့တွင် ရဲတပ်ဖွဲ့ဝင်များက"') == ["Arrests in Yangon"]
    assert found(multilingual, '"မန္တလေးတွင် ရဲတပ်ဖွဲ့ဝင်များက"') == []


def test_articles_are_stemmed_in_their_own_language(archive: Archive) -> None:
    add_articles(
        archive,
        {
            "title": "Festnahmen in Berlin",
            "text": "Die Polizei nahm zwölf Demonstranten fest; die Verhaftungen dauerten an.",
            "language": "de",
        },
        {
            "title": "Manifestations à Lyon",
            "text": "Les policiers ont arrêté des manifestantes devant la mairie.",
            "language": "fr",
        },
        {"title": "English", "text": "Demonstrators gathered at the stations.", "language": "en"},
    )
    # The German stem finds the German article (the English stem, the English one).
    assert sorted(found(archive, "Demonstrant")) == ["English", "Festnahmen in Berlin"]
    assert found(archive, "Verhaftung") == ["Festnahmen in Berlin"]
    assert found(archive, "zwolf") == ["Festnahmen in Berlin"]  # folded umlaut
    assert found(archive, "manifestante") == ["Manifestations à Lyon"]
    assert found(archive, "arrete") == ["Manifestations à Lyon"]
    assert found(archive, "station") == ["English"]
    assert found(archive, '"nahm zwölf Demonstranten"') == ["Festnahmen in Berlin"]
