"""Files the app ships inside the package: the demo articles and the user guide.

They live here, not at the top of the repository, so that an installed
wheel holds them too (pyproject `package-data`); `importlib.resources` finds
them wherever the package is. The guide is written here, with its pictures
in `guide/img/` (made by `make screenshots`); docs/guide.md points to it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEMO_SUFFIXES = frozenset({".txt", ".html", ".md"})


def _folder(name: str) -> Path:
    # A wheel installs as plain files (no zip import), so the resource is a
    # real path that the import pipeline and the system's viewer can open.
    return Path(str(files(__name__) / name))


def demo_dir() -> Path:
    """The folder of demo articles written for Sesame."""
    return _folder("demo")


def demo_files() -> list[Path]:
    """The demo articles, in the order they are imported."""
    return sorted(p for p in demo_dir().iterdir() if p.suffix in DEMO_SUFFIXES)


def guide_path() -> Path:
    """The user guide (Markdown; its pictures are in `img/` beside it)."""
    return _folder("guide") / "guide.md"


def guide_images_dir() -> Path:
    """Where the guide's pictures are (tools/screenshots.py writes them)."""
    return _folder("guide") / "img"
