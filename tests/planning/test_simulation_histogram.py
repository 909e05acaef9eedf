"""The won-cycle histogram of a run: round shared bins, counts checked by hand and by numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dealgraph.core.playbook import get_playbook
from dealgraph.planning.markov import build_chain, closed_form
from dealgraph.planning.scenario_load import load_scenario, load_scenario_text, scenario_path
from dealgraph.planning.simulation import (
    HISTOGRAM_BINS,
    cycle_edges,
    cycle_histogram,
    simulate,
)
from tests.planning.simulation_fixtures import TWO_STAGES, playbooks_with, tiny_playbook

TINY = tiny_playbook("first", "second")


def test_fixed_durations_put_won_deals_in_the_bins_a_geometric_law_says() -> None:
    # Days are fixed (10 in the first stage, 5 in the second), so a won deal that went back
    # k times took 15 (k + 1) days. From `second` a deal advances with 0.6 and goes back
    # (then always returns) with 0.2 x 0.8 = 0.16 per loop, so given a win k is geometric:
    # P(k) = 0.84 x 0.16^k.
    chain = build_chain(load_scenario_text(TWO_STAGES, playbooks=playbooks_with(TINY)), TINY)
    run = simulate(chain, deals=200_000, seed=5)
    edges = cycle_edges([run])
    # the 99.5th percentile of won days is 45 (P(<= 45) = 1 - 0.16^3 = 0.9959), so the
    # width is the first round step above 45 / 40 = 1.125 days: 2 days, edges 0 to 46
    assert edges.tolist() == list(range(0, 47, 2))
    histogram = cycle_histogram(run, edges)
    won = int(run.won.sum())
    assert sum(histogram.counts) + histogram.beyond == won
    expected = {7: 0.84, 15: 0.84 * 0.16, 22: 0.84 * 0.16**2}  # bins of 15, 30 and 45 days
    for index, count in enumerate(histogram.counts):
        share = expected.get(index, 0.0)
        assert count / won == pytest.approx(share, abs=4 * math.sqrt(share * (1 - share) / won))
    beyond = 0.16**3
    assert histogram.beyond / won == pytest.approx(
        beyond, abs=4 * math.sqrt(beyond * (1 - beyond) / won)
    )
    assert won / run.deals == pytest.approx(closed_form(chain).win_rate, abs=0.005)


def test_counts_match_numpy_and_bins_are_shared_and_round() -> None:
    playbook = get_playbook("buyer-journey")
    base = build_chain(load_scenario(scenario_path("buyer-journey")), playbook)
    redesign = build_chain(load_scenario(scenario_path("buyer-journey-more-meetings")), playbook)
    runs = [simulate(base, deals=30_000, seed=1), simulate(redesign, deals=30_000, seed=2)]
    edges = cycle_edges(runs)
    width = float(edges[1] - edges[0])
    mantissa = width / 10 ** math.floor(math.log10(width))
    assert mantissa in (1.0, 2.0, 5.0)
    assert np.allclose(np.diff(edges), width) and edges[0] == 0
    tops = [np.quantile(run.cycle_days[run.won], 0.995) for run in runs]
    assert edges[-1] >= max(tops) > edges[-1] - width
    assert len(edges) - 1 <= HISTOGRAM_BINS
    for run in runs:
        days = run.cycle_days[run.won]
        histogram = cycle_histogram(run, edges)
        inside = days[days < edges[-1]]
        assert histogram.counts == np.histogram(inside, bins=edges)[0].tolist()
        assert histogram.beyond == int((days >= edges[-1]).sum())
        assert histogram.edges == edges.tolist()
