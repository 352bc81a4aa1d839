"""What the views are told after the window's writes: the rows that changed.

`Writer` (desktop/operations.py) emits `AppContext.changed(ViewDelta)` once per
event-loop turn for the changes committed since the last one. A `ViewDelta`
holds the `archive.changes.RowChange`s of those changes (before and after of
every row, in order) and answers what a view needs to decide, without SQL:
whose annotations changed, which entities, which article rows, whether an
annotation count could have moved. It is worked out on the writer's thread
(`ViewDelta.of`, one pass over the rows: 1,200 rows of a merge took the GUI
thread 80 ms when each view asked for itself), so views only look sets up. Views
update the rows it names (reading them off the GUI thread when they need more
than the rows hold) instead of reloading everything; a view a delta does not
concern does nothing.

Writes made elsewhere (an import's batches, a bundle) still announce
themselves with the context's plain signals (`articlesChanged`, ...), and
views reload for those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.changes import ChangeSet, RowChange

# Tables whose rows the entity views show (roles and relations are shown with them).
ENTITY_TABLES = frozenset({"entity", "role", "relation", "roletype", "relationtype"})
COLLECTION_TABLES = frozenset({"collection", "articlecollection"})
# Annotation columns that a library row counts (its tag counts, sensitive passages).
_COUNTED = ("type_key", "sensitive", "article_id")


@dataclass
class ViewDelta:
    """The rows one or more committed changes wrote, and what they mean to the views."""

    rows: list[RowChange] = field(default_factory=list)
    # As ChangeSet.articles: every article touched (also those of a renamed entity).
    articles: set[str] = field(default_factory=set)
    _tables: set[str] = field(default_factory=set)
    # Articles an annotation was created in, changed in or deleted from.
    annotation_articles: set[str] = field(default_factory=set)
    # Articles whose annotation counts may have moved (an annotation created or deleted,
    # or its type or sensitive flag changed; not a relink or a note).
    counted_articles: set[str] = field(default_factory=set)
    # Entities an annotation was linked to or unlinked from (their mentions moved).
    linked_entities: set[str] = field(default_factory=set)
    # Entities linked to an annotation written (before or after).
    annotation_entities: set[str] = field(default_factory=set)
    # Tag types of the annotations written (before and after).
    _annotation_types: set[str] = field(default_factory=set)
    # Entities whose own row was created, changed (renamed, merged) or deleted, and the
    # tag types of those rows.
    entity_ids: set[str] = field(default_factory=set)
    entity_types: set[str] = field(default_factory=set)
    # Article rows by what happened to them (created, updated, deleted).
    _articles_by_op: dict[str, set[str]] = field(default_factory=dict)
    # Articles added to or removed from a collection.
    member_articles: set[str] = field(default_factory=set)
    # Copy groups an article joined or left (their members' Copies count moved).
    copy_groups: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, sets: Iterable[ChangeSet]) -> ViewDelta:
        """The delta of changes committed one after the other (oldest first)."""
        delta = cls()
        for done in sets:
            delta.articles |= done.articles
            for r in done.rows:
                delta._add(r)
        return delta

    @classmethod
    def merge(cls, deltas: Sequence[ViewDelta]) -> ViewDelta:
        """Several deltas (oldest first) as one: their rows and sets joined."""
        if len(deltas) == 1:
            return deltas[0]
        out = cls()
        for delta in deltas:
            out.rows.extend(delta.rows)
            for f in fields(cls):
                mine = getattr(out, f.name)
                if isinstance(mine, set):
                    mine |= getattr(delta, f.name)
            for op, ids in delta._articles_by_op.items():
                out._articles_by_op.setdefault(op, set()).update(ids)
        return out

    def _add(self, r: RowChange) -> None:
        self.rows.append(r)
        self._tables.add(r.table)
        before, after = r.before, r.after
        both = [v for v in (before, after) if v is not None]
        if r.table == "annotation":
            articles = {v["article_id"] for v in both if v.get("article_id")}
            self.annotation_articles |= articles
            self._annotation_types.update(v["type_key"] for v in both if v.get("type_key"))
            linked = {v["entity_id"] for v in both if v.get("entity_id")}
            self.annotation_entities |= linked
            if before is None or after is None:
                self.counted_articles |= articles
                self.linked_entities |= linked
            else:
                if any(before.get(c) != after.get(c) for c in _COUNTED):
                    self.counted_articles |= articles
                if before.get("entity_id") != after.get("entity_id"):
                    self.linked_entities |= linked
        elif r.table == "entity":
            self.entity_ids.add(str(r.key[0]))
            self.entity_types.update(v["type_key"] for v in both if v.get("type_key"))
        elif r.table == "article":
            self._articles_by_op.setdefault(r.op, set()).add(str(r.key[0]))
            groups = {v.get("copy_group") for v in both}
            if len(groups) > 1 or r.op != "updated":
                self.copy_groups.update(g for g in groups if g)
        elif r.table == "articlecollection":
            self.member_articles.update(v["article_id"] for v in both if v.get("article_id"))

    def tables(self) -> set[str]:
        """The tables written to."""
        return self._tables

    def touches(self, tables: Iterable[str]) -> bool:
        """Whether any of `tables` was written to."""
        return not self._tables.isdisjoint(tables)

    @property
    def empty(self) -> bool:
        return not self.rows

    def annotation_types(self) -> set[str]:
        """Tag types of the annotations written (before and after)."""
        return self._annotation_types

    @property
    def entities_changed(self) -> bool:
        """Whether the entity views' own tables changed (entities, roles, relations)."""
        return self.touches(ENTITY_TABLES)

    def article_ids(self, op: str | None = None) -> set[str]:
        """Article rows `op` (created, updated, deleted; None: any)."""
        if op is not None:
            return self._articles_by_op.get(op, set())
        return set().union(*self._articles_by_op.values())

    @property
    def collections_changed(self) -> bool:
        return self.touches(COLLECTION_TABLES)

    @property
    def tagtypes_changed(self) -> bool:
        return "tagtype" in self._tables

    def library_articles(self) -> set[str]:
        """Articles whose library row may show something else now."""
        return self.article_ids() | self.counted_articles | self.member_articles

    def concerns_article(self, article_id: str, entity_ids: Sequence[Any] = ()) -> bool:
        """Whether what a reader of `article_id` shows (its annotations with their
        entities' names, its review fields) may have changed."""
        return (
            article_id in self.annotation_articles
            or any(article_id in ids for ids in self._articles_by_op.values())
            or self.tagtypes_changed
            or not self.entity_ids.isdisjoint(e for e in entity_ids if e)
        )
