"""Compare two simulated designs metric by metric, with 95 % intervals on each difference.

Rates use the two-proportion normal (Wald) interval; means use Welch's t interval; the
median and p90 cycle of won deals use the asymptotic normal interval of a sample quantile,
its standard error read from the order statistics around it (no density estimate, no
resampling); ratios of means (cost and hours per win, velocity) use the delta method on
the logarithm. A difference is significant when its interval leaves out zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import stats

from dealgraph.planning.markov import FloatArray
from dealgraph.planning.simulation import VELOCITY_DAYS, VELOCITY_DEALS, SimulationRun


class Estimate(BaseModel):
    """A figure of one design with its standard error (None when it cannot be had)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | None
    error: float | None = None
    count: int = Field(default=0, description="observations behind it")
    spread: float | None = Field(default=None, description="sample variance, for Welch")


class MetricComparison(BaseModel):
    """One metric of designs A and B: the difference B - A and its interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    label: str
    unit: str = Field(description="share, days, hours, money or money per period")
    a: float | None
    b: float | None
    difference: float | None = Field(description="B - A")
    low: float | None
    high: float | None
    significant: bool | None = Field(description="the interval leaves out zero")
    method: str


@dataclass(frozen=True)
class _Metric:
    key: str
    label: str
    unit: str
    method: str
    estimate: Callable[[SimulationRun], Estimate]


def proportion(successes: int, trials: int) -> Estimate:
    """A proportion with its standard error sqrt(p (1 - p) / n)."""
    share = successes / trials
    return Estimate(value=share, error=math.sqrt(share * (1 - share) / trials), count=trials)


def mean(values: FloatArray) -> Estimate:
    """A sample mean with its standard error and sample variance (for Welch)."""
    count = int(values.size)
    if count == 0:
        return Estimate(value=None)
    variance = float(values.var(ddof=1)) if count > 1 else 0.0
    return Estimate(
        value=float(values.mean()),
        error=math.sqrt(variance / count),
        count=count,
        spread=variance,
    )


def quantile(values: FloatArray, q: float, *, confidence: float = 0.95) -> Estimate:
    """A sample quantile; its error from the order statistics at n q -/+ z sqrt(n q (1-q)).

    Asymptotically the sample quantile is normal with sd sqrt(q (1-q) / n) / f(x_q); the
    distance between those two order statistics, over 2 z, estimates it without f.
    """
    count = int(values.size)
    if count == 0:
        return Estimate(value=None)
    ordered = np.sort(values)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    half = z * math.sqrt(count * q * (1 - q))
    low = min(max(int(math.floor(count * q - half)), 0), count - 1)
    high = min(max(int(math.ceil(count * q + half)), 0), count - 1)
    value = float(np.quantile(ordered, q))
    error = float(ordered[high] - ordered[low]) / (2 * z) if count > 1 else None
    return Estimate(value=value, error=error, count=count)


def log_linear(terms: list[tuple[FloatArray, float]]) -> Estimate:
    """The product of means raised to powers, with its delta-method standard error.

    For ``V = prod mean(x_k) ** p_k`` the influence of deal ``i`` on ``log V`` is
    ``sum p_k (x_ki - mean_k) / mean_k``; ``se(V) = V sd(influence) / sqrt(n)``.
    """
    count = int(terms[0][0].size)
    means = [float(x.mean()) for x, _ in terms]
    if any(m == 0 for m in means):
        return Estimate(value=None, count=count)
    value = math.prod(m**power for m, (_, power) in zip(means, terms, strict=True))
    influence = sum(power * (x - m) / m for m, (x, power) in zip(means, terms, strict=True))
    spread = float(np.var(influence, ddof=1)) if count > 1 else 0.0
    return Estimate(value=value, error=abs(value) * math.sqrt(spread / count), count=count)


def _won(run: SimulationRun) -> FloatArray:
    won: FloatArray = run.won.astype(np.float64)
    return won


def _velocity(run: SimulationRun) -> Estimate:
    won = _won(run)
    # mean value x win rate / (mean won days) = mean(v) * mean(w)^2 / mean(days * w)
    estimate = log_linear([(run.value, 1.0), (won, 2.0), (run.cycle_days * won, -1.0)])
    if estimate.value is None or estimate.error is None:
        return estimate
    scale = VELOCITY_DEALS * VELOCITY_DAYS
    return Estimate(value=estimate.value * scale, error=estimate.error * scale, count=run.deals)


METRICS: tuple[_Metric, ...] = (
    _Metric(
        "win_rate",
        "win rate",
        "share",
        "two-proportion normal",
        lambda r: proportion(int(r.won.sum()), r.deals),
    ),
    _Metric(
        "loss_rate",
        "lost",
        "share",
        "two-proportion normal",
        lambda r: proportion(int((r.outcome == 1).sum()), r.deals),
    ),
    _Metric(
        "no_decision_rate",
        "no decision",
        "share",
        "two-proportion normal",
        lambda r: proportion(int((r.outcome == 2).sum()), r.deals),
    ),
    _Metric(
        "cycle_p50_won",
        "cycle P50, won (days)",
        "days",
        "asymptotic quantile",
        lambda r: quantile(r.cycle_days[r.won], 0.5),
    ),
    _Metric(
        "cycle_p90_won",
        "cycle P90, won (days)",
        "days",
        "asymptotic quantile",
        lambda r: quantile(r.cycle_days[r.won], 0.9),
    ),
    _Metric(
        "cycle_mean_won",
        "cycle mean, won (days)",
        "days",
        "Welch",
        lambda r: mean(r.cycle_days[r.won]),
    ),
    _Metric("hours_per_deal", "seller hours per deal", "hours", "Welch", lambda r: mean(r.hours)),
    _Metric("cost_per_deal", "cost per deal", "money", "Welch", lambda r: mean(r.cost)),
    _Metric(
        "hours_per_win",
        "seller hours per win",
        "hours",
        "delta method",
        lambda r: log_linear([(r.hours, 1.0), (_won(r), -1.0)]),
    ),
    _Metric(
        "cost_per_win",
        "cost per win",
        "money",
        "delta method",
        lambda r: log_linear([(r.cost, 1.0), (_won(r), -1.0)]),
    ),
    _Metric(
        "velocity",
        f"velocity ({VELOCITY_DAYS:g} days, {VELOCITY_DEALS} deals)",
        "money per period",
        "delta method",
        _velocity,
    ),
)


def compare_runs(
    a: SimulationRun, b: SimulationRun, *, confidence: float = 0.95
) -> list[MetricComparison]:
    """Every metric of A and B with the difference B - A, its interval and significance.

    Example:
        >>> rows = compare_runs(run_a, run_b)  # doctest: +SKIP
        >>> rows[0].metric, rows[0].significant  # doctest: +SKIP
        ('win_rate', True)
    """
    return [_compare(m, m.estimate(a), m.estimate(b), confidence) for m in METRICS]


def difference_interval(
    a: Estimate, b: Estimate, *, method: str, confidence: float = 0.95
) -> tuple[float, float] | None:
    """The interval of B - A: normal, or Student t with Welch's degrees of freedom."""
    if a.value is None or b.value is None or a.error is None or b.error is None:
        return None
    difference = b.value - a.value
    error = math.hypot(a.error, b.error)
    if method == "Welch" and error > 0:
        critical = float(stats.t.ppf(0.5 + confidence / 2, _welch_df(a, b)))
    else:
        critical = float(stats.norm.ppf(0.5 + confidence / 2))
    return difference - critical * error, difference + critical * error


def _welch_df(a: Estimate, b: Estimate) -> float:
    """Welch-Satterthwaite degrees of freedom."""
    va = (a.spread or 0.0) / max(a.count, 1)
    vb = (b.spread or 0.0) / max(b.count, 1)
    denominator = va**2 / max(a.count - 1, 1) + vb**2 / max(b.count - 1, 1)
    return (va + vb) ** 2 / denominator if denominator > 0 else float("inf")


def _compare(metric: _Metric, a: Estimate, b: Estimate, confidence: float) -> MetricComparison:
    interval = difference_interval(a, b, method=metric.method, confidence=confidence)
    difference = None if a.value is None or b.value is None else b.value - a.value
    low, high = interval if interval is not None else (None, None)
    significant = None if interval is None else not (interval[0] <= 0 <= interval[1])
    return MetricComparison(
        metric=metric.key,
        label=metric.label,
        unit=metric.unit,
        a=a.value,
        b=b.value,
        difference=difference,
        low=low,
        high=high,
        significant=significant,
        method=metric.method,
    )
