"""Fixtures of the review tests: the reader's test article and context."""

from tests.desktop.reader.articles import article_id, ctx, model_tester  # noqa: F401
