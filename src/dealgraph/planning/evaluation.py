"""How a win model is judged: a time-based split and held-out metrics.

Deals are split by when they closed: the model learns from deals closed before a cut
date and is judged on the deals closed on or after it, so it never learns from the
future it is judged on; all rows of one deal fall on the same side. Metrics are ROC AUC
(does a won deal rank above a lost one), the Brier score (mean squared error of the
probability: lower is better) and a calibration table (by decile of predicted probability,
the mean prediction against the observed win rate).

Example:
    >>> split = time_split({1: datetime(2025, 1, 5), 2: datetime(2025, 3, 1)}, test_share=0.5)
    >>> split.train, split.test  # doctest: +SKIP
    ([1], [2])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sklearn.metrics import brier_score_loss, roc_auc_score

TEST_SHARE = 0.3
"""Share of the closed deals (the latest to close) held out for judging."""
CALIBRATION_BINS = 10


class Split(BaseModel):
    """Deals to learn from (closed before ``cut``) and to judge on (closed at or after it)."""

    model_config = ConfigDict(extra="forbid")

    cut: datetime
    train: list[int | str]
    test: list[int | str]


def time_split(closed: Mapping[int | str, datetime], *, test_share: float = TEST_SHARE) -> Split:
    """Split deals by close time: the last ``test_share`` of them (at least one) are held out.

    Deals closing at the same moment as the first held-out one are held out too, so every
    training deal closed strictly before the cut.
    """
    if not 0 < test_share < 1:
        raise ValueError("test_share must be between 0 and 1")
    if len(closed) < 2:
        raise ValueError("a time split needs at least two deals")
    ordered = sorted(closed.items(), key=lambda item: (item[1], str(item[0])))
    held = max(1, round(len(ordered) * test_share))
    cut = ordered[len(ordered) - held][1]
    return Split(
        cut=cut,
        train=[key for key, at in ordered if at < cut],
        test=[key for key, at in ordered if at >= cut],
    )


class CalibrationBin(BaseModel):
    """One decile of predicted probability: its range, mean prediction, observed win rate."""

    model_config = ConfigDict(extra="forbid")

    low: float = Field(description="lowest predicted probability in the bin")
    high: float = Field(description="highest predicted probability in the bin")
    predicted: float = Field(description="mean predicted probability")
    observed: float = Field(description="share of the bin's rows that were won")
    count: int


class Metrics(BaseModel):
    """How well one model's probabilities fit held-out outcomes."""

    model_config = ConfigDict(extra="forbid")

    auc: float | None = Field(description="ROC AUC; None when only one outcome is present")
    brier: float = Field(description="mean squared error of the probability (lower is better)")
    rows: int
    won_share: float = Field(description="share of the rows that were won")
    calibration: list[CalibrationBin]


def calibration_table(
    won: Sequence[bool] | np.ndarray, probability: np.ndarray, *, bins: int = CALIBRATION_BINS
) -> list[CalibrationBin]:
    """Rows ranked by predicted probability and cut into ``bins`` near-equal groups."""
    outcome = np.asarray(won, dtype=float)
    order = np.argsort(probability, kind="stable")
    table = []
    for chunk in np.array_split(order, min(bins, len(order))):
        if len(chunk) == 0:
            continue
        predicted = probability[chunk]
        table.append(
            CalibrationBin(
                low=round(float(predicted.min()), 4),
                high=round(float(predicted.max()), 4),
                predicted=round(float(predicted.mean()), 4),
                observed=round(float(outcome[chunk].mean()), 4),
                count=len(chunk),
            )
        )
    return table


def metrics(won: Sequence[bool] | np.ndarray, probability: np.ndarray) -> Metrics:
    """AUC, Brier score and calibration table of probabilities against outcomes."""
    outcome = np.asarray(won, dtype=int)
    if len(outcome) == 0:
        raise ValueError("no rows to evaluate")
    both = 0 < outcome.sum() < len(outcome)
    return Metrics(
        auc=round(float(roc_auc_score(outcome, probability)), 4) if both else None,
        brier=round(float(brier_score_loss(outcome, probability)), 4),
        rows=len(outcome),
        won_share=round(float(outcome.mean()), 4),
        calibration=calibration_table(outcome.astype(bool), probability),
    )


def beats(model: Metrics, baseline: Metrics) -> bool:
    """True when the model has a higher AUC and a lower Brier score than the baseline."""
    if model.auc is None or baseline.auc is None:
        return False
    return model.auc > baseline.auc and model.brier < baseline.brier
