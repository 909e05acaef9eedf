"""Factory functions for valid core records, and a small rich workspace built through services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from dealgraph.core.enums import (
    Channel,
    DealStatus,
    DecisionStatus,
    Influence,
    Outcome,
    PlanSide,
    ProblemKind,
    Role,
)
from dealgraph.core.model import (
    Account,
    Deal,
    Decision,
    Interaction,
    Offering,
    PlanItem,
    ProblemItem,
    Stakeholder,
)
from dealgraph.core.playbook.loader import get_playbook
from dealgraph.core.playbook.schema import Playbook

T0 = datetime(2026, 1, 5, 9, 30)
PLAYBOOK = "buyer-journey"


def at(days: float) -> datetime:
    """A fixed point in time ``days`` after T0 (tests never read the clock)."""
    return T0 + timedelta(days=days)


def playbook() -> Playbook:
    """The playbook every factory deal runs on."""
    return get_playbook(PLAYBOOK)


def make_account(**overrides: Any) -> Account:
    """A valid account."""
    return Account.model_validate(
        {"name": "Northwind Traders", "industry": "logistics", "size": 1200, "region": "EMEA"}
        | overrides
    )


def make_offering(**overrides: Any) -> Offering:
    """A valid offering."""
    return Offering.model_validate(
        {"key": "route-planner", "name": "Route planner", "summary": "plans delivery routes"}
        | overrides
    )


def make_deal(**overrides: Any) -> Deal:
    """A valid, unsaved deal on the factory playbook."""
    return Deal.model_validate(
        {
            "title": "Fleet routing rollout",
            "owner": "sam.seller",
            "value": 120_000.0,
            "currency": "EUR",
            "created_at": T0,
            "expected_close": date(2026, 6, 30),
            "playbook": PLAYBOOK,
            "segment": "mid-market",
        }
        | overrides
    )


def make_stakeholder(**overrides: Any) -> Stakeholder:
    """A valid, unsaved stakeholder."""
    return Stakeholder.model_validate(
        {
            "name": "Avery Quinn",
            "title": "Head of Operations",
            "role": Role.DECISION_MAKER,
            "level": 4,
            "stance": 1,
            "influence": Influence.HIGH,
            "added_at": T0,
        }
        | overrides
    )


def make_decision(**overrides: Any) -> Decision:
    """A valid, unsaved decision."""
    return Decision.model_validate(
        {"title": "Pick a pilot region", "level": 3, "expected_days": 10, "roles": ["user"]}
        | overrides
    )


def make_interaction(**overrides: Any) -> Interaction:
    """A valid, unsaved interaction with no evidence."""
    return Interaction.model_validate(
        {
            "occurred_at": at(1),
            "channel": Channel.VIRTUAL,
            "summary": "discovery call",
            "outcome": Outcome.NEUTRAL,
            "seller": "sam.seller",
        }
        | overrides
    )


def make_plan_item(**overrides: Any) -> PlanItem:
    """A valid, unsaved mutual plan item."""
    return PlanItem.model_validate(
        {"title": "Share routing data sample", "side": PlanSide.BUYER, "owner": "Avery"} | overrides
    )


def make_problem(**overrides: Any) -> ProblemItem:
    """A valid, unsaved problem-map item."""
    return ProblemItem.model_validate(
        {"kind": ProblemKind.PRESSURE, "statement": "late deliveries cost us key accounts"}
        | overrides
    )


def criteria_before_won(book: Playbook) -> list[str]:
    """Every exit criterion of the stages before the first won end, in journey order."""
    keys: list[str] = []
    for stage in book.stages:
        if stage.end == "won":
            break
        keys.extend(stage.exit)
    return keys


def play_for(book: Playbook, criterion: str) -> str:
    """A play that produces ``criterion``."""
    return book.plays_producing(criterion)[0].key


@dataclass
class Workspace:
    """Ids of what ``make_workspace`` built."""

    deals: list[int] = field(default_factory=list)
    accounts: list[int] = field(default_factory=list)
    offerings: list[int] = field(default_factory=list)
    stakeholders: dict[str, int] = field(default_factory=dict)
    plan_items: list[int] = field(default_factory=list)


def make_workspace(session: Session) -> Workspace:
    """A small, rich workspace built through the services.

    Two accounts, three deals (open, won, lost), stakeholders with reporting lines (one to a
    later id), the template decisions plus a custom one with requirements and owners,
    interactions whose evidence moves the stage, a mutual plan with dependencies, a problem
    map tied to decisions and offerings, a close-date change and evidence without interaction.
    """
    from dealgraph.services import deals, decisions, interactions, offerings, plan, problems
    from dealgraph.services import stakeholders as people

    book = playbook()
    ws = Workspace()
    for offering in (
        make_offering(),
        make_offering(key="fleet-insights", name="Fleet insights", summary=""),
    ):
        stored_offering = offerings.create_offering(session, offering=offering)
        assert stored_offering.id is not None
        ws.offerings.append(stored_offering.id)

    open_deal = deals.create_deal(session, deal=make_deal(), account_name="Northwind Traders")
    assert open_deal.id is not None and open_deal.account_id is not None
    ws.deals.append(open_deal.id)
    ws.accounts.append(open_deal.account_id)
    won_deal = deals.create_deal(
        session,
        deal=make_deal(title="Depot analytics", account_id=open_deal.account_id, value=48_500.5),
    )
    lost_deal = deals.create_deal(
        session,
        deal=make_deal(title="Cold chain pilot", owner="kim.seller", created_at=at(3)),
        account_name="Contoso Foods",
    )
    assert won_deal.id is not None and lost_deal.id is not None
    assert lost_deal.account_id is not None
    ws.deals += [won_deal.id, lost_deal.id]
    ws.accounts.append(lost_deal.account_id)

    def person(deal_id: int, key: str, **overrides: Any) -> int:
        stored = people.add_stakeholder(
            session, deal_id=deal_id, stakeholder=make_stakeholder(**overrides), as_of=at(2)
        )
        assert stored.id is not None
        ws.stakeholders[key] = stored.id
        return stored.id

    ana = person(open_deal.id, "ana", name="Ana Ortiz", role=Role.ECONOMIC_BUYER, level=5)
    ben = person(open_deal.id, "ben", name="Ben Okafor", reports_to=ana, role=Role.CHAMPION)
    person(open_deal.id, "cleo", name="Cleo Park", reports_to=ben, level=2, stance=-1)
    person(won_deal.id, "dan", name="Dan Weiss", role=Role.ECONOMIC_BUYER, level=5)
    dee = person(lost_deal.id, "dee", name="Dee Ray", role=Role.EVALUATOR, level=3)
    eve = person(lost_deal.id, "eve", name="Eve Lund", role=Role.APPROVER, level=6)
    dee_now = people.get_stakeholder(session, stakeholder_id=dee)
    people.update_stakeholder(
        session,
        stakeholder=dee_now.model_copy(update={"reports_to": eve}),
        expected_version=dee_now.version,
    )

    template = decisions.list_decisions(session, deal_id=open_deal.id)
    custom = decisions.add_decision(
        session,
        deal_id=open_deal.id,
        decision=make_decision(requires=[template[2].id, template[0].id], owners=[ben, ana]),
    )
    first = template[0]
    decisions.update_decision(
        session,
        decision=first.model_copy(update={"status": DecisionStatus.DECIDED, "owners": [ana]}),
        expected_version=first.version,
        as_of=at(6),
    )

    first_stage = book.stages[0].exit
    interactions.log_interaction(
        session,
        deal_id=open_deal.id,
        interaction=make_interaction(
            occurred_at=at(4),
            play=play_for(book, first_stage[0]),
            participants=[ben, ana],
            evidence=list(first_stage),
            outcome=Outcome.ADVANCED,
        ),
    )
    interactions.log_interaction(
        session,
        deal_id=open_deal.id,
        interaction=make_interaction(occurred_at=at(9), channel=Channel.EMAIL, participants=[ana]),
    )
    dan = ws.stakeholders["dan"]
    for day, criterion in enumerate(criteria_before_won(book), start=5):
        interactions.log_interaction(
            session,
            deal_id=won_deal.id,
            interaction=make_interaction(
                occurred_at=at(day),
                channel=Channel.FIELD,
                play=play_for(book, criterion),
                participants=[dan],
                evidence=[criterion],
            ),
        )
    interactions.record_evidence(
        session,
        deal_id=lost_deal.id,
        criterion=book.stages[0].exit[0],
        recorded_at=at(7),
        note="said so in the kickoff",
    )

    p1 = plan.add_plan_item(session, deal_id=open_deal.id, item=make_plan_item())
    assert p1.id is not None
    p2 = plan.add_plan_item(
        session,
        deal_id=open_deal.id,
        item=make_plan_item(title="Joint workshop", side=PlanSide.JOINT, depends_on=[p1.id]),
    )
    assert p2.id is not None
    p3 = plan.add_plan_item(
        session,
        deal_id=open_deal.id,
        item=make_plan_item(
            title="Steering review",
            due=date(2026, 3, 1),
            depends_on=[p2.id, p1.id],
            decision_id=custom.id,
        ),
    )
    assert p3.id is not None
    plan.complete_plan_item(session, item_id=p1.id, as_of=at(10))
    ws.plan_items += [p1.id, p2.id, p3.id]

    problems.add_problem(
        session,
        deal_id=open_deal.id,
        problem=make_problem(
            confirmed_by=ana, decisions=[custom.id, first.id], offerings=ws.offerings[::-1]
        ),
        as_of=at(4),
    )
    problems.add_problem(
        session,
        deal_id=open_deal.id,
        problem=make_problem(kind=ProblemKind.GOAL, statement="on-time rate above 97%"),
    )

    current = deals.get_deal(session, deal_id=open_deal.id)
    deals.update_deal(
        session,
        deal=current.model_copy(update={"expected_close": date(2026, 8, 31)}),
        expected_version=current.version,
        as_of=at(12),
    )
    lost = deals.get_deal(session, deal_id=lost_deal.id)
    deals.update_deal(
        session,
        deal=lost.model_copy(update={"status": DealStatus.LOST, "loss_reason": "budget frozen"}),
        expected_version=lost.version,
        as_of=at(20),
    )
    return ws
