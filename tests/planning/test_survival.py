"""Time-to-close curves: Kaplan–Meier against hand computation, conditioning, pooling."""

from __future__ import annotations

import numpy as np
import pytest

from dealgraph.errors import InvalidInput
from dealgraph.planning.survival import Observation, fit_close_curve, stage_close_curves

# Seven deals: closes at 1, 3, 3 and 6 days; still open (censored) at 2, 5 and 7 days.
DAYS = [1, 2, 3, 3, 5, 6, 7]
CLOSED = [True, False, True, True, False, True, False]
# By hand, S(t) = product over close times u <= t of (1 - closes at u / deals at risk at u):
#   u = 1: 7 at risk, 1 close  -> 6/7
#   u = 3: 5 at risk, 2 closes -> 6/7 * 3/5 = 18/35
#   u = 6: 2 at risk, 1 close  -> 18/35 * 1/2 = 9/35
HAND = {0.0: 1.0, 0.5: 1.0, 1.0: 6 / 7, 2.0: 6 / 7, 3.0: 18 / 35, 5.9: 18 / 35, 6.0: 9 / 35}


def test_kaplan_meier_matches_the_hand_computed_censored_example() -> None:
    curve = fit_close_curve(DAYS, CLOSED, stages=("define_problem",))
    assert curve.deals == 7 and curve.closes == 4 and curve.last_close == 6.0
    got = curve.survival(list(HAND))
    assert got.tolist() == pytest.approx(list(HAND.values()))
    assert curve.survival([100.0])[0] == pytest.approx(9 / 35)


def test_close_probability_is_conditioned_on_the_days_already_spent() -> None:
    curve = fit_close_curve(DAYS, CLOSED)
    probability, beyond = curve.close_probability([0.0, 1.0, 3.0, 6.0], wait=0.0, horizon=3.0)
    # (S(age) - S(age + 3)) / S(age)
    expected = [
        (1 - 18 / 35) / 1,
        (6 / 7 - 18 / 35) / (6 / 7),
        (18 / 35 - 9 / 35) / (18 / 35),
        0.0,  # no close was ever seen after day 6
    ]
    assert probability.tolist() == pytest.approx(expected)
    assert beyond.tolist() == [False, False, False, True]


def test_a_period_starting_later_skips_the_days_before_it() -> None:
    curve = fit_close_curve(DAYS, CLOSED)
    later, _ = curve.close_probability([0.0], wait=2.0, horizon=4.0)
    # closes in (2, 4]: S(2) - S(4) = 6/7 - 18/35
    assert later[0] == pytest.approx(6 / 7 - 18 / 35)
    with pytest.raises(InvalidInput):
        curve.close_probability([0.0], wait=5.0, horizon=4.0)


def test_a_history_with_no_close_never_closes_anyone() -> None:
    curve = fit_close_curve([3.0, 8.0], [False, False])
    probability, beyond = curve.close_probability([1.0, 2.0], wait=0.0, horizon=30.0)
    assert probability.tolist() == [0.0, 0.0] and beyond.all()
    assert curve.last_close is None


@pytest.mark.parametrize(
    ("days", "closed", "message"),
    [
        ([], [], "no deal history"),
        ([1.0, -2.0], [True, True], "not negative"),
        ([1.0], [True, False], "same length"),
    ],
)
def test_bad_history_is_refused(days: list[float], closed: list[bool], message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        fit_close_curve(days, closed)
    assert caught.value.where == "history"


def _observations(stage: str, count: int) -> list[Observation]:
    return [Observation(i, stage, float(i + 1), True) for i in range(count)]


def test_thin_stages_borrow_their_neighbours_later_one_first() -> None:
    order = ["a", "b", "c", "d"]
    observations = _observations("a", 5) + _observations("b", 3) + _observations("c", 40)
    curves = stage_close_curves(observations, order, min_deals=30)
    assert curves["c"].stages == ("c",) and not curves["c"].pooled
    assert curves["b"].stages == ("b", "c") and curves["b"].deals == 43
    assert curves["a"].stages == ("a", "b", "c") and curves["a"].deals == 48
    # d has nothing: it takes c (its only later stage is none, so the earlier one) and is done.
    assert curves["d"].stages == ("c", "d") and curves["d"].deals == 40
    thin = stage_close_curves(observations, order, min_deals=1000)
    assert all(curve.stages == tuple(order) for curve in thin.values())
    assert thin["a"] is thin["d"]  # one pooled fit shared


def test_pooling_needs_some_history_and_a_positive_minimum() -> None:
    with pytest.raises(InvalidInput, match="no deal history"):
        stage_close_curves([], ["a"], min_deals=1)
    with pytest.raises(InvalidInput) as caught:
        stage_close_curves(_observations("a", 2), ["a"], min_deals=0)
    assert caught.value.where == "min_deals"


# The same seven deals with outcomes: the close at day 1 lost, at day 3 one won and one
# lost, at day 6 won. By hand, CIF_win(t) = sum over t_i <= t of S(t_i-) d_win / n:
#   u = 3: S(3-) = 6/7, 5 at risk, 1 win -> 6/7 * 1/5 = 6/35
#   u = 6: S(6-) = 18/35, 2 at risk, 1 win -> 18/35 * 1/2 = 9/35; CIF_win(6) = 15/35 = 3/7
# and the losses' incidence 1/7 + 6/35 = 11/35, so CIF_win + CIF_loss = 26/35 = 1 - S(6).
WON = [False, False, True, False, False, True, False]


def test_the_cumulative_incidence_of_wins_matches_the_hand_computed_example() -> None:
    curve = fit_close_curve(DAYS, CLOSED, WON)
    assert curve.wins == 2
    got = curve.win_incidence([0.5, 1.0, 2.9, 3.0, 5.0, 6.0, 50.0])
    assert got.tolist() == pytest.approx([0, 0, 0, 6 / 35, 6 / 35, 3 / 7, 3 / 7])
    assert curve.win_eventually == pytest.approx(3 / 7)
    assert curve.win_eventually + 11 / 35 == pytest.approx(1 - float(curve.survival([6.0])[0]))


def test_win_probability_splits_into_win_eventually_and_timing_given_a_win() -> None:
    curve = fit_close_curve(DAYS, CLOSED, WON)
    win, timing, beyond = curve.win_probability([1.0, 6.0], wait=0.0, horizon=2.0)
    # Open at day 1 (S = 6/7): P(win eventually) = (3/7) / (6/7) = 1/2; the window (1, 3]
    # holds 6/35 of the 15/35 still to be won: 2/5; product (6/35) / (6/7) = 1/5.
    assert win.tolist() == pytest.approx([1 / 2, 0.0])
    assert timing.tolist() == pytest.approx([2 / 5, 0.0])
    assert beyond.tolist() == [False, True]


def test_a_win_on_an_open_deal_is_refused() -> None:
    with pytest.raises(InvalidInput, match="won must be closed") as caught:
        fit_close_curve([1.0, 2.0], [False, True], [True, True])
    assert caught.value.where == "history"


def test_fast_losses_and_slow_wins_are_forecast_without_bias() -> None:
    """5,000 deals: 40 % win after Exp(mean 200 days), the rest lose after Exp(mean 30)."""
    rng = np.random.default_rng(11)
    deals, share, win_mean, loss_mean = 5000, 0.4, 200.0, 30.0
    wins = rng.random(deals) < share
    ends = np.where(wins, rng.exponential(win_mean, deals), rng.exponential(loss_mean, deals))
    watched = rng.uniform(0.0, 1500.0, deals)  # days from entering the stage to now
    closed = ends <= watched
    curve = fit_close_curve(np.minimum(ends, watched), closed, closed & wins)
    ages, horizon = np.array([0.0, 30.0]), 90.0

    def truth(age: float) -> float:
        alive = share * np.exp(-age / win_mean) + (1 - share) * np.exp(-age / loss_mean)
        won = share * (np.exp(-age / win_mean) - np.exp(-(age + horizon) / win_mean))
        return float(won / alive)

    expected = np.array([truth(a) for a in ages])
    win, timing, _ = curve.win_probability(ages, wait=0.0, horizon=horizon)
    assert np.abs(win * timing - expected).max() < 0.02
    # The old way, P(win) of closed deals x P(any close in the window), books the new
    # deal's likely fast losses as wins: about 0.27 against 0.145.
    win_rate = (closed & wins).sum() / closed.sum()
    old = win_rate * curve.close_probability(ages, wait=0.0, horizon=horizon)[0]
    assert old[0] - expected[0] > 0.1
