"""The two shipped playbooks load cleanly and have the structure the product relies on."""

from __future__ import annotations

import networkx as nx
import pytest

from dealgraph.core.playbook import get_playbook, shipped_playbooks, validate_playbook_file
from dealgraph.core.playbook.rules import compile_rule

BUYER_STAGES = [
    "Questioning the status quo",
    "Assembling the buying team",
    "Defining the problem from every angle",
    "Trying in-house fixes",
    "Weighing the cost of change and getting buy-in",
    "Agreeing success criteria and budget",
    "Choosing a solution",
    "Approving and contracting",
    "Adopting",
]


@pytest.mark.parametrize("key", ["buyer-journey", "meddpicc"])
def test_shipped_playbook_has_zero_problems(key: str) -> None:
    assert validate_playbook_file(shipped_playbooks()[key]) == []
    assert get_playbook(key).key == key


def test_buyer_journey_has_the_nine_stages_in_order() -> None:
    playbook = get_playbook("buyer-journey")
    assert [stage.title for stage in playbook.stages] == BUYER_STAGES
    assert playbook.start_stage == playbook.stages[0].key
    assert playbook.won_stages == [playbook.stages[-1].key]
    # The main line runs forward through every stage in order.
    for stage, following in zip(playbook.stages, playbook.stages[1:], strict=False):
        assert following.key in stage.next, stage.key


def test_buyer_journey_allows_a_few_back_moves() -> None:
    playbook = get_playbook("buyer-journey")
    order = playbook.journey_order
    back_moves = [
        (stage.key, target)
        for stage in playbook.stages
        for target in stage.next
        if order.index(target) < order.index(stage.key)
    ]
    assert ("try_in_house", "define_problem") in back_moves
    assert 2 <= len(back_moves) <= 4


def test_buyer_journey_durations_fit_a_mid_market_cycle() -> None:
    playbook = get_playbook("buyer-journey")
    total_p50 = sum(stage.duration.p50 for stage in playbook.stages)
    assert 120 <= total_p50 <= 180
    assert all(stage.duration.p90 > stage.duration.p50 for stage in playbook.stages)


def test_buyer_journey_stage_contents() -> None:
    playbook = get_playbook("buyer-journey")
    for stage in playbook.stages:
        assert 2 <= len(stage.exit) <= 3, stage.key
        assert 1 <= len(stage.contingencies) <= 3, stage.key
        assert any(c.play for c in stage.contingencies), stage.key
        assert stage.goal and 1 <= stage.level <= 7
        assert len(playbook.plays_producing(stage.exit[0])) >= 1


def test_buyer_journey_plays() -> None:
    playbook = get_playbook("buyer-journey")
    assert len(playbook.plays) >= 18
    for play in playbook.plays:
        assert 2 <= len(play.questions) <= 4, play.key
        assert all(q.endswith("?") for q in play.questions), play.key
        assert play.channels and play.outcome and play.roles and play.purpose, play.key
        assert play.effort_hours > 0
    channels = {channel for play in playbook.plays for channel in play.channels}
    assert {"field", "inside", "virtual", "social", "email", "phone", "event"} <= channels
    stages_with_plays = {play.stage for play in playbook.plays}
    assert stages_with_plays == set(playbook.journey_order)


def test_buyer_journey_decision_template() -> None:
    playbook = get_playbook("buyer-journey")
    assert len(playbook.decisions) >= 10
    graph = nx.DiGraph()
    for decision in playbook.decisions:
        graph.add_node(decision.key)
        graph.add_edges_from((required, decision.key) for required in decision.requires)
    assert nx.is_directed_acyclic_graph(graph)
    assert sum(1 for d in playbook.decisions if d.requires) >= 9
    assert {d.level for d in playbook.decisions} >= {3, 4, 5}
    assert all(d.roles and d.stage in playbook.journey_order for d in playbook.decisions)


def test_buyer_journey_signals() -> None:
    playbook = get_playbook("buyer-journey")
    assert len(playbook.signals) >= 6
    assert len({s.key for s in playbook.signals}) == len(playbook.signals)
    assert {s.severity for s in playbook.signals} >= {"warning", "critical"}
    for signal in playbook.signals:
        assert compile_rule(signal.when).source == signal.when


def test_meddpicc_covers_every_element() -> None:
    playbook = get_playbook("meddpicc")
    titles = {c.title for c in playbook.criteria}
    elements = {"Metrics", "Economic buyer", "Decision criteria", "Decision process"}
    elements |= {"Paper process", "Identify pain", "Competition"}
    assert elements <= titles
    assert any(c.key.startswith("champion") for c in playbook.criteria)
    assert playbook.won_stages == ["closed_won"]
    assert all(stage.contingencies for stage in playbook.stages)
    assert all(play.questions for play in playbook.plays)
    assert len(playbook.signals) >= 6
    assert playbook.route(playbook.start_stage)[-1] == "closed_won"
