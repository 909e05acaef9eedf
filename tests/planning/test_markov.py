"""The absorbing Markov chain against a chain solved by hand and against other numpy routes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from dealgraph.errors import InvalidInput
from dealgraph.planning.markov import Chain, build_chain, closed_form, fundamental_matrix
from dealgraph.planning.scenario_load import load_scenario_text
from tests.planning.simulation_fixtures import TWO_STAGES, playbooks_with, tiny_playbook

TINY = tiny_playbook("first", "second")


def two_stage_chain() -> Chain:
    scenario = load_scenario_text(TWO_STAGES, playbooks=playbooks_with(TINY))
    return build_chain(scenario, TINY)


def test_two_stage_chain_matches_the_hand_solution() -> None:
    # first -> second 0.8, lost 0.1, no decision 0.1
    # second -> won 0.6, back to first 0.2, lost 0.15, no decision 0.05
    # First-step equations: w1 = 0.8 w2, w2 = 0.6 + 0.2 w1  =>  w1 = 0.48 / 0.84 = 4/7.
    # l1 = 0.1 + 0.8 l2, l2 = 0.15 + 0.2 l1  =>  l1 = 0.22 / 0.84 = 11/42; n1 = 0.14 / 0.84.
    exact = closed_form(two_stage_chain())
    assert exact.win_rate == pytest.approx(float(Fraction(4, 7)), abs=1e-12)
    assert exact.loss_rate == pytest.approx(float(Fraction(11, 42)), abs=1e-12)
    assert exact.no_decision_rate == pytest.approx(float(Fraction(1, 6)), abs=1e-12)
    # Expected visits from the start: N = (I - Q)^-1, first row = [1, 0.8] / 0.84.
    assert exact.visits["first"] == pytest.approx(1 / 0.84)
    assert exact.visits["second"] == pytest.approx(0.8 / 0.84)
    # Days are fixed (sigma 0): 10 in first, 5 in second.
    assert exact.cycle_days == pytest.approx((10 + 0.8 * 5) / 0.84)
    # A won deal goes first -> second (15 days) k + 1 times with chance 0.48 * 0.16^k:
    # E[T 1{won}] = 15 * 0.48 / 0.84^2, so E[T | won] = 15 / 0.84.
    assert exact.cycle_days_won == pytest.approx(15 / 0.84)
    # Effort: first holds 1 field + 3 emails (2 + 1.5 h; 300 + 60), second 2 field (4 h; 600).
    assert exact.interactions == pytest.approx({"email": 3 / 0.84, "field": (1 + 0.8 * 2) / 0.84})
    assert exact.hours_per_deal == pytest.approx((3.5 + 0.8 * 4) / 0.84)
    assert exact.cost_per_deal == pytest.approx((360 + 0.8 * 600) / 0.84)
    assert exact.cost_per_win == pytest.approx(exact.cost_per_deal * 7 / 4)
    assert exact.from_stage["second"].won == pytest.approx(0.6 / 0.84)


def test_absorption_agrees_with_first_step_equations_and_matrix_powers() -> None:
    playbook = tiny_playbook("a", "b", "c")
    text = """\
title: Three stages
playbook: tiny
value: {p50: 10, p90: 30}
stages:
  a: {advance: 0.7, advance_to: {b: 0.9, c: 0.1}, back: 0, lost: 0.2, no_decision: 0.1,
      days: {p50: 3, p90: 9}}
  b: {advance: 0.5, back: 0.3, lost: 0.1, no_decision: 0.1, days: {p50: 4, p90: 8}}
  c: {advance: 0.6, back: 0.25, back_to: {a: 0.4, b: 0.6}, lost: 0.05, no_decision: 0.1,
      days: {p50: 7, p90: 20}}
"""
    chain = build_chain(load_scenario_text(text, playbooks=playbooks_with(playbook)), playbook)
    exact = closed_form(chain)

    # Route 1: the first-step equations written out by hand, one row per stage:
    # w_a = 0.7 (0.9 w_b + 0.1 w_c); w_b = 0.5 w_c + 0.3 w_a; w_c = 0.6 + 0.25 (0.4 w_a + 0.6 w_b)
    lhs = np.array(
        [
            [1.0, -0.63, -0.07],
            [-0.3, 1.0, -0.5],
            [-0.1, -0.15, 1.0],
        ]
    )
    won = np.linalg.solve(lhs, np.array([0.0, 0.0, 0.6]))
    lost = np.linalg.solve(lhs, np.array([0.2, 0.1, 0.05]))
    assert exact.win_rate == pytest.approx(won[0], abs=1e-12)
    assert exact.loss_rate == pytest.approx(lost[0], abs=1e-12)
    assert [exact.from_stage[k].won for k in "abc"] == pytest.approx(list(won), abs=1e-12)

    # Route 2: run the full stochastic matrix (absorbing states loop on themselves) forward.
    size = len(chain.stages)
    full = np.eye(size + 3)
    full[:size, :] = chain.transitions
    limit = np.linalg.matrix_power(full, 2000)[0, size:]
    assert [exact.win_rate, exact.loss_rate, exact.no_decision_rate] == pytest.approx(
        list(limit), abs=1e-12
    )
    # Expected visits: the sum of Q^k over k, truncated where it no longer moves.
    visits = sum(np.linalg.matrix_power(chain.q, k)[0] for k in range(400))
    assert list(exact.visits.values()) == pytest.approx(list(visits), rel=1e-10)
    assert exact.win_rate + exact.loss_rate + exact.no_decision_rate == pytest.approx(1.0)


def test_mean_days_come_from_the_lognormal() -> None:
    playbook = tiny_playbook("a")
    text = """\
title: One stage
playbook: tiny
value: {p50: 10, p90: 30}
stages:
  a: {advance: 1, back: 0, lost: 0, no_decision: 0, days: {p50: 10, sigma: 0.5}}
"""
    chain = build_chain(load_scenario_text(text, playbooks=playbooks_with(playbook)), playbook)
    assert closed_form(chain).cycle_days == pytest.approx(10 * np.exp(0.125))
    assert closed_form(chain).win_rate == 1.0
    assert chain.mean_value == pytest.approx(10 * np.exp((np.log(3) / 1.2815515655446004) ** 2 / 2))


def test_a_chain_without_way_out_is_refused_by_the_matrix_too() -> None:
    chain = two_stage_chain()
    trapped = chain.transitions.copy()
    trapped[:] = 0.0
    trapped[0, 1] = 1.0
    trapped[1, 0] = 1.0
    looped = type(chain)(**{**chain.__dict__, "transitions": trapped})
    with pytest.raises(InvalidInput, match="closed loop"):
        fundamental_matrix(looped)
