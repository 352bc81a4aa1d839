"""`sesame export-bundle`, `verify-bundle`, `import-bundle` and `contacts` (DESIGN "Bundles").

`--json` shapes: `JSON_SHAPES` below, shown at the end of each command's `--help`
(the same as docs/bundle-format.md §10.7 and §11 say; a test keeps the three alike).
verify-bundle exits 0 only if every hash and the signature hold, 1 if refused.

export-bundle refuses an OUT that exists already (exit 2, nothing written) unless
`--force` is given, as `sesame export` does (`exports.refuse_existing`); the bundle
is written beside OUT and renamed into place, so a failure leaves OUT as it was.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from archive.cli import EXIT_FAILED, EXIT_OK, AddCommand, Output, UsageError, open_archive
from archive.cli_passphrase import read_passphrase_file
from archive.commands.exports import add_force, add_selection, refuse_existing
from archive.errors import InvalidInput

# What `--json` prints, for each command's --help (docs/bundle-format.md §10.7, §11).
JSON_SHAPES = {
    "export-bundle": (
        '{"path", "bundle_id", "counts": {kind: n}, "encrypted", "signer", "fingerprint"}'
    ),
    "verify-bundle": (
        '{"ok", "reason", "verdict", "encrypted", "version", "bundle_id", "created_at", '
        '"signer", "public_key", "fingerprint", "known_contact", "own_key", "counts"}'
    ),
    "import-bundle": (
        '{"bundle_id", "signed_by", "change_id", "added": {kind: n}, "updated": {kind: n}, '
        '"unchanged": {kind: n}, "deleted": {kind: n}, "conflicts": [{"annotation_id", '
        '"local", "incoming_copy", "quote"}], "entity_conflicts": [{"entity_id", '
        '"local_name", "incoming_name", "reason"}], "orphaned": [annotation ids], '
        '"entity_offers": [{"local_id", "local_name", "incoming_id", "incoming_name", '
        '"merge"}], "matched_articles": {bundle id: local id}, "open_conflicts": '
        '[annotation ids]}, or {"ok": false, "reason"} if refused (exit 1)'
    ),
    "contacts": '[{"name", "public_key", "fingerprint"}] (add, remove: one of them)',
}


def _json_help(p: argparse.ArgumentParser, command: str) -> None:
    p.epilog = f"--json prints {JSON_SHAPES[command]}; see docs/bundle-format.md."


def _counted(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _passphrase(args: argparse.Namespace) -> str | None:
    """The bundle's passphrase from --passphrase-file (first line), or None."""
    path = getattr(args, "passphrase_file", None)
    return read_passphrase_file(path, "bundle's passphrase file") if path else None


def _identity(args: argparse.Namespace) -> Any:
    """The age identity to decrypt with: --identity FILE, else the local one."""
    from archive import keys

    path = getattr(args, "identity", None)
    if not path:
        return keys.age_identity()
    from pyrage import x25519

    file = Path(path).expanduser()
    if not file.is_file():
        what = "is a folder, not" if file.is_dir() else "does not exist: give"
        raise UsageError(f"The identity file {path} {what} an age identity file.")
    try:
        line = next(
            ln.strip()
            for ln in file.read_text(encoding="ascii").splitlines()
            if ln.strip() and not ln.startswith("#")
        )
        return x25519.Identity.from_str(line)
    except Exception as exc:  # pyrage.IdentityError is no ValueError; unreadable, empty
        raise UsageError(
            f"{path} is not an age identity file (a line AGE-SECRET-KEY-1...): give the "
            "key file the bundle was encrypted for, or leave --identity out to use your own."
        ) from exc


def cmd_export_bundle(args: argparse.Namespace, out: Output) -> int:
    from archive.bundles.writer import export_bundle

    refuse_existing(args)  # before anything is read: a bundle must not replace one unasked
    folder = Path(args.out).expanduser().parent
    if not folder.is_dir():
        raise UsageError(f"The folder {folder} does not exist: make it first, or write the "
                         "bundle elsewhere.")  # fmt: skip
    passphrase = _passphrase(args)
    with open_archive(args, write=True, create=False) as archive:
        bar = out.progress("Exporting")
        try:
            report = export_bundle(
                archive,
                args.out,
                collection=args.collection,
                article_ids=args.article or None,
                query=args.query,
                passphrase=passphrase,
                recipients=args.recipient or (),
                pseudonymise=args.pseudonymise or (),
                without_sensitive=args.without_sensitive,
                progress=bar,
            )
        finally:
            if bar is not None:
                bar.finish()
    if out.as_json:
        out.json(report.to_dict())
    else:
        n = report.counts
        lock = ", encrypted" if report.encrypted else ""
        what = ", ".join(
            (
                _counted(n["articles"], "article", "articles"),
                _counted(n["annotations"], "annotation", "annotations"),
                _counted(n["entities"], "entity", "entities"),
            )
        )
        out.line(
            f"Wrote {report.path}: {what}{lock}; signed by {report.signer} "
            f"(fingerprint {report.fingerprint})."
        )
    return EXIT_OK


def cmd_verify_bundle(args: argparse.Namespace, out: Output) -> int:
    from archive.bundles.reader import verify_bundle

    verdict = verify_bundle(args.file, passphrase=_passphrase(args), identity=_identity(args))
    if out.as_json:
        out.json(verdict.to_dict())
    else:
        out.line(verdict.line())
    return EXIT_OK if verdict.ok else EXIT_FAILED


def cmd_import_bundle(args: argparse.Namespace, out: Output) -> int:
    from archive.bundles.merge import merge_bundle
    from archive.bundles.reader import BundleRefused, open_bundle

    def refused(exc: BundleRefused) -> int:
        if out.as_json:
            out.json({"ok": False, "reason": str(exc)})
        else:
            # Some reasons say so already ("... Nothing was changed."): said once.
            said = str(exc).rstrip().endswith("Nothing was changed.")
            out.error(f"Refused: {exc}" + ("" if said else " The archive was not changed."))
        return EXIT_FAILED

    def opened() -> Any:
        return open_bundle(args.file, passphrase=_passphrase(args), identity=_identity(args))

    try:
        # Verified before the archive is even opened: a refused bundle creates nothing.
        bundle = opened()
    except BundleRefused as exc:
        return refused(exc)
    try:
        with open_archive(args, write=True) as archive:
            report = merge_bundle(archive, bundle, release=True, sync=False)
            _ready(archive, report, out)
    finally:
        bundle.close()
    return EXIT_OK


def _ready(archive: Any, report: Any, out: Output) -> None:
    """The report as soon as the change has committed (the archive is ready), then the
    search index brought up to date before the command ends: at full size (10,000
    articles) the index takes longer than the merge, and the report need not wait."""
    _show_report(report, out)
    out.stdout.flush()
    try:
        archive.sync_index(progress=out.progress("Updating the search index"), force=True)
    except Exception as exc:  # the import is committed and queued; the index catches up
        out.error(
            f"the search index could not be updated now ({exc}); it catches up the next "
            "time the archive is opened or searched."
        )


def _show_report(report: Any, out: Output) -> None:
    """The import report: one line, then each conflict, offer and orphan."""
    if out.as_json:
        out.json(report.to_dict())
        return
    out.line(report.signed_by[:1].upper() + report.signed_by[1:] + ".")
    out.line(report.line())
    for c in report.conflicts:
        if c.get("deleted_here"):
            out.line(
                f"  conflict: you deleted {c['quote']!r}, they edited it since; theirs is "
                f"{c['incoming_copy'][:8]} (delete it if you do not keep it)."
            )
        elif c.get("deleted_there"):
            out.line(
                f"  conflict: they deleted {c['quote']!r}, you edited it since; yours "
                f"{c['local'][:8]} is kept (delete it if you agree)."
            )
        else:
            out.line(
                f"  conflict: {c['quote']!r} was edited on both sides; yours is "
                f"{c['local'][:8]}, theirs {c['incoming_copy'][:8]} (delete the one you do not "
                "keep)."
            )
    for e in report.entity_conflicts:
        out.line(
            f"  entity kept as yours: {e['local_name']!r} ({e['reason']}); theirs is named "
            f"{e['incoming_name']!r} (id {e['entity_id'][:8]})."
        )
    for o in report.entity_offers:
        out.line(
            f"  same name: {o['incoming_name']!r} may be your {o['local_name']!r}; "
            f"to merge: {o['merge']}"
        )
    for ann_id in report.orphaned:
        out.line(f"  orphaned: annotation {ann_id[:8]} (its quote is not in your copy's text)")


def cmd_contacts(args: argparse.Namespace, out: Output) -> int:
    from archive import keys

    rows = [
        {"name": c.name, "public_key": c.public_key, "fingerprint": c.fingerprint}
        for c in keys.contacts()
    ]
    if out.as_json:
        out.json(rows)
    elif not rows:
        out.line("No contacts yet. Add one with: sesame contacts add NAME KEY")
    for r in [] if out.as_json else rows:
        out.line(f"{r['name']:<24} {r['fingerprint']}")
    return EXIT_OK


def cmd_contacts_add(args: argparse.Namespace, out: Output) -> int:
    from archive import keys

    try:
        keys.parse_public_key(args.key)
    except InvalidInput as exc:
        raise UsageError(str(exc)) from exc  # a malformed argument: exit 2
    known = {c.name: c.public_key for c in keys.contacts()}
    contact = keys.add_contact(args.name, args.key, replace=args.replace)
    replaced = known.get(contact.name) not in (None, contact.public_key)
    doc = {
        "name": contact.name,
        "public_key": contact.public_key,
        "fingerprint": contact.fingerprint,
    }
    if out.as_json:
        out.json(doc)
    else:
        verb = "Replaced the key of" if replaced else "Added"
        out.line(f"{verb} {contact.name} (fingerprint {contact.fingerprint}).")
    return EXIT_OK


def cmd_contacts_remove(args: argparse.Namespace, out: Output) -> int:
    from archive import keys

    contact = keys.remove_contact(args.name)
    if out.as_json:
        out.json(
            {
                "name": contact.name,
                "public_key": contact.public_key,
                "fingerprint": contact.fingerprint,
            }
        )
    else:
        out.line(f"Removed {contact.name} (fingerprint {contact.fingerprint}).")
    return EXIT_OK


def _secrets(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--passphrase-file", metavar="F", help="the bundle's passphrase is the first line of F"
    )
    p.add_argument(
        "--identity", metavar="KEYFILE", help="an age identity file (default: your own key)"
    )


def register_commands(add: AddCommand) -> None:
    """Add the bundle commands and `contacts` to the `sesame` parser."""
    p = add("export-bundle", cmd_export_bundle, "write a signed .sesame bundle for a colleague")
    p.add_argument(
        "out",
        metavar="OUT",
        help="the bundle file to write (e.g. case.sesame; refused if it exists)",
    )
    add_force(
        p,
        failed="something failed (named in the output); OUT is left as it was, never half written",
        usage=", or a --passphrase-file that cannot be read or is empty",
    )
    add_selection(p)  # the same scope and pseudonym options as every export
    _json_help(p, "export-bundle")
    lock = p.add_mutually_exclusive_group()
    lock.add_argument("--passphrase-file", metavar="F", help="encrypt for the passphrase in F")
    lock.add_argument(
        "--recipient",
        metavar="KEY",
        action="append",
        help="encrypt for this age public key (age1..., repeatable)",
    )

    p = add(
        "verify-bundle",
        cmd_verify_bundle,
        "check a bundle's hashes, signature and signer without importing (exit 1 if refused)",
    )
    _json_help(p, "verify-bundle")
    p.add_argument("file", metavar="FILE")
    _secrets(p)

    p = add(
        "import-bundle",
        cmd_import_bundle,
        "verify a bundle, then merge it into the archive as one undoable change",
    )
    _json_help(p, "import-bundle")
    p.add_argument("file", metavar="FILE")
    _secrets(p)

    p = add("contacts", cmd_contacts, "colleagues whose public keys you know")
    _json_help(p, "contacts")
    sub = p.add_subparsers(metavar="ACTION")
    q = sub.add_parser("add", help="remember a colleague's public key under a name")
    q.add_argument("name", metavar="NAME")
    q.add_argument("key", metavar="KEY", help="their public key, as `sesame whoami` shows it")
    q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    q.add_argument("--archive", metavar="DIR", default=argparse.SUPPRESS)
    q.add_argument(
        "--replace",
        action="store_true",
        help="replace the key of a contact of that name (refused without it: exit 1)",
    )
    q.set_defaults(func=cmd_contacts_add)
    q = sub.add_parser("remove", help="forget a contact (exit 1 if none has that name)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    q.add_argument("--archive", metavar="DIR", default=argparse.SUPPRESS)
    q.set_defaults(func=cmd_contacts_remove)
