"""Time to close and to win: Kaplan–Meier and Aalen–Johansen curves from entering a stage.

The clock starts when a deal last entered the stage it is in, because the stage says
how far along the buyer is: a deal entering contracting closes far sooner than one just
questioning its status quo, whatever their ages. Every deal that entered a stage is one
observation of that stage: the days to its close (won, lost or no decision) when it
closed, else the days it has been open since (right-censored). ``scipy.stats.ecdf`` on
``scipy.stats.CensoredData`` does the estimate.

A stage with fewer than ``min_deals`` observations borrows those of its neighbours in
journey order (the next later stage first, then the earlier one, and so on) until the
pool is large enough; the curve names every stage it pooled.

A close is a win or a loss (lost or no decision): two competing risks. Losses end sooner
than wins, so the all-cause curve's chance of closing soon is mostly a chance of losing
soon. The timing of *wins* is the cumulative incidence of winning (Aalen–Johansen), built
from the all-cause Kaplan–Meier ``S`` and the counts at risk ``n`` and won ``d_win`` at
each observed time::

    CIF_win(t) = sum over t_i <= t of S(t_i-) * d_win(t_i) / n(t_i)

For an open deal that has been ``age`` days in its stage, with a period that starts
``wait`` days from now and ends ``horizon`` days from now, the chance it is won inside
the period is ``(CIF_win(age + horizon) - CIF_win(age + wait)) / S(age)``, reported as two
factors: ``P(win eventually | open at age) = (CIF_win(end) - CIF_win(age)) / S(age)``
(``end``: the history's last observed time; a deal still open then is not counted won) and
``P(the win falls in the period | won) = (CIF_win(age + horizon) - CIF_win(age + wait)) /
(CIF_win(end) - CIF_win(age))``.

A deal that has been in its stage longer than any deal of its history took to close is
beyond what history knows: the curve has no more steps, so its probability is 0 (it is
treated as stalled) and it is flagged ``beyond_history``.
"""

from __future__ import annotations

import math
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
    won: bool = False
    """Closed as won (False for a loss, a no decision, or a deal still open)."""
    in_stage: float | None = None
    """Days it stayed in the stage (to its next stage, its close or now); None: ``days``."""


@dataclass(frozen=True)
class CloseCurve:
    """The survival curve S(t) = P(still open t days after entering the stage), and CIF_win(t)."""

    stages: tuple[str, ...]
    """Stages whose observations built the curve (more than one when pooled)."""
    deals: int
    """Observations behind the curve."""
    closes: int
    """Observations that ended in a close (the others are censored)."""
    last_close: float | None
    """Longest days from entering to a close seen in the history (None: no close seen)."""
    wins: int = 0
    """Observations that ended in a win."""
    _result: Any = field(default=None, repr=False, compare=False)
    _times: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)
    _incidence: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)

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

    def win_incidence(self, days: npt.ArrayLike) -> FloatArray:
        """CIF_win at each of ``days``: the share of deals won within that many days."""
        points = np.asarray(days, dtype=np.float64)
        if self._times.size == 0:
            return np.zeros_like(points)
        steps = np.searchsorted(self._times, points, side="right") - 1
        return np.where(steps >= 0, self._incidence[np.maximum(steps, 0)], 0.0)

    @property
    def win_eventually(self) -> float:
        """CIF_win at the history's end: the chance a deal entering the stage is won."""
        return float(self._incidence[-1]) if self._incidence.size else 0.0

    def _window(self, age: npt.ArrayLike, wait: float, horizon: float) -> FloatArray:
        if wait < 0 or horizon < wait:
            raise InvalidInput(
                f"need 0 <= wait <= horizon, got wait {wait} and horizon {horizon}",
                where="close_probability",
            )
        return np.asarray(age, dtype=np.float64)

    def _beyond(self, ages: FloatArray) -> BoolArray:
        if self.last_close is None:
            return np.ones_like(ages, dtype=bool)
        return np.asarray(ages >= self.last_close, dtype=bool)

    def close_probability(
        self, age: npt.ArrayLike, *, wait: float, horizon: float
    ) -> tuple[FloatArray, BoolArray]:
        """P(close in (age + wait, age + horizon] | open at age), and which ages are past history.

        ``age`` is days since the deal entered the stage (an array, one per deal);
        ``wait`` and ``horizon`` are days from now to the start and the end of the period.
        Any close counts, won or lost: see ``win_probability`` for the wins.
        """
        ages = self._window(age, wait, horizon)
        now = self.survival(ages)
        start = self.survival(ages + wait)
        end = self.survival(ages + horizon)
        probability = np.divide(start - end, now, out=np.zeros_like(now), where=now > 0.0)
        return np.clip(probability, 0.0, 1.0), self._beyond(ages)

    def win_probability(
        self, age: npt.ArrayLike, *, wait: float, horizon: float
    ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """P(win eventually | open at age), P(the win falls in the window | won), past history.

        Their product is P(won in (age + wait, age + horizon] | open at age)
        = (CIF_win(age + horizon) - CIF_win(age + wait)) / S(age).
        """
        ages = self._window(age, wait, horizon)
        now = self.survival(ages)
        reached = self.win_incidence(ages)
        ahead = self.win_eventually - reached
        in_window = self.win_incidence(ages + horizon) - self.win_incidence(ages + wait)
        win = np.divide(ahead, now, out=np.zeros_like(now), where=now > 0.0)
        timing = np.divide(in_window, ahead, out=np.zeros_like(now), where=ahead > 1e-12)
        return np.clip(win, 0.0, 1.0), np.clip(timing, 0.0, 1.0), self._beyond(ages)


def win_incidence_steps(
    durations: FloatArray, won: BoolArray, times: FloatArray, survival: FloatArray
) -> FloatArray:
    """CIF_win at each of ``times`` (the Kaplan–Meier steps, ``survival`` = S there).

    ``S(t_i-)`` is the step before ``t_i``; ``n(t_i)`` counts durations not below ``t_i``
    (a deal censored at ``t_i`` is still at risk then); ``d_win(t_i)`` the wins at ``t_i``.
    """
    ordered = np.sort(durations)
    at_risk = durations.size - np.searchsorted(ordered, times, side="left")
    won_days = np.sort(durations[won])
    wins_at = np.searchsorted(won_days, times, side="right") - np.searchsorted(
        won_days, times, side="left"
    )
    before = np.concatenate(([1.0], survival[:-1]))
    hazard = np.divide(wins_at, at_risk, out=np.zeros_like(before), where=at_risk > 0)
    return np.asarray(np.cumsum(before * hazard), dtype=np.float64)


def fit_close_curve(
    days: npt.ArrayLike,
    closed: npt.ArrayLike,
    won: npt.ArrayLike | None = None,
    *,
    stages: Sequence[str] = (),
) -> CloseCurve:
    """Kaplan–Meier of any close and Aalen–Johansen of wins, from days observed and outcomes.

    ``won`` (default: no wins) marks the closes that were wins; the other closes are losses.

    Example:
        >>> curve = fit_close_curve([1, 2, 3, 3, 5, 6, 7], [1, 0, 1, 1, 0, 1, 0])
        >>> [round(float(s), 4) for s in curve.survival([1, 3, 6])]
        [0.8571, 0.5143, 0.2571]
    """
    durations = np.asarray(days, dtype=np.float64)
    ended = np.asarray(closed, dtype=bool)
    wins = np.zeros_like(ended) if won is None else np.asarray(won, dtype=bool)
    if durations.shape != ended.shape or wins.shape != ended.shape or durations.ndim != 1:
        raise InvalidInput("days and closed must be two lists of the same length", where="history")
    if durations.size == 0:
        raise InvalidInput("no deal history to learn the time to close from", where="history")
    if not np.all(np.isfinite(durations)) or np.any(durations < 0):
        raise InvalidInput("days to close must be finite and not negative", where="history")
    if np.any(wins & ~ended):
        raise InvalidInput("a deal marked won must be closed", where="history")
    closes = int(ended.sum())
    if closes == 0:
        return CloseCurve(tuple(stages), int(durations.size), 0, None)
    result = stats.ecdf(stats.CensoredData(uncensored=durations[ended], right=durations[~ended]))
    times = np.asarray(result.sf.quantiles, dtype=np.float64)
    steps = np.asarray(result.sf.probabilities, dtype=np.float64)
    return CloseCurve(
        stages=tuple(stages),
        deals=int(durations.size),
        closes=closes,
        last_close=float(durations[ended].max()),
        wins=int(wins.sum()),
        _result=result,
        _times=times,
        _incidence=win_incidence_steps(durations, wins, times, steps),
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
                [o.days for o in rows],
                [o.closed for o in rows],
                [o.won for o in rows],
                stages=pool,
            )
        curves[stage] = fitted[pool]
    return curves


class StageHistory:
    """Landmark curves of one playbook: deals still in a stage after ``age`` days there.

    A deal that has spent ``age`` days in its stage is compared with the deals of the
    history that stayed in that stage as long (``in_stage`` at least ``age`` in whole
    days), not with every deal that entered it: a deal open ``age`` days after entering a
    stage has often moved on and closes sooner than one still stuck there. Whole days
    bound the fits to one per stage and day, not one per deal; the curve is still read
    conditioned on being open at ``age``. Thin sets borrow neighbouring stages' deals as
    ``stage_close_curves`` does; curves are cached by the set they use.
    """

    def __init__(
        self, observations: Sequence[Observation], order: Sequence[str], *, min_deals: int
    ) -> None:
        self._order = list(order)
        self._min_deals = min_deals
        rows: dict[str, list[Observation]] = defaultdict(list)
        for observation in observations:
            rows[observation.stage].append(observation)
        self._rows = {key: sorted(found, key=_stayed) for key, found in rows.items()}
        self._stayed = {
            key: np.array([_stayed(o) for o in found]) for key, found in self._rows.items()
        }
        self._cache: dict[tuple[str, ...], dict[float, CloseCurve | None]] = {}

    def curve(self, stage: str, age: float) -> CloseCurve | None:
        """The curve of deals still in ``stage`` (or its pooled neighbours) after ``age`` days."""
        if stage not in self._order:
            return None
        landmark = math.floor(age)
        first = {
            key: int(np.searchsorted(stayed, landmark, side="left"))
            for key, stayed in self._stayed.items()
        }
        counts = {key: self._stayed[key].size - first[key] for key in self._stayed}
        pool = tuple(_pool(self._order, self._order.index(stage), counts, self._min_deals))
        # Every age up to the shortest stay among the rows picks the same rows: one fit.
        cutoff = min(
            (float(self._stayed[k][first[k]]) for k in pool if counts.get(k, 0)), default=age
        )
        cached = self._cache.setdefault(pool, {})
        if cutoff not in cached:
            rows = [o for key in pool for o in self._rows.get(key, [])[first.get(key, 0) :]]
            cached[cutoff] = (
                fit_close_curve(
                    [o.days for o in rows],
                    [o.closed for o in rows],
                    [o.won for o in rows],
                    stages=pool,
                )
                if rows
                else None
            )
        return cached[cutoff]


def _stayed(observation: Observation) -> float:
    """Days the deal stayed in the observation's stage."""
    return observation.days if observation.in_stage is None else observation.in_stage
