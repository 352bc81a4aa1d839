"""The `sesame` command line (DESIGN "Command line").

Every command is a thin layer over functions of `archive`. Exit status:
0 success, 1 the command ran but something failed, 2 usage error or an
archive that cannot be opened. With `--json` a command prints exactly one
JSON document on stdout.

This module and the parsers of `archive.commands` import nothing heavy at
the top: `sesame --help` and usage errors must answer in under 0.3 s, and
SQLAlchemy alone takes ~0.4 s to import (`python -X importtime -m archive.cli
--help`). The store, the models and the search index are imported inside the
functions that run a command. `tests/archive/test_cli_startup.py` holds this.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from archive.cli_passphrase import add_passphrase_options, cli_passphrases
from archive.errors import ArchiveError, BadIdPrefix, ConfigError, NotFound, SesameError
from archive.paths import default_archive_dir

if TYPE_CHECKING:
    from sqlmodel import Session

    from archive import models
    from archive.reader import Reader
    from archive.store import Archive

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class UsageError(SesameError):
    """Bad arguments (exit status 2)."""


# -- terminal safety -------------------------------------------------------------

# Escape sequences (CSI, OSC, DCS and the other string commands, two-character ESC
# commands), then any C0 control but tab and newline, DEL, and the C1 controls
# (U+0080-U+009F: U+009B is CSI on some terminals). Text from imported files must
# not set the terminal's title, move the cursor, or forge a line of a report.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI ... final byte
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC ... ST
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|[\x90\x9d\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit strings
    r"|\x1b[ -/]*[0-~]?"  # other ESC commands (charset, keypad, RIS...)
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1_JSON = re.compile(r"[\x7f-\x9f]")


def clean_terminal(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with escape sequences and control characters removed (tab and, unless told
    otherwise, newline kept; a carriage return removed, so a line cannot be overwritten)."""
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def one_line(text: str | None) -> str:
    """A title, name or source for one line of output: no controls, no line breaks."""
    return clean_terminal(text or "", keep_newlines=False)


def quoted(name: str) -> str:
    """A file name for a report: in quotes, with controls and line breaks escaped
    (a name holding a newline cannot forge a report line)."""
    return json.dumps(name, ensure_ascii=False).translate(_C1_ESCAPES)


_C1_ESCAPES = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


# -- output helpers ------------------------------------------------------------


class Output:
    """Where a command writes: JSON on stdout, or text for people."""

    def __init__(self, as_json: bool, stdout: TextIO, stderr: TextIO) -> None:
        self.as_json = as_json
        self.stdout = stdout
        self.stderr = stderr

    def json(self, document: Any) -> None:
        text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
        # JSON escapes C0 controls itself; C1 ones (raw with ensure_ascii=False) too.
        self.stdout.write(_C1_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
        self.stdout.write("\n")

    def line(self, text: str = "", *, styled: bool = False) -> None:
        """One line for people, with controls from imported text removed (`styled`: the
        caller cleaned the text and added its own escapes, such as bold)."""
        if not self.as_json:
            self.stdout.write((text if styled else clean_terminal(text)) + "\n")

    def error(self, text: str) -> None:
        self.stderr.write(f"sesame: {clean_terminal(text)}\n")

    def progress(self, label: str) -> TerminalProgress | None:
        """A progress bar on a terminal; None for --json or a pipe."""
        if self.as_json or not self.stderr.isatty():
            return None
        return TerminalProgress(label, self.stderr)


class TerminalProgress:
    """A one-line progress bar with count, rate and ETA, drawn on stderr."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.started = time.monotonic()
        self.last_draw = 0.0

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        now = time.monotonic()
        if now - self.last_draw < 0.1 and (total is None or done < total):
            return
        self.last_draw = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        if total:
            width = 24
            filled = int(width * min(done, total) / total)
            bar = "#" * filled + "." * (width - filled)
            eta = (total - done) / rate if rate > 0 else 0
            text = (
                f"\r{self.label} [{bar}] {done}/{total} {rate:.0f}/s "
                f"ETA {int(eta) // 60}:{int(eta) % 60:02d}"
            )
        else:
            text = f"\r{self.label} {done} {rate:.0f}/s"
        if message:
            text += f"  {one_line(message)[-40:]}"  # a file name: no controls
        self.stream.write(text.ljust(100)[:120])
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\r" + " " * 120 + "\r")
        self.stream.flush()


# -- shared pieces -------------------------------------------------------------


def archive_path(args: argparse.Namespace) -> Path:
    """The archive folder named by --archive, SESAME_ARCHIVE or the default."""
    if args.archive is None:
        return default_archive_dir()
    if not str(args.archive).strip():
        # Path("") is the current folder: never let an empty --archive pick one.
        raise UsageError("--archive needs a folder; it was given an empty one.")
    return Path(args.archive)


def open_archive(args: argparse.Namespace, *, write: bool, create: bool | None = None) -> Archive:
    """Open the command's archive: writers create it (unless `create=False`: a command
    that changes what is there must not make an empty archive when it fails, nor for a
    mistyped --archive), readers need it to exist."""
    from archive.store import Archive

    make = write if create is None else create and write
    return Archive.open(archive_path(args), create=make, readonly=not write)


def open_for_reading(args: argparse.Namespace) -> Archive | Reader:
    """Open the command's archive to read it: without the ORM when its format is current
    (`archive.reader.open_readable`: `list`, `show`), else read-only as usual (which
    migrates nothing and says why it cannot open)."""
    from archive.reader import open_readable

    reader = open_readable(archive_path(args))
    return reader if reader is not None else open_archive(args, write=False)


def find_article(session: Session, ident: str) -> models.Article:
    """An article by id, or by a unique id prefix (at least 6 characters): the rule of
    `archive.lookup.article_id` (a shortened id naming none or several is a usage error)."""
    from archive import models
    from archive.lookup import article_id, session_connection

    article = session.get(models.Article, ident)
    if article is None:
        article = session.get(models.Article, article_id(session_connection(session), ident))
    if article is None:  # pragma: no cover  (the lookup found it in this transaction)
        raise NotFound(f"No article with id {ident}. `sesame list` shows the ids.")
    return article


# -- commands ------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, out: Output) -> int:
    from archive.store import Archive

    path = archive_path(args)
    existed = (path / "archive.sqlite").exists()
    # --encrypt on an existing plain archive is refused: never a plain one when asked for
    # an encrypted one.
    with Archive.open(path, create=True, encrypt=args.encrypt) as archive:
        result = {
            "archive": str(archive.path),
            "archive_id": archive.archive_id,
            "created": not existed,
            "encrypted": archive.encrypted,
        }
    if out.as_json:
        out.json(result)
    else:
        verb = "Already an archive" if existed else "Created an archive"
        out.line(f"{verb}: {result['archive']}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, out: Output) -> int:
    from archive.commands.review import listing_filter
    from archive.library import list_articles

    with open_for_reading(args) as archive:
        rows = list_articles(archive, args.collection, review=listing_filter(args))
    if out.as_json:
        out.json(rows)
    else:
        for row in rows:
            date = row["published"] or "----------"
            source = one_line(row["source"])[:20]
            out.line(f"{row['id'][:8]}  {date:<10}  {source:<20}  {one_line(row['title'])}")
        out.line(f"{len(rows)} article(s)")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: Output) -> int:
    from archive.annotation_records import read_records
    from archive.library import LISTING_FIELDS
    from archive.lookup import article_id as find_article_id
    from archive.reading import capture_time, load_article, stored_time

    with open_for_reading(args) as archive:
        with archive.read_connection() as conn:
            article_id = find_article_id(conn, args.id)
        # What the reader reads; the annotations as `sesame annotations --json` gives them.
        article = load_article(archive, article_id, with_annotations=False)
        with archive.read_connection() as conn:
            records = read_records(conn, article_id)
            retracted = conn.execute(
                "SELECT retracted_at, retracted_reason FROM article WHERE id = ?", (article_id,)
            ).fetchone()
    fields = (
        *LISTING_FIELDS,
        "verification_note",
        "sensitive_reason",
        "published_precision",
        "imported_at",
        "parent_id",
        "text_origin",  # "ocr": machine-read from page images, with its confidence
        "ocr_confidence",
        "meta",
        "text",
    )
    doc: dict[str, Any] = {name: getattr(article, name) for name in fields}
    doc["annotations"] = [r.to_dict() for r in records]
    # A retracted article is out of the library and search, but shown by id: say so.
    doc["retracted_at"] = None if retracted[0] is None else stored_time(retracted[0])  # UTC
    doc["retracted_reason"] = retracted[1]
    if out.as_json:
        out.json(doc)
    else:
        out.line(one_line(doc["title"]))
        for key in (
            "source",
            "byline",
            "published",
            "url",
            "language",
            "imported_from",
            "captured_at",
            "collected_by",
            "collected_with",
            "collected_from",
        ):
            if doc[key]:
                out.line(f"  {key}: {one_line(str(doc[key]))}")
        if note := article.machine_read():
            out.line(f"  text: {note}")
        out.line(f"  id: {doc['id']}")
        from archive.commands.review import review_line, sensitive_lines, sensitive_mark

        out.line(f"  review: {review_line(doc)}")
        if doc["retracted_at"]:
            why = one_line(doc["retracted_reason"] or "")
            when = capture_time(doc["retracted_at"])  # "2024-03-05 10:00 UTC"
            out.line(f"  retracted: {when}, {why} (hidden from the library)")
        out.line()
        for line in sensitive_lines(doc):  # "[sensitive: reason] ..." before the text
            out.line(line)
        out.line(doc["text"])
        if doc["annotations"]:
            out.line()
            out.line(f"{len(doc['annotations'])} annotation(s):")
            for ann in doc["annotations"]:
                entity = f" -> {ann['entity']}" if ann["entity"] else ""
                out.line(
                    f"  [{ann['start']}-{ann['end']}] {ann['type']}{one_line(entity)}: "
                    f"{sensitive_mark(ann)}{one_line(ann['quote'])}"
                )
    return EXIT_OK


# -- parser --------------------------------------------------------------------

Command = Callable[[argparse.Namespace, Output], int]
# `add(name, func, help)` returns the new subcommand's parser.
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]


class _ArgumentError(Exception):
    """argparse found the command line wrong; carries its usage and message."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


# -- exit status, as every command's --help states it ----------------------------------

_EXIT_USAGE_HELP = (
    "a usage error{usage}, or an archive that cannot be opened (missing, locked, not an "
    "archive); nothing was changed"
)
_FAILED = "something failed (named in the output)"


def exit_status(parser: argparse.ArgumentParser, *, failed: str = "", usage: str = "") -> None:
    """Say in `parser`'s --help what exit status 1 means for its command (`failed`), and
    which of its mistakes are usage errors, exit status 2 (`usage`, after "a usage error")."""
    if isinstance(parser, _Parser):
        parser.exit_failed, parser.exit_usage = failed, usage


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that lets `main` report usage errors (as JSON with --json), and
    whose subcommands' --help ends with what their exit statuses mean."""

    exit_failed = ""  # what exit status 1 means for this command (`exit_status`)
    exit_usage = ""  # which of its mistakes are usage errors

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(self, message)

    def format_help(self) -> str:
        text = super().format_help()
        if " " not in self.prog:  # `sesame --help`: the module's docstring says it once
            return text
        import textwrap

        usage = self.exit_usage or " (a missing or malformed argument)"
        lines = ["exit status:", "  0  done"]
        for code, meaning in (
            (1, self.exit_failed or _FAILED),
            (2, _EXIT_USAGE_HELP.format(usage=usage)),
        ):
            lines.append(
                textwrap.fill(meaning, 79, initial_indent=f"  {code}  ", subsequent_indent="     ")
            )
        return text + "\n" + "\n".join(lines) + "\n"


def _is_usage(exc: SesameError) -> bool:
    """Whether an error is the command line's fault (exit status 2): bad arguments, a
    malformed search query, a shortened id naming no record or several, or an archive
    that cannot be opened."""
    if isinstance(exc, (ArchiveError, UsageError, ConfigError, BadIdPrefix)):
        return True
    # A query that cannot be parsed is a usage error; the search module is only
    # loaded (and its error only raised) by a command that searches.
    query = sys.modules.get("archive.search.query")
    return query is not None and isinstance(exc, query.QueryError)


class _Unbuilt:
    """What `add` gives a command module for a subcommand `build_parser(only=...)` leaves
    out: it takes every call and attribute a parser, group or action would, and keeps
    nothing (the modules' registration code runs as it is, only cheaper)."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self

    def __setattr__(self, name: str, value: Any) -> None:
        pass


# Options of `sesame` itself that take a value (the command is the first other word).
_VALUE_OPTIONS = frozenset({"--archive", "--passphrase-file", "--archive-passphrase-file"})


def command_word(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names, if it can be told without parsing: the first word that
    is not one of `sesame`'s own options (None for anything else: --help, a short or
    abbreviated option, no command)."""
    words = iter(argv)
    for word in words:
        if word == "--json":
            continue
        if word in _VALUE_OPTIONS:
            next(words, None)
            continue
        if word.split("=", 1)[0] in _VALUE_OPTIONS:
            continue
        return None if word.startswith("-") else word
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand; with `only`, that subcommand alone is
    built (the others are left out: building all ~50 took ~8 % of a cold `sesame
    search`, cProfile), or every one if no command has that name."""
    common = _Parser(add_help=False)
    # SUPPRESS lets the options stand before or after the subcommand.
    common.add_argument(
        "--archive",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="archive folder (default: $SESAME_ARCHIVE or the user data dir)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print one JSON document on stdout",
    )

    parser = _Parser(
        prog="sesame", description="Sesame: an offline evidence archive.", parents=[common]
    )
    add_passphrase_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    built: list[str] = []

    def add(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return cast("argparse.ArgumentParser", _Unbuilt())
        built.append(name)
        # "resolve": the bundle commands' own --passphrase-file (the bundle's) wins there.
        p = sub.add_parser(
            name,
            help=help_text,
            parents=[common],
            description=help_text,
            conflict_handler="resolve",
        )
        add_passphrase_options(p)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create an archive")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt the archive (SQLCipher, sealed index) under a passphrase: "
        "--passphrase-file F, SESAME_PASSPHRASE, or asked twice on a terminal",
    )

    p = add("list", cmd_list, "list the articles")
    p.add_argument("--collection", metavar="NAME")
    from archive.commands.review import add_listing_filters

    add_listing_filters(p)

    p = add("show", cmd_show, "show one article with its annotations")
    p.add_argument("id", metavar="ID")

    # The command modules import this one, so they are imported here rather than at the
    # top; this order is `sesame --help`'s. A new module is one more name on both lines.
    from archive.commands import (
        annotate,
        articles,
        audit,
        bundles,
        custody,
        exports,
        history,
        ingest,
        search,
        timeline,
    )

    for module in (ingest, search, custody, annotate, articles, bundles, exports, history, audit):
        module.register_commands(add)
    from archive.commands import notes as notes_commands
    from archive.commands import review as review_commands

    review_commands.register_commands(add)
    notes_commands.register_commands(add)
    timeline.register_commands(add)
    from archive.commands import roles as roles_commands

    roles_commands.register_commands(add)
    from archive.commands import qdpx as qdpx_commands

    qdpx_commands.register_commands(add)
    from archive.commands import passphrase as passphrase_commands

    passphrase_commands.register_commands(add)
    from archive.commands import keychange as keychange_commands

    keychange_commands.register_commands(add)
    from archive.commands import backup as backup_commands

    backup_commands.register_commands(add)
    from archive.commands import copies as copies_commands

    copies_commands.register_commands(add)
    from archive.commands import conflicts as conflicts_commands

    conflicts_commands.register_commands(add)
    if only is not None and not built:
        return build_parser()  # not a command: argparse says so, naming them all
    return parser


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line; returns the exit status."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser(only=command_word(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and --version exit 0
        return int(exc.code or 0)
    except _ArgumentError as exc:
        exc.parser.print_usage(stderr)
        words = list(argv) if argv is not None else sys.argv[1:]
        if "--json" in words:
            json.dump({"error": str(exc)}, stdout)
            stdout.write("\n")
        stderr.write(f"{exc.parser.prog}: error: {exc}\n")
        return EXIT_USAGE
    args.archive = getattr(args, "archive", None)
    args.json = getattr(args, "json", False)
    out = Output(args.json, stdout, stderr)
    if not getattr(args, "func", None):
        parser.print_help(stderr)
        return EXIT_USAGE
    try:
        func: Command = args.func
        with cli_passphrases(args, stderr):
            return func(args, out)
    except SesameError as exc:
        _report(out, exc)
        return EXIT_USAGE if _is_usage(exc) else EXIT_FAILED
    except KeyboardInterrupt:
        out.error("interrupted; what was committed before stays in the archive.")
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader went away (`sesame list | head`): not an error worth a traceback.
        if stdout is sys.stdout:
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # A folder that cannot be made or read (the config folder, an output path).
        where = f" {quoted(str(exc.filename))}" if exc.filename else ""
        _report(out, SesameError(f"cannot use{where}: {exc.strerror or exc}."))
        return EXIT_USAGE


def _report(out: Output, exc: Exception) -> None:
    if out.as_json:
        out.json({"error": str(exc)})
    out.error(str(exc))


if __name__ == "__main__":
    # `python -m archive.cli`: run the module the command modules import, not this copy of
    # it (`__main__`), whose parser classes theirs are not: `exit_status` found no
    # `_Parser` and every command's --help lost its own exit statuses.
    from archive.cli import main as _main

    sys.exit(_main())
