"""`sesame check`: the custody check (integrity, originals, rows against the audit log, the
audit chain and its signed checkpoint) and the search index against the database.

Exit 0 when everything holds, 1 naming what does not. Warnings (what cannot
be vouched for, such as entries written by a session still open elsewhere)
are printed but do not fail the check, nor do links of case notes that point
nowhere (named here once, not at every read of the notes; `--json`:
`"broken_note_links": [{"collection", "kind", "ref", "problem"}]`). Evidence is
never repaired; only the search index, which is derived, may be rebuilt
(`--repair-index`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from archive.cli import EXIT_FAILED, EXIT_OK, AddCommand, Output, archive_path
from archive.errors import ArchiveLocked, ArchiveReadOnly

if TYPE_CHECKING:
    from archive.index_check import IndexCheck
    from archive.store import Archive


def _open(args: argparse.Namespace) -> tuple[Archive, str | None, bool]:
    """(archive, why it is read-only or None, whether another process has it open)."""
    from archive.store import Archive

    path = archive_path(args)
    try:
        return Archive.open(path, create=False), None, False
    except ArchiveLocked:
        archive = Archive.open(path, readonly=True)
        return archive, "it is open for writing in another window or command", True
    except ArchiveReadOnly as exc:
        archive = Archive.open(path, readonly=True)
        return archive, str(exc.reason), False


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    from archive import notes
    from archive.custody import check_custody
    from archive.index_check import check_index

    if args.originals:
        return _check_originals(args, out)
    archive, readonly_reason, elsewhere = _open(args)
    with archive:
        report = check_custody(archive, open_elsewhere=elsewhere)
        # The window's Check archive… runs the same comparison (archive.index_check).
        index = check_index(
            archive,
            report,
            readonly_reason=readonly_reason,
            elsewhere=elsewhere,
            repair=args.repair_index,
        )
        broken = [
            {"collection": name, "kind": link.kind, "ref": link.ref, "problem": link.problem}
            for name, link in notes.broken_links(archive)
        ]
    ok = report.ok and index.ok
    doc = report.to_json() | {
        "ok": ok,
        "archive": str(archive.path),
        "read_only": readonly_reason,
        "index": index.to_json(),
        "index_repaired": index.repaired,
        "broken_note_links": broken,
    }
    if out.as_json:
        out.json(doc)
        return EXIT_OK if ok else EXIT_FAILED
    _print(out, archive, report, index, readonly_reason)
    _print_broken_links(out, broken)
    return EXIT_OK if ok else EXIT_FAILED


def _print_broken_links(out: Output, broken: list[dict[str, str]]) -> None:
    """Case notes' links that point nowhere: kept as written, named (they fail nothing)."""
    from archive.cli import one_line, quoted

    if not broken:
        return
    out.line()
    out.line(
        f"Case notes: {len(broken)} link(s) point nowhere (kept as written; fix them "
        "with `sesame notes COLLECTION --set FILE` or Collections → Case notes…):"
    )
    for link in broken:
        out.line(
            f"  - {quoted(link['collection'])}: sesame:{link['kind']}/{one_line(link['ref'])} "
            f"({link['problem']})"
        )


def _print(
    out: Output,
    archive: Archive,
    report: Any,
    index: IndexCheck,
    readonly_reason: str | None,
) -> None:
    from archive.cli import quoted

    counts = report.counts
    out.line(f"Custody check of {quoted(str(archive.path))}")
    if readonly_reason:
        out.line(f"  opened read-only: {readonly_reason}")
    out.line(
        f"  {counts.get('originals', 0)} original(s) re-hashed, {counts.get('rows', 0)} "
        f"row(s) compared with the audit log, {counts.get('audit_entries', 0)} audit "
        f"entries checked (signed checkpoint at entry {counts.get('checkpoint_seq', 0)})"
    )
    if counts.get("unverified_rows"):
        out.line(
            f"  {counts['unverified_rows']} row(s) came in bundle imports whose record has "
            "expired: present, not vouched for"
        )
    for line in index.lines():
        out.line(f"  {line}")
    fails = [f for f in report.findings if f.severity == "fail"]
    warns = [f for f in report.findings if f.severity != "fail"]
    if fails:
        out.line()
        out.line(f"Does not hold ({len(fails)}):")
        for finding in fails:
            out.line(f"  - {finding.message}")
    if warns:
        out.line()
        out.line(f"Cannot be vouched for ({len(warns)}):")
        for finding in warns:
            out.line(f"  - {finding.message}")
    out.line()
    if not index.ok:
        out.line(
            "The search index disagrees with the archive: run `sesame reindex` "
            "(or `sesame check --repair-index`)."
        )
    elif index.report is not None and index.report.ok:
        out.line("The search index agrees with the archive.")
    # (Else it is only behind an archive open read-only: the warning above says so.)
    if fails:
        out.line(
            f"{len(fails)} thing(s) do not hold. Nothing was changed: keep this archive as "
            "it is, and compare it with a backup or the bundles you received."
        )
    else:
        out.line("The archive holds: every original, row and audit entry checked agrees.")


def _check_originals(args: argparse.Namespace, out: Output) -> int:
    """`sesame check --originals`: fixity alone, its time and result recorded."""
    from archive import fixity
    from archive.cli import quoted

    archive, readonly_reason, _elsewhere = _open(args)
    with archive:
        bar = out.progress("Re-hashing originals")
        result = fixity.check_originals(archive, progress=bar or _lines(out))
        if bar is not None:
            bar.finish()
        recorded = readonly_reason is None
        if recorded:
            fixity.record(archive, result)
    if out.as_json:
        out.json(result.to_json() | {"archive": str(archive.path), "recorded": recorded})
        return EXIT_OK if result.ok else EXIT_FAILED
    out.line(f"Fixity check of {quoted(str(archive.path))} at {result.at[:19]}Z")
    for item in result.broken:
        out.line(f"  - {item.message()}")
    out.line(result.summary())
    if not recorded:
        out.line(f"(Not recorded as the last run: {readonly_reason}.)")
    if result.broken:
        out.line(
            "Nothing was changed: keep this archive as it is, and compare it with a backup "
            "or the bundles you received."
        )
    return EXIT_OK if result.ok else EXIT_FAILED


def _lines(out: Output) -> Any:
    """Progress for a pipe or a log: a line on stderr every 1,000 originals."""

    def progress(done: int, total: int | None, _name: str = "") -> None:
        if done and total and total >= 1000 and (done % 1000 == 0 or done == total):
            out.stderr.write(f"sesame: {done}/{total} original(s) re-hashed\n")

    return progress


def register_commands(add: AddCommand) -> None:
    """Add `check` to the `sesame` command line."""
    p = add(
        "check",
        cmd_check,
        "custody check: integrity, originals, rows against the audit log, the signed "
        "audit log, the search index",
    )
    p.add_argument(
        "--originals",
        action="store_true",
        help="fixity only: re-hash every original (fast) and record when it ran; exit 1 "
        "naming each original (and its articles) whose bytes no longer match",
    )
    p.add_argument(
        "--repair-index",
        action="store_true",
        help="rebuild the search index if it disagrees (evidence itself is never repaired)",
    )
