"""`sesame import-qdpx FILE`: a REFI-QDA project (.qdpx) or codebook (.qdc) from another tool.

`--json` shape: {"path", "project", "origin", "change_id", "added": {kind: n},
"unchanged": {kind: n}, "reanchored", "crlf_sources", "utf16_sources",
"not_placed": [{"what", "reason"}]};
kinds are users, tag_types, entities, originals, articles, annotations, collections,
collection_members. Exit 1 (nothing imported) for a file that cannot be read.
"""

from __future__ import annotations

import argparse

from archive.cli import EXIT_OK, AddCommand, Output, open_archive


def cmd_import_qdpx(args: argparse.Namespace, out: Output) -> int:
    from archive.ingest.qdpx import read_project
    from archive.ingest.qdpx_import import import_project

    project = read_project(args.file)  # read (and refused) before the archive is opened
    with open_archive(args, write=True) as archive:
        bar = out.progress("Importing")
        try:
            report = import_project(archive, project, str(args.file), progress=bar)
        finally:
            if bar is not None:
                bar.finish()
    if out.as_json:
        out.json(report.to_dict())
        return EXIT_OK
    out.line(report.line())
    for item in report.not_placed[:20]:
        out.line(f"  not placed: {item['what']}: {item['reason']}")
    if len(report.not_placed) > 20:
        out.line(f"  … and {len(report.not_placed) - 20} more (--json lists them all)")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add `import-qdpx` to the `sesame` parser."""
    p = add(
        "import-qdpx",
        cmd_import_qdpx,
        "import a REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, "
        "QualCoder: sources become articles, codes tag types and entities, coded passages "
        "annotations (one undoable change; a second import adds nothing)",
    )
    p.add_argument("file", metavar="FILE", help="the .qdpx or .qdc file")
