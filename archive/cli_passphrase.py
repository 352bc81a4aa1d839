"""Where the `sesame` command line finds an encrypted archive's passphrase.

In order: `--passphrase-file F` (its first line; `--archive-passphrase-file F`
on the bundle commands, whose `--passphrase-file` is the bundle's), then
`SESAME_PASSPHRASE`, then a prompt (getpass, only when stdin is a terminal;
asked twice for a new archive). Read once per command: a command that opens
the archive twice asks once. A new passphrase (`passphrase change`, `rekey`) and a
bundle's (`--passphrase-file` of the bundle commands) are read the same way, by
`passphrase_from` and `read_passphrase_file`. Light at import (`archive.cli` starts fast):
`archive.encryption` is imported when a command runs, not for `sesame --help`
or a usage error (with dataclasses and inspect: 22 ms at best in `-X importtime`,
measured on a loaded machine).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from archive import encryption
else:
    from archive.commands import Deferred

    encryption = Deferred("archive.encryption")  # imported on first use

PASSPHRASE_HELP = (
    "an encrypted archive's passphrase is the first line of F (else $SESAME_PASSPHRASE, "
    "else asked on a terminal)"
)


def add_passphrase_options(parser: argparse.ArgumentParser) -> None:
    """--passphrase-file and --archive-passphrase-file (the same: the archive's)."""
    parser.add_argument(
        "--passphrase-file",
        "--archive-passphrase-file",
        dest="archive_passphrase_file",
        metavar="F",
        default=argparse.SUPPRESS,
        help=PASSPHRASE_HELP,
    )


def read_passphrase_file(path: str, what: str = "passphrase file") -> str:
    """The first line of `path`; an `ArchiveError` (exit 2) if it cannot be had."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise encryption.PassphraseNeeded(
            f"The {what} {path} cannot be read: {reason}. Nothing was changed."
        ) from exc
    passphrase = text.splitlines()[0] if text else ""
    if not passphrase:
        raise encryption.PassphraseNeeded(f"The {what} {path} is empty. Nothing was changed.")
    return passphrase


def prompt_passphrase(label: str, *, twice: bool, stream: TextIO) -> str | None:
    """Ask on the terminal (None when stdin is not one: scripts must not hang)."""
    if not sys.stdin.isatty():
        return None
    import getpass

    first = getpass.getpass(f"{label}: ", stream=stream)
    if twice and first:
        again = getpass.getpass("The same passphrase again: ", stream=stream)
        if again != first:
            raise encryption.PassphraseNeeded(
                "The two passphrases differ; nothing was created. Try again."
            )
    return first or None


def passphrase_from(
    path: str | None, env: str, *, what: str, ask: str | None, twice: bool, stream: TextIO
) -> str | None:
    """The first line of the file `path` when one is given (`what` names it in errors),
    else `$env`, else typed on a terminal after the prompt `ask` (None: not asked)."""
    if path:
        return read_passphrase_file(path, what)
    found = os.environ.get(env)
    if not found and ask is not None:
        found = prompt_passphrase(ask, twice=twice, stream=stream)
    return found or None


@contextmanager
def cli_passphrases(args: argparse.Namespace, stderr: TextIO) -> Iterator[None]:
    """While a command runs, `Archive.open` finds the passphrase as the CLI gives it."""
    remembered: dict[bool, str] = {}

    def source(folder: Path, new: bool) -> str | None:
        if new in remembered:
            return remembered[new]
        found = passphrase_from(
            getattr(args, "archive_passphrase_file", None),
            encryption.ENV_PASSPHRASE,
            what="passphrase file",
            ask=f"Passphrase for the {'new ' if new else ''}encrypted archive {folder}",
            twice=new,
            stream=stderr,
        )
        if found:
            remembered[new] = found
        return found

    encryption.set_passphrase_source(source)
    try:
        yield
    finally:
        encryption.set_passphrase_source(None)
