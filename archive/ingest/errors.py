"""The one error importers raise for a file they cannot turn into articles."""

from archive.errors import SesameError


class UnreadableFile(SesameError):
    """This file cannot be imported; the message says why, for a person."""
