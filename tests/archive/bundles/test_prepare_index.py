"""A new archive gets its empty search index before a bundle's merge (`merge.prepare_index`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archive.bundles.merge import import_bundle, prepare_index
from archive.bundles.writer import export_bundle
from archive.search import SearchIndex
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report, tag


def test_a_new_archive_gets_its_index_before_the_merge(
    people: tuple[Person, Person], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        aid = add_report(a)
        tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
        export_bundle(a, out)
    with hla.acting() as b:
        assert b.index.generation == -1  # never built
        prepare_index(b)
        assert b.index.generation >= 0
        rebuilt: list[int] = []
        rebuild = SearchIndex.rebuild

        def counted(self: SearchIndex, *args: Any, **kwargs: Any) -> int:
            rebuilt.append(1)
            return rebuild(self, *args, **kwargs)

        monkeypatch.setattr(SearchIndex, "rebuild", counted)
        import_bundle(b, out)
        # Caught up from the index that was there, not built again from scratch.
        assert b.index.search("Hnin").total == 1 and rebuilt == []


def test_an_archive_with_articles_is_left_to_its_rebuild(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, _ = people
    with aung.acting() as a:
        add_report(a)
    # Its index folder lost: the archive holds articles, so preparing builds nothing.
    import shutil

    shutil.rmtree(aung.archive_dir / "index")
    aung.me()
    with Archive.open(aung.archive_dir) as a:
        prepare_index(a)
        assert a.index.generation == -1
        a.sync_index(force=True)
        assert a.index.search("nurses").total == 1
