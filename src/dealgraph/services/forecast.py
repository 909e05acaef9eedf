"""Use cases of the Monte Carlo forecast: a period's bookings, and backtests of past quarters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dealgraph.core.model import DealRecord, StageChange
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.backtest import Backtest, backtest
from dealgraph.planning.forecast import Forecast, Thresholds, forecast_pipeline
from dealgraph.planning.period import Period, quarters_before
from dealgraph.services.common import now, playbook_named
from dealgraph.settings import Settings
from dealgraph.store import records
from dealgraph.store.entities import DEAL, STAGE_CHANGE

MAX_BACKTEST_PERIODS = 40


def _workspace(
    session: Session, owners: set[str] | None = None
) -> tuple[list[DealRecord], dict[str, Playbook]]:
    """Every deal with its stage changes (all the forecast reads), and the playbooks they run.

    ``owners`` keeps only their deals (None: every deal).
    """
    changes: dict[int, list[StageChange]] = defaultdict(list)
    for change in records.select(session, STAGE_CHANGE):
        if change.deal_id is not None:
            changes[change.deal_id].append(change)
    # Every list given (not left to its default factory): pydantic inspects a factory on each call.
    lists = [name for name, info in DealRecord.model_fields.items() if info.default_factory is list]
    deals = []
    for deal in records.select(session, DEAL):
        if owners is not None and deal.owner not in owners:
            continue
        fields: dict[str, Any] = {name: [] for name in lists}
        fields |= {"deal": deal, "stage_changes": changes.get(deal.id or -1, [])}
        deals.append(DealRecord.model_construct(**fields))
    keys = sorted({r.deal.playbook for r in deals})
    return deals, {key: playbook_named(key) for key in keys}


def forecast_period(
    session: Session,
    *,
    period: Period,
    quota: float | None = None,
    trials: int = 10_000,
    seed: int = 7,
    as_of: datetime | None = None,
    currency: str | None = None,
    p_win: Mapping[int, float] | None = None,
    thresholds: Thresholds | None = None,
    top: int = 10,
    settings: Settings | None = None,
    owners: set[str] | None = None,
) -> Forecast:
    """Forecast ``period``'s bookings in one currency from the workspace's open pipeline.

    ``p_win`` maps deal ids to a win probability (a trained model's); deals it does not
    name use the historical win rate of deals that reached their stage. Stages with
    fewer than ``history_min_deals`` deals of history borrow their neighbours'.
    ``owners`` keeps only their deals (None: every deal), for the pipeline and the
    history it is learned from alike.
    """
    deals, playbooks = _workspace(session, owners)
    return forecast_pipeline(
        deals,
        playbooks,
        period,
        as_of=as_of or now(),
        currency=currency,
        quota=quota,
        p_win=p_win,
        trials=trials,
        seed=seed,
        min_history=(settings or Settings()).history_min_deals,
        thresholds=thresholds,
        top=top,
    )


def backtest_quarters(
    session: Session,
    *,
    periods: int = 4,
    trials: int = 10_000,
    seed: int = 7,
    as_of: datetime | None = None,
    currency: str | None = None,
    settings: Settings | None = None,
    owners: set[str] | None = None,
) -> Backtest:
    """Forecast each of the last ``periods`` whole quarters as of its start; score the actuals.

    ``owners`` keeps only their deals (None: every deal).
    """
    if not 1 <= periods <= MAX_BACKTEST_PERIODS:
        raise InvalidInput(
            f"periods must be 1 to {MAX_BACKTEST_PERIODS}, got {periods}", where="periods"
        )
    deals, playbooks = _workspace(session, owners)
    if not deals:
        raise InvalidInput("the workspace has no deals to backtest", where="periods")
    return backtest(
        deals,
        playbooks,
        quarters_before(as_of or now(), periods),
        currency=currency,
        trials=trials,
        seed=seed,
        min_history=(settings or Settings()).history_min_deals,
    )
