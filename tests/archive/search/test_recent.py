"""Changes held in memory beside the disk index (archive/search/recent.py).

A tag is searchable at once in every query kind, the article's older
version never counts twice, a disk commit or merge holding the index does
not hold the tag back, and a crash before the disk catches up loses nothing.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from archive import models
from archive.search import index as search_index
from archive.search.state import read_state
from archive.store import Archive, mark_for_index

from .helpers import add_articles

TEXT = "General Aung Min ordered the unit to clear the road near the bridge."


def _ids(archive: Archive, query: str, **kw: object) -> tuple[set[str], int, bool]:
    results = archive.index.search(query, limit=1000, **kw)  # type: ignore[arg-type]
    return {h.id for h in results.hits}, results.total, results.total_exact


def _edit(archive: Archive, aid: str, body: str) -> None:
    with archive.change("Edit text", origin="manual") as ch:
        article = ch.session.get(models.Article, aid)
        assert article is not None
        article.text = body


def _disk_segments(archive: Archive) -> int:
    with archive.index._read_lock:
        return len(archive.index._searcher.reader().leaf_readers())


def _archive_with_disk_segments(archive: Archive) -> list[str]:
    """Twelve articles in two disk segments (the tags below re-index some of them)."""
    first = add_articles(
        archive,
        *(
            {"title": f"Report {i}", "text": f"{TEXT} market{i}", "source": "Irrawaddy"}
            for i in range(6)
        ),
    )
    archive.sync_index(force=True)
    second = add_articles(
        archive,
        *(
            {"title": f"Later {i}", "text": f"{TEXT} river{i}", "source": "Frontier"}
            for i in range(6)
        ),
    )
    archive.sync_index(force=True)
    return first + second


def test_a_tag_is_found_at_once_in_every_query_kind(archive: Archive) -> None:
    ids = _archive_with_disk_segments(archive)
    segments = _disk_segments(archive)
    aid = ids[2]
    with archive.change("Tag as actor", origin="manual") as ch:
        entity = models.Entity(type_key="actor", name="Thura Zaw", aliases=["TZ"])
        ch.session.add(entity)
        ch.session.flush()
        ch.session.add(
            models.Annotation(
                article_id=aid,
                start=8,
                end=16,
                quote="Aung Min",
                type_key="actor",
                entity_id=entity.id,
                note="confirmed by a villager",
            )
        )
        article = ch.session.get(models.Article, aid)
        assert article is not None
        article.text = f"{TEXT} pagoda festival crowd market2"
    index = archive.index
    assert len(index._recent) == 1 and _disk_segments(archive) == segments  # held in memory
    _every_kind_finds(archive, aid, ids)
    # On disk later (the idle worker), copied from memory: the same answers.
    archive.sync_index(force=True)
    assert len(index._recent) == 0 and _disk_segments(archive) == segments + 1
    _every_kind_finds(archive, aid, ids)
    assert index.check().ok


def _every_kind_finds(archive: Archive, aid: str, ids: list[str]) -> None:
    index = archive.index
    for query in (
        "tag:actor",
        'actor:"Thura Zaw"',
        "actor:tz",
        "note:villager",
        "pagoda",
        '"pagoda festival"',
        '"festival crowd"',
        "pago*",
        "*goda",
        "p?goda",
        "*ago*",
        "pagodda~",
        "festival AND crowd",
        "pagoda OR nothingsuch",
        "pagoda NOT nothingsuch",
        "title:report AND pagoda",
    ):
        found, total, exact = _ids(archive, query)
        assert found == {aid} and total == 1 and exact, query
    # The article's older words are gone; no article is counted twice.
    assert _ids(archive, "market2")[:2] == ({aid}, 1)
    found, total, _ = _ids(archive, "bridge")
    assert found == set(ids) and total == 12
    assert _ids(archive, "bridge NOT pagoda")[1] == 11
    assert _ids(archive, "*")[1] == 12
    assert _ids(archive, '"near the bridge"')[1] == 12
    facets = index.search("bridge").facets
    assert facets["tag"] == {"actor": 1}
    assert facets["entity"] == {"actor:Thura Zaw": 1}
    assert facets["source"] == {"Irrawaddy": 6, "Frontier": 6}
    hit = index.search("pagoda").hits[0]
    assert hit.id == aid and "pagoda" in hit.snippet_text.lower() and hit.snippet_matches
    assert [h.id for h in index.search("bridge", sort="date", limit=50).hits].count(aid) == 1
    assert index.pending() == 0


def test_newest_version_wins_and_deleted_articles_vanish(archive: Archive) -> None:
    ids = _archive_with_disk_segments(archive)
    aid = ids[0]
    for n in range(5):  # five versions, each held in memory over the previous ones
        _edit(archive, aid, f"{TEXT} version{n} lotus")
        assert _ids(archive, "lotus")[:2] == ({aid}, 1)
        assert _ids(archive, f"version{n}")[1] == 1
        assert all(_ids(archive, f"version{k}")[1] == 0 for k in range(n))
        assert _ids(archive, "bridge")[1] == 12
    assert len(archive.index._recent) == 5
    with archive.change("Delete", origin="manual") as ch:
        article = ch.session.get(models.Article, ids[7])
        assert article is not None
        ch.session.delete(article)
    assert _ids(archive, "bridge")[1] == 11
    assert _ids(archive, "river1")[1] == 0
    assert ids[7] not in _ids(archive, "*")[0]
    archive.undo()  # the article is back
    assert _ids(archive, "river1")[:2] == ({ids[7]}, 1)
    assert _ids(archive, "bridge")[1] == 12


def test_a_held_index_never_holds_a_tag_back(archive: Archive) -> None:
    """A disk commit or a merge holding the index: the tag is found while it holds it."""
    ids = _archive_with_disk_segments(archive)
    index = archive.index
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with index._merge_lock, index._write_lock:
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        for n, aid in enumerate(ids[:4]):
            _edit(archive, aid, f"{TEXT} heldmark{n}")
            results = index.search(f"heldmark{n}")
            assert results.total == 1 and results.pending == 0
            assert [h.id for h in results.hits] == [aid]
        assert index.search("bridge").total == 12
    finally:
        release.set()
        holder.join()
    archive.sync_index(force=True)
    assert index.search("heldmark3").total == 1 and index.check().ok


def test_a_tag_during_a_background_merge(archive: Archive) -> None:
    ids = _archive_with_disk_segments(archive)
    for n, aid in enumerate(ids[:6]):  # six small disk segments for a merge to take
        _edit(archive, aid, f"{TEXT} first{n}")
        archive.sync_index(force=True)
    index = archive.index
    merging = threading.Thread(target=index.merge)
    merging.start()
    for n, aid in enumerate(ids[6:]):
        _edit(archive, aid, f"{TEXT} during{n}")
        assert [h.id for h in index.search(f"during{n}").hits] == [aid]
    merging.join()
    for n, aid in enumerate(ids[6:]):
        assert [h.id for h in index.search(f"during{n}").hits] == [aid]
    assert index.search("bridge").total == 12
    archive.sync_index(force=True)
    assert index.check().ok


def test_many_tags_are_written_to_disk_in_the_background(archive: Archive, monkeypatch) -> None:
    monkeypatch.setattr(search_index, "RECENT_MAX", 3)
    ids = _archive_with_disk_segments(archive)
    for n, aid in enumerate(ids[:8]):
        _edit(archive, aid, f"{TEXT} burst{n}")
        assert archive.index.search(f"burst{n}").total == 1
    archive.close()  # writes the rest to disk
    with Archive.open(archive.path) as again:
        assert all(again.index.search(f"burst{n}").total == 1 for n in range(8))
        assert again.index.search("bridge").total == 12


CRASHER = """
import os, sys
from archive import models
from archive.store import Archive

archive = Archive.open(sys.argv[1])
with archive.change("Tag", origin="manual") as ch:
    article = ch.session.get(models.Article, sys.argv[2])
    article.text = article.text + " crashmark"
assert archive.index.search("crashmark").total == 1
assert len(archive.index._recent) == 1
print("held", flush=True)
os._exit(9)  # no close, no background flush: the process is gone
"""


def test_a_crash_before_the_disk_catches_up_loses_nothing(archive: Archive, tmp_path: Path) -> None:
    ids = _archive_with_disk_segments(archive)
    path = archive.path
    archive.close()
    marker = read_state(path / "index")
    assert marker is not None
    script = tmp_path / "crash.py"
    script.write_text(CRASHER, "utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(path), ids[4]],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        timeout=120,
    )
    assert done.returncode == 9 and "held" in done.stdout, done.stderr
    after = read_state(path / "index")
    assert after is not None and after.generation == marker.generation  # nothing on disk
    with Archive.open(path) as again:
        with again.engine.connect() as conn:
            queued = conn.execute(
                text("SELECT count(*) FROM indexqueue WHERE seq > :g"), {"g": after.generation}
            ).scalar_one()
        assert queued >= 1  # the queue still says what the disk lacks
        assert [h.id for h in again.index.search("crashmark").hits] == [ids[4]]
        assert again.index.search("bridge").total == 12
        assert again.index.check().ok


WORDS = st.sampled_from(["lotus", "river", "market", "pagoda", "vote", "monk"])
STEP = st.tuples(st.integers(0, 5), st.lists(WORDS, min_size=1, max_size=4), st.booleans())


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_held_changes_agree_with_the_database(archive: Archive, steps) -> None:
    """Random edits, some written to disk between: every word's articles match the texts."""
    # Hypothesis replays the same `random` state in each example, and Whoosh names new
    # segments from it: without this a commit's segment took an existing one's name.
    random.seed(uuid.uuid4().int)
    with archive.transaction() as session:
        ids = [r[0] for r in session.execute(text("SELECT id FROM article ORDER BY title"))]
        for aid in ids:  # (the archive is shared by the examples)
            session.execute(text("UPDATE article SET text = 'start' WHERE id = :a"), {"a": aid})
            mark_for_index(session, aid)
    if not ids:
        ids = add_articles(archive, *({"title": f"a{i}", "text": "start"} for i in range(6)))
    archive.sync_index(force=True)
    texts = {aid: "start" for aid in ids}
    for which, words, to_disk in steps:
        aid = ids[which]
        texts[aid] = " ".join(words)
        _edit(archive, aid, texts[aid])
        if to_disk:
            archive.sync_index(force=True)
        for word in ("lotus", "river", "market", "pagoda", "vote", "monk", "start"):
            want = {a for a, t in texts.items() if word in t.split()}
            found, total, exact = _ids(archive, word)
            assert found == want and total == len(want) and exact, (word, steps)
        assert _ids(archive, "*")[1] == 6
