"""The pipeline: the deals a user may see, each with its stage, age, ETA and top signal.

One read of every deal record per call: the workspace history is learned once per playbook
and reused for every deal's GPS, which runs with fewer Monte Carlo trials than a single
deal's GPS page (the pipeline shows dates, not a distribution).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.core.gps import gps
from dealgraph.core.history import History
from dealgraph.core.model import Deal, DealRecord
from dealgraph.core.playbook import Playbook, get_playbook
from dealgraph.core.signals_base import Signal
from dealgraph.core.users import User
from dealgraph.services.access import visible_deals
from dealgraph.services.common import now
from dealgraph.services.gps import workspace_history
from dealgraph.settings import Settings
from dealgraph.store.deals import load_deal_records

PIPELINE_TRIALS = 500


class PipelineRow(BaseModel):
    """One deal in the pipeline, with what a seller or manager scans for."""

    model_config = ConfigDict(frozen=True)

    deal: Deal
    account_name: str
    stage_title: str
    age_days: int
    eta_p50: date | None
    eta_p90: date | None
    top_signal: Signal | None
    signals: list[str]
    value: float


def pipeline(
    session: Session,
    *,
    user: User,
    status: DealStatus | str | None = None,
    owner: str | None = None,
    stage: str | None = None,
    signal: str | None = None,
    as_of: datetime | None = None,
    trials: int = PIPELINE_TRIALS,
    settings: Settings | None = None,
) -> list[PipelineRow]:
    """The user's visible deals matching every filter, by id.

    ``signal`` keeps only deals on which a signal with that key fires. Open deals get an
    ETA and signals; closed deals get neither.

    Example:
        >>> rows = pipeline(session, user=seller, status="open", signal="stalled")  # doctest: +SKIP
        >>> rows[0].top_signal.key  # doctest: +SKIP
        'stalled'
    """
    at = as_of or now()
    min_history = (settings or Settings()).history_min_deals
    wanted = {
        d.id for d in visible_deals(session, user=user, status=status, owner=owner, stage=stage)
    }
    if not wanted:
        return []
    records = [
        r for r in load_deal_records(session, status=status, owner=owner) if r.deal.id in wanted
    ]
    histories = {
        key: (get_playbook(key), workspace_history(session, playbook_key=key))
        for key in sorted({r.deal.playbook for r in records})
    }
    rows = []
    for record in records:
        row = _row(record, histories[record.deal.playbook], at, min_history, trials)
        if signal is None or signal in row.signals:
            rows.append(row)
    return rows


def _row(
    record: DealRecord,
    playbook_history: tuple[Playbook, History],
    at: datetime,
    min_history: int,
    trials: int,
) -> PipelineRow:
    playbook, history = playbook_history
    deal = record.deal
    account_name = record.account.name if record.account else ""
    age_days = max(0, ((deal.closed_at or at) - deal.created_at).days)
    if deal.status != DealStatus.OPEN:
        title = playbook.stage(deal.stage).title if deal.stage else ""
        return PipelineRow(
            deal=deal,
            account_name=account_name,
            stage_title=title,
            age_days=age_days,
            eta_p50=None,
            eta_p90=None,
            top_signal=None,
            signals=[],
            value=deal.value,
        )
    report = gps(record, playbook, history, as_of=at, min_history=min_history, trials=trials)
    return PipelineRow(
        deal=deal,
        account_name=account_name,
        stage_title=report.stage_title,
        age_days=age_days,
        eta_p50=report.eta.p50 if report.eta else None,
        eta_p90=report.eta.p90 if report.eta else None,
        top_signal=report.signals[0] if report.signals else None,
        signals=[s.key for s in report.signals],
        value=deal.value,
    )
