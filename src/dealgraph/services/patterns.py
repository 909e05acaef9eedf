"""Pattern reports over the workspace that need more than its event log (signal lift)."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy.orm import Session

from dealgraph.analytics.eventlog import workspace_event_log
from dealgraph.analytics.lift import signals_fired
from dealgraph.services.cache import workspace_cached
from dealgraph.services.gps import workspace_history
from dealgraph.services.playbooks import show_playbook
from dealgraph.store.deals import load_deal_records


def workspace_signals_fired(session: Session, *, playbook_key: str) -> pa.Table:
    """(case, signal) for the signals that fired on each closed deal of a playbook before its close.

    History is learned from every deal on the playbook, as the GPS does; both are kept
    between requests until the workspace's data changes.
    """

    def build() -> pa.Table:
        playbook = show_playbook(playbook_key)
        records = [r for r in load_deal_records(session) if r.deal.playbook == playbook_key]
        history = workspace_history(session, playbook_key=playbook_key)
        return signals_fired(records, playbook, history)

    return workspace_cached(session, ("signals_fired", playbook_key), build)


def cached_event_log(session: Session) -> tuple[pa.Table, pa.Table]:
    """The workspace's event log and case table, kept until its data changes (Arrow: read-only)."""
    return workspace_cached(session, "event_log", lambda: workspace_event_log(session))
