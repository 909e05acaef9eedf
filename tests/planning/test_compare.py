"""The intervals of a design comparison against scipy, closed forms and a bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from dealgraph.core.playbook import get_playbook
from dealgraph.planning.compare import (
    Estimate,
    compare_runs,
    difference_interval,
    log_linear,
    mean,
    proportion,
    quantile,
)
from dealgraph.planning.markov import build_chain
from dealgraph.planning.scenario_load import load_scenario, scenario_path
from dealgraph.planning.simulation import simulate


def test_two_proportion_interval_matches_the_textbook_formula() -> None:
    a, b = proportion(300, 1000), proportion(360, 1000)
    low, high = difference_interval(a, b, method="two-proportion normal") or (0, 0)
    error = math.sqrt(0.3 * 0.7 / 1000 + 0.36 * 0.64 / 1000)
    assert (low, high) == pytest.approx((0.06 - 1.959964 * error, 0.06 + 1.959964 * error))
    assert low > 0


def test_welch_interval_matches_scipy() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(10, 2, 400), rng.normal(10.6, 5, 250)
    low, high = difference_interval(mean(a), mean(b), method="Welch") or (0, 0)
    # scipy's interval is for mean(first) - mean(second): B - A here
    reference = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (low, high) == pytest.approx((reference.low, reference.high), rel=1e-9)


def test_quantile_error_matches_the_asymptotic_formula() -> None:
    rng = np.random.default_rng(9)
    count = 200_000
    sample = rng.exponential(1.0, count)
    # Exp(1): density at the median ln 2 is 1/2, so sd = sqrt(0.25 / n) / 0.5 = 1 / sqrt(n);
    # at the 90th percentile (ln 10) the density is 0.1: sd = sqrt(0.09 / n) / 0.1.
    median, p90 = quantile(sample, 0.5), quantile(sample, 0.9)
    assert median.value == pytest.approx(math.log(2), abs=0.01)
    assert median.error == pytest.approx(1 / math.sqrt(count), rel=0.1)
    assert p90.error == pytest.approx(3 / math.sqrt(count), rel=0.1)


def test_delta_method_error_agrees_with_a_bootstrap() -> None:
    rng = np.random.default_rng(12)
    count = 3_000
    won = (rng.random(count) < 0.3).astype(float)
    cost = rng.gamma(2.0, 500.0, count) * (1 + won)
    ratio = log_linear([(cost, 1.0), (won, -1.0)])
    assert ratio.value == pytest.approx(cost.sum() / won.sum())
    picks = rng.integers(0, count, (2_000, count))
    boot = cost[picks].sum(axis=1) / won[picks].sum(axis=1)
    assert ratio.error == pytest.approx(boot.std(ddof=1), rel=0.1)


def test_no_interval_without_figures() -> None:
    assert quantile(np.array([]), 0.5).value is None
    assert mean(np.array([])).value is None
    assert log_linear([(np.ones(3), 1.0), (np.zeros(3), -1.0)]).value is None
    assert difference_interval(Estimate(value=None), proportion(1, 2), method="Welch") is None


def test_comparing_the_shipped_designs_finds_the_redesign_better_and_dearer() -> None:
    playbook = get_playbook("buyer-journey")
    base = build_chain(load_scenario(scenario_path("buyer-journey")), playbook)
    redesign = build_chain(load_scenario(scenario_path("buyer-journey-more-meetings")), playbook)
    rows = {
        row.metric: row
        for row in compare_runs(
            simulate(base, deals=100_000, seed=1), simulate(redesign, deals=100_000, seed=2)
        )
    }
    assert list(rows)[:3] == ["win_rate", "loss_rate", "no_decision_rate"]
    win = rows["win_rate"]
    assert win.difference == pytest.approx((win.b or 0) - (win.a or 0))
    assert win.low is not None and win.high is not None and win.low < win.difference < win.high
    assert win.significant and win.difference > 0
    cost = rows["cost_per_deal"]
    assert cost.significant and (cost.difference or 0) > 0
    assert {row.method for row in rows.values()} == {
        "two-proportion normal",
        "asymptotic quantile",
        "Welch",
        "delta method",
    }
    same = compare_runs(simulate(base, deals=20_000, seed=1), simulate(base, deals=20_000, seed=1))
    assert all(row.difference == 0 and row.significant is False for row in same)
