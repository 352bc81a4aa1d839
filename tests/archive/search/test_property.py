"""Property: every article is found by any phrase taken from its own text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.store import Archive

from .helpers import add_articles

LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüçñøABCXYZ", min_size=1, max_size=9)
DIGITS = st.integers(min_value=0, max_value=99999).map(str)
BURMESE = st.sampled_from(["ရဲတပ်ဖွဲ့ဝင်", "ဆန္ဒပြသူ", "ဖမ်းဆီး", "မန္တလေး", "ရန်ကုန်", "သတင်း", "အစိုးရ", "မြို့"])
BURMESE_RUN = st.lists(BURMESE, min_size=1, max_size=3).map("".join)
THAI = st.sampled_from(["ตำรวจ", "ผู้ประท้วง", "รัฐบาล", "จับกุม"])
CJK = st.text(alphabet="警察抗议者逮捕天气农民市中心周一", min_size=1, max_size=6)
ARABIC = st.sampled_from(["الشرطة", "متظاهر", "العاصمة", "مئة"])
WORD = st.one_of(LATIN, LATIN, LATIN, DIGITS, BURMESE_RUN, THAI, CJK, ARABIC)
TEXT = st.lists(WORD, min_size=3, max_size=40)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(TEXT, min_size=1, max_size=4), data=st.data())
def test_every_article_found_by_a_phrase_it_contains(
    tmp_path_factory, texts: list[list[str]], data: st.DataObject
) -> None:
    folder: Path = tmp_path_factory.mktemp("prop") / "arch"
    with Archive.open(folder, create=True) as archive:
        ids = add_articles(
            archive,
            *({"title": f"article {n}", "text": " ".join(words)} for n, words in enumerate(texts)),
        )
        which = data.draw(st.integers(min_value=0, max_value=len(texts) - 1))
        words = texts[which]
        start = data.draw(st.integers(min_value=0, max_value=len(words) - 1))
        length = data.draw(st.integers(min_value=1, max_value=min(4, len(words) - start)))
        phrase = " ".join(words[start : start + length])
        results = archive.index.search(f'"{phrase}"', limit=100)
        assert ids[which] in {hit.id for hit in results.hits}, phrase
        hit = next(h for h in results.hits if h.id == ids[which])
        assert hit.matches, phrase
