"""The shared seed articles (../shared/seeds), when they are present; never copied here."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from archive.ingest import import_paths
from archive.models import Article
from archive.store import Archive

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")


def test_seed_files_import_with_titles_dates_and_urls(archive: Archive) -> None:
    result = import_paths(archive, [SEEDS], index=False)
    assert result.failed == []
    with archive.session() as session:
        articles = list(session.exec(select(Article)))
    assert len(articles) == len(result.imported) >= 3
    for article in articles:
        assert article.title and "\n" not in article.title
        assert article.published is not None
        assert article.language == "en"
    with_url = [a for a in articles if a.url]
    assert all(a.url and a.url.startswith("https://") for a in with_url)
    # A digest's parts each have their own title and URL.
    digests: dict[str, list[Article]] = {}
    for article in articles:
        if "digest_of" in article.meta:
            digests.setdefault(article.original_sha256 or "", []).append(article)
    for parts in digests.values():
        assert len({p.title for p in parts}) == len(parts) > 1
        assert len({p.url for p in parts}) == len(parts)
    again = import_paths(archive, [SEEDS], index=False)
    assert again.imported == [] and len(again.duplicates) == len(articles)
