"""`sesame article edit|retract|restore|show-record`: correct an article's record, retract it.

`--json` shape: the article's record {"id", "title", "source", "byline",
"published", "published_precision", "url", "language", "retracted",
"retracted_reason", "captured_at", "collected_by", "collected_with",
"collected_from"}. Each change is one undoable step (`sesame undo`).
"""

from __future__ import annotations

import argparse

from archive.cli import EXIT_OK, AddCommand, Output, UsageError, open_archive


def _reply(out: Output, record: object, text: str) -> int:
    if out.as_json:
        out.json(record.to_dict())  # type: ignore[attr-defined]
    else:
        out.line(text)
    return EXIT_OK


def cmd_article_edit(args: argparse.Namespace, out: Output) -> int:
    from archive.articles import EDITABLE, edit_article

    fields = {k: getattr(args, k) for k in EDITABLE if getattr(args, k, None) is not None}
    if not fields:
        raise UsageError(
            "Give what to correct, e.g. sesame article edit ID --source 'The Irrawaddy'."
        )
    if fields.get("captured_at"):
        from archive.errors import InvalidInput
        from archive.provenance import check_timestamp

        try:  # a malformed time is the command line's fault: exit 2, like a bad option
            check_timestamp(fields["captured_at"])
        except InvalidInput as exc:
            raise UsageError(str(exc)) from exc
    with open_archive(args, write=True, create=False) as archive:
        record = edit_article(archive, args.id, **fields)
    return _reply(out, record, f"Corrected {record.title!r} ({record.id[:8]}).")


def cmd_article_retract(args: argparse.Namespace, out: Output) -> int:
    from archive.articles import retract_article

    with open_archive(args, write=True, create=False) as archive:
        record = retract_article(archive, args.id, args.reason)
    return _reply(
        out,
        record,
        f"Retracted {record.title!r}: hidden from the library and search; its annotations "
        "and original are kept (sesame article restore ID brings it back).",
    )


def cmd_article_restore(args: argparse.Namespace, out: Output) -> int:
    from archive.articles import restore_article

    with open_archive(args, write=True, create=False) as archive:
        record = restore_article(archive, args.id)
    return _reply(out, record, f"Restored {record.title!r}.")


def register_commands(add: AddCommand) -> None:
    """Add `article edit|retract|restore` to the `sesame` parser."""
    p = add("article", lambda a, o: _usage(), "correct an article's record, or retract it")
    sub = p.add_subparsers(metavar="ACTION")

    def action(name: str, func: object, help_text: str) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=help_text, description=help_text)
        q.add_argument("--archive", metavar="DIR", default=argparse.SUPPRESS)
        q.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        q.add_argument("id", metavar="ID", help="the article's id (or a unique prefix)")
        q.set_defaults(func=func)
        return q

    q = action(
        "edit",
        cmd_article_edit,
        "correct title, source, byline, date, URL, language, provenance",
    )
    q.add_argument("--title")
    q.add_argument("--source", help="the publication ('' clears it)")
    q.add_argument("--byline")
    q.add_argument("--published", metavar="DATE", help="2021-03-05, 2021-03 or 2021 ('' clears)")
    q.add_argument(
        "--precision",
        dest="published_precision",
        choices=("day", "month", "year", "unknown"),
        help="how precise the date is (default: from its form)",
    )
    q.add_argument("--url")
    q.add_argument("--language", metavar="CODE", help="e.g. en, my")
    q.add_argument(
        "--captured-at",
        metavar="TIME",
        help="when it was captured, ISO 8601 (2024-03-05T10:00:00Z; stored as UTC; '' clears)",
    )
    q.add_argument("--collected-by", metavar="NAME", help="who collected it")
    q.add_argument("--collected-with", metavar="TOOL", help="the tool: auto-archiver, Hunchly, …")
    q.add_argument("--collected-from", metavar="WHERE", help="the URL, device or place")
    q = action("retract", cmd_article_retract, "hide from the library and search, keep everything")
    q.add_argument("--reason", required=True, help="why (recorded in the audit log)")
    action("restore", cmd_article_restore, "bring a retracted article back")


def _usage() -> int:
    raise UsageError("usage: sesame article (edit|retract|restore) ID ...")
