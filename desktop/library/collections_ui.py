"""The library's read of `archive.collections`: (id, name) pairs for its menus.

Writes go through the window's writer (`desktop/library/panel.py`).
"""

from __future__ import annotations

from archive import collections as coll
from archive.store import Archive


def collection_names(archive: Archive) -> list[tuple[str, str]]:
    """(id, name) of every collection, in the archive's order."""
    return [(c.id, c.name) for c in coll.list_collections(archive)]
