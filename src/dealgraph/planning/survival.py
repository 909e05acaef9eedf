"""Time to close: Kaplan–Meier curves of the days from entering a stage to the deal's close.

The clock starts when a deal last entered the stage it is in, because the stage says
how far along the buyer is: a deal entering contracting closes far sooner than one just
questioning its status quo, whatever their ages. Every deal that entered a stage is one
observation of that stage: the days to its close (won, lost or no decision) when it
closed, else the days it has been open since (right-censored). ``scipy.stats.ecdf`` on
``scipy.stats.CensoredData`` does the estimate.

A stage with fewer than ``min_deals`` observations borrows those of its neighbours in
journey order (the next later stage first, then the earlier one, and so on) until the
pool is large enough; the curve names every stage it pooled.

For an open deal that has been ``age`` days in its stage, the chance it closes inside a
period that starts ``wait`` days from now and ends ``horizon`` days from now is::

    P(age + wait < T <= age + horizon | T > age) = (S(age + wait) - S(age + horizon)) / S(age)

A deal that has been in its stage longer than any deal of its history took to close is
beyond what history knows: the curve has no more steps, so its probability is 0 (it is
treated as stalled) and it is flagged ``beyond_history``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import stats

from dealgraph.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Observation(NamedTuple):
    """One deal's time in the history of one stage: days from entering it to close or now."""

    deal_id: int
    stage: str
    days: float
    closed: bool


@dataclass(frozen=True)
class CloseCurve:
    """The survival curve S(t) = P(still open t days after entering the stage)."""

    stages: tuple[str, ...]
    """Stages whose observations built the curve (more than one when pooled)."""
    deals: int
    """Observations behind the curve."""
    closes: int
    """Observations that ended in a close (the others are censored)."""
    last_close: float | None
    """Longest days from entering to a close seen in the history (None: no close seen)."""
    _result: Any = field(default=None, repr=False, compare=False)

    @property
    def pooled(self) -> bool:
        """True when the curve borrowed other stages' history."""
        return len(self.stages) > 1

    def survival(self, days: npt.ArrayLike) -> FloatArray:
        """S at each of ``days``: the share of deals still open that long after entering."""
        points = np.asarray(days, dtype=np.float64)
        if self._result is None:  # no close ever observed: nobody has left the stage yet
            return np.ones_like(points)
        return np.asarray(self._result.sf.evaluate(points), dtype=np.float64)

    def close_probability(
        self, age: npt.ArrayLike, *, wait: float, horizon: float
    ) -> tuple[FloatArray, BoolArray]:
        """P(close in (age + wait, age + horizon] | open at age), and which ages are past history.

        ``age`` is days since the deal entered the stage (an array, one per deal);
        ``wait`` and ``horizon`` are days from now to the start and the end of the period.
        """
        if wait < 0 or horizon < wait:
            raise InvalidInput(
                f"need 0 <= wait <= horizon, got wait {wait} and horizon {horizon}",
                where="close_probability",
            )
        ages = np.asarray(age, dtype=np.float64)
        now = self.survival(ages)
        start = self.survival(ages + wait)
        end = self.survival(ages + horizon)
        beyond = (
            np.ones_like(ages, dtype=bool) if self.last_close is None else ages >= self.last_close
        )
        probability = np.divide(start - end, now, out=np.zeros_like(now), where=now > 0.0)
        return np.clip(probability, 0.0, 1.0), beyond


def fit_close_curve(
    days: npt.ArrayLike, closed: npt.ArrayLike, *, stages: Sequence[str] = ()
) -> CloseCurve:
    """Kaplan–Meier estimate from days observed and whether each ended in a close.

    Example:
        >>> curve = fit_close_curve([1, 2, 3, 3, 5, 6, 7], [1, 0, 1, 1, 0, 1, 0])
        >>> [round(float(s), 4) for s in curve.survival([1, 3, 6])]
        [0.8571, 0.5143, 0.2571]
    """
    durations = np.asarray(days, dtype=np.float64)
    ended = np.asarray(closed, dtype=bool)
    if durations.shape != ended.shape or durations.ndim != 1:
        raise InvalidInput("days and closed must be two lists of the same length", where="history")
    if durations.size == 0:
        raise InvalidInput("no deal history to learn the time to close from", where="history")
    if not np.all(np.isfinite(durations)) or np.any(durations < 0):
        raise InvalidInput("days to close must be finite and not negative", where="history")
    closes = int(ended.sum())
    if closes == 0:
        return CloseCurve(tuple(stages), int(durations.size), 0, None)
    result = stats.ecdf(stats.CensoredData(uncensored=durations[ended], right=durations[~ended]))
    return CloseCurve(
        stages=tuple(stages),
        deals=int(durations.size),
        closes=closes,
        last_close=float(durations[ended].max()),
        _result=result,
    )


def _pool(order: Sequence[str], index: int, counts: dict[str, int], min_deals: int) -> list[str]:
    """The stage at ``index`` and its nearest neighbours until they hold ``min_deals``."""
    last = len(order) - 1
    low = high = index
    total = counts.get(order[index], 0)
    take_later = True
    while total < min_deals and (low > 0 or high < last):
        if (take_later and high < last) or low == 0:
            high += 1
            total += counts.get(order[high], 0)
        else:
            low -= 1
            total += counts.get(order[low], 0)
        take_later = not take_later
    return list(order[low : high + 1])


def stage_close_curves(
    observations: Sequence[Observation], order: Sequence[str], *, min_deals: int
) -> dict[str, CloseCurve]:
    """One curve per stage of ``order``, pooling neighbours where history is thin.

    Observations of stages outside ``order`` are ignored. Pooled curves are shared:
    stages that end up with the same pool get the same curve.
    """
    if min_deals < 1:
        raise InvalidInput(f"min_deals must be at least 1, got {min_deals}", where="min_deals")
    by_stage: dict[str, list[Observation]] = defaultdict(list)
    for observation in observations:
        by_stage[observation.stage].append(observation)
    counts = {stage: len(by_stage.get(stage, [])) for stage in order}
    if not any(counts.values()):
        raise InvalidInput("no deal history to learn the time to close from", where="history")
    fitted: dict[tuple[str, ...], CloseCurve] = {}
    curves: dict[str, CloseCurve] = {}
    for index, stage in enumerate(order):
        pool = tuple(_pool(order, index, counts, min_deals))
        if pool not in fitted:
            rows = [o for key in pool for o in by_stage.get(key, [])]
            fitted[pool] = fit_close_curve(
                [o.days for o in rows], [o.closed for o in rows], stages=pool
            )
        curves[stage] = fitted[pool]
    return curves
