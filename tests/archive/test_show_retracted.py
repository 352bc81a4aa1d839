"""`sesame show` of a retracted article says it is retracted, when and why (it is out
of the library and search, but still shown by its id); `--json` has the two fields."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from archive import articles
from archive.cli import main
from archive.store import Archive


def _show(archive: Archive, ident: str, *extra: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--archive", str(archive.path), *extra, "show", ident], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    return out.getvalue()


def test_show_names_a_retraction(archive: Archive, add_article: Callable[..., str]) -> None:
    aid = add_article()
    assert "retracted" not in _show(archive, aid[:8])
    assert json.loads(_show(archive, aid, "--json"))["retracted_at"] is None
    articles.retract_article(archive, aid, "duplicate of a wire copy")
    line = next(x for x in _show(archive, aid[:8]).splitlines() if "retracted" in x)
    assert "duplicate of a wire copy" in line and "hidden from the library" in line
    doc = json.loads(_show(archive, aid, "--json"))
    assert doc["retracted_reason"] == "duplicate of a wire copy" and doc["retracted_at"]
    # In UTC, with its offset, like every other time `show` gives; the text says "UTC".
    when = datetime.fromisoformat(doc["retracted_at"])
    assert when.utcoffset() == timedelta(0) and doc["retracted_at"].endswith("+00:00")
    assert doc["imported_at"].endswith("+00:00")
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=5)
    assert f"retracted: {when:%Y-%m-%d %H:%M} UTC, duplicate" in line
    articles.restore_article(archive, aid)
    assert "retracted" not in _show(archive, aid[:8])
