"""The query language: fields, phrases, operators, wildcards, fuzzy, dates, sorting, facets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import models
from archive.search import QueryError
from archive.search.expand import edit_distance
from archive.search.query import parse_query
from archive.store import Archive, mark_for_index

from .helpers import add_articles, found


@pytest.fixture
def news(archive: Archive) -> Archive:
    ids = add_articles(
        archive,
        {
            "title": "Soldiers fire on marchers",
            "text": "Soldiers fired on marchers near the university; more than 600 police "
            "were deployed and twelve people were wounded.",
            "source": "The Irrawaddy",
            "byline": "Aung Kyaw",
            "published": "2021-03-14",
            "language": "en",
        },
        {
            "title": "Strike spreads to railways",
            "text": "Railway workers joined the general strike, and the police arrested "
            "union leaders in Mandalay.",
            "source": "Frontier Myanmar",
            "byline": "Jane Roe",
            "published": "2021-02-20",
            "language": "en",
        },
        {
            "title": "Harvest report",
            "text": "Farmers expect a good rice harvest this year after steady rains.",
            "source": "Farm Weekly",
            "published": "2019",
            "language": "en",
        },
    )
    with archive.transaction() as session:
        case = models.Collection(name="Spring Case")
        actor = models.Entity(type_key="actor", name="Tin Min Tun", aliases=["TMT"])
        event = models.Entity(type_key="event", name="Hledan march")
        session.add_all([case, actor, event])
        session.flush()
        session.add(models.ArticleCollection(article_id=ids[0], collection_id=case.id))
        session.add(
            models.Annotation(
                article_id=ids[0],
                start=0,
                end=8,
                quote="Soldiers",
                type_key="actor",
                entity_id=actor.id,
                note="commander named by two witnesses",
            )
        )
        session.add(
            models.Annotation(
                article_id=ids[0],
                start=18,
                end=26,
                quote="marchers",
                type_key="event",
                entity_id=event.id,
            )
        )
        session.add(
            models.Annotation(
                article_id=ids[1],
                start=0,
                end=7,
                quote="Railway",
                type_key="figure",
                value=600,
                qualifier="more than",
                counted="police",
            )
        )
        for aid in ids[:2]:
            mark_for_index(session, aid)
    return archive


FIRE = "Soldiers fire on marchers"
STRIKE = "Strike spreads to railways"
HARVEST = "Harvest report"


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("police", [FIRE, STRIKE]),
        ("polices", [FIRE, STRIKE]),  # stemmed
        ('"more than 600 police"', [FIRE]),
        ('"600 more police"', []),
        ("police AND Mandalay", [STRIKE]),
        ("police Mandalay", [STRIKE]),  # AND is the default
        ("harvest OR strike", [STRIKE, HARVEST]),
        ("police NOT Mandalay", [FIRE]),
        ("police -Mandalay", [FIRE]),
        ("(rice OR union) AND leaders", [STRIKE]),
        ("railw*", [STRIKE]),
        ("harv?st", [HARVEST]),
        ("pol?ce", [FIRE, STRIKE]),  # matched against the stem "polic" too
        ("Mandaly~2", [STRIKE]),
        ("harvset~", [HARVEST]),
        ("Mandaly~", [STRIKE]),
        ("title:harvest", [HARVEST]),
        ("title:police", []),
        ("source:irrawaddy", [FIRE]),
        ('source:"frontier myanmar"', [STRIKE]),
        ("byline:roe", [STRIKE]),
        ("author:kyaw", [FIRE]),
        ("lang:en", [FIRE, STRIKE, HARVEST]),
        ('collection:"spring case"', [FIRE]),
        ("tag:actor", [FIRE]),
        ("tag:figure", [STRIKE]),
        ('actor:"Tin Min Tun"', [FIRE]),
        ("actor:tmt", [FIRE]),
        ("event:hledan", [FIRE]),
        ("actor:hledan", []),
        ("note:witnesses", [FIRE]),
        ("tin min tun", [FIRE]),  # entity names are searched by default too
        ("published:[2021-03-01 TO 2021-03-31]", [FIRE]),
        ("published:[2021-01-01 TO 2021-12-31]", [FIRE, STRIKE]),
        ("published:2019", [HARVEST]),
        ("year:2021 AND police", [FIRE, STRIKE]),
        ("TITLE:harvest", [HARVEST]),
    ],
)
def test_query(news: Archive, query: str, titles: list[str]) -> None:
    assert sorted(found(news, query)) == sorted(titles)


def test_sort_by_date(news: Archive) -> None:
    assert found(news, "police OR harvest", sort="date") == [FIRE, STRIKE, HARVEST]


def test_limit_and_total(news: Archive) -> None:
    results = news.index.search("police OR harvest", limit=1)
    assert results.total == 3
    assert len(results.hits) == 1


def test_facets(news: Archive) -> None:
    facets = news.index.search("police OR harvest").facets
    assert facets["source"] == {"The Irrawaddy": 1, "Frontier Myanmar": 1, "Farm Weekly": 1}
    assert facets["year"] == {"2021": 2, "2019": 1}
    assert facets["lang"] == {"en": 3}
    assert facets["tag"] == {"actor": 1, "event": 1, "figure": 1}
    assert facets["entity"] == {"actor:Tin Min Tun": 1, "event:Hledan march": 1}


def test_filters_narrow_the_results(news: Archive) -> None:
    assert found(news, "police", filters={"source": "Frontier Myanmar"}) == [STRIKE]
    assert found(news, "police", filters={"entity": "actor:Tin Min Tun"}) == [FIRE]
    assert found(news, "police OR harvest", filters={"year": "2019"}) == [HARVEST]
    with pytest.raises(QueryError, match="Unknown filter"):
        news.index.search("police", filters={"colour": "red"})


def test_hit_fields(news: Archive) -> None:
    hit = news.index.search('"600 police"').hits[0]
    assert (hit.title, hit.published, hit.source) == (FIRE, "2021-03-14", "The Irrawaddy")
    assert hit.score > 0
    assert "[[600 police]]" in hit.snippet
    s, e = hit.snippet_matches[0]
    assert hit.snippet_text[s:e] == "600 police"
    doc = news.index.search('"600 police"').to_json()
    assert set(doc) >= {"total", "hits", "facets"}
    assert set(doc["hits"][0]) >= {"id", "title", "score", "snippet"}


def test_negated_words_are_not_highlighted(news: Archive) -> None:
    hit = news.index.search("police NOT union").hits[0]
    assert "[[police]]" in hit.snippet
    assert "[[" not in hit.snippet.replace("[[police]]", "")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ('"more than 600', "quotation mark"),
        ("(police AND army", "parenthesis"),
        ("police)", "parenthesis"),
        ("colour:red", "Unknown field colour"),
        ("published:[2021-03-01 TO 2021-03-31", "date range"),
        ("published:[yesterday TO tomorrow]", "date"),
        ("police AND", "AND, OR and NOT"),
        ("OR police", "AND, OR and NOT"),
        # Values no article can have: they found 0 articles, as if none matched.
        ("title:", "Nothing follows title:"),
        ("title: police", "Nothing follows title:"),
        ("(police byline:)", "Nothing follows byline:"),
        ("published:", r"published:\[2021-03-01 TO 2021-03-31\]"),
        ("year:abc", "year:abc is not a year"),
        ("year:[20x TO 2024]", "is not a year"),
        ("published:[2024 TO 2015]", r"ends before it starts.*published:\[2015 TO 2024\]"),
        ("published:[2021-03 TO 2021-01-31]", "ends before it starts"),
        ("year:[2024 TO 2015]", r"year:\[2015 TO 2024\]"),
    ],
)
def test_malformed_query_gets_a_helpful_error(news: Archive, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        news.index.search(query)


@settings(max_examples=40, deadline=None)
@given(
    a=st.integers(1900, 2100),
    b=st.integers(1900, 2100),
    month=st.sampled_from(["", "-01", "-06", "-12"]),
    field=st.sampled_from(["published", "year"]),
)
def test_a_range_parses_only_in_order(a: int, b: int, month: str, field: str) -> None:
    first = f"{a}{month if field == 'published' else ''}"
    last = f"{b}"
    query = f"{field}:[{first} TO {last}]"
    if a > b:
        with pytest.raises(QueryError, match="ends before it starts"):
            parse_query(query)
    else:
        parse_query(query)  # no error: a range that starts and ends in order
    parse_query(f"{field}:{b}")


def test_expansion_is_complete(archive: Archive) -> None:
    # Far more matching words than the old cap of 64 most frequent ones.
    words = [f"zebra{n:04d}" for n in range(300)]
    add_articles(
        archive, *({"title": f"n{i}", "text": f"{w} grazing"} for i, w in enumerate(words))
    )
    results = archive.index.search("zebra*", limit=500)
    assert results.total == 300 and results.total_exact and results.notes == []
    assert archive.index.search("*0001").total == 1
    one_edit = [w for w in words if edit_distance(w, "zebra0001", 1) <= 1]
    assert len(one_edit) == 22  # zebra000x, zebra00x1, zebra0x01, zebra0010
    assert archive.index.search("zebra0001~").total == len(one_edit)
    assert archive.index.search("zebra0001~").total_exact


def test_expansion_out_of_time_says_at_least(archive: Archive, monkeypatch) -> None:
    from archive.search import expand

    add_articles(
        archive, *({"title": f"n{i}", "text": f"zebra{i:04d} grazing"} for i in range(200))
    )
    monkeypatch.setattr(expand, "EXPAND_SECONDS", -1.0)
    # Two-word articles are decided by their own words, with no time limit to run out.
    monkeypatch.setattr(expand, "SHORT_WORDS", 0)
    results = archive.index.search("zebra*", limit=5)
    assert not results.total_exact
    assert 0 < results.total < 200
    assert any("zebra*" in note and "time limit" in note for note in results.notes)
    as_json = results.to_json()
    assert as_json["total_exact"] is False and as_json["notes"] == results.notes
    assert all("[[zebra" in hit.snippet for hit in results.hits)


def test_star_alone_is_every_article(archive: Archive) -> None:
    add_articles(archive, *({"title": f"n{i}", "text": f"word{i}"} for i in range(30)))
    results = archive.index.search("*")
    assert results.total == 30 and results.total_exact
    assert archive.index.search("* NOT word3").total == 29


def test_unknown_sort_is_refused(news: Archive) -> None:
    with pytest.raises(QueryError, match="relevance"):
        news.index.search("police", sort="colour")


def test_phrase_of_common_words_is_counted_exactly(archive: Archive) -> None:
    add_articles(
        archive,
        *({"title": f"n{i}", "text": f"in the town {i} and in the field"} for i in range(600)),
    )
    results = archive.index.search('"in the town"', limit=5)
    assert results.total == 600 and results.total_exact
    assert all("[[in the town]]" in hit.snippet for hit in results.hits)
    assert results.to_json()["total_exact"] is True


def test_phrase_and_prefix_parse(archive: Archive) -> None:
    add_articles(
        archive,
        {"title": "a", "text": "more than 600 police"},
        {"title": "b", "text": "more than 600 soldiers"},
    )
    assert found(archive, '"more than" AND p*') == ["a"]
