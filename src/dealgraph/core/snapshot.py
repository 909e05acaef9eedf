"""A deal as it stood at an earlier time: what the seller could see that day, nothing later.

Pattern reports and models that learn from closed deals must not peek at the outcome: a
won deal has decided everything by its close, so judging it as of its close date says
more about the result than about the deal. ``record_as_of`` rebuilds the record from its
time-stamped history, keeping only what had happened by then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dealgraph.core.enums import DealStatus, DecisionStatus
from dealgraph.core.model import DealRecord


def record_as_of(record: DealRecord, at: datetime) -> DealRecord:
    """The deal as it was at ``at``: open, and only what had happened by then.

    Interactions, evidence, stage and close-date changes after ``at`` are dropped;
    stakeholders added later leave the team; decisions decided later are open again,
    plan items done later are not done and problems confirmed later are unconfirmed.
    The stage is the one its last stage change before ``at`` led to (the first
    change's starting stage if none had happened yet) and the expected close the one
    in force then. Records without a time (a stakeholder with no ``added_at``) are kept.

    Example:
        >>> record_as_of(record, record.deal.closed_at - timedelta(days=30))  # doctest: +SKIP
    """
    deal = record.deal
    changes = sorted(record.stage_changes, key=lambda c: (c.changed_at, c.id or 0))
    before = [c for c in changes if c.changed_at <= at]
    stage, entered = deal.stage, deal.stage_entered_at
    if before:
        stage, entered = before[-1].to_stage, before[-1].changed_at
    elif changes:
        stage, entered = changes[0].from_stage, deal.created_at
    close_changes = sorted(record.close_date_changes, key=lambda c: (c.changed_at, c.id or 0))
    expected_close = deal.expected_close
    later_close = [c for c in close_changes if c.changed_at > at]
    if later_close:
        expected_close = later_close[0].from_date
    still_open = deal.closed_at is None or deal.closed_at > at
    deal_then = deal.model_copy(
        update={
            "stage": stage,
            "stage_entered_at": entered,
            "expected_close": expected_close,
            **(
                {"status": DealStatus.OPEN, "closed_at": None, "loss_reason": ""}
                if still_open
                else {}
            ),
        }
    )
    decisions = [
        d
        if d.decided_at is None or d.decided_at <= at
        else d.model_copy(update={"status": DecisionStatus.OPEN, "decided_at": None})
        for d in record.decisions
    ]
    plan = [
        p
        if p.done_at is None or p.done_at <= at
        else p.model_copy(update={"done": False, "done_at": None})
        for p in record.plan
    ]
    problems = [
        p
        if p.confirmed_at is None or p.confirmed_at <= at
        else p.model_copy(update={"confirmed_at": None, "confirmed_by": None})
        for p in record.problems
    ]
    return record.model_copy(
        update={
            "deal": deal_then,
            "stakeholders": [
                s for s in record.stakeholders if s.added_at is None or s.added_at <= at
            ],
            "decisions": decisions,
            "interactions": [i for i in record.interactions if i.occurred_at <= at],
            "evidence": [e for e in record.evidence if e.recorded_at <= at],
            "plan": plan,
            "stage_changes": before,
            "close_date_changes": [c for c in close_changes if c.changed_at <= at],
            "problems": problems,
        }
    )


def judging_time(record: DealRecord, *, lead: timedelta = timedelta(days=30)) -> datetime | None:
    """When to judge a closed deal: ``lead`` before its close, or halfway through a short life.

    None for a deal that is not closed.
    """
    deal = record.deal
    if deal.closed_at is None or deal.status == DealStatus.OPEN:
        return None
    life = deal.closed_at - deal.created_at
    return deal.closed_at - min(lead, life / 2)
