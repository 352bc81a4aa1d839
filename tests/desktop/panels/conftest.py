from tests.desktop.reader.articles import article_id, ctx, model_tester  # noqa: F401
