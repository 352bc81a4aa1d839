"""Test articles written for these tests, and fixtures shared by reader and panel tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archive import models
from archive.store import Archive, mark_for_index

EMOJI = "\U0001f600"  # outside the BMP: two UTF-16 code units
# Made-up sentences (Burmese: "Protesters gathered in the town.").
TEXT = (
    f"Town report {EMOJI}✊🏽 from the river district.\n"
    "မြို့တွင် ဆန္ဒပြသူများ စုဝေးခဲ့ကြသည်။\n"
    "More than 600 police officers joined the strike on Monday, a spokesperson for the "
    "Test Workers Union said. Major Aung Test told reporters that about 1,500 people "
    "gathered near the market.\n"
    "Later, the army staged a march through the town.\n"
)


def utf16(text: str) -> int:
    """Length of `text` in UTF-16 code units, computed independently of the app."""
    return len(text.encode("utf-16-le")) // 2


def add_article(
    archive: Archive,
    text: str = TEXT,
    *,
    title: str = "River district report",
    source: str = "Test Wire",
    published: str | None = "2021-03-05",
) -> str:
    """Insert an article into the real archive; returns its id."""
    with archive.transaction() as session:
        article = models.Article(
            title=title,
            source=source,
            byline="A. Reporter",
            published=published,
            published_precision="day" if published and len(published) == 10 else "unknown",
            url="https://example.org/report",
            language="en",
            text=text,
        )
        session.add(article)
        session.flush()
        mark_for_index(session, article.id)
        return article.id


@pytest.fixture
def article_id(archive: Archive) -> str:
    """The id of the standard test article."""
    return add_article(archive)


@pytest.fixture
def model_tester(qtlog) -> Iterator:
    """Attach Qt's QAbstractItemModelTester to models; any complaint fails the test.

    The tester stays attached, so every reset and change after attaching is
    checked too (its findings arrive as Qt warnings, collected by pytest-qt).
    """
    from PySide6.QtTest import QAbstractItemModelTester

    testers = []

    def attach(model) -> None:
        testers.append(
            QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
        )

    yield attach
    complaints = [
        r.message
        for r in qtlog.records
        if "modeltest" in (r.context.category or "") or "FAIL!" in r.message
    ]
    assert complaints == []
    assert testers


@pytest.fixture
def ctx(ctx, qtbot):  # type: ignore[no-untyped-def]
    """The shared `ctx` (tests/desktop/conftest.py), left only once its background jobs ended.

    Commands start background work (index catch-up, entity reads); their last
    signals must be delivered before the context is deleted.
    """
    yield ctx
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=10000)
