"""The one filter that leaves deleted documents out of a segment's sorted postings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.live import without_deleted


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 300), max_size=80), st.sets(st.integers(0, 300), max_size=60))
def test_deleted_documents_are_left_out_and_the_rest_keep_their_values(
    held: set[int], deleted: set[int]
) -> None:
    ids = sorted(held)
    values = [d % 7 + 1 for d in ids]
    got = without_deleted(ids, values, frozenset(deleted))
    assert got == (
        [d for d in ids if d not in deleted],
        [d % 7 + 1 for d in ids if d not in deleted],
    )


def test_nothing_deleted_hands_back_the_same_lists() -> None:
    ids, values = [1, 4, 9], [0.5, 1.5, 2.5]
    got = without_deleted(ids, values, {2, 3, 10})
    assert got[0] is ids and got[1] is values
    assert without_deleted(ids, values, frozenset())[0] is ids
