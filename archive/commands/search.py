"""`sesame search` and `sesame reindex` (issue 3); `sesame check` is in `commands.custody`.

A hit that shows something flagged sensitive (its article, or a flagged passage
its snippet overlaps) is marked "[sensitive: reason]" before its snippet, and in
`--json` each hit has `"sensitive"` (true or false) and `"sensitive_reason"`
(`archive.sensitive`), besides the keys of `SearchResults.to_json`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from archive.cli import (
    EXIT_OK,
    AddCommand,
    Output,
    UsageError,
    archive_path,
    one_line,
    open_archive,
)
from archive.errors import ArchiveLocked, ArchiveReadOnly

if TYPE_CHECKING:
    from archive.reader import Reader
    from archive.search.results import Hit
    from archive.store import Archive

QUERY_HELP = """query syntax:
  police Yangon              both words (AND is the default), any form: police, policing
  police OR army             either;  police NOT army  or  police -army: without
  "more than 600 police"     a phrase;  ရဲတပ်ဖွဲ့ဝင်  Burmese, Thai, Chinese words inside text
  polic*  pol?ce             wildcards;  polise~  fuzzy (one edit), polise~2 (two)
  title:  source:  byline:  lang:  collection:  tag:  actor:  event:  figure:  entity:  note:
  source:irrawaddy  actor:"Tin Min Tun"  tag:figure  lang:my  year:2021
  published:[2021-03-01 TO 2021-03-31]   published:2021-03
"""


def _open_for_search(args: argparse.Namespace) -> Archive | Reader:
    """Read-only without the ORM when the index is current (`archive.reader`); else open
    for writing so the index can catch up, read-only if another process holds it."""
    from archive.reader import open_current

    reader = open_current(archive_path(args))
    if reader is not None:
        return reader
    from archive.store import Archive

    try:
        return Archive.open(archive_path(args), create=False)
    except (ArchiveLocked, ArchiveReadOnly):
        return Archive.open(archive_path(args), readonly=True)


def _bold(text: str, tty: bool) -> str:
    from archive.search.snippets import MARK_CLOSE, MARK_OPEN

    if not tty:
        return text
    return text.replace(MARK_OPEN, "\x1b[1;33m").replace(MARK_CLOSE, "\x1b[0m")


def cmd_search(args: argparse.Namespace, out: Output) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1.")
    with _open_for_search(args) as archive:
        # The text output shows no facets: building their tables was ~28 % of a cold
        # search at 10,000 articles (cProfile), so only --json asks for them.
        results = archive.index.search(
            args.query, limit=args.limit, sort=args.sort, facets=out.as_json
        )
        flags = _sensitive_hits(archive, results.hits)
    if out.as_json:
        doc = results.to_json()
        for hit in doc["hits"]:
            hit["sensitive"], hit["sensitive_reason"] = flags.get(hit["id"], (False, ""))
        out.json(doc)
        return EXIT_OK
    tty = out.stdout.isatty()
    for hit in results.hits:
        date = hit.published or "----------"
        source = one_line(hit.source)[:24]
        out.line(f"{hit.id[:8]}  {date:<10}  {source:<24}  {one_line(hit.title)}")
        mark = ""
        if hit.id in flags:
            from archive.sensitive import marker

            mark = marker(one_line(flags[hit.id][1])) + " "
        if hit.snippet:
            # Cleaned before the bold escapes are added: only Sesame's own reach the terminal.
            out.line(f"    {mark}{_bold(one_line(hit.snippet), tty)}", styled=True)
        elif mark:
            out.line(f"    {mark.strip()}")
        out.line()
    shown = len(results.hits)
    more = f" (showing {shown}; --limit N for more)" if results.total > shown else ""
    out.line(f"{results.total_text()} found{more}")
    for note in results.notes:  # why the total is "at least"
        out.line(f"Note: {note}")
    if results.pending > 0:
        out.line(
            f"Note: {results.pending} article(s) changed recently are not in the search "
            "index yet (the archive is open elsewhere, or its index is being rebuilt)."
        )
    return EXIT_OK


def _sensitive_hits(archive: Archive | Reader, hits: list[Hit]) -> dict[str, tuple[bool, str]]:
    """The hits showing something flagged sensitive: (True, reason) by article id."""
    from archive.sensitive import read_sensitive, reasons

    if not hits:
        return {}
    with archive.read_connection() as conn:
        flagged = read_sensitive(conn, [h.id for h in hits])
    found = {}
    for hit in hits:
        if (what := flagged.get(hit.id)) is None:
            continue
        start, end = hit.snippet_start, hit.snippet_start + len(hit.snippet_text or hit.snippet)
        shown, why = reasons(what, what.within(start, end))
        if shown:
            found[hit.id] = (True, why)
    return found


def cmd_reindex(args: argparse.Namespace, out: Output) -> int:
    with open_archive(args, write=True, create=False) as archive:
        bar = out.progress("Reindexing")
        try:
            count = archive.index.rebuild(progress=bar)
        finally:
            if bar is not None:
                bar.finish()
    if out.as_json:
        out.json({"indexed": count})
    else:
        out.line(f"Reindexed {count} article(s).")
    return EXIT_OK


def register_commands(add: AddCommand) -> None:
    """Add search and reindex to the `sesame` command line."""
    p = add("search", cmd_search, "full-text search (fields, phrases, AND/OR/NOT, * ~ ranges)")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = QUERY_HELP
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="hits to show (20)")
    p.add_argument(
        "--sort", choices=("relevance", "date"), default="relevance", help="order of hits"
    )
    _query_may_start_with_minus(p)
    add("reindex", cmd_reindex, "rebuild the search index from the archive")


def _query_may_start_with_minus(p: argparse.ArgumentParser) -> None:
    """`sesame search -police` is the query "-police" (NOT police), not an unknown option.

    argparse took the word for an option and said "the following arguments are
    required: QUERY". A word starting with one '-' that is none of the command's
    options (nor an option's value) is moved after a "--", where it can only be
    the query.
    """
    known = p._option_string_actions
    parse = p.parse_known_args

    def parse_known_args(args: Any = None, namespace: Any = None) -> Any:
        if args is not None and "--" not in args:
            args = list(args)
            for i, word in enumerate(args):
                before = known.get(args[i - 1]) if i else None
                if before is not None and before.nargs != 0:
                    continue  # the value of the option before it (--limit -1)
                if word.startswith("-") and word[1:2] not in ("", "-") and word not in known:
                    args = args[:i] + args[i + 1 :] + ["--", word]
                    break
        return parse(args, namespace)

    setattr(p, "parse_known_args", parse_known_args)  # noqa: B010  (an instance's own)
