"""The bookings Monte Carlo: closed-form mean, exact P(quota), seeds, bounded memory."""

from __future__ import annotations

import itertools
import math
import tracemalloc

import numpy as np
import pytest

from dealgraph.errors import InvalidInput
from dealgraph.planning.montecarlo import bookings_distribution, simulate_bookings


def test_mean_bookings_equal_the_closed_form_within_three_standard_errors() -> None:
    rng = np.random.default_rng(3)
    values = rng.uniform(5_000, 250_000, 400)
    probabilities = rng.uniform(0, 1, 400)
    trials = 20_000
    bookings = simulate_bookings(values, probabilities, trials=trials, seed=11)
    exact_mean = float(values @ probabilities)
    exact_sd = math.sqrt(float((values**2 * probabilities * (1 - probabilities)).sum()))
    assert abs(bookings.mean() - exact_mean) <= 3 * exact_sd / math.sqrt(trials)
    # the spread is right too: the sample variance within 5 % of the exact one
    assert bookings.std() == pytest.approx(exact_sd, rel=0.05)


def test_p_quota_matches_the_eight_outcomes_of_three_deals() -> None:
    values = [100.0, 200.0, 300.0]
    p_win, p_close = [0.4, 0.5, 0.7], [0.5, 1.0, 1.0]
    booking = [w * c for w, c in zip(p_win, p_close, strict=True)]  # 0.2, 0.5, 0.7
    exact = 0.0
    for outcome in itertools.product([0, 1], repeat=3):
        chance = math.prod(p if won else 1 - p for p, won in zip(booking, outcome, strict=True))
        if sum(v for v, won in zip(values, outcome, strict=True) if won) >= 300:
            exact += chance
    assert exact == pytest.approx(0.73)  # P(c) + P(not c) P(a) P(b) = 0.7 + 0.3 * 0.2 * 0.5
    trials = 200_000
    result = bookings_distribution(values, p_win, p_close, quota=300.0, trials=trials, seed=5)
    assert result.p_quota is not None
    assert abs(result.p_quota - exact) <= 3 * math.sqrt(exact * (1 - exact) / trials)
    assert result.expected == pytest.approx(0.2 * 100 + 0.5 * 200 + 0.7 * 300)
    assert abs(result.mc_mean - result.expected) <= 3 * result.standard_error
    assert sum(b.trials for b in result.histogram) == trials


def test_already_won_bookings_shift_every_trial() -> None:
    result = bookings_distribution([100.0], [1.0], [0.0], already_won=500.0, quota=500.0, trials=50)
    assert (result.p10, result.p50, result.p90, result.expected) == (500.0, 500.0, 500.0, 500.0)
    assert result.p_quota == 1.0
    assert len(result.histogram) == 1 and result.histogram[0].trials == 50


def test_same_seed_same_trials_and_the_chunk_size_does_not_matter() -> None:
    rng = np.random.default_rng(1)
    # whole values: every sum is exact, whatever order the matrix product adds in
    values = rng.integers(1, 100_000, 37).astype(float)
    probabilities = rng.uniform(0, 1, 37)
    first = simulate_bookings(values, probabilities, trials=999, seed=42)
    again = simulate_bookings(values, probabilities, trials=999, seed=42)
    small_chunks = simulate_bookings(values, probabilities, trials=999, seed=42, chunk_cells=5)
    other_seed = simulate_bookings(values, probabilities, trials=999, seed=43)
    assert np.array_equal(first, again)
    assert np.array_equal(first, small_chunks)
    assert not np.array_equal(first, other_seed)


def test_certain_and_impossible_deals_are_exact() -> None:
    bookings = simulate_bookings([10.0, 20.0, 40.0], [1.0, 0.0, 1.0], trials=100, seed=0)
    assert set(bookings.tolist()) == {50.0}
    assert simulate_bookings([], [], trials=3, seed=0).tolist() == [0.0, 0.0, 0.0]


def test_memory_stays_bounded_by_the_chunk_not_the_trials() -> None:
    deals, trials = 1_000, 5_000  # 40 MB if every cell were held at once as float64
    values, probabilities = np.full(deals, 10.0), np.full(deals, 0.3)
    tracemalloc.start()
    try:
        simulate_bookings(values, probabilities, trials=trials, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"peak {peak:,} bytes"


@pytest.mark.parametrize(
    ("values", "probabilities", "trials", "where"),
    [
        ([1.0], [1.5], 10, "probabilities[0]"),
        ([1.0, 2.0], [0.5, float("nan")], 10, "probabilities[1]"),
        ([-1.0], [0.5], 10, "values"),
        ([1.0], [0.5, 0.5], 10, "deals"),
        ([1.0], [0.5], 0, "trials"),
        ([1.0], [0.5], 2_000_000, "trials"),
    ],
)
def test_bad_simulation_input_is_refused(
    values: list[float], probabilities: list[float], trials: int, where: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        simulate_bookings(values, probabilities, trials=trials, seed=1)
    assert caught.value.where == where


def test_a_negative_quota_is_refused() -> None:
    with pytest.raises(InvalidInput, match="quota must be") as caught:
        bookings_distribution([1.0], [0.5], [0.5], quota=-1.0, trials=10)
    assert caught.value.where == "quota"
