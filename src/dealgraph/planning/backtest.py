"""Backtest: forecast past periods as of their first day and compare with what was booked.

For each period the pipeline is rebuilt as it stood at the period's start and the
forecast is fitted only on what was known then (``planning.asof``: deals created
before the start, closes and stage changes before it). Nothing learned later reaches
the forecast; the test suite checks it by cutting the records off at the start.

Two actuals are reported: ``actual`` is every booking of the period (won deals whose
close falls in it), ``actual_from_pipeline`` only those of deals already open at the
start. The forecast covers the open pipeline alone, so its band is judged against the
second; the first shows how much business was created and won inside the period. The
point forecast scored by the mean absolute percentage error is the P50.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.asof import snapshot
from dealgraph.planning.forecast import choose_currency, forecast_pipeline
from dealgraph.planning.period import Period


class BacktestPeriod(BaseModel):
    """One past period: the forecast made at its start against what was booked in it."""

    model_config = ConfigDict(extra="forbid")

    period: Period
    open_deals: int = Field(description="deals open at the start, in the currency")
    history_deals: int = Field(description="deals closed before the start (what was learned)")
    expected: float
    p10: float
    p50: float
    p90: float
    actual: float = Field(description="bookings of every deal won in the period")
    actual_from_pipeline: float = Field(description="bookings of deals open at the start")
    inside_band: bool = Field(description="P10 <= actual_from_pipeline <= P90")
    error: float | None = Field(
        description="|P50 - actual_from_pipeline| / actual_from_pipeline (None if nothing booked)"
    )


class Backtest(BaseModel):
    """Forecasts of past periods scored against their actual bookings."""

    model_config = ConfigDict(extra="forbid")

    currency: str
    trials: int
    seed: int
    min_history: int
    periods: list[BacktestPeriod]
    skipped: list[str] = Field(description="periods with too little history before them")
    inside_band_share: float | None = Field(description="share of periods inside P10–P90")
    mean_absolute_error: float | None = Field(
        description="mean of the periods' errors (a share: 0.12 is 12 %)"
    )


def _booked(records: Sequence[DealRecord], period: Period, currency: str) -> tuple[float, float]:
    """(all bookings, bookings of deals open at the start) of won deals closed in ``period``."""
    total = from_pipeline = 0.0
    for record in records:
        deal = record.deal
        if deal.status != DealStatus.WON or deal.closed_at is None or deal.currency != currency:
            continue
        if period.contains(deal.closed_at):
            total += deal.value
            if deal.created_at < period.start_at:
                from_pipeline += deal.value
    return total, from_pipeline


def backtest(
    records: Sequence[DealRecord],
    playbooks: dict[str, Playbook],
    periods: Sequence[Period],
    *,
    currency: str | None = None,
    trials: int = 10_000,
    seed: int = 7,
    min_history: int = 30,
) -> Backtest:
    """Forecast each period as of its start and compare with its bookings.

    A period is skipped (and named) when fewer than ``min_history`` deals, or no won
    deal, closed before its start.

    Example:
        >>> result = backtest(records, playbooks, quarters_before(now, 4))  # doctest: +SKIP
        >>> result.inside_band_share, result.mean_absolute_error  # doctest: +SKIP
    """
    if not periods:
        raise InvalidInput("give at least one period to backtest", where="periods")
    latest = max(p.end_at for p in periods)
    chosen = choose_currency(snapshot(records, playbooks, as_of=latest), currency)
    rows: list[BacktestPeriod] = []
    skipped: list[str] = []
    for period in sorted(periods, key=lambda p: p.start):
        known = snapshot(records, playbooks, as_of=period.start_at)
        wins = sum(1 for d in known.closed_deals if d.status == DealStatus.WON)
        if len(known.closed_deals) < min_history or wins == 0:
            skipped.append(period.label)
            continue
        forecast = forecast_pipeline(
            records,
            playbooks,
            period,
            as_of=period.start_at,
            currency=chosen,
            trials=trials,
            seed=seed,
            min_history=min_history,
            top=0,
        )
        actual, from_pipeline = _booked(records, period, chosen)
        band = forecast.distribution
        rows.append(
            BacktestPeriod(
                period=period,
                open_deals=forecast.open_deals,
                history_deals=len(known.closed_deals),
                expected=band.expected,
                p10=band.p10,
                p50=band.p50,
                p90=band.p90,
                actual=actual,
                actual_from_pipeline=from_pipeline,
                inside_band=band.p10 <= from_pipeline <= band.p90,
                error=abs(band.p50 - from_pipeline) / from_pipeline if from_pipeline > 0 else None,
            )
        )
    errors = [r.error for r in rows if r.error is not None]
    return Backtest(
        currency=chosen,
        trials=trials,
        seed=seed,
        min_history=min_history,
        periods=rows,
        skipped=skipped,
        inside_band_share=sum(r.inside_band for r in rows) / len(rows) if rows else None,
        mean_absolute_error=sum(errors) / len(errors) if errors else None,
    )
