"""A deal's decisions, mutual plan, problem map and close-date history, from its trip.

Each builder reads the simulated outcome (:class:`DealState`) so the records agree with
it: decisions of stages the deal has left are decided, the current stage's are being
worked, plan items due before the deal's last day are mostly done, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter

import numpy as np

from dealgraph.core.enums import DealStatus, DecisionStatus, PlanSide, ProblemKind, Role
from dealgraph.core.model import CloseDateChange, Decision, PlanItem, ProblemItem
from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo import names
from dealgraph.demo.team import Person
from dealgraph.demo.world import Clock


@dataclass(frozen=True)
class DealState:
    """Where the simulated trip left the deal, as the record builders need it."""

    deal_id: int
    status: DealStatus
    stage: str
    created: float
    last_day: float
    """The day the deal closed, or the horizon for an open deal."""
    entered: dict[str, float]
    """Latest day the deal entered each stage it visited."""
    left: dict[str, float]
    """Day the deal moved past each stage (skipped stages included)."""


def _visible(team: list[Person]) -> list[Person]:
    return [p for p in team if not p.hidden]


def build_decisions(
    rng: np.random.Generator,
    playbook: Playbook,
    *,
    state: DealState,
    team: list[Person],
    first_id: int,
    clock: Clock,
) -> list[Decision]:
    """The playbook's decision template instantiated on the deal, statuses from its trip."""
    order = playbook.journey_order
    current = order.index(state.stage)
    ids = {template.key: first_id + i for i, template in enumerate(playbook.decisions)}
    visible = _visible(team)
    statuses = {
        t.key: _decision_status(rng, state.status, order.index(t.stage), current)
        for t in playbook.decisions
    }
    decided_days = _decided_days(rng, playbook, state, statuses)
    decisions = []
    for template in playbook.decisions:
        index = order.index(template.stage)
        status = statuses[template.key]
        decided_at = None
        due_day: float | None
        if status == DecisionStatus.DECIDED:
            due_day = decided_days[template.key]
            decided_at = clock.at(due_day)
        elif status == DecisionStatus.DROPPED:
            due_day = None
        else:
            base = state.entered.get(template.stage, state.last_day + 12.0 * (index - current))
            due_day = max(base, state.created) + template.days
        owners = [p.id for p in visible if p.role in template.roles][:2]
        if not owners and visible:
            owners = [max(visible, key=lambda p: (p.level, -p.id)).id]
        decisions.append(
            Decision(
                id=ids[template.key],
                deal_id=state.deal_id,
                key=template.key,
                title=template.title,
                stage=template.stage,
                requires=[ids[r] for r in template.requires],
                owners=owners,
                roles=list(template.roles),
                level=template.level,
                status=status,
                expected_days=template.days,
                due=clock.date_at(due_day) if due_day is not None else None,
                decided_at=decided_at,
            )
        )
    return decisions


def _decided_days(
    rng: np.random.Generator,
    playbook: Playbook,
    state: DealState,
    statuses: dict[str, DecisionStatus],
) -> dict[str, float]:
    """When each decided decision was made: just before the deal left its stage.

    Never before a decision it requires: the template is acyclic, so they are placed in
    a topological order.
    """
    graph = {t.key: set(t.requires) for t in playbook.decisions}
    days: dict[str, float] = {}
    for key in TopologicalSorter(graph).static_order():
        if statuses.get(key) != DecisionStatus.DECIDED:
            continue
        template = playbook.decision_template(key)
        left = state.left.get(template.stage, state.last_day)
        entered = state.entered.get(template.stage, state.created)
        day = max(entered, state.created, left - float(rng.uniform(0.0, 4.0)))
        earlier = [days[r] for r in template.requires if r in days]
        days[key] = min(max([day, *earlier]), state.last_day)
    return days


def _decision_status(
    rng: np.random.Generator, status: DealStatus, index: int, current: int
) -> DecisionStatus:
    roll = rng.random()
    if index < current:
        return DecisionStatus.DROPPED if roll < 0.04 else DecisionStatus.DECIDED
    if status == DealStatus.WON:
        return DecisionStatus.IN_PROGRESS if roll < 0.5 else DecisionStatus.OPEN
    if status == DealStatus.OPEN:
        if index > current:
            return DecisionStatus.OPEN
        if roll < 0.55:
            return DecisionStatus.IN_PROGRESS
        return DecisionStatus.OPEN if roll < 0.8 else DecisionStatus.BLOCKED
    if index == current:
        return DecisionStatus.BLOCKED if roll < 0.5 else DecisionStatus.DROPPED
    return DecisionStatus.DROPPED if roll < 0.6 else DecisionStatus.OPEN


PLAN_SHARE = {
    DealStatus.OPEN: 0.85,
    DealStatus.WON: 0.75,
    DealStatus.LOST: 0.45,
    DealStatus.NO_DECISION: 0.4,
}


def build_plan(
    rng: np.random.Generator,
    playbook: Playbook,
    *,
    state: DealState,
    team: list[Person],
    seller: str,
    decisions: list[Decision],
    first_id: int,
    clock: Clock,
) -> list[PlanItem]:
    """A mutual plan around the deal's current stage, on most open and many closed deals."""
    if rng.random() >= PLAN_SHARE[state.status]:
        return []
    order = playbook.journey_order
    current = order.index(state.stage)
    near = [
        d
        for d in decisions
        if d.stage is not None
        and current - 1 <= order.index(d.stage) <= current + 2
        and d.status != DecisionStatus.DROPPED
    ][:4]
    people = {p.id: p for p in team}
    drafts: list[tuple[str, PlanSide, str, Decision | None]] = []
    for linked in near:
        owner = people[linked.owners[0]].name if linked.owners else ""
        drafts.append((linked.title, PlanSide.BUYER, owner, linked))
    buyers = [p.name for p in _visible(team)]
    extras = [
        (title, PlanSide.SELLER, seller)
        for title in rng.choice(
            names.SELLER_PLAN_ITEMS, size=int(rng.integers(1, 3)), replace=False
        )
    ]
    extras.append((_pick(rng, names.BUYER_PLAN_ITEMS), PlanSide.BUYER, _pick(rng, buyers)))
    extras.append((_pick(rng, names.JOINT_PLAN_ITEMS), PlanSide.JOINT, seller))
    # the buyer's decisions keep their order; the other items fall in between
    for extra_title, extra_side, extra_owner in extras:
        item = (str(extra_title), extra_side, extra_owner, None)
        drafts.insert(int(rng.integers(len(drafts) + 1)), item)
    anchor = state.entered.get(state.stage, state.created)
    day = max(state.created, anchor - float(rng.uniform(0.0, 20.0)))
    items: list[PlanItem] = []
    for offset, (title, side, owner, decision) in enumerate(drafts):
        day += float(rng.uniform(4.0, 16.0))
        item_id = first_id + offset
        done_at = None
        if decision is not None and decision.decided_at is not None:
            done_at = decision.decided_at
        elif day < state.last_day and rng.random() < 0.85 and decision is None:
            # An item that stands for a decision is done exactly when the decision is made
            # (the draw is taken anyway so the simulation's random stream stays the same).
            done_at = clock.at(min(day - float(rng.uniform(0.0, 3.0)), state.last_day))
        depends = [item_id - 1] if offset > 0 and rng.random() < 0.6 else []
        items.append(
            PlanItem(
                id=item_id,
                deal_id=state.deal_id,
                title=title,
                side=side,
                owner=owner,
                due=clock.date_at(day),
                done=done_at is not None,
                done_at=done_at,
                depends_on=depends,
                decision_id=decision.id if decision is not None else None,
            )
        )
    return items


def build_problems(
    rng: np.random.Generator,
    *,
    state: DealState,
    team: list[Person],
    decisions: list[Decision],
    offering_id: int,
    offering_count: int,
    first_id: int,
    clock: Clock,
) -> list[ProblemItem]:
    """Two to six goals, pressures, obstacles and initiatives, many confirmed by someone."""
    count = int(rng.integers(2, 7))
    kinds = [ProblemKind.GOAL, ProblemKind.PRESSURE if rng.random() < 0.6 else ProblemKind.OBSTACLE]
    kinds += [list(ProblemKind)[int(rng.integers(4))] for _ in range(count - 2)]
    area = _pick(rng, names.PROBLEM_AREAS)
    confirmers = [
        p
        for p in _visible(team)
        if p.role in {Role.ECONOMIC_BUYER, Role.CHAMPION, Role.DECISION_MAKER, Role.INFLUENCER}
    ] or _visible(team)
    early = [d for d in decisions if d.id is not None][: max(3, len(decisions) // 2)]
    used: set[str] = set()
    problems = []
    for offset, kind in enumerate(kinds):
        pool = [s for s in names.PROBLEMS[kind] if s not in used]
        statement = _pick(rng, tuple(pool))
        used.add(statement)
        confirmed_by = confirmed_at = None
        if confirmers and rng.random() < 0.65:
            person = confirmers[int(rng.integers(len(confirmers)))]
            day = max(person.added, state.created) + float(rng.uniform(0.0, 25.0))
            confirmed_by, confirmed_at = person.id, clock.at(min(day, state.last_day))
        linked = rng.choice(
            len(early), size=min(len(early), int(rng.integers(0, 3))), replace=False
        )
        offerings = [offering_id]
        if rng.random() < 0.3:
            other = int(rng.integers(1, offering_count + 1))
            offerings = sorted({offering_id, other})
        problems.append(
            ProblemItem(
                id=first_id + offset,
                deal_id=state.deal_id,
                kind=kind,
                statement=statement.format(area=area),
                confirmed_by=confirmed_by,
                confirmed_at=confirmed_at,
                decisions=sorted(int(early[int(i)].id or 0) for i in linked),
                offerings=offerings,
            )
        )
    return problems


def build_close_dates(
    rng: np.random.Generator,
    *,
    state: DealState,
    expected_days: float,
    first_id: int,
    clock: Clock,
) -> tuple[float, list[CloseDateChange]]:
    """The close date set at creation (optimistic) and the slips while the deal was open."""
    expected = state.created + expected_days * float(rng.uniform(0.55, 0.95))
    changes: list[CloseDateChange] = []
    while len(changes) < 4:
        noticed = expected - float(rng.uniform(0.0, 10.0))
        if noticed >= state.last_day or noticed <= state.created or rng.random() < 0.2:
            break
        later = expected + float(rng.uniform(20.0, 75.0))
        changes.append(
            CloseDateChange(
                id=first_id + len(changes),
                deal_id=state.deal_id,
                changed_at=clock.at(noticed),
                from_date=clock.date_at(expected),
                to_date=clock.date_at(later),
            )
        )
        expected = later
    return expected, changes


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.integers(len(options)))]
