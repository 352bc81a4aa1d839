"""Import a verified bundle into an archive: one core change, one undo step, one audit entry.

Nothing is touched until the whole bundle has verified (`reader.open_bundle`).
Then, inside one change (origin `bundle:<id>`):

- originals are added if missing (their bytes were checked against their name);
- articles are matched by id, else by original bytes and title, else by
  text; new ones are added, known ones get newer metadata; the local text
  is kept, and incoming annotations are re-anchored onto it by quote and
  context (those that cannot be found come in orphaned, and are reported);
- entities are matched by id (following merges); a new entity whose name
  another local entity already has is added under a marked name and offered
  for merging, never merged silently; tombstones keep merges traceable;
  a known entity takes the sender's edits (name, aliases, description, dates,
  place) when it is unchanged here since it last came in a bundle, else it is
  kept and reported (`entity_conflicts`);
- annotations are matched by id: new ones are added; for known ones the
  exchange record (`models.Exchange`, the content as last exchanged) decides
  a three-way merge (the base: the bundle's `sesame:base`, or the record when it came
  from this same sender) — changed on one side only, that side wins; changed on
  both, the local one stays and the incoming one is kept beside it as a
  conflict copy (origin `conflict:<id>`), reported for the person to choose;
- an annotation deleted here after it came in a bundle stays deleted unless the
  sender changed it since (then its version comes in as a conflict copy); one
  the same sender deleted (in the base, absent from their new bundle that holds
  its article) is deleted here unless edited here since (then kept, reported);
- a bundle this archive exported itself (its `archive_id`, signed by the owner's key)
  holds only earlier versions of what is here: it adds what is missing and changes,
  deletes or reports nothing else, and leaves the exchange records alone;
- a second import of the same bundle adds and changes nothing.

The `Exchange` table holds the bases, told apart by their key: an annotation's
id (its content hash as last received), `entity:<id>` (an entity's, see
`entity_hash`) and `sender:<bundle id>` (the public key that signed that
bundle: whose bundle an annotation's base came in).

The change set is the import report: added / updated / unchanged per kind,
conflicts, orphans and entity offers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from archive import annotate, entities, memory, models, tagtypes
from archive.bundles import spec
from archive.bundles.reader import Bundle, open_bundle
from archive.changes import Change
from archive.exports.w3c import FIGURE_KEYS
from archive.store import Archive


@dataclass
class MergeReport:
    """What importing a bundle did (`sesame import-bundle --json`)."""

    bundle_id: str
    signed_by: str
    change_id: str = ""
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    entity_conflicts: list[dict[str, Any]] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    entity_offers: list[dict[str, Any]] = field(default_factory=list)
    matched_articles: dict[str, str] = field(default_factory=dict)  # bundle id -> local id
    # Conflict copies the sender still had open, added here: open here too (QA F6).
    open_conflicts: list[str] = field(default_factory=list)

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        target: dict[str, int] = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + n

    @property
    def changed_nothing(self) -> bool:
        return not (
            self.added or self.updated or self.deleted or self.conflicts or self.entity_conflicts
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "bundle_id": self.bundle_id,
            "signed_by": self.signed_by,
            "change_id": self.change_id,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "conflicts": self.conflicts,
            "entity_conflicts": self.entity_conflicts,
            "orphaned": self.orphaned,
            "entity_offers": self.entity_offers,
            "matched_articles": self.matched_articles,
            "open_conflicts": self.open_conflicts,
        }

    def line(self) -> str:
        """The report in one line."""
        if self.changed_nothing and not self.orphaned and not self.entity_offers:
            return "Nothing new: everything in this bundle is already in the archive."

        def fmt(d: dict[str, int]) -> str:
            return ", ".join(_counted(n, k) for k, n in sorted(d.items())) or "nothing"

        parts = [f"added {fmt(self.added)}", f"updated {fmt(self.updated)}"]
        if self.deleted:
            parts.append(f"deleted {fmt(self.deleted)} (deleted by the sender)")
        if self.conflicts:
            n = len(self.conflicts)
            parts.append(f"{n:,} conflict{'' if n == 1 else 's'} to resolve")
        if self.entity_conflicts:
            both = _counted(len(self.entity_conflicts), "entities")
            parts.append(f"{both} edited on both sides")
        if self.orphaned:
            parts.append(f"{_counted(len(self.orphaned), 'annotations')} orphaned")
        if self.entity_offers:
            parts.append(f"{_counted(len(self.entity_offers), 'entities')} to consider merging")
        if self.open_conflicts:
            n = len(self.open_conflicts)
            parts.append(
                f"{n:,} conflict{'' if n == 1 else 's'} the sender has not resolved "
                "(their two versions are both here: `sesame conflicts`)"
            )
        return "Imported: " + "; ".join(parts) + "."


# The report's kinds in words, one and many ("1 entity", not "1 entities").
_KIND_WORDS = {
    "annotations": ("annotation", "annotations"),
    "articles": ("article", "articles"),
    "collection_members": ("collection membership", "collection memberships"),
    "collections": ("collection", "collections"),
    "conflict_copies": ("conflict copy", "conflict copies"),
    "entities": ("entity", "entities"),
    "originals": ("original file", "original files"),
    "relation_types": ("relation type", "relation types"),
    "relations": ("relation", "relations"),
    "role_types": ("role type", "role types"),
    "roles": ("role", "roles"),
    "tag_types": ("tag type", "tag types"),
    "users": ("user", "users"),
}


def _counted(n: int, kind: str) -> str:
    """`n` of a report's kind in words: "1 entity", "2,000 original files"."""
    plain = kind.replace("_", " ")
    one, many = _KIND_WORDS.get(kind, (plain, plain))
    return f"{n:,} {one if n == 1 else many}"


def content_hash(ann: dict[str, Any]) -> str:
    """The comparable content of an annotation in bundle form (offsets left out: they move
    when a text is re-anchored, the quote and its context do not)."""
    sel = ann["target"]["selector"][1]
    tags = sorted(b.get("value", "") for b in ann["body"] if b["purpose"] == "tagging")
    linked = sorted(b.get("source", "") for b in ann["body"] if b["purpose"] == "identifying")
    notes = sorted(b.get("value", "") for b in ann["body"] if b["purpose"] == "commenting")
    figure = ann.get("sesame:figure")
    if figure is not None and figure.get("low") is None and figure.get("high") is None:
        # Format 1 had no range: a claim without one hashes as it always did.
        figure = {k: v for k, v in figure.items() if k not in ("low", "high")}
    doc: dict[str, Any] = {
        "quote": sel["exact"],
        "prefix": sel["prefix"],
        "suffix": sel["suffix"],
        "tags": tags,
        "entities": linked,
        "notes": notes,
        "figure": figure,
    }
    review = {
        "verification": ann.get("sesame:verification") or "unverified",
        "verification_note": ann.get("sesame:verificationNote") or "",
        "sensitive": bool(ann.get("sesame:sensitive")),
        "sensitive_reason": ann.get("sesame:sensitiveReason") or "",
    }
    if review != _UNREVIEWED:
        # Only when set, so that an annotation nobody reviewed hashes as in format 1.
        doc["review"] = review
    return hashlib.sha256(spec.canonical(doc)).hexdigest()


ENTITY_FIELDS = (
    "name",
    "aliases",
    "description",
    "date_start",
    "date_end",
    "place",
    "date_precision",
    "place_precision",
)
ENTITY_KEY = "entity:"  # Exchange keys: an entity's base
SENDER_KEY = "sender:"  # Exchange keys: the key that signed a bundle


def normalised_text_hash(text: str) -> str:
    """SHA-256 (hex) of `text` in NFC with every run of whitespace one space, the ends
    trimmed: what two copies of one text that differ only in spacing share (§10.2)."""
    import unicodedata

    words = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def entity_hash(e: dict[str, Any]) -> str:
    """The comparable content of an entity in bundle form (what a colleague may edit)."""
    return hashlib.sha256(spec.canonical({f: e.get(f) for f in ENTITY_FIELDS})).hexdigest()


def _entity_form(row: models.Entity) -> dict[str, Any]:
    form = {f: getattr(row, f) for f in ENTITY_FIELDS}
    form["aliases"] = list(row.aliases)
    return form


_UNREVIEWED = {
    "verification": "unverified",
    "verification_note": "",
    "sensitive": False,
    "sensitive_reason": "",
}


def _when(text: str) -> datetime:
    """A bundle's time (UTC, as the writer stored it) as an aware datetime."""
    if not text:
        return models.utcnow()
    return _aware(datetime.fromisoformat(text))


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _local_form(row: models.Annotation) -> dict[str, Any]:
    """A local annotation in the bundle form `content_hash` reads."""
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": row.type_key}
    ]
    if row.entity_id:
        body.append(
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "source": spec.urn("entity", row.entity_id),
            }
        )
    if row.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": row.note})
    figure = None
    if any(getattr(row, k) is not None for k in FIGURE_KEYS):
        figure = {k: getattr(row, k) for k in FIGURE_KEYS}
    return {
        "sesame:verification": row.verification,
        "sesame:verificationNote": row.verification_note,
        "sesame:sensitive": bool(row.sensitive),
        "sesame:sensitiveReason": row.sensitive_reason,
        "body": body,
        "target": {
            "selector": [
                {"type": "TextPositionSelector", "start": row.start, "end": row.end},
                {
                    "type": "TextQuoteSelector",
                    "exact": row.quote,
                    "prefix": row.prefix,
                    "suffix": row.suffix,
                },
            ]
        },
        "sesame:figure": figure,
    }


# Annotations merged at a time: their rows are looked up, built and inserted together.
BATCH = 2000

_ORIGINAL = models.Original.__table__  # type: ignore[attr-defined]
_ARTICLE = models.Article.__table__  # type: ignore[attr-defined]
_ANNOTATION = models.Annotation.__table__  # type: ignore[attr-defined]
_MEMBER = models.ArticleCollection.__table__  # type: ignore[attr-defined]
_EXCHANGE = models.Exchange.__table__  # type: ignore[attr-defined]


class _NewArticle:
    """A new article as the merge inserts it (its row's values) and reads it (id, text,
    parent): an ORM object each cost more than the rest of adding it."""

    __slots__ = ("parent_id", "values")

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.parent_id: str | None = None

    @property
    def id(self) -> str:
        return str(self.values["id"])

    @property
    def text(self) -> str:
        return str(self.values["text"])


_Placed = models.Article | _NewArticle  # where an incoming article is, here


class _Merger:
    def __init__(self, ch: Change, bundle: Bundle, report: MergeReport) -> None:
        self.ch = ch
        self.session: Session = ch.session
        self.bundle = bundle
        self.report = report
        self.origin = f"bundle:{bundle.id}"
        self.articles: dict[str, _Placed] = {}  # bundle article id -> local row
        self.entity_ids: dict[str, str] = {}  # bundle entity id -> local entity id

    def run(self) -> None:
        # Flushed by hand where order matters: an autoflush before every `get` was most of
        # an import's time (24,791 flushes for 2,000 articles).
        with self.session.no_autoflush:
            self._run()
        self.session.flush()

    def _run(self) -> None:
        # key -> (content hash, bundle id); written in bulk by `_write_exchange`.
        self.exchange: dict[str, tuple[str, str]] = {
            k: (h, b)
            for k, h, b in self.session.connection().exec_driver_sql(
                "SELECT annotation_id, content_hash, bundle_id FROM exchange"
            )
        }
        self.exchange_new: dict[str, tuple[str, str]] = {}
        self.exchange_changed: dict[str, tuple[str, str]] = {}
        self.exchange_gone: list[str] = []
        # A bundle this archive exported itself, signed by this person's own key, holds
        # only earlier (or the same) versions of what is here: taken as a base it would
        # take an annotation edited by a colleague since back to the old version, or
        # report a conflict that is none. It only adds what is missing (`_own_known`).
        # Both must hold: a copied archive's folder keeps its id, not its owner's key.
        self.own = bool(
            self.bundle.verdict.own
            and self.bundle.manifest.get("archive_id") == self.ch.archive.archive_id
        )
        # Whose bundle this is, known at once (`_theirs`) but written only if some base
        # came in it: a bundle of nothing new leaves no row behind (no undo step; QA F19).
        sender = SENDER_KEY + self.bundle.id
        key = self.bundle.verdict.public_key
        unrecorded = bool(key) and not self.own and sender not in self.exchange
        if unrecorded:
            self.exchange[sender] = (key or "", self.bundle.id)
        elif key and not self.own:
            self._record(sender, key)
        options = self.bundle.manifest.get("options") or {}
        # A pseudonymised bundle's names are not edits; one without what is flagged
        # sensitive lacks annotations its sender still has.
        self.pseudonymised = bool(options.get("pseudonyms"))
        self.partial = bool(options.get("sensitive_left_out"))
        self._users()
        self._tag_types()
        self._articles()
        self._collections()
        self._entities()
        self._annotations()
        self._write_exchange()
        self._deleted_by_sender()
        self._claims()
        if unrecorded and any(
            b == self.bundle.id for k, (_, b) in self.exchange.items() if k != sender
        ):
            self.exchange_new[sender] = self.exchange[sender]
        self._write_exchange()

    # -- people, tag types ---------------------------------------------------------

    def _users(self) -> None:
        self.known_users = {
            u for (u,) in self.session.connection().exec_driver_sql("SELECT id FROM user")
        }
        for u in self.bundle.users:
            self.known_users.add(u["id"])
            if self.session.get(models.User, u["id"]) is None:
                self.session.add(
                    models.User(
                        id=u["id"], display_name=u["display_name"], public_key=u["public_key"]
                    )
                )
                self.report.count("added", "users")

    def _tag_types(self) -> None:
        for t in self.bundle.tag_types:
            if self.session.get(models.TagType, t["key"]) is not None:
                self.report.count("unchanged", "tag_types")
                continue
            taken = {(x.shortcut or "").upper() for x in self.session.exec(select(models.TagType))}
            shortcut = t["shortcut"] if (t["shortcut"] or "").upper() not in taken else None
            tagtypes.create_tag_type(self.ch, t["key"], t["label"], t["colour"], shortcut)
            self.report.count("added", "tag_types")

    # -- articles and originals ------------------------------------------------------

    def _in(self, column: Any, values: list[Any]) -> list[Any]:
        """Rows whose `column` is one of `values` (500 at a time: SQLite's variable limit)."""
        model = column.class_
        return [
            r
            for i in range(0, len(values), 500)
            for r in self.session.exec(select(model).where(col(column).in_(values[i : i + 500])))
        ]

    def _present(self, table: str, column: str, values: list[str]) -> set[str]:
        """Which of `values` are in `table.column` (keys only, no row read)."""
        conn = self.session.connection()
        found: set[str] = set()
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ",".join("?" * len(chunk))
            sql = f'SELECT "{column}" FROM "{table}" WHERE "{column}" IN ({marks})'
            found.update(v for (v,) in conn.exec_driver_sql(sql, tuple(chunk)))
        return found

    def _matches(self, docs: list[dict[str, Any]]) -> dict[str, models.Article]:
        """Bundle article id -> local article: by id, else by original and title, else by text.

        Read in a few IN queries: one `session.get` and two SELECTs per article were most of
        the articles' share of an import."""
        a = models.Article
        found = {r.id: r for r in self._in(a.id, [d["id"] for d in docs])}
        rest = [d for d in docs if d["id"] not in found]
        by_original: dict[tuple[str | None, str], models.Article] = {}
        by_text: dict[str, models.Article] = {}
        if rest:
            shas = sorted({d["original_sha256"] for d in rest if d["original_sha256"]})
            for r in sorted(self._in(a.original_sha256, shas), key=lambda r: r.imported_at):
                by_original.setdefault((r.original_sha256, r.title), r)
            texts = sorted({d["text_sha256"] for d in rest})
            for r in sorted(self._in(a.text_sha256, texts), key=lambda r: r.imported_at):
                by_text.setdefault(r.text_sha256, r)
        matched: dict[str, models.Article] = {}
        for d in docs:
            row = found.get(d["id"])
            if row is None and d["original_sha256"]:
                row = by_original.get((d["original_sha256"], d["title"]))
            if row is None:
                row = by_text.get(d["text_sha256"])
            if row is not None:
                matched[d["id"]] = row
        matched.update(self._same_words([d for d in docs if d["id"] not in matched]))
        return matched

    def _same_words(self, docs: list[dict[str, Any]]) -> dict[str, models.Article]:
        """Bundle article id -> the local article with the same text but for its spacing
        (other whitespace, other line ends, NFC): `normalised_text_hash` equal.

        Candidates are the local articles whose copy signature (`archive.copies`: its
        tokens leave spacing out) equals the incoming text's, one query, so that no
        local text is read unless it may match; an archive without signatures
        (empty, or never signed) has none."""
        from archive import copies

        conn = self.session.connection()
        if (
            not docs
            or conn.exec_driver_sql("SELECT 1 FROM copysignature LIMIT 1").fetchone() is None
        ):
            return {}
        sigs = copies.signatures([d["text"] for d in docs])
        wanted: dict[bytes, list[dict[str, Any]]] = {}
        for d, sig in zip(docs, sigs, strict=True):
            if sig is not None:
                wanted.setdefault(copies.encode(sig), []).append(d)
        candidates: dict[bytes, list[str]] = {}
        blobs = list(wanted)
        for i in range(0, len(blobs), 500):
            chunk = blobs[i : i + 500]
            marks = ", ".join("?" * len(chunk))
            for aid, blob in conn.exec_driver_sql(
                f"SELECT article_id, signature FROM copysignature WHERE signature IN ({marks})",
                tuple(chunk),
            ):
                candidates.setdefault(bytes(blob), []).append(aid)
        a = models.Article
        matched: dict[str, models.Article] = {}
        for blob, ids in candidates.items():
            rows = sorted(self._in(a.id, ids), key=lambda r: r.imported_at)
            local = [(normalised_text_hash(r.text), r) for r in rows]
            for d in wanted[blob]:
                target = normalised_text_hash(d["text"])
                row = next((r for h, r in local if h == target), None)
                if row is not None:
                    matched[d["id"]] = row
        return matched

    def _articles(self) -> None:
        matched = self._matches(self.bundle.articles)
        self.new_originals: dict[str, dict[str, Any]] = {}
        self.known_originals = self._present(
            "original",
            "sha256",
            sorted({d["original_sha256"] for d in self.bundle.articles if d["original_sha256"]}),
        )
        new: list[_NewArticle] = []
        for doc in self.bundle.articles:
            local = matched.get(doc["id"])
            if local is None:
                new.append(self._add_article(doc))
                continue
            self.articles[doc["id"]] = local
            if local.id != doc["id"]:
                self.report.matched_articles[doc["id"]] = local.id
            if self._newer_metadata(local, doc):
                self.report.count("updated", "articles")
            else:
                self.report.count("unchanged", "articles")
        self._insert_new(new)
        parents: list[tuple[str, str]] = []
        for doc in self.bundle.articles:
            row = self.articles[doc["id"]]
            parent = doc["parent_id"]
            if parent and row.parent_id is None and parent in self.articles:
                row.parent_id = self.articles[parent].id
                if isinstance(row, _NewArticle):
                    parents.append((row.parent_id, row.id))
                else:
                    self.session.add(row)
        if parents:  # after every new row is in: a parent may sort after its child
            self.session.connection().exec_driver_sql(
                "UPDATE article SET parent_id = ? WHERE id = ?", parents
            )

    def _insert_new(self, new: list[_NewArticle]) -> None:
        """New originals and articles in one multi-row INSERT each, announced to the change
        (`Change.track`), as the import pipeline writes them."""
        self.session.flush()
        if self.new_originals:
            self.ch.track("original", list(self.new_originals), new=True)
            self.session.execute(_ORIGINAL.insert(), list(self.new_originals.values()))
        if new:
            self.ch.track("article", [r.id for r in new], new=True)
            self.session.execute(_ARTICLE.insert(), [r.values for r in new])

    _article_defaults: dict[str, Any] | None = None

    def _add_article(self, doc: dict[str, Any]) -> _NewArticle:
        sha = doc["original_sha256"]
        if sha and sha not in self.new_originals and sha not in self.known_originals:
            info = doc["original"] or {"media_type": "application/octet-stream", "first_name": ""}
            data = self.bundle.original(sha)
            self.new_originals[sha] = {
                "sha256": sha,
                "media_type": info["media_type"],
                "size": len(data),
                "data": data,
                "first_name": info["first_name"],
                "imported_at": _when(info.get("imported_at", "")),
            }
            self.report.count("added", "originals")
        if self._article_defaults is None:
            # Every column's default, from one ORM object (the values given below replace
            # the ones made by a factory: id, times, meta). An ORM object per article, only
            # to read its columns back for the INSERT, was a fifth of the merge's CPU time
            # (2,000 articles: 6.4 of 32.9 s under the profiler).
            template = models.Article()
            self._article_defaults = {c.name: getattr(template, c.name) for c in _ARTICLE.columns}
        values = {
            **self._article_defaults,
            "id": doc["id"],
            "title": doc["title"],
            "source": doc["source"],
            "url": doc["url"],
            "byline": doc["byline"],
            "published": doc["published"],
            "published_precision": doc["published_precision"],
            "language": doc["language"],
            "text": doc["text"],
            "text_sha256": doc["text_sha256"],
            "original_sha256": sha,
            "imported_at": _when(doc["imported_at"]),
            "imported_from": doc["imported_from"],
            "parent_id": None,
            "meta": {**doc["meta"], "received_in": self.origin},
            "updated_at": _when(doc["updated_at"]),
            **_article_v2(doc),
        }
        row = _NewArticle(values)
        self.articles[doc["id"]] = row
        self.report.count("added", "articles")
        return row

    def _newer_metadata(self, local: models.Article, doc: dict[str, Any]) -> bool:
        fields = (
            "title",
            "source",
            "url",
            "byline",
            "published",
            "published_precision",
            "language",
        )
        values = {f: doc[f] for f in fields} | _article_v2(doc)
        if all(getattr(local, f) == v for f, v in values.items()):
            return False
        incoming = _when(doc["updated_at"])
        if incoming <= _aware(local.updated_at):
            return False
        for f, v in values.items():
            setattr(local, f, v)
        local.updated_at = incoming
        self.session.add(local)
        return True

    # -- collections --------------------------------------------------------------------

    def _collections(self) -> None:
        coll_ids: dict[str, str] = {}
        for c in self.bundle.collections:
            row = self.session.get(models.Collection, c["id"])
            if row is None:
                name = c["name"]
                clash = self.session.exec(
                    select(models.Collection).where(models.Collection.name == name)
                ).first()
                n = 1
                while clash is not None:
                    suffix = "" if n == 1 else f", {n}"
                    name = f"{c['name']} (from {self.bundle.verdict.signer}{suffix})"
                    clash = self.session.exec(
                        select(models.Collection).where(models.Collection.name == name)
                    ).first()
                    n += 1
                row = models.Collection(
                    id=c["id"],
                    name=name,
                    description=c["description"],
                    created_at=_when(c["created_at"]),
                    notes=c.get("notes", ""),
                )
                self.session.add(row)
                self.session.flush()
                self.report.count("added", "collections")
            elif c.get("notes") and not row.notes:
                # Case notes travel with the collection; local notes are never overwritten.
                row.notes = c["notes"]
                self.session.add(row)
                self.report.count("updated", "collections")
            else:
                self.report.count("unchanged", "collections")
            coll_ids[c["id"]] = row.id
        self.session.flush()
        article_ids = sorted({self.articles[d["id"]].id for d in self.bundle.articles})
        held: set[tuple[str, str]] = set()
        conn = self.session.connection()
        for i in range(0, len(article_ids), 500):
            chunk = article_ids[i : i + 500]
            held.update(
                conn.exec_driver_sql(
                    "SELECT article_id, collection_id FROM articlecollection "
                    f"WHERE article_id IN ({','.join('?' * len(chunk))})",
                    tuple(chunk),
                )
            )
        members: list[dict[str, str]] = []
        for doc in self.bundle.articles:
            article_id = self.articles[doc["id"]].id
            for cid in doc["collections"]:
                if cid not in coll_ids or (article_id, coll_ids[cid]) in held:
                    continue
                held.add((article_id, coll_ids[cid]))
                members.append({"article_id": article_id, "collection_id": coll_ids[cid]})
        if members:
            keys = [(m["article_id"], m["collection_id"]) for m in members]
            self.ch.track("articlecollection", keys, new=True)
            self.session.execute(_MEMBER.insert(), members)
            self.report.count("added", "collection_members", len(members))

    # -- entities -------------------------------------------------------------------------

    def _entities(self) -> None:
        live = [e for e in self.bundle.entities if not e["merged_into"]]
        tombs = [e for e in self.bundle.entities if e["merged_into"]]
        for e in live:
            self.entity_ids[e["id"]] = self._entity(e)
        for e in tombs:
            row = self.session.get(models.Entity, e["id"])
            target = self.entity_ids.get(e["merged_into"])
            if row is None and target is not None:
                self.session.add(
                    models.Entity(
                        id=e["id"],
                        type_key=e["type_key"],
                        name=e["name"],
                        aliases=list(e["aliases"]),
                        description=e["description"],
                        merged_into=target,
                        created_at=_when(e["created_at"]),
                        updated_at=_when(e["updated_at"]),
                    )
                )
                self.report.count("added", "entities")
            if target is not None:
                self.entity_ids[e["id"]] = target

    def _entity(self, e: dict[str, Any]) -> str:
        known = self.session.get(models.Entity, e["id"])
        if known is not None:
            row = entities.get_row(self.session, known.id)  # follows a local merge
            if (
                row.id != known.id
                or self.pseudonymised
                or self.own  # this archive's own past: what is here is newer
                or not self._entity_edit(row, e)
            ):
                self.report.count("unchanged", "entities")
            return row.id
        clash = None
        for name in (e["name"], *e["aliases"]):
            clash = entities.find_entity(self.session, name, e["type_key"])
            if clash is not None:
                break
        name, aliases = e["name"], list(e["aliases"])
        if clash is not None:
            aliases = [
                a for a in aliases if entities.find_entity(self.session, a, e["type_key"]) is None
            ]
            name = f"{e['name']} (from {self.bundle.verdict.signer})"
            n = 2
            while entities.find_entity(self.session, name, e["type_key"]) is not None:
                name = f"{e['name']} (from {self.bundle.verdict.signer}, {n})"
                n += 1
            self.report.entity_offers.append(
                {
                    "local_id": clash.id,
                    "local_name": clash.name,
                    "incoming_id": e["id"],
                    "incoming_name": e["name"],
                    "merge": f"sesame entity merge {clash.id[:8]} {e['id'][:8]}",
                }
            )
        row = models.Entity(
            id=e["id"],
            type_key=e["type_key"],
            name=name,
            aliases=aliases,
            description=e["description"],
            date_start=e["date_start"],
            date_end=e["date_end"],
            place=e["place"],
            date_precision=e.get("date_precision"),
            place_precision=e.get("place_precision"),
            created_at=_when(e["created_at"]),
            updated_at=_when(e["updated_at"]),
        )
        self.session.add(row)
        self.session.flush()
        self.report.count("added", "entities")
        if not self.pseudonymised and not self.own:
            self._record(ENTITY_KEY + row.id, entity_hash(e))
        return row.id

    def _entity_edit(self, row: models.Entity, e: dict[str, Any]) -> bool:
        """Take the sender's edits of a known entity if it is unchanged here since it last came
        in a bundle; else keep it and report the conflict. True if the row changed."""
        incoming, mine = entity_hash(e), entity_hash(_entity_form(row))
        key = ENTITY_KEY + row.id
        seen = self.exchange.get(key)
        base = seen[0] if seen is not None else None
        if incoming in (mine, base):
            self._record(key, incoming)
            return False
        if base is None:
            # No base: it came before entity bases were kept, or it is this archive's own
            # entity coming back. Unchanged here if no edit of it was ever logged here.
            unchanged_here = row.id not in self._edited()
        else:
            unchanged_here = mine == base
        taken = [
            other
            for label in (e["name"], *e["aliases"])
            if (other := entities.find_entity(self.session, label, row.type_key, exclude_id=row.id))
        ]
        self._record(key, incoming)  # reported once: the next import of it is quiet
        if unchanged_here and not taken:
            for f in ENTITY_FIELDS:
                value = e.get(f)
                setattr(row, f, list(value or []) if f == "aliases" else value)
            row.updated_at = _when(e["updated_at"])
            self.session.add(row)
            self.session.flush()
            self.report.count("updated", "entities")
            return True
        self.report.entity_conflicts.append(
            {
                "entity_id": row.id,
                "local_name": row.name,
                "incoming_name": e["name"],
                "reason": (
                    f"the name {taken[0].name!r} is another entity's here"
                    if taken and unchanged_here
                    else "edited on both sides since the last exchange"
                ),
            }
        )
        return False

    _entity_edited_here: set[str] | None = None

    def _edited(self) -> set[str]:
        """Entities edited here, as the audit log tells (read once)."""
        if self._entity_edited_here is None:
            self._entity_edited_here = {
                t
                for (t,) in self.session.connection().exec_driver_sql(
                    "SELECT DISTINCT target_id FROM auditevent WHERE action = 'entity.update'"
                )
            }
        return self._entity_edited_here

    # -- annotations ----------------------------------------------------------------------

    def _fields(self, ann: dict[str, Any], article: _Placed, old_text: str) -> dict[str, Any]:
        """An incoming annotation's columns, anchored in the local text of its article."""
        pos, quote = ann["target"]["selector"]
        start, end = pos["start"], pos["end"]
        orphaned = bool(ann["sesame:orphaned"])
        text = article.text
        if text[start:end] != quote["exact"] or old_text != text:
            span = annotate.reanchor(
                old_text,
                text,
                start=start,
                end=end,
                quote=quote["exact"],
                prefix=quote["prefix"],
                suffix=quote["suffix"],
            )
            if span is None:
                orphaned = True
                start = min(start, len(text))
                end = min(max(end, start), len(text))
            else:
                start, end = span
                orphaned = False
        entity_id = None
        for b in ann["body"]:
            if b["purpose"] == "identifying":
                entity_id = self.entity_ids.get(spec.from_urn(b["source"], "entity"))
        tag = next(b["value"] for b in ann["body"] if b["purpose"] == "tagging")
        note = "\n".join(b["value"] for b in ann["body"] if b["purpose"] == "commenting")
        fig = ann["sesame:figure"] or {}
        creator = ann["creator"]["id"].rsplit(":", 1)[1] if ann["creator"] else None
        return {
            "article_id": article.id,
            "start": start,
            "end": end,
            "quote": quote["exact"],
            "prefix": quote["prefix"],
            "suffix": quote["suffix"],
            "type_key": tag,
            "entity_id": entity_id,
            "note": note,
            "created_at": _when(ann["created"]),
            "updated_at": _when(ann["modified"]),
            "created_by": creator if creator in self.known_users else None,
            "orphaned": orphaned,
            "value": fig.get("value"),
            "qualifier": fig.get("qualifier"),
            "counted": fig.get("counted"),
            "as_of": fig.get("as_of"),
            "low": fig.get("low"),
            "high": fig.get("high"),
            "verification": ann.get("sesame:verification") or "unverified",
            "verification_note": ann.get("sesame:verificationNote") or "",
            "sensitive": bool(ann.get("sesame:sensitive")),
            "sensitive_reason": ann.get("sesame:sensitiveReason") or "",
        }

    def _annotations(self) -> None:
        """The bundle's annotations, read from it again and merged BATCH at a time: held
        all at once (parsed, and as rows to insert) they were most of an import's peak."""
        self.texts = {d["id"]: d["text"] for d in self.bundle.articles}
        self.bases = {k: h for k, (h, _) in self.exchange.items()}
        self.deleted_here = {
            t
            for (t,) in self.session.connection().exec_driver_sql(
                "SELECT DISTINCT target_id FROM auditevent WHERE action = 'annotation.delete'"
            )
        }
        # What the sender kept of a conflict instead (a copy of the same content).
        self.kept: set[tuple[str, str]] = set()
        batch: list[dict[str, Any]] = []
        for ann in self.bundle.iter_annotations():
            batch.append(ann)
            if len(batch) == BATCH:
                self._annotation_batch(batch)
                batch = []
        self._annotation_batch(batch)

    def _annotation_batch(self, batch: list[dict[str, Any]]) -> None:
        ids = [spec.from_urn(a["id"], "annotation") for a in batch]
        local = {
            r.id: r
            for i in range(0, len(ids), 500)
            for r in self.session.exec(
                select(models.Annotation).where(col(models.Annotation.id).in_(ids[i : i + 500]))
            )
        }
        bases = self.bases
        new: list[dict[str, Any]] = []
        for ann, ann_id in zip(batch, ids, strict=True):
            bundle_article = spec.from_urn(ann["target"]["source"], "article")
            article = self.articles[bundle_article]
            old_text = self.texts[bundle_article]
            incoming = content_hash(ann)
            if str(ann.get("sesame:origin", "")).startswith("conflict:"):
                self.kept.add((ann["sesame:origin"][len("conflict:") :], incoming))
            row = local.get(ann_id)
            if self.own and (row is not None or ann_id in bases or ann_id in self.deleted_here):
                # This archive's own past: what is here (or deleted here) is newer.
                self.report.count("unchanged", "annotations")
                continue
            if row is None and (ann_id in bases or ann_id in self.deleted_here):
                self._deleted_here(ann, ann_id, article, old_text, incoming, bases)
            elif row is None:
                values = self._fields(ann, article, old_text)
                new.append({"id": ann_id, "origin": ann["sesame:origin"], **values})
                self.report.count("added", "annotations")
                if str(ann["sesame:origin"]).startswith("conflict:"):
                    self.report.open_conflicts.append(ann_id)
                if values["orphaned"] and not ann["sesame:orphaned"]:
                    self.report.orphaned.append(ann_id)
            else:
                self._known(ann, ann_id, row, article, old_text, incoming, bases)
            if not self.own:
                self._record(ann_id, incoming)
        if new:
            # One multi-row INSERT announced to the change, as the import pipeline does: an
            # ORM object per annotation was most of the merge.
            self.session.flush()
            self.ch.track("annotation", [v["id"] for v in new], new=True)
            self.session.execute(_ANNOTATION.insert(), new)

    def _theirs(self, ann_id: str) -> bool:
        """Whether `ann_id`'s exchange record came in a bundle signed by this bundle's key."""
        if self._sender_bundles is None:
            key = self.bundle.verdict.public_key
            self._sender_bundles = {
                k[len(SENDER_KEY) :]
                for k, (h, _) in self.exchange.items()
                if key and k.startswith(SENDER_KEY) and h == key
            }
        seen = self.exchange.get(ann_id)
        return seen is not None and seen[1] in self._sender_bundles

    _sender_bundles: set[str] | None = None

    def _deleted_here(
        self,
        ann: dict[str, Any],
        ann_id: str,
        article: _Placed,
        old_text: str,
        incoming: str,
        bases: dict[str, str],
    ) -> None:
        """An annotation deleted here after it came in (or left here): it stays deleted, unless
        the sender changed it since; then their version comes in as a conflict copy."""
        if incoming in (bases.get(ann_id), ann.get("sesame:base")):
            self.report.count("unchanged", "annotations")
            return
        copy = self._conflict_copy(ann_id, self._fields(ann, article, old_text), incoming)
        self.report.conflicts.append(
            {
                "annotation_id": ann_id,
                "local": "",
                "incoming_copy": copy.id,
                "quote": copy.quote,
                "deleted_here": True,
            }
        )

    def _conflict_copy(
        self, ann_id: str, values: dict[str, Any], incoming: str
    ) -> models.Annotation:
        """The incoming version of `ann_id` beside the local one (origin `conflict:<id>`)."""
        origin = f"conflict:{ann_id}"
        copies = self.session.exec(
            select(models.Annotation).where(models.Annotation.origin == origin)
        ).all()
        copy = next((c for c in copies if content_hash(_local_form(c)) == incoming), None)
        if copy is None:
            copy = models.Annotation(origin=origin, **values)
            self.session.add(copy)
            self.session.flush()
            self.report.count("added", "conflict_copies")
        return copy

    def _deleted_by_sender(self) -> None:
        """Annotations the same sender deleted: in the base from one of their bundles, absent
        from this one though it holds their article. Deleted here unless edited here since."""
        key = self.bundle.verdict.public_key
        if not key or self.partial or self.own:
            return
        theirs = {
            k[len(SENDER_KEY) :]
            for k, (h, _) in self.exchange.items()
            if k.startswith(SENDER_KEY) and h == key
        }
        present = self.bundle.annotation_ids
        candidates = [
            k
            for k, (_, b) in self.exchange.items()
            if b in theirs and ":" not in k and k not in present
        ]
        if not candidates:
            return
        articles = {row.id for row in self.articles.values()}
        kept = self.kept
        rows = [
            r
            for i in range(0, len(candidates), 500)
            for r in self.session.exec(
                select(models.Annotation).where(
                    col(models.Annotation.id).in_(candidates[i : i + 500])
                )
            )
            if r.article_id in articles
        ]
        for row in sorted(rows, key=lambda r: r.id):
            mine = content_hash(_local_form(row))
            if mine == self.exchange[row.id][0] or (row.id, mine) in kept:
                annotate.delete_annotation(self.ch, row.id)
                self.report.count("deleted", "annotations")
                continue
            # Edited here since: kept, and no longer anyone's to delete (its base goes).
            del self.exchange[row.id]
            self.exchange_gone.append(row.id)
            self.report.conflicts.append(
                {
                    "annotation_id": row.id,
                    "local": row.id,
                    "incoming_copy": "",
                    "quote": row.quote,
                    "deleted_there": True,
                }
            )

    def _known(
        self,
        ann: dict[str, Any],
        ann_id: str,
        row: models.Annotation,
        article: _Placed,
        old_text: str,
        incoming: str,
        bases: dict[str, str],
    ) -> None:
        received = bases.get(ann_id)  # what this archive last took in from a bundle
        base = ann.get("sesame:base") or received
        # The base first: a re-import is all unchanged ones, and hashing the local form of
        # each of 50,000 annotations is then work for nothing.
        if incoming in (base, received):
            self.report.count("unchanged", "annotations")
            return
        mine = content_hash(_local_form(row))
        if mine == incoming:
            self.report.count("unchanged", "annotations")
            return
        values = self._fields(ann, article, old_text)
        # Unchanged here: as the sender last had it, or as it last came in here from this same
        # sender (who had that version then: their base is older when this archive took in
        # their edit since, and comparing with it alone made their next edit a conflict).
        # Never moved to another article by a bundle: that is a conflict to look at.
        if (mine == base or (mine == received and self._theirs(ann_id))) and (
            row.article_id == article.id
        ):
            for key, value in values.items():
                setattr(row, key, value)
            self.session.add(row)
            self.report.count("updated", "annotations")
            return
        # Changed on both sides: keep ours, keep theirs beside it, let the person choose.
        copy = self._conflict_copy(ann_id, values, incoming)
        self.report.conflicts.append(
            {"annotation_id": ann_id, "local": ann_id, "incoming_copy": copy.id, "quote": row.quote}
        )

    # -- roles and relations (format 2) ----------------------------------------------------

    def _claims(self) -> None:
        """Roles and relations, matched by id: new ones added (with their types), known ones
        left as they are; their entities and passage mapped to the local ones."""
        self.session.flush()
        claims: tuple[tuple[dict[str, Any], Any, Any, str, tuple[str, str]], ...] = (
            (self.bundle.roles, models.Role, models.RoleType, "roles", ("event_id", "actor_id")),
            (self.bundle.relations, models.Relation, models.RelationType, "relations",
             ("subject_id", "object_id")),
        )  # fmt: skip
        for doc, model, type_model, kind, ends in claims:
            for t in doc["types"]:
                if self.session.get(type_model, t["key"]) is None:
                    self.session.add(type_model(key=t["key"], label=t["label"], builtin=False))
                    self.report.count("added", f"{kind[:-1]}_types")
            self.session.flush()
            for item in doc["items"]:
                if self.session.get(model, item["id"]) is not None:
                    self.report.count("unchanged", kind)
                    continue
                mapped = {end: self.entity_ids.get(item[end]) for end in ends}
                if (
                    None in mapped.values()
                    or self.session.get(models.Annotation, item["annotation_id"]) is None
                ):
                    continue  # refused by the reader; kept out rather than half-placed
                creator = item["created_by"] if item["created_by"] in self.known_users else None
                values = {k: v for k, v in item.items() if k not in ("created_at", "created_by")}
                self.session.add(
                    model(
                        **{**values, **mapped},
                        created_at=_when(item["created_at"]),
                        created_by=creator,
                    )
                )
                self.report.count("added", kind)

    def _record(self, key: str, value: str) -> None:
        """Keep `value` as the base under `key` (see the module's docstring)."""
        seen = self.exchange.get(key)
        if seen is not None and seen[0] == value:
            return
        self.exchange[key] = (value, self.bundle.id)
        if seen is None or key in self.exchange_new:
            self.exchange_new[key] = (value, self.bundle.id)
        else:
            self.exchange_changed[key] = (value, self.bundle.id)

    def _write_exchange(self) -> None:
        """The exchange records set since the last call, in one statement per kind."""
        conn = self.session.connection()
        if self.exchange_new:
            self.ch.track("exchange", list(self.exchange_new), new=True)
            at = models.utcnow()
            self.session.execute(
                _EXCHANGE.insert(),
                [
                    {"annotation_id": k, "content_hash": h, "bundle_id": b, "at": at}
                    for k, (h, b) in self.exchange_new.items()
                ],
            )
        if self.exchange_changed:
            self.ch.track("exchange", list(self.exchange_changed))
            conn.exec_driver_sql(
                "UPDATE exchange SET content_hash = ?, bundle_id = ? WHERE annotation_id = ?",
                [(h, b, k) for k, (h, b) in self.exchange_changed.items()],
            )
        if self.exchange_gone:
            self.ch.track("exchange", self.exchange_gone)
            conn.exec_driver_sql(
                "DELETE FROM exchange WHERE annotation_id = ?", [(k,) for k in self.exchange_gone]
            )
        self.exchange_new, self.exchange_changed, self.exchange_gone = {}, {}, []


def _article_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """An article's format 2 fields (review, provenance, text origin); defaults for format 1."""
    return {
        "review_status": doc.get("review_status", "unread"),
        "assignee": doc.get("assignee"),
        "verification": doc.get("verification", "unverified"),
        "verification_note": doc.get("verification_note", ""),
        "sensitive": bool(doc.get("sensitive", False)),
        "sensitive_reason": doc.get("sensitive_reason", ""),
        "captured_at": doc.get("captured_at"),
        "collected_by": doc.get("collected_by"),
        "collected_with": doc.get("collected_with"),
        "collected_from": doc.get("collected_from"),
        "text_origin": doc.get("text_origin", "text"),
        "ocr_confidence": doc.get("ocr_confidence"),
    }


def merge_bundle(
    target: Archive | Change, bundle: Bundle, *, release: bool = False, sync: bool = True
) -> MergeReport:
    """Merge a verified bundle (in one change, unless given one to join).

    `release`: the caller is done with `bundle`; its articles are let go and its file
    closed once merged, before the change commits (and reads its rows back).
    `sync=False`: the search index is not brought up to date after the commit (the
    caller does it, e.g. after showing the report; searching and the next open do too)."""
    from sqlalchemy.exc import IntegrityError

    from archive.bundles.reader import BundleRefused
    from archive.changes import changing

    report = MergeReport(bundle.id, bundle.verdict.signed_by)
    label = f"Import bundle from {bundle.verdict.signer}"
    if isinstance(target, Archive):
        prepare_index(target)
    try:
        with changing(target, label, f"bundle:{bundle.id}", sync=False) as ch:
            ch.describe(label)  # an import that deletes a passage is still the import (F7)
            ch.label_given = True
            _merge(ch, bundle, report)
            if release:
                bundle.articles = []
                bundle.close()
    except (IntegrityError, KeyError, ValueError, TypeError) as exc:
        # A bundle that verified but does not fit together (it was made by hand, or by
        # another program): the change rolled back, the archive is as it was.
        raise BundleRefused(
            f"The bundle does not fit together ({str(getattr(exc, 'orig', exc))[:200]}); "
            "nothing was changed."
        ) from exc
    if isinstance(target, Archive):
        # Committed: what the merge held is freed; give it back before the index's
        # child processes start beside this one (`archive.memory`).
        memory.give_back()
        if sync:
            target.sync_index()
    return report


def prepare_index(archive: Archive) -> None:
    """Give an empty archive whose search index was never built its empty index now.

    Call it before the merge's change opens (the window does, as the bundle verifies):
    built after it, the index of every merged article was one rebuild in this process
    (10,000 articles: 72 s, the process at 715 MB, the window stalled 1.0-1.3 s),
    where the catch-up of an index that exists runs in child processes
    (`archive.search.building`) beside this one.
    """
    if archive.readonly or archive.index.generation != -1:
        return
    with archive.read_connection() as conn:
        if conn.execute("SELECT 1 FROM article LIMIT 1").fetchone() is not None:
            return  # a rebuild of what is there is due anyway
    archive.index.rebuild()


def _merge(ch: Change, bundle: Bundle, report: MergeReport) -> None:
    from archive import copies

    merger = _Merger(ch, bundle, report)
    merger.run()
    # Its new articles grouped with their copies (issue 14), so comparisons count them once.
    copies.detect_unsigned(ch, [row.id for row in merger.articles.values()])
    ch.audit(
        "bundle",
        "import",
        bundle.id,
        after={
            "signed_by": report.signed_by,
            "manifest_sha256": hashlib.sha256(spec.canonical(bundle.manifest)).hexdigest(),
            "added": report.added,
            "updated": report.updated,
            "conflicts": len(report.conflicts),
            "orphaned": len(report.orphaned),
        },
    )
    report.change_id = ch.id


def import_bundle(
    archive: Archive,
    path: str | Path,
    *,
    passphrase: str | None = None,
    identity: Any = None,
) -> MergeReport:
    """Verify a bundle file completely, then merge it (the archive is untouched if it fails)."""
    bundle = open_bundle(path, passphrase=passphrase, identity=identity)
    try:
        return merge_bundle(archive, bundle, release=True)
    finally:
        bundle.close()
