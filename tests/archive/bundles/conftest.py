"""Two people, two archives: Aung and Hla, each with their own config folder and keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from archive import annotate, models
from archive.store import Archive
from tests.archive.conftest import REPORT


class Person:
    """A colleague: a config folder (identity, keys) and an archive."""

    def __init__(self, name: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.name = name
        self.config = root / f"config-{name}"
        self.archive_dir = root / f"archive-{name}"
        self.monkeypatch = monkeypatch

    @contextmanager
    def acting(self) -> Iterator[Archive]:
        """This person at the keyboard, with their archive open."""
        self.monkeypatch.setenv("SESAME_CONFIG_DIR", str(self.config))
        self.monkeypatch.setenv("SESAME_USER", self.name)
        with Archive.open(self.archive_dir, create=True) as archive:
            yield archive

    def me(self) -> None:
        self.monkeypatch.setenv("SESAME_CONFIG_DIR", str(self.config))
        self.monkeypatch.setenv("SESAME_USER", self.name)


@pytest.fixture
def people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Person, Person]:
    return Person("Aung", tmp_path, monkeypatch), Person("Hla", tmp_path, monkeypatch)


def add_report(
    archive: Archive, text: str = REPORT, title: str = "Strike spreads", original: str | None = None
) -> str:
    """An article with an original (its text's bytes unless `original`), as an import makes one."""
    import hashlib

    data = (text if original is None else original).encode("utf-8")
    sha = hashlib.sha256(data).hexdigest()
    with archive.change("fixture") as ch:
        if ch.session.get(models.Original, sha) is None:
            ch.session.add(
                models.Original(sha256=sha, media_type="text/plain", size=len(data), data=data)
            )
            ch.session.flush()  # no ORM relationship orders the two inserts
        article = models.Article(
            title=title,
            source="Paper A",
            published="2021-03-05",
            published_precision="day",
            text=text,
            text_sha256=annotate.text_sha256(text),
            original_sha256=sha,
        )
        ch.session.add(article)
    return article.id


def tag(archive: Archive, aid: str, quote: str, type_key: str = "actor", **kw: Any) -> str:
    with archive.session() as session:
        body = session.get(models.Article, aid)
        assert body is not None
        s, e = annotate.find_quote(body.text, quote)
    return annotate.create_annotation(archive, aid, s, e, type_key, **kw).id
