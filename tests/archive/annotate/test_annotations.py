"""Creating, changing, deleting and restoring annotations; offsets in code points."""

from collections.abc import Callable

import pytest
from sqlmodel import col, select

from archive import annotate, audit, models
from archive.errors import InvalidInput, NotFound
from archive.store import Archive, generation
from tests.archive.conftest import REPORT


def test_create_records_quote_context_author_and_audit(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    with archive.session() as session:
        gen_before = generation(session)
    start, end = annotate.find_quote(REPORT, "U Zaw Min Htet")
    ann = annotate.create_annotation(archive, aid, start, end, "actor", entity_name="Zaw Min Htet")
    assert ann.quote == "U Zaw Min Htet"
    assert REPORT[start - len(ann.prefix) : start] == ann.prefix
    assert REPORT[end : end + len(ann.suffix)] == ann.suffix
    assert len(ann.prefix) == 32 and len(ann.suffix) == 32
    [rec] = annotate.list_annotations(archive, aid)
    assert rec.created_by == "Test User"
    assert rec.entity == "Zaw Min Htet"
    assert rec.origin == "manual"
    with archive.session() as session:
        actions = [e.action for e in session.exec(select(models.AuditEvent))]
        # The article was queued for the search index in the same transaction.
        assert generation(session) > gen_before
        assert audit.verify(session).ok
    assert actions == ["entity.create", "annotation.create"]


@pytest.mark.parametrize(
    "before",
    ["😀🎉 ", "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် ", "👩🏽‍⚕️ မြန်မာ 🇲🇲 ", "𝕏𝕐 "],
)
def test_offsets_are_code_points_after_astral_and_burmese_text(
    archive: Archive, add_article: Callable[..., str], before: str
) -> None:
    text = before + "More than 600 police joined."
    aid = add_article(text)
    start = len(before)  # code points, as Python counts
    ann = annotate.create_annotation(archive, aid, start, start + 20, "figure")
    assert ann.quote == "More than 600 police"
    assert (ann.value, ann.qualifier, ann.counted) == (600, "more than", "police")
    assert annotate.find_quote(text, "600 police") == (start + 10, start + 20)
    # The UTF-16 length differs whenever astral characters come first.
    assert ann.prefix == before[-32:]


def test_burmese_span_itself(archive: Archive, add_article: Callable[..., str]) -> None:
    text = "😀 ဦးကျော်မိုးထွန်း က ပြောသည်။"
    aid = add_article(text)
    s, e = annotate.find_quote(text, "ဦးကျော်မိုးထွန်း")
    ann = annotate.create_annotation(archive, aid, s, e, "actor", entity_name="ကျော်မိုးထွန်း")
    assert ann.quote == "ဦးကျော်မိုးထွန်း"
    assert annotate.list_annotations(archive, aid)[0].entity == "ကျော်မိုးထွန်း"


@pytest.mark.parametrize("span", [(-1, 3), (5, 5), (8, 2), (0, 10_000)])
def test_bad_spans_are_refused_and_nothing_is_written(
    archive: Archive, add_article: Callable[..., str], span: tuple[int, int]
) -> None:
    aid = add_article()
    with pytest.raises(InvalidInput, match=r"The span -?\d+-\d+ (has a negative|is empty|ends)"):
        annotate.create_annotation(archive, aid, *span, "actor", entity_name="Someone")
    assert annotate.list_annotations(archive, aid) == []
    with archive.session() as session:
        assert session.exec(select(models.Entity)).all() == []
        assert session.exec(select(models.AuditEvent)).all() == []


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ((5000, 6000), "starts and ends after the end of the text, which has 20 code points"),
        ((10, 6000), "ends after the end of the text, which has 20 code points"),
        ((8, 2), "is empty: its start must be smaller than its end"),
        ((4, 4), "is empty"),
        ((-1, 3), "negative"),
        ((0, 20), None),
    ],
)
def test_span_problems_say_what_is_wrong(span: tuple[int, int], message: str | None) -> None:
    problem = annotate.span_problem("x" * 20, *span)
    assert problem == message or (message is not None and problem and message in problem)


def test_unknown_type_article_and_annotation(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    with pytest.raises(NotFound, match="tagtype add"):
        annotate.create_annotation(archive, aid, 0, 5, "place")
    with pytest.raises(NotFound, match="sesame list"):
        annotate.create_annotation(archive, "nope", 0, 5, "actor")
    with pytest.raises(NotFound):
        annotate.delete_annotation(archive, "0" * 32)


def test_find_quote_occurrences_and_whitespace() -> None:
    text = "a police  officer and another police officer"
    assert annotate.find_quote(text, "police") == (2, 8)
    assert annotate.find_quote(text, "police", 2) == (30, 36)
    with pytest.raises(NotFound, match="appears 2 time"):
        annotate.find_quote(text, "police", 3)
    # Whitespace is forgiven when there is no exact match.
    assert annotate.find_quote(text, "police officer") == (30, 44)
    assert annotate.find_quote(text, "a police officer") == (0, 17)
    with pytest.raises(NotFound):
        annotate.find_quote(text, "soldier")


def test_overlapping_and_nested_annotations_are_allowed(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    s, e = annotate.find_quote(REPORT, "The soldiers raided the general hospital on March 2")
    annotate.create_annotation(archive, aid, s, e, "event", note="raid")
    s2, e2 = annotate.find_quote(REPORT, "the general hospital")
    annotate.create_annotation(archive, aid, s2, e2, "actor")
    annotate.create_annotation(archive, aid, s2, e2, "actor", note="same span twice")
    assert len(annotate.list_annotations(archive, aid)) == 3


def test_figure_fields_are_filled_from_quote_and_date(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    s, e = annotate.find_quote(REPORT, "over 1,200 people")
    ann = annotate.create_annotation(archive, aid, s, e, "figure", entity_name="marchers")
    assert (ann.value, ann.qualifier, ann.counted, ann.as_of) == (
        1200,
        "more than",
        "people",
        "2021-03-05",
    )
    # Given fields win over parsed ones; qualifiers are normalised.
    ann2 = annotate.create_annotation(
        archive, aid, s, e, "figure", value=1300, qualifier="nearly", as_of="2021-03-01"
    )
    assert (ann2.value, ann2.qualifier, ann2.as_of) == (1300, "about", "2021-03-01")
    with pytest.raises(InvalidInput, match="qualifier"):
        annotate.create_annotation(archive, aid, s, e, "figure", qualifier="heaps")
    with pytest.raises(InvalidInput, match="date"):
        annotate.create_annotation(archive, aid, s, e, "figure", as_of="5 March")


def test_update_then_undo_is_exact(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    s, e = annotate.find_quote(REPORT, "Daw Hnin Wai")
    ann = annotate.create_annotation(archive, aid, s, e, "actor", entity_name="Hnin Wai")
    s2, e2 = annotate.find_quote(REPORT, "Hnin Wai")
    before, after = annotate.update_annotation(
        archive, ann.id, start=s2, end=e2, note="  checked  ", entity_name="Daw Hnin Wai"
    )
    assert after["quote"] == "Hnin Wai" and after["note"] == "checked"
    assert after["entity_id"] != before["entity_id"]
    archive.undo()
    rec = annotate.get_annotation(archive, ann.id)
    assert (rec.start, rec.end, rec.quote, rec.note) == (s, e, "Daw Hnin Wai", "")
    assert rec.entity == "Hnin Wai"
    with pytest.raises(InvalidInput, match="Cannot change"):
        annotate.update_annotation(archive, ann.id, quote="forged")


def test_type_change_needs_a_matching_entity(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    s, e = annotate.find_quote(REPORT, "Major Kyaw Swar Lin")
    ann = annotate.create_annotation(archive, aid, s, e, "actor", entity_name="Kyaw Swar Lin")
    with pytest.raises(InvalidInput, match="new entity"):
        annotate.update_annotation(archive, ann.id, type_key="event")
    _, after = annotate.update_annotation(archive, ann.id, type_key="event", entity_id=None)
    assert after["type_key"] == "event" and after["entity_id"] is None


def test_delete_and_undo_keep_the_same_id(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    ann = annotate.create_annotation(archive, aid, 0, 6, "event", annotation_id="a" * 32)
    snap = annotate.delete_annotation(archive, ann.id)
    assert annotate.list_annotations(archive, aid) == []
    archive.undo()
    with archive.session() as session:
        back = session.get(models.Annotation, "a" * 32)
    assert back is not None
    assert annotate.snapshot(back) == snap
    with pytest.raises(InvalidInput, match="already an annotation"):
        annotate.create_annotation(archive, aid, 0, 6, "event", annotation_id="a" * 32)
    with archive.session() as session:
        actions = list(
            session.exec(select(models.AuditEvent.action).order_by(col(models.AuditEvent.seq)))
        )
    assert actions == ["annotation.create", "annotation.delete", "annotation.undo"]


def test_list_filters(archive: Archive, add_article: Callable[..., str]) -> None:
    a1, a2 = add_article(), add_article(title="Second")
    for aid in (a1, a2):
        s, e = annotate.find_quote(REPORT, "MHWU")
        annotate.create_annotation(archive, aid, s, e, "actor", entity_name="MHWU")
        annotate.create_annotation(archive, aid, 0, 6, "event")
    assert len(annotate.list_annotations(archive)) == 4
    assert len(annotate.list_annotations(archive, a1)) == 2
    assert len(annotate.list_annotations(archive, type_key="actor")) == 2
    eid = annotate.list_annotations(archive, a1, type_key="actor")[0].entity_id
    assert eid is not None
    assert len(annotate.list_annotations(archive, entity_id=eid)) == 2
    assert annotate.list_annotations(archive, orphaned=True) == []


def test_a_read_only_archive_refuses_changes_clearly(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    from archive.errors import ArchiveError

    aid = add_article()
    with Archive.open(archive.path, readonly=True) as reader:
        with pytest.raises(ArchiveError, match="read-only"):
            annotate.create_annotation(reader, aid, 0, 5, "event")
        assert annotate.list_annotations(reader, aid) == []
