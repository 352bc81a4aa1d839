"""Importing a REFI-QDA project or codebook into an archive: one core change, one undo step.

What becomes what (`docs/architecture.md`, the guide's "REFI-QDA projects"):

- **codes**: a top-level code whose name is a tag type's key or label (Actor,
  Event, Figure, or one of the user's), or that Sesame's own export marked
  ("Sesame tag type KEY"), *is* that tag type; any other top-level code
  becomes a new user tag type (key from its name, its colour or one from a
  fixed palette). Every code below a top-level one becomes an entity of that
  tag type (deeper levels too, flattened; the parent's name in the
  description). A coding to a top-level code tags the passage without an
  entity.
- **text sources** become articles (the source's text as the article's text,
  NFC with `\\n` line ends; the file the source was made from, else its text
  file, kept as the original); **selections** become annotations, one per
  coding; their notes become the annotation's note; a source's own notes go
  into the article's `meta["qda_notes"]`; **sets** become collections;
  **users** become users (annotations keep their author).
- **offsets**: the standard counts Unicode code points of the text file; some
  tools count a CRLF line end as one character, .NET ones UTF-16 units (an
  emoji is two). Per source, the counting
  that makes the selections' names (most tools write the quoted text there)
  match is chosen; a selection whose offsets fit neither is re-anchored by
  its quote (the occurrence nearest to where the offsets point); one that
  cannot be placed is left out and reported.
- **ids** come from the GUIDs (the same UUID, so Sesame's own export comes
  back under its own ids), or are derived from the content where a GUID is
  missing: a second import of the same file adds nothing. An article already
  here (same id, or the same text) is not added again; its incoming
  annotations land on it. Known annotations are left as they are.

Everything is one change (`origin="qdpx"`): `sesame undo` removes the whole
import; each article, entity and annotation gets its own audit entry, as an
ordinary import and tag would.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from archive import annotate, entities, models, tagtypes
from archive.changes import Change, changing
from archive.ingest.qdpx import QdaCode, QdaProject, QdaSelection, QdaSource, read_project
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn, report

# Colours for tag types made from codes that carry none (Okabe-Ito, colour-blind safe).
PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7")
_SESAME_TYPE = re.compile(r"^Sesame tag type ([a-z][a-z0-9_-]{0,31})$")
_RGB = re.compile(r"^#?([0-9a-fA-F]{6})(?:[0-9a-fA-F]{2})?$")


@dataclass
class QdpxReport:
    """What an import of a REFI-QDA file did (`sesame import-qdpx --json`)."""

    path: str
    project: str
    origin: str
    change_id: str = ""
    added: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    reanchored: int = 0  # selections placed by their quote, not their offsets
    crlf_sources: int = 0  # sources whose offsets count a CRLF as one character
    utf16_sources: int = 0  # sources whose offsets count UTF-16 units
    not_placed: list[dict[str, str]] = field(default_factory=list)

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        target: dict[str, int] = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + n

    @property
    def changed_nothing(self) -> bool:
        return not self.added

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "project": self.project,
            "origin": self.origin,
            "change_id": self.change_id,
            "added": self.added,
            "unchanged": self.unchanged,
            "reanchored": self.reanchored,
            "crlf_sources": self.crlf_sources,
            "utf16_sources": self.utf16_sources,
            "not_placed": self.not_placed,
        }

    def line(self) -> str:
        """The report in one line."""
        if not self.added:
            head = "Nothing new: everything in this project is already in the archive"
        else:
            head = "Imported " + ", ".join(f"{n} {k}" for k, n in sorted(self.added.items()))
        extra = []
        if self.reanchored:
            extra.append(f"{self.reanchored} passage(s) placed by their quote")
        if self.not_placed:
            extra.append(f"{len(self.not_placed)} item(s) could not be placed")
        return head + (f" ({'; '.join(extra)})" if extra else "") + "."


# -- offsets ------------------------------------------------------------------------------


def canonical_map(raw: str) -> tuple[str, list[int]]:
    """The text Sesame keeps (CR and CRLF as `\\n`, no BOM or NUL, NFC) and, for each
    position of `raw` (and its end), the position it has there."""
    n = len(raw)
    if not any(c in raw for c in "\r\ufeff\x00"):
        text, pos = raw, list(range(n + 1))
    else:
        out: list[str] = []
        pos = [0] * (n + 1)
        j = i = 0
        while i < n:
            c = raw[i]
            pos[i] = j
            if c in "\ufeff\x00":
                i += 1
                continue
            out.append("\n" if c == "\r" else c)
            j += 1
            if c == "\r" and i + 1 < n and raw[i + 1] == "\n":
                pos[i + 1] = j - 1  # inside the pair: the pair's start
                i += 1
            i += 1
        pos[n] = j
        text = "".join(out)
    if unicodedata.is_normalized("NFC", text):
        return text, pos
    # NFC within runs that start at a starter (combining class 0): a run's start keeps
    # its place, positions inside a run that NFC shortens go to the run's end.
    starts = [k for k, c in enumerate(text) if unicodedata.combining(c) == 0] + [len(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    pieces: list[str] = []
    new_pos = [0] * (len(text) + 1)
    j = 0
    for a, b in itertools.pairwise(starts):
        piece = unicodedata.normalize("NFC", text[a:b])
        for k in range(a, b):
            new_pos[k] = j + min(k - a, len(piece))
        pieces.append(piece)
        j += len(piece)
    new_pos[len(text)] = j
    return "".join(pieces), [new_pos[p] for p in pos]


def _crlf_positions(raw: str) -> list[int]:
    """Where each CRLF pair would start if every pair counted as one character."""
    out: list[int] = []
    k = raw.find("\r\n")
    while k != -1:
        out.append(k - len(out))
        k = raw.find("\r\n", k + 2)
    return out


def _clean(s: str) -> str:
    return unicodedata.normalize("NFC", s.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _name_matches(name: str, span: str) -> bool:
    """Whether a selection's name is (the start of) the passage: most tools write the
    quote there, some cut it short (with "..." or "…")."""
    want = _clean(name).rstrip(".…").rstrip()
    got = _clean(span)
    if len(want) < 1:
        return False
    return got == want or (len(want) >= 10 and got.startswith(want))


class _Placer:
    """Places one source's selections in its canonical text."""

    def __init__(self, source: QdaSource) -> None:
        self.raw = source.text
        self.text, self.pos = canonical_map(self.raw)
        self.crlf = _crlf_positions(self.raw)
        # Where each character outside the BMP ends in UTF-16 units (two units each).
        astral = [i for i, c in enumerate(self.raw) if ord(c) > 0xFFFF]
        self.utf16_ends = [i + n + 2 for n, i in enumerate(astral)]
        self.modes = ["points"]
        if self.crlf:
            self.modes.append("crlf")
        if astral:
            self.modes.append("utf16")
        self.mode = self._choose(source.selections)

    def _raw(self, mode: str, k: int) -> int | None:
        if mode == "crlf":
            k += bisect.bisect_left(self.crlf, k)
        elif mode == "utf16":
            k -= bisect.bisect_right(self.utf16_ends, k)
        return k if 0 <= k <= len(self.raw) else None

    def span(self, mode: str, sel: QdaSelection) -> tuple[int, int] | None:
        a, b = self._raw(mode, sel.start), self._raw(mode, sel.end)
        if a is None or b is None:
            return None
        return self.pos[a], self.pos[b]

    def _matches(self, mode: str, sel: QdaSelection) -> bool:
        span = self.span(mode, sel)
        return span is not None and _name_matches(sel.name, self.text[span[0] : span[1]])

    def _choose(self, selections: list[QdaSelection]) -> str:
        """The counting most selections' names agree with: code points (the standard), CRLF
        as one character, or UTF-16 units (.NET tools); code points when none says more."""
        if len(self.modes) == 1:
            return "points"
        score = {m: sum(self._matches(m, s) for s in selections) for m in self.modes}
        best = max(self.modes, key=lambda m: (score[m], m == "points"))
        if score[best] > score["points"]:
            return best
        # No names to go by, but offsets past the end in code points: CRLF counted as one.
        past_end = any(self.span("points", s) is None for s in selections)
        crlf_fits = "crlf" in self.modes and all(self.span("crlf", s) for s in selections)
        if score["points"] == 0 and past_end and crlf_fits:
            return "crlf"
        return "points"

    def place(self, sel: QdaSelection) -> tuple[tuple[int, int] | None, bool, str]:
        """(start, end) in the canonical text or None; whether found by quote; why not."""
        for mode in [self.mode, *(m for m in self.modes if m != self.mode)]:
            if self._matches(mode, sel):
                return self.span(mode, sel), False, ""
        quote = _clean(sel.name).rstrip(".…").rstrip()
        span = self.span(self.mode, sel)
        if quote and len(quote) >= 2:
            found = annotate.quote_spans(self.text, quote)
            if found:
                near = span[0] if span else 0
                best = min(found, key=lambda s: abs(s[0] - near))
                if span is None or not _name_matches(sel.name, self.text[span[0] : span[1]]):
                    if _clean(sel.name) == quote:  # the whole passage
                        return best, True, ""
                    if span is None or span[0] != best[0]:
                        # A cut-short name: keep the length the offsets give.
                        length = sel.end - sel.start
                        end = min(len(self.text), best[0] + max(length, best[1] - best[0]))
                        return (best[0], end), True, ""
        if span is None:
            return None, False, "its offsets are past the end of the text"
        if span[0] == span[1]:
            return None, False, "it selects no text"
        return span, False, ""


# -- the import ---------------------------------------------------------------------------


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name).lower()).strip("-")
    if not s or not s[0].isalpha():
        s = "code-" + (s or hashlib.sha1(name.encode("utf-8")).hexdigest()[:8])
    return s[:32].rstrip("-")


def _colour(code: QdaCode) -> str:
    m = _RGB.match(code.colour or "")
    if m:
        return "#" + m.group(1).lower()
    return PALETTE[int(hashlib.sha1(code.name.encode("utf-8")).hexdigest(), 16) % len(PALETTE)]


def _when(text: str | None) -> datetime:
    if text:
        try:
            when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            return when if when.tzinfo else when.replace(tzinfo=UTC)
        except ValueError:
            pass
    return models.utcnow()


class _Importer:
    def __init__(self, ch: Change, project: QdaProject, rep: QdpxReport) -> None:
        self.ch = ch
        self.s = ch.session
        self.project = project
        self.rep = rep
        self.codes: dict[str, tuple[str, str | None]] = {}  # code GUID -> (type key, entity id)
        self.articles: dict[str, str] = {}  # source GUID -> article id

    def run(self, progress: ProgressFn | None, cancel: CancelToken | None) -> None:
        self._users()
        for code in self.project.codes:
            self._top_code(code)
        total = len(self.project.sources)
        for i, source in enumerate(self.project.sources):
            if cancel is not None:
                cancel.raise_if_cancelled()
            report(progress, i, total, "Importing sources")
            self._source(source)
        report(progress, total, total, "Importing sources")
        self._sets()

    def _users(self) -> None:
        for uid, name in self.project.users.items():
            if self.s.get(models.User, uid) is None:
                self.s.add(models.User(id=uid, display_name=name))
                self.s.flush()
                self.rep.count("added", "users")

    def _tag_type(self, code: QdaCode) -> str:
        marked = _SESAME_TYPE.match(code.description)
        if marked and self.s.get(models.TagType, marked.group(1)) is not None:
            return marked.group(1)
        want = code.name.casefold().strip()
        # "Actors" is the tag type Actor: other tools name their top codes in the plural.
        wants = {want, want.removesuffix("s")}
        for row in self.s.exec(select(models.TagType)):
            if wants & {row.key.casefold(), row.label.casefold()}:
                self.rep.count("unchanged", "tag_types")
                return row.key
        key = (marked.group(1) if marked else None) or _slug(code.name)
        base, n = key, 2
        while self.s.get(models.TagType, key) is not None:
            key = f"{base[:29]}-{n}"
            n += 1
        tagtypes.create_tag_type(self.ch, key, code.name[:80], _colour(code))
        self.s.flush()
        self.rep.count("added", "tag_types")
        return key

    def _top_code(self, code: QdaCode) -> None:
        key = self._tag_type(code)
        self.codes[code.guid] = (key, None)
        for child, parent in self._descendants(code, None):
            self.codes[child.guid] = self._entity(key, child, parent)

    def _descendants(
        self, code: QdaCode, parent: QdaCode | None
    ) -> list[tuple[QdaCode, QdaCode | None]]:
        """Every code below `code`, each with its parent when that is not the top level."""
        out: list[tuple[QdaCode, QdaCode | None]] = []
        for child in code.children:
            out.append((child, parent))
            out.extend(self._descendants(child, child))
        return out

    def _entity(self, type_key: str, code: QdaCode, parent: QdaCode | None) -> tuple[str, str]:
        """The (type key, entity id) a code below the top level stands for."""
        row = self.s.get(models.Entity, code.guid)
        if row is not None:
            self.rep.count("unchanged", "entities")
            row = entities.get_row(self.s, row.id)  # follows a local merge
            return row.type_key, row.id
        same = entities.find_entity(self.s, code.name, type_key)
        if same is not None:
            self.rep.count("unchanged", "entities")
            return same.type_key, same.id
        description = code.description
        if parent is not None:
            description = f"{description}\n(under {parent.name})".strip()
        info = entities.create_entity(
            self.ch, type_key, code.name[:300], description=description, entity_id=code.guid
        )
        self.rep.count("added", "entities")
        return type_key, info.id

    def _article_for(self, source: QdaSource, text: str) -> str:
        row = self.s.get(models.Article, source.guid)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if row is None:
            row = self.s.exec(
                select(models.Article).where(models.Article.text_sha256 == sha)
            ).first()
        if row is not None:
            self.rep.count("unchanged", "articles")
            return row.id
        osha = hashlib.sha256(source.original).hexdigest()
        if self.s.get(models.Original, osha) is None:
            self.s.add(
                models.Original(
                    sha256=osha,
                    media_type=source.media_type,
                    size=len(source.original),
                    data=source.original,
                    first_name=source.original_name,
                )
            )
            self.s.flush()
            self.rep.count("added", "originals")
        from archive.ingest.metadata import detect_language

        meta: dict[str, Any] = {"qda_project": self.project.name, "qda_origin": self.project.origin}
        if source.description:
            meta["qda_description"] = source.description
        notes = [self.project.notes[g] for g in source.notes if g in self.project.notes]
        if notes:
            meta["qda_notes"] = notes
        article = models.Article(
            id=source.guid,
            title=source.name[:300],
            language=detect_language(text),
            text=text,
            text_sha256=sha,
            original_sha256=osha,
            imported_from=source.original_name,
            meta=meta,
        )
        self.s.add(article)
        self.s.flush()
        self.ch.audit(
            "article",
            "import",
            article.id,
            after={
                "title": article.title,
                "imported_from": article.imported_from,
                "original_sha256": osha,
                "text_sha256": sha,
                "collection_id": None,
            },
        )
        self.rep.count("added", "articles")
        return article.id

    def _source(self, source: QdaSource) -> None:
        placer = _Placer(source)
        if not placer.text.strip():
            self.rep.not_placed.append({"what": f"the source {source.name!r}", "reason": "no text"})
            return
        if placer.mode == "crlf":
            self.rep.crlf_sources += 1
        elif placer.mode == "utf16":
            self.rep.utf16_sources += 1
        article_id = self._article_for(source, placer.text)
        self.articles[source.guid] = article_id
        published = self.s.get(models.Article, article_id)
        for sel in source.selections:
            self._selection(sel, source, placer, article_id, published)

    def _selection(
        self,
        sel: QdaSelection,
        source: QdaSource,
        placer: _Placer,
        article_id: str,
        article: models.Article | None,
    ) -> None:
        what = f"the passage {sel.name[:40]!r} of {source.name!r}"
        codes = [c for c in sel.codes if c in self.codes]
        for missing in (c for c in sel.codes if c not in self.codes):
            self.rep.not_placed.append(
                {"what": what, "reason": f"its code {missing} is not in the codebook"}
            )
        if not codes:
            if not sel.codes:
                self.rep.not_placed.append({"what": what, "reason": "it has no coding"})
            return
        span, by_quote, why = placer.place(sel)
        if span is None:
            self.rep.not_placed.append({"what": what, "reason": why})
            return
        if by_quote:
            self.rep.reanchored += 1
        note = "\n\n".join(self.project.notes[g] for g in sel.notes if g in self.project.notes)
        user = sel.user if sel.user and self.s.get(models.User, sel.user) is not None else None
        when = _when(sel.created)
        for i, code in enumerate(codes):
            ann_id = (
                sel.guid
                if i == 0
                else hashlib.sha256(f"{sel.guid}/{code}".encode()).hexdigest()[:32]
            )
            if self.s.get(models.Annotation, ann_id) is not None:
                self.rep.count("unchanged", "annotations")
                continue
            type_key, entity_id = self.codes[code]
            pinned = annotate.anchor(placer.text, *span)
            fig: dict[str, Any] = {}
            if type_key == "figure":
                fig = annotate.figure_defaults(
                    pinned["quote"], article.published if article else None
                )
            ann = models.Annotation(
                id=ann_id,
                article_id=article_id,
                **pinned,
                type_key=type_key,
                entity_id=entity_id,
                note=note.strip(),
                created_at=when,
                updated_at=when,
                created_by=user or self.ch.user_id,
                origin="qdpx",
                value=fig.get("value"),
                qualifier=fig.get("qualifier"),
                counted=fig.get("counted"),
                as_of=fig.get("as_of"),
            )
            self.s.add(ann)
            self.s.flush()
            self.ch.audit("annotation", "create", ann.id, after=annotate.snapshot(ann))
            self.rep.count("added", "annotations")

    def _sets(self) -> None:
        for guid, name, members in self.project.sets:
            ids = [self.articles[m] for m in members if m in self.articles]
            if not ids:
                continue
            row = (
                self.s.get(models.Collection, guid)
                or self.s.exec(
                    select(models.Collection).where(models.Collection.name == name)
                ).first()
            )
            if row is None:
                row = models.Collection(id=guid, name=name[:200])
                self.s.add(row)
                self.s.flush()
                self.rep.count("added", "collections")
            for aid in ids:
                if self.s.get(models.ArticleCollection, (aid, row.id)) is None:
                    self.s.add(models.ArticleCollection(article_id=aid, collection_id=row.id))
                    self.rep.count("added", "collection_members")


def import_project(
    target: Archive | Change,
    project: QdaProject,
    path: str = "",
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> QdpxReport:
    """Import a read project into the archive, in one change (or the one given)."""
    rep = QdpxReport(path=path, project=project.name, origin=project.origin)
    rep.not_placed.extend(project.problems)
    attached = {g for src in project.sources for g in src.notes}
    attached |= {g for src in project.sources for sel in src.selections for g in sel.notes}
    for guid, text in project.notes.items():
        if guid not in attached:
            rep.not_placed.append(
                {"what": f"the note {text[:40]!r}", "reason": "it is not attached to a passage "
                 "or a source (Sesame keeps notes on passages and articles)"}
            )  # fmt: skip
    label = f"Import REFI-QDA project {project.name or Path(path).name}"[:120]
    with changing(target, label, "qdpx") as ch:
        with ch.session.no_autoflush:
            _Importer(ch, project, rep).run(progress, cancel)
        ch.session.flush()
        ch.audit("qdpx", "import", hashlib.sha256(path.encode("utf-8")).hexdigest()[:32],
                 after={"file": Path(path).name, "added": rep.added,
                        "not_placed": len(rep.not_placed)})  # fmt: skip
        rep.change_id = ch.id
    return rep


def import_qdpx(
    archive: Archive | Change,
    path: str | Path,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> QdpxReport:
    """Read a `.qdpx` project or `.qdc` codebook and import it (nothing is written if the
    file cannot be read)."""
    project = read_project(path)
    return import_project(archive, project, str(path), progress=progress, cancel=cancel)
