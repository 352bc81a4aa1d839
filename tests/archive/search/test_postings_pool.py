"""The bulk writer's postings pool (archive/search/postings_pool.py) and the text field's
one-pass analysis (`WordTokenizer.character_postings`) write what Whoosh's own pool and
token path write: every field, term, term statistic, posting, weight, value and field
length, for fresh documents, with runs spilled to disk, and for segments merged in."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from whoosh import fields
from whoosh import index as windex
from whoosh.reading import SegmentReader
from whoosh.writing import PostingPool, SegmentWriter

from archive.search import whoosh_fixes  # (installs the pool)
from archive.search.documents import make_document
from archive.search.postings_pool import TermPool
from archive.search.schema import build_schema

WORDS = ["the", "of", "and", "river", "Café", "relation", "e-mail", "ran", "running", "NLDပါတီ"]
BURMESE = ["မြန်မာ", "ရန်ကုန်", "စစ်တပ်"]


def _documents(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        words = [rng.choice(WORDS) + (str(rng.randint(0, 30)) if rng.random() < 0.3 else "")]
        words += rng.choices(WORDS + BURMESE, k=rng.randint(0, 60))
        row = SimpleNamespace(
            id=f"a{seed}-{n}",
            title=" ".join(rng.choices(WORDS, k=3)),
            source=rng.choice([None, "Irrawaddy", "Mizzima"]),
            byline=None,
            published=rng.choice([None, "2021-03-01", "2020"]),
            language=rng.choice(["en", "my", "fr"]),
            text=" ".join(words),
            review_status="unread",
            assignee=rng.choice([None, "aung"]),
            verification="unverified",
            sensitive=rng.random() < 0.1,
        )
        docs.append(make_document(row, [], [], {}))
    return docs


def _writer(ix: Any, whoosh_pool: bool, limit: int | None = None) -> SegmentWriter:
    """A writer with our pool or Whoosh's; `limit`: bytes before a run is spilled."""
    writer = SegmentWriter(ix)
    if whoosh_pool:  # Whoosh's own pool: its posting-by-posting paths run
        writer.pool = PostingPool(writer._tempstorage, writer.newsegment)
    else:
        assert isinstance(writer.pool, TermPool)
    if limit is not None:
        writer.pool.limit = limit
    return writer


def _everything(ix: Any) -> list[Any]:
    """Every field, term, term statistic and posting of the index's segments."""
    out = []
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for fieldname, tbytes in leaf.all_terms():
                info = leaf.term_info(fieldname, tbytes)
                stats = (
                    info.weight(),
                    info.doc_frequency(),
                    info.min_length(),
                    info.max_length(),
                    info.max_weight(),
                    info.min_id(),
                    info.max_id(),
                )
                fmt = leaf.schema[fieldname].format
                m = leaf.postings(fieldname, tbytes)
                postings = []
                while m.is_active():
                    postings.append((m.id(), m.weight(), m.value(), m.block_max_length()))
                    m.next()
                out.append((fieldname, tbytes, stats, type(fmt).__name__, postings))
            for docnum in range(leaf.doc_count_all()):
                out.append(
                    (docnum, [(f, leaf.doc_field_length(docnum, f)) for f in leaf.schema.names()])
                )
    return out


def _build(
    folder: Path, whoosh_pool: bool, *, limit: int | None = None, merge: bool = False
) -> Any:
    folder.mkdir()
    ix = windex.create_in(str(folder), build_schema())
    writer = _writer(ix, whoosh_pool)
    for doc in _documents(120, 1):
        writer.add_document(**doc)
    writer.commit()
    if merge:  # a second segment with deletions, then both merged into a third
        writer = _writer(ix, whoosh_pool)
        for doc in _documents(80, 2):
            writer.add_document(**doc)
        writer.commit(merge=False)
        writer = _writer(ix, whoosh_pool)
        for docnum in (3, 50, 130):
            writer.delete_document(docnum)
        writer.commit(merge=False)
    writer = _writer(ix, whoosh_pool, limit)
    for doc in _documents(150, 3):
        writer.add_document(**doc)
    if merge:
        for segment in list(writer.segments):
            reader = SegmentReader(ix.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        writer.segments = []
    writer.commit(merge=False)
    return windex.open_dir(str(folder))


@pytest.mark.parametrize(
    ("limit", "merge"),
    [(None, False), (60_000, False), (None, True), (60_000, True)],
    ids=["in memory", "spilled to runs", "merged", "merged and spilled"],
)
def test_same_index_as_whoosh_pool(tmp_path: Path, limit: int | None, merge: bool) -> None:
    ours = _build(tmp_path / "ours", False, limit=limit, merge=merge)
    with pytest.MonkeyPatch.context() as mp:
        # Whoosh's own analysis path too (tokens, `Characters.word_values`).
        mp.setattr(fields.TEXT, "index", whoosh_fixes._field_index)
        theirs = _build(tmp_path / "whoosh", True, limit=limit, merge=merge)
    found = _everything(ours)
    assert found == _everything(theirs)
    assert len(found) > 1000  # (the comparison compared something)


def test_spilled_runs_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = windex.create_in(str(folder), build_schema())
    writer = _writer(ix, False, limit=20_000)
    for doc in _documents(30, 4):
        writer.add_document(**doc)
    assert writer.pool._runs, "nothing was spilled"
    writer.commit()
    assert not list(folder.glob("*.tmp")), "the writer's temp folder was left"
