"""The relation graph: GEXF and GraphML hold every role and relation, read back by networkx."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from archive import roles
from archive.exports.graph import build_graph, export_graph, layout
from archive.exports.selection import Selection
from archive.store import Archive
from tests.archive.annotate.test_cli import run
from tests.archive.test_timeline import build_case


@pytest.fixture
def case(archive: Archive) -> dict[str, str]:
    ids = build_case(archive)
    # Two passages for one relation: first and last cited come from both articles.
    for ann in ("perp_ann", "victim_ann"):
        roles.add_relation(archive, ids["kyaw"], ids["hnin"], "commands", annotation_id=ids[ann])
    return ids


def _role_rows(archive: Archive) -> list[roles.RoleInfo]:
    return roles.list_roles(archive)


def test_gexf_parses_and_holds_every_role(
    archive: Archive, case: dict[str, str], tmp_path: Path
) -> None:
    done = export_graph(archive, tmp_path / "g.gexf", fmt="gexf")
    # Four in roles and relations, and the two events tagged with no role (detentions,
    # marches); the campaign and the rumour are tagged in no article.
    assert done["roles"] == 3 and done["relations"] == 2 and done["nodes"] == 6
    graph = nx.read_gexf(tmp_path / "g.gexf")
    assert graph.is_directed() and graph.is_multigraph()
    edges = {d["id"]: (u, v, d) for u, v, d in graph.edges(data=True)}
    every = _role_rows(archive)
    assert len(every) == 3
    for r in every:
        u, v, d = edges[r.id]
        assert (u, v) == (r.actor_id, r.event_id)
        assert (d["kind"], d["role"], d["annotation_id"]) == ("role", r.role, r.annotation_id)
    rel = [d for _, _, d in graph.edges(data=True) if d["kind"] == "relation"]
    assert {d["relation_type"] for d in rel} == {"commands"}
    assert {(d["first_cited"], d["last_cited"]) for d in rel} == {("2021-03-05", "2021-03-05")}
    assert graph.nodes[case["raid"]]["type"] == "event"
    assert graph.nodes[case["raid"]]["label"] == "Hospital raid"
    assert graph.nodes[case["kyaw"]]["type"] == "actor"


def test_graphml_keeps_type_as_named(
    archive: Archive, case: dict[str, str], tmp_path: Path
) -> None:
    export_graph(archive, tmp_path / "g.graphml", fmt="graphml")
    graph = nx.read_graphml(tmp_path / "g.graphml")
    kinds = sorted(
        (d["kind"], d.get("role") or d.get("type")) for _, _, d in graph.edges(data=True)
    )
    assert kinds == [
        ("relation", "commands"), ("relation", "commands"),
        ("role", "perpetrator"), ("role", "victim"), ("role", "victim"),
    ]  # fmt: skip
    assert graph.nodes[case["hnin"]]["label"] == "Hnin Wai"


def test_selection_and_pseudonyms(archive: Archive, case: dict[str, str]) -> None:
    # Article `one` holds the perpetrator's passage; `three` the victim's.
    only_one = build_graph(archive, Selection(article_ids=(case["one"],)))
    assert sorted(d["role"] for _, _, d in only_one.edges(data=True) if d["kind"] == "role") == [
        "perpetrator"
    ]
    in_case = build_graph(archive, Selection(collection="Case"))  # article `two`: no roles
    assert set(in_case.nodes) == {case["strike"], case["detentions"], case["marches"]}
    assert in_case.number_of_edges() == 0
    hidden = build_graph(archive, Selection(pseudonymise=("Hnin Wai",)))
    assert hidden.nodes[case["hnin"]]["label"] != "Hnin Wai"
    assert all("Hnin Wai" not in d.get("quote", "") for _, _, d in hidden.edges(data=True))


def test_layout_places_every_node(archive: Archive, case: dict[str, str]) -> None:
    graph = build_graph(archive)
    pos = layout(graph)
    assert set(pos) == set(graph.nodes)
    assert all(-1.01 <= c <= 1.01 for xy in pos.values() for c in xy)
    assert layout(graph) == pos  # the same drawing each time


def test_cli_export_gexf_and_graphml(
    archive: Archive, case: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_ARCHIVE", str(archive.path))
    code, doc, _ = run("export", "gexf", str(tmp_path / "out.gexf"))
    assert code == 0 and doc["roles"] == 3 and doc["format"] == "gexf"
    assert nx.read_gexf(tmp_path / "out.gexf").number_of_edges() == 5
    code, doc, _ = run("export", "graphml", str(tmp_path / "out.graphml"), "--query", "hospital")
    assert code == 0 and doc["articles"] >= 1
    code, doc, err = run("export", "gexf", str(tmp_path / "missing" / "x.gexf"))
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "missing").exists()


def test_events_without_roles_are_nodes_with_their_precision(
    archive: Archive, case: dict[str, str]
) -> None:
    graph = build_graph(archive)
    assert graph.degree(case["detentions"]) == 0
    assert graph.nodes[case["detentions"]]["date_precision"] == "week"
    assert graph.nodes[case["raid"]]["place_precision"] == "town"
    assert case["ghost"] not in graph and case["campaign"] not in graph


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_read_back_as_the_same_graph_type_with_or_without_sensitive(
    archive: Archive, case: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    from archive import review
    from archive.exports.graph import read_graph

    review.flag_annotation(archive, case["victim_ann"], True, "personal")
    full, hidden = tmp_path / f"full.{fmt}", tmp_path / f"hidden.{fmt}"
    export_graph(archive, full, fmt=fmt)
    export_graph(archive, hidden, Selection(without_sensitive=True), fmt=fmt)
    # networkx alone reads the file without parallel edges as a DiGraph ...
    read = {"gexf": nx.read_gexf, "graphml": nx.read_graphml}[fmt]
    assert not read(hidden).is_multigraph()
    # ... read_graph gives the MultiDiGraph build_graph made, either way.
    for path in (full, hidden):
        graph = read_graph(path)
        assert type(graph) is nx.MultiDiGraph
        assert all(key == data["id"] for _, _, key, data in graph.edges(keys=True, data=True))
    # The victim's two roles and one of the two relations rest on the flagged passage.
    assert read_graph(hidden).number_of_edges() == 2
