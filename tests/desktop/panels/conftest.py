from tests.desktop.reader.articles import article_id, ctx  # noqa: F401
