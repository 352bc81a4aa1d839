"""Errors a person can act on.

Every error raised by `archive` for bad input or a refused operation is a
`SesameError` whose message says what happened and what to do about it.
"""


class SesameError(Exception):
    """Base class for errors with a message meant for people."""


class ArchiveError(SesameError):
    """The archive cannot be opened or used (exit status 2 on the CLI)."""


class ArchiveLocked(ArchiveError):
    """Another process holds the archive open for writing."""


class ArchiveTooNew(ArchiveError):
    """The archive was written by a newer version of Sesame."""


class NotAnArchive(ArchiveError):
    """The folder or file is not a Sesame archive."""


class NotFound(SesameError):
    """An article, annotation or entity id that does not exist."""


class InvalidInput(SesameError):
    """Input that cannot be used as given (bad span, bad query, ...)."""


class ArchiveReadOnly(ArchiveError):
    """The archive cannot be written (read-only media or folder); it can be opened read-only."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ConfigError(SesameError):
    """The user's config folder (identity, keys) cannot be read or written (exit status 2)."""


class BadIdPrefix(NotFound):
    """A shortened id that names no record, or several: the command line's fault (exit
    status 2), unlike a full id that names nothing (exit status 1)."""
