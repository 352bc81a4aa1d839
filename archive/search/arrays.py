"""numpy for the search's bulk paths, where this process has loaded it already.

Lists scored at once (common_terms), merged ORs (matchers.merge_lists) and
facet counts of big result sets (facets) have pure-Python paths and numpy
ones. Importing numpy costs ~150 ms: `sesame search other` at 10,000
articles went from 0.33 to 0.47 s p50 when a search imported it (the goal is
0.5 s for the whole process). So a search uses numpy only when it is loaded
already; the index's warm-up loads it, in the background, in every process
that lives long enough to warm up (the window, scripts that wait): the
command line's one-shot searches take the Python paths.
"""

from __future__ import annotations

import sys
from types import ModuleType


def loaded() -> ModuleType | None:
    """numpy if this process has imported it, else None."""
    return sys.modules.get("numpy")


def load() -> ModuleType:
    """Import numpy (the warm-up: later searches use it)."""
    import numpy

    return numpy
