"""Wilson intervals and rates, checked against the textbook formula by hand."""

from __future__ import annotations

import pytest

from dealgraph.analytics.stats import rate, ratio, wilson_interval
from dealgraph.errors import InvalidInput


def test_wilson_interval_matches_the_formula() -> None:
    # p = 0.8, n = 10, z = 1.96: centre (0.8 + 1.96²/20) / (1 + 1.96²/10) = 0.71675,
    # half-width 1.96·sqrt(0.8·0.2/10 + 1.96²/400) / 1.38416 = 0.22658 -> 0.4902 .. 0.9433.
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_at_the_edges_stays_in_zero_one() -> None:
    # 0 of 5: the lower bound is 0 and the upper z²/(n+z²) = 3.8416/8.8416 = 0.4345.
    low, high = wilson_interval(0, 5)
    assert low == 0.0
    assert high == pytest.approx(0.4345, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    narrow = wilson_interval(30, 60, confidence=0.8)
    wide = wilson_interval(30, 60, confidence=0.99)
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


@pytest.mark.parametrize(("successes", "trials"), [(3, 2), (-1, 4), (0, -1)])
def test_impossible_counts_are_refused_by_name(successes: int, trials: int) -> None:
    with pytest.raises(InvalidInput, match="wilson_interval: need 0 <= successes <= trials"):
        wilson_interval(successes, trials)


def test_confidence_outside_zero_one_is_refused() -> None:
    with pytest.raises(InvalidInput, match="confidence must be between 0 and 1, got 1.5"):
        wilson_interval(1, 2, confidence=1.5)


def test_rate_carries_counts_and_interval() -> None:
    one_in_four = rate(1, 4)
    assert (one_in_four.successes, one_in_four.trials, one_in_four.rate) == (1, 4, 0.25)
    assert one_in_four.low < 0.25 < one_in_four.high
    assert rate(0, 0).rate is None


def test_ratio_is_none_when_undefined() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(3.0, 0.0) is None
    assert ratio(None, 2.0) is None
