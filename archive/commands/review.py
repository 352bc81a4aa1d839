"""`sesame review`, `verify`, `verify-claim` and `flag`: review status, verification, sensitive.

- `sesame review ID [ID ...] --status STATUS [--assignee NAME]`: where articles
  stand (unread, in_review, reviewed, relevant, not_relevant) and who has them.
- `sesame verify ID [ID ...] --status STATUS [--note TEXT]`: an article's
  verification (unverified, corroborated, verified, disputed).
- `sesame verify-claim ANNOTATION --status STATUS [--note TEXT]`: the claim of one
  passage.
- `sesame flag ID --sensitive [--reason R]` / `--not-sensitive`: an article or a
  passage holds graphic content or personal data (the reader blurs it).

Ids are full ids or unique, literal id prefixes (6 characters or more). Each
command is one undoable change (`sesame undo`). `--json` prints the records
written: `[{"id", "title", "review_status", "assignee", "verification",
"verification_note", "sensitive", "sensitive_reason"}]` for articles,
`{"id", "article_id", "quote", "verification", "verification_note", "sensitive",
"sensitive_reason"}` for a passage.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from archive.cli import EXIT_OK, AddCommand, Output, UsageError, exit_status, one_line, open_archive

_STATUSES = "unread, in_review, reviewed, relevant, not_relevant"
_VERIFICATIONS = "unverified, corroborated, verified, disputed"
_USAGE = " (a status that is not one of the allowed ones, a missing option)"
_FAILED = "an id that names no article or annotation, or names several; nothing was changed"


def _checked(check: Callable[[str], str], value: str) -> str:
    """A status as stored; a value outside the vocabulary is a usage error (exit 2)."""
    from archive.errors import InvalidInput

    try:
        return check(value)
    except InvalidInput as exc:
        raise UsageError(str(exc)) from exc


def _articles(out: Output, records: list[Any], verb: str) -> int:
    if out.as_json:
        out.json([r.to_dict() for r in records])
        return EXIT_OK
    for r in records:
        out.line(f"{verb} {r.id[:8]}  {one_line(r.title)[:50]}: {_describe(r)}")
    return EXIT_OK


def _describe(r: Any) -> str:
    parts = []
    if hasattr(r, "review_status"):
        parts.append(
            r.review_status + (f", assigned to {one_line(r.assignee)}" if r.assignee else "")
        )
    parts.append(
        r.verification + (f" ({one_line(r.verification_note)[:60]})" if r.verification_note else "")
    )
    if r.sensitive:
        parts.append(
            "sensitive" + (f" ({one_line(r.sensitive_reason)})" if r.sensitive_reason else "")
        )
    return "; ".join(parts)


def cmd_review(args: argparse.Namespace, out: Output) -> int:
    from archive import review

    if args.status is None and args.assignee is None:
        raise UsageError("Give --status STATUS and/or --assignee NAME ('' clears the assignee).")
    status = _checked(review.review_status, args.status) if args.status is not None else None
    kwargs: dict[str, Any] = {"status": status}
    if args.assignee is not None:
        kwargs["assignee"] = args.assignee
    with open_archive(args, write=True, create=False) as archive:
        records = review.set_review(archive, args.ids, **kwargs)
    return _articles(out, records, "Reviewed")


def cmd_verify(args: argparse.Namespace, out: Output) -> int:
    from archive import review

    status = _checked(review.verification, args.status)
    with open_archive(args, write=True, create=False) as archive:
        records = review.verify_article(archive, args.ids, status, args.note)
    return _articles(out, records, "Verification of")


def cmd_verify_claim(args: argparse.Namespace, out: Output) -> int:
    from archive import review

    status = _checked(review.verification, args.status)
    with open_archive(args, write=True, create=False) as archive:
        record = review.verify_claim(archive, args.annotation, status, args.note)
    if out.as_json:
        out.json(record.to_dict())
    else:
        out.line(f"Claim {record.id[:8]} {one_line(record.quote)[:50]!r}: {_describe(record)}")
    return EXIT_OK


def cmd_flag(args: argparse.Namespace, out: Output) -> int:
    from archive import review

    if args.reason and not args.sensitive:
        raise UsageError("--reason goes with --sensitive.")
    with open_archive(args, write=True, create=False) as archive:
        record = review.flag(archive, args.id, args.sensitive, args.reason)
    if out.as_json:
        out.json(record.to_dict())
    elif isinstance(record, review.ArticleReview):
        out.line(f"Article {record.id[:8]} {one_line(record.title)[:50]!r}: {_describe(record)}")
    else:
        out.line(f"Passage {record.id[:8]} {one_line(record.quote)[:50]!r}: {_describe(record)}")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `review`, `verify`, `verify-claim` and `flag` to the `sesame` parser."""
    p = add("review", cmd_review, "set articles' review status and assignee")
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    p.add_argument("--status", metavar="STATUS", help=_STATUSES)
    p.add_argument("--assignee", metavar="NAME", help="who reviews them ('' clears it)")
    exit_status(p, failed=_FAILED, usage=_USAGE)

    p = add("verify", cmd_verify, "set articles' verification status and note")
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    p.add_argument("--status", metavar="STATUS", required=True, help=_VERIFICATIONS)
    p.add_argument("--note", metavar="TEXT", help="why ('' clears the note)")
    exit_status(p, failed=_FAILED, usage=_USAGE)

    p = add("verify-claim", cmd_verify_claim, "set a passage's claim verification and note")
    p.add_argument("annotation", metavar="ANNOTATION", help="annotation id (or unique prefix)")
    p.add_argument("--status", metavar="STATUS", required=True, help=_VERIFICATIONS)
    p.add_argument("--note", metavar="TEXT", help="why ('' clears the note)")
    exit_status(p, failed=_FAILED, usage=_USAGE)

    p = add("flag", cmd_flag, "mark an article or a passage sensitive (or not)")
    p.add_argument("id", metavar="ID", help="an article or annotation id (or unique prefix)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--sensitive", action="store_true", help="graphic content, personal data")
    which.add_argument("--not-sensitive", dest="sensitive", action="store_false")
    p.add_argument("--reason", metavar="R", help="e.g. graphic, personal")
    exit_status(p, failed=_FAILED, usage=_USAGE)


# -- `sesame list` and `sesame show` -----------------------------------------------------


def add_listing_filters(p: argparse.ArgumentParser) -> None:
    """`sesame list`'s review filters."""
    p.add_argument(
        "--status", metavar="STATUS", help=f"only articles with this status: {_STATUSES}"
    )
    p.add_argument("--assignee", metavar="NAME", help="only articles assigned to NAME")
    p.add_argument("--verification", metavar="STATUS", help=f"only: {_VERIFICATIONS}")
    p.add_argument(
        "--flag",
        choices=("sensitive", "not-sensitive"),
        help="only articles marked sensitive (themselves or a passage), or none of those",
    )


def listing_filter(args: argparse.Namespace) -> Any:
    """The `LibraryFilter` of `sesame list`'s review options, or None without any."""
    if not (args.status or args.assignee or args.verification or args.flag):
        return None
    from archive import review
    from archive.library import LibraryFilter

    return LibraryFilter(
        review_status=_checked(review.review_status, args.status) if args.status else "",
        assignee=" ".join(args.assignee.split()) if args.assignee else "",
        verification=_checked(review.verification, args.verification) if args.verification else "",
        sensitive=None if not args.flag else args.flag == "sensitive",
    )


def sensitive_lines(doc: dict[str, Any]) -> list[str]:
    """What `sesame show` prints before an article's text (`doc`: its --json) when the
    article or passages of it are flagged sensitive: "[sensitive: reason] ..." lines."""
    from archive.sensitive import marker

    lines = []
    if doc.get("sensitive"):
        lines.append(f"{marker(one_line(doc.get('sensitive_reason') or ''))} this article")
    for ann in doc.get("annotations") or []:
        if ann.get("sensitive"):
            mark = marker(one_line(ann.get("sensitive_reason") or ""))
            lines.append(f"{mark} the passage at {ann['start']}-{ann['end']}")
    return lines


def sensitive_mark(record: dict[str, Any]) -> str:
    """ "[sensitive: reason] " before a flagged record's quote (`sesame show`), else ""."""
    from archive.sensitive import marker

    if not record.get("sensitive"):
        return ""
    return marker(one_line(record.get("sensitive_reason") or "")) + " "


def review_line(doc: dict[str, Any]) -> str:
    """An article's review fields on one line (`sesame show`)."""
    parts = [doc["review_status"]]
    if doc.get("assignee"):
        parts.append(f"assigned to {one_line(doc['assignee'])}")
    note = f" ({one_line(doc['verification_note'])[:60]})" if doc.get("verification_note") else ""
    parts.append(doc["verification"] + note)
    if doc.get("sensitive"):
        reason = f" ({one_line(doc['sensitive_reason'])})" if doc.get("sensitive_reason") else ""
        parts.append("sensitive" + reason)
    return ", ".join(parts)
