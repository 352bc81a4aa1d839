"""`archive.search.lean_imports`: Whoosh loads without urllib.request, asyncio and the
English word tables, and what it imported them for still works (in a fresh process:
the finder acts only on modules not loaded yet)."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import functools, json, sys
import archive.search.index  # the engine, as a search loads it
import whoosh.compat, whoosh.reading, whoosh.query.terms
from whoosh import fields, query
from whoosh.filedb.filestore import RamStorage

loaded = sorted(m for m in ("urllib.request", "asyncio", "cached_property",
                            "whoosh.lang.morph_en", "http.client") if m in sys.modules)
schema = fields.Schema(id=fields.ID(stored=True, unique=True), body=fields.TEXT)
ix = RamStorage().create_index(schema)
with ix.writer() as writer:
    for n in range(3):
        writer.add_document(id=str(n), body="police entered the camp")
with ix.writer() as writer:
    writer.delete_by_term("id", "1")
with ix.searcher() as searcher:
    found = sorted(hit["id"] for hit in searcher.search(query.Term("body", "police")))
    reader = searcher.reader()
    cached = reader.deleted_docs_set is reader.deleted_docs_set
print(json.dumps({
    "loaded": loaded,
    "urlretrieve": callable(whoosh.compat.urlretrieve),
    "cached_property": whoosh.reading.cached_property is functools.cached_property,
    "found": found,
    "deleted": sorted(reader.deleted_docs_set),
    "cached": cached,
    "variations": sorted(whoosh.query.terms.variations("police"))[:2],
    "loaded_after": sorted(m for m in ("whoosh.lang.morph_en",) if m in sys.modules),
}))
"""


def test_the_search_engine_loads_without_the_modules_it_never_uses() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(done.stdout)
    assert result["loaded"] == []
    assert result["urlretrieve"] is True and result["cached_property"] is True
    # Deleted documents: the property whose package brought asyncio, computed once.
    assert (result["found"], result["deleted"], result["cached"]) == (["0", "2"], [1], True)
    # The stand-in imports the real word tables when first called.
    assert result["variations"] == ["police", "policed"]
    assert result["loaded_after"] == ["whoosh.lang.morph_en"]


_CLI_PROBE = """
import json, sys
from archive import cli
code = cli.main(["--archive", sys.argv[1], "--json", "search", "police"])
print(json.dumps({"code": code, "numpy": "numpy" in sys.modules}))
"""


def test_a_command_line_search_never_imports_numpy(tmp_path) -> None:
    # 600 articles in one segment: every term's postings long enough for the array paths
    # (archive/search/arrays.py), which a one-shot process must not pay ~150 ms to load.
    from archive.store import Archive
    from tests.archive.search.helpers import add_articles

    archive = Archive.open(tmp_path / "arc", create=True)
    add_articles(
        archive,
        *({"title": f"Report {n}", "text": f"The police said {n} came."} for n in range(600)),
    )
    archive.index.catch_up(force=True)
    archive.close()
    done = subprocess.run(
        [sys.executable, "-c", _CLI_PROBE, str(tmp_path / "arc")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "numpy": False}
