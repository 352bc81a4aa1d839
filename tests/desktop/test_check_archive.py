"""File → Check archive… runs the custody check off the GUI thread and shows its result."""

from __future__ import annotations

import sqlite3
from typing import Any

from archive import annotate, models
from archive.store import DB_NAME
from tests.archive.conftest import REPORT


def _article(archive: Any) -> str:
    with archive.change("Import test article", origin="import") as ch:
        article = models.Article(
            title="Strike", text=REPORT, text_sha256=annotate.text_sha256(REPORT)
        )
        ch.session.add(article)
    return article.id


def test_check_archive_reports_a_healthy_archive_then_a_tampered_row(
    window: Any, qtbot: Any, dialogs: Any, archive: Any
) -> None:
    aid = _article(archive)
    ann = annotate.create_annotation(archive, aid, 0, 6, "event", note="first")
    window.check_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=10_000)
    kind, title, text = dialogs.messages.pop()
    assert (kind, title) == ("info", "Check archive") and "The archive holds." in text
    # Its last result stays in the status bar (and in the archive, for the next start).
    qtbot.waitUntil(lambda: "archive holds" in window.fixity.label.text(), timeout=10_000)

    conn = sqlite3.connect(archive.path / DB_NAME)
    with conn:
        conn.execute("UPDATE annotation SET note = 'changed' WHERE id = ?", (ann.id,))
    conn.close()
    window.check_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=10_000)
    kind, _title, text = dialogs.messages.pop()
    assert kind == "error" and ann.id in text and "note is" in text
    qtbot.waitUntil(lambda: "archive check failed" in window.fixity.label.text(), timeout=10_000)


def test_check_archive_names_case_notes_links_that_point_nowhere_as_a_warning(
    window: Any, qtbot: Any, dialogs: Any, archive: Any
) -> None:
    from archive import collections, notes

    aid = _article(archive)
    ann = annotate.create_annotation(archive, aid, 0, 6, "event")
    collections.ensure_collection(archive, "Raids")
    notes.set_notes(
        archive,
        "Raids",
        f"Seen in sesame:annotation/{ann.id}, not sesame:annotation/abcdef123456 "
        "nor sesame:entity/fedcba654321.\n",
    )
    window.check_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=10_000)
    kind, title, text = dialogs.messages.pop()
    # A warning after the result: the archive still holds, and the check is kept as passed.
    assert (kind, title) == ("info", "Check archive") and "The archive holds." in text
    assert "Case notes: 2 link(s) point nowhere" in text
    assert "- “Raids”: sesame:annotation/abcdef123456 (passage: no such id)" in text
    assert "- “Raids”: sesame:entity/fedcba654321 (entity: no such id)" in text
    assert ann.id not in text  # the link that points somewhere is not named
    qtbot.waitUntil(lambda: "archive holds" in window.fixity.label.text(), timeout=10_000)

    # Mended, they are no longer named.
    notes.set_notes(archive, "Raids", f"Seen in sesame:annotation/{ann.id}.\n")
    window.check_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=10_000)
    kind, _title, text = dialogs.messages.pop()
    assert kind == "info" and "Case notes" not in text and "The archive holds." in text


def test_check_archive_compares_the_search_index_as_sesame_check_does(
    window: Any, qtbot: Any, dialogs: Any, archive: Any
) -> None:
    """The window's check runs `sesame check`'s index comparison (archive.index_check):
    pending changes applied first, an article missing from the index fails the check."""
    from archive.index_check import check_index

    aid = _article(archive)  # queued, not indexed yet: caught up first, not a failure
    window.check_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=10_000)
    kind, _title, text = dialogs.messages.pop()
    assert kind == "info", text
    assert "1 article(s) in the archive, 1 in the search index" in text
    assert "The search index agrees with the archive." in text
    qtbot.waitUntil(lambda: not window.ctx.tasks.busy, timeout=10_000)

    writer = archive.index._ix.writer()  # the index loses the article behind the archive's back
    writer.delete_by_term("id", aid)
    writer.commit()
    window.check_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=10_000)
    kind, _title, text = dialogs.messages.pop()
    assert kind == "error" and "The archive holds." in text  # custody holds; the index not
    assert f"1 article(s) missing from the index: {aid[:8]}" in text
    assert "The search index disagrees with the archive" in text and "sesame reindex" in text
    qtbot.waitUntil(lambda: "archive check failed" in window.fixity.label.text(), timeout=10_000)
    # What `sesame check` finds the same way; its --repair-index mends it.
    from archive.custody import check_custody

    assert not check_index(archive, check_custody(archive)).ok
    assert check_index(archive, check_custody(archive), repair=True).repaired
    assert check_index(archive, check_custody(archive)).ok
