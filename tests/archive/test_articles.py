"""Article records corrected and retracted: undoable, audited, and seen by every view."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archive import annotate, articles, audit, figures, library
from archive.errors import InvalidInput
from archive.store import Archive
from tests.archive.conftest import REPORT


def _verify(archive: Archive) -> None:
    with archive.session() as session:
        assert audit.verify(session).ok


def test_correcting_the_source_names_it_in_the_figure_comparison(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article(source=None)
    s, e = annotate.find_quote(REPORT, "More than 250 nurses")
    annotate.create_annotation(archive, aid, s, e, "figure", entity_name="nurses on strike")
    (group,) = figures.figure_table(archive)
    assert group.sources == ["(unknown source)"]
    record = articles.edit_article(archive, aid, source="The Irrawaddy", published="2021-03")
    assert (record.source, record.published, record.published_precision) == (
        "The Irrawaddy",
        "2021-03",
        "month",
    )
    assert figures.figure_table(archive)[0].sources == ["The Irrawaddy"]
    archive.undo()
    assert figures.figure_table(archive)[0].sources == ["(unknown source)"]
    _verify(archive)


def test_bad_corrections_are_refused(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    with pytest.raises(InvalidInput, match="date"):
        articles.edit_article(archive, aid, published="5 March")
    with pytest.raises(InvalidInput, match="title"):
        articles.edit_article(archive, aid, title="  ")
    with pytest.raises(InvalidInput, match="Cannot change"):
        articles.edit_article(archive, aid, text="forged")
    assert articles.get_article(archive, aid).title == "Test article"


def test_retracted_articles_leave_the_library_and_search_and_come_back(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    aid = add_article()
    s, e = annotate.find_quote(REPORT, "Daw Hnin Wai")
    annotate.create_annotation(archive, aid, s, e, "actor", entity_name="Hnin Wai")
    assert archive.index.search("nurses").total == 1
    with pytest.raises(InvalidInput, match="why"):
        articles.retract_article(archive, aid, " ")
    record = articles.retract_article(archive, aid, "a duplicate of the wire copy")
    assert record.retracted and record.retracted_reason == "a duplicate of the wire copy"
    assert library.list_articles(archive) == []
    assert [r["id"] for r in library.list_articles(archive, retracted=True)] == [aid]
    assert archive.index.search("nurses").total == 0
    assert len(annotate.list_annotations(archive, aid)) == 1  # annotations kept
    articles.restore_article(archive, aid)
    assert archive.index.search("nurses").total == 1
    assert [r["id"] for r in library.list_articles(archive)] == [aid]
    archive.undo()  # the restore
    assert archive.index.search("nurses").total == 0
    archive.undo()  # the retraction
    assert not articles.get_article(archive, aid).retracted
    _verify(archive)
