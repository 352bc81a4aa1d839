"""Review fields in search: status:, assignee:, verification:, claim:, flag:, against Whoosh."""

from __future__ import annotations

import pytest

from archive import annotate, review
from archive.search.query import QueryError
from archive.store import Archive
from tests.archive.search.helpers import add_articles, found

TEXT = "Soldiers fired on protesters in Yangon; more than 600 police were deployed."


@pytest.fixture
def three(archive: Archive) -> list[str]:
    ids = add_articles(
        archive,
        *({"title": title, "text": TEXT, "source": "Paper"} for title in ("One", "Two", "Three")),
    )
    archive.sync_index()
    return ids


def test_each_review_field_is_searchable_and_follows_each_change(
    archive: Archive, three: list[str]
) -> None:
    one, two, three_id = three
    assert sorted(found(archive, "status:unread")) == ["One", "Three", "Two"]
    review.set_review(archive, [one, two], status="reviewed", assignee="Aung Ko")
    assert sorted(found(archive, "status:reviewed")) == ["One", "Two"]
    assert sorted(found(archive, "status:Reviewed AND police")) == ["One", "Two"]
    assert found(archive, "status:unread") == ["Three"]
    assert sorted(found(archive, "assignee:aung")) == ["One", "Two"]
    assert sorted(found(archive, 'assignee:"Aung Ko"')) == ["One", "Two"]
    review.verify_article(archive, two, "disputed")
    assert found(archive, "verification:disputed") == ["Two"]
    review.flag(archive, three_id, True, "graphic")
    assert found(archive, "flag:sensitive") == ["Three"]
    # Negation, both spellings, with a total that is exact.
    results = archive.index.search("police -flag:sensitive")
    assert sorted(h.title for h in results.hits) == ["One", "Two"]
    assert results.total == 2 and results.total_exact
    assert sorted(found(archive, "police NOT status:reviewed")) == ["Three"]
    # Undo takes the index back too.
    archive.undo()
    assert found(archive, "flag:sensitive") == []


def test_a_passage_makes_its_article_sensitive_and_carries_its_claim(
    archive: Archive, three: list[str]
) -> None:
    one = three[0]
    s, e = annotate.find_quote(TEXT, "more than 600 police")
    ann = annotate.create_annotation(archive, one, s, e, "figure", entity_name="police").id
    assert found(archive, "claim:unverified") == ["One"]
    review.verify_claim(archive, ann, "disputed")
    assert found(archive, "claim:disputed") == ["One"]
    assert found(archive, "verification:disputed") == []  # the article's own is unverified
    review.flag(archive, ann, True, "personal")
    assert found(archive, "flag:sensitive") == ["One"]
    results = archive.index.search("police", filters={"flag": "sensitive"})
    assert [h.title for h in results.hits] == ["One"] and results.total == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status:done", "status:done is not known; write status: with unread, in_review"),
        ("flag:graphic", "flag: with sensitive"),
        ("verification:true", "corroborated"),
    ],
)
def test_an_unknown_value_says_which_are_known(
    archive: Archive, three: list[str], query: str, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        archive.index.search(query)


def test_the_forgiving_spelling_of_a_status(archive: Archive, three: list[str]) -> None:
    review.set_review(archive, three[0], status="in_review")
    assert found(archive, "status:In-Review") == ["One"]
    # Inside a phrase the word is text, not a field.
    assert found(archive, '"status:done"') == []
