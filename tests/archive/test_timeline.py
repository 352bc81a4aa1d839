"""The timeline: events as intervals by precision, their articles, the filters."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import annotate, collections, models, roles, timeline
from archive.errors import NotFound
from archive.store import Archive
from tests.archive.conftest import REPORT


def _article(ch: Any, title: str, published: str | None, text: str = REPORT) -> str:
    art = models.Article(
        title=title,
        source="Paper",
        published=published,
        published_precision="day" if published else "unknown",
        text=text,
        text_sha256=annotate.text_sha256(text),
    )
    ch.session.add(art)
    ch.session.flush()
    return art.id


def _entity(ch: Any, type_key: str, name: str, **kw: Any) -> str:
    ent = models.Entity(type_key=type_key, name=name, **kw)
    ch.session.add(ent)
    ch.session.flush()
    return ent.id


def _tag(ch: Any, article_id: str, quote: str, type_key: str, entity_id: str | None) -> str:
    start, end = annotate.find_quote(REPORT, quote)
    return annotate.create_annotation(
        ch, article_id, start, end, type_key, entity_id=entity_id, sync=False
    ).id


def build_case(archive: Archive) -> dict[str, str]:
    """Three articles, five events of every precision, two actors with roles; their ids.

    raid: day 2021-03-02 (tagged in `one`), perpetrator Kyaw Swar Lin, victim Hnin Wai.
    strike: month 2021-02 (tagged in `one` and `two`), victim Hnin Wai.
    detentions: week of 2021-02-14 (tagged in `two`).
    marches: no date of its own, tagged in `two` (2021-03-04) and `three` (2021-03-05).
    campaign: range 2021-01-10 .. 2021-04, no articles. ghost: no date, no article.
    """
    with archive.change("timeline fixture") as ch:
        ids = {
            "one": _article(ch, "One", "2021-03-05"),
            "two": _article(ch, "Two", "2021-03-04"),
            "three": _article(ch, "Three", "2021-03-05"),
        }
        ids["raid"] = _entity(
            ch, "event", "Hospital raid", date_start="2021-03-02", date_precision="day",
            place="Yangon", place_precision="town",
        )  # fmt: skip
        ids["strike"] = _entity(
            ch, "event", "Nurses' strike", date_start="2021-02-20", date_precision="month"
        )
        ids["detentions"] = _entity(
            ch, "event", "Detentions", date_start="2021-02-14", date_precision="week"
        )
        ids["marches"] = _entity(ch, "event", "Mandalay marches")
        ids["campaign"] = _entity(
            ch, "event", "Campaign", date_start="2021-01-10", date_end="2021-04",
            date_precision="range",
        )  # fmt: skip
        ids["ghost"] = _entity(ch, "event", "Undated rumour")
        ids["kyaw"] = _entity(ch, "actor", "Kyaw Swar Lin")
        ids["hnin"] = _entity(ch, "actor", "Hnin Wai")
        _tag(ch, ids["one"], "raided the general hospital", "event", ids["raid"])
        _tag(ch, ids["one"], "joined the strike", "event", ids["strike"])
        _tag(ch, ids["two"], "joined the strike", "event", ids["strike"])
        _tag(ch, ids["two"], "were detained on Feb. 14", "event", ids["detentions"])
        _tag(ch, ids["two"], "marched in Mandalay", "event", ids["marches"])
        _tag(ch, ids["three"], "marched in Mandalay", "event", ids["marches"])
        ids["perp_ann"] = _tag(ch, ids["one"], "Major Kyaw Swar Lin", "actor", ids["kyaw"])
        ids["victim_ann"] = _tag(ch, ids["three"], "Daw Hnin Wai", "actor", ids["hnin"])
        for event, actor, role, ann in (
            ("raid", "kyaw", "perpetrator", "perp_ann"),
            ("raid", "hnin", "victim", "victim_ann"),
            ("strike", "hnin", "victim", "victim_ann"),
        ):
            roles.add_role(ch, ids[event], ids[actor], role, annotation_id=ids[ann])
    collections.create_collection(archive, "Case")
    collections.add_articles(archive, "Case", [ids["two"]])
    return ids


@pytest.fixture
def case(archive: Archive) -> dict[str, str]:
    return build_case(archive)


def _by_name(found: timeline.Timeline) -> dict[str, dict[str, Any]]:
    return {e.name: e.to_dict() for e in found.events}


def test_each_precision_spans_its_unit(archive: Archive, case: dict[str, str]) -> None:
    found = timeline.timeline(archive)
    got = _by_name(found)
    assert [e.name for e in found.events] == [
        "Campaign", "Nurses' strike", "Detentions", "Hospital raid", "Mandalay marches",
    ]  # fmt: skip
    assert (got["Hospital raid"]["start"], got["Hospital raid"]["end"]) == (
        "2021-03-02", "2021-03-02",
    )  # fmt: skip
    assert got["Hospital raid"]["places"] == ["Yangon"]
    assert got["Hospital raid"]["place_precision"] == "town"
    assert (got["Nurses' strike"]["start"], got["Nurses' strike"]["end"]) == (
        "2021-02-01", "2021-02-28",
    )  # fmt: skip
    # 14 February 2021 was a Sunday: its ISO week began on Monday the 8th.
    assert (got["Detentions"]["start"], got["Detentions"]["end"]) == ("2021-02-08", "2021-02-14")
    assert (got["Campaign"]["start"], got["Campaign"]["end"]) == ("2021-01-10", "2021-04-30")
    assert got["Campaign"]["precision"] == "range" and got["Campaign"]["articles"] == []
    assert found.undated == 1  # the rumour: no date, no article


def test_undated_event_takes_its_earliest_article(archive: Archive, case: dict[str, str]) -> None:
    marches = _by_name(timeline.timeline(archive))["Mandalay marches"]
    assert (marches["start"], marches["end"], marches["precision"]) == (
        "2021-03-04", "2021-03-04", "day",
    )  # fmt: skip
    assert marches["dated_by"] == "articles"
    assert marches["articles"] == [case["two"], case["three"]]  # by published date


def test_role_passages_count_as_the_events_articles(archive: Archive, case: dict[str, str]) -> None:
    got = _by_name(timeline.timeline(archive))
    # The raid is tagged in `one`; its victim's role rests on a passage of `three`.
    assert set(got["Hospital raid"]["articles"]) == {case["one"], case["three"]}
    passages = timeline.event_passages(archive, case["raid"])
    assert sorted((p.article_id, p.why, p.quote) for p in passages) == sorted(
        [
            (case["one"], "perpetrator: Kyaw Swar Lin", "Major Kyaw Swar Lin"),
            (case["one"], "tag", "raided the general hospital"),
            (case["three"], "victim: Hnin Wai", "Daw Hnin Wai"),
        ]
    )


def test_filters(archive: Archive, case: dict[str, str]) -> None:
    names = lambda **kw: [e.name for e in timeline.timeline(archive, **kw).events]  # noqa: E731
    assert names(actor_id=case["hnin"]) == ["Nurses' strike", "Hospital raid"]
    assert names(actor_id=case["kyaw"]) == ["Hospital raid"]
    assert names(actor_id=case["kyaw"], role="victim") == []
    assert names(role="victim") == ["Nurses' strike", "Hospital raid"]
    assert names(role="perpetrator") == ["Hospital raid"]
    in_case = timeline.timeline(archive, collection="Case").events
    assert [e.name for e in in_case] == ["Nurses' strike", "Detentions", "Mandalay marches"]
    assert all(e.articles == [case["two"]] for e in in_case)
    # The filter chooses events; it does not move them.
    assert (
        _by_name(timeline.timeline(archive, collection="Case"))["Mandalay marches"]["start"]
        == "2021-03-04"
    )


def test_unknown_collection_role_and_actor_say_what_to_do(archive: Archive) -> None:
    with pytest.raises(NotFound, match="sesame collections"):
        timeline.timeline(archive, collection="Nope")
    with pytest.raises(NotFound, match="perpetrator"):
        timeline.check_role(archive, "nope")
    with pytest.raises(NotFound, match="sesame entities"):
        timeline.find_actor(archive, "Nobody")
    assert timeline.check_role(archive, "Intervening party") == "intervening"


def test_merged_actor_and_event_follow_the_merge(archive: Archive, case: dict[str, str]) -> None:
    from archive import entities

    entities.merge_entities(archive, case["hnin"], case["kyaw"])
    names = [e.name for e in timeline.timeline(archive, actor_id=case["kyaw"]).events]
    assert names == ["Nurses' strike", "Hospital raid"]


def test_retracted_articles_are_left_out(archive: Archive, case: dict[str, str]) -> None:
    from archive import articles

    articles.retract_article(archive, case["two"], "wrong")
    got = _by_name(timeline.timeline(archive))
    assert got["Mandalay marches"]["articles"] == [case["three"]]
    assert got["Mandalay marches"]["start"] == "2021-03-05"


_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=200)
@given(
    start=_dates,
    length=st.integers(0, 800),
    precision=st.sampled_from([None, *models.DATE_PRECISIONS]),
    form=st.sampled_from(["day", "month", "year"]),
    with_end=st.booleans(),
)
def test_interval_holds_the_written_dates(
    start: date, length: int, precision: str | None, form: str, with_end: bool
) -> None:
    def written(d: date) -> str:
        return {"day": d.isoformat(), "month": d.isoformat()[:7], "year": str(d.year)}[form]

    end = start + timedelta(days=length)
    s, e = written(start), written(end) if with_end else None
    span = timeline.interval(s, e, precision)
    assert span is not None
    first = timeline.parse_date(s)
    assert first is not None
    assert span.start <= first[0] <= span.end
    if e is not None:
        last = timeline.parse_date(e)
        assert last is not None and span.start <= last[0] <= span.end
    if precision in ("week", "month", "year") and form == "day" and not with_end:
        unit = precision
        assert {
            "week": lambda: span.start.weekday() == 0 and (span.end - span.start).days == 6,
            "month": lambda: span.start.day == 1 and span.start.month == span.end.month,
            "year": lambda: (
                (span.start.month, span.start.day, span.end.month, span.end.day) == (1, 1, 12, 31)
            ),
        }[unit]()


def test_dates_that_are_not_dates_are_not_placed() -> None:
    assert timeline.interval("soon", None, "day") is None
    assert timeline.interval("2021-02-30", None, None) is None
    assert timeline.parse_date("2021-03-05T10:00:00+00:00") == (date(2021, 3, 5), "day")


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60)), max_size=60),
    st.integers(0, 3),
)
def test_lanes_never_hold_two_events_on_one_day(raw: list[tuple[int, int]], gap: int) -> None:
    spans = sorted((s, s + n) for s, n in raw)
    lanes = timeline.pack_lanes(spans, gap=gap)
    assert len(lanes) == len(spans)
    for lane in set(lanes):
        mine = [sp for sp, ln in zip(spans, lanes, strict=True) if ln == lane]
        assert all(a[1] + gap < b[0] for a, b in itertools.pairwise(mine))
    # No more lanes than the most events on one day (each with its gap after it).
    most = max((sum(s <= d <= e + gap for s, e in spans) for d in range(0, 465)), default=0)
    assert len(set(lanes)) == most


def test_filter_choices(archive: Archive, case: dict[str, str]) -> None:
    found = timeline.filter_choices(archive)
    assert found.actors == [(case["hnin"], "Hnin Wai"), (case["kyaw"], "Kyaw Swar Lin")]
    assert found.collections == ["Case"]
    assert ("perpetrator", "Perpetrator") in found.roles


def test_without_articles_the_dates_stay_the_same(archive: Archive, case: dict[str, str]) -> None:
    full = timeline.timeline(archive)
    light = timeline.timeline(archive, with_articles=False)
    assert [(e.event_id, e.start, e.end, e.dated_by) for e in light.events] == [
        (e.event_id, e.start, e.end, e.dated_by) for e in full.events
    ]
    assert all(e.articles == [] for e in light.events if e.dated_by == "event")
    marches = next(e for e in light.events if e.dated_by == "articles")
    assert marches.articles == [case["two"], case["three"]]
    in_case = timeline.timeline(archive, collection="Case", with_articles=False)
    assert all(e.articles == [case["two"]] for e in in_case.events)


def test_an_undated_event_takes_the_date_its_passage_gives(tmp_path: Any) -> None:
    """`--as-of` is "the date this source gives": it places an event with no date."""
    with Archive.open(tmp_path / "arch", create=True) as archive:
        with archive.change("Setup") as ch:
            article = models.Article(
                title="Report", text="The crackdown came.", published="2021-03-05"
            )
            ch.session.add(article)
            ch.session.flush()
            event = entities_link(ch)
            annotate.create_annotation(
                ch, article.id, 4, 13, "event", entity_id=event, as_of="2021-03-03"
            )
        [placed] = timeline.timeline(archive).events
        assert (placed.start.isoformat(), placed.dated_by) == ("2021-03-03", "articles")


def entities_link(ch: Any) -> str:
    from archive import entities

    return entities.link_entity(ch, "event", None, "Crackdown")
