"""Facet counts (archive/search/facets.py) are the same counted with sets or with arrays:
hypothesis draws segments' facet values and result sets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search import arrays, facets

# One segment: facet -> value -> its documents; and the documents a search matched.
a_segment = st.tuples(
    st.fixed_dictionaries(
        {
            name: st.dictionaries(
                st.sampled_from(["a", "b", "c", "d", "e", "f"]),
                st.sets(st.integers(0, 60), min_size=1, max_size=40),
                max_size=6,
            )
            for name in facets.FACET_FIELDS
        }
    ),
    st.sets(st.integers(0, 70), max_size=60),
)

arrays.load()  # the array paths run only where numpy is loaded (search/arrays.py)


@settings(max_examples=200, deadline=None)
@given(st.lists(a_segment, min_size=1, max_size=4))
def test_arrays_count_as_sets_do(segments: list[tuple[dict, set[int]]]) -> None:
    tables = [facets.Table(values) for values, _ in segments]
    matches = []
    base = 0
    for _, docs in segments:
        matches.append((base, docs))
        base += 71
    saved = facets.NUMPY_FROM
    try:
        facets.NUMPY_FROM = 10**9
        by_sets = facets.count(tables, matches)
        facets.NUMPY_FROM = 0
        by_arrays = facets.count(tables, matches)
    finally:
        facets.NUMPY_FROM = saved
    assert by_arrays == by_sets
    # The same order too (most documents first, ties by the first document).
    assert {n: list(v) for n, v in by_arrays.items()} == {n: list(v) for n, v in by_sets.items()}


def test_a_value_counts_every_matching_document() -> None:
    table = facets.Table({name: {} for name in facets.FACET_FIELDS})
    table.values["source"] = {"Reuters": set(range(0, 3000, 2)), "AP": {1, 3, 2997}}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(facets, "NUMPY_FROM", 100)
        counted = facets.count([table], [(0, set(range(0, 3000, 3)))])
    assert counted["source"] == {"Reuters": 500, "AP": 2}
