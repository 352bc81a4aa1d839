"""The tagging form's rules without Qt: what it starts with, how dates and numbers read,
and what confirming it writes (archive/tagform.py)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import annotate, entities, figures, segment, tagform
from archive.store import Archive
from archive.tagform import EntityChoice, FormFields, FormProblem, NoValue, TagRequest
from tests.archive.conftest import REPORT


def _span(quote: str, text: str = REPORT) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


# -- the qualifiers -------------------------------------------------------------------


def test_the_form_offers_the_cores_qualifiers() -> None:
    assert tagform.QUALIFIERS is figures.QUALIFIERS
    assert tagform.DEFAULT_QUALIFIER in tagform.QUALIFIERS
    assert figures.parse_figure("600 police") is not None
    assert figures.parse_figure("600 police").qualifier == tagform.DEFAULT_QUALIFIER  # type: ignore[union-attr]


# -- what the form starts with --------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "type_key", "expected"),
    [
        # The suggester's name, without the title or honorific.
        ("Major Kyaw Swar Lin", "actor", {"entity": "Kyaw Swar Lin"}),
        ("U Zaw Min Htet", "actor", {"entity": "Zaw Min Htet"}),
        # The name the article gives in brackets.
        ("Myanmar Health Workers Union", "actor", {"entity": "MHWU"}),
        # No suggestion: the selection itself, single-spaced, for actors and events.
        ("the junta", "actor", {"entity": "the junta"}),
        ("Hospital\nStaff", "event", {"entity": "Hospital Staff"}),
        # An event: its words and the date the suggester resolved.
        ("detained on Feb. 14", "event", {"entity": "detained on Feb. 14", "date": "2021-02-14"}),
        # A figure: value, qualifier and counted from the quote; as-of the published date.
        (
            "More than 250 nurses",
            "figure",
            {"value": 250, "qualifier": "more than", "counted": "nurses", "as_of": "2021-03-05"},
        ),
        (
            "Thousands",
            "figure",
            {"value": 2000, "qualifier": "at least", "counted": None, "as_of": "2021-03-05"},
        ),
        # A figure without a number: only its date.
        ("the general hospital", "figure", {"as_of": "2021-03-05"}),
        # A type the suggester does not know, and a passage too long to be a name: nothing.
        ("Mandalay", "place", {}),
    ],
)
def test_form_prefill(quote: str, type_key: str, expected: dict[str, Any]) -> None:
    text = REPORT.replace("Hospital Staff", "Hospital\nStaff")
    start, end = _span(quote, text)
    assert tagform.form_prefill(text, start, end, type_key, "2021-03-05", []) == expected


def test_a_long_selection_is_not_proposed_as_a_name() -> None:
    start, end = _span("Strike Spreads Among Hospital Staff")
    text = REPORT[:start] + "x" * (tagform.MAX_NAME_CHARS + 1) + REPORT[end:]
    long_end = start + tagform.MAX_NAME_CHARS + 1
    assert "entity" not in tagform.tag_prefill(text, start, long_end, "actor", None, [])
    assert "entity" in tagform.tag_prefill(text, start, long_end - 1, "actor", None, [])


def test_an_existing_entity_is_preferred_by_name_or_alias(archive: Archive) -> None:
    entities.create_entity(archive, "actor", "Kyaw Swar Lin (army)", aliases=["Kyaw Swar Lin"])
    entities.create_entity(archive, "actor", "Hnin Wai", aliases=["Daw Hnin Wai"])
    choices = tagform.entity_choices(archive, "actor")
    assert {c.name for c in choices} == {"Kyaw Swar Lin (army)", "Hnin Wai"}
    # The suggester's name ("Kyaw Swar Lin") is an alias of an existing entity.
    start, end = _span("Major Kyaw Swar Lin")
    prefill = tagform.tag_prefill(REPORT, start, end, "actor", None, choices)
    assert prefill == {"entity": "Kyaw Swar Lin (army)"}
    # The selected text itself is an alias, in other spacing and case.
    text = REPORT.replace("Daw Hnin Wai", "daw  hnin WAI")
    start, end = _span("daw  hnin WAI", text)
    assert tagform.tag_prefill(text, start, end, "actor", None, choices) == {"entity": "Hnin Wai"}


def test_figure_prefill_is_what_the_core_stores_when_nothing_is_given(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    article_id = add_article()
    for quote in ("More than 250 nurses", "over 1,200 people", "Thousands", "nine senior"):
        start, end = _span(quote)
        ann = annotate.create_annotation(archive, article_id, start, end, "figure")
        stored = {k: getattr(ann, k) for k in ("value", "qualifier", "counted", "as_of")}
        prefill = tagform.figure_prefill(quote, "2021-03-05")
        assert stored == {k: prefill.get(k) for k in stored}, quote


def test_event_prefill_shows_the_entitys_date_range_and_place(archive: Archive) -> None:
    info = entities.create_entity(
        archive, "event", "Hospital raid", date_start="2021-03-02", date_end="2021-03-03",
        place="Yangon",
    )  # fmt: skip
    assert tagform.event_prefill(archive, info.id) == {
        "date": "2021-03-02 to 2021-03-03",
        "place": "Yangon",
        "date_precision": "range",
        "place_precision": "",
    }
    bare = entities.create_entity(archive, "event", "Strike")
    assert tagform.event_prefill(archive, bare.id) == {
        "date": "",
        "place": "",
        "date_precision": "",
        "place_precision": "",
    }
    assert tagform.event_prefill(archive, "no-such-entity") == {}


# -- entity names typed in the picker -------------------------------------------------

CHOICES = [
    EntityChoice("e1", "Zaw Min Htet", ["U Zaw Min Htet"]),
    EntityChoice("e2", "MHWU", ["Myanmar Health Workers Union", "zaw min htet"]),
]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", (None, None)),
        ("   ", (None, None)),
        ("Zaw Min Htet", ("e1", None)),
        ("  u   zaw min HTET ", ("e1", None)),  # an alias, compared as names are
        ("myanmar health workers union", ("e2", None)),
        ("Kyaw Swar Lin", (None, "Kyaw Swar Lin")),  # a new name
    ],
)
def test_resolve_choice(typed: str, expected: tuple[str | None, str | None]) -> None:
    assert tagform.resolve_choice(typed, tagform.choice_names(CHOICES)) == expected


def test_the_first_entity_to_use_a_name_keeps_it() -> None:
    names = tagform.choice_names(CHOICES)
    assert names["zaw min htet"] == ("Zaw Min Htet", CHOICES[0])
    assert [text for text, _ in names.values()] == [
        "Zaw Min Htet", "U Zaw Min Htet", "MHWU", "Myanmar Health Workers Union",
    ]  # fmt: skip


# -- spans ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("  Tin Min Tun  ", (0, 15), (2, 13)),
        ("a\n\tb", (1, 3), (3, 3)),
        ("abc", (1, 2), (1, 2)),
        ("   ", (0, 3), (3, 3)),
    ],
)
def test_trim_span(text: str, span: tuple[int, int], expected: tuple[int, int]) -> None:
    assert tagform.trim_span(text, *span) == expected


@given(st.text(), st.data())
def test_trim_span_keeps_the_words_and_drops_the_spaces(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    s, e = tagform.trim_span(text, start, end)
    assert start <= s <= e <= end
    assert text[s:e] == text[start:end].strip() or (s == e and not text[start:end].strip())


# -- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (None, None)),
        ("  ", (None, None)),
        ("2021", ("2021", None)),
        ("2021-02", ("2021-02", None)),
        (" 2021-02-01 ", ("2021-02-01", None)),
        ("2021-02-01 to 2021-02-05", ("2021-02-01", "2021-02-05")),
        ("2021-02-01/2021-02-05", ("2021-02-01", "2021-02-05")),
        ("2021-02-01 – 2021-02-05", ("2021-02-01", "2021-02-05")),
        ("2021-02-01—2021-02-05", ("2021-02-01", "2021-02-05")),
        ("2021-02-01 - 2021-02-05", ("2021-02-01", "2021-02-05")),
        ("Feb 1", None),
        ("2021-02-30", None),  # not a real date (the core would refuse it)
        ("2021-13", None),
        ("21-02-01", None),
        ("2021-02-01 to", None),
        ("2021-02-01 to 2021-02-05 to 2021-02-09", None),
    ],
)
def test_parse_date_range(text: str, expected: tuple[str | None, str | None] | None) -> None:
    assert tagform.parse_date_range(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021", True),
        ("2021-03", True),
        ("2021-03-05", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2021-3-5", False),
        ("March 2021", False),
        ("", False),
    ],
)
def test_is_date(text: str, expected: bool) -> None:
    assert tagform.is_date(text) is expected


_DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)


@given(_DATES, _DATES, st.sampled_from([" to ", "/", " / ", "–", " – ", "—", " - "]))
def test_any_two_dates_read_as_a_range(start: str, end: str, separator: str) -> None:
    assert tagform.parse_date_range(start + separator + end) == (start, end)
    assert tagform.parse_date_range(start) == (start, None)


@given(st.text())
def test_a_date_field_never_raises_and_gives_only_dates(text: str) -> None:
    found = tagform.parse_date_range(text)
    if found is not None:
        assert all(d is None or tagform.is_date(d) for d in found)
        assert (found[0] is None) == (not text.strip())


# -- numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("600", 600.0),
        (" 1,500 ", 1500.0),
        ("1 500", 1500.0),
        ("1\u00a0500", 1500.0),
        ("1_000_000", 1_000_000.0),
        ("2.5", 2.5),
        ("-3", -3.0),
        ("", None),
        ("   ", None),
        ("six hundred", None),
        ("600 police", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert tagform.parse_number(text) == expected


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_numbers_with_thousands_separators(n: int) -> None:
    assert tagform.parse_number(f"{n:,}") == n
    assert tagform.parse_number(f"{n:_}") == n
    assert tagform.parse_number(f"{n:,}".replace(",", " ")) == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_reads_back(x: float) -> None:
    assert tagform.parse_number(repr(x)) == x


@given(st.text())
def test_a_value_field_never_raises_and_gives_only_finite_numbers(text: str) -> None:
    value = tagform.parse_number(text)
    assert value is None or math.isfinite(value)


# -- what confirming the form means ---------------------------------------------------

NAMES = tagform.choice_names(CHOICES)


@pytest.mark.parametrize(
    ("type_key", "fields", "expected"),
    [
        # An existing entity by alias, a new one, none; the note trimmed.
        ("actor", FormFields(entity="u zaw min htet", note=" witness "),
         {"entity_id": "e1", "new_entity_name": None, "note": "witness"}),
        ("actor", FormFields(entity=" Kyaw Swar Lin "), {"new_entity_name": "Kyaw Swar Lin"}),
        ("actor", FormFields(entity="", date="not looked at", value="nor this"),
         {"entity_id": None, "new_entity_name": None, "value": None, "date_start": None}),
        # An event: a date or range, and a place; the start date is also the tag's as-of.
        ("event", FormFields(entity="Coup", date="2021-02-01 to 2021-02-05", place=" Naypyitaw "),
         {"date_start": "2021-02-01", "date_end": "2021-02-05", "place": "Naypyitaw",
          "as_of": "2021-02-01"}),
        ("event", FormFields(date="2021-02"), {"date_start": "2021-02", "as_of": "2021-02"}),
        ("event", FormFields(), {"date_start": None, "place": None, "as_of": None}),
        # A figure: value, qualifier, counted and as-of as typed.
        ("figure", FormFields(value="1,500", qualifier="more than", counted=" police ",
                              as_of="2021-03"),
         {"value": 1500, "qualifier": "more than", "counted": "police", "as_of": "2021-03"}),
        ("figure", FormFields(value="600", qualifier=""), {"qualifier": "exactly"}),
    ],
)  # fmt: skip
def test_read_form(type_key: str, fields: FormFields, expected: dict[str, Any]) -> None:
    req = tagform.read_form(type_key, 3, 9, fields, NAMES, figure=type_key == tagform.FIGURE_TYPE)
    assert (req.type_key, req.start, req.end) == (type_key, 3, 9)
    assert {k: getattr(req, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("type_key", "fields", "field", "message"),
    [
        ("event", FormFields(date="last week"), "date", "2021-02-01"),
        ("event", FormFields(date="2021-02-30"), "date", "2021-02-01"),
        ("event", FormFields(date="2021-02-05 to 2021-02-01"), "date", "before the start"),
        ("event", FormFields(date="2021-02-01", place="Yangon"), "place", "Name the event"),
        ("figure", FormFields(value="six hundred"), "value", "must be a number"),
        ("figure", FormFields(value="600", as_of="March"), "as_of", "2021-03-05"),
    ],
)
def test_read_form_names_the_wrong_field(
    type_key: str, fields: FormFields, field: str, message: str
) -> None:
    with pytest.raises(FormProblem, match=message) as caught:
        tagform.read_form(type_key, 0, 5, fields, NAMES, figure=type_key == "figure")
    assert caught.value.field == field and not isinstance(caught.value, NoValue)


def test_a_figure_without_a_value_needs_a_second_yes() -> None:
    fields = FormFields(counted="police", as_of="2021-03-05")
    with pytest.raises(NoValue, match="without a number"):
        tagform.read_form("figure", 0, 5, fields, NAMES, figure=True)
    req = tagform.read_form("figure", 0, 5, fields, NAMES, figure=True, value_optional=True)
    assert (req.value, req.qualifier, req.counted, req.as_of) == (
        None, None, "police", "2021-03-05",
    )  # fmt: skip


@given(st.builds(FormFields, entity=st.text(), note=st.text(), date=st.text(), place=st.text(),
                 value=st.text(), qualifier=st.sampled_from(tagform.QUALIFIERS),
                 counted=st.text(), as_of=st.text()),
       st.sampled_from(["actor", "event", "figure"]))  # fmt: skip
def test_read_form_gives_a_request_or_names_a_field(fields: FormFields, type_key: str) -> None:
    try:
        req = tagform.read_form(
            type_key, 0, 1, fields, NAMES, figure=type_key == "figure", value_optional=True
        )
    except FormProblem as problem:
        assert problem.field in {"date", "place", "value", "as_of"}
        return
    assert req.value is None or math.isfinite(req.value)
    assert req.date_start is None or tagform.is_date(req.date_start)
    assert req.as_of is None or tagform.is_date(req.as_of)
    assert (req.entity_id is None) or (req.new_entity_name is None)


# -- what confirming the form writes --------------------------------------------------


def test_tag_span_makes_the_event_with_its_details_in_one_change(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    article_id = add_article()
    start, end = _span("raided the general hospital")
    req = TagRequest(
        "event", start, end, new_entity_name="Hospital raid", note="seen",
        date_start="2021-03-02", place="Yangon", as_of="2021-03-02",
    )  # fmt: skip
    ann = tagform.tag_span(archive, article_id, req)
    info = entities.get_entity(archive, ann.entity_id or "")
    assert (info.name, info.date_start, info.date_end, info.place) == (
        "Hospital raid", "2021-03-02", None, "Yangon",
    )  # fmt: skip
    assert (ann.note, ann.as_of) == ("seen", "2021-03-02")
    # One change: undo takes back both the tag and the new entity.
    archive.undo()
    assert annotate.list_annotations(archive, article_id) == []
    assert entities.list_entities(archive, "event") == []


def test_tag_span_links_an_existing_entity_and_keeps_the_figure_fields(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    article_id = add_article()
    police = entities.create_entity(archive, "figure", "Nurses on strike")
    start, end = _span("More than 250 nurses")
    req = TagRequest("figure", start, end, entity_id=police.id, value=260, qualifier="about")
    ann = tagform.tag_span(archive, article_id, req)
    assert (ann.entity_id, ann.value, ann.qualifier, ann.counted, ann.as_of) == (
        police.id, 260, "about", None, "2021-03-05",
    )  # fmt: skip
    # Without figure fields the core reads them from the quote.
    ann = tagform.tag_span(archive, article_id, TagRequest("figure", start, end))
    assert (ann.value, ann.qualifier, ann.counted, ann.as_of) == (
        250, "more than", "nurses", "2021-03-05",
    )  # fmt: skip


# -- snapping a selection, and the same entity twice -------------------------------------

BURMESE = "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် မြို့တွင် ဆန္ဒပြသူများ စုဝေးခဲ့ကြသည်။"
THAI = "ตำรวจกว่า ๖๐๐ นาย"


@pytest.mark.parametrize(
    ("text", "selected", "tagged"),
    [
        ("It said over 500 police joined.", "over 500 polic", "over 500 police"),
        ("It said over 500 police joined.", "ver 500 police ", "over 500 police"),
        ("It said over 500 police joined.", " over 500 police", "over 500 police"),
        ("about 1,500 people", "1,5", "1,500"),
        ("Myanmar’s army", "Myanm", "Myanmar"),
        ("café owners", "caf", "café"),  # é written as e + a combining accent
        (BURMESE, "ဲတပ", "ရဲတပ်"),  # a drag starting mid-syllable takes the syllable
        (BURMESE, "ကျေ", "ကျော်"),
        (THAI, "ต", "ตำ"),  # a Thai letter with its vowel sign
        ("hello ✊🏽 world", "✊", "✊🏽"),  # the skin tone stays with its emoji
    ],
)  # fmt: skip
def test_snap_span_widens_to_whole_units(text: str, selected: str, tagged: str) -> None:
    text = unicodedata.normalize("NFD", text) if "café" in text else text
    selected = unicodedata.normalize("NFD", selected) if "caf" in selected else selected
    start = text.index(selected)
    s, e = tagform.snap_span(text, start, start + len(selected))
    assert text[s:e] == (unicodedata.normalize("NFD", tagged) if "caf" in tagged else tagged)


UNIT_TEXT = st.text(
    alphabet=st.sampled_from(
        list("ab Z1,.’-")
        + list("ကျော်ဖွဲ့ဝင်ရဲ၆၀")
        + list("ตำรวจกว่า๖")
        + ["\u0301", "🏽", "✊", "\u200d"]
    ),
    max_size=80,
)


@given(UNIT_TEXT, st.integers(0, 400), st.integers(0, 80), st.integers(0, 3))
def test_property_snapping_only_widens_and_never_splits_a_cluster(
    text: str, pad: int, a: int, length: int
) -> None:
    text = "word " * pad + text  # a long text: the window around the selection is used
    start = min(5 * pad + a, len(text))
    end = min(start + length, len(text))
    s, e = tagform.snap_span(text, start, end)
    trimmed = tagform.trim_span(text, start, end)
    if trimmed[0] >= trimmed[1]:
        return  # only spaces selected: nothing to tag
    assert s <= trimmed[0] and e >= trimmed[1]  # only widens (after dropping end spaces)
    bounds = set(segment.syllable_bounds(text))
    assert s in bounds and e in bounds  # never inside a grapheme cluster or a syllable
    assert tagform.snap_span(text, s, e) == (s, e)  # a snapped span stays as it is


def test_same_entity_on_overlapping_words(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    start, end = annotate.find_quote(REPORT, "Major Kyaw Swar Lin")
    first = annotate.create_annotation(
        archive, aid, start, end, "actor", entity_name="Kyaw Swar Lin"
    )
    inner = REPORT.index("Kyaw Swar Lin")
    with archive.session() as session:
        found = tagform.find_overlap(
            session, aid, inner, inner + 13, "actor", entity_name="Kyaw Swar Lin"
        )
        assert found is not None and found.id == first.id
        # Another entity, or no entity, on the same words is not a repeat.
        assert (
            tagform.find_overlap(session, aid, inner, inner + 13, "actor", entity_name="Other")
            is None
        )
        assert tagform.find_overlap(session, aid, inner, inner + 13, "actor") is None
        # Words next to it do not overlap.
        assert (
            tagform.find_overlap(session, aid, end, end + 5, "actor", entity_id=first.entity_id)
            is None
        )
