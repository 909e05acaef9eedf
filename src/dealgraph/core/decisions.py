"""The buyer's decision graph: a DAG of decisions, kept acyclic, with its critical path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from dealgraph.core.enums import OPEN_DECISION_STATUSES
from dealgraph.core.model import Decision
from dealgraph.errors import CycleError, InvalidInput


def decision_graph(decisions: Iterable[Decision]) -> nx.DiGraph:
    """A directed graph with an edge ``required -> dependent`` for each requirement.

    Example:
        >>> g = decision_graph([Decision(id=1, title="a"), Decision(id=2, title="b", requires=[1])])
        >>> list(g.edges)
        [(1, 2)]
    """
    graph = nx.DiGraph()
    by_id = {d.id: d for d in decisions}
    for decision in by_id.values():
        graph.add_node(decision.id, decision=decision)
    for decision in by_id.values():
        for required in decision.requires:
            if required not in by_id:
                raise InvalidInput(
                    f"requires unknown decision {required}", where=f"decision {decision.id}"
                )
            graph.add_edge(required, decision.id)
    return graph


def find_cycle(graph: nx.DiGraph) -> list[object] | None:
    """One cycle as a closed list of nodes (first == last), or None when the graph is a DAG."""
    try:
        edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [edges[0][0], *(v for _, v in edges)]


def check_new_requirement(decisions: Sequence[Decision], *, dependent: int, required: int) -> None:
    """Refuse ``dependent requires required`` if it would close a cycle; name the cycle.

    Example:
        >>> ds = [Decision(id=1, title="a"), Decision(id=2, title="b", requires=[1])]
        >>> check_new_requirement(ds, dependent=1, required=2)
        Traceback (most recent call last):
        ...
        dealgraph.errors.CycleError: dependency would make a cycle: a -> b -> a
    """
    titles = {d.id: d.title for d in decisions}
    if dependent == required:
        raise CycleError([titles.get(dependent, str(dependent))] * 2)
    graph = decision_graph(decisions)
    if graph.has_node(dependent) and graph.has_node(required):
        try:
            path = nx.shortest_path(graph, dependent, required)
        except nx.NetworkXNoPath:
            return
        # path runs dependent .. required; the new edge required -> dependent closes it.
        raise CycleError([titles.get(n, str(n)) for n in [*path, dependent]])


@dataclass(frozen=True)
class PathStep:
    """One open decision on the critical path, with its days and the running total."""

    decision_id: int
    title: str
    days: int
    cumulative_days: int


def critical_path(decisions: Sequence[Decision]) -> list[PathStep]:
    """The longest chain of open decisions by expected days (decided and dropped ones cost 0).

    Example:
        >>> ds = [Decision(id=1, title="a", expected_days=5),
        ...       Decision(id=2, title="b", requires=[1], expected_days=7),
        ...       Decision(id=3, title="c", requires=[1], expected_days=2)]
        >>> [(s.title, s.cumulative_days) for s in critical_path(ds)]
        [('a', 5), ('b', 12)]
    """
    open_ids = {d.id for d in decisions if d.status in OPEN_DECISION_STATUSES}
    graph = decision_graph(decisions).subgraph(open_ids).copy()
    if graph.number_of_nodes() == 0:
        return []
    source = "__start__"
    weighted = nx.DiGraph()
    for node in graph.nodes:
        days = graph.nodes[node]["decision"].expected_days
        weighted.add_edge(source, node, weight=days)
    for u, v in graph.edges:
        weighted.add_edge(u, v, weight=graph.nodes[v]["decision"].expected_days)
    # Ties broken by id so the path is stable from run to run.
    path = nx.dag_longest_path(weighted, weight="weight", topo_order=_stable_topo(weighted))
    steps: list[PathStep] = []
    total = 0
    for node in path:
        if node == source:
            continue
        decision: Decision = graph.nodes[node]["decision"]
        total += decision.expected_days
        steps.append(PathStep(int(node), decision.title, decision.expected_days, total))
    return steps


def _stable_topo(graph: nx.DiGraph) -> list[object]:
    return list(nx.lexicographical_topological_sort(graph, key=str))


def topological_layers(decisions: Sequence[Decision]) -> list[list[int]]:
    """Decisions grouped left to right by dependency depth (for drawing)."""
    graph = decision_graph(decisions)
    return [sorted(layer) for layer in nx.topological_generations(graph)]
