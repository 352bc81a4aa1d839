"""Figure phrases parsed into value, qualifier and what is counted; the comparison table."""

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import annotate, figures
from archive.errors import InvalidInput
from archive.store import Archive

# (phrase, value, qualifier, counted)
PHRASES = [
    ("More than 600 police", 600, "more than", "police"),
    ("more than 600 police officers have joined", 600, "more than", "police officers"),
    ("at least 19 Myanmar police officers", 19, "at least", "Myanmar police officers"),
    ("More than 1,500", 1500, "more than", None),
    ("More than 1,500 have also been arrested", 1500, "more than", None),
    ("over 500 police participating in the strike", 500, "more than", "police"),
    (
        "nine ministry of foreign affairs officials",
        9,
        "exactly",
        "ministry of foreign affairs officials",
    ),
    ("at least 28 people", 28, "at least", "people"),
    ("Thousands have joined", 2000, "at least", None),
    ("thousands of refugees", 2000, "at least", "refugees"),
    ("dozens of protesters", 24, "at least", "protesters"),
    ("Dozens", 24, "at least", None),
    ("hundreds of monks", 200, "at least", "monks"),
    ("tens of thousands of workers", 20000, "at least", "workers"),
    ("hundreds of thousands of people", 200000, "at least", "people"),
    ("millions of voters", 2000000, "at least", "voters"),
    ("1.2 million people", 1200000, "exactly", "people"),
    ("about 1.2 million residents", 1200000, "about", "residents"),
    ("50 million people", 50000000, "exactly", "people"),
    ("5k marchers", 5000, "exactly", "marchers"),
    ("2.5bn kyat", 2500000000, "exactly", "kyat"),
    ("nearly 30 years", 30, "about", "years"),
    ("almost 70 journalists", 70, "about", "journalists"),
    ("around 300 soldiers", 300, "about", "soldiers"),
    ("approximately 45 villages", 45, "about", "villages"),
    ("an estimated 3,000 displaced people", 3000, "about", "displaced people"),
    ("some 80 teachers", 80, "about", "teachers"),
    ("roughly a thousand students", 1000, "about", "students"),
    ("no fewer than 12 doctors", 12, "at least", "doctors"),
    ("not less than 40 nurses", 40, "at least", "nurses"),
    ("a minimum of 7 trucks", 7, "at least", "trucks"),
    ("fewer than 20 lawmakers", 20, "less than", "lawmakers"),
    ("less than a hundred houses", 100, "less than", "houses"),
    ("under 15 children", 15, "less than", "children"),
    ("below 10 percent", 10, "less than", "percent"),
    ("up to 400 detainees", 400, "up to", "detainees"),
    ("as many as 90 civilians were killed", 90, "up to", "civilians"),
    ("no more than 6 officers", 6, "up to", "officers"),
    ("at most 3 vehicles", 3, "up to", "vehicles"),
    ("exactly 101 people", 101, "exactly", "people"),
    ("precisely 14 diplomats", 14, "exactly", "diplomats"),
    ("five staff from the embassy", 5, "exactly", "staff"),
    ("twenty-five soldiers", 25, "exactly", "soldiers"),
    ("two hundred and fifty thousand voters", 250000, "exactly", "voters"),
    ("a dozen police stations", 12, "exactly", "police stations"),
    ("two dozen arrests", 24, "exactly", "arrests"),
    ("half a million refugees", 500000, "exactly", "refugees"),
    ("several hundred people", 300, "at least", "people"),
    ("a few thousand workers", 2000, "at least", "workers"),
    ("More Than 10 Myanmar Diplomats Refuse", 10, "more than", "Myanmar Diplomats"),
    ("In excess of 700 arrests", 700, "more than", "arrests"),
    ("upwards of 60 students", 60, "more than", "students"),
    ("more than 49 unarmed civilians have been killed", 49, "more than", "unarmed civilians"),
    ("at least 100 staff from missions", 100, "at least", "staff"),
    ("the army's 33rd division", None, None, None),
    ("no number here", None, None, None),
]


@pytest.mark.parametrize(("phrase", "value", "qualifier", "counted"), PHRASES)
def test_parse_figure(
    phrase: str, value: float | None, qualifier: str | None, counted: str | None
) -> None:
    parsed = figures.parse_figure(phrase)
    if value is None:
        assert parsed is None
        return
    assert parsed is not None
    assert (parsed.value, parsed.qualifier, parsed.counted) == (value, qualifier, counted)


def test_at_least_forty_phrasings() -> None:
    assert len([p for p in PHRASES if p[1] is not None]) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "on Feb. 1, the army",
        "since March 3 the city",
        "Saturday 6 March 2021 by",
        "the November 2020 election",
        "the 1,000-mile border",
        "the 193-member assembly",
        "at 10:30 the police",
        "in 2020 the vote",
    ],
)
def test_dates_years_and_codes_are_not_figures(text: str) -> None:
    assert figures.find_figures(text) == []


def test_find_figures_spans() -> None:
    text = "Yesterday more than 600 police and at least 19 officers fled; 2021 was hard."
    found = figures.find_figures(text)
    assert [text[f.start : f.end] for f in found] == [
        "more than 600 police",
        "at least 19 officers",
    ]
    assert text[found[0].number_start : found[0].number_end] == "600"


@pytest.mark.parametrize(
    ("words", "canonical"),
    [
        ("over", "more than"),
        ("More Than", "more than"),
        ("nearly", "about"),
        ("at  least", "at least"),
        ("as many as", "up to"),
        ("under", "less than"),
        ("exactly", "exactly"),
        ("", None),
    ],
)
def test_normalise_qualifier(words: str, canonical: str | None) -> None:
    assert figures.normalise_qualifier(words) == canonical


def test_unknown_qualifier_names_the_choices() -> None:
    with pytest.raises(InvalidInput, match="at least"):
        figures.normalise_qualifier("a lot of")


@given(st.integers(0, 10**9))
def test_property_written_numbers_read_back(n: int) -> None:
    parsed = figures.parse_figure(f"more than {n:,} people")
    assert parsed is not None and parsed.value == n and parsed.counted == "people"
    assert figures.format_value(float(n)) == f"{n:,}"


def test_claim_text() -> None:
    assert figures.claim_text(600.0, "more than", "police") == "more than 600 police"
    assert figures.claim_text(1500.0, "exactly", None) == "1,500"


def test_figure_table_lines_up_sources(archive: Archive, add_article: Callable[..., str]) -> None:
    one = add_article(
        "Yesterday more than 600 police joined.", source="Paper A", published="2021-03-05"
    )
    two = add_article(
        "By then over 500 police had joined.", source="Paper B", published="2021-03-04"
    )
    three = add_article("Some 20 doctors left.", source="Paper C")
    for aid, quote in ((one, "more than 600 police"), (two, "over 500 police")):
        text = (
            "Yesterday more than 600 police joined."
            if aid == one
            else "By then over 500 police had joined."
        )
        s, e = annotate.find_quote(text, quote)
        annotate.create_annotation(
            archive, aid, s, e, "figure", entity_name="police who joined the CDM"
        )
    annotate.create_annotation(archive, three, 0, 15, "figure")
    [group] = figures.figure_table(archive)
    assert group.name == "police who joined the CDM"
    assert [(c.source, c.value, c.qualifier, c.as_of) for c in group.claims] == [
        ("Paper B", 500, "more than", "2021-03-04"),
        ("Paper A", 600, "more than", "2021-03-05"),
    ]
    assert group.sources == ["Paper A", "Paper B"]
    groups = figures.figure_table(archive, include_unlinked=True)
    assert [g.entity_id is None for g in groups] == [False, True]
    assert groups[1].claims[0].value == 20
    assert (
        figures.figure_table(archive, group.entity_id)[0].to_dict()["claims"][0]["quote"]
        == "over 500 police"
    )
