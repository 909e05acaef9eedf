"""What the buyer sees through a share link: their own route, decisions and mutual plan.

The view is built field by field from buyer-safe parts of the deal, never by dumping a
record and removing things, so a field added to the model later cannot leak by default.
Left out on purpose: stances, influence, response modes, signals, notes, interaction
summaries, evidence notes, deal value, loss reason, and the seller's names.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from dealgraph.core.context import current_stage
from dealgraph.core.enums import DealStatus, DecisionStatus, PlanSide, ProblemKind
from dealgraph.core.gps import progress
from dealgraph.core.model import DealRecord, Decision
from dealgraph.core.playbook.schema import Playbook

# A requirement no longer holds a decision back once it is made or dropped.
SETTLED = frozenset({DecisionStatus.DECIDED, DecisionStatus.DROPPED})
WAITING = frozenset({DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS, DecisionStatus.BLOCKED})
PROBLEM_ORDER = list(ProblemKind)


class BuyerPart(BaseModel):
    """Base of the buyer view's parts: closed and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RouteStep(BuyerPart):
    """A stage of the buyer's journey still ahead (the current one first)."""

    key: str
    title: str


class DecidedDecision(BuyerPart):
    """A decision the buyer has made."""

    title: str
    decided_at: datetime | None


class NextDecision(BuyerPart):
    """An open decision whose requirements are all settled: what the buyer can decide next."""

    title: str
    due: date | None


class BuyerPlanItem(BuyerPart):
    """An item of the mutual plan; ``depends_on`` names the items it waits for by title."""

    title: str
    side: PlanSide
    owner: str
    due: date | None
    done: bool
    depends_on: list[str]


class BuyerProblem(BuyerPart):
    """A goal, pressure, obstacle or initiative in the buyer's own words."""

    kind: ProblemKind
    statement: str


class BuyerView(BuyerPart):
    """The read-only page a buyer opens from a share link."""

    deal_title: str
    account_name: str
    stage: str
    stage_title: str
    progress: float
    route: list[RouteStep]
    decided: list[DecidedDecision]
    next_decisions: list[NextDecision]
    plan: list[BuyerPlanItem]
    problems: list[BuyerProblem]


def buyer_view(record: DealRecord, playbook: Playbook) -> BuyerView:
    """The buyer-safe view of one deal on its playbook.

    Example:
        >>> view = buyer_view(record, get_playbook("buyer-journey"))  # doctest: +SKIP
        >>> view.stage_title, [step.title for step in view.route][:2]  # doctest: +SKIP
        ('Assembling the buying team', ['Assembling the buying team', 'Defining the problem'])
    """
    stage = current_stage(record, playbook)
    is_open = record.deal.status == DealStatus.OPEN
    route = playbook.route(stage) if is_open else []
    return BuyerView(
        deal_title=record.deal.title,
        account_name=record.account.name if record.account is not None else "",
        stage=stage,
        stage_title=playbook.stage(stage).title,
        progress=progress(record, playbook, stage),
        route=[RouteStep(key=key, title=playbook.stage(key).title) for key in route],
        decided=_decided(record.decisions),
        next_decisions=_next_decisions(record.decisions),
        plan=_plan(record),
        problems=[
            BuyerProblem(kind=p.kind, statement=p.statement)
            for p in sorted(record.problems, key=lambda p: (PROBLEM_ORDER.index(p.kind), p.id))
        ],
    )


def _decided(decisions: list[Decision]) -> list[DecidedDecision]:
    made = [d for d in decisions if d.status == DecisionStatus.DECIDED]
    made.sort(key=lambda d: (d.decided_at is None, d.decided_at or datetime.min, d.id or 0))
    return [DecidedDecision(title=d.title, decided_at=d.decided_at) for d in made]


def _next_decisions(decisions: list[Decision]) -> list[NextDecision]:
    status = {d.id: d.status for d in decisions}
    ready = [
        d
        for d in decisions
        if d.status in WAITING and all(status.get(r) in SETTLED for r in d.requires)
    ]
    ready.sort(key=lambda d: (d.due is None, d.due or date.max, d.id or 0))
    return [NextDecision(title=d.title, due=d.due) for d in ready]


def _plan(record: DealRecord) -> list[BuyerPlanItem]:
    titles = {item.id: item.title for item in record.plan}
    items = sorted(record.plan, key=lambda i: (i.due is None, i.due or date.max, i.id or 0))
    return [
        BuyerPlanItem(
            title=item.title,
            side=item.side,
            owner=item.owner,
            due=item.due,
            done=item.done,
            depends_on=[titles[i] for i in item.depends_on if i in titles],
        )
        for item in items
    ]
