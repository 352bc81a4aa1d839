"""Members written in pieces are byte for byte the canonical form of the whole document."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.bundles import spec

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(
    head=st.dictionaries(st.text(max_size=6), _json, max_size=5),
    key=st.text(max_size=6),
    items=st.lists(_json, max_size=5),
)
def test_chunks_are_the_canonical_bytes(head: dict[str, Any], key: str, items: list[Any]) -> None:
    head.pop(key, None)
    whole = spec.canonical({**head, key: items})
    assert b"".join(spec.canonical_chunks(head, key, iter(items))) == whole
    assert b"".join(spec.canonical_list(iter(items))) == spec.canonical(items)
