"""`sesame passphrase change`: a new passphrase for an encrypted archive.

The data key is re-wrapped under the new passphrase and the key file replaced
atomically; the database and the index are not re-encrypted (instant at any
size). The old passphrase opens the archive first (as for every command).
"""

from __future__ import annotations

import argparse
from typing import overload

from archive.cli import EXIT_OK, AddCommand, Output, UsageError, open_archive
from archive.cli_passphrase import passphrase_from

ENV_NEW_PASSPHRASE = "SESAME_NEW_PASSPHRASE"


@overload
def new_passphrase(args: argparse.Namespace, out: Output) -> str: ...
@overload
def new_passphrase(args: argparse.Namespace, out: Output, *, required: bool) -> str | None: ...
def new_passphrase(args: argparse.Namespace, out: Output, *, required: bool = True) -> str | None:
    """--new-passphrase-file F, else $SESAME_NEW_PASSPHRASE, else asked twice on a terminal
    (only when `required`: then a `UsageError` if none is given)."""
    found = passphrase_from(
        args.new_passphrase_file,
        ENV_NEW_PASSPHRASE,
        what="new passphrase file",
        ask="New passphrase" if required else None,
        twice=True,
        stream=out.stderr,
    )
    if not found and required:
        raise UsageError(
            f"Give the new passphrase: --new-passphrase-file F or {ENV_NEW_PASSPHRASE} "
            "(or type it when asked on a terminal). Nothing was changed."
        )
    return found


def cmd_passphrase_change(args: argparse.Namespace, out: Output) -> int:
    from archive import encryption

    with open_archive(args, write=True, create=False) as archive:
        if archive.data_key is None:
            raise UsageError(
                f"The archive {archive.path} is not encrypted: it has no passphrase to "
                "change. Nothing was changed."
            )
        new = new_passphrase(args, out)
        encryption.change_passphrase(archive.path, archive.data_key, new)
    if out.as_json:
        out.json({"archive": str(archive.path), "changed": True})
    else:
        out.line(f"The passphrase of {archive.path} was changed; the old one no longer opens it.")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `passphrase change` to the `sesame` parser."""
    p = add("passphrase", cmd_passphrase_change, "change an encrypted archive's passphrase")
    p.add_argument("action", choices=["change"], help="change: set a new passphrase")
    p.add_argument(
        "--new-passphrase-file",
        metavar="F",
        help=f"the new passphrase is the first line of F (else ${ENV_NEW_PASSPHRASE}, else "
        "asked twice on a terminal)",
    )
