"""REFI-QDA project export (`.qdpx`): the selection for NVivo, ATLAS.ti, MAXQDA and QualCoder.

A `.qdpx` is a zip holding `project.qde` (QDA-XML, valid against the
REFI-QDA 1.0 Project.xsd) and `sources/<guid>.txt`, each article's text in
UTF-8. In the project:

- users: everyone who made an annotation;
- the codebook: each tag type a code (its colour kept), each entity a code
  nested under its tag type (aliases and event details in its description);
- sources: each article a TextSource (`plainTextPath="internal://<guid>.txt"`),
  each placed annotation a PlainTextSelection (start and end in Unicode code
  points, as the standard says) with one Coding: its entity's code, else its
  tag type's; a figure's claim in the selection's description;
- notes: each annotation's note a Note, referred to from its selection;
- sets: each collection a Set of its articles;
- the evidence model (`archive.exports.qdpx_evidence`): each article's review status,
  verification and sensitive flag as variables, each claim's range and verification in
  its selection's description, roles and relations as Links between codes, each
  collection's case notes a Note of its Set.

GUIDs are stable: Sesame's ids are UUIDs already (written with dashes), and
what has no id (tag types, codings, notes, sets' own ids are ids) gets a
name-based UUID (uuid5) from the archive id and what it stands for, so the
same archive exported twice gives the same GUIDs. Orphaned annotations (their
passage is gone from the text) cannot be placed and are left out, counted.
Characters XML 1.0 cannot carry (most C0 controls) become U+FFFD, one code
point for one, so offsets hold.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from archive.exports import qdpx_evidence as qe
from archive.exports.files import atomic_file, output_path
from archive.exports.selection import Selection, choose, rows
from archive.exports.w3c import w3c_time
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn

NS = "urn:QDA-XML:project:1.0"
PROJECT = "project.qde"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RGB = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


def xml_text(text: str | None) -> str:
    """Text XML 1.0 can carry: each character it cannot becomes U+FFFD (same length)."""
    return _NOT_XML.sub("\ufffd", text or "")


_HEX32 = re.compile(r"[0-9a-f]{32}")


def _dashed(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def guid(ident: str) -> str:
    """A Sesame id (32 hex digits) as a REFI GUID: the same UUID, with dashes.

    By slicing (`uuid.UUID` costs 10 us a call: 160,000 calls for 50,000 annotations).
    """
    if _HEX32.fullmatch(ident):
        return _dashed(ident)
    return str(uuid.UUID(hex=ident))


def named_guid(archive_id: str, *parts: str) -> str:
    """A stable GUID for what has no id of its own: uuid5(archive id, "/".join(parts)).

    The same bytes as `uuid.uuid5`, without its two UUID objects a call.
    """
    digest = bytearray(
        hashlib.sha1(bytes.fromhex(archive_id) + "/".join(parts).encode("utf-8")).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return _dashed(digest.hex())


_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                       "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})  # fmt: skip
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


# Any character an attribute value must not carry as it is: escaped, or not XML at all.
_ATTR_RISK = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def _attr(value: Any) -> str:
    text = value if type(value) is str else str(value)
    # Most values (GUIDs, offsets, times) need nothing: one search, not a rewrite.
    return xml_text(text).translate(_ATTR) if _ATTR_RISK.search(text) else text


def _open(tag: str, attrs: dict[str, Any], close: bool = False) -> str:
    """A start tag (or an empty element) with its attributes escaped; empty ones left out."""
    inner = "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items() if v is not None and v != "")
    return f"<{tag}{inner}{'/' if close else ''}>"


def _leaf(tag: str, text: str) -> str:
    return f"<{tag}>{xml_text(text).translate(_TEXT)}</{tag}>"


def _when(value: Any) -> str | None:
    return w3c_time(value) or None


class _Project:
    """The project document as it is built: the sources article by article, then the rest.

    Written as text (QDA-XML's few shapes, escaped here) rather than through an
    ElementTree: serialising 200,000 elements took most of an export's time.
    """

    def __init__(self, chosen: Any, archive_id: str, data: dict[str, Any]) -> None:
        self.chosen = chosen
        self.aid = archive_id
        self.data = data
        self.sources: list[str] = []
        self.notes: list[tuple[str, dict[str, Any]]] = []
        self.used_users: set[str] = set()
        self.used_entities: set[str] = set()
        self.article_ids: set[str] = set()
        self.kept: dict[str, dict[str, Any]] = {}  # annotation id -> row, as written
        self.arts: dict[str, str] = {}  # article id -> title
        self.variable_guid = {key: named_guid(archive_id, "variable", key)
                              for key, _, _ in qe.VARIABLES}  # fmt: skip
        self.counts = {"articles": 0, "selections": 0, "orphaned_left_out": 0, "codes": 0}
        self.type_guid = {t["key"]: named_guid(archive_id, "tagtype", t["key"])
                          for t in data["types"]}  # fmt: skip

    def article(self, art: dict[str, Any], anns: list[dict[str, Any]]) -> str:
        """Add one article as a TextSource with its selections; its GUID."""
        self.counts["articles"] += 1
        self.article_ids.add(art["id"])
        sguid = guid(art["id"])
        out = self.sources
        out.append(_open("TextSource", {
            "guid": sguid, "name": art["title"], "plainTextPath": f"internal://{sguid}.txt",
            "creationDateTime": _when(art["imported_at"]),
            "modifiedDateTime": _when(art["updated_at"])}))  # fmt: skip
        about = [x for x in (art["source"], art["published"], art["url"]) if x]
        if about:
            out.append(_leaf("Description", " · ".join(str(x) for x in about)))
        self.arts[art["id"]] = art["title"]
        for a in anns:
            self.kept[a["id"]] = a
            if a["orphaned"]:
                self.counts["orphaned_left_out"] += 1
            else:
                self.selection(a)
        out.extend(self._variable_values(art))
        out.append("</TextSource>")
        return sguid

    def selection(self, a: dict[str, Any]) -> None:
        self.counts["selections"] += 1
        user = guid(a["created_by"]) if a["created_by"] in self.data["users"] else None
        if user:
            self.used_users.add(a["created_by"])
        created = _when(a["created_at"])
        out = self.sources
        out.append(_open("PlainTextSelection", {
            "guid": guid(a["id"]), "name": a["quote"][:200], "startPosition": a["start"],
            "endPosition": a["end"], "creatingUser": user, "creationDateTime": created,
            "modifiedDateTime": _when(a["updated_at"])}))  # fmt: skip
        described = qe.selection_description(a, self.chosen.plain)
        if described:
            out.append(_leaf("Description", described))
        if a["entity_id"]:
            self.used_entities.add(a["entity_id"])
        target = guid(a["entity_id"]) if a["entity_id"] else self.type_guid.get(a["type_key"])
        coding = named_guid(self.aid, "coding", a["id"])
        out.append(_open("Coding", {"guid": coding, "creatingUser": user,
                                    "creationDateTime": created}))  # fmt: skip
        out.append(_open("CodeRef", {"targetGUID": target}, close=True) + "</Coding>")
        if a["note"]:
            note_guid = named_guid(self.aid, "note", a["id"])
            out.append(_open("NoteRef", {"targetGUID": note_guid}, close=True))
            self.notes.append((note_guid, a))
        out.append("</PlainTextSelection>")

    def finish(self) -> bytes:
        """The whole document: users, codebook, the sources, notes and sets."""
        name = f"Sesame: {self.chosen.selection.describe()}"
        out = ["<?xml version='1.0' encoding='utf-8'?>\n",
               _open("Project", {"xmlns": NS, "name": name, "origin": "Sesame"})]  # fmt: skip
        users = self.data["users"]
        if self.used_users:
            out.append("<Users>")
            out.extend(
                _open("User", {"guid": guid(uid), "name": users[uid]["display_name"]}, close=True)
                for uid in sorted(self.used_users)
            )
            out.append("</Users>")
        links, link_notes = self._links()  # first: their ends' codes must be written
        case_notes = self._case_notes()
        out.append("<CodeBook><Codes>")
        out.extend(self._codes())
        out.append("</Codes></CodeBook>")
        out.append("<Variables>")
        for key, label, kind in qe.VARIABLES:
            out.append(_open("Variable", {"guid": self.variable_guid[key], "name": label,
                                          "typeOfVariable": kind}))  # fmt: skip
            out.append(_leaf("Description", f"Sesame article field {key}") + "</Variable>")
        out.append("</Variables><Sources>")
        out.extend(self.sources)
        out.append("</Sources>")
        if self.notes or link_notes or case_notes:
            out.append("<Notes>")
            for note_guid, a in self.notes:
                out.append(_open("Note", {"guid": note_guid, "name": "Note",
                                          "creationDateTime": _when(a["updated_at"])}))  # fmt: skip
                out.append(_leaf("PlainTextContent", a["note"]) + "</Note>")
            for note_guid, name, text, when in link_notes + [n[1:] for n in case_notes]:
                out.append(_open("Note", {"guid": note_guid, "name": name,
                                          "creationDateTime": _when(when)}))  # fmt: skip
                out.append(_leaf("PlainTextContent", text) + "</Note>")
            out.append("</Notes>")
        if links:
            out.append("<Links>")
            out.extend(links)
            out.append("</Links>")
        out.extend(self._sets({n[0]: n[1] for n in case_notes}))
        out.extend(_open("NoteRef", {"targetGUID": n[1]}, close=True) for n in case_notes)
        out.append("</Project>\n")
        return "".join(out).encode("utf-8")

    def _codes(self) -> list[str]:
        by_type: dict[str, list[dict[str, Any]]] = {}
        for e in self.data["entities"]:
            everything = self.chosen.selection.whole_archive
            if self.chosen.selection.without_sensitive:
                everything = False  # a code only a left-out passage used would name it
            if everything or e["id"] in self.used_entities:
                by_type.setdefault(e["type_key"], []).append(e)
        out: list[str] = []
        for t in self.data["types"]:
            colour = t["colour"] if _RGB.fullmatch(str(t["colour"])) else None
            out.append(_open("Code", {"guid": self.type_guid[t["key"]], "name": t["label"],
                                      "isCodable": "true", "color": colour}))  # fmt: skip
            out.append(_leaf("Description", f"Sesame tag type {t['key']}"))
            self.counts["codes"] += 1
            for e in by_type.get(t["key"], []):
                out.append(_open("Code", {
                    "guid": guid(e["id"]), "name": self.chosen.entity_name(e["id"]) or e["name"],
                    "isCodable": "true", "color": colour}))  # fmt: skip
                self.counts["codes"] += 1
                described = _entity_description(self.chosen, e)
                if described:
                    out.append(_leaf("Description", described))
                out.append("</Code>")
            out.append("</Code>")
        return out

    def _sets(self, notes: dict[str, str]) -> list[str]:
        members: dict[str, list[str]] = {}
        for m in self.data["members"]:
            if m["article_id"] in self.article_ids:
                members.setdefault(m["collection_id"], []).append(m["article_id"])
        chosen = [c for c in self.data["collections"] if members.get(c["id"]) or c["id"] in notes]
        if not chosen:
            return []
        out = ["<Sets>"]
        for c in chosen:
            out.append(_open("Set", {"guid": guid(c["id"]), "name": c["name"]}))
            out.extend(
                _open("MemberSource", {"targetGUID": guid(a)}, close=True)
                for a in members.get(c["id"], [])
            )
            if c["id"] in notes:
                out.append(_open("MemberNote", {"targetGUID": notes[c["id"]]}, close=True))
            out.append("</Set>")
        out.append("</Sets>")
        return out

    def _variable_values(self, art: dict[str, Any]) -> list[str]:
        out = []
        for key, value in qe.variable_values(art, self.chosen.plain).items():
            if value == "":
                continue
            kind = "BooleanValue" if isinstance(value, bool) else "TextValue"
            text = ("true" if value else "false") if isinstance(value, bool) else value
            ref = _open("VariableRef", {"targetGUID": self.variable_guid[key]}, close=True)
            out.append(f"<VariableValue>{ref}{_leaf(kind, text)}</VariableValue>")
        return out

    def _links(self) -> tuple[list[str], list[tuple[str, str, str, Any]]]:
        """Roles and relations whose passage the project holds, as Links between codes; and
        each one's Note (guid, name, text, time)."""
        from archive.exports.report_evidence import read_evidence

        evidence = read_evidence(self.chosen.archive, self.kept)
        links: list[str] = []
        notes: list[tuple[str, str, str, Any]] = []
        claims = [("role", r, r["actor_id"], r["event_id"], r["role"]) for r in evidence.roles]
        claims += [("relation", r, r["subject_id"], r["object_id"], r["type"])
                   for r in evidence.relations]  # fmt: skip
        for kind, r, origin, target, key in claims:
            passage = self.kept[r["annotation_id"]]
            label = r["label"] or qe.words(key)
            name = self.chosen.entity_name
            title = self.arts.get(passage["article_id"], "")
            text = f"{name(origin)} — {label} — {name(target)}\n“{passage['quote']}” ({title})"
            if r["note"]:
                text += "\n" + self.chosen.plain(r["note"])
            self.used_entities.update((origin, target))
            note_guid = named_guid(self.aid, f"{kind}-note", r["id"])
            links.append(_open("Link", {
                "guid": guid(r["id"]), "name": label, "direction": "OneWay",
                "originGUID": guid(origin), "targetGUID": guid(target)}))  # fmt: skip
            links.append(_open("NoteRef", {"targetGUID": note_guid}, close=True) + "</Link>")
            notes.append((note_guid, f"{label}: {name(origin)} → {name(target)}", text,
                          r["created_at"]))  # fmt: skip
        self.counts["links"] = len(links) // 2
        return links, notes

    def _case_notes(self) -> list[tuple[str, str, str, str, Any]]:
        """(collection id, note guid, name, text, time) of each covered collection's notes."""
        from archive.exports.report_evidence import covered_collections, note_targets

        colls = covered_collections(self.chosen.archive, self.chosen)
        if not colls:
            return []
        resolved, sensitive = note_targets(self.chosen.archive, colls)
        hiding = self.chosen.selection.without_sensitive

        def left_out(ref: str) -> bool:
            return hiding and resolved.get(("annotation", ref), (None, ""))[0] in sensitive

        out = []
        for c in colls:
            text = self.chosen.plain(qe.mask_note_links(c["notes"], left_out))
            out.append((c["id"], named_guid(self.aid, "case-notes", c["id"]),
                        f"Case notes: {self.chosen.plain(c['name'])}", text, None))  # fmt: skip
        self.counts["case_notes"] = len(out)
        return out


def export_qdpx(
    archive: Archive,
    out: str | Path,
    selection: Selection | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Write the selection to OUT as a REFI-QDA project (`.qdpx`); the counts."""
    selection = selection or Selection()
    path = output_path(out, "project.qdpx")
    chosen = choose(archive, selection)
    with archive.engine.connect() as conn:
        data = {
            "types": rows(conn, "SELECT * FROM tagtype ORDER BY builtin DESC, key"),
            "entities": rows(conn, "SELECT * FROM entity WHERE merged_into IS NULL ORDER BY name"),
            "users": {r["id"]: r for r in rows(conn, "SELECT id, display_name FROM user")},
            "members": rows(conn, "SELECT article_id, collection_id FROM articlecollection"),
            "collections": rows(conn, "SELECT id, name FROM collection ORDER BY name"),
        }
    project = _Project(chosen, archive.archive_id, data)
    with atomic_file(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for art, anns in chosen.articles(progress, cancel, message="Writing the project"):
            sguid = project.article(art, anns)
            zf.writestr(f"sources/{sguid}.txt", xml_text(art["text"]).encode("utf-8"))
        zf.writestr(PROJECT, project.finish())
    return {"path": str(path), "format": "qdpx", **project.counts}


def _entity_description(chosen: Any, e: dict[str, Any]) -> str:
    import json

    protected = chosen.pseud is not None and chosen.pseud.pseudonym_of(e["name"]) is not None
    aliases = json.loads(e["aliases"]) if isinstance(e["aliases"], str) else e["aliases"]
    parts = []
    if aliases and not protected:
        parts.append("Also: " + "; ".join(chosen.plain(x) for x in aliases))
    if e["description"] and not protected:
        parts.append(chosen.plain(e["description"]))
    when = " – ".join(x for x in (e["date_start"], e["date_end"]) if x)
    if when and e.get("date_precision"):
        when += f" (to the {e['date_precision']})"
    place = chosen.plain(e["place"])
    if place and e.get("place_precision"):
        place += f" (precise to the {e['place_precision']})"
    if when or place:
        parts.append(" · ".join(x for x in (when, place) if x))
    return "\n".join(parts)
