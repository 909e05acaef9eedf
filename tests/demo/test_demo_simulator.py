"""The demo's trips walk the playbook simulator's chain: checked against the closed form.

Oracles: the scenario's own probabilities (per stage, within 4 standard errors of a
binomial share), ``planning.markov``'s absorbing-chain results for the win rate, the
lognormal's known mean of log-days, and hand-computed numbers for the risk scaling and
the default model.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from dealgraph.core.enums import DealStatus
from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo import build_demo_document
from dealgraph.demo.journey import MOVES, Flags, plan_journey, working_stages
from dealgraph.demo.model import OUTCOME_KINDS, TripModel, trip_model
from dealgraph.planning.fit import fit_scenario
from dealgraph.planning.markov import build_chain, closed_form
from dealgraph.planning.scenario import Scenario
from dealgraph.planning.scenario_load import ScenarioError, load_scenario, scenario_path
from tests.demo.checks import check_links, check_stage_history, deal_records
from tests.demo.conftest import AS_OF, tiny_playbook

TRIPS = 20_000
SIGMAS = 4.0


@dataclass
class Walk:
    """What many first-pass trips did: visit ends per stage, targets, outcomes, days."""

    trips: int
    ends: dict[str, Counter[str]] = field(default_factory=dict)
    targets: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    statuses: Counter[DealStatus] = field(default_factory=Counter)
    log_days: dict[str, list[float]] = field(default_factory=dict)
    visits: dict[str, list[int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def walk(playbook: Playbook, model: TripModel, *, trips: int, risk: float, seed: int) -> Walk:
    """Run ``trips`` trips to their end (no horizon, no story) and count what they did."""
    rng = np.random.default_rng(seed)
    result = Walk(trips=trips)
    working = {c for stage in working_stages(playbook) for c in stage.exit}
    for number in range(trips):
        journey = plan_journey(
            rng,
            playbook,
            model,
            created=0.0,
            horizon=math.inf,
            pace=1.0,
            risk=risk,
            flags=Flags(),
        )
        result.statuses[journey.status] += 1
        visited = Counter(visit.stage for visit in journey.visits)
        for key in model.stages:
            result.visits.setdefault(key, []).append(visited[key])
        planned: list[str] = []
        for visit in journey.visits:
            kind = MOVES[visit.ends]
            result.ends.setdefault(visit.stage, Counter())[kind] += 1
            if visit.to_stage is not None:
                key = (visit.stage, kind)
                result.targets.setdefault(key, Counter())[visit.to_stage] += 1
            result.log_days.setdefault(visit.stage, []).append(math.log(visit.end - visit.start))
            planned += [criterion for criterion, _ in visit.criteria]
            if visit.ends == "recover" and visit.criteria:
                result.problems.append(f"trip {number}: a recover visit plans evidence")
            if visit.ends == "advance" and visit.criteria[-1][1] != visit.end:
                result.problems.append(f"trip {number}: an advance not on its last criterion")
        if len(planned) != len(set(planned)):
            result.problems.append(f"trip {number}: a criterion planned twice")
        if journey.status == DealStatus.WON and not working <= set(planned):
            result.problems.append(f"trip {number}: won without every stage's evidence")
    return result


def within(count: float, total: int, probability: float) -> bool:
    """A count out of ``total`` is within SIGMAS binomial standard errors of ``probability``."""
    error = math.sqrt(probability * (1.0 - probability) / total)
    return abs(count / total - probability) <= SIGMAS * error


@pytest.fixture(scope="module")
def model(buyer_journey: Playbook) -> TripModel:
    return trip_model(buyer_journey)


@pytest.fixture(scope="module")
def plain_walk(buyer_journey: Playbook, model: TripModel) -> Walk:
    return walk(buyer_journey, model, trips=TRIPS, risk=1.0, seed=2026)


def test_buyer_journey_walks_its_shipped_scenario(model: TripModel) -> None:
    assert model.source == "scenario buyer-journey"
    assert model.scenario == load_scenario(scenario_path("buyer-journey"))
    assert model.stage("assemble_team").advance_to == (
        ("define_problem", 0.95),
        ("try_in_house", 0.05),
    )
    # defaults made explicit: forward to the next stage, back to the previous one
    assert model.stage("try_in_house").advance_to == (("weigh_change", 1.0),)
    assert model.stage("try_in_house").back_to == (("define_problem", 1.0),)
    assert model.stage("weigh_change").back_to == (("assemble_team", 1.0),)
    assert model.stage("question_status_quo").back_to == ()


def test_each_stage_visit_ends_as_the_scenario_says(model: TripModel, plain_walk: Walk) -> None:
    off: list[str] = []
    for key, spec in model.scenario.stages.items():
        ends = plain_walk.ends[key]
        visits = sum(ends.values())
        for kind in OUTCOME_KINDS:
            expected = float(getattr(spec, kind))
            if not within(ends[kind], visits, expected):
                off.append(f"{key} {kind}: {ends[kind]}/{visits} vs {expected}")
    assert off == []
    # every stage is visited often enough for the check to mean something
    assert min(sum(c.values()) for c in plain_walk.ends.values()) > 5000
    assert plain_walk.problems == []


def test_moves_go_where_advance_to_and_back_to_send_them(plain_walk: Walk) -> None:
    skips = plain_walk.targets[("assemble_team", "advance")]
    assert set(skips) == {"define_problem", "try_in_house"}
    assert within(skips["try_in_house"], sum(skips.values()), 0.05)
    later = plain_walk.targets[("define_problem", "advance")]
    assert within(later["weigh_change"], sum(later.values()), 0.05)
    assert set(plain_walk.targets[("weigh_change", "back")]) == {"assemble_team"}
    assert set(plain_walk.targets[("define_problem", "back")]) == {"assemble_team"}
    assert set(plain_walk.targets[("approve_contract", "advance")]) == {"adopt"}


def test_the_win_rate_is_the_chains_closed_form(
    buyer_journey: Playbook, model: TripModel, plain_walk: Walk
) -> None:
    exact = closed_form(build_chain(model.scenario, buyer_journey))
    assert exact.win_rate == pytest.approx(0.27378, abs=1e-5)  # the scenario as shipped
    statuses = plain_walk.statuses
    assert sum(statuses.values()) == TRIPS and statuses[DealStatus.OPEN] == 0
    assert within(statuses[DealStatus.WON], TRIPS, exact.win_rate)
    assert within(statuses[DealStatus.LOST], TRIPS, exact.loss_rate)
    assert within(statuses[DealStatus.NO_DECISION], TRIPS, exact.no_decision_rate)
    # expected visits per stage, too (a re-walk after a move back is a visit)
    for key, expected in exact.visits.items():
        visits = np.array(plain_walk.visits[key])
        error = float(visits.std()) / math.sqrt(TRIPS)
        assert abs(float(visits.mean()) - expected) <= SIGMAS * error, key


def test_visit_days_are_the_scenarios_lognormal(model: TripModel, plain_walk: Walk) -> None:
    for key, spec in model.scenario.stages.items():
        logs = np.array(plain_walk.log_days[key])
        error = spec.days.shape / math.sqrt(len(logs))
        assert abs(float(logs.mean()) - math.log(spec.days.p50)) <= SIGMAS * error, key
        assert float(logs.std()) == pytest.approx(spec.days.shape, rel=0.05), key


def test_risk_scales_the_exits_and_the_moves_share_the_rest(model: TripModel) -> None:
    stage = model.stage("define_problem")  # 0.78 / 0.06 / 0.06 / 0.10
    assert stage.chances(1.0) == (0.78, 0.06, 0.06, 0.10)
    doubled = stage.chances(2.0)  # exits 0.32, moves share 0.68 as 78:6
    assert doubled == pytest.approx((0.78 * 0.68 / 0.84, 0.06 * 0.68 / 0.84, 0.12, 0.20))
    capped = stage.chances(10.0)  # exits stop at 0.6
    assert capped == pytest.approx((0.78 * 0.4 / 0.84, 0.06 * 0.4 / 0.84, 0.225, 0.375))
    assert stage.chances(0.0) == pytest.approx((0.78 / 0.84, 0.06 / 0.84, 0.0, 0.0))
    assert sum(stage.chances(0.37)) == pytest.approx(1.0)


def test_a_risky_deal_walks_the_chain_of_its_scaled_probabilities(
    buyer_journey: Playbook, model: TripModel
) -> None:
    risk, trips = 1.8, 5000
    scaled = _scaled(model, risk)
    exact = closed_form(build_chain(scaled, buyer_journey))
    result = walk(buyer_journey, model, trips=trips, risk=risk, seed=18)
    assert exact.win_rate < 0.15  # far from the plain chain's 0.274: the test can tell
    assert within(result.statuses[DealStatus.WON], trips, exact.win_rate)
    assert within(result.statuses[DealStatus.NO_DECISION], trips, exact.no_decision_rate)


def test_a_playbook_without_a_scenario_walks_its_default_model() -> None:
    playbook = tiny_playbook()
    model = trip_model(playbook)
    assert model.source == "playbook"
    # hand-computed: base = 1 - 0.86^(8/3) = 0.331149 over three working stages, shaped
    # 1.15, 0.975, 0.8 along the journey; 'no decision' takes 75%, 47.5%, 20% of the exits
    expected = {
        "spark": (0.619178, 0.0, 0.095205, 0.285616),
        "shape": (0.677129, 0.0, 0.169507, 0.153364),
        "sign": (0.735081, 0.0, 0.211936, 0.052984),
        "grow": (0.0, 0.0, 0.0, 1.0),  # after the won end: never reached
    }
    for key, chances in expected.items():
        assert model.stage(key).chances(1.0) == pytest.approx(chances, abs=1e-6), key
    assert model.stage("shape").p50_days == 10
    assert model.stage("shape").sigma == pytest.approx(math.log(2) / 1.2815515655446004)
    exact = closed_form(build_chain(model.scenario, playbook))
    assert exact.win_rate == pytest.approx(0.619178 * 0.677129 * 0.735081, abs=1e-5)
    result = walk(playbook, model, trips=TRIPS, risk=1.0, seed=5)
    assert within(result.statuses[DealStatus.WON], TRIPS, exact.win_rate)
    assert within(result.statuses[DealStatus.LOST], TRIPS, exact.loss_rate)
    assert result.problems == []


def test_meddpicc_has_no_scenario_and_gets_the_default(meddpicc: Playbook) -> None:
    model = trip_model(meddpicc)
    assert model.source == "playbook"
    assert set(model.stages) == {"discover", "qualify", "validate", "commit"}
    advances = [model.stage(key).advance for key in ("discover", "qualify", "validate", "commit")]
    assert advances == sorted(advances)  # the exit hazard falls along the journey


def test_a_plain_demo_fits_back_to_the_scenario(buyer_journey: Playbook, model: TripModel) -> None:
    document = build_demo_document(seed=7, as_of=AS_OF, playbook=buyer_journey, plain=True)
    records = deal_records(document)
    assert [p for r in records.values() for p in check_stage_history(r, buyer_journey)] == []
    assert [p for r in records.values() for p in check_links(r)] == []
    fitted = fit_scenario(records.values(), buyer_journey, prior_exits=0)
    off: list[str] = []
    for key, spec in model.scenario.stages.items():
        exits = fitted.report.exits[key]
        for kind in OUTCOME_KINDS:
            share = float(getattr(fitted.scenario.stages[key], kind))
            if not within(share * exits, exits, float(getattr(spec, kind))):
                off.append(f"{key} {kind}: {share:.3f} of {exits} vs {getattr(spec, kind)}")
    assert off == []
    assert sum(fitted.report.exits.values()) > 1000
    # no stories: every buying team has its champion
    roles = Counter(s["deal_id"] for s in document["stakeholders"] if s["role"] == "champion")
    assert set(roles) == set(records)


def test_the_demo_team_wins_more_than_the_shipped_scenario(
    demo_document: dict[str, Any], buyer_journey: Playbook, model: TripModel
) -> None:
    fitted = fit_scenario(deal_records(demo_document).values(), buyer_journey, prior_exits=0)
    demo = closed_form(build_chain(fitted.scenario, buyer_journey)).win_rate
    shipped = closed_form(build_chain(model.scenario, buyer_journey)).win_rate
    # the deals' risk averages about half the scenario's (docs/demo.md, "Calibration")
    assert demo > shipped + 0.15


def test_a_playbook_its_shipped_scenario_does_not_fit_is_refused_with_locations() -> None:
    impostor = tiny_playbook().model_copy(update={"key": "buyer-journey"})
    with pytest.raises(ScenarioError) as caught:
        build_demo_document(seed=1, as_of=AS_OF, playbook=impostor)
    problems = caught.value.problems
    assert {p.code for p in problems} == {"missing-stage", "unknown-stage"}
    unknown = next(p for p in problems if p.code == "unknown-stage")
    assert unknown.file.endswith("buyer-journey.yaml") and unknown.location.line > 1
    assert unknown.location.path == ("stages", "question_status_quo")


def _scaled(model: TripModel, risk: float) -> Scenario:
    stages = {}
    for key, spec in model.scenario.stages.items():
        advance, back, lost, no_decision = model.stage(key).chances(risk)
        stages[key] = spec.model_copy(
            update={"advance": advance, "back": back, "lost": lost, "no_decision": no_decision}
        )
    return model.scenario.model_copy(update={"stages": stages})
