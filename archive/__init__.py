"""Sesame's domain: archive storage, import, search and annotation.

This package never imports Qt: it is the core that both the `sesame`
command line and the desktop app (in `desktop/`) call.
"""

__version__ = "0.1.0"
