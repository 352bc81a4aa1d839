"""Helpers for the archive tests: articles written for these tests, inserted directly."""

from collections.abc import Callable

import pytest

from archive import models
from archive.annotate import text_sha256
from archive.store import Archive

# Written for these tests (in the style of the news Sesame's users archive).
REPORT = (
    "Strike Spreads Among Hospital Staff\n"
    "\n"
    "Yangon — More than 250 nurses have joined the strike against the junta, "
    "according to a union leader.\n"
    "\n"
    "U Zaw Min Htet, a spokesman for the Myanmar Health Workers Union (MHWU), said at least "
    "42 hospital staff were detained on Feb. 14. Daw Hnin Wai told reporters that over 1,200 "
    "people marched in Mandalay on Sunday.\n"
    "\n"
    "The soldiers raided the general hospital on March 2, the union said. Major Kyaw Swar Lin "
    "ordered the arrests, according to Mr Henderson, a visiting doctor.\n"
    "\n"
    "Thousands have signed the petition, and nine senior surgeons resigned last week.\n"
)


@pytest.fixture
def add_article(archive: Archive) -> Callable[..., str]:
    """Insert an article row and return its id."""

    def add(
        text: str = REPORT,
        *,
        title: str = "Test article",
        source: str | None = "Test Source",
        published: str | None = "2021-03-05",
    ) -> str:
        with archive.transaction() as session:
            article = models.Article(
                title=title,
                source=source,
                published=published,
                published_precision="day" if published else "unknown",
                text=text,
                text_sha256=text_sha256(text),
            )
            session.add(article)
        return article.id

    return add
