"""The win-probability model: logistic regression and gradient boosting, calibrated, explained.

Both models learn from snapshot rows of closed deals (see ``planning.features``) and are
calibrated the way ``CalibratedClassifierCV(method="sigmoid", ensemble=False)`` does it:
Platt scaling fitted on out-of-fold scores, with every row of one deal in the same fold.
The two Platt numbers are kept in the open (``slope``, ``intercept``), so the calibrated
log-odds of the logistic model are exactly its base plus the sum of its per-feature
contributions. ``train_and_compare`` judges both and the naive-Bayes baseline on the latest
closed deals (a time split), keeps the model with the lower Brier score and refits it on
every closed deal.

Example:
    >>> report, model = train_and_compare(data, trained_on=datetime(2025, 6, 1))  # doctest: +SKIP
    >>> report.kind, report.metrics["logistic"].auc  # doctest: +SKIP
    ('logistic', 0.7537)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from dealgraph.errors import Conflict
from dealgraph.planning.baseline import NaiveBayesBaseline
from dealgraph.planning.encoding import Encoder, Row
from dealgraph.planning.evaluation import TEST_SHARE, Metrics, beats, metrics, time_split
from dealgraph.planning.words import log_odds_text

Kind = Literal["logistic", "boosting"]
KINDS: tuple[Kind, ...] = ("logistic", "boosting")
SEED = 0
FOLDS = 5
C_GRID = (1e-4, 1e-3, 1e-2, 0.1, 1.0)
"""Inverse penalties the logistic model tries; grouped cross-validation picks one."""
ITERATION_GRID = (25, 50, 100, 200)
"""Boosting rounds the gradient-boosting model tries; grouped cross-validation picks one."""
EMPHASIS = 30.0
"""Weight of emphasised features (the stage) after scaling: their penalty is 1/900th."""
BRIER_TIE = 0.001
"""Brier scores this close are a tie: the model with the higher AUC is kept."""
MIN_CLOSED_DEALS = 40
MIN_PER_OUTCOME = 5
TOP_FACTORS = 3
NEGLIGIBLE = 0.005
"""Contributions smaller than this (in log-odds) are not worth a line."""

Describe = Callable[[str, Any], str]


class NotEnoughHistory(Conflict):
    """Too few closed deals (or only one outcome) to learn and judge a win model."""


@dataclass(frozen=True)
class Dataset:
    """Rows to learn from: values by feature, outcome and deal of each row, how to encode."""

    rows: list[Row]
    won: list[bool]
    groups: list[int | str]
    closed: dict[int | str, datetime]
    numeric: list[str]
    categorical: list[str]
    baseline_fields: list[str]
    emphasis: list[str] = field(default_factory=list)
    increasing: list[str] = field(default_factory=list)
    """Features the boosting model may only make more likely to win as they grow."""

    def subset(self, groups: Sequence[int | str]) -> Dataset:
        """The rows of the given deals only."""
        keep = set(groups)
        index = [i for i, g in enumerate(self.groups) if g in keep]
        return Dataset(
            rows=[self.rows[i] for i in index],
            won=[self.won[i] for i in index],
            groups=[self.groups[i] for i in index],
            closed={g: at for g, at in self.closed.items() if g in keep},
            numeric=self.numeric,
            categorical=self.categorical,
            baseline_fields=self.baseline_fields,
            emphasis=self.emphasis,
            increasing=self.increasing,
        )


class ColumnWeights(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Multiply each column by a fixed weight (a larger weight means a lighter penalty)."""

    def __init__(self, weights: tuple[float, ...] = ()) -> None:
        self.weights = weights

    def fit(self, X: np.ndarray, y: object = None) -> ColumnWeights:  # noqa: N803 - sklearn API
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:  # noqa: N803 - sklearn API
        weighted: np.ndarray = np.asarray(X, dtype=float) * np.asarray(self.weights, dtype=float)
        return weighted


class Factor(BaseModel):
    """One feature's push on a deal's win probability, in words and in log-odds."""

    model_config = ConfigDict(extra="forbid")

    feature: str
    text: str = Field(description="the feature's value in words")
    contribution: float = Field(description="change in log-odds it causes")
    said: str = Field(description='e.g. "Economic buyer not engaged (−0.42 log-odds)"')


class Explanation(BaseModel):
    """A probability and the factors that raise and lower it most."""

    model_config = ConfigDict(extra="forbid")

    probability: float
    log_odds: float
    base: float | None = Field(
        description="logistic model: log-odds of a deal at the training means (None for boosting)"
    )
    up: list[Factor]
    down: list[Factor]


@dataclass
class WinModel:
    """A fitted, calibrated model: probabilities and per-deal explanations."""

    kind: Kind
    encoder: Encoder
    estimator: Any
    slope: float
    intercept: float
    means: np.ndarray
    setting: float

    def decision(self, matrix: np.ndarray) -> np.ndarray:
        """The uncalibrated score (the estimator's decision function)."""
        return np.asarray(self.estimator.decision_function(matrix), dtype=float)

    def log_odds(self, rows: Sequence[Row]) -> np.ndarray:
        """Calibrated log-odds of winning."""
        return self.slope * self.decision(self.encoder.transform(rows)) + self.intercept

    def probabilities(self, rows: Sequence[Row]) -> np.ndarray:
        """Calibrated P(won) of each row."""
        return np.asarray(expit(self.log_odds(rows)), dtype=float)

    def contributions(self, row: Row) -> tuple[float | None, dict[str, float]]:
        """(base, log-odds contribution of each feature) for one row.

        Logistic: coefficient times (value minus training mean), in the scaled space, times
        the Platt slope; base plus their sum is the calibrated log-odds exactly. Boosting:
        how much the log-odds drop when the feature is set to its training mean.
        """
        x = self.encoder.transform([row])
        features = self.encoder.features
        if self.kind == "logistic":
            scale, weights, linear = (
                self.estimator[name] for name in ("scale", "weights", "model")
            )
            z = (x[0] - scale.mean_) / scale.scale_ * np.asarray(weights.weights)
            per_column = self.slope * linear.coef_[0] * z
            base = float(self.slope * linear.intercept_[0] + self.intercept)
            return base, {f: float(per_column[self.encoder.columns_of(f)].sum()) for f in features}
        at_means = np.repeat(x, len(features), axis=0)
        for i, f in enumerate(features):
            columns = self.encoder.columns_of(f)
            at_means[i, columns] = self.means[columns]
        drop = self.decision(x)[0] - self.decision(at_means)
        return None, {f: float(self.slope * d) for f, d in zip(features, drop, strict=True)}

    def explain(self, row: Row, describe: Describe, *, top: int = TOP_FACTORS) -> Explanation:
        """The probability of one row and its top factors up and down, in words."""
        log_odds = float(self.log_odds([row])[0])
        base, parts = self.contributions(row)
        factors = [
            Factor(
                feature=f,
                text=(text := describe(f, row.get(f))),
                contribution=round(c, 4),
                said=f"{text} ({log_odds_text(c)})",
            )
            for f, c in parts.items()
            if abs(c) >= NEGLIGIBLE
        ]
        ranked = sorted(factors, key=lambda factor: factor.contribution)
        return Explanation(
            probability=round(float(expit(log_odds)), 4),
            log_odds=round(log_odds, 4),
            base=round(base, 4) if base is not None else None,
            up=[f for f in reversed(ranked) if f.contribution > 0][:top],
            down=[f for f in ranked if f.contribution < 0][:top],
        )


class ModelReport(BaseModel):
    """What training found: both models and the baseline on held-out deals, and the one kept."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    created_at: datetime | None = None
    kind: Kind = Field(description="the model kept (see ``choose``)")
    trained_on: datetime | None = Field(description="history as of this time was used")
    cut: datetime | None = Field(
        description="held-out deals closed on or after this time (None: split by file order)"
    )
    deals_train: int
    deals_test: int
    rows_train: int
    rows_test: int
    metrics: dict[str, Metrics] = Field(description="logistic, boosting and baseline")
    beats_baseline: bool = Field(description="kept model: higher AUC and lower Brier")
    settings: dict[str, float] = Field(description="penalty and rounds picked by grouped CV")
    features: list[str]


def platt(scores: np.ndarray, won: Sequence[bool] | np.ndarray) -> tuple[float, float]:
    """(slope, intercept) with P(won) = expit(slope * score + intercept), Platt's method.

    Targets are Platt's smoothed labels; the slope may not be negative: scores that rank
    lost deals above won ones out of fold carry no skill, and the base rate is kept instead.
    """
    outcome = np.asarray(won, dtype=bool)
    positives, negatives = outcome.sum(), (~outcome).sum()
    target = np.where(outcome, (positives + 1.0) / (positives + 2.0), 1.0 / (negatives + 2.0))
    spread = float(np.max(np.abs(scores))) if len(scores) else 0.0
    unit = spread if spread >= 30.0 else 1.0
    x = np.asarray(scores, dtype=float) / unit

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        raw = params[0] * x + params[1]
        # log(1 + e^raw) - target * raw, summed: the binomial loss on the raw score
        value = float(np.sum(np.logaddexp(0.0, raw) - target * raw))
        residual = expit(raw) - target
        return value, np.array([np.sum(residual * x), np.sum(residual)])

    start = np.array([0.0, float(np.log((positives + 1.0) / (negatives + 1.0)))])
    found = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=[(0.0, None), (None, None)])
    return float(found.x[0] / unit), float(found.x[1])


def _folds(groups: Sequence[int | str]) -> list[tuple[np.ndarray, np.ndarray]]:
    distinct = len(set(groups))
    splitter = GroupKFold(n_splits=min(FOLDS, distinct))
    index = np.zeros(len(groups))
    return list(splitter.split(index, index, np.asarray([str(g) for g in groups])))


def _estimator(kind: Kind, setting: float, encoder: Encoder, data: Dataset, rows: int) -> Any:
    if kind == "logistic":
        weights = tuple(EMPHASIS if source in data.emphasis else 1.0 for source in encoder.sources)
        return Pipeline(
            [
                ("scale", StandardScaler()),
                ("weights", ColumnWeights(weights)),
                ("model", LogisticRegression(C=setting, max_iter=5000, random_state=SEED)),
            ]
        )
    monotonic = [
        1 if source in data.increasing and column == source else 0
        for source, column in zip(encoder.sources, encoder.columns, strict=True)
    ]
    return HistGradientBoostingClassifier(
        max_iter=int(setting),
        learning_rate=0.05,
        max_depth=3,
        min_samples_leaf=max(5, min(50, rows // 20)),
        l2_regularization=1.0,
        monotonic_cst=monotonic,
        early_stopping=False,
        random_state=SEED,
    )


def _out_of_fold(
    kind: Kind, encoder: Encoder, data: Dataset, matrix: np.ndarray, won: np.ndarray
) -> dict[float, np.ndarray]:
    """Out-of-fold scores for every setting of the grid (each deal's rows in one fold).

    The logistic model walks the penalties from strongest to weakest, each fit starting from
    the last; the boosting model is fitted once per fold and read at each number of rounds.
    """
    grid = C_GRID if kind == "logistic" else ITERATION_GRID
    scores = {setting: np.zeros(len(won)) for setting in grid}
    for train, test in _folds(data.groups):
        if kind == "logistic":
            estimator = _estimator(kind, grid[0], encoder, data, len(train))
            estimator.set_params(model__warm_start=True)
            for setting in grid:
                estimator.set_params(model__C=setting).fit(matrix[train], won[train])
                scores[setting][test] = estimator.decision_function(matrix[test])
            continue
        estimator = _estimator(kind, max(grid), encoder, data, len(train))
        estimator.fit(matrix[train], won[train])
        staged = estimator.staged_decision_function(matrix[test])
        for rounds, stage in enumerate(staged, start=1):
            if rounds in scores:
                scores[rounds][test] = np.ravel(stage)
    return scores


def fit_model(kind: Kind, data: Dataset) -> WinModel:
    """Fit one kind on every row of ``data``: tune, calibrate out of fold, refit on all."""
    encoder = Encoder.fit(data.rows, numeric=data.numeric, categorical=data.categorical)
    matrix = encoder.transform(data.rows)
    won = np.asarray(data.won, dtype=int)
    with threadpool_limits(limits=1):  # small fits: threads only fight each other
        candidates = _out_of_fold(kind, encoder, data, matrix, won)
        losses = {s: float(log_loss(won, expit(v), labels=[0, 1])) for s, v in candidates.items()}
        setting = min(candidates, key=lambda s: (round(losses[s], 9), s))
        slope, intercept = platt(candidates[setting], won.astype(bool))
        estimator = _estimator(kind, setting, encoder, data, len(won)).fit(matrix, won)
    return WinModel(
        kind=kind,
        encoder=encoder,
        estimator=estimator,
        slope=slope,
        intercept=intercept,
        means=matrix.mean(axis=0),
        setting=setting,
    )


def check_history(data: Dataset, *, what: str = "closed deals") -> None:
    """NotEnoughHistory unless there are enough closed deals of both outcomes."""
    outcome = dict(zip(data.groups, data.won, strict=True))
    won = sum(1 for w in outcome.values() if w)
    lost = len(outcome) - won
    if len(outcome) < MIN_CLOSED_DEALS or min(won, lost) < MIN_PER_OUTCOME:
        raise NotEnoughHistory(
            f"a win model needs at least {MIN_CLOSED_DEALS} {what} with at least "
            f"{MIN_PER_OUTCOME} won and {MIN_PER_OUTCOME} not won; there are {len(outcome)} "
            f"({won} won, {lost} not won)"
        )


def _check_side(data: Dataset, side: str, cut: datetime) -> None:
    outcomes = set(data.won)
    if outcomes != {True, False}:
        only = "won" if True in outcomes else "not won"
        raise NotEnoughHistory(
            f"every {side} deal of the time split at {cut:%Y-%m-%d} was {only}; "
            "a win model needs both outcomes on each side: more history is needed"
        )


def choose(scores: Mapping[str, Metrics]) -> Kind:
    """The kind to keep: the lower held-out Brier score; within ``BRIER_TIE``, the higher AUC.

    Remaining ties go to the logistic model, whose explanations add up exactly.
    """
    best = min(scores[k].brier for k in KINDS)
    close = [k for k in KINDS if scores[k].brier <= best + BRIER_TIE]
    return max(close, key=lambda k: (scores[k].auc or 0.0, -KINDS.index(k)))


def train_and_compare(
    data: Dataset, *, trained_on: datetime | None, test_share: float = TEST_SHARE
) -> tuple[ModelReport, WinModel]:
    """Judge both kinds and the baseline on the latest closed deals; refit the better on all."""
    check_history(data)
    split = time_split(data.closed, test_share=test_share)
    train, test = data.subset(split.train), data.subset(split.test)
    _check_side(train, "training", split.cut)
    _check_side(test, "held-out", split.cut)
    scores: dict[str, Metrics] = {}
    settings: dict[str, float] = {}
    for kind in KINDS:
        model = fit_model(kind, train)
        scores[kind] = metrics(test.won, model.probabilities(test.rows))
        settings[kind] = model.setting
    baseline = NaiveBayesBaseline.fit(train.rows, train.won, fields=data.baseline_fields)
    scores["baseline"] = metrics(test.won, baseline.probabilities(test.rows))
    kept = choose(scores)
    final = fit_model(kept, data)
    report = ModelReport(
        kind=kept,
        trained_on=trained_on,
        cut=split.cut,
        deals_train=len(split.train),
        deals_test=len(split.test),
        rows_train=len(train.rows),
        rows_test=len(test.rows),
        metrics=scores,
        beats_baseline=beats(scores[kept], scores["baseline"]),
        settings={"logistic_c": settings["logistic"], "boosting_rounds": settings["boosting"]},
        features=final.encoder.features,
    )
    return report, final


def explain_rows(
    model: WinModel, rows: Mapping[int | str, Row], describe: Describe
) -> dict[int | str, Explanation]:
    """Explanations of many rows, by key."""
    return {key: model.explain(row, describe) for key, row in rows.items()}
