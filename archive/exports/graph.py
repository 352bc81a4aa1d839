"""The relation graph: actors and events joined by roles and relations, for Gephi (issue 13).

`build_graph` makes a networkx `MultiDiGraph` of the selection's claims:

- nodes: every entity that is the actor or the event of a role, or the
  subject or object of a relation, whose passage lies in a chosen article;
  and every event tagged in a chosen article, with a role or not (an event
  nobody has been named in yet is still on the record).
  Attributes: `label` (its name, protected if asked), `type` (its tag type:
  actor, event, ...), and for events the `date_start`, `date_end`, `place`
  they have.
- edges, one per claim (so two passages saying the same thing are two
  edges): a role runs actor -> event with `kind` "role", `role` (the role
  type's key), `label`, `annotation_id`, `article_id` and `quote`; a
  relation runs subject -> object with `kind` "relation", `type` (the
  relation type's key), `label`, `annotation_id`, `article_id`, `quote`,
  `first_cited` / `last_cited` (the earliest and latest published date of
  the chosen articles citing the same subject, type and object) and the
  `date_start` / `date_end` the passage gives. Each edge's `id` is its
  claim's id.

GraphML keeps every attribute as named. In GEXF an edge's `type` is the
format's own word for its direction (directed / undirected / mutual), and
networkx writes an attribute named `type` there, so a GEXF file carries a
relation's type as `relation_type`. Attributes with no value are left out
(both writers refuse None). Files are written with networkx's writers,
atomically (`archive.exports.files`).

The graph is a `MultiDiGraph` whatever the selection. Neither format says so
in the file: networkx's `read_gexf` and `read_graphml` return a `DiGraph` when
no two edges join the same pair (a small or `--without-sensitive` selection),
so `read_graph` reads either back as a `MultiDiGraph` (GraphML's
`force_multigraph`, GEXF's edges re-keyed by their ids).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from archive.exports.files import atomic_file, output_path
from archive.exports.selection import Chosen, Selection, choose, rows
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn, report

FORMATS = {"gexf": ".gexf", "graphml": ".graphml"}


def _set(data: dict[str, Any], **values: Any) -> dict[str, Any]:
    """`data` with the values that are not None or empty."""
    data.update({k: v for k, v in values.items() if v not in (None, "")})
    return data


def _claims(archive: Archive) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    base = "JOIN annotation an ON an.id = c.annotation_id JOIN article a ON a.id = an.article_id "
    with archive.engine.connect() as conn:
        role_rows = rows(
            conn,
            "SELECT c.id, c.event_id, c.actor_id, c.role, t.label, c.annotation_id, "
            "an.article_id, an.quote, an.sensitive AS passage_sensitive, a.published FROM role c "
            + base
            + "LEFT JOIN roletype t ON t.key = c.role ORDER BY a.published, c.id",
        )
        relation_rows = rows(
            conn,
            "SELECT c.id, c.subject_id, c.object_id, c.type, t.label, c.annotation_id, "
            "an.article_id, an.quote, an.sensitive AS passage_sensitive, a.published, "
            "c.date_start, c.date_end FROM relation c "
            + base
            + "LEFT JOIN relationtype t ON t.key = c.type ORDER BY a.published, c.id",
        )
    return role_rows, relation_rows


def _events_tagged(archive: Archive) -> list[dict[str, Any]]:
    """(entity id, article id, passage sensitive) of every passage linked to an event."""
    with archive.engine.connect() as conn:
        return rows(
            conn,
            "SELECT DISTINCT an.entity_id, an.article_id, an.sensitive AS passage_sensitive "
            "FROM annotation an JOIN entity e ON e.id = an.entity_id WHERE e.type_key = 'event'",
        )


def build_graph(
    archive: Archive, selection: Selection | None = None, *, chosen: Chosen | None = None
) -> nx.MultiDiGraph:
    """The graph of the selection's roles and relations (see the module docstring)."""
    chosen = chosen or choose(archive, selection or Selection())
    wanted = set(chosen.ids)
    role_rows, relation_rows = _claims(archive)
    # --without-sensitive: a claim whose passage is flagged sensitive is left out with it.
    hidden = chosen.selection.without_sensitive
    role_rows = [
        r
        for r in role_rows
        if r["article_id"] in wanted and not (hidden and r["passage_sensitive"])
    ]
    relation_rows = [
        r
        for r in relation_rows
        if r["article_id"] in wanted and not (hidden and r["passage_sensitive"])
    ]
    graph = nx.MultiDiGraph(name="Sesame relation graph")
    ends = {r["event_id"] for r in role_rows} | {r["actor_id"] for r in role_rows}
    ends |= {r["subject_id"] for r in relation_rows} | {r["object_id"] for r in relation_rows}
    with archive.engine.connect() as conn:
        entities = {
            r["id"]: r
            for r in rows(
                conn,
                "SELECT id, name, type_key, date_start, date_end, place, date_precision, "
                "place_precision, merged_into FROM entity",
            )
        }
    for r in _events_tagged(archive):
        if r["article_id"] in wanted and not (hidden and r["passage_sensitive"]):
            eid, seen = r["entity_id"], set()
            while entities.get(eid, {}).get("merged_into") and eid not in seen:
                seen.add(eid)
                eid = entities[eid]["merged_into"]
            ends.add(eid)
    for eid in sorted(ends):
        row = entities.get(eid)
        if row is None:  # a claim naming an entity that is gone: nothing to draw it as
            continue
        graph.add_node(
            eid,
            **_set(
                {"label": chosen.entity_name(eid) or row["name"], "type": row["type_key"]},
                date_start=row["date_start"],
                date_end=row["date_end"],
                date_precision=row["date_precision"],
                place=chosen.plain(row["place"]),
                place_precision=row["place_precision"],
            ),
        )
    for r in role_rows:
        if r["actor_id"] in graph and r["event_id"] in graph:
            graph.add_edge(
                r["actor_id"],
                r["event_id"],
                key=r["id"],
                **_set(
                    {"id": r["id"], "kind": "role", "role": r["role"]},
                    label=r["label"] or r["role"],
                    annotation_id=r["annotation_id"],
                    article_id=r["article_id"],
                    quote=chosen.plain(r["quote"]),
                ),
            )
    cited: dict[tuple[str, str, str], list[str]] = {}
    for r in relation_rows:
        if r["published"]:
            cited.setdefault((r["subject_id"], r["object_id"], r["type"]), []).append(
                r["published"]
            )
    for r in relation_rows:
        if r["subject_id"] in graph and r["object_id"] in graph:
            dates = cited.get((r["subject_id"], r["object_id"], r["type"]), [])
            graph.add_edge(
                r["subject_id"],
                r["object_id"],
                key=r["id"],
                **_set(
                    {"id": r["id"], "kind": "relation", "type": r["type"]},
                    label=r["label"] or r["type"],
                    annotation_id=r["annotation_id"],
                    article_id=r["article_id"],
                    quote=chosen.plain(r["quote"]),
                    first_cited=min(dates) if dates else None,
                    last_cited=max(dates) if dates else None,
                    date_start=r["date_start"],
                    date_end=r["date_end"],
                ),
            )
    return graph


def _for_gexf(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose relation edges carry their type as `relation_type` (see the docstring)."""
    out = nx.MultiDiGraph(graph)
    for _, _, data in out.edges(data=True):
        if "type" in data:
            data["relation_type"] = data.pop("type")
    return out


def export_graph(
    archive: Archive,
    out: str | Path,
    selection: Selection | None = None,
    *,
    fmt: str = "gexf",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Write the selection's graph as GEXF or GraphML; what was written."""
    from archive.errors import InvalidInput

    if fmt not in FORMATS:
        raise InvalidInput(f"A graph as what? One of: {', '.join(FORMATS)} (not {fmt!r}).")
    selection = selection or Selection()
    path = output_path(out, f"graph{FORMATS[fmt]}")
    report(progress, 0, 2, "Reading roles and relations")
    chosen = choose(archive, selection)
    graph = build_graph(archive, chosen=chosen)
    if cancel is not None:
        cancel.raise_if_cancelled()
    report(progress, 1, 2, f"Writing {fmt.upper()}")
    with atomic_file(path) as tmp:
        if fmt == "gexf":
            nx.write_gexf(_for_gexf(graph), tmp)
        else:
            nx.write_graphml(graph, tmp)
    report(progress, 2, 2, "Done")
    kinds = [d["kind"] for _, _, d in graph.edges(data=True)]
    return {
        "path": str(path),
        "format": fmt,
        "articles": len(chosen.ids),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "roles": kinds.count("role"),
        "relations": kinds.count("relation"),
    }


def read_graph(path: str | Path) -> nx.MultiDiGraph:
    """A GEXF or GraphML file Sesame wrote, read back as the `MultiDiGraph` it was (see the
    module docstring), each edge keyed by its claim's id."""
    path = Path(path)
    if path.suffix.lower() == ".graphml":
        return nx.read_graphml(path, force_multigraph=True)
    read = nx.read_gexf(path)
    if read.is_multigraph():
        return read
    graph = nx.MultiDiGraph(name=read.graph.get("name", ""))
    graph.add_nodes_from(read.nodes(data=True))
    for u, v, data in read.edges(data=True):
        graph.add_edge(u, v, key=data.get("id"), **data)
    return graph


def layout(graph: nx.MultiDiGraph, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for drawing the graph (networkx's spring layout, in -1..1; fixed seed, so
    the same graph is drawn the same way each time)."""
    if graph.number_of_nodes() == 0:
        return {}
    simple = nx.Graph(graph.to_undirected())  # parallel claims pull once
    pos = nx.spring_layout(simple, seed=seed)
    return {str(n): (float(x), float(y)) for n, (x, y) in pos.items()}
