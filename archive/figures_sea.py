"""Figures in Burmese and Thai: the counted noun before the number, a classifier after.

"ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်" is "police officers 600 more-than": Burmese puts
what is counted before the number, then a classifier ("ဆန္ဒပြသူ ၂၀ ဦး",
20 protesters, ဦး counting persons) and most qualifiers after it (ကျော်
more than, ခန့် / လောက် about, အထိ up to); a few come before it
(အနည်းဆုံး at least). Thai has the same order ("ตำรวจกว่า ๖๐๐ นาย",
police more-than 600 officers), with its qualifiers mostly before the number.
Neither script puts spaces between words, so phrases are matched on the
tokens of `archive.segment` (Burmese syllables, Thai grapheme clusters)
and a span can only end between two of them.

`read_at` reads the figure around a number token; `vague_at` reads the
number-less quantities ("ထောင်ချီ", thousands; "หลายร้อย", several hundred).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TypeVar

from archive.segment import MYANMAR, THAI, Token

V = TypeVar("V")


def _table(entries: dict[str, V]) -> dict[str, V]:
    """Keys in the form tokens are compared in: NFC, no spaces."""
    return {unicodedata.normalize("NFC", k).replace(" ", ""): v for k, v in entries.items()}


def _words(words: str, kind: str) -> dict[str, tuple[str, str | None]]:
    return dict.fromkeys(words.split(), (kind, None))


# What follows a number: ("q", qualifier); ("c", None) a classifier; ("t", None) a
# measure of time or distance (no count of people or things); ("m", None) money;
# ("d", None) a date; ("a", None) "which is" (what is counted follows).
_MY_POST: dict[str, tuple[str, str | None]] = _table(
    {
        "ကျော်": ("q", "more than"),  # more than
        "ကျော်ကျော်": ("q", "more than"),
        "ထက်ပို": ("q", "more than"),  # more than
        "ထက်မနည်း": ("q", "at least"),  # not less than
        "အနည်းဆုံး": ("q", "at least"),  # at least
        "အများဆုံး": ("q", "up to"),  # at most
        "အထိ": ("q", "up to"),  # up to
        "ထိ": ("q", "up to"),
        "ထက်မပို": ("q", "up to"),  # not more than
        "အောက်": ("q", "less than"),  # under
        "ထက်နည်း": ("q", "less than"),  # fewer than
        "ထက်လျော့နည်း": ("q", "less than"),
        "မပြည့်": ("q", "less than"),  # not reaching
        "ခန့်": ("q", "about"),  # about
        "ခန့်မျှ": ("q", "about"),
        "လောက်": ("q", "about"),  # about (spoken)
        "နီးပါး": ("q", "about"),  # nearly
        "နီးနီး": ("q", "about"),
        "ဝန်းကျင်": ("q", "about"),  # around
        "မျှ": ("q", "about"),
        "မျှသာ": ("q", "exactly"),  # only
        "သာ": ("q", "exactly"),  # only
        "တိတိ": ("q", "exactly"),  # exactly
        # classifiers: persons, things, vehicles, round things, animals, monks, houses,
        # households, villages, townships, places, long things, guns, groups
        **_words(
            "ဦး ယောက် ခု စီး စင်း လုံး ကောင် ပါး အိမ် အိမ်ထောင် အိမ်ထောင်စု ရွာ မြို့နယ် နေရာ ချောင်း လက် ဖွဲ့ စု ဦးရေ",
            "c",
        ),
        # years, months, weeks, days, hours, minutes, times, lasting, percent, miles,
        # kilometres, feet
        **_words("နှစ် လ ပတ် ရက် နာရီ မိနစ် ကြိမ် ကြာ ရာခိုင်နှုန်း မိုင် ကီလိုမီတာ ပေ", "t"),
        **_words("ကျပ် ဒေါ်လာ", "m"),  # kyat, dollars: what is counted
        **_words("ရက်နေ့ ခုနှစ် ရက်မြောက်", "d"),  # day of the month, year, n-th day
        **_words("သော ရှိသော", "a"),  # "which is", "which are"
    }
)
# Before a number (or before its noun): a qualifier, or None for a word that only
# introduces the number ("ဦးရေ", headcount).
_MY_PRE: dict[str, str | None] = _table(
    {
        "အနည်းဆုံး": "at least",  # at least
        "အများဆုံး": "up to",  # at most
        "ခန့်မှန်းခြေ": "about",  # an estimated
        "ခန့်မှန်းခြေအားဖြင့်": "about",
        "စုစုပေါင်း": "exactly",  # in total
        "ပေါင်း": "exactly",
        "ဦးရေစုစုပေါင်း": "exactly",
        "ဦးရေ": None,  # the number of people
        "အရေအတွက်": None,  # the number of
    }
)
_MY_SCALES: dict[str, float] = _table(
    {
        "ရာ": 100,
        "ထောင်": 1_000,
        "သောင်း": 10_000,
        "သိန်း": 100_000,
        "သန်း": 1_000_000,
        "ကုဋေ": 10_000_000,
        "ဘီလီယံ": 1_000_000_000,
    }
)
# Before the number, in sums of money: "ကျပ်သိန်း ၅၀" (kyat, lakh, 50) is 5,000,000 kyat.
_MY_PRE_SCALES: dict[str, float] = _table(
    {"သိန်း": 100_000, "သန်း": 1_000_000, "ကုဋေ": 10_000_000, "ဘီလီယံ": 1_000_000_000}
)
# Number-less quantities, "hundreds", "thousands": at least two of the unit.
_MY_VAGUE: dict[str, float] = _table(
    {
        **dict.fromkeys(["ရာချီ", "ရာနှင့်ချီ", "ရာနဲ့ချီ", "ရာပေါင်းများစွာ"], 200),
        **dict.fromkeys(["ထောင်ချီ", "ထောင်နှင့်ချီ", "ထောင်နဲ့ချီ", "ထောင်ပေါင်းများစွာ"], 2_000),
        **dict.fromkeys(["သောင်းချီ", "သောင်းနှင့်ချီ", "သောင်းပေါင်းများစွာ"], 20_000),
        **dict.fromkeys(["သိန်းချီ", "သိန်းနှင့်ချီ"], 200_000),
        **dict.fromkeys(["ဒါဇင်ချီ", "ဒါဇင်နှင့်ချီ", "ဒါဇင်ပေါင်းများစွာ"], 24),
    }
)
# Particles that end a noun phrase: at the end of the words before a number they
# mean those words are not what is counted ("စစ်တပ်က ၁၀ ဦး", the army [did it to] 10).
_MY_END_PARTICLES: dict[str, bool] = _table(
    dict.fromkeys("က ကို မှ တွင် မှာ နှင့် နဲ့ လည်း ပါ တို့က ရဲ့ အား".split(), True)  # noqa: SIM905
)
# Inside the words before a number, what is counted starts after one of these
# ("ရန်ကုန်တွင်ဆန္ဒပြသူ ၂၀၀", in Yangon protesters 200). Not "က" nor "သည်": they
# end words too (ဒီမိုကရေစီ, democracy; ဒုက္ခသည်, refugee).
_MY_INNER_PARTICLES: dict[str, bool] = _table(
    dict.fromkeys("ကို မှ တွင် မှာ နှင့် နဲ့ လည်း ရှိ ရဲ့ အား".split(), True)  # noqa: SIM905
)
_MY_MONTHS: dict[str, bool] = _table(
    {
        month + suffix: True
        for month in (  # noqa: SIM905
            "ဇန်နဝါရီ ဖေဖော်ဝါရီ မတ် ဧပြီ မေ ဇွန် ဇူလိုင် ဩဂုတ် သြဂုတ် စက်တင်ဘာ အောက်တိုဘာ နိုဝင်ဘာ ဒီဇင်ဘာ"
        ).split()
        for suffix in ("", "လ")
    }
)

_TH_POST: dict[str, tuple[str, str | None]] = _table(
    {
        "กว่า": ("q", "more than"),  # more than ("500 กว่าคน", 500-odd people)
        "เศษ": ("q", "more than"),  # and some
        "เท่านั้น": ("q", "exactly"),  # only
        # persons, officers, cases, houses, households, vehicles, places, boats, monks,
        # bodies, families, villages, animals, pieces, guns
        **_words(
            "คน นาย ราย หลัง หลังคาเรือน คัน แห่ง ลำ รูป ศพ ครอบครัว หมู่บ้าน ตัว ชิ้น กระบอก",
            "c",
        ),
        # years, months, days, weeks, hours, minutes, times, percent, kilometres
        **_words("ปี เดือน วัน สัปดาห์ ชั่วโมง นาที ครั้ง เปอร์เซ็นต์ กิโลเมตร", "t"),
        **_words("บาท ดอลลาร์", "m"),  # baht, dollars: what is counted
        **_words(
            "มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม "
            "กันยายน ตุลาคม พฤศจิกายน ธันวาคม",
            "d",
        ),
    }
)
_TH_PRE: dict[str, str | None] = _table(
    {
        "มากกว่า": "more than",  # more than
        "กว่า": "more than",
        "เกินกว่า": "more than",
        "เกิน": "more than",  # over
        "ไม่ต่ำกว่า": "at least",  # not below
        "ไม่น้อยกว่า": "at least",  # not less than
        "อย่างน้อย": "at least",  # at least
        "อย่างต่ำ": "at least",
        "ประมาณ": "about",  # about
        "ราว": "about",  # around
        "ราวๆ": "about",
        "เกือบ": "about",  # nearly
        "น้อยกว่า": "less than",  # less than
        "ต่ำกว่า": "less than",  # below
        "ไม่ถึง": "less than",  # not reaching
        "ไม่เกิน": "up to",  # not over
        "ไม่มากกว่า": "up to",
        "สูงสุด": "up to",  # at most
        "มากถึง": "up to",  # as many as
        "เพียง": "exactly",  # only
        "แค่": "exactly",
        "รวม": "exactly",  # in total
        "ทั้งหมด": "exactly",
        "จำนวน": None,  # a number of
    }
)
_TH_SCALES: dict[str, float] = _table(
    {"สิบ": 10, "ร้อย": 100, "พัน": 1_000, "หมื่น": 10_000, "แสน": 100_000, "ล้าน": 1_000_000}
)
_TH_VAGUE: dict[str, float] = _table(
    {
        "หลายสิบ": 20,  # several tens
        "หลายร้อย": 200,  # several hundred
        "หลายพัน": 2_000,
        "หลายหมื่น": 20_000,
        "หลายแสน": 200_000,
        "หลายล้าน": 2_000_000,
        "นับร้อย": 200,  # hundreds
        "นับพัน": 2_000,  # thousands
        "นับหมื่น": 20_000,
        "นับแสน": 200_000,
        "นับล้าน": 2_000_000,
    }
)

# Every qualifier word of both scripts, for `archive.figures.normalise_qualifier`.
QUALIFIER_WORDS: dict[str, str] = {
    **{k: q for k, (kind, q) in (_MY_POST | _TH_POST).items() if kind == "q" and q},
    **{k: q for k, q in (_MY_PRE | _TH_PRE).items() if q},
}
# Units of time, distance, money and share: "၁၀ နှစ်" (ten years) counts no people.
MEASURE_WORDS = frozenset(k for k, (kind, _) in (_MY_POST | _TH_POST).items() if kind == "t")
_MAX_COUNTED = {MYANMAR: 12, THAI: 30}  # syllables / grapheme clusters


@dataclass(frozen=True)
class Reading:
    """A figure read around a number: spans are code-point offsets in the text."""

    value: float
    qualifier: str | None  # written in the text
    implied: str | None  # "at least" for a vague quantity
    start: int
    end: int
    counted: tuple[int, int] | None
    number_start: int
    number_end: int
    is_date: bool  # a day of a month, a year
    measure: tuple[int, int] | None  # a unit of time, distance, money after the number
    stop: int  # token index after the last token read


def _spaced(text: str, a: Token, b: Token) -> bool:
    """Whether `b` follows `a` on the same line with at most spaces between."""
    gap = text[a.end : b.start]
    return "\n" not in gap and not gap.strip(" \t\u00a0\u200b\u3000")


# Per table (by id; the tables live as long as the module): its longest key and the
# first and last characters of its keys, to turn most tokens away at once.
_SHAPES: dict[int, tuple[int, frozenset[str], frozenset[str]]] = {}


def _shape(table: dict[str, V]) -> tuple[int, frozenset[str], frozenset[str]]:
    shape = _SHAPES.get(id(table))
    if shape is None:
        shape = (
            max(map(len, table)),
            frozenset(k[0] for k in table),
            frozenset(k[-1] for k in table),
        )
        _SHAPES[id(table)] = shape
    return shape


def _forward(
    tokens: list[Token], k: int, text: str, script: str, table: dict[str, V]
) -> tuple[V, int] | None:
    """The longest phrase of `table` starting at token `k`: (its entry, token after it)."""
    longest, firsts, _ = _shape(table)
    if k >= len(tokens) or tokens[k].low[:1] not in firsts:
        return None
    best: tuple[V, int] | None = None
    s, m = "", k
    while m < len(tokens) and tokens[m].script == script:
        if m > k and not _spaced(text, tokens[m - 1], tokens[m]):
            break
        s += tokens[m].low
        if len(s) > longest:
            break
        if s in table:
            best = (table[s], m + 1)
        m += 1
    return best


def _backward(
    tokens: list[Token], k: int, text: str, script: str, table: dict[str, V]
) -> tuple[V, int] | None:
    """The longest phrase of `table` ending just before token `k`: (entry, its first token)."""
    longest, _, lasts = _shape(table)
    if k == 0 or tokens[k - 1].low[-1:] not in lasts:
        return None
    best: tuple[V, int] | None = None
    s, m = "", k - 1
    while m >= 0 and tokens[m].script == script:
        if m < k - 1 and not _spaced(text, tokens[m], tokens[m + 1]):
            break
        s = tokens[m].low + s
        if len(s) > longest:
            break
        if s in table:
            best = (table[s], m)
        m -= 1
    return best


def _chunk_before(tokens: list[Token], k: int, text: str, script: str) -> int | None:
    """First token of the unspaced run of `script` ending just before token `k`."""
    if k == 0 or tokens[k - 1].script != script:
        return None
    if k < len(tokens) and not _spaced(text, tokens[k - 1], tokens[k]):
        return None
    m = k - 1
    while m > 0 and tokens[m - 1].script == script and tokens[m - 1].end == tokens[m].start:
        m -= 1
    return m


def _counted_before(tokens: list[Token], k: int, text: str, script: str) -> int | None:
    """First token of what is counted, in the words just before token `k`."""
    first = _chunk_before(tokens, k, text, script)
    if first is None:
        return None
    if script == MYANMAR:
        if _backward(tokens, k, text, script, _MY_END_PARTICLES) is not None:
            return None
        for p in range(k - 1, first, -1):  # what is counted starts after an inner particle
            hit = _backward(tokens, p, text, script, _MY_INNER_PARTICLES)
            if hit is not None and hit[1] > first:
                first = p
                break
    elif script == THAI and k - first > 1 and tokens[first].low == "มี":
        first += 1  # "มีผู้เสียชีวิต" (there are dead): the dead are counted
    return first if k - first <= _MAX_COUNTED[script] else None


def _counted_after(tokens: list[Token], k: int, text: str) -> int | None:
    """Burmese "၆၀၀ ကျော်သော ရဲတပ်ဖွဲ့ဝင်များ": the token after the noun after "which is"."""
    if k >= len(tokens) or tokens[k].script != MYANMAR:
        return None
    if k > 0 and not _spaced(text, tokens[k - 1], tokens[k]):
        return None
    m = k
    while m < len(tokens) and tokens[m].script == MYANMAR and m - k < _MAX_COUNTED[MYANMAR]:
        if m > k and tokens[m - 1].end != tokens[m].start:
            break
        if m > k and _forward(tokens, m, text, MYANMAR, _MY_END_PARTICLES) is not None:
            break
        m += 1
    return m if m > k else None


@dataclass
class _After:
    """What `_read_after` found after a number."""

    stop: int  # token index after the last token read
    value: float
    number_stop: int  # token index after the number and its scale word
    qualifier: str | None = None
    is_date: bool = False
    measure: tuple[int, int] | None = None
    counted: tuple[int, int] | None = None  # token range, after "which is"


def _read_after(tokens: list[Token], stop: int, value: float, text: str, script: str) -> _After:
    """Scale word, classifier, qualifier, unit after the number: "၃ သောင်းကျော်"."""
    post = _MY_POST if script == MYANMAR else _TH_POST
    scales = _MY_SCALES if script == MYANMAR else _TH_SCALES
    scale = _forward(tokens, stop, text, script, scales)
    if scale is not None:
        value *= scale[0]
        stop = scale[1]
    after = _After(stop, value, stop)
    seen: set[str] = set()
    for _ in range(4):  # "၂၀ ဦးကျော်", "၆၀၀ ကျော်သော", "500 กว่าคน"
        hit = _forward(tokens, after.stop, text, script, post)
        if hit is None or hit[0][0] in seen:
            break
        (kind, qualifier), nxt = hit
        seen.add(kind)
        if kind == "q":
            after.qualifier = qualifier
        elif kind == "d":
            after.is_date = True
        elif kind in ("t", "m"):
            after.measure = (tokens[after.stop].start, tokens[nxt - 1].end)
        elif kind == "a":
            end = _counted_after(tokens, nxt, text)
            if end is not None:
                after.counted = (nxt, end)
                after.stop = end
            break
        after.stop = nxt
    return after


def read_at(
    tokens: list[Token], i: int, stop: int, value: float, implied: str | None, text: str
) -> Reading:
    """The figure around the number in tokens `i:stop` (its value already read)."""
    script = _script_near(tokens, i, stop, text)
    pre = _MY_PRE if script == MYANMAR else _TH_PRE
    after = _read_after(tokens, stop, value, text, script)
    qualifier = after.qualifier
    # Before the number: a scale word for sums of money ("ကျပ်သိန်း ၅၀", 50 lakh
    # kyat), a qualifier or a word introducing the number, then the noun.
    b = i
    scale = _backward(tokens, b, text, script, _MY_PRE_SCALES) if script == MYANMAR else None
    if scale is not None and after.number_stop == stop:
        after.value *= scale[0]
        b = scale[1]
    for _ in range(2):  # "ผู้ชุมนุมจำนวนกว่า 500" has both
        hit = _backward(tokens, b, text, script, pre)
        if hit is None:
            break
        qualifier = qualifier or hit[0]
        b = hit[1]
    counted = None
    if after.counted is not None:
        counted = (tokens[after.counted[0]].start, tokens[after.counted[1] - 1].end)
    elif after.measure is None:
        first = _counted_before(tokens, b, text, script)
        if first is not None:
            counted = (tokens[first].start, tokens[b - 1].end)
            b = first
            hit = _backward(tokens, b, text, script, pre)  # "အနည်းဆုံး ရဲ ၁၉ ဦး"
            if hit is not None:
                qualifier = qualifier or hit[0]
                b = hit[1]
    is_date = after.is_date
    if script == MYANMAR and not is_date:
        is_date = _backward(tokens, i, text, script, _MY_MONTHS) is not None
    return Reading(
        value=after.value,
        qualifier=qualifier,
        implied=implied,
        start=tokens[b].start,
        end=tokens[after.stop - 1].end,
        counted=counted,
        number_start=tokens[i].start,
        number_end=tokens[after.number_stop - 1].end,
        is_date=is_date,
        measure=after.measure,
        stop=after.stop,
    )


def vague_at(tokens: list[Token], i: int, text: str) -> tuple[float, int] | None:
    """A number-less quantity starting at token `i` ("ထောင်ချီ"): (value, token after it)."""
    script = tokens[i].script
    table = {MYANMAR: _MY_VAGUE, THAI: _TH_VAGUE}.get(script)
    if table is None:
        return None
    return _forward(tokens, i, text, script, table)


# Burmese numbers in words: "ငါးရာ" 500, "နှစ်ထောင့်ငါးရာ" 2,500, "သုံးဆယ်" 30.
# (ခုနစ် is seven; ခုနှစ်, "year", is left out.) Creaky forms (ထောင့်) are used
# before more digits.
_MY_UNITS: dict[str, int] = _table(
    {"တစ်": 1, "နှစ်": 2, "သုံး": 3, "လေး": 4, "ငါး": 5, "ခြောက်": 6, "ခုနစ်": 7, "ရှစ်": 8, "ကိုး": 9}
)
_MY_MULTIPLIERS: dict[str, int] = _table(
    {
        "ဆယ်": 10, "ဆယ့်": 10, "ရာ": 100, "ရာ့": 100, "ထောင်": 1_000, "ထောင့်": 1_000,
        "သောင်း": 10_000, "သိန်း": 100_000, "သန်း": 1_000_000,
    }
)  # fmt: skip


def word_number_at(tokens: list[Token], i: int, text: str) -> tuple[float, int] | None:
    """A Burmese number in words starting at token `i`: (value, token after it).

    Number words are also common syllables (လေး, four, ends ကလေး, child; ငါး,
    five, is fish), so a number in words is only read when it has a multiplier
    after a digit word ("ငါးရာ", "ခြောက်ထောင်"), or when it starts a word and a
    classifier or qualifier follows ("ငါးဦး", five persons; "ဆယ်ကျော်").
    """
    if tokens[i].script != MYANMAR:
        return None
    starts_word = i == 0 or tokens[i - 1].end != tokens[i].start
    total, unit, k, multiplied, last = 0, None, i, False, None
    while k < len(tokens) and tokens[k].script == MYANMAR:
        if k > i and tokens[k - 1].end != tokens[k].start:
            break
        low = tokens[k].low
        if low in _MY_UNITS and unit is None:
            unit = _MY_UNITS[low]
        elif low in _MY_MULTIPLIERS and (last is None or _MY_MULTIPLIERS[low] < last):
            if unit is None and not (k == i and starts_word):
                break
            last = _MY_MULTIPLIERS[low]
            total += (unit or 1) * last
            unit, multiplied = None, True
        else:
            break
        k += 1
    if k == i:
        return None
    value = total + (unit or 0)
    if multiplied and (unit is not None or total > (last or 0) or tokens[i].low in _MY_UNITS):
        return float(value), k
    hit = _forward(tokens, k, text, MYANMAR, _MY_POST)
    if starts_word and hit is not None and hit[0][0] in ("c", "q"):
        return float(value), k
    return None


def script_near(tokens: list[Token], i: int, stop: int, text: str) -> str:
    """MYANMAR or THAI when the number in tokens `i:stop` is written in or among them."""
    return _script_near(tokens, i, stop, text)


def _script_near(tokens: list[Token], i: int, stop: int, text: str) -> str:
    tok = tokens[i]
    if tok.script:
        return tok.script
    if any("\u1040" <= c <= "\u1049" or "\u1090" <= c <= "\u1099" for c in tok.text):
        return MYANMAR
    if any("\u0e50" <= c <= "\u0e59" for c in tok.text):
        return THAI
    if stop < len(tokens) and tokens[stop].script and _spaced(text, tokens[stop - 1], tokens[stop]):
        return tokens[stop].script
    if i > 0 and tokens[i - 1].script and _spaced(text, tokens[i - 1], tok):
        return tokens[i - 1].script
    return ""
