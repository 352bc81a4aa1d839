"""One read of an article's annotations for every view that shows them after a write.

The reader and the annotations panel both show the open article's annotations
and review fields; after a write that touched them each used to read them on its
own (two pool jobs a tag, ~2 ms of the GUI thread each to start and deliver).
`ArticleReads.of(ctx).request(article_id, owner, on_result)` gathers the
requests made in one event-loop turn into one read off the GUI thread
(`desktop.widgets.run_read`) and hands its result to each, in order (at once
when the writer runs inline: scripts and panel tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer

from archive import review
from archive.errors import SesameError
from archive.reading import ReadingAnnotation, load_annotations
from desktop.context import one_per_context
from desktop.widgets import run_read

Found = tuple[list[ReadingAnnotation], Any]


def read_article(archive: Any, article_id: str) -> Found:
    """An article's annotations and its review fields (None if it is gone)."""
    annotations = load_annotations(archive, article_id)
    try:
        fields = review.get_review(archive, article_id)
    except SesameError:
        fields = None
    return annotations, fields


class ArticleReads(QObject):
    """Requests for an article's annotations, read once per event-loop turn."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self._waiting: dict[str, list[tuple[QObject, Callable[[Found], None]]]] = {}

    @classmethod
    def of(cls, ctx: Any) -> ArticleReads:
        """The reads of `ctx`, made on first use."""
        return one_per_context(ctx, cls, "articleReads")

    def request(self, article_id: str, owner: QObject, on_result: Callable[[Found], None]) -> None:
        """Read `article_id`'s annotations soon; `on_result(found)` unless `owner` is gone."""
        if self.ctx.writer.inline or self.ctx.tasks is None:
            on_result(read_article(self.ctx.archive, article_id))
            return
        first = not self._waiting
        self._waiting.setdefault(article_id, []).append((owner, on_result))
        if first:
            self.ctx.writer.settling.add(self)  # Writer.wait() waits for these reads too
            QTimer.singleShot(0, self, self._read)

    def _read(self) -> None:
        waiting, self._waiting = self._waiting, {}
        self.ctx.writer.settling.discard(self)  # each read below counts for itself
        for article_id, takers in waiting.items():

            def deliver(found: Found, takers: list[Any] = takers) -> None:
                for owner, on_result in takers:
                    if shiboken6.isValid(owner):
                        on_result(found)

            run_read(
                self.ctx,
                self,
                "Reading annotations",
                read_article,
                self.ctx.archive,
                article_id,
                on_result=deliver,
            )
