"""Import files and folders into an archive (issue 2, DESIGN "Data model").

Each file gets exactly one result: imported (one or more articles),
duplicate (its exact bytes are already in the archive) or failed (with a
reason a person can act on). One bad file never stops the others.

Work is written in batches, one transaction per batch: the original bytes,
the articles, their collection membership, the search-index queue entries
and the audit entries of a batch are committed together or not at all. A
cancelled import stops between files and commits what it has done.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import text as sql

from archive import copies
from archive.changes import Change
from archive.collections import add_articles, ensure_collection
from archive.ingest import sandbox
from archive.ingest.errors import UnreadableFile
from archive.ingest.metadata import detect_language
from archive.ingest.parsed import KNOWN_ORIGINALS, ParsedArticle
from archive.ingest.readers import READERS, SUPPORTED_EXTENSIONS, Reader, extension_of
from archive.ingest.scans import NeedsOcr, ScanReader
from archive.models import Article, ArticleCollection, Original, new_id, utcnow
from archive.provenance import PLAIN_IMPORT, Provenance
from archive.store import Archive
from archive.tasks import Cancelled, CancelToken, ProgressFn, report

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# The longest text one article may have: about 2,500 printed pages. One article
# of 54 million characters (a 50 MB .txt) held the import for minutes at 2.7 GB
# (the index, copies and snippets all work on one text), and every search that
# hit it took half a minute; such a file is refused with the way out named.
MAX_ARTICLE_CHARS = 5_000_000
BATCH_FILES = 200
BATCH_BYTES = 20 * 1024 * 1024
# A batch's write transaction aims at about this long, so that a tag made in
# the window (which waits for SQLite's write lock) waits little: the batch
# size shrinks after a slow commit and grows back after quick ones.
BATCH_SECONDS = 0.1
_MIN_BATCH_FILES = 5
_ATTACHMENT_DEPTH = 3


@dataclass(frozen=True)
class ImportedItem:
    """An article that was added."""

    id: str
    title: str
    path: str


@dataclass(frozen=True)
class Duplicate:
    """A file whose exact bytes were already in the archive (as article `id`)."""

    path: str
    id: str


@dataclass(frozen=True)
class Failure:
    """A file that was not imported, and why."""

    path: str
    error: str


@dataclass
class ImportReport:
    """What happened to every file of an import."""

    imported: list[ImportedItem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    cancelled: bool = False
    files: int = 0  # files looked at
    warnings: list[str] = field(default_factory=list)  # not failures: e.g. index lagging

    def to_json(self) -> dict[str, list[dict[str, str]]]:
        """The document `sesame import --json` prints (DESIGN "Command line")."""
        return {
            "imported": [{"id": i.id, "title": i.title, "path": i.path} for i in self.imported],
            "duplicates": [{"path": d.path, "id": d.id} for d in self.duplicates],
            "failed": [{"path": f.path, "error": f.error} for f in self.failed],
        }


@dataclass
class _Prepared:
    """A file read and parsed, waiting for its batch to be written."""

    label: str  # path as reported
    name: str  # file name, for Article.imported_from
    sha256: str
    media_type: str
    data: bytes
    store_original: bool
    articles: list[ParsedArticle]
    ids: list[str]
    parent_id: str | None = None
    children: list[_Prepared] = field(default_factory=list)

    def size(self) -> int:
        return len(self.data) + sum(child.size() for child in self.children)


class _Importer:
    def __init__(
        self,
        archive: Archive,
        collection: str | None,
        max_bytes: int,
        index: bool,
        result: ImportReport,
        label: str = "Import",
        provenance: Provenance | None = None,
    ) -> None:
        self.archive = archive
        self.provenance = (provenance or Provenance()).cleaned()
        if self.provenance.collected_by is None:
            from archive.identity import local_identity

            self.provenance = Provenance(
                local_identity().display_name,
                self.provenance.collected_with,
                self.provenance.collected_from,
            )
        # Every batch is a change of one group: the whole import undoes as one step.
        self.label = label
        self.group = new_id()
        # Copies of one story are grouped in each batch's own change (issue 14).
        self.copies = copies.ImportCopies()
        self.max_bytes = max_bytes
        self.scans = ScanReader(archive)  # OCR of scans and images
        self.sandbox: sandbox.Sandbox | None = None  # the worker that reads the files
        self.index = index
        self.result = result
        self.pending: list[_Prepared] = []
        self.pending_bytes = 0
        self.pending_duplicates: list[str] = []  # existing article ids to add to the collection
        self.batch_files = BATCH_FILES
        # Whether other writers may wait on this import's commits (see `import_paths`).
        self.shared = True
        self.collection_id = None
        if collection:
            with self._change() as ch:
                self.collection_id = ensure_collection(ch, collection)
        # sha256 -> ids of the articles made from those bytes, loaded once: an
        # import checks every file against it.
        self.known: dict[str, list[str]] = {}
        self.originals: set[str] = set()
        with archive.engine.connect() as conn:
            for sha, article_id in conn.execute(
                sql(
                    "SELECT original_sha256, id FROM article "
                    "WHERE original_sha256 IS NOT NULL ORDER BY rowid"
                )
            ):
                self.known.setdefault(sha, []).append(article_id)
            self.originals = {row[0] for row in conn.execute(sql("SELECT sha256 FROM original"))}

    # -- reading -------------------------------------------------------------------

    def import_file(self, path: Path, label: str) -> None:
        """Read one file and queue it (or record its duplicate / failure)."""
        try:
            if not path.is_file():  # a pipe or device would block or never end
                raise UnreadableFile("not a regular file (a pipe, device or socket): skipped")
            size = path.stat().st_size
            if size == 0:
                raise UnreadableFile("empty file (0 bytes)")
            if size > self.max_bytes:
                raise UnreadableFile(
                    f"file is larger than the import limit of {_megabytes(self.max_bytes)} "
                    f"({_megabytes(size)}); raise the limit to import it "
                    "(sesame import --max-size MB)"
                )
            data = path.read_bytes()
        except UnreadableFile as exc:
            self.result.failed.append(Failure(label, str(exc)))
            return
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.result.failed.append(Failure(label, f"cannot be read: {reason}"))
            return
        prepared = self._prepare(data, path.name, label, None, depth=0)
        if prepared is not None:
            self.pending.append(prepared)
            self.pending_bytes += prepared.size()

    def _read(self, extension: str, reader: Reader, data: bytes, name: str) -> list[ParsedArticle]:
        """What the reader for `extension` makes of a file, read in the import's worker
        process (`archive.ingest.sandbox`: memory and time limits, killed on cancel);
        a scan or an image is read page by page by OCR."""
        if len(data) > self.max_bytes:
            raise UnreadableFile(f"larger than the import limit of {_megabytes(self.max_bytes)}")
        try:
            if self.sandbox is None:
                return reader(data, name)
            return self.sandbox.read(extension, data, name, self.scans.cancel, self.known)
        except NeedsOcr:
            return self.scans.read(data, name)

    def _prepare(
        self, data: bytes, name: str, label: str, parent_id: str | None, depth: int
    ) -> _Prepared | None:
        sha = hashlib.sha256(data).hexdigest()
        existing = self.known.get(sha)
        if existing:
            if parent_id is None:
                self.result.duplicates.extend(Duplicate(label, aid) for aid in existing)
                self.pending_duplicates.extend(existing)
            return None
        extension = extension_of(name)
        if extension not in READERS:
            self.result.failed.append(Failure(label, _unsupported(name)))
            return None
        media_type, reader = READERS[extension]
        reader = _knowing(reader, self.known)
        try:
            articles = self._read(extension, reader, data, name)
            reported = self._report_parts(label, articles)
            articles = [a for a in articles if a.text or a.attachments]
            longest = max((len(a.text) for a in articles), default=0)
            if longest > MAX_ARTICLE_CHARS:
                raise UnreadableFile(
                    f"its text is {longest:,} characters long, more than the "
                    f"{MAX_ARTICLE_CHARS:,} one article may have (about 2,500 pages); "
                    "split it into parts and import those"
                )
            if not articles:
                if reported:
                    return None
                raise UnreadableFile("no text found in this file")
        except UnreadableFile as exc:
            self.result.failed.append(Failure(label, str(exc)))
            return None
        except Cancelled:
            raise
        except Exception as exc:  # a reader library's own bug must not stop the import
            self.result.failed.append(
                Failure(label, f"could not be read ({type(exc).__name__}: {exc})")
            )
            return None
        if any(article.original is not None for article in articles):
            return self._prepare_captures(name, label, sha, media_type, articles)
        ids = [new_id() for _ in articles]
        for article in articles:
            _finish(article, name)
        prepared = _Prepared(
            label=label,
            name=name,
            sha256=sha,
            media_type=media_type,
            data=data,
            store_original=sha not in self.originals,
            articles=articles,
            ids=ids,
            parent_id=parent_id,
        )
        self.known[sha] = ids
        self.originals.add(sha)
        if depth < _ATTACHMENT_DEPTH:
            for number, article in enumerate(articles):
                self._prepare_attachments(prepared, article, ids[number], depth)
        elif any(article.attachments for article in articles):
            left = sum(len(article.attachments) for article in articles)
            self.result.warnings.append(
                f"{label}: {left} attachment(s) nested more than {_ATTACHMENT_DEPTH} levels "
                "deep were not imported (save them and import them on their own)"
            )
        return prepared

    def _report_parts(self, label: str, articles: list[ParsedArticle]) -> bool:
        """Report a container's parts that failed, were left out or are already held
        (`ReadArticles`); whether any part failed or was a duplicate."""
        failures: list[tuple[str, str]] = getattr(articles, "failures", [])
        for part, error in failures:
            self.result.failed.append(Failure(f"{label}#{part}", error))
        for note in getattr(articles, "notes", []):
            self.result.warnings.append(f"{label}: {note}")
        known: list[tuple[str, str]] = getattr(articles, "known", [])
        for part, record_sha in known:
            existing = self.known.get(record_sha, [])
            self.result.duplicates.extend(Duplicate(f"{label}#{part}", a) for a in existing)
            self.pending_duplicates.extend(existing)
        return bool(failures or known)

    def _prepare_captures(
        self, name: str, label: str, sha: str, media_type: str, articles: list[ParsedArticle]
    ) -> _Prepared | None:
        """A container of captures (WARC, WACZ): each page has its record as its original.

        The container itself is not stored (its records are); a record already in
        the archive is a duplicate, so a re-import adds nothing.
        """
        children: list[_Prepared] = []
        for article in articles:
            record = article.original or b""
            record_sha = hashlib.sha256(record).hexdigest()
            existing = self.known.get(record_sha)
            if existing:
                part = f"{label}#{article.url or article.title}"
                self.result.duplicates.extend(Duplicate(part, aid) for aid in existing)
                self.pending_duplicates.extend(existing)
                continue
            article.original = None
            _finish(article, name)
            child = _Prepared(
                label=label,
                name=name,
                sha256=record_sha,
                media_type=article.original_media_type or media_type,
                data=record,
                store_original=record_sha not in self.originals,
                articles=[article],
                ids=[new_id()],
            )
            self.known[record_sha] = child.ids
            self.originals.add(record_sha)
            children.append(child)
        if not children:
            return None
        return _Prepared(label, name, sha, media_type, b"", False, [], [], children=children)

    def _prepare_attachments(
        self, prepared: _Prepared, article: ParsedArticle, article_id: str, depth: int
    ) -> None:
        listed = {entry.get("name"): entry for entry in article.meta.get("attachments", [])}
        for attachment in article.attachments:
            label = f"{prepared.label}#{attachment.name}"
            entry = listed.get(attachment.name, {})
            before_failed = len(self.result.failed)
            sha = hashlib.sha256(attachment.data).hexdigest()
            if sha in self.known:
                entry["duplicate_of"] = self.known[sha][0]
                continue
            child = self._prepare(attachment.data, attachment.name, label, article_id, depth + 1)
            if child is not None:
                child.articles[0].meta["attachment_of"] = prepared.name
                prepared.children.append(child)
                entry["article_id"] = child.ids[0]
            elif len(self.result.failed) > before_failed:
                entry["error"] = self.result.failed[-1].error
        article.attachments = []

    # -- writing -------------------------------------------------------------------

    def batch_full(self) -> bool:
        return len(self.pending) >= self.batch_files or self.pending_bytes >= BATCH_BYTES

    def _change(self) -> Any:
        return self.archive.change(self.label, "import", sync=False, group=self.group)

    def _timed(self, seconds: float, files: int) -> None:
        """Fit the next batch to `BATCH_SECONDS` from how long this one's commit took."""
        if files < self.batch_files or not self.shared:
            return
        if seconds > BATCH_SECONDS:
            # (never above what it was: a batch of fewer than _MIN_BATCH_FILES stays)
            self.batch_files = max(min(_MIN_BATCH_FILES, self.batch_files), self.batch_files // 2)
        elif seconds < BATCH_SECONDS / 2:
            self.batch_files = min(BATCH_FILES, self.batch_files + self.batch_files // 2 + 1)

    def flush(self) -> None:
        """Write the pending files in one transaction (one by one if that fails)."""
        if not self.pending and not self.pending_duplicates:
            return
        batch, self.pending = self.pending, []
        self.pending_bytes = 0
        duplicates, self.pending_duplicates = self.pending_duplicates, []
        signed = self.copies.sign(_texts(batch))  # outside the write transaction
        try:
            began = time.perf_counter()
            with self._change() as ch:
                self._write(ch, batch)
                self.copies.detect(ch, signed)
                self._add_duplicates(ch, duplicates)
            self._timed(time.perf_counter() - began, len(batch))
            written = batch
        except Exception:
            self.copies.reset()
            # Find the file that cannot be written; the others still go in.
            written = []
            for prepared in batch:
                try:
                    with self._change() as ch:
                        self._write(ch, [prepared])
                        self.copies.detect(ch, self.copies.sign(_texts([prepared])))
                    written.append(prepared)
                except Exception as exc:
                    self.copies.reset()
                    self._forget(prepared)
                    self.result.failed.append(
                        Failure(
                            prepared.label,
                            f"could not be saved in the archive ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0][:200]})",
                        )
                    )
            try:
                with self._change() as ch:
                    self._add_duplicates(ch, duplicates)
            except Exception:  # collection membership of old articles is a nicety
                pass
        for prepared in written:
            self._report_imported(prepared)
        if self.index and written:
            try:
                # force=False: an import batch, left for a bigger commit whatever its
                # size (a Whoosh commit per small batch was most of the window's
                # interpreter time during an import, issue 8).
                self.archive.sync_index(force=False)
            except Exception as exc:
                # The articles are committed and queued: the index catches up on
                # the next open. Say so once rather than fail the import.
                self.index = False
                self.result.warnings.append(
                    f"the search index could not be updated now ({exc}); "
                    "it will catch up the next time the archive is opened"
                )

    def _forget(self, prepared: _Prepared) -> None:
        """Undo what `_prepare` noted about a file that could not be saved."""
        self.known.pop(prepared.sha256, None)
        if prepared.store_original:
            self.originals.discard(prepared.sha256)
        for child in prepared.children:
            self._forget(child)

    def _report_imported(self, prepared: _Prepared) -> None:
        for article_id, article in zip(prepared.ids, prepared.articles, strict=True):
            self.result.imported.append(ImportedItem(article_id, article.title, prepared.label))
        for child in prepared.children:
            self._report_imported(child)

    def _write(self, ch: Change, batch: list[_Prepared]) -> None:
        """Insert the files of `batch` in the change `ch`.

        Rows go in with one multi-row INSERT per table (the ORM's per-object
        bookkeeping was most of an import's time), told to the change first;
        the audit chain gets one entry per article, as for any other change.
        """
        session = ch.session
        now = utcnow()
        originals: list[dict[str, Any]] = []
        articles: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        audits: list[tuple[str, dict[str, Any]]] = []
        for prepared in _flatten(batch):
            if prepared.store_original:
                originals.append(
                    {
                        "sha256": prepared.sha256,
                        "media_type": prepared.media_type,
                        "size": len(prepared.data),
                        "data": prepared.data,
                        "first_name": prepared.name,
                        "imported_at": now,
                    }
                )
            for article_id, parsed in zip(prepared.ids, prepared.articles, strict=True):
                text_sha = hashlib.sha256(parsed.text.encode("utf-8")).hexdigest()
                provenance = self._provenance(parsed)
                articles.append(
                    {
                        "id": article_id,
                        "title": parsed.title,
                        "source": parsed.source,
                        "url": parsed.url,
                        "byline": parsed.byline,
                        "published": parsed.published,
                        "published_precision": parsed.published_precision,
                        "language": parsed.language,
                        "text": parsed.text,
                        "text_sha256": text_sha,
                        "original_sha256": prepared.sha256,
                        "imported_at": now,
                        "imported_from": prepared.name,
                        "parent_id": prepared.parent_id,
                        "meta": parsed.meta,
                        "updated_at": now,
                        "text_origin": parsed.text_origin,
                        "ocr_confidence": parsed.ocr_confidence,
                        **provenance,
                    }
                )
                if self.collection_id:
                    members.append({"article_id": article_id, "collection_id": self.collection_id})
                audits.append(
                    (
                        article_id,
                        {
                            "title": parsed.title,
                            "imported_from": prepared.name,
                            "original_sha256": prepared.sha256,
                            "text_sha256": text_sha,
                            "collection_id": self.collection_id,
                            **provenance,
                        },
                    )
                )
        if originals:
            # An Original may already be there without articles (e.g. from a bundle).
            ch.track("original", [o["sha256"] for o in originals])
            session.execute(_ORIGINAL.insert().prefix_with("OR IGNORE"), originals)
        if articles:
            ch.track("article", [a["id"] for a in articles], new=True)
            session.execute(_ARTICLE.insert(), articles)
        if members:
            keys = [(m["article_id"], m["collection_id"]) for m in members]
            ch.track("articlecollection", keys, new=True)
            session.execute(_MEMBER.insert(), members)
        for article_id, after in audits:
            ch.audit("article", "import", article_id, after=after)

    def _provenance(self, parsed: ParsedArticle) -> dict[str, str | None]:
        """An article's provenance: what the import was told, else what the file says."""
        given = self.provenance
        return {
            "captured_at": parsed.captured_at,
            "collected_by": given.collected_by,
            "collected_with": given.collected_with or parsed.collected_with or PLAIN_IMPORT,
            "collected_from": given.collected_from
            or (parsed.url if parsed.captured_at or "capture" in parsed.meta else None),
        }

    def _add_duplicates(self, ch: Change, article_ids: list[str]) -> None:
        if self.collection_id and article_ids:
            add_articles(ch, self.collection_id, article_ids)


_ORIGINAL = Original.__table__  # type: ignore[attr-defined]
_ARTICLE = Article.__table__  # type: ignore[attr-defined]
_MEMBER = ArticleCollection.__table__  # type: ignore[attr-defined]


def _label(paths: Sequence[str | Path]) -> str:
    """What an import is called in the history: "Import seeds", "Import a.txt and 2 more"."""
    names = [Path(p).name or str(p) for p in paths]
    if not names:
        return "Import"
    more = f" and {len(names) - 1} more" if len(names) > 1 else ""
    return f"Import {names[0]}{more}"


def _knowing(reader: Reader, known: dict[str, list[str]]) -> Reader:
    """`reader`, told which originals the archive holds (`parsed.KNOWN_ORIGINALS`)."""

    def read(data: bytes, name: str) -> list[ParsedArticle]:
        token = KNOWN_ORIGINALS.set(known.__contains__)
        try:
            return reader(data, name)
        finally:
            KNOWN_ORIGINALS.reset(token)

    return read


def _flatten(batch: list[_Prepared]) -> list[_Prepared]:
    """Files and their attachments, each parent before its children."""
    out: list[_Prepared] = []
    for prepared in batch:
        out.append(prepared)
        out.extend(_flatten(prepared.children))
    return out


def _texts(batch: list[_Prepared]) -> list[tuple[str, str]]:
    """(article id, text) of every article of `batch`, attachments included."""
    return [
        (article_id, parsed.text)
        for prepared in _flatten(batch)
        for article_id, parsed in zip(prepared.ids, prepared.articles, strict=True)
    ]


def _page_progress(
    progress: ProgressFn | None, done: int, total: int, name: str
) -> Callable[[int, int], None] | None:
    """Progress of a scan's OCR, page by page, as the import's progress on file `done`."""
    if progress is None:
        return None

    def pages_done(page: int, pages: int) -> None:
        progress(done, total, f"{name} · OCR page {min(page + 1, pages)}/{pages}")

    return pages_done


def _finish(article: ParsedArticle, name: str) -> None:
    """Fill what every article needs: a title and a language guess."""
    article.title = " ".join(article.title.split()) or PurePath(name).stem or name
    if article.language is None:
        article.language = detect_language(article.text)


def _megabytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _unsupported(name: str) -> str:
    known = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    extension = PurePath(name).suffix
    if not extension:
        return (
            f"no file extension, so its type is unknown; Sesame imports {known} "
            "(rename it, e.g. to .txt, if it is text)"
        )
    return f"unsupported file type '{extension}'; Sesame imports {known}"


def _walk(
    paths: Sequence[str | Path], result: ImportReport, skip: Path, follow_links: bool = False
) -> list[tuple[Path, str]]:
    """Every file to look at, as (path, label); folders are walked in name order.

    The archive's own folder (`skip`) is never walked into: importing a folder
    that holds the archive must not import the archive's files. A symbolic link
    inside a folder that leads out of it (to /etc/passwd, to another case) is
    skipped and reported unless `follow_links`; a folder that cannot be read is a
    failure, named.
    """
    files: list[tuple[Path, str]] = []
    skipped_hidden = 0
    links_out: list[str] = []

    def unreadable(error: OSError) -> None:
        reason = error.strerror or str(error)
        result.failed.append(Failure(str(error.filename), f"folder cannot be read: {reason}"))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            top = path.resolve()
            for root, dirs, names in os.walk(path, onerror=unreadable, followlinks=follow_links):
                base = Path(root)
                if not follow_links:
                    for name in [*dirs, *names]:
                        link = base / name
                        if link.is_symlink() and not link.resolve().is_relative_to(top):
                            links_out.append(str(link))
                    dirs[:] = [d for d in dirs if str(base / d) not in links_out]
                    names = [n for n in names if str(base / n) not in links_out]
                if base.resolve() == skip:
                    dirs[:] = []
                    continue
                # Hidden files and folders (.git, .DS_Store, editor backups) are
                # never articles: skipped, and said once, not reported as failures.
                hidden = [d for d in dirs if d.startswith(".")]
                hidden += [n for n in names if n.startswith(".")]
                skipped_hidden += len(hidden)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(
                    (base / name, str(base / name))
                    for name in sorted(names)
                    if not name.startswith(".")
                )
        elif path.exists():
            files.append((path, str(given)))
        else:
            result.failed.append(Failure(str(given), "no such file or folder"))
    if links_out:
        shown = ", ".join(json.dumps(name, ensure_ascii=False) for name in links_out[:5])
        more = f" and {len(links_out) - 5} more" if len(links_out) > 5 else ""
        result.warnings.append(
            f"skipped {len(links_out)} symbolic link(s) leading out of the imported folder: "
            f"{shown}{more} (sesame import --follow-links to follow them)"
        )
    if skipped_hidden:
        result.warnings.append(
            f"skipped {skipped_hidden} hidden file(s) or folder(s) (names starting with '.'); "
            "name one directly to import it"
        )
    return files


def import_paths(
    archive: Archive,
    paths: Sequence[str | Path],
    *,
    collection: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    index: bool = True,
    find_copies: bool = True,
    provenance: Provenance | None = None,
    ocr_languages: str | None = None,
    follow_links: bool = False,
    isolate: bool = True,
    shared: bool = True,
) -> ImportReport:
    """Import files and folders (recursively) into `archive`.

    `collection`: name of a collection to put every imported article in (made
    if missing; duplicates already in the archive are added to it too).
    `max_bytes`: files larger than this fail with the limit named.
    `index`: bring the search index up to date after each batch.
    `find_copies`: group copies of one story (`archive.copies`) as each batch is written.
    `provenance`: who collected the files, with what, from where (`archive.provenance`).
    `ocr_languages`: Tesseract languages for scans and images ("eng+mya"); None:
    the archive's own languages (`archive.ingest.ocr.archive_languages`).
    `follow_links`: follow symbolic links that lead out of a folder being imported
    (by default they are skipped and reported).
    `isolate`: read files in the worker process (`archive.ingest.sandbox`); False
    reads them in this process, for tests of the readers only.
    `shared`: other writers (the window's tags) may wait for this import's commits,
    so a slow commit makes the next batch smaller (`BATCH_SECONDS`); False when
    nothing else can write meanwhile (`sesame import` holds the archive's write
    lock in one thread): on a loaded machine the batches shrank to 5 files, and
    2,000 files took 329 changes, each with its own audit signature, change row,
    copies lookup and index check (a third of the import's CPU time, profiled).
    Returns the report; never raises for a bad file.
    """
    result = ImportReport()
    files = _walk(paths, result, archive.path.resolve(), follow_links)
    if index and files:
        _prepare_index(archive)
    importer = _Importer(archive, collection, max_bytes, index, result, _label(paths), provenance)
    importer.shared = shared
    with sandbox.worker() as worker:
        importer.sandbox = worker if isolate else None
        _import_files(importer, files, result, progress, cancel, ocr_languages, find_copies)
    if importer.index and result.imported:
        # The batches' force=False catch-ups leave even a small remainder for a
        # bigger commit; a few articles are applied now, in memory (searchable at
        # once), and a big remainder still goes to the bulk catch-up.
        try:
            archive.sync_index()
        except Exception as exc:  # committed and queued: the next open catches up
            result.warnings.append(
                f"the search index could not be updated now ({exc}); "
                "it will catch up the next time the archive is opened"
            )
    return result


def _prepare_index(archive: Archive) -> None:
    """Build the (empty) search index of a new archive before its first batch.

    Left to the first batch's catch-up, an archive without an index was rebuilt
    there, in this process, from that batch's articles (a Whoosh writer of its
    own, 200 articles), before the child processes of the bulk catch-up took over.
    """
    if archive.readonly or archive.index.generation != -1:
        return
    with archive.read_connection() as conn:
        if conn.execute("SELECT 1 FROM article LIMIT 1").fetchone() is not None:
            return  # a rebuild of what is there (in child processes) is due anyway
    archive.index.rebuild()


def _import_files(
    importer: _Importer,
    files: list[tuple[Path, str]],
    result: ImportReport,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
    ocr_languages: str | None,
    find_copies: bool,
) -> None:
    importer.scans.languages = ocr_languages
    importer.scans.cancel = cancel
    importer.copies.enabled = find_copies
    total = len(files)
    report(progress, 0, total, "")
    for done, (path, label) in enumerate(files):
        if cancel is not None and cancel.cancelled:
            result.cancelled = True
            break
        importer.scans.progress = _page_progress(progress, done, total, path.name)
        try:
            importer.import_file(path, label)
        except Cancelled:  # in the middle of a scan's pages: that file is left out
            result.cancelled = True
            break
        result.files += 1
        if importer.batch_full():
            importer.flush()
        report(progress, done + 1, total, path.name)
    importer.flush()
    if importer.copies.error:
        result.warnings.append(importer.copies.error)
