"""Use cases that read a deal's GPS and signals, with history learned from the workspace."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy.orm import Session

from dealgraph.core.gps import GpsReport, gps
from dealgraph.core.history import History, build_history
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook import get_playbook
from dealgraph.core.signals import Signal, evaluate_signals
from dealgraph.services.common import now
from dealgraph.settings import Settings
from dealgraph.store.deals import history_fingerprint, load_deal_record, load_deal_records

# History is learned from every deal of the workspace; pages ask for it on every request.
# It is kept per database and playbook, and rebuilt as soon as the data behind it changes.
_HISTORY_CACHE: dict[tuple[str, str], tuple[tuple[int, ...], History]] = {}
_HISTORY_LOCK = threading.Lock()


def workspace_history(session: Session, *, playbook_key: str) -> History:
    """What the workspace's deals on one playbook teach: stage durations, play effectiveness."""
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), playbook_key)
    fingerprint = history_fingerprint(session)
    with _HISTORY_LOCK:
        cached = _HISTORY_CACHE.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    playbook = get_playbook(playbook_key)
    records = [r for r in load_deal_records(session) if r.deal.playbook == playbook_key]
    history = build_history(records, playbook)
    with _HISTORY_LOCK:
        _HISTORY_CACHE[key] = (fingerprint, history)
    return history


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
