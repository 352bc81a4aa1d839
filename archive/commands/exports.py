"""`sesame original` and `sesame export FORMAT`: the field's formats (issue 11), the graph (13).

Every export takes the same selection as bundles: the whole archive,
`--collection NAME`, `--query Q` or `--article ID` (repeatable), and
`--pseudonymise ENTITY` (repeatable) to replace protected names, and
`--without-sensitive` to leave out what is flagged sensitive (articles whole;
passages left out and masked in the text, see archive/exports/selection.py).
An output file that exists already is refused (exit 2, nothing written) unless
`--force` is given: a report or an original must not replace evidence unasked.

`--json` shapes:

- original -> {"path", "article_id", "sha256", "size", "media_type", "first_name"}
  (exit 1, nothing written, if the stored bytes do not match their SHA-256)
- export w3c -> {"path", "format", "articles", "annotations", "claims"} (claims: roles and
  relations, each a `linking` annotation on its passage)
- export csv -> {"path", "format", "kind", "articles", "rows"}
- export report -> {"path", "format", "articles", "annotations"} (one self-contained HTML file)
- export pdf -> {"path", "format", "articles", "annotations", "pages"} (the report as a PDF)
- export qdpx -> {"path", "format", "articles", "selections", "orphaned_left_out", "codes"}
- export gexf|graphml -> {"path", "format", "articles", "nodes", "edges", "roles", "relations"}
  (the relation graph of archive/exports/graph.py)
"""

from __future__ import annotations

import argparse
from typing import Any

from archive.cli import EXIT_OK, AddCommand, Output, exit_status, find_article, open_archive

FORMATS = ("w3c", "csv", "report", "pdf", "qdpx", "gexf", "graphml")


def refuse_existing(args: argparse.Namespace) -> None:
    """A `UsageError` when the file OUT exists and --force was not given (a folder is
    the exporters' to refuse: they name it, exit 1)."""
    import os

    from archive.cli import UsageError, quoted

    if not args.force and os.path.lexists(args.out) and not os.path.isdir(args.out):
        raise UsageError(
            f"{quoted(args.out)} already exists. Nothing was written: give another file name, "
            "or --force to replace it."
        )


def add_force(p: argparse.ArgumentParser, *, failed: str = "", usage: str = "") -> None:
    """--force, and the exit statuses' meaning in --help (`usage`: the command's own)."""
    p.add_argument("--force", action="store_true", help="replace OUT if it exists already")
    exit_status(
        p,
        failed=failed,
        usage=f" (OUT exists already and no --force was given{usage})",
    )


def cmd_original(args: argparse.Namespace, out: Output) -> int:
    from archive.exports.originals import save_original

    refuse_existing(args)
    with open_archive(args, write=False) as archive:
        with archive.session() as session:
            article_id = find_article(session, args.id).id
        saved = save_original(archive, article_id, args.out)
    if out.as_json:
        out.json(saved.to_dict())
    else:
        out.line(
            f"Wrote {saved.path}: {saved.size} bytes ({saved.media_type}), "
            f"SHA-256 {saved.sha256} as recorded."
        )
    return EXIT_OK


def selection_of(args: argparse.Namespace, archive: Any) -> Any:
    """The `Selection` the scope options name (article id prefixes resolved)."""
    from archive.exports.selection import Selection

    ids: tuple[str, ...] = ()
    if args.article:
        with archive.session() as session:
            ids = tuple(find_article(session, a).id for a in args.article)
    return Selection(
        collection=args.collection,
        query=args.query,
        article_ids=ids,
        pseudonymise=tuple(args.pseudonymise or ()),
        without_sensitive=bool(getattr(args, "without_sensitive", False)),
    )


def cmd_export(args: argparse.Namespace, out: Output) -> int:
    from archive.cli import UsageError

    if args.format != "csv" and (args.kind or args.bom):
        raise UsageError("--kind and --bom are options of `sesame export csv`.")
    if args.format not in ("report", "pdf") and args.title:
        raise UsageError("--title is an option of `sesame export report` and `pdf`.")
    refuse_existing(args)
    with open_archive(args, write=False) as archive:
        selection = selection_of(args, archive)
        bar = out.progress(f"Exporting {args.format}")
        try:
            if args.format == "w3c":
                from archive.exports.w3c import export_w3c

                result = export_w3c(archive, args.out, selection, progress=bar)
            elif args.format in ("gexf", "graphml"):
                from archive.exports.graph import export_graph

                result = export_graph(archive, args.out, selection, fmt=args.format, progress=bar)
            elif args.format == "qdpx":
                from archive.exports.qdpx import export_qdpx

                result = export_qdpx(archive, args.out, selection, progress=bar)
            elif args.format == "report":
                from archive.exports.report import export_report

                result = export_report(archive, args.out, selection, title=args.title, progress=bar)
            elif args.format == "pdf":
                from archive.exports.pdf import export_pdf

                result = export_pdf(archive, args.out, selection, title=args.title, progress=bar)
            else:
                from archive.exports.csv_export import export_csv

                result = export_csv(
                    archive,
                    args.out,
                    selection,
                    kind=args.kind or "annotations",
                    bom=args.bom,
                    progress=bar,
                )
        finally:
            if bar is not None:
                bar.finish()
    if out.as_json:
        out.json(result)
    elif args.format in ("gexf", "graphml"):
        out.line(
            f"Wrote {result['path']}: {result['nodes']} actor(s) and event(s), "
            f"{result['roles']} role(s), {result['relations']} relation(s) ({args.format})."
        )
    elif args.format == "qdpx":
        out.line(
            f"Wrote {result['path']}: {result['articles']} source(s), {result['selections']} "
            f"coded selection(s), {result['codes']} code(s), a REFI-QDA project."
        )
    elif args.format == "pdf":
        out.line(
            f"Wrote {result['path']}: {result['pages']} page(s), {result['annotations']} "
            f"annotation(s) of {result['articles']} article(s), a PDF report."
        )
    elif args.format in ("w3c", "report"):
        kind = "W3C Web Annotation JSON-LD" if args.format == "w3c" else "an HTML report"
        out.line(
            f"Wrote {result['path']}: {result['annotations']} annotation(s) of "
            f"{result['articles']} article(s), {kind}."
        )
    else:
        out.line(
            f"Wrote {result['path']}: {result['rows']} row(s) of {result['kind']} from "
            f"{result['articles']} article(s)."
        )
    return EXIT_OK


def add_selection(p: argparse.ArgumentParser) -> None:
    """The scope and pseudonym options every export takes."""
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--collection", metavar="NAME", help="only this collection")
    scope.add_argument("--query", metavar="Q", help="only the articles this search finds")
    scope.add_argument(
        "--article", metavar="ID", action="append", help="only this article (repeatable)"
    )
    p.add_argument(
        "--pseudonymise",
        metavar="ENTITY",
        action="append",
        help="replace this entity's names (id or name) by a pseudonym everywhere (repeatable)",
    )
    p.add_argument(
        "--without-sensitive",
        action="store_true",
        help="leave out articles flagged sensitive, and passages flagged sensitive (their "
        "text masked with █ in the articles kept)",
    )


def register_commands(add: AddCommand) -> None:
    """Add `original` and `export` to the `sesame` parser."""
    p = add(
        "original",
        cmd_original,
        "save the exact file an article was imported from (checked against its SHA-256)",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("out", metavar="OUT", help="the file to write (refused if it exists)")
    add_force(
        p,
        failed="no such article, or its stored bytes no longer match their SHA-256 "
        "(nothing written)",
    )

    p = add(
        "export",
        cmd_export,
        "export as W3C Web Annotation JSON-LD (w3c), CSV (csv), an HTML or PDF report "
        "(report, pdf), "
        "a REFI-QDA project (qdpx), or the relation graph for Gephi (gexf, graphml)",
    )
    p.add_argument("format", choices=FORMATS, metavar="FORMAT", help=", ".join(FORMATS))
    p.add_argument("out", metavar="OUT", help="the file to write (refused if it exists)")
    add_force(p, usage=", an option of another format")
    add_selection(p)
    p.add_argument(
        "--kind",
        choices=("annotations", "figures", "entities", "roles", "relations"),
        help="csv: one row per annotation (default), figure claim, entity, role or relation",
    )
    p.add_argument("--bom", action="store_true", help="csv: start with a UTF-8 byte-order mark")
    p.add_argument("--title", metavar="TEXT", help="report, pdf: its heading")
