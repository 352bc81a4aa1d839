"""Reading REFI-QDA projects (`.qdpx`) and codebooks (`.qdc`) as other tools write them.

A `.qdpx` is a zip holding `project.qde` (QDA-XML) and `sources/` (each text
source as a UTF-8 file, `plainTextPath="internal://<name>"`). This module
turns one into plain records (`QdaProject`): users, the code tree, text
sources with their selections (code-point offsets, codings, notes), notes and
sets, and a list of what could not be read. It never writes an archive
(`archive.ingest.qdpx_import` does) and never raises anything but
`QdpxUnreadable` on a malformed file.

Tolerated, because real exporters do it: another inner name for the project
(any single `.qde` member), sources at other paths than `sources/` (found by
base name, case-insensitively), the text inline as `PlainTextContent`,
elements in no namespace or another one, missing GUIDs (a stable one is
derived from what the element holds), codes without colour, missing optional
parts (users, notes, sets, descriptions), a PDF source whose coded text is
its `Representation`. Selections of other kinds (PDF areas, pictures, audio,
video) and sources without text are listed in `problems`.

Bounds (as for bundles, `archive/bundles/spec.py`): at most 100,000 members,
a member at most 1 GiB and 200 times its compressed size when over 1 MiB, all
members at most 8 GiB, the project XML at most 256 MiB; no DTDs, no entity
expansion, no network (lxml's parser with those features off).
"""

from __future__ import annotations

import hashlib
import posixpath
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.errors import SesameError

MAX_MEMBERS = 100_000
MAX_MEMBER = 1 << 30
MAX_TOTAL = 8 << 30
MAX_XML = 256 << 20
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20
# Derived ids (for what has no GUID) live under this namespace, so that the same
# file gives the same ids on every import.
NAMESPACE = uuid.UUID("6d1f3f0e-6a4b-5b39-9d0e-5e5a3e5f0a11")

_MEDIA = {
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html",
    ".htm": "text/html",
    ".rtf": "application/rtf",
    ".odt": "application/vnd.oasis.opendocument.text",
}


class QdpxUnreadable(SesameError):
    """A file that is not a REFI-QDA project or codebook Sesame can read."""


@dataclass
class QdaCode:
    """One code of the codebook; `children` nest under it."""

    guid: str
    name: str
    colour: str | None
    description: str
    children: list[QdaCode] = field(default_factory=list)

    def walk(self) -> Iterator[QdaCode]:
        for child in self.children:
            yield child
            yield from child.walk()


@dataclass
class QdaSelection:
    """A PlainTextSelection: offsets as written, its name (often the quote), codings, notes."""

    guid: str
    start: int
    end: int
    name: str
    user: str | None
    created: str | None
    codes: list[str]  # code GUIDs, in coding order
    notes: list[str]  # note GUIDs
    description: str


@dataclass
class QdaSource:
    """A text source: its text as decoded, the file it came from, its selections."""

    guid: str
    name: str
    text: str
    original: bytes
    original_name: str
    media_type: str
    description: str
    created: str | None
    selections: list[QdaSelection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # note GUIDs


@dataclass
class QdaProject:
    """What a `.qdpx` (or a `.qdc`, codes only) holds, and what could not be read."""

    name: str
    origin: str
    users: dict[str, str] = field(default_factory=dict)  # GUID -> name
    codes: list[QdaCode] = field(default_factory=list)  # the top level
    sources: list[QdaSource] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # GUID -> text
    sets: list[tuple[str, str, list[str]]] = field(default_factory=list)  # guid, name, sources
    problems: list[dict[str, str]] = field(default_factory=list)

    def problem(self, what: str, reason: str) -> None:
        self.problems.append({"what": what, "reason": reason})


def stable_guid(value: str | None, *fallback: str) -> str:
    """A GUID as 32 hex digits: the GUID itself if it is a UUID, else one derived from it
    (or, without one, from `fallback`: what the element holds)."""
    if value:
        try:
            return uuid.UUID(value.strip()).hex
        except ValueError:
            return uuid.uuid5(NAMESPACE, value.strip()).hex
    return uuid.uuid5(NAMESPACE, "\x1f".join(fallback)).hex


def _local(tag: Any) -> str:
    """An element's name without its namespace ("" for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: Any, name: str) -> Any:
    found = _children(el, name)
    return found[0] if found else None


def _text_of(el: Any, name: str) -> str:
    c = _child(el, name)
    return "".join(c.itertext()).strip() if c is not None else ""


def _parse_xml(data: bytes, what: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise QdpxUnreadable(
            f"{what} is not well-formed XML ({str(exc)[:160]}); export the project again "
            "from the tool that made it."
        ) from exc
    if root is None:
        raise QdpxUnreadable(f"{what} is empty.")
    return root


class _Zip:
    """A zip read within bounds; member names looked up exactly, then by base name."""

    def __init__(self, path: Path) -> None:
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except Exception as exc:  # BadZipFile, struct.error, UnicodeDecodeError, ...
            raise QdpxUnreadable(
                f"{path.name} is not a REFI-QDA project (.qdpx): it is not a zip file, or it "
                "is damaged. Export it again from the tool that made it."
            ) from exc
        if len(infos) > MAX_MEMBERS:
            raise QdpxUnreadable(f"{path.name} holds more than {MAX_MEMBERS:,} files: refused.")
        total = 0
        self.infos: dict[str, zipfile.ZipInfo] = {}
        self.by_base: dict[str, list[str]] = {}
        for info in infos:
            if info.is_dir():
                continue
            total += info.file_size
            ratio_bad = info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            )
            if info.file_size > MAX_MEMBER or ratio_bad or total > MAX_TOTAL:
                raise QdpxUnreadable(
                    f"{path.name}: {info.filename[:80]!r} is too large or compressed "
                    "suspiciously well (a zip bomb?): refused, nothing was imported."
                )
            name = info.filename.replace("\\", "/")
            self.infos[name] = info
            base = posixpath.basename(name).casefold()
            self.by_base.setdefault(base, []).append(name)

    def read(self, name: str, limit: int = MAX_MEMBER) -> bytes:
        info = self.infos[name]
        if info.flag_bits & 0x1:
            raise QdpxUnreadable(f"{name[:80]!r} is encrypted inside the zip: cannot be read.")
        try:
            with self.zf.open(info) as f:
                data = f.read(limit + 1)
        except Exception as exc:  # zipfile raises many kinds on damaged data (zlib.error, ...)
            raise QdpxUnreadable(f"{name[:80]!r} is damaged inside the zip ({exc}).") from exc
        if len(data) > limit or len(data) > info.file_size:
            raise QdpxUnreadable(f"{name[:80]!r} is larger than its zip header says: refused.")
        return data

    def find(self, ref: str) -> str | None:
        """The member a `internal://`, `relative://` or bare path names, if any."""
        path = ref.split("://", 1)[-1].replace("\\", "/").lstrip("/")
        for candidate in (path, f"sources/{path}", f"Sources/{path}"):
            if candidate in self.infos:
                return candidate
        from urllib.parse import unquote

        base = posixpath.basename(unquote(path)).casefold()
        found = self.by_base.get(base, [])
        return found[0] if len(found) == 1 else None

    def project_member(self) -> str:
        names = [n for n in self.infos if n.lower().endswith(".qde")]
        if "project.qde" in names:
            return "project.qde"
        top = [n for n in names if "/" not in n]
        if len(top) == 1 or len(names) == 1:
            return (top or names)[0]
        raise QdpxUnreadable(
            "No project.qde inside: this is not a REFI-QDA project (.qdpx)"
            + (f" (it holds {len(names)} .qde files)." if names else ".")
        )


def decode_text(data: bytes) -> str:
    """A source file's text: UTF-8 (a BOM dropped), else what `textnorm.decode` finds."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from archive.ingest import textnorm

        return textnorm.decode(data).text


def _codes(parent: Any, project: QdaProject, path: str) -> list[QdaCode]:
    out: list[QdaCode] = []
    for el in _children(parent, "Code"):
        name = (el.get("name") or "").strip()
        where = f"{path}/{name}"
        if not name:
            project.problem(f"a code under {path or 'the codebook'}", "it has no name")
            continue
        colour = (el.get("color") or el.get("colour") or "").strip() or None
        code = QdaCode(
            guid=stable_guid(el.get("guid"), "code", where),
            name=name,
            colour=colour,
            description=_text_of(el, "Description"),
        )
        code.children = _codes(el, project, where)
        out.append(code)
    return out


def _codebook(root: Any, project: QdaProject) -> None:
    book = root if _local(root.tag) == "CodeBook" else _child(root, "CodeBook")
    if book is None:
        return
    codes = _child(book, "Codes")
    project.codes = _codes(codes if codes is not None else book, project, "")


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _selections(src_el: Any, source: QdaSource, project: QdaProject) -> None:
    for el in src_el:
        kind = _local(el.tag)
        if kind == "PlainTextSelection":
            start, end = _int(el.get("startPosition")), _int(el.get("endPosition"))
            name = el.get("name") or ""
            if start is None or end is None or start < 0 or end < start:
                project.problem(
                    f"a selection in {source.name!r} ({name[:40]!r})",
                    "its start and end positions are missing or not whole numbers in order",
                )
                continue
            codes = []
            for coding in _children(el, "Coding"):
                for ref in _children(coding, "CodeRef"):
                    if ref.get("targetGUID"):
                        codes.append(stable_guid(ref.get("targetGUID")))
            user = el.get("creatingUser") or next(
                (c.get("creatingUser") for c in _children(el, "Coding") if c.get("creatingUser")),
                None,
            )
            source.selections.append(
                QdaSelection(
                    guid=stable_guid(el.get("guid"), source.guid, str(start), str(end), *codes),
                    start=start,
                    end=end,
                    name=name,
                    user=stable_guid(user) if user else None,
                    created=el.get("creationDateTime"),
                    codes=codes,
                    notes=[
                        stable_guid(r.get("targetGUID"))
                        for r in _children(el, "NoteRef")
                        if r.get("targetGUID")
                    ],
                    description=_text_of(el, "Description"),
                )
            )
        elif kind.endswith("Selection"):
            project.problem(
                f"a {kind} in {source.name!r}", "only text selections can become annotations"
            )


def _source(el: Any, zf: _Zip, project: QdaProject) -> None:
    kind = _local(el.tag)
    name = (el.get("name") or "").strip() or "Untitled source"
    text_el = el
    original_ref = el.get("path") or ""
    if kind == "PDFSource":
        rep = _child(el, "Representation")
        if rep is None:
            project.problem(f"the PDF source {name!r}", "it has no text representation")
            return
        text_el = rep
    elif kind != "TextSource":
        project.problem(f"the {kind} {name!r}", "only text sources can become articles")
        return
    data: bytes | None = None
    text_path = text_el.get("plainTextPath") or ""
    member = zf.find(text_path) if text_path else None
    if member is None:
        # Some tools name the text file by the source's GUID only.
        for guess in (f"{el.get('guid')}.txt", f"{text_el.get('guid')}.txt"):
            member = zf.find(guess) if guess != "None.txt" else None
            if member:
                break
    if member is not None:
        data = zf.read(member)
        text = decode_text(data)
    else:
        inline = _child(text_el, "PlainTextContent")
        if inline is None:
            where = f" ({text_path[:80]})" if text_path else ""
            project.problem(f"the source {name!r}", f"its text file is not in the project{where}")
            return
        text = "".join(inline.itertext())
        data = text.encode("utf-8")
    original, original_name = data, posixpath.basename(member or f"{name}.txt")
    if original_ref:
        orig_member = zf.find(original_ref)
        if orig_member is not None and orig_member != member:
            original = zf.read(orig_member)
            original_name = posixpath.basename(orig_member)
    ext = posixpath.splitext(original_name)[1].lower()
    source = QdaSource(
        guid=stable_guid(el.get("guid"), "source", hashlib.sha256(data).hexdigest()),
        name=name,
        text=text,
        original=original,
        original_name=original_name,
        media_type=_MEDIA.get(ext, "application/octet-stream"),
        description=_text_of(el, "Description"),
        created=el.get("creationDateTime"),
    )
    source.notes = [stable_guid(r.get("targetGUID")) for r in _children(el, "NoteRef")
                    if r.get("targetGUID")]  # fmt: skip
    _selections(text_el, source, project)
    project.sources.append(source)


def _project(root: Any, zf: _Zip | None) -> QdaProject:
    project = QdaProject(name=(root.get("name") or "").strip(), origin=root.get("origin") or "")
    users = _child(root, "Users")
    for u in _children(users, "User") if users is not None else []:
        if u.get("guid"):
            project.users[stable_guid(u.get("guid"))] = (u.get("name") or "").strip() or "Unknown"
    _codebook(root, project)
    notes = _child(root, "Notes")
    for n in _children(notes, "Note") if notes is not None else []:
        text = _text_of(n, "PlainTextContent") or _text_of(n, "Description") or ""
        project.notes[stable_guid(n.get("guid"), "note", text)] = text
    sources = _child(root, "Sources")
    if zf is not None and sources is not None:
        for el in sources:
            if _local(el.tag):
                _source(el, zf, project)
    sets = _child(root, "Sets")
    for s in _children(sets, "Set") if sets is not None else []:
        name = (s.get("name") or "").strip()
        members = [stable_guid(m.get("targetGUID")) for m in _children(s, "MemberSource")
                   if m.get("targetGUID")]  # fmt: skip
        if name:
            project.sets.append((stable_guid(s.get("guid"), "set", name), name, members))
    return project


def read_qdpx(path: str | Path) -> QdaProject:
    """Read a `.qdpx` project; raises `QdpxUnreadable` if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise QdpxUnreadable(f"{path} is not a file.")
    zf = _Zip(path)
    try:
        member = zf.project_member()
        root = _parse_xml(zf.read(member, MAX_XML), member)
        if _local(root.tag) != "Project":
            raise QdpxUnreadable(f"{member} is not a REFI-QDA project (its root is not <Project>).")
        return _project(root, zf)
    finally:
        zf.zf.close()


def read_qdc(path: str | Path) -> QdaProject:
    """Read a REFI-QDA codebook (`.qdc`: codes only); raises `QdpxUnreadable`."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_XML + 1)
    except OSError as exc:
        raise QdpxUnreadable(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    if len(data) > MAX_XML:
        raise QdpxUnreadable(f"{path.name} is larger than {MAX_XML >> 20} MiB: refused.")
    root = _parse_xml(data, path.name)
    if _local(root.tag) not in ("CodeBook", "Project"):
        raise QdpxUnreadable(f"{path.name} is not a REFI-QDA codebook (no <CodeBook>).")
    project = QdaProject(name=(root.get("name") or path.stem), origin=root.get("origin") or "")
    _codebook(root, project)
    return project


def read_project(path: str | Path) -> QdaProject:
    """A `.qdc` codebook or a `.qdpx` project, by its content (a zip is a project)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except OSError as exc:
        raise QdpxUnreadable(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    if head.startswith(b"PK") or path.suffix.lower() == ".qdpx":
        return read_qdpx(path)
    return read_qdc(path)
