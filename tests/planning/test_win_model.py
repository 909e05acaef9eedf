"""The win model on the demo workspace: it beats the baseline, its explanations add up."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from dealgraph.demo import build_demo_document
from dealgraph.demo.users import demo_users
from dealgraph.io.native_json import deal_records
from dealgraph.planning.encoding import OTHER, Encoder
from dealgraph.planning.features import describe, workspace_dataset
from dealgraph.planning.win_model import (
    Dataset,
    ModelReport,
    NotEnoughHistory,
    WinModel,
    choose,
    fit_model,
    platt,
    train_and_compare,
)
from dealgraph.planning.words import log_odds_text
from tests.factories import playbook

AS_OF = datetime(2025, 6, 1)


@pytest.fixture(scope="module")
def demo_data() -> Dataset:
    book = playbook()
    document = build_demo_document(seed=7, as_of=AS_OF, playbook=book)
    teams = {name: team for _, name, _, team in demo_users(document)}
    return workspace_dataset(deal_records(document), {book.key: book}, teams=teams, as_of=AS_OF)


@pytest.fixture(scope="module")
def trained(demo_data: Dataset) -> tuple[ModelReport, WinModel]:
    return train_and_compare(demo_data, trained_on=AS_OF)


@pytest.fixture(scope="module")
def logistic(trained: tuple[ModelReport, WinModel], demo_data: Dataset) -> WinModel:
    _, model = trained
    return model if model.kind == "logistic" else fit_model("logistic", demo_data)


def test_the_kept_model_beats_the_baseline_on_held_out_deals(
    trained: tuple[ModelReport, WinModel],
) -> None:
    report, model = trained
    kept, baseline = report.metrics[report.kind], report.metrics["baseline"]
    assert report.beats_baseline
    assert kept.auc is not None and baseline.auc is not None
    assert kept.auc > baseline.auc and kept.brier < baseline.brier
    assert model.kind == report.kind == choose(report.metrics)
    assert set(report.metrics) == {"logistic", "boosting", "baseline"}
    assert report.rows_test == kept.rows == baseline.rows
    assert sum(b.count for b in kept.calibration) == kept.rows


def test_training_deals_all_closed_before_the_cut(
    trained: tuple[ModelReport, WinModel], demo_data: Dataset
) -> None:
    report, _ = trained
    assert report.cut is not None
    before = [g for g, at in demo_data.closed.items() if at < report.cut]
    assert report.deals_train == len(before)
    assert report.deals_train + report.deals_test == len(demo_data.closed)
    assert report.rows_train + report.rows_test == len(demo_data.rows)


def test_logistic_contributions_add_up_to_the_log_odds(
    logistic: WinModel, demo_data: Dataset
) -> None:
    rows = demo_data.rows[::97]
    log_odds = logistic.log_odds(rows)
    for row, expected in zip(rows, log_odds, strict=True):
        base, parts = logistic.contributions(row)
        assert base is not None
        assert base + sum(parts.values()) == pytest.approx(expected, abs=1e-9)


def test_the_raw_decision_function_is_intercept_plus_coefficient_times_centred_value(
    logistic: WinModel, demo_data: Dataset
) -> None:
    scale = logistic.estimator["scale"]
    weights = np.asarray(logistic.estimator["weights"].weights)
    linear = logistic.estimator["model"]
    matrix = logistic.encoder.transform(demo_data.rows[:40])
    by_hand = (
        linear.intercept_[0] + ((matrix - scale.mean_) / scale.scale_ * weights) @ (linear.coef_[0])
    )
    assert np.allclose(by_hand, logistic.decision(matrix))
    assert np.allclose(
        logistic.slope * by_hand + logistic.intercept, logistic.log_odds(demo_data.rows[:40])
    )


def test_explanations_name_the_top_three_each_way_in_words(
    logistic: WinModel, demo_data: Dataset
) -> None:
    row = demo_data.rows[5]
    explanation = logistic.explain(row, describe)
    assert explanation.probability == pytest.approx(expit(explanation.log_odds), abs=1e-4)
    assert 0 < len(explanation.up) <= 3 and 0 < len(explanation.down) <= 3
    ups = [f.contribution for f in explanation.up]
    downs = [f.contribution for f in explanation.down]
    assert ups == sorted(ups, reverse=True) and all(c > 0 for c in ups)
    assert downs == sorted(downs) and all(c < 0 for c in downs)
    _, parts = logistic.contributions(row)
    assert ups[0] == pytest.approx(max(parts.values()), abs=1e-4)
    for factor in [*explanation.up, *explanation.down]:
        assert factor.text == describe(factor.feature, row[factor.feature])
        assert factor.said == f"{factor.text} ({log_odds_text(factor.contribution)})"


def test_boosting_contribution_is_the_drop_when_the_feature_sits_at_its_mean(
    demo_data: Dataset,
) -> None:
    small = demo_data.subset(sorted(demo_data.closed, key=str)[:80])
    model = fit_model("boosting", small)
    row = small.rows[3]
    base, parts = model.contributions(row)
    assert base is None
    x = model.encoder.transform([row])
    for feature in ("stage", "age_days"):
        moved = x.copy()
        columns = model.encoder.columns_of(feature)
        moved[0, columns] = model.means[columns]
        drop = model.decision(x)[0] - model.decision(moved)[0]
        assert parts[feature] == pytest.approx(model.slope * drop)


def test_calibration_matches_scikit_learns_sigmoid_calibration() -> None:
    """Oracle: CalibratedClassifierCV(method="sigmoid", ensemble=False) on the same folds."""
    rng = np.random.default_rng(11)
    groups = np.repeat(np.arange(120), 4)
    signal = rng.normal(size=120)
    won = (signal + rng.normal(scale=1.0, size=120) > 0)[groups]
    rows = [
        {"x": float(signal[g] + rng.normal(scale=0.5)), "noise": float(rng.normal())}
        for g in groups
    ]
    data = Dataset(
        rows=rows,
        won=[bool(w) for w in won],
        groups=[int(g) for g in groups],
        closed={},
        numeric=["x", "noise"],
        categorical=[],
        baseline_fields=[],
    )
    mine = fit_model("logistic", data)
    matrix = mine.encoder.transform(rows)
    folds = list(GroupKFold(n_splits=5).split(matrix, won, [str(g) for g in groups]))
    estimator = make_pipeline(
        StandardScaler(), LogisticRegression(C=mine.setting, max_iter=5000, tol=1e-10)
    )
    oracle = CalibratedClassifierCV(estimator, method="sigmoid", cv=folds, ensemble=False)
    oracle.fit(matrix, won.astype(int))
    assert np.allclose(mine.probabilities(rows), oracle.predict_proba(matrix)[:, 1], atol=2e-3)


def test_platt_keeps_the_base_rate_when_scores_rank_backwards() -> None:
    won = np.array([True] * 30 + [False] * 70)
    scores = np.where(won, -1.0, 1.0) + np.linspace(-0.1, 0.1, 100)
    slope, intercept = platt(scores, won)
    assert slope == 0.0
    # the mean of Platt's targets: (30 won at 31/32, 70 lost at 1/72) / 100
    assert expit(intercept) == pytest.approx((30 * 31 / 32 + 70 / 72) / 100, abs=1e-6)
    slope, _ = platt(-scores, won)
    assert slope > 0


def test_too_little_history_is_refused_with_what_is_needed(demo_data: Dataset) -> None:
    few = demo_data.subset(sorted(demo_data.closed, key=str)[:30])
    with pytest.raises(NotEnoughHistory, match=r"at least 40 closed deals .* there are 30 \("):
        train_and_compare(few, trained_on=AS_OF)
    won_only = demo_data.subset(
        [g for g, w in zip(demo_data.groups, demo_data.won, strict=True) if w]
    )
    with pytest.raises(NotEnoughHistory, match="0 not won"):
        train_and_compare(won_only, trained_on=AS_OF)


def test_encoder_groups_rare_values_and_flags_blanks() -> None:
    rows = [{"seg": "a", "n": 1.0}] * 12 + [{"seg": "b", "n": None}] * 3
    encoder = Encoder.fit(rows, numeric=["n"], categorical=["seg"], min_rows=10)
    assert encoder.columns == ["n", "n missing", "seg = a", f"seg = {OTHER}"]
    matrix = encoder.transform([{"seg": "b", "n": None}, {"seg": "zzz", "n": 4.0}])
    assert matrix.tolist() == [[1.0, 1.0, 0.0, 1.0], [4.0, 0.0, 0.0, 1.0]]
    assert encoder.features == ["n", "seg"]


def test_choose_prefers_the_lower_brier_and_breaks_near_ties_on_auc(
    trained: tuple[ModelReport, WinModel],
) -> None:
    report, _ = trained
    base = report.metrics["logistic"]
    better_brier = base.model_copy(update={"brier": base.brier - 0.01, "auc": 0.5})
    assert choose({"logistic": base, "boosting": better_brier}) == "boosting"
    tie = base.model_copy(update={"brier": base.brier + 0.0005, "auc": (base.auc or 0) + 0.05})
    assert choose({"logistic": base, "boosting": tie}) == "boosting"
    assert choose({"logistic": base, "boosting": base}) == "logistic"
