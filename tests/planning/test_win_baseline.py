"""The naive-Bayes baseline against hand-computed scores; held-out metrics against oracles."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from dealgraph.errors import InvalidInput
from dealgraph.planning.baseline import NaiveBayesBaseline
from dealgraph.planning.evaluation import beats, calibration_table, metrics, time_split

# Two fields, five training rows: two won, three lost.
ROWS = [
    {"stage": "a", "team": "x"},
    {"stage": "a", "team": "y"},
    {"stage": "b", "team": "x"},
    {"stage": "a", "team": "x"},
    {"stage": "b", "team": "y"},
]
WON = [True, True, False, False, False]


def _hand(won_terms: list[Fraction], lost_terms: list[Fraction]) -> float:
    score_won = Fraction(2, 5)
    score_lost = Fraction(3, 5)
    for term in won_terms:
        score_won *= term
    for term in lost_terms:
        score_lost *= term
    return float(score_won / (score_won + score_lost))


def test_two_field_example_matches_the_hand_computation() -> None:
    scorer = NaiveBayesBaseline.fit(ROWS, WON, fields=["stage", "team"])
    assert scorer.counts["stage"] == {"a": (2, 1), "b": (0, 2)}
    assert scorer.counts["team"] == {"x": (1, 2), "y": (1, 1)}
    # stage a: P(a|won) = (2+1)/(2+2), P(a|lost) = (1+1)/(3+2)
    # team x:  P(x|won) = (1+1)/(2+2), P(x|lost) = (2+1)/(3+2)
    expected = _hand([Fraction(3, 4), Fraction(1, 2)], [Fraction(2, 5), Fraction(3, 5)])
    assert expected == pytest.approx(25 / 49)
    assert scorer.probability({"stage": "a", "team": "x"}) == pytest.approx(expected)
    # stage b, team y: (0+1)/4 and (1+1)/4 among won; (2+1)/5 and (1+1)/5 among lost
    other = _hand([Fraction(1, 4), Fraction(2, 4)], [Fraction(3, 5), Fraction(2, 5)])
    assert scorer.probability({"stage": "b", "team": "y"}) == pytest.approx(other)


def test_an_unseen_value_leaves_the_score_alone() -> None:
    scorer = NaiveBayesBaseline.fit(ROWS, WON, fields=["stage", "team"])
    only_team = _hand([Fraction(1, 2)], [Fraction(3, 5)])
    assert only_team == pytest.approx(5 / 14)
    assert scorer.probability({"stage": "c", "team": "x"}) == pytest.approx(only_team)
    assert scorer.probability({"stage": "c", "team": "z"}) == pytest.approx(2 / 5)


def test_blank_values_count_as_one_value() -> None:
    rows = [{"team": ""}, {"team": None}, {"team": "x"}]
    scorer = NaiveBayesBaseline.fit(rows, [True, False, False], fields=["team"])
    assert scorer.counts["team"] == {"(none)": (1, 1), "x": (0, 1)}


def test_the_baseline_refuses_one_outcome_or_mismatched_labels() -> None:
    with pytest.raises(InvalidInput, match="both won and lost"):
        NaiveBayesBaseline.fit(ROWS, [True] * 5, fields=["stage"])
    with pytest.raises(InvalidInput, match="5 rows but 2 labels"):
        NaiveBayesBaseline.fit(ROWS, [True, False], fields=["stage"])


def test_auc_equals_the_mann_whitney_statistic_and_brier_the_mean_square() -> None:
    rng = np.random.default_rng(3)
    won = rng.random(200) < 0.4
    probability = np.clip(0.4 + 0.2 * won + rng.normal(0, 0.2, 200), 0.01, 0.99)
    result = metrics(won, probability)
    u = mannwhitneyu(probability[won], probability[~won]).statistic
    assert result.auc == pytest.approx(u / (won.sum() * (~won).sum()), abs=1e-4)
    assert result.brier == pytest.approx(float(np.mean((probability - won) ** 2)), abs=1e-4)
    assert result.rows == 200 and result.won_share == pytest.approx(won.mean(), abs=1e-4)


def test_calibration_table_by_hand() -> None:
    won = [False, True, False, True, True, True]
    probability = np.array([0.1, 0.2, 0.3, 0.6, 0.8, 0.9])
    table = calibration_table(won, probability, bins=3)
    assert [(b.predicted, b.observed, b.count) for b in table] == [
        (0.15, 0.5, 2),
        (0.45, 0.5, 2),
        (0.85, 1.0, 2),
    ]
    assert (table[0].low, table[0].high) == (0.1, 0.2)


def test_one_outcome_has_no_auc_and_never_beats() -> None:
    result = metrics([True, True], np.array([0.5, 0.7]))
    assert result.auc is None
    assert not beats(result, result)


def test_beating_needs_both_a_higher_auc_and_a_lower_brier() -> None:
    won = [False, False, True, True]
    good = metrics(won, np.array([0.1, 0.2, 0.8, 0.9]))
    ranked_only = metrics(won, np.array([0.6, 0.7, 0.8, 0.9]))
    assert beats(good, ranked_only) is False  # same AUC (1.0)
    assert beats(good, metrics(won, np.array([0.5, 0.2, 0.4, 0.9])))


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=60))
def test_time_split_never_lets_a_training_deal_close_after_the_cut(days: list[int]) -> None:
    start = datetime(2025, 1, 1)
    closed: dict[int | str, datetime] = {i: start + timedelta(days=d) for i, d in enumerate(days)}
    split = time_split(closed, test_share=0.3)
    assert set(split.train) | set(split.test) == set(closed)
    assert not set(split.train) & set(split.test)
    assert split.test
    assert all(closed[d] < split.cut for d in split.train)
    assert all(closed[d] >= split.cut for d in split.test)


def test_time_split_holds_out_the_latest_share() -> None:
    start = datetime(2025, 1, 1)
    closed: dict[int | str, datetime] = {i: start + timedelta(days=i) for i in range(10)}
    split = time_split(closed, test_share=0.3)
    assert split.test == [7, 8, 9] and split.cut == start + timedelta(days=7)
    with pytest.raises(ValueError, match="at least two"):
        time_split({1: start})
