"""Fixtures of the command tests: the two-article archive of the tagging CLI tests."""

from tests.archive.annotate.test_cli import arch  # noqa: F401
