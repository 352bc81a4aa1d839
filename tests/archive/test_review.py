"""Review status, assignee, verification and sensitive flags: undoable, audited, checked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from archive import annotate, audit, changes, models, review
from archive.errors import InvalidInput, NotFound
from archive.store import Archive
from tests.archive.conftest import REPORT


def _verify(archive: Archive) -> None:
    with archive.session() as session:
        assert audit.verify(session).ok


def _tag(archive: Archive, aid: str, quote: str = "More than 250 nurses") -> str:
    s, e = annotate.find_quote(REPORT, quote)
    return annotate.create_annotation(archive, aid, s, e, "figure", entity_name="nurses").id


def test_review_status_and_assignee_of_several_articles_in_one_undoable_change(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    a, b = add_article(title="One"), add_article(title="Two")
    done = review.set_review(archive, [a, b[:8]], status="In review", assignee="  Aung  Ko ")
    assert [(r.id, r.review_status, r.assignee) for r in done] == [
        (a, "in_review", "Aung Ko"),
        (b, "in_review", "Aung Ko"),
    ]
    history = changes.history(archive)
    assert history[0].label == "Review 2 articles"
    # The assignee is kept when only the status changes, cleared by "".
    review.set_review(archive, a, status="reviewed")
    assert review.get_review(archive, a).assignee == "Aung Ko"
    review.set_review(archive, a, assignee="")
    assert review.get_review(archive, a).assignee is None
    archive.undo()
    archive.undo()
    archive.undo()
    assert review.get_review(archive, a).review_status == "unread"
    assert review.get_review(archive, b).assignee is None
    with archive.session() as session:
        actions = [e.action for e in session.exec(select(models.AuditEvent))]
    assert actions.count("article.review") == 4
    _verify(archive)


def test_bad_values_are_refused_with_the_allowed_ones_and_nothing_written(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    a = add_article()
    with pytest.raises(InvalidInput, match="unread, in_review, reviewed"):
        review.set_review(archive, a, status="done")
    with pytest.raises(InvalidInput, match="unverified, corroborated, verified, disputed"):
        review.verify_article(archive, a, "true")
    with pytest.raises(InvalidInput, match="Give a review status"):
        review.set_review(archive, a)
    with pytest.raises(InvalidInput, match="at least one article"):
        review.set_review(archive, [], status="reviewed")
    # One unknown id: the others are not written either.
    with pytest.raises(NotFound, match="No article with id nosuch"):
        review.set_review(archive, [a, "nosuch"], status="reviewed")
    assert review.get_review(archive, a).review_status == "unread"
    with pytest.raises(InvalidInput, match="at most 4000"):
        review.verify_article(archive, a, "verified", "x" * 4001)
    with pytest.raises(InvalidInput, match="reason is for marking"):
        review.flag_articles(archive, a, False, "graphic")
    assert changes.history(archive) == []


def test_article_verification_with_a_note(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    a = add_article()
    (r,) = review.verify_article(archive, a, "corroborated", "Matches the RFA report.")
    assert (r.verification, r.verification_note) == ("corroborated", "Matches the RFA report.")
    (r,) = review.verify_article(archive, a, "verified")  # note kept
    assert r.verification_note == "Matches the RFA report."
    archive.undo()
    archive.undo()
    assert review.get_review(archive, a).verification == "unverified"
    _verify(archive)


def test_claim_verification_and_passage_flag(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    a = add_article()
    ann = _tag(archive, a)
    c = review.verify_claim(archive, ann[:8], "disputed", "The union gave 180.")
    assert (c.id, c.verification, c.verification_note) == (ann, "disputed", "The union gave 180.")
    c = review.flag(archive, ann, True, "personal")
    assert (c.sensitive, c.sensitive_reason) == (True, "personal")
    record = annotate.get_annotation(archive, ann)
    assert (record.verification, record.sensitive, record.sensitive_reason) == (
        "disputed",
        True,
        "personal",
    )
    c = review.flag(archive, ann, False)
    assert (c.sensitive, c.sensitive_reason) == (False, "")
    archive.undo()
    assert review.get_claim(archive, ann).sensitive
    with pytest.raises(NotFound, match="No annotation"):
        review.verify_claim(archive, "nosuchid", "verified")
    _verify(archive)


def test_flag_finds_an_article_or_an_annotation(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    a = add_article()
    r = review.flag(archive, a[:10], True, "graphic")
    assert isinstance(r, review.ArticleReview) and r.sensitive and r.sensitive_reason == "graphic"
    r = review.flag(archive, a, True)  # the reason is kept
    assert r.sensitive_reason == "graphic"
    with pytest.raises(NotFound, match="No article or annotation"):
        review.flag(archive, "zzzzzzzz", True)
    # A prefix with LIKE wildcards is literal.
    with pytest.raises(NotFound):
        review.flag(archive, "%%%%%%%%", True)


def test_an_unchanged_value_is_no_step(archive: Archive, add_article: Callable[..., str]) -> None:
    a = add_article()
    review.set_review(archive, a, status="unread")
    assert changes.history(archive) == []


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=30))
def test_any_status_text_is_either_a_stored_word_or_refused(value: str) -> None:
    try:
        word = review.review_status(value)
    except InvalidInput as exc:
        assert "is not one of" in str(exc)
    else:
        assert word in models.REVIEW_STATUSES


def test_the_reader_sees_the_review_fields(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    from archive.reading import load_article

    a = add_article()
    ann = _tag(archive, a)
    review.set_review(archive, a, status="relevant", assignee="Mya")
    review.flag(archive, a, True, "graphic")
    review.verify_claim(archive, ann, "verified", "Seen in the video.")
    review.flag(archive, ann, True)
    article = load_article(archive, a)
    assert (article.review_status, article.assignee, article.sensitive) == ("relevant", "Mya", True)
    (passage,) = article.annotations
    assert (passage.verification, passage.verification_note, passage.sensitive) == (
        "verified",
        "Seen in the video.",
        True,
    )


def test_library_filter_text_takes_review_terms() -> None:
    from archive.library import review_terms

    assert review_terms('police status:In-Review assignee:"Aung  Ko" -flag:sensitive') == (
        "police",
        {"review_status": "in_review", "assignee": "Aung Ko", "sensitive": False},
    )
    assert review_terms("verification:disputed flag:sensitive") == (
        "",
        {"verification": "disputed", "sensitive": True},
    )
    assert review_terms("no terms here") == ("no terms here", {})
    with pytest.raises(InvalidInput, match="flag: with sensitive"):
        review_terms("flag:graphic")
    with pytest.raises(InvalidInput, match="only -flag:sensitive"):
        review_terms("-status:reviewed")


def test_sensitive_parts_of_a_page_of_articles(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    a, b, c = add_article(), add_article(), add_article()
    ann = _tag(archive, b)
    review.flag(archive, a, True)
    review.flag(archive, ann, True)
    s, e = annotate.find_quote(REPORT, "More than 250 nurses")
    assert review.sensitive_parts(archive, [a, b, c]) == {a: (True, []), b: (False, [(ann, s, e)])}
    assert review.sensitive_parts(archive, []) == {}
