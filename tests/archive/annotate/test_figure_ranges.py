"""Figures as ranges: parsing ("between 500 and 600", "500-600", Burmese), low / high on
annotations, the tagging form and `sesame tag --low --high`; event date precision."""

import re
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from archive import annotate, entities, tagform
from archive.errors import InvalidInput
from archive.figures import claim_text, parse_range
from archive.store import Archive

MY_DIGITS = str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")


def _year(n: int) -> bool:
    return re.fullmatch(r"(1[5-9]|20)\d\d", str(n)) is not None


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 10_000_000),
    st.integers(1, 10_000_000),
    st.sampled_from(
        [
            "{a}-{b} police",
            "{a} to {b} police",
            "between {a} and {b} police",
            "{a}–{b}",
            "from {a:,} to {b:,} people",
            "ရဲ {ma} မှ {mb}",
            "{ma} မှ {mb} အထိ",
            "{a} ถึง {b} คน",
        ]
    ),
)
def test_ranges_parse_in_every_form(a: int, b: int, form: str) -> None:
    low, high = sorted((a, b))
    assume(low < high and not (_year(low) and _year(high)))
    text = form.format(
        a=low, b=high, ma=str(low).translate(MY_DIGITS), mb=str(high).translate(MY_DIGITS)
    )
    found = parse_range(text)
    assert found is not None, text
    assert (found.low, found.high) == (low, high)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_parse_range_never_fails_and_keeps_order(text: str) -> None:
    found = parse_range(text)
    assert found is None or found.low < found.high


@pytest.mark.parametrize(
    "text",
    ["more than 600 police", "500 and 600 police", "March 4-5", "2020-2021", "the 3-1 win", ""],
)
def test_not_ranges(text: str) -> None:
    assert parse_range(text) is None


def test_range_scale_and_counted() -> None:
    found = parse_range("1.2 to 1.5 million refugees")
    assert found is not None and (found.low, found.high, found.counted) == (
        1_200_000, 1_500_000, "refugees")  # fmt: skip
    assert claim_text(500, "at least", "police", 500, 600) == "500–600 police"
    assert claim_text(550, None, None, 500, 600) == "500–600 (best 550)"


def test_annotation_reads_a_range_from_its_quote(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    text = "Between 500 and 600 police officers joined. Later 19 more came."
    article = add_article(text)
    end = text.index(" joined")
    ann = annotate.create_annotation(archive, article, 0, end, "figure")
    assert (ann.value, ann.low, ann.high, ann.counted) == (500, 500, 600, "police officers")
    rec = annotate.get_annotation(archive, ann.id)
    assert (rec.to_dict()["low"], rec.to_dict()["high"]) == (500, 600)
    # Given ones are kept; checked against each other.
    start = text.index("19")
    given_ann = annotate.create_annotation(
        archive, article, start, start + 2, "figure", value=19, low=15, high=25
    )
    assert (given_ann.low, given_ann.high) == (15, 25)
    with pytest.raises(InvalidInput, match="above the high"):
        annotate.create_annotation(archive, article, start, start + 2, "figure", low=30, high=20)
    with pytest.raises(InvalidInput, match="below the low"):
        annotate.update_annotation(archive, given_ann.id, value=10)
    annotate.update_annotation(archive, given_ann.id, low=None, high=None)
    assert annotate.get_annotation(archive, given_ann.id).low is None


def test_form_reads_ranges_and_precision() -> None:
    fields = tagform.FormFields(value="500-600", counted="police")
    req = tagform.read_form("figure", 0, 5, fields, {}, figure=True)
    assert (req.value, req.low, req.high) == (500, 500, 600)
    req = tagform.read_form(
        "figure", 0, 5, tagform.FormFields(value="550", low="500", high="600"), {}, figure=True
    )
    assert (req.value, req.low, req.high) == (550, 500, 600)
    with pytest.raises(tagform.FormProblem) as problem:
        tagform.read_form(
            "figure", 0, 5, tagform.FormFields(value="700", high="600"), {}, figure=True
        )
    assert problem.value.field == "value"
    with pytest.raises(tagform.FormProblem) as problem:
        tagform.read_form("figure", 0, 5, tagform.FormFields(value="5", low="x"), {}, figure=True)
    assert problem.value.field == "low"
    req = tagform.read_form(
        "event", 0, 5,
        tagform.FormFields(entity="Raid", date="2021-03", place="Yangon", place_precision="Town"),
        {}, figure=False,
    )  # fmt: skip
    assert req.event_details() == {
        "date_start": "2021-03", "place": "Yangon", "place_precision": "town"}  # fmt: skip
    with pytest.raises(tagform.FormProblem) as problem:
        tagform.read_form(
            "event", 0, 5, tagform.FormFields(date="2021", date_precision="decade"), {},
            figure=False,
        )  # fmt: skip
    assert problem.value.field == "date_precision"


def test_event_date_precision_inferred_and_set(archive: Archive) -> None:
    info = entities.create_entity(archive, "event", "Crackdown", date_start="2021-03")
    assert info.date_precision == "month"
    entities.update_entity(archive, info.id, date_start="2021-03-04", date_end="2021-03-05")
    assert entities.get_entity(archive, info.id).date_precision == "range"
    entities.update_entity(archive, info.id, date_precision="week", place_precision="district")
    got = entities.get_entity(archive, info.id)
    assert (got.date_precision, got.place_precision) == ("week", "district")
    entities.update_entity(archive, info.id, date_start="2021", date_end=None)
    assert entities.get_entity(archive, info.id).date_precision == "year"
    with pytest.raises(InvalidInput, match="not one of"):
        entities.update_entity(archive, info.id, date_precision="decade")
    archive.undo()  # the newest change done: the year back to the week it was
    assert entities.get_entity(archive, info.id).date_precision == "week"


def test_a_given_value_within_the_quotes_range_keeps_the_range(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    text = "Between 500 and 600 police officers joined."
    article = add_article(text)
    end = text.index(" joined")
    ann = annotate.create_annotation(archive, article, 0, end, "figure", value=500)
    assert (ann.value, ann.low, ann.high) == (500, 500, 600)
    other = annotate.create_annotation(archive, article, 0, end, "figure", value=900)
    assert (other.value, other.low, other.high) == (900, None, None)
