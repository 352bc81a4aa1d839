"""`sesame encrypt` (a plain archive encrypted in place) and `sesame rekey` (a new data key
for an encrypted one): see `archive.keychange` for how a crash at any moment leaves the
old archive or the new one."""

from __future__ import annotations

import argparse

from archive.cli import (
    EXIT_OK,
    AddCommand,
    Output,
    UsageError,
    exit_status,
    open_archive,
    quoted,
)
from archive.commands.passphrase import ENV_NEW_PASSPHRASE, new_passphrase


def _report(out: Output, rep: object, verb: str) -> None:
    from archive.keychange import KeyChangeReport

    assert isinstance(rep, KeyChangeReport)
    if out.as_json:
        out.json(rep.to_json())
        out.error(rep.leftovers)
        return
    out.line(
        f"{verb} {quoted(str(rep.archive))}: {sum(rep.tables.values()):,} rows, "
        f"{rep.originals:,} original(s) re-hashed, {rep.index_files} index file(s) sealed, "
        f"checked before the swap ({rep.seconds:.1f} s)."
    )
    if rep.passphrase_changed:
        out.line("The passphrase was changed too.")
    for warning in rep.warnings:
        out.line(f"  (not vouched for: {warning})")
    out.line(f"Note: {rep.leftovers}")


def cmd_encrypt(args: argparse.Namespace, out: Output) -> int:
    from archive import encryption
    from archive.keychange import encrypt_archive

    with open_archive(args, write=True, create=False) as archive:
        if archive.encrypted:
            raise UsageError(
                f"The archive {archive.path} is already encrypted; `sesame rekey` gives it "
                "a new key. Nothing was changed."
            )
        passphrase = encryption.passphrase_for(archive.path, new=True)
        progress = out.progress("Encrypting")
        try:
            rep = encrypt_archive(archive, passphrase, progress=progress)
        finally:
            if progress is not None:
                progress.finish()
    _report(out, rep, "Encrypted")
    if not out.as_json:
        out.line("It now opens only with its passphrase: keep the passphrase safe.")
    return EXIT_OK


def cmd_rekey(args: argparse.Namespace, out: Output) -> int:
    from archive import encryption
    from archive.keychange import rekey_archive

    with open_archive(args, write=True, create=False) as archive:
        if not archive.encrypted:
            raise UsageError(
                f"The archive {archive.path} is not encrypted; `sesame encrypt` encrypts it. "
                "Nothing was changed."
            )
        current = encryption.passphrase_for(archive.path)  # the one that opened it
        # Without --change-passphrase a new one in a file or the environment is taken,
        # none is asked for.
        new = new_passphrase(args, out, required=args.change_passphrase)
        progress = out.progress("Re-keying")
        try:
            rep = rekey_archive(archive, current, new_passphrase=new, progress=progress)
        finally:
            if progress is not None:
                progress.finish()
    _report(out, rep, "Re-keyed")
    if not out.as_json:
        if not rep.passphrase_changed:
            out.line(
                "The passphrase is unchanged. If it may be known to someone, change it too "
                "(sesame rekey --change-passphrase, or sesame passphrase change)."
            )
        out.line("The old key file and the old passphrase no longer open this archive.")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `encrypt` and `rekey` to the `sesame` parser."""
    p = add(
        "encrypt",
        cmd_encrypt,
        "encrypt an existing plain archive in place (checked before the swap; crash-safe)",
    )
    p.description = (
        "Encrypt an existing plain archive in place under a passphrase (--passphrase-file F, "
        "$SESAME_PASSPHRASE, or asked twice on a terminal). The encrypted copy is built "
        "beside the old one and checked before one rename swaps it in: a crash leaves the "
        "old archive or the new one. The old plain files are deleted, not erased (an SSD "
        "or a journaling file system may keep their bytes); backups made before stay plain."
    )
    exit_status(
        p,
        failed="the new archive did not hold its checks (named); the old one is unchanged",
        usage=" (an archive already encrypted, no passphrase)",
    )
    p = add(
        "rekey",
        cmd_rekey,
        "give an encrypted archive a new random data key, re-encrypting everything",
    )
    p.add_argument(
        "--change-passphrase",
        action="store_true",
        help="set a new passphrase too (asked twice on a terminal)",
    )
    p.add_argument(
        "--new-passphrase-file",
        metavar="F",
        help=f"the new passphrase is the first line of F (else ${ENV_NEW_PASSPHRASE}); "
        "without it the passphrase stays",
    )
    p.description = (
        "A new random data key for an encrypted archive, everything re-encrypted (database "
        "and search index), for when the key file and the passphrase may have leaked; "
        "crash-safe like `encrypt`. Backups made before stay under the old key."
    )
    exit_status(
        p,
        failed="the new archive did not hold its checks (named); the old one is unchanged",
        usage=" (a plain archive, a wrong passphrase)",
    )
