"""Undoing a bundle import leaves no copy signatures of the articles it removes, and
redoing it signs them again (QA F17): the archive exactly as it was."""

from __future__ import annotations

from collections.abc import Callable

from archive.bundles.merge import import_bundle
from archive.changes import redo, undo
from archive.store import Archive
from tests.archive.conftest import Sent


def _signatures(archive: Archive) -> dict[str, bytes]:
    with archive.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT article_id, signature FROM copysignature")
        return {str(a): bytes(s) for a, s in rows}


def test_undo_and_redo_of_an_import_keep_the_signatures_in_step(
    aung_sends: Callable[..., Sent],
) -> None:
    sent = aung_sends()
    with sent.hla.acting() as b:
        before = _signatures(b)
        import_bundle(b, sent.bundle)
        imported = _signatures(b)
        assert sent.article_id in imported
        undo(b)
        assert _signatures(b) == before
        redo(b)
        assert _signatures(b) == imported
