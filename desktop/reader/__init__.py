"""The article reader and keyboard tagging (issue 5, item 3)."""

from desktop.reader.panel import ReaderPanel

__all__ = ["ReaderPanel"]
