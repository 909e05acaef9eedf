"""The deal context: the facts about one deal that playbook rules (CEL) are written against.

``deal_context`` returns exactly the variables of
:data:`dealgraph.core.playbook.context_fields.CONTEXT_FIELDS`, as CEL-friendly Python
values (int, float, str, list[str], list[int]). The GPS and the signals read the same
helpers, so a number a rule sees is the number a signal reports.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dealgraph.core.engagement import (
    chronological,
    days_between,
    engaged_stakeholders,
    is_reply,
)
from dealgraph.core.enums import OPEN_DECISION_STATUSES, DecisionStatus
from dealgraph.core.model import DealRecord, Decision
from dealgraph.core.playbook.schema import Playbook

RECENT_DAYS = 30
"""Width of the "recent" window (interactions_last_30d, cadence)."""


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as a naive UTC datetime, the form every record time is stored in."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def evidenced_criteria(record: DealRecord) -> set[str]:
    """Criteria keys met on the deal: evidence records and evidence named on interactions."""
    keys = {e.criterion for e in record.evidence}
    for interaction in record.interactions:
        keys.update(interaction.evidence)
    return keys


def current_stage(record: DealRecord, playbook: Playbook) -> str:
    """The deal's stage key.

    The services keep ``deal.stage`` at the GPS position whenever evidence is recorded,
    so the stored stage is trusted when the playbook knows it; otherwise the position is
    derived from the evidence (first stage whose exit criteria are not all evidenced).
    """
    stored = record.deal.stage
    if stored is not None and stored in playbook.journey_order:
        return stored
    return playbook.position(evidenced_criteria(record))


def stage_entered_at(record: DealRecord, stage: str) -> datetime:
    """When the deal entered ``stage``: latest stage change into it, else the stored time."""
    changes = [c for c in record.stage_changes if c.to_stage == stage]
    if changes:
        return max(c.changed_at for c in changes)
    if record.deal.stage == stage and record.deal.stage_entered_at is not None:
        return record.deal.stage_entered_at
    return record.deal.created_at


def whole_days(earlier: datetime, later: datetime) -> int:
    """Whole days from ``earlier`` to ``later``, never negative."""
    return max(0, int(days_between(earlier, later)))


def missing_criteria(record: DealRecord, playbook: Playbook, stage: str) -> list[str]:
    """Exit criteria of ``stage`` not yet evidenced, in the order the stage lists them."""
    evidenced = evidenced_criteria(record)
    return [c for c in playbook.stage(stage).exit if c not in evidenced]


def open_decisions(record: DealRecord) -> list[Decision]:
    """Decisions open, in progress or blocked, in id order."""
    found = [d for d in record.decisions if d.status in OPEN_DECISION_STATUSES]
    return sorted(found, key=lambda d: d.id or 0)


def close_date_slips(record: DealRecord) -> list[tuple[int, int]]:
    """Each move of the expected close date to a later date: (change id or -1, days later)."""
    slips: list[tuple[int, int]] = []
    for change in sorted(record.close_date_changes, key=lambda c: c.changed_at):
        if change.from_date is not None and change.to_date is not None:
            days = (change.to_date - change.from_date).days
            if days > 0:
                slips.append((change.id if change.id is not None else -1, days))
    return slips


def cadence(record: DealRecord, *, as_of: datetime) -> tuple[int, float, float]:
    """(interactions in the last 30 days, baseline per 30 days before that, baseline days).

    The baseline is the deal's own rate between its creation and the start of the recent
    window; ``baseline days`` is how long that period is (0 when the deal is younger).
    """
    window_start = as_of - timedelta(days=RECENT_DAYS)
    recent = sum(1 for i in record.interactions if window_start < i.occurred_at <= as_of)
    before = sum(1 for i in record.interactions if i.occurred_at <= window_start)
    baseline_days = max(0.0, days_between(record.deal.created_at, window_start))
    if baseline_days < 1.0:
        return recent, 0.0, baseline_days
    return recent, before / (baseline_days / RECENT_DAYS), baseline_days


def deal_context(record: DealRecord, playbook: Playbook, *, as_of: datetime) -> dict[str, object]:
    """The CEL deal context of one deal at ``as_of`` (keys: exactly CONTEXT_FIELDS).

    Example:
        >>> ctx = deal_context(record, playbook, as_of=datetime(2025, 3, 1))  # doctest: +SKIP
        >>> ctx["stage"], ctx["engaged_count"]  # doctest: +SKIP
        ('define_problem', 3)
    """
    as_of = naive_utc(as_of)
    deal = record.deal
    stage = current_stage(record, playbook)
    engaged = engaged_stakeholders(record)
    interactions = chronological(record.interactions)
    age = whole_days(deal.created_at, as_of)
    replies = [i for i in interactions if is_reply(i)]
    recent, baseline, _ = cadence(record, as_of=as_of)
    open_ones = open_decisions(record)
    today = as_of.date()
    return {
        "stage": stage,
        "stage_index": playbook.stage_index(stage),
        "stage_count": len(playbook.stages),
        "days_in_stage": whole_days(stage_entered_at(record, stage), as_of),
        "deal_age_days": age,
        "days_to_close": (deal.expected_close - today).days if deal.expected_close else 0,
        "value": float(deal.value),
        "status": deal.status.value,
        "stakeholder_count": len(record.stakeholders),
        "engaged_count": len(engaged),
        "roles": sorted({s.role.value for s in record.stakeholders}),
        "engaged_roles": sorted({s.role.value for s in engaged}),
        "engaged_levels": sorted(s.level for s in engaged),
        "max_engaged_level": max((s.level for s in engaged), default=0),
        "supporters": sum(1 for s in record.stakeholders if s.stance > 0),
        "neutrals": sum(1 for s in record.stakeholders if s.stance == 0),
        "opponents": sum(1 for s in record.stakeholders if s.stance < 0),
        "interactions_total": len(interactions),
        "interactions_last_30d": recent,
        "days_since_last_interaction": (
            whole_days(interactions[-1].occurred_at, as_of) if interactions else age
        ),
        "days_since_last_inbound": whole_days(replies[-1].occurred_at, as_of) if replies else age,
        "cadence_baseline": round(baseline, 4),
        "evidence": sorted(evidenced_criteria(record)),
        "missing_criteria": missing_criteria(record, playbook, stage),
        "open_decisions": len(open_ones),
        "blocked_decisions": sum(1 for d in record.decisions if d.status == DecisionStatus.BLOCKED),
        "decided_decisions": sum(1 for d in record.decisions if d.status == DecisionStatus.DECIDED),
        "open_decision_keys": sorted({d.key for d in open_ones if d.key}),
        "max_open_decision_level": max((d.level for d in open_ones), default=0),
        "close_date_slips": len(close_date_slips(record)),
        "problems_total": len(record.problems),
        "problems_confirmed": sum(1 for p in record.problems if p.confirmed_by is not None),
        "plan_items_open": sum(1 for p in record.plan if not p.done),
        "plan_items_overdue": sum(
            1 for p in record.plan if not p.done and p.due is not None and p.due < today
        ),
    }
