"""Fixtures shared by the reader and panel tests (`ctx` and `window` come from tests/desktop)."""

from tests.desktop.reader.articles import article_id, ctx, model_tester  # noqa: F401
