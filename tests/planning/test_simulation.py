"""The vectorised Monte Carlo against the closed form, and its reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from dealgraph.core.playbook import get_playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.markov import Chain, build_chain, closed_form
from dealgraph.planning.scenario_load import load_scenario, load_scenario_text, scenario_path
from dealgraph.planning.simulation import (
    CHUNK,
    VELOCITY_DAYS,
    VELOCITY_DEALS,
    alias_tables,
    simulate,
    summarize,
)
from tests.planning.simulation_fixtures import TWO_STAGES, playbooks_with, tiny_playbook

TINY = tiny_playbook("first", "second")


@pytest.fixture(scope="module")
def shipped_chain() -> Chain:
    return build_chain(load_scenario(scenario_path("buyer-journey")), get_playbook("buyer-journey"))


@pytest.fixture(scope="module")
def two_stage() -> Chain:
    return build_chain(load_scenario_text(TWO_STAGES, playbooks=playbooks_with(TINY)), TINY)


def test_monte_carlo_win_rate_is_within_half_a_point_of_the_closed_form(
    shipped_chain: Chain,
) -> None:
    exact = closed_form(shipped_chain)
    summary = summarize(simulate(shipped_chain, deals=200_000, seed=11))
    assert abs(summary.win_rate - exact.win_rate) < 0.005
    assert abs(summary.loss_rate - exact.loss_rate) < 0.005
    assert abs(summary.no_decision_rate - exact.no_decision_rate) < 0.005
    # means of the per-deal outputs agree with the chain's expectations too
    assert exact.cycle_days_won is not None
    assert summary.cycle_mean_won == pytest.approx(exact.cycle_days_won, rel=0.01)
    assert summary.cycle_mean == pytest.approx(exact.cycle_days, rel=0.01)
    assert summary.cost_per_deal == pytest.approx(exact.cost_per_deal, rel=0.01)
    assert summary.hours_per_deal == pytest.approx(exact.hours_per_deal, rel=0.01)
    for stage, visits in exact.visits.items():
        assert summary.visits[stage] == pytest.approx(visits, abs=0.01)
    for channel, count in exact.interactions.items():
        assert summary.interactions[channel] == pytest.approx(count, rel=0.01)
    assert summary.won + summary.lost + summary.no_decision == 200_000


def test_per_deal_outputs_follow_each_deals_route(two_stage: Chain) -> None:
    run = simulate(two_stage, deals=20_000, seed=3)
    # sigma is 0 in both stages: every deal's days are 10 per visit of first, 5 of second
    assert np.allclose(run.cycle_days, run.visits @ np.array([10.0, 5.0]))
    # a won deal ended in second, so it visited second once more than first was left forward
    won = run.won
    assert np.all(run.visits[won, 1] == run.visits[won, 0])
    assert np.all(run.visits[:, 0] >= 1)
    channels = list(two_stage.channels)
    interactions = run.interactions()
    field, email = channels.index("field"), channels.index("email")
    assert np.allclose(interactions[:, field], run.visits[:, 0] * 1 + run.visits[:, 1] * 2)
    assert np.allclose(interactions[:, email], run.visits[:, 0] * 3)
    assert np.allclose(run.hours, interactions @ np.array(two_stage.hours))
    assert np.allclose(run.cost_by_channel().sum(axis=1), run.cost)
    assert np.allclose(run.hours_by_channel().sum(axis=1), run.hours)
    assert np.allclose(run.value, 1000.0)  # p50 = p90: a fixed value


def test_summary_figures_are_computed_from_the_deals(two_stage: Chain) -> None:
    run = simulate(two_stage, deals=5_000, seed=8)
    summary = summarize(run)
    won_days = run.cycle_days[run.outcome == 0]
    assert summary.win_rate == np.mean(run.outcome == 0)
    assert summary.cycle_p50_won == pytest.approx(np.median(won_days))
    assert summary.cost_per_win == pytest.approx(run.cost.sum() / summary.won)
    velocity = 1000.0 * summary.win_rate * VELOCITY_DEALS / won_days.mean() * VELOCITY_DAYS
    assert summary.velocity == pytest.approx(velocity)
    assert summary.currency == "EUR"


def test_the_same_seed_gives_the_same_deals_whatever_the_threads(shipped_chain: Chain) -> None:
    deals = CHUNK * 2 + 1_000  # three chunks
    one = simulate(shipped_chain, deals=deals, seed=5, workers=1)
    two = simulate(shipped_chain, deals=deals, seed=5, workers=2)
    assert np.array_equal(one.outcome, two.outcome)
    assert np.array_equal(one.cycle_days, two.cycle_days)
    assert np.array_equal(one.visits, two.visits)
    assert np.array_equal(one.value, two.value)
    other = simulate(shipped_chain, deals=deals, seed=6, workers=2)
    assert not np.array_equal(one.cycle_days, other.cycle_days)


def test_alias_tables_reproduce_each_row_exactly() -> None:
    rows = np.array([[0.0, 0.5, 0.25, 0.25, 0.0], [0.1, 0.0, 0.0, 0.0, 0.9], [0, 0, 1.0, 0, 0]])
    threshold, alias = alias_tables(rows)
    columns = rows.shape[1]
    for row in range(rows.shape[0]):
        # column j is taken with chance threshold/columns, plus every other column's remainder
        share = np.zeros(columns)
        for j in range(columns):
            cell = row * columns + j
            share[j] += threshold[cell] / columns
            share[alias[cell]] += (1 - threshold[cell]) / columns
        assert share == pytest.approx(rows[row], abs=1e-12)


def test_impossible_moves_never_happen(two_stage: Chain) -> None:
    run = simulate(two_stage, deals=50_000, seed=2)
    # first cannot go back and second's back goes to first: nothing skips first
    assert np.all(run.visits[:, 0] >= run.visits[:, 1])


def test_bad_deal_counts_are_refused(two_stage: Chain) -> None:
    for deals in (0, -5, 30_000_000):
        with pytest.raises(InvalidInput, match="deals must be from 1") as caught:
            simulate(two_stage, deals=deals, seed=1)
        assert caught.value.where == "deals"


def test_a_design_that_almost_never_ends_is_stopped() -> None:
    text = TWO_STAGES.replace(
        "    advance: 0.8\n    back: 0\n    lost: 0.1\n    no_decision: 0.1",
        "    advance: 1\n    back: 0\n    lost: 0\n    no_decision: 0",
    ).replace(
        "    advance: 0.6\n    back: 0.2\n    lost: 0.15\n    no_decision: 0.05",
        "    advance: 0\n    back: 0.999999\n    lost: 0.000001\n    no_decision: 0",
    )
    chain = build_chain(load_scenario_text(text, playbooks=playbooks_with(TINY)), TINY)
    assert closed_form(chain).visits["first"] == pytest.approx(1e6, rel=1e-6)
    with pytest.raises(InvalidInput, match="still moving after"):
        simulate(chain, deals=100, seed=1)
