"""Figures in Burmese, Thai, Hindi and Arabic: value, qualifier, counted, and whole units.

Burmese (and Thai) put what is counted before the number and a classifier
after it; a span read from such a phrase must never end inside a grapheme
cluster or a Burmese syllable.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import figures, segment, suggest, tagform
from archive.segment import grapheme_bounds, syllable_bounds, tokenize

# (phrase, value, qualifier, counted, what it means)
BURMESE = [
    ("ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်", 600, "more than", "ရဲတပ်ဖွဲ့ဝင်", "more than 600 police officers"),
    ("ရဲ ၆၀၀ ကျော်", 600, "more than", "ရဲ", "more than 600 police"),
    ("လူ ၁၀၀ ကျော်", 100, "more than", "လူ", "more than 100 people"),
    ("ဆန္ဒပြသူ ၂၀ ဦး", 20, "exactly", "ဆန္ဒပြသူ", "20 protesters (ဦး counts persons)"),
    ("ဆန္ဒပြသူ ၅၀၀ ခန့်", 500, "about", "ဆန္ဒပြသူ", "about 500 protesters"),
    ("ကျောင်းသား ၃၀ လောက်", 30, "about", "ကျောင်းသား", "about 30 students (spoken)"),
    ("အနည်းဆုံး ရဲ ၁၉ ဦး", 19, "at least", "ရဲ", "at least 19 police"),
    ("ရဲ အနည်းဆုံး ၁၉ ဦး", 19, "at least", "ရဲ", "police, at least 19"),
    ("ဖမ်းဆီးခံရသူ ၁၅၀ ဦးကျော်", 150, "more than", "ဖမ်းဆီးခံရသူ", "more than 150 arrested"),
    ("ဒုက္ခသည် ၃ သောင်းကျော်", 30_000, "more than", "ဒုက္ခသည်", "more than 30,000 refugees"),
    ("ဒုက္ခသည် ၁ သိန်းနီးပါး", 100_000, "about", "ဒုက္ခသည်", "nearly 100,000 refugees"),
    ("အိမ်ခြေ ၂၀၀ ကျော်", 200, "more than", "အိမ်ခြေ", "more than 200 households"),
    ("စစ်သား ၅၀ အထိ", 50, "up to", "စစ်သား", "up to 50 soldiers"),
    ("သေဆုံးသူ အများဆုံး ၁၀ ဦး", 10, "up to", "သေဆုံးသူ", "at most 10 dead"),
    ("ဆရာဝန် ၁၂ ဦးထက်မနည်း", 12, "at least", "ဆရာဝန်", "no fewer than 12 doctors"),
    ("ကလေး ၁၀ ဦးအောက်", 10, "less than", "ကလေး", "fewer than 10 children"),
    ("ဆန္ဒပြသူ ၁၀၀ ထက်ပို", 100, "more than", "ဆန္ဒပြသူ", "more than 100 protesters"),
    ("ဆန္ဒပြသူ ၂၀ ယောက်ခန့်", 20, "about", "ဆန္ဒပြသူ", "about 20 protesters (spoken)"),
    ("ကား ၁၀ စီး", 10, "exactly", "ကား", "10 cars (စီး counts vehicles)"),
    ("ရွာ ၁၂ ရွာ", 12, "exactly", "ရွာ", "12 villages"),
    ("လေယာဉ် ၃ စင်း", 3, "exactly", "လေယာဉ်", "3 aircraft"),
    ("ဝန်ထမ်း ၁,၂၀၀ ကျော်", 1200, "more than", "ဝန်ထမ်း", "more than 1,200 staff"),
    ("၆၀၀ ကျော်သော ရဲတပ်ဖွဲ့ဝင်များ", 600, "more than", "ရဲတပ်ဖွဲ့ဝင်များ", "the 600-plus police"),
    ("ရန်ကုန်တွင်ဆန္ဒပြသူ ၂၀၀ ကျော်", 200, "more than", "ဆန္ဒပြသူ", "200+ protesters in Yangon"),
    ("ရဲတပ်ဖွဲ့ဝင်၆၀၀ကျော်", 600, "more than", "ရဲတပ်ဖွဲ့ဝင်", "the same, written unspaced"),
    ("ရဲတပ်ဖွဲ့ဝင် 600 ကျော်", 600, "more than", "ရဲတပ်ဖွဲ့ဝင်", "the same, Latin digits"),
    ("ဆန္ဒပြသူဦးရေ ၁,၀၀၀ ကျော်", 1000, "more than", "ဆန္ဒပြသူ", "protesters numbering 1,000+"),
    ("ခန့်မှန်းခြေ လူ ၃၀၀၀", 3000, "about", "လူ", "an estimated 3,000 people"),
    ("လူထောင်ချီ", 2000, "at least", "လူ", "thousands of people"),
    ("ဆန္ဒပြသူ ထောင်ပေါင်းများစွာ", 2000, "at least", "ဆန္ဒပြသူ", "many thousands of protesters"),
    ("ရဲတပ်ဖွဲ့ဝင် ၆ဝဝ ကျော်", 600, "more than", "ရဲတပ်ဖွဲ့ဝင်", "the letter ဝ typed for zero"),
    ("ဒေါ်လာ ၅ သန်း", 5_000_000, "exactly", "ဒေါ်လာ", "5 million dollars"),
    ("ကျပ်သိန်း ၅၀", 5_000_000, "exactly", "ကျပ်", "50 lakh kyat: the scale before the number"),
    ("ဒေါ်လာ သန်း ၂၀ ကျော်", 20_000_000, "more than", "ဒေါ်လာ", "more than 20 million dollars"),
    ("လူ ငါးရာကျော်", 500, "more than", "လူ", "more than 500 people, in words"),
    ("ဆန္ဒပြသူ နှစ်ထောင်ခန့်", 2000, "about", "ဆန္ဒပြသူ", "about 2,000 protesters, in words"),
    ("ဒုက္ခသည် နှစ်ထောင့်ငါးရာ", 2500, "exactly", "ဒုက္ခသည်", "2,500 refugees, in words"),
    ("ရဲ ငါးဦး", 5, "exactly", "ရဲ", "five police (ငါး: five; also 'fish')"),
    ("စစ်တပ်က ၁၀ ဦး", 10, "exactly", None, "the army [took] 10 persons: no noun counted"),
    ("စုစုပေါင်း ၅၀ ဦး", 50, "exactly", None, "50 persons in total"),
]
THAI = [
    ("ตำรวจกว่า ๖๐๐ นาย", 600, "more than", "ตำรวจ", "more than 600 police"),
    ("ผู้ชุมนุมมากกว่า 2,000 คน", 2000, "more than", "ผู้ชุมนุม", "more than 2,000 protesters"),
    ("มีผู้เสียชีวิตอย่างน้อย 20 คน", 20, "at least", "ผู้เสียชีวิต", "at least 20 dead"),
    ("ผู้ชุมนุมประมาณ 300 คน", 300, "about", "ผู้ชุมนุม", "about 300 protesters"),
    ("ทหารเกือบ 100 นาย", 100, "about", "ทหาร", "nearly 100 soldiers"),
    ("ผู้ชุมนุม 2 หมื่นคน", 20_000, "exactly", "ผู้ชุมนุม", "20,000 protesters"),
    ("นักศึกษา 500 กว่าคน", 500, "more than", "นักศึกษา", "500-odd students"),
    ("ผู้ต้องขังไม่ต่ำกว่า ๕๐ คน", 50, "at least", "ผู้ต้องขัง", "no fewer than 50 detainees"),
    ("บ้านเรือนหลายร้อยหลัง", 200, "at least", "บ้านเรือน", "several hundred houses"),
    ("ผู้ชุมนุมจำนวน 500 คน", 500, "exactly", "ผู้ชุมนุม", "500 protesters"),
]
HINDI = [
    ("600 से अधिक पुलिसकर्मी", 600, "more than", "पुलिसकर्मी", "more than 600 police"),
    ("कम से कम 20 लोग", 20, "at least", "लोग", "at least 20 people"),
    ("लगभग 300 प्रदर्शनकारी", 300, "about", "प्रदर्शनकारी", "about 300 protesters"),
    ("करीब ५० छात्र", 50, "about", "छात्र", "about 50 students, Devanagari digits"),
    ("१५० से ज़्यादा लोग", 150, "more than", "लोग", "more than 150 people"),
    ("हज़ारों लोग", 2000, "at least", "लोग", "thousands of people"),
    ("2 लाख शरणार्थी", 200_000, "exactly", "शरणार्थी", "2 lakh (200,000) refugees"),
    ("अधिकतम 100 सैनिक", 100, "up to", "सैनिक", "at most 100 soldiers"),
    ("10 से कम बच्चे", 10, "less than", "बच्चे", "fewer than 10 children"),
]
ARABIC = [
    ("أكثر من ٦٠٠ شرطي", 600, "more than", "شرطي", "more than 600 policemen"),
    ("نحو ١٬٥٠٠ متظاهر", 1500, "about", "متظاهر", "about 1,500 protesters"),
    ("ما لا يقل عن 20 شخصا", 20, "at least", "شخصا", "at least 20 people"),
]
ALL = BURMESE + THAI + HINDI + ARABIC


def test_twenty_burmese_phrasings_at_least() -> None:
    assert len(BURMESE) >= 20


@pytest.mark.parametrize(("phrase", "value", "qualifier", "counted", "meaning"), ALL)
def test_parse_figure_in_every_script(
    phrase: str, value: float, qualifier: str, counted: str | None, meaning: str
) -> None:
    parsed = figures.parse_figure(phrase)
    assert parsed is not None, meaning
    assert (parsed.value, parsed.qualifier, parsed.counted) == (value, qualifier, counted), meaning


@pytest.mark.parametrize(("phrase", "value", "qualifier", "counted", "meaning"), ALL)
def test_find_figures_reads_the_whole_phrase(
    phrase: str, value: float, qualifier: str, counted: str | None, meaning: str
) -> None:
    text = f"{phrase}။ " if phrase in {p[0] for p in BURMESE} else f"{phrase}. "
    [fig] = figures.find_figures(text)
    assert (fig.value, fig.qualifier, fig.counted) == (value, qualifier, counted), meaning
    quote = text[fig.start : fig.end]
    # The span is the phrase, less words before it that are not counted.
    assert phrase.endswith(quote) or phrase.startswith(quote), meaning
    assert text[fig.number_start : fig.number_end] in quote, meaning
    assert counted is None or counted in quote, meaning


def test_the_issue_phrase_by_the_suggester_and_the_f_form() -> None:
    text = "ရန်ကုန် — ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် CDM တွင် ပါဝင်ခဲ့သည်။"
    [fig] = suggest.suggest(text, types=["figure"])
    assert (fig.quote, fig.value, fig.qualifier, fig.counted) == (
        "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်",
        600,
        "more than",
        "ရဲတပ်ဖွဲ့ဝင်",
    )
    parsed = figures.parse_figure(fig.quote)
    assert parsed == figures.FigureClaimParts(600.0, "more than", "ရဲတပ်ဖွဲ့ဝင်")
    # The F form starts from the same reading of the selected phrase.
    assert tagform.figure_prefill(fig.quote, "2021-03-05") == {
        "value": 600.0,
        "qualifier": "more than",
        "counted": "ရဲတပ်ဖွဲ့ဝင်",
        "as_of": "2021-03-05",
    }


@pytest.mark.parametrize(
    "text",
    [
        "ဖေဖော်ဝါရီ ၁ ရက်နေ့တွင်",  # on 1 February
        "ဖေဖော်ဝါရီလ ၁ ရက်",  # February the 1st
        "၂၀၂၁ ခုနှစ်တွင်",  # in the year 2021
        "၂ဝ၂၁ တွင်",  # in 2021, the letter ဝ for zero
        "พ.ศ. ๒๕๖๔ ",  # Buddhist-era year 2564
        "1 กุมภาพันธ์",  # 1 February
        "1 फ़रवरी को",  # on 1 February
    ],
)
def test_dates_and_years_in_other_scripts_are_not_figures(text: str) -> None:
    assert figures.find_figures(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "ဆရာဦးကျော် ပြောသည်။",  # the teacher U Kyaw said: ရာ ends ဆရာ, ကျော် is a name
        "ကလေးများ ကျောင်းသွားသည်။",  # the children go to school: လေး ends ကလေး
        "ရာထူး ရရှိသည်။",  # got the position: ရာ begins ရာထူး
        "ငါးဖမ်းသည်။",  # catches fish
    ],
)
def test_number_words_inside_other_words_are_not_figures(text: str) -> None:
    assert figures.find_figures(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "ဆရာဝန် ၃၀ နှစ်နီးပါး အလုပ်လုပ်ခဲ့သည်။",  # worked as a doctor nearly 30 years
        "เกือบ 30 ปี",  # nearly 30 years
        "लगभग 30 साल",  # about 30 years
    ],
)
def test_durations_are_not_suggested(text: str) -> None:
    assert suggest.suggest(text, types=["figure"]) == []


def test_burmese_person_classifier_is_not_an_honorific() -> None:
    text = "ဆန္ဒပြသူ ၂၀ ဦး ဖမ်းဆီးခံရသည်။ ဦးကျော်မိုးထွန်း က ဒေါ်လာ ၅ သန်း ဟု ပြောသည်။"
    found = [(s.type, s.quote) for s in suggest.suggest(text, types=["actor", "figure"])]
    # ဦး after a number counts persons; ဒေါ်လာ is "dollar", not Daw La.
    assert found == [
        ("figure", "ဆန္ဒပြသူ ၂၀ ဦး"),
        ("actor", "ဦးကျော်မိုးထွန်း"),
        ("figure", "ဒေါ်လာ ၅ သန်း"),
    ]


def test_burmese_tokens_are_syllables() -> None:
    assert [t.text for t in tokenize("ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်")] == [
        "ရဲ", "တပ်", "ဖွဲ့", "ဝင်", "၆၀၀", "ကျော်",
    ]  # fmt: skip
    assert [t.text for t in tokenize("ကျောင်းသားများ")] == ["ကျောင်း", "သား", "များ"]
    assert [t.text for t in tokenize("ဆန္ဒ")] == ["ဆန္ဒ"]  # a stacked consonant stays
    assert [t.text for t in tokenize("पुलिसकर्मी 600")] == ["पुलिसकर्मी", "600"]


def test_qualifier_words_of_other_scripts_normalise() -> None:
    assert figures.normalise_qualifier("ကျော်") == "more than"
    assert figures.normalise_qualifier("อย่างน้อย") == "at least"
    assert figures.normalise_qualifier("लगभग") == "about"


_FRAGMENTS = [
    "ရဲ", "တပ်", "ဖွဲ့", "ဝင်", "ကျော်", "ခန့်", "လောက်", "ဦး", "ဒေါ်", "အနည်းဆုံး", "ဆန္ဒ",
    "ပြ", "သူ", "ထောင်", "ချီ", "ကျောင်း", "သော", "တွင်", "က", "၆၀၀", "၁၉", "၂၀", "600",
    "ဝ", "ဝင်", "ဒေါ်လာ", "ငါး", "ရာ", "ထောင့်", "ဆယ်", "ကလေး", "ဆရာ",
    "ตำรวจ", "กว่า", "๖๐๐", "นาย", "คน", "หลาย", "ร้อย", "ประมาณ",
    "पुलिसकर्मी", "से", "अधिक", "१५०", "लोग", "कम",
    "more", "than", "police", "Daw", "Aung", "1,500",
    " ", " ", " ", "။", "၊", ".", ",", "\n", "\u103a", "\u1039", "\u0e48", "\u093c", "\u200b",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25).map("".join))
def test_property_suggested_spans_never_split_a_cluster_or_syllable(text: str) -> None:
    graphemes = set(grapheme_bounds(text))
    syllables = set(syllable_bounds(text))
    spans = [(s.start, s.end) for s in suggest.suggest(text)]
    spans += [(f.start, f.end) for f in figures.find_figures(text)]
    for start, end in spans:
        assert start in graphemes and end in graphemes, (text, start, end)
        assert start in syllables and end in syllables, (text, start, end)


_PLAIN = st.text(
    st.characters(exclude_categories=("Mn", "Mc", "Me", "Cf", "Cs", "No", "Nl")), max_size=60
)
_WORDS = st.lists(
    st.sampled_from(["more", "than", "1,500", "people’s", "—", "“", "café", " ", "-"])
)


@settings(max_examples=500, deadline=None)
@given(_PLAIN | st.text(max_size=30) | _WORDS.map("".join))
def test_property_the_fast_tokenizer_gives_the_same_tokens(text: str) -> None:
    # tokenize() takes re's faster rule where it may; it must never tell.
    assert segment.tokenize(text) == segment.tokenize_clusters(text)
