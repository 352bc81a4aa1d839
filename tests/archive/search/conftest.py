"""Fixtures for the search tests: an archive of short articles in their scripts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archive.store import Archive

from .helpers import add_articles

# A title, a text, its language ("my", "th", "zh": runs without spaces, indexed as n-grams).
Titled = tuple[str, str, str]


@pytest.fixture
def archive_of(archive: Archive) -> Callable[..., Archive]:
    """The test's archive holding the (title, text, language) articles given, queued for
    the index as importers queue them (a search catches up first)."""

    def make(*articles: Titled) -> Archive:
        add_articles(
            archive,
            *({"title": title, "text": text, "language": lang} for title, text, lang in articles),
        )
        return archive

    return make
