"""Monte Carlo of the days a deal still needs: stage durations from history or the playbook.

Each remaining stage of the route gets a duration model: the workspace's own completed
visits of the stage when at least ``min_history`` deals passed it (resampled), else a
lognormal fitted to the playbook's p50/p90::

    mu = ln p50        sigma = (ln p90 - ln p50) / z90,   z90 = 1.2815515655446004

The current stage is conditioned on the days already spent in it (the remaining time of
a duration known to exceed them). Everything is vectorised over the trials.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from dealgraph.core.history import History
from dealgraph.core.playbook.schema import Playbook

Z90 = 1.2815515655446004
"""Standard normal quantile at 0.9."""
REMAINDER_FRACTION = 0.1
"""When a stage has outrun every known duration, it is given this share of its p50 more."""
MIN_REMAINDER_DAYS = 1.0
"""... but never less than this many days."""

Source = Literal["history", "playbook"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class StageModel:
    """The duration model of one stage: its source, p50/p90 and the empirical days if any."""

    stage: str
    source: Source
    p50: float
    p90: float
    observed: tuple[float, ...] = ()

    @property
    def mu(self) -> float:
        """Location of the fitted lognormal."""
        return math.log(self.p50)

    @property
    def sigma(self) -> float:
        """Scale of the fitted lognormal (0 when p90 <= p50: a fixed duration)."""
        return max(0.0, (math.log(self.p90) - math.log(self.p50)) / Z90)

    @property
    def remainder(self) -> float:
        """Days given to a stage that has outrun its whole distribution."""
        return max(MIN_REMAINDER_DAYS, REMAINDER_FRACTION * self.p50)


def stage_model(
    stage: str, playbook: Playbook, history: History, *, min_history: int
) -> StageModel:
    """History when at least ``min_history`` deals completed the stage, else the playbook."""
    if history.has_enough(stage, min_history):
        observed = np.asarray(history.stage_days[stage], dtype=np.float64)
        return StageModel(
            stage,
            "history",
            float(np.quantile(observed, 0.5)),
            float(np.quantile(observed, 0.9)),
            tuple(float(v) for v in observed),
        )
    duration = playbook.stage(stage).duration
    return StageModel(stage, "playbook", duration.p50, duration.p90)


def sample_remaining(
    model: StageModel, rng: np.random.Generator, trials: int, *, days_spent: float = 0.0
) -> FloatArray:
    """Remaining days in a stage, given ``days_spent`` in it already (one value per trial)."""
    if model.observed:
        observed = np.asarray(model.observed, dtype=np.float64)
        above = observed[observed > days_spent]
        if above.size == 0:
            return np.full(trials, model.remainder)
        return rng.choice(above, size=trials) - days_spent
    if model.sigma == 0.0:
        return np.full(trials, max(model.p50 - days_spent, model.remainder))
    if days_spent <= 0.0:
        z = rng.standard_normal(trials)
        return np.exp(model.mu + model.sigma * z)
    # Inverse CDF of the normal truncated to z > z0: z = -Phi^-1(u * Q(z0)), u in (0, 1].
    z0 = (math.log(days_spent) - model.mu) / model.sigma
    tail = 0.5 * math.erfc(z0 / math.sqrt(2.0))
    if tail < 1e-12:
        return np.full(trials, model.remainder)
    u = 1.0 - rng.random(trials)
    z = -np.asarray(ndtri(u * tail), dtype=np.float64)
    return np.maximum(np.exp(model.mu + model.sigma * z) - days_spent, 0.0)


def simulate_remaining_days(
    models: Sequence[StageModel],
    *,
    days_in_current: float,
    seed: int,
    trials: int,
) -> FloatArray:
    """Total days still needed over the remaining stages (first one is the current stage).

    Example:
        >>> m = StageModel("s", "playbook", p50=10.0, p90=30.0)
        >>> days = simulate_remaining_days([m], days_in_current=0.0, seed=0, trials=20000)
        >>> 9.5 < float(np.median(days)) < 10.5
        True
    """
    rng = np.random.default_rng(seed)
    total = np.zeros(trials, dtype=np.float64)
    for index, model in enumerate(models):
        spent = days_in_current if index == 0 else 0.0
        total += sample_remaining(model, rng, trials, days_spent=spent)
    return total
