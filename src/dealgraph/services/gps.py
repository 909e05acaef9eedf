"""Use cases that read a deal's GPS and signals, with history learned from the workspace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dealgraph.core.gps import GpsReport, gps
from dealgraph.core.history import History, build_history
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook import get_playbook
from dealgraph.core.signals import Signal, evaluate_signals
from dealgraph.services.cache import workspace_cached
from dealgraph.services.common import now
from dealgraph.settings import Settings
from dealgraph.store.deals import load_deal_record, load_deal_records


def workspace_history(session: Session, *, playbook_key: str) -> History:
    """What the workspace's deals on one playbook teach: stage durations, play effectiveness.

    Kept between requests until the workspace's data changes (``services.cache``).
    """

    def build() -> History:
        playbook = get_playbook(playbook_key)
        records = [r for r in load_deal_records(session) if r.deal.playbook == playbook_key]
        return build_history(records, playbook)

    return workspace_cached(session, ("history", playbook_key), build)


def deal_gps(
    session: Session,
    *,
    deal_id: int,
    seed: int = 0,
    as_of: datetime | None = None,
    history: History | None = None,
    settings: Settings | None = None,
    record: DealRecord | None = None,
) -> GpsReport:
    """The GPS of one deal; pass ``history`` or the ``record`` when already loaded."""
    settings = settings or Settings()
    if record is None:
        record = load_deal_record(session, deal_id=deal_id)
    playbook = get_playbook(record.deal.playbook)
    if history is None:
        history = workspace_history(session, playbook_key=record.deal.playbook)
    return gps(
        record,
        playbook,
        history,
        seed=seed,
        as_of=as_of or now(),
        min_history=settings.history_min_deals,
        trials=settings.eta_trials,
    )


def deal_signals(
    session: Session,
    *,
    deal_id: int,
    as_of: datetime | None = None,
    history: History | None = None,
    settings: Settings | None = None,
) -> list[Signal]:
    """The signals firing on one deal, with their evidence."""
    record = load_deal_record(session, deal_id=deal_id)
    playbook = get_playbook(record.deal.playbook)
    if history is None:
        history = workspace_history(session, playbook_key=record.deal.playbook)
    min_history = (settings or Settings()).history_min_deals
    return evaluate_signals(
        record, playbook, history, as_of=as_of or now(), min_history=min_history
    )
