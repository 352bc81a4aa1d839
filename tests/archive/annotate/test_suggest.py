"""Rule-based suggestions: figures, actors and events, reviewed before anything is tagged."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from archive import annotate, entities, models, suggest
from archive.errors import InvalidInput
from archive.store import Archive
from tests.archive.conftest import REPORT

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"


def _by_quote(found: list[suggest.Suggestion]) -> dict[str, suggest.Suggestion]:
    return {s.quote: s for s in found}


def test_figures_with_qualifier_and_counted_noun() -> None:
    found = _by_quote(suggest.suggest(REPORT, "2021-03-05", types=["figure"]))
    assert set(found) == {
        "More than 250 nurses",
        "at least 42 hospital staff",
        "over 1,200 people",
        "nine senior surgeons",
    }  # not "Thousands" (have signed): a bare quantity word claims no number
    fig = found["over 1,200 people"]
    assert (fig.value, fig.qualifier, fig.counted) == (1200, "more than", "people")
    assert found["nine senior surgeons"].qualifier == "exactly"


def test_actors_with_honorifics_organisations_and_acronyms() -> None:
    found = suggest.suggest(REPORT, types=["actor"])
    quotes = [s.quote for s in found]
    for name in ("U Zaw Min Htet", "Daw Hnin Wai", "Major Kyaw Swar Lin", "Mr Henderson",
                 "Myanmar Health Workers Union", "MHWU"):  # fmt: skip
        assert name in quotes
    by = _by_quote(found)
    assert by["U Zaw Min Htet"].entity_name == "Zaw Min Htet"
    assert by["U Zaw Min Htet"].aliases == ["U Zaw Min Htet"]
    # An organisation spelled out before its acronym is one entity under the acronym.
    assert by["Myanmar Health Workers Union"].entity_name == "MHWU"
    assert by["MHWU"].aliases == ["Myanmar Health Workers Union"]
    # Not from the headline, and not sentence-initial words or places.
    assert not any(q in quotes for q in ("Strike Spreads", "Hospital Staff", "Yangon", "Mandalay"))
    for s in found:
        assert REPORT[s.start : s.end] == s.quote


def test_burmese_honorifics() -> None:
    text = "ရန်ကုန် — ဦးကျော်မိုးထွန်း နှင့် ဒေါ်ချောကလျာ တို့က ပြောသည်။"
    quotes = [s.quote for s in suggest.suggest(text, types=["actor"])]
    assert quotes == ["ဦးကျော်မိုးထွန်း", "ဒေါ်ချောကလျာ"]


def test_events_are_dated_clauses() -> None:
    found = suggest.suggest(REPORT, "2021-03-05", types=["event"])
    got = {s.quote: s.date for s in found}
    assert got["The soldiers raided the general hospital on March 2"] == "2021-03-02"
    assert got["said at least 42 hospital staff were detained on Feb. 14"] == "2021-02-14"
    marched = "Daw Hnin Wai told reporters that over 1,200 people marched in Mandalay on Sunday"
    assert got[marched] == "2021-02-28"  # the Sunday before Friday 5 March


def test_dates_resolve_to_last_year_and_without_a_published_date() -> None:
    text = "The party won the general election on Nov. 8 by a landslide."
    [ev] = suggest.suggest(text, "2021-03-05", types=["event"])
    assert ev.date == "2020-11-08"
    [ev] = suggest.suggest(text, None, types=["event"])
    assert ev.date is None
    [ev] = suggest.suggest(
        "The army took power on 1 February 2021 in the capital.", types=["event"]
    )
    assert ev.date == "2021-02-01"


def test_already_annotated_spans_are_skipped() -> None:
    s, e = annotate.find_quote(REPORT, "Daw Hnin Wai")
    found = suggest.suggest(REPORT, existing=[(s, e, "actor")])
    assert "Daw Hnin Wai" not in [x.quote for x in found if x.type == "actor"]
    # Another type on the same span does not hide it.
    found = suggest.suggest(REPORT, existing=[(s, e, "event")])
    assert "Daw Hnin Wai" in [x.quote for x in found]


def test_nothing_is_tagged_until_accepted(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    found = suggest.suggest_for_article(archive, aid)
    assert found and annotate.list_annotations(archive, aid) == []
    by = _by_quote(found)
    ann = suggest.accept_suggestion(archive, aid, by["U Zaw Min Htet"])
    assert ann.origin == "suggestion" and ann.quote == "U Zaw Min Htet"
    fig = suggest.accept_suggestion(archive, aid, by["over 1,200 people"], note="march")
    assert (fig.value, fig.qualifier, fig.counted, fig.note) == (
        1200,
        "more than",
        "people",
        "march",
    )
    assert fig.as_of == "2021-03-05"
    # Accepted spans are not proposed again.
    again = [s.quote for s in suggest.suggest_for_article(archive, aid)]
    assert "U Zaw Min Htet" not in again and "over 1,200 people" not in again
    info = entities.get_entity(archive, ann.entity_id or "")
    assert (info.name, info.aliases) == ("Zaw Min Htet", ["U Zaw Min Htet"])


def test_accept_many_is_all_or_nothing(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    found = suggest.suggest_for_article(archive, aid, types=["actor"])
    stale = suggest.Suggestion(0, 5, "WRONG", "actor")
    with pytest.raises(InvalidInput, match="no longer matches"):
        suggest.accept_suggestions(archive, aid, [*found, stale])
    assert annotate.list_annotations(archive, aid) == []
    made = suggest.accept_suggestions(archive, aid, found)
    assert len(made) == len(found)
    # The acronym and its long form landed on one entity.
    mhwu = [a for a in made if a.quote in ("MHWU", "Myanmar Health Workers Union")]
    assert len({a.entity_id for a in mhwu}) == 1


def test_suggest_is_fast_enough_for_a_long_article() -> None:
    text = (REPORT + "\n") * 12  # about 1,000 words
    suggest.suggest(text, "2021-03-05")
    started = time.perf_counter()
    suggest.suggest(text, "2021-03-05")
    # The target is 20 ms (bench/annotate_bench.py); this only catches a gross regression.
    assert time.perf_counter() - started < 0.5


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seed articles are not here")
def test_seed_articles_done_when(archive: Archive) -> None:
    from archive import ingest

    ingest.import_paths(archive, [SEEDS])
    with archive.session() as session:
        ids = [a.id for a in session.exec(select(models.Article))]
    quotes: dict[str, tuple[str, suggest.Suggestion]] = {}
    for aid in ids:
        for s in suggest.suggest_for_article(archive, aid):
            quotes.setdefault(s.quote.lower(), (aid, s))
    for wanted in ("more than 600 police", "at least 19 myanmar police officers",
                   "more than 1,500", "u aung kyaw naing", "daw chaw kalayar",
                   "major tin min tun", "khun aung ko ko", "u kyaw moe tun"):  # fmt: skip
        assert any(q.startswith(wanted) for q in quotes), wanted
    for wanted in ("more than 1,500", "major tin min tun"):
        aid, sug = quotes[wanted]
        ann = suggest.accept_suggestion(archive, aid, sug)
        assert ann.quote.lower() == wanted


def test_accepted_event_keeps_the_date_the_source_gives(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    found = _by_quote(suggest.suggest_for_article(archive, aid, types=["event"]))
    raid = found["The soldiers raided the general hospital on March 2"]
    ann = suggest.accept_suggestion(archive, aid, raid, entity_name="Hospital raid")
    assert (ann.type_key, ann.as_of, ann.origin) == ("event", "2021-03-02", "suggestion")
    assert entities.get_entity(archive, ann.entity_id or "").name == "Hospital raid"


def test_names_after_prepositions_are_people_but_after_in_places() -> None:
    text = "The envoy took over from Kyaw Moe Tun, who had spoken in New York on Friday."
    quotes = [s.quote for s in suggest.suggest(text, types=["actor"])]
    assert "Kyaw Moe Tun" in quotes and "New York" not in quotes


def test_abbreviated_months_do_not_end_sentences() -> None:
    text = (
        "Police said. The army has held the town since Feb. 1 and shelled it on March 3, they said."
    )
    [ev] = suggest.suggest(text, "2021-03-05", types=["event"])
    assert ev.quote == "The army has held the town since Feb. 1 and shelled it on March 3"
    assert ev.date == "2021-02-01"


WORDS = [
    "U", "Daw", "Major", "Mr.", "Aung", "Kyaw", "more", "than", "at", "least", "600", "1,500",
    "nine", "police", "on", "Feb.", "1", "March", "(CDM)", "NLD", ",", ".", "\n", "the", "The",
    "ဦး", "ကျော်", "😀", "thousands", "of", "said",
]  # fmt: skip


@given(st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_property_every_suggestion_quotes_its_span(text: str) -> None:
    found = suggest.suggest(text, "2021-03-05")
    for s in found:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.quote
        assert s.type in {"actor", "event", "figure"}
    assert found == sorted(found, key=lambda s: (s.start, s.end, s.type))


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Thousands have joined the CDM.", []),
        ("Hundreds marched; dozens were held.", []),
        ("Dozens of soldiers were seen.", ["Dozens of soldiers"]),
        ("India is home to thousands of refugees.", ["thousands of refugees"]),
        ("More than 1,500 were arrested.", ["More than 1,500"]),
    ],
)
def test_bare_quantity_words_are_not_figures(text: str, figures: list[str]) -> None:
    assert [s.quote for s in suggest.suggest(text, types=["figure"])] == figures


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Protesters gathered at the United Nations with images of the dead "
         "- Lauren DeCicca /Getty Images AsiaPac", ["United Nations"]),
        ("Soldiers patrol Yangon. Photo: Ye Aung Thu / AFP", []),
        ("Police blocked the road. Photo by Sai Aung Main for The Irrawaddy", []),
        ("YANGON (Reuters) - Major Tin Min Tun said the strike spread.", ["Major Tin Min Tun"]),
        ("Credit: Kyaw Zaw Win, Myanmar Now\nDaw Hnin Wai spoke.", ["Daw Hnin Wai"]),
        ("Daw Hnin Wai (AFP/Sai Aung Main) spoke.", ["Daw Hnin Wai"]),
        ("An officer told Reuters that Khun Aung Ko Ko had fled.", ["Khun Aung Ko Ko"]),
    ],
)  # fmt: skip
def test_photo_credits_and_bylines_are_not_actors(text: str, kept: list[str]) -> None:
    assert [s.quote for s in suggest.suggest(text, types=["actor"])] == kept


CDM_TEXT = (
    "The Civil Disobedience Movement (CDM) grew. Doctors joined the CDM, then bankers "
    "joined the CDM. U Zaw Min Htet praised the CDM; Zaw Min Htet spoke twice. "
    "More than 250 nurses and more than 250 nurses again."
)


def test_suggestions_are_grouped_by_entity() -> None:
    groups = suggest.group_suggestions(suggest.suggest(CDM_TEXT, "2021-03-05"))
    by_label = {g.label: g for g in groups}
    cdm = by_label["CDM ×5"]
    assert [m.quote for m in cdm.members] == ["Civil Disobedience Movement"] + ["CDM"] * 4
    assert cdm.aliases == ["Civil Disobedience Movement"]
    assert by_label["Zaw Min Htet ×2"].count == 2
    # Figures stay one a row: two claims are two pieces of evidence.
    assert [g.label for g in groups if g.type == "figure"] == [
        "More than 250 nurses",
        "more than 250 nurses",
    ]
    doc = cdm.to_dict()
    assert (doc["count"], len(doc["mentions"])) == (5, 5)
    assert doc["quote"] == "Civil Disobedience Movement"


def test_accept_a_group_or_chosen_mentions(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article(CDM_TEXT)
    (cdm,) = [g for g in suggest.suggest_groups(archive, aid) if g.entity_name == "CDM"]
    made = suggest.accept_group(archive, aid, cdm, [1, 3])
    assert [a.quote for a in made] == ["CDM", "CDM"] and len({a.entity_id for a in made}) == 1
    (left,) = [g for g in suggest.suggest_groups(archive, aid) if g.entity_name == "CDM"]
    assert left.count == 3
    more = suggest.accept_group(archive, aid, left)
    assert {a.entity_id for a in more} == {made[0].entity_id}
    info = entities.get_entity(archive, made[0].entity_id or "")
    assert info.name == "CDM" and "Civil Disobedience Movement" in info.aliases
    assert not [g for g in suggest.suggest_groups(archive, aid) if g.entity_name == "CDM"]
    with pytest.raises(InvalidInput, match="mention"):
        suggest.accept_group(archive, aid, left, [7])


def test_a_figure_is_as_of_its_published_date_everywhere(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    from archive import tagform

    aid = add_article()
    found = suggest.suggest_for_article(archive, aid)
    (fig,) = [s for s in found if s.quote == "over 1,200 people"]
    prefill = tagform.figure_prefill(fig.quote, "2021-03-05")
    assert fig.as_of == prefill["as_of"] == "2021-03-05"
    assert suggest.accept_suggestion(archive, aid, fig).as_of == "2021-03-05"
