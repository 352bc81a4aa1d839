"""Helpers for the archive tests: articles written for these tests, inserted directly;
two people with two archives (Aung and Hla, each with their own config folder and keys),
and Aung's first bundle to Hla."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive import annotate, models
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


@dataclass
class Sent:
    """Aung's first bundle to Hla: the report, tagged, exported; Hla at the keyboard."""

    aung: Person
    hla: Person
    article_id: str
    tags: dict[str, str]  # quote -> annotation id
    bundle: Path


@pytest.fixture
def aung_sends(people: tuple[Person, Person], tmp_path: Path) -> Callable[..., Sent]:
    """Aung adds the report, tags "Daw Hnin Wai" (entity Hnin Wai, with `note`) and each
    quote of `also` (`tag`'s keywords), exports `1.sesame`; then Hla is at the keyboard."""
    aung, hla = people

    def send(*, note: str = "", also: Mapping[str, Mapping[str, Any]] | None = None) -> Sent:
        bundle = tmp_path / "1.sesame"
        from archive.bundles.writer import export_bundle  # (most archive tests never export)

        with aung.acting() as a:
            aid = add_report(a)
            tags = {"Daw Hnin Wai": tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai", note=note)}
            for quote, kw in (also or {}).items():
                tags[quote] = tag(a, aid, quote, **kw)
            export_bundle(a, bundle)
        hla.me()
        return Sent(aung, hla, aid, tags, bundle)

    return send


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
