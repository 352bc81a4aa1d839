"""`sesame import` and `sesame collections` (DESIGN "Command line")."""

from __future__ import annotations

import argparse
import math
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from archive.cli import (
    EXIT_FAILED,
    EXIT_OK,
    AddCommand,
    Output,
    UsageError,
    find_article,
    one_line,
    open_archive,
    quoted,
)
from archive.tasks import CancelToken

if TYPE_CHECKING:
    from archive import collections as colls
    from archive.store import Archive

# For the help text only (importing archive.ingest costs ~0.5 s); equal to
# archive.ingest.DEFAULT_MAX_BYTES, which tests/archive/test_cli_startup.py checks.
DEFAULT_MAX_MB = 50


@contextmanager
def _ctrl_c_cancels(token: CancelToken) -> Iterator[None]:
    """Ctrl+C stops the import between two files; what was done is kept."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _handler(_signum: int, _frame: Any) -> None:
        token.cancel()

    previous = signal.signal(signal.SIGINT, _handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_import(args: argparse.Namespace, out: Output) -> int:
    if args.max_size is not None and not (math.isfinite(args.max_size) and args.max_size > 0):
        raise UsageError("--max-size must be a positive number of megabytes.")
    import os.path

    from archive.cli import quoted as _quoted

    if not any(os.path.lexists(path) for path in args.paths):
        # Checked before the archive is opened: a mistyped path makes no empty archive.
        names = ", ".join(_quoted(str(path)) for path in args.paths)
        raise UsageError(
            f"Nothing to import: no such file or folder: {names}. No archive was made or changed."
        )
    from archive.identity import local_identity
    from archive.ingest import DEFAULT_MAX_BYTES, import_paths
    from archive.provenance import Provenance

    # Before the archive is opened (or made): a broken identity is one clear error, not
    # the same failure once per file.
    local_identity()

    max_bytes = int(args.max_size * 1024 * 1024) if args.max_size else DEFAULT_MAX_BYTES
    ocr_languages = _ocr_languages(args.ocr_lang)
    token = CancelToken()
    bar = out.progress("Importing")
    with open_archive(args, write=True) as archive, _ctrl_c_cancels(token):
        try:
            result = import_paths(
                archive,
                args.paths,
                collection=args.collection,
                progress=bar,
                cancel=token,
                max_bytes=max_bytes,
                index=not args.no_index,
                ocr_languages=ocr_languages,
                provenance=Provenance(args.collected_by, args.collected_with, args.collected_from),
                follow_links=args.follow_links,
                shared=False,  # this process holds the write lock: no one waits on it
            )
        finally:
            if bar is not None:
                bar.finish()
    if out.as_json:
        out.json(result.to_json())
    else:
        files_ok = len({item.path for item in result.imported})
        out.line(
            f"Imported {len(result.imported)} article(s) from {files_ok} file(s); "
            f"{len(result.duplicates)} duplicate(s) already in the archive; "
            f"{len(result.failed)} failed."
        )
        if result.failed:
            out.line("Failed:")
            for failure in result.failed:
                # Quoted: a name holding a newline cannot forge a line of this report.
                out.line(f"  {quoted(str(failure.path))}: {one_line(str(failure.error))}")
        for warning in result.warnings:
            out.line(f"Note: {warning}")
        if result.cancelled:
            out.line("Cancelled: the files not reached were not imported; run it again to go on.")
    if result.cancelled:
        out.error("import cancelled")
    return EXIT_FAILED if result.failed or result.cancelled else EXIT_OK


def _ocr_languages(given: str | None) -> str | None:
    """`--ocr-lang` checked against Tesseract's installed data (None: the archive's own)."""
    if given is None:
        return None
    from archive.ingest import ocr

    try:
        return ocr.check_languages(given)
    except ocr.UnknownLanguage as exc:
        raise UsageError(f"--ocr-lang: {exc}.") from exc
    except ocr.OcrUnavailable:
        # Each scan then fails with what to install; the other files still go in.
        return given.replace(",", "+")


def cmd_collections(args: argparse.Namespace, out: Output) -> int:
    from archive import collections as colls

    action: str = args.action
    names: list[str] = args.names
    needs = {"list": 0, "create": 1, "rename": 2, "delete": 1, "add": 2, "remove": 2}
    if len(names) < needs[action] or (
        action in ("create", "rename", "delete") and len(names) != needs[action]
    ):
        raise UsageError(_COLLECTION_USAGE)
    if action == "list":
        with open_archive(args, write=False) as archive:
            rows = colls.list_collections(archive)
        if out.as_json:
            out.json([_collection_dict(c) for c in rows])
        else:
            for c in rows:
                out.line(f"{c.id[:8]}  {c.article_count:>6}  {c.name}")
            out.line(f"{len(rows)} collection(s)")
        return EXIT_OK
    with open_archive(args, write=True) as archive:
        document: dict[str, Any]
        if action == "create":
            info = colls.create_collection(archive, names[0], args.description or "")
            document, text = _collection_dict(info), f"Created collection {info.name!r}."
        elif action == "rename":
            info = colls.rename_collection(archive, names[0], names[1])
            document, text = _collection_dict(info), f"Renamed to {info.name!r}."
        elif action == "delete":
            info = colls.get_collection(archive, names[0])
            colls.delete_collection(archive, names[0])
            document = {"deleted": info.id}
            text = f"Deleted collection {info.name!r}; its articles stay in the archive."
        else:
            change: Callable[..., int] = (
                colls.add_articles if action == "add" else colls.remove_articles
            )
            ids = [_full_id(archive, ident) for ident in names[1:]]
            count = change(archive, names[0], ids)
            document = {"changed": count}
            verb = "Added" if action == "add" else "Removed"
            text = f"{verb} {count} article(s)."
    if out.as_json:
        out.json(document)
    else:
        out.line(text)
    return EXIT_OK


def _full_id(archive: Archive, ident: str) -> str:
    with archive.session() as session:
        return find_article(session, ident).id


def _collection_dict(info: colls.CollectionInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "description": info.description,
        "articles": info.article_count,
    }


_COLLECTION_USAGE = (
    "usage: sesame collections [list] | create NAME [--description TEXT] | rename NAME NEW | "
    "delete NAME | add NAME ID... | remove NAME ID..."
)


def register_commands(add: AddCommand) -> None:
    """Add `import` and `collections` to the `sesame` parser."""
    p = add("import", cmd_import, "import files or folders (recursively)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--collection", metavar="NAME", help="put the articles in this collection")
    p.add_argument(
        "--max-size",
        type=float,
        metavar="MB",
        help=f"skip files larger than this (default {DEFAULT_MAX_MB} MB)",
    )
    p.add_argument("--collected-by", metavar="NAME", help="who collected the files (default: you)")
    p.add_argument(
        "--collected-with",
        metavar="TOOL",
        help="the tool that collected them (default: a capture's own tool, else 'Sesame import')",
    )
    p.add_argument(
        "--collected-from",
        metavar="WHERE",
        help="the URL, device or place they came from (default: a capture's URL)",
    )
    p.add_argument(
        "--ocr-lang",
        metavar="LANGS",
        help="Tesseract languages for scans and images, e.g. eng, mya or eng+mya "
        "(default: the archive's languages, else eng)",
    )
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="follow symbolic links that lead out of an imported folder (skipped by default)",
    )
    p.add_argument(
        "--no-index",
        action="store_true",
        help="do not update the search index now (it catches up when next opened)",
    )

    p = add("collections", cmd_collections, "list or change collections")
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "create", "rename", "delete", "add", "remove"],
    )
    p.add_argument("names", nargs="*", metavar="ARG", help="collection name/id, then article ids")
    p.add_argument("--description", metavar="TEXT", help="description for `create`")
