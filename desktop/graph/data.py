"""The relation graph as the view draws it: nodes with positions, edges, claims (no Qt).

Read on a worker thread: `archive.exports.graph.build_graph` (the same graph
the GEXF and GraphML exports write) and its networkx spring layout
(`archive.exports.graph.layout`), plus where each claim's passage lies, so
that opening a claim can highlight it in the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.exports.graph import build_graph, layout
from archive.exports.selection import in_list, rows
from archive.store import Archive


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    type: str
    x: float
    y: float
    details: str  # "2021-03-02 · Yangon" for an event, "" if nothing to add


@dataclass(frozen=True)
class Claim:
    """One edge: a role (actor -> event) or a relation (subject -> object)."""

    id: str
    kind: str  # role | relation
    source: str
    target: str
    what: str  # the role's or relation type's label
    quote: str
    article_id: str
    start: int
    end: int
    annotation_id: str = ""  # the passage the claim rests on


@dataclass
class GraphData:
    nodes: list[Node] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    # What of the claims' articles is sensitive (archive.review.sensitive_parts): the
    # panel hides those quotes until revealed (desktop.review.reveal.QuoteMask).
    parts: dict[str, Any] = field(default_factory=dict)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def claims_of(self, node_id: str) -> list[Claim]:
        return [c for c in self.claims if node_id in (c.source, c.target)]


def load(archive: Archive) -> GraphData:
    """The whole archive's graph, laid out."""
    graph = build_graph(archive)
    pos = layout(graph)
    edges = list(graph.edges(keys=True, data=True))
    spans: dict[str, tuple[int, int]] = {}
    ids = sorted({d["annotation_id"] for _, _, _, d in edges if "annotation_id" in d})
    with archive.engine.connect() as conn:
        for first in range(0, len(ids), 500):
            where, params = in_list(ids[first : first + 500])
            for r in rows(
                conn, f'SELECT id, start, "end" FROM annotation WHERE id IN {where}', params
            ):
                spans[r["id"]] = (r["start"], r["end"])
    nodes = []
    for node_id, d in graph.nodes(data=True):
        x, y = pos.get(node_id, (0.0, 0.0))
        dates = " – ".join(v for v in (d.get("date_start"), d.get("date_end")) if v)
        details = " · ".join(v for v in (dates, d.get("place", "")) if v)
        nodes.append(Node(node_id, d["label"], d["type"], x, y, details))
    claims = []
    for u, v, key, d in edges:
        start, end = spans.get(d.get("annotation_id", ""), (0, 0))
        claims.append(
            Claim(
                id=str(key),
                kind=d["kind"],
                source=u,
                target=v,
                what=d.get("label", ""),
                quote=d.get("quote", ""),
                article_id=d.get("article_id", ""),
                start=start,
                end=end,
                annotation_id=d.get("annotation_id", ""),
            )
        )
    from archive import review

    parts = review.sensitive_parts(archive, [c.article_id for c in claims if c.article_id])
    return GraphData(nodes, claims, parts)
