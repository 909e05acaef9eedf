"""A deal as it stood at an earlier time: nothing after that time shows."""

from __future__ import annotations

from datetime import date, timedelta

from dealgraph.core.enums import DealStatus, DecisionStatus
from dealgraph.core.model import CloseDateChange, DealRecord, Evidence, StageChange
from dealgraph.core.snapshot import judging_time, record_as_of
from tests.factories import (
    at,
    make_deal,
    make_decision,
    make_interaction,
    make_plan_item,
    make_problem,
    make_stakeholder,
)


def won_deal() -> DealRecord:
    """Won on day 100, with things happening on days 10, 40 and 80."""
    deal = make_deal(
        id=1,
        created_at=at(0),
        status=DealStatus.WON,
        closed_at=at(100),
        stage="won",
        stage_entered_at=at(100),
        expected_close=date(2026, 5, 1),
    )
    return DealRecord(
        deal=deal,
        stakeholders=[
            make_stakeholder(id=1, deal_id=1, added_at=at(10)),
            make_stakeholder(id=2, deal_id=1, added_at=at(80), role="economic_buyer"),
            make_stakeholder(id=3, deal_id=1, added_at=None),
        ],
        decisions=[
            make_decision(id=1, deal_id=1, status=DecisionStatus.DECIDED, decided_at=at(40)),
            make_decision(id=2, deal_id=1, status=DecisionStatus.DECIDED, decided_at=at(80)),
        ],
        interactions=[
            make_interaction(id=1, deal_id=1, occurred_at=at(10)),
            make_interaction(id=2, deal_id=1, occurred_at=at(80)),
        ],
        evidence=[
            Evidence(id=1, deal_id=1, criterion="pain_named", recorded_at=at(10)),
            Evidence(id=2, deal_id=1, criterion="budget_known", recorded_at=at(80)),
        ],
        plan=[
            make_plan_item(id=1, deal_id=1, done=True, done_at=at(40)),
            make_plan_item(id=2, deal_id=1, done=True, done_at=at(80)),
        ],
        stage_changes=[
            StageChange(
                id=1,
                deal_id=1,
                from_stage="recognise",
                to_stage="define_problem",
                changed_at=at(10),
            ),
            StageChange(
                id=2, deal_id=1, from_stage="define_problem", to_stage="won", changed_at=at(100)
            ),
        ],
        close_date_changes=[
            CloseDateChange(
                id=1,
                deal_id=1,
                changed_at=at(40),
                from_date=date(2026, 3, 1),
                to_date=date(2026, 4, 1),
            ),
            CloseDateChange(
                id=2,
                deal_id=1,
                changed_at=at(80),
                from_date=date(2026, 4, 1),
                to_date=date(2026, 5, 1),
            ),
        ],
        problems=[
            make_problem(id=1, deal_id=1, confirmed_by=1, confirmed_at=at(10)),
            make_problem(id=2, deal_id=1, confirmed_by=1, confirmed_at=at(80)),
        ],
    )


def test_record_as_of_keeps_only_what_had_happened() -> None:
    then = record_as_of(won_deal(), at(50))
    assert then.deal.status == DealStatus.OPEN and then.deal.closed_at is None
    assert (then.deal.stage, then.deal.stage_entered_at) == ("define_problem", at(10))
    assert then.deal.expected_close == date(2026, 4, 1)
    assert [s.id for s in then.stakeholders] == [1, 3]
    assert [(d.id, d.status, d.decided_at) for d in then.decisions] == [
        (1, DecisionStatus.DECIDED, at(40)),
        (2, DecisionStatus.OPEN, None),
    ]
    assert [i.id for i in then.interactions] == [1]
    assert [e.id for e in then.evidence] == [1]
    assert [(p.id, p.done) for p in then.plan] == [(1, True), (2, False)]
    assert [c.id for c in then.stage_changes] == [1]
    assert [c.id for c in then.close_date_changes] == [1]
    assert [(p.id, p.confirmed_at is not None) for p in then.problems] == [(1, True), (2, False)]


def test_record_as_of_before_any_change_and_after_the_close() -> None:
    record = won_deal()
    start = record_as_of(record, at(5))
    assert (start.deal.stage, start.deal.stage_entered_at) == ("recognise", at(0))
    assert start.deal.expected_close == date(2026, 3, 1)
    assert start.interactions == [] and [s.id for s in start.stakeholders] == [3]
    assert record_as_of(record, at(100)) == record  # nothing happened after the close


def test_judging_time_is_thirty_days_before_close_or_halfway() -> None:
    record = won_deal()
    assert judging_time(record) == at(70)
    assert judging_time(record, lead=timedelta(days=90)) == at(50)  # halfway through 100 days
    assert judging_time(DealRecord(deal=make_deal(created_at=at(0)))) is None
