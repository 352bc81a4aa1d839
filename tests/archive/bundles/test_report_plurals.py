"""The import report's counts in words: "1 conflict to resolve", "2 entities" (QA F5)."""

from __future__ import annotations

from archive.bundles.merge import MergeReport


def test_the_reports_counts_are_words_in_singular_and_plural() -> None:
    one = MergeReport("b", "Aung", conflicts=[{}], entity_conflicts=[{}], orphaned=["a"])
    one.entity_offers = [{}]
    line = one.line()
    assert "1 conflict to resolve" in line and "1 entity edited on both sides" in line
    assert "1 annotation orphaned" in line and "1 entity to consider merging" in line
    two = MergeReport("b", "Aung", conflicts=[{}, {}], entity_conflicts=[{}, {}])
    assert "2 conflicts to resolve" in two.line() and "2 entities edited" in two.line()
    assert "(s)" not in line + two.line() and "(ies)" not in line + two.line()
