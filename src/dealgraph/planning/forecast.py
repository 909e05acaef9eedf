"""Forecast a period's bookings from the open pipeline: distribution, P(quota), gap, need.

Each open deal books its value in the period with probability

    p = P(win eventually | open at age) x P(the win falls in the period | won)

both read, for a deal ``age`` days in its stage, on the deals of the history that stayed
in that stage as long (``planning.survival.StageHistory``): the first factor from the
cumulative incidence of wins (Aalen–Johansen, losses as the competing risk), the second
the share of those wins inside the period. Their product is the chance of a *win* in the
period, not a win rate times the chance of any close (losses end sooner than wins, which
over-forecast, issue #5). A trained model's P(win) (the ``p_win`` mapping) replaces the
first factor deal by deal.

The bookings of the period are what is already won in it plus a Monte Carlo over the
open deals (``planning.montecarlo``). The expected value is exact in closed form,
``already_won + sum(value * p)``; the Monte Carlo mean must agree within its standard
error. The gap is ``quota - P50`` (the median outcome, not the mean: half the futures
fall short of it), and the new pipeline needed to close it is ``gap / win rate`` in value,
created no later than the period's end minus the median sales cycle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from statistics import median
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.asof import OpenDeal, Snapshot, days_between, snapshot
from dealgraph.planning.montecarlo import Distribution, bookings_distribution, check_trials
from dealgraph.planning.period import Period
from dealgraph.planning.survival import CloseCurve, StageHistory, stage_close_curves

FloatArray = npt.NDArray[np.float64]
CategoryName = Literal["commit", "best_case", "pipeline"]


class Model(BaseModel):
    """Base of the forecast's records."""

    model_config = ConfigDict(extra="forbid")


class Thresholds(Model):
    """Where the categories split, on a deal's probability of booking in the period."""

    commit: float = Field(default=0.7, gt=0, le=1, description="commit: p at least this")
    best_case: float = Field(default=0.3, gt=0, lt=1, description="best case: p at least this")

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.best_case >= self.commit:
            raise ValueError("the best-case threshold must be below the commit threshold")
        return self

    def category(self, probability: float) -> CategoryName:
        """The category a deal with this probability falls in."""
        if probability >= self.commit:
            return "commit"
        return "best_case" if probability >= self.best_case else "pipeline"


class ForecastDeal(Model):
    """One open deal's part in the forecast."""

    deal_id: int
    title: str
    owner: str
    stage: str
    value: float
    days_in_stage: float = Field(
        description="days since it entered its stage (since creation when from_creation)"
    )
    from_creation: bool = Field(
        description="no stage history and recorded in a later stage: modelled as a "
        "start-stage deal since its creation"
    )
    p_win: float = Field(description="P(won eventually | open after days_in_stage), or a model's")
    p_win_source: Literal["history", "model"]
    p_close: float = Field(
        description="P(the win falls inside the period | won, stage, days in stage)"
    )
    probability: float = Field(description="p_win x p_close: chance it books in the period")
    expected: float = Field(description="value x probability")
    variance: float = Field(description="value^2 p (1 - p): its share of the uncertainty")
    variance_share: float = 0.0
    category: CategoryName
    beyond_history: bool = Field(
        description="in its stage longer than any deal of its history took to close"
    )


class Category(Model):
    """Deals of one category: how many, their value and expected bookings."""

    name: CategoryName
    rule: str
    deals: int
    value: float
    expected: float


class StageBasis(Model):
    """What one stage's forecast rests on: time-to-close history (maybe pooled) and win rate."""

    playbook: str
    stage: str
    open_deals: int
    history_deals: int = Field(description="deals behind the time-to-close curve")
    closes: int = Field(description="of which closed (the rest are still open, censored)")
    pooled_with: list[str] = Field(description="other stages whose history was borrowed")
    won: int = Field(description="closed deals that reached the stage and were won")
    closed: int = Field(description="closed deals that reached the stage")
    win_rate: float = Field(description="(won + 1) / (closed + 2)")


class PipelineNeed(Model):
    """New pipeline it takes to close the gap, on the history's win rate and cycle."""

    gap: float
    win_rate: float | None = Field(description="won / closed of deals closed before as_of")
    average_deal: float | None = Field(description="mean value of won deals in the currency")
    value: float | None = Field(description="new pipeline value: gap / win rate")
    deals: int | None = Field(description="new deals: gap / (win rate x average deal)")
    cycle_days: float | None = Field(description="median days from creation to a win")
    create_by: date | None = Field(description="period end minus the median cycle")
    late: bool | None = Field(description="create_by is already past at as_of")


class Forecast(Model):
    """The forecast of one period's bookings in one currency, as of a moment."""

    period: Period
    as_of: datetime
    currency: str
    open_deals: int
    other_currency_deals: int = Field(description="open deals in other currencies, left out")
    undated_closed_deals: int = Field(description="closed deals without a close date, left out")
    unvalued_deals: int = Field(description="open deals with a value of 0: they book nothing")
    from_creation_deals: int = Field(
        description="open deals recorded in a later stage without a stage history, "
        "modelled from their creation"
    )
    already_won: float
    already_won_deals: int
    distribution: Distribution
    categories: list[Category]
    thresholds: Thresholds
    gap: float | None = Field(description="quota - P50 (negative: ahead of quota)")
    pipeline_needed: PipelineNeed | None
    beyond_history: int = Field(description="open deals past every close of their history")
    stages: list[StageBasis]
    drivers: list[ForecastDeal] = Field(description="deals with the largest share of variance")


def laplace_win_rate(won: int, closed: int) -> float:
    """(won + 1) / (closed + 2): a win rate that never claims 0 or 1 from few deals."""
    return (won + 1) / (closed + 2)


def choose_currency(snap: Snapshot, currency: str | None) -> str:
    """The currency asked for (it must be one some deal uses), else the pipeline's commonest."""
    if currency is not None:
        wanted = currency.strip().upper()
        if wanted not in snap.currencies:
            known = ", ".join(sorted(snap.currencies)) or "none"
            raise InvalidInput(
                f"no deal in {currency!r} before {snap.as_of:%Y-%m-%d}; currencies: {known}",
                where="currency",
            )
        return wanted
    pool = [d.currency for d in snap.open_deals] or list(snap.currencies.elements())
    if not pool:
        raise InvalidInput(f"no deal was created before {snap.as_of:%Y-%m-%d}", where="as_of")
    counts = {c: pool.count(c) for c in set(pool)}
    return min(counts, key=lambda c: (-counts[c], c))


def _curves(
    snap: Snapshot, playbooks: Mapping[str, Playbook], min_history: int
) -> dict[tuple[str, str], CloseCurve]:
    curves: dict[tuple[str, str], CloseCurve] = {}
    for key, playbook in playbooks.items():
        if not snap.observations.get(key):
            continue
        order = [s.key for s in playbook.stages if s.end != "won"]
        for stage, curve in stage_close_curves(
            snap.observations[key], order, min_deals=min_history
        ).items():
            curves[(key, stage)] = curve
    return curves


class _Factors(NamedTuple):
    """Per open deal, what its stage's history says: win, timing of the win, flags."""

    p_win: FloatArray
    p_close: FloatArray
    beyond: npt.NDArray[np.bool_]
    fitted: npt.NDArray[np.bool_]


def _history_factors(
    deals: Sequence[OpenDeal],
    curves: Mapping[tuple[str, str], CloseCurve],
    histories: Mapping[str, StageHistory],
    period: Period,
    as_of: datetime,
) -> _Factors:
    """P(win eventually | age) and P(the win falls in the period | won), deal by deal.

    Each deal is read on the landmark curve of the deals that stayed in its stage at
    least as long as it has (``StageHistory``); ``beyond`` comes from the stage's curve.
    """
    wait = max(0.0, days_between(as_of, period.start_at))
    horizon = days_between(as_of, period.end_at)
    p_win, p_close = np.zeros(len(deals)), np.zeros(len(deals))
    beyond = np.ones(len(deals), dtype=bool)  # a stage nobody ever left: nothing to learn
    fitted = np.zeros(len(deals), dtype=bool)
    for index, deal in enumerate(deals):
        curve = curves.get((deal.playbook, deal.model_stage))
        history = histories.get(deal.playbook)
        if curve is None or history is None:
            continue
        age = days_between(deal.entered_at, as_of)
        beyond[index] = curve.last_close is None or age >= curve.last_close
        fitted[index] = True
        landmark = history.curve(deal.model_stage, age)
        if landmark is None:
            continue
        win, timing, _ = landmark.win_probability([age], wait=wait, horizon=horizon)
        p_win[index], p_close[index] = float(win[0]), float(timing[0])
    return _Factors(p_win, p_close, beyond, fitted)


def _p_win(
    deals: Sequence[OpenDeal],
    snap: Snapshot,
    history: _Factors,
    p_win: Mapping[int, float] | None,
) -> tuple[FloatArray, list[Literal["history", "model"]]]:
    """A model's P(win) where given, else the history's (the reached-stage rate without one)."""
    given = p_win or {}
    rates = np.empty(len(deals))
    sources: list[Literal["history", "model"]] = []
    for index, deal in enumerate(deals):
        if deal.deal_id in given:
            value = float(given[deal.deal_id])
            if not (math.isfinite(value) and 0 <= value <= 1):
                raise InvalidInput(f"{value!r} is outside 0..1", where=f"p_win[{deal.deal_id}]")
            rates[index] = value
            sources.append("model")
            continue
        if history.fitted[index]:
            rates[index] = history.p_win[index]
        else:  # a stage outside the curves (an open deal in a won end stage): P(close) is 0
            won, closed = snap.reached.get((deal.playbook, deal.model_stage), (0, 0))
            rates[index] = laplace_win_rate(won, closed)
        sources.append("history")
    return rates, sources


def pipeline_needed(
    gap: float, snap: Snapshot, *, currency: str, period: Period
) -> PipelineNeed | None:
    """New pipeline to close a positive gap, from the win rate, won deal size and cycle."""
    if gap <= 0:
        return None
    won = [d for d in snap.closed_deals if d.status == DealStatus.WON]
    win_rate = len(won) / len(snap.closed_deals) if snap.closed_deals else None
    in_currency = [d.value for d in won if d.currency == currency]
    average = sum(in_currency) / len(in_currency) if in_currency else None
    cycle = median(days_between(d.created_at, d.closed_at) for d in won) if won else None
    value = gap / win_rate if win_rate else None
    deals = math.ceil(value / average) if value is not None and average else None
    create_by = (period.end_at - timedelta(days=cycle)).date() if cycle is not None else None
    return PipelineNeed(
        gap=gap,
        win_rate=win_rate,
        average_deal=average,
        value=value,
        deals=deals,
        cycle_days=cycle,
        create_by=create_by,
        late=None if create_by is None else create_by < snap.as_of.date(),
    )


def _stage_basis(
    deals: Sequence[OpenDeal], snap: Snapshot, curves: Mapping[tuple[str, str], CloseCurve]
) -> list[StageBasis]:
    counts: dict[tuple[str, str], int] = {}
    for deal in deals:
        key = (deal.playbook, deal.model_stage)
        counts[key] = counts.get(key, 0) + 1
    rows = []
    for (playbook, stage), open_deals in sorted(counts.items()):
        curve = curves.get((playbook, stage))
        won, closed = snap.reached.get((playbook, stage), (0, 0))
        rows.append(
            StageBasis(
                playbook=playbook,
                stage=stage,
                open_deals=open_deals,
                history_deals=curve.deals if curve else 0,
                closes=curve.closes if curve else 0,
                pooled_with=[s for s in curve.stages if s != stage] if curve else [],
                won=won,
                closed=closed,
                win_rate=laplace_win_rate(won, closed),
            )
        )
    return rows


def forecast_pipeline(
    records: Sequence[DealRecord],
    playbooks: Mapping[str, Playbook],
    period: Period,
    *,
    as_of: datetime,
    currency: str | None = None,
    quota: float | None = None,
    p_win: Mapping[int, float] | None = None,
    trials: int = 10_000,
    seed: int = 7,
    min_history: int = 30,
    thresholds: Thresholds | None = None,
    top: int = 10,
) -> Forecast:
    """Forecast ``period`` from the pipeline open at ``as_of``, learning only from before it.

    Example:
        >>> f = forecast_pipeline(records, playbooks, parse_period("2025Q3"),  # doctest: +SKIP
        ...                       as_of=datetime(2025, 6, 1), quota=2_000_000)
        >>> f.distribution.p50, f.distribution.p_quota  # doctest: +SKIP
    """
    if as_of >= period.end_at:
        raise InvalidInput(
            f"the period {period.label} ended before {as_of:%Y-%m-%d}; "
            "compare past periods with the backtest",
            where="as_of",
        )
    if quota is not None and not (math.isfinite(quota) and quota >= 0):
        raise InvalidInput(f"quota must be a number not below 0, got {quota}", where="quota")
    if top < 0:
        raise InvalidInput(f"top must not be negative, got {top}", where="top")
    check_trials(trials)
    thresholds = thresholds or Thresholds()
    snap = snapshot(records, playbooks, as_of=as_of)
    if not snap.closed_deals:
        raise InvalidInput(
            f"no deal closed before {as_of:%Y-%m-%d}: there is no history to forecast from",
            where="as_of",
        )
    chosen = choose_currency(snap, currency)
    deals = [d for d in snap.open_deals if d.currency == chosen]
    curves = _curves(snap, playbooks, min_history)
    histories = {
        key: StageHistory(
            snap.observations[key],
            [s.key for s in playbook.stages if s.end != "won"],
            min_deals=min_history,
        )
        for key, playbook in playbooks.items()
        if snap.observations.get(key)
    }
    history = _history_factors(deals, curves, histories, period, as_of)
    p_close, beyond = history.p_close, history.beyond
    p_win_rates, sources = _p_win(deals, snap, history, p_win)
    won_in_period = [
        d
        for d in snap.closed_deals
        if d.status == DealStatus.WON and d.currency == chosen and period.contains(d.closed_at)
    ]
    already_won = float(sum(d.value for d in won_in_period))
    values = np.array([d.value for d in deals], dtype=np.float64)
    distribution = bookings_distribution(
        values,
        p_win_rates,
        p_close,
        already_won=already_won,
        quota=quota,
        trials=trials,
        seed=seed,
    )
    drivers = _drivers(
        deals,
        values,
        p_win_rates,
        sources,
        p_close,
        beyond,
        as_of=as_of,
        thresholds=thresholds,
        top=top,
    )
    gap = None if quota is None else quota - distribution.p50
    return Forecast(
        period=period,
        as_of=as_of,
        currency=chosen,
        open_deals=len(deals),
        other_currency_deals=len(snap.open_deals) - len(deals),
        undated_closed_deals=snap.undated,
        unvalued_deals=int(np.count_nonzero(values == 0)),
        from_creation_deals=sum(d.from_creation for d in deals),
        already_won=already_won,
        already_won_deals=len(won_in_period),
        distribution=distribution,
        categories=_categories(values, p_win_rates * p_close, thresholds),
        thresholds=thresholds,
        gap=gap,
        pipeline_needed=None
        if gap is None
        else pipeline_needed(gap, snap, currency=chosen, period=period),
        beyond_history=int(beyond.sum()),
        stages=_stage_basis(deals, snap, curves),
        drivers=drivers,
    )


def _drivers(
    deals: Sequence[OpenDeal],
    values: FloatArray,
    p_win: FloatArray,
    sources: Sequence[Literal["history", "model"]],
    p_close: FloatArray,
    beyond: npt.NDArray[np.bool_],
    *,
    as_of: datetime,
    thresholds: Thresholds,
    top: int,
) -> list[ForecastDeal]:
    """The ``top`` deals by variance of their bookings (then expected value, then id)."""
    probability = p_win * p_close
    expected = values * probability
    variance = values**2 * probability * (1 - probability)
    total = float(variance.sum())
    ids = np.array([d.deal_id for d in deals], dtype=np.int64)
    ranked = np.lexsort((ids, -expected, -variance))[:top]
    return [
        ForecastDeal(
            deal_id=deals[i].deal_id,
            title=deals[i].title,
            owner=deals[i].owner,
            stage=deals[i].stage,
            value=deals[i].value,
            days_in_stage=days_between(deals[i].entered_at, as_of),
            from_creation=deals[i].from_creation,
            p_win=float(p_win[i]),
            p_win_source=sources[i],
            p_close=float(p_close[i]),
            probability=float(probability[i]),
            expected=float(expected[i]),
            variance=float(variance[i]),
            variance_share=float(variance[i]) / total if total > 0 else 0.0,
            category=thresholds.category(float(probability[i])),
            beyond_history=bool(beyond[i]),
        )
        for i in (int(j) for j in ranked)
    ]


def _categories(
    values: FloatArray, probability: FloatArray, thresholds: Thresholds
) -> list[Category]:
    commit = probability >= thresholds.commit
    best_case = ~commit & (probability >= thresholds.best_case)
    masks: dict[CategoryName, tuple[str, npt.NDArray[np.bool_]]] = {
        "commit": (f"p >= {thresholds.commit:g}", commit),
        "best_case": (f"{thresholds.best_case:g} <= p < {thresholds.commit:g}", best_case),
        "pipeline": (f"p < {thresholds.best_case:g}", ~commit & ~best_case),
    }
    return [
        Category(
            name=name,
            rule=rule,
            deals=int(mask.sum()),
            value=float(values[mask].sum()),
            expected=float(values[mask] @ probability[mask]),
        )
        for name, (rule, mask) in masks.items()
    ]
