"""The buyer's share-link view: their route, decisions and plan, and nothing seller-internal."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from dealgraph.core.buyer_view import BuyerView, buyer_view
from dealgraph.core.enums import (
    Channel,
    DealStatus,
    DecisionStatus,
    Influence,
    Outcome,
    PlanSide,
    ProblemKind,
    ResponseMode,
    Role,
)
from dealgraph.core.gps import progress
from dealgraph.core.model import (
    Account,
    CloseDateChange,
    Deal,
    DealRecord,
    Decision,
    Evidence,
    Interaction,
    PlanItem,
    ProblemItem,
    StageChange,
    Stakeholder,
)
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Playbook

T0 = datetime(2026, 2, 2, 9, 0)

# Values only the seller may see; none may appear anywhere in the buyer's view.
SECRET_VALUES = [
    "Quentin Quotabuster",  # the deal owner (seller)
    "Selma Seller-Side",  # the seller on an interaction
    "987654.32",  # deal value
    "987654",
    "wary of our pricing, keep away from the CFO",  # stakeholder note
    "pushed hard on discount, they sounded annoyed",  # interaction summary
    "heard it second hand at the golf club",  # evidence note
    "price too high vs incumbent",  # loss reason
    "enterprise-gold",  # segment
    "overconfident",  # response mode
    "Priya Patel",  # a stakeholder (the view names no people on the buying team)
]
FORBIDDEN_KEYS = {
    "stance",
    "influence",
    "response_mode",
    "notes",
    "note",
    "summary",
    "value",
    "currency",
    "loss_reason",
    "signals",
    "seller",
    "segment",
    "stakeholders",
    "interactions",
    "evidence",
    "confirmed_by",
    "participants",
}


@pytest.fixture(scope="module")
def book() -> Playbook:
    return get_playbook("buyer-journey")


def rich_record(book: Playbook, *, status: DealStatus = DealStatus.OPEN) -> DealRecord:
    """A deal with a bit of everything, in the second stage of the buyer journey."""
    first, second = book.stages[0], book.stages[1]
    deal = Deal(
        id=7,
        title="Warehouse slotting programme",
        account_id=3,
        owner="Quentin Quotabuster",
        value=987654.32,
        currency="EUR",
        created_at=T0,
        expected_close=date(2026, 9, 30),
        stage=second.key,
        stage_entered_at=T0,
        status=status,
        loss_reason="price too high vs incumbent" if status == DealStatus.LOST else "",
        segment="enterprise-gold",
    )
    people = [
        Stakeholder(id=1, deal_id=7, name="Priya Patel", title="COO", role=Role.ECONOMIC_BUYER,
                    level=5, stance=-2, influence=Influence.HIGH,
                    response_mode=ResponseMode.OVERCONFIDENT,
                    notes="wary of our pricing, keep away from the CFO"),
        Stakeholder(id=2, deal_id=7, name="Tom Becker", title="Ops lead", role=Role.CHAMPION,
                    level=3, stance=2, reports_to=1),
    ]  # fmt: skip
    decisions = [
        Decision(id=10, deal_id=7, title="Acknowledge the cost of manual slotting",
                 status=DecisionStatus.DECIDED, decided_at=datetime(2026, 2, 20), owners=[1]),
        Decision(id=11, deal_id=7, title="Name a sponsor", requires=[10],
                 status=DecisionStatus.DECIDED, decided_at=datetime(2026, 2, 10)),
        Decision(id=12, deal_id=7, title="Agree the problem statement", requires=[11],
                 status=DecisionStatus.IN_PROGRESS, due=date(2026, 4, 1)),
        Decision(id=13, deal_id=7, title="Quantify the impact", requires=[12]),
        Decision(id=14, deal_id=7, title="Check in-house options", requires=[10],
                 due=date(2026, 3, 15)),
        Decision(id=15, deal_id=7, title="Old idea", status=DecisionStatus.DROPPED),
        Decision(id=16, deal_id=7, title="Pilot scope", requires=[15]),
    ]  # fmt: skip
    interactions = [
        Interaction(id=20, deal_id=7, occurred_at=T0, channel=Channel.FIELD,
                    outcome=Outcome.ADVANCED, participants=[1, 2], evidence=list(first.exit),
                    summary="pushed hard on discount, they sounded annoyed",
                    seller="Selma Seller-Side", play="challenge_status_quo"),
    ]  # fmt: skip
    evidence = [
        Evidence(id=30, deal_id=7, criterion=second.exit[0], recorded_at=T0,
                 note="heard it second hand at the golf club"),
    ]  # fmt: skip
    plan = [
        PlanItem(id=40, deal_id=7, title="Share slotting data", side=PlanSide.BUYER,
                 owner="Tom Becker", due=date(2026, 3, 1), done=True, done_at=T0),
        PlanItem(id=41, deal_id=7, title="Joint workshop", side=PlanSide.JOINT,
                 owner="both teams", due=date(2026, 3, 20), depends_on=[40]),
        PlanItem(id=42, deal_id=7, title="Steering review", side=PlanSide.SELLER,
                 owner="Account team", depends_on=[41, 40], decision_id=12),
    ]  # fmt: skip
    problems = [
        ProblemItem(id=50, deal_id=7, kind=ProblemKind.PRESSURE,
                    statement="pickers walk too far each shift", confirmed_by=1,
                    confirmed_at=T0, decisions=[12]),
        ProblemItem(id=51, deal_id=7, kind=ProblemKind.GOAL,
                    statement="same-day dispatch for every order before 3 pm"),
    ]  # fmt: skip
    return DealRecord(
        deal=deal,
        account=Account(id=3, name="Harbour Logistics", industry="3PL", region="north-east"),
        stakeholders=people,
        decisions=decisions,
        interactions=interactions,
        evidence=evidence,
        plan=plan,
        stage_changes=[StageChange(id=60, deal_id=7, to_stage=second.key, changed_at=T0)],
        close_date_changes=[
            CloseDateChange(id=70, deal_id=7, changed_at=T0, to_date=date(2026, 9, 30))
        ],
        problems=problems,
    )


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


@pytest.mark.parametrize("status", [DealStatus.OPEN, DealStatus.LOST, DealStatus.WON])
def test_no_seller_internal_field_or_value_reaches_the_buyer(
    book: Playbook, status: DealStatus
) -> None:
    view = buyer_view(rich_record(book, status=status), book)
    text = view.model_dump_json()
    leaked = [value for value in SECRET_VALUES if value in text]
    assert not leaked, leaked
    assert not _keys(json.loads(text)) & FORBIDDEN_KEYS
    # The stance values -2 / 2 and influence have no field to ride on either.
    assert "high" not in text


def test_view_shows_the_buyers_route_and_where_they_are(book: Playbook) -> None:
    record = rich_record(book)
    view = buyer_view(record, book)
    second = book.stages[1]
    assert view.deal_title == "Warehouse slotting programme"
    assert view.account_name == "Harbour Logistics"
    assert (view.stage, view.stage_title) == (second.key, second.title)
    assert view.progress == progress(record, book, second.key) > 1 / len(book.stages)
    assert [step.key for step in view.route] == book.route(second.key)
    assert view.route[0].title == second.title
    assert view.route[-1].key == book.won_stages[0]


def test_decided_in_time_order_and_next_only_when_requirements_are_settled(
    book: Playbook,
) -> None:
    view = buyer_view(rich_record(book), book)
    assert [(d.title, d.decided_at) for d in view.decided] == [
        ("Name a sponsor", datetime(2026, 2, 10)),
        ("Acknowledge the cost of manual slotting", datetime(2026, 2, 20)),
    ]
    # 13 waits for 12 (in progress); 16's requirement was dropped, so it is free; by due date.
    assert [(d.title, d.due) for d in view.next_decisions] == [
        ("Check in-house options", date(2026, 3, 15)),
        ("Agree the problem statement", date(2026, 4, 1)),
        ("Pilot scope", None),
    ]


def test_plan_by_due_date_with_dependencies_by_title(book: Playbook) -> None:
    view = buyer_view(rich_record(book), book)
    assert [item.model_dump(mode="json") for item in view.plan] == [
        {"title": "Share slotting data", "side": "buyer", "owner": "Tom Becker",
         "due": "2026-03-01", "done": True, "depends_on": []},
        {"title": "Joint workshop", "side": "joint", "owner": "both teams",
         "due": "2026-03-20", "done": False, "depends_on": ["Share slotting data"]},
        {"title": "Steering review", "side": "seller", "owner": "Account team",
         "due": None, "done": False, "depends_on": ["Joint workshop", "Share slotting data"]},
    ]  # fmt: skip


def test_problem_map_in_the_buyers_words_goals_first(book: Playbook) -> None:
    view = buyer_view(rich_record(book), book)
    assert [(p.kind, p.statement) for p in view.problems] == [
        (ProblemKind.GOAL, "same-day dispatch for every order before 3 pm"),
        (ProblemKind.PRESSURE, "pickers walk too far each shift"),
    ]


def test_closed_deal_has_no_route_ahead_and_won_is_complete(book: Playbook) -> None:
    lost = buyer_view(rich_record(book, status=DealStatus.LOST), book)
    won = buyer_view(rich_record(book, status=DealStatus.WON), book)
    assert lost.route == [] and won.route == []
    assert won.progress == 1.0 and lost.progress < 1.0


def test_bare_deal_without_account_or_history(book: Playbook) -> None:
    record = DealRecord(deal=Deal(title="Just opened", owner="someone", created_at=T0, stage=None))
    view = buyer_view(record, book)
    assert view.account_name == ""
    assert view.stage == book.start_stage and view.progress == 0.0
    assert view.decided == view.next_decisions == view.plan == view.problems == []
    assert BuyerView.model_validate_json(view.model_dump_json()) == view
