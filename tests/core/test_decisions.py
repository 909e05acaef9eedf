"""The buyer's decision graph: acyclic, with a stable critical path."""

from __future__ import annotations

import pytest

from dealgraph.core.decisions import (
    check_new_requirement,
    critical_path,
    decision_graph,
    find_cycle,
    topological_layers,
)
from dealgraph.core.enums import DecisionStatus
from dealgraph.core.model import Decision
from dealgraph.errors import CycleError, InvalidInput


def _chain() -> list[Decision]:
    return [
        Decision(id=1, title="Problem is real", expected_days=10),
        Decision(id=2, title="Team assembled", requires=[1], expected_days=5),
        Decision(id=3, title="Budget agreed", requires=[2], expected_days=20),
        Decision(id=4, title="Criteria agreed", requires=[2], expected_days=7),
        Decision(id=5, title="Vendor chosen", requires=[3, 4], expected_days=15),
    ]


def test_edges_run_from_required_to_dependent() -> None:
    graph = decision_graph(_chain())
    assert sorted(graph.edges) == [(1, 2), (2, 3), (2, 4), (3, 5), (4, 5)]
    assert find_cycle(graph) is None


def test_unknown_requirement_is_named() -> None:
    with pytest.raises(InvalidInput, match="decision 2: requires unknown decision 9"):
        decision_graph([Decision(id=1, title="a"), Decision(id=2, title="b", requires=[9])])


def test_a_closing_edge_is_refused_with_the_cycle_named() -> None:
    with pytest.raises(CycleError) as caught:
        check_new_requirement(_chain(), dependent=1, required=5)
    assert caught.value.cycle == [
        "Problem is real",
        "Team assembled",
        "Budget agreed",
        "Vendor chosen",
        "Problem is real",
    ]


def test_self_dependency_is_a_cycle() -> None:
    with pytest.raises(CycleError, match="Budget agreed -> Budget agreed"):
        check_new_requirement(_chain(), dependent=3, required=3)


def test_a_harmless_edge_passes() -> None:
    check_new_requirement(_chain(), dependent=4, required=3)


def test_critical_path_is_the_longest_chain_by_days() -> None:
    steps = critical_path(_chain())
    assert [s.decision_id for s in steps] == [1, 2, 3, 5]
    assert [s.cumulative_days for s in steps] == [10, 15, 35, 50]


def test_critical_path_skips_decided_and_dropped_decisions() -> None:
    decisions = _chain()
    decisions[0] = decisions[0].model_copy(update={"status": DecisionStatus.DECIDED})
    decisions[2] = decisions[2].model_copy(update={"status": DecisionStatus.DROPPED})
    assert [s.decision_id for s in critical_path(decisions)] == [2, 4, 5]
    assert critical_path([]) == []


def test_layers_go_left_to_right_by_dependency() -> None:
    assert topological_layers(_chain()) == [[1], [2], [3, 4], [5]]
