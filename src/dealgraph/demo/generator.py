"""Build the demo workspace: 300 deals simulated through a playbook, as a native JSON document.

``build_demo_document`` is pure and deterministic for (seed, as_of, playbook): one
``numpy.random.default_rng(seed)`` drives everything, in a fixed order. Every record
is built as its core model (so it is validated) and dumped with ``model_dump(mode="json")``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from pydantic import BaseModel

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import Deal, Evidence, Interaction, StageChange, Stakeholder
from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo import names
from dealgraph.demo.journey import Flags, Journey, plan_journey, working_stages
from dealgraph.demo.model import TripModel, trip_model
from dealgraph.demo.records import (
    DealState,
    build_close_dates,
    build_decisions,
    build_plan,
    build_problems,
)
from dealgraph.demo.team import Person, build_team, first_contact
from dealgraph.demo.touches import Move, Touch, TouchWriter
from dealgraph.demo.world import (
    SEGMENTS,
    Clock,
    DealFacts,
    make_accounts,
    make_deal_facts,
    make_offerings,
    make_sellers,
)

DEAL_COUNT = 300
TABLES = (
    "accounts",
    "offerings",
    "deals",
    "stakeholders",
    "decisions",
    "interactions",
    "evidence",
    "plan_items",
    "stage_changes",
    "close_date_changes",
    "problems",
)
DEFAULT_PLAYBOOK = "buyer-journey"
MIN_RISK = 0.15
"""Even the best-placed deal keeps some chance to end unwon."""


@dataclass
class Tables:
    """The workspace being built: one list of records per table, with the next free id."""

    rows: dict[str, list[BaseModel]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def next_id(self, table: str) -> int:
        """The id the next record of ``table`` gets (ids are 1..n in insertion order)."""
        return len(self.rows[table]) + 1

    def extend(self, table: str, records: Sequence[BaseModel]) -> None:
        """Append records whose ids were taken from :meth:`next_id` in order."""
        self.rows[table].extend(records)

    def document(self) -> dict[str, object]:
        """The native JSON workspace document."""
        doc: dict[str, object] = {"format": "dealgraph-workspace", "format_version": 1}
        for table in TABLES:
            doc[table] = [r.model_dump(mode="json") for r in self.rows[table]]
        return doc


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as a naive UTC datetime (the model's convention)."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def build_demo_document(
    *, seed: int = 7, as_of: datetime, playbook: Playbook | None = None, plain: bool = False
) -> dict[str, object]:
    """A whole demo workspace in the native JSON format; deterministic for its arguments.

    Every deal's trip walks the playbook's transition model (:func:`trip_model`). With
    ``plain`` no deal has a story (no stall, setback, skip, ghosting, missing champion…)
    and every deal's risk is 1, so the trips follow the model's own probabilities.

    Example:
        >>> doc = build_demo_document(seed=7, as_of=datetime(2026, 6, 1))  # doctest: +SKIP
        >>> len(doc["deals"])  # doctest: +SKIP
        300
    """
    if playbook is None:
        from dealgraph.core.playbook import get_playbook

        playbook = get_playbook(DEFAULT_PLAYBOOK)
    if not playbook.won_stages:
        raise ValueError(f"playbook {playbook.key!r} has no stage with 'end: won'")
    model = trip_model(playbook)
    rng = np.random.default_rng(seed)
    clock = Clock.ending(naive_utc(as_of))
    tables = Tables()
    sellers = make_sellers(rng)
    offerings = make_offerings()
    accounts = make_accounts(rng)
    tables.extend("accounts", accounts)
    tables.extend("offerings", offerings)
    facts = make_deal_facts(
        rng,
        count=DEAL_COUNT,
        accounts=accounts,
        sellers=sellers,
        offerings=offerings,
        horizon=clock.horizon,
    )
    for deal in facts:
        _simulate_deal(
            rng,
            playbook,
            model,
            deal,
            tables=tables,
            clock=clock,
            offerings=len(offerings),
            plain=plain,
        )
    return tables.document()


def _roll_flags(rng: np.random.Generator, created: float, horizon: float) -> Flags:
    age = horizon - created
    rolls = rng.random(size=8)
    return Flags(
        has_champion=bool(rolls[0] < 0.82),
        stall=bool(60.0 < age < 420.0 and rolls[1] < 0.14),
        ghost=bool(age < 260.0 and rolls[2] < 0.12),
        single_thread=bool(rolls[3] < 0.05),
        hidden_opponent=bool(rolls[4] < 0.07),
        regress=bool(rolls[5] < 0.14),
        skip=bool(rolls[6] < 0.07),
        late_senior=bool(rolls[7] < 0.2),
    )


def _risk(deal: DealFacts, flags: Flags) -> float:
    """How many times the trip model's chance to end unwon this deal has at every stage."""
    risk = SEGMENTS[deal.segment]["risk"] / (deal.seller.skill**2)
    risk *= 1.0 if flags.has_champion else 1.7
    risk *= 1.4 if flags.single_thread else 1.0
    risk *= 1.3 if flags.hidden_opponent else 1.0
    risk *= 1.0 + 0.12 * math.log(deal.value / SEGMENTS[deal.segment]["median"])
    return max(risk, MIN_RISK)


def _simulate_deal(
    rng: np.random.Generator,
    playbook: Playbook,
    model: TripModel,
    deal: DealFacts,
    *,
    tables: Tables,
    clock: Clock,
    offerings: int,
    plain: bool,
) -> None:
    """Simulate one deal (team, trip, touches) and write its records."""
    flags = _roll_flags(rng, deal.created, clock.horizon)
    if plain:
        flags = Flags()
    team = build_team(
        rng,
        segment=deal.segment,
        first_id=tables.next_id("stakeholders"),
        has_champion=flags.has_champion,
        hidden_opponent=flags.hidden_opponent,
    )
    pace = SEGMENTS[deal.segment]["time"] * math.exp(0.2 * rng.standard_normal())
    journey = plan_journey(
        rng,
        playbook,
        model,
        created=deal.created,
        horizon=clock.horizon,
        pace=pace / math.sqrt(deal.seller.skill),
        risk=1.0 if plain else _risk(deal, flags),
        flags=flags,
    )
    last_day = min(journey.closed if journey.closed is not None else clock.horizon, clock.horizon)
    contact = first_contact(team)
    _place_people(rng, playbook, team, contact, journey, deal.created, last_day, flags)
    writer = TouchWriter(
        rng,
        playbook,
        team=team,
        contact=contact,
        skill=deal.seller.skill,
        flags=flags,
        horizon=clock.horizon,
    )
    writer.write(journey)
    _write_deal(rng, playbook, deal, journey, writer, team, last_day, tables, clock, offerings)


def _write_deal(
    rng: np.random.Generator,
    playbook: Playbook,
    deal: DealFacts,
    journey: Journey,
    writer: TouchWriter,
    team: list[Person],
    last_day: float,
    tables: Tables,
    clock: Clock,
    offerings: int,
) -> None:
    """Turn one simulated deal into records with ids, appended to every table."""
    touches = sorted(writer.touches, key=lambda t: (t.day, t.seq))
    first = tables.next_id("interactions")
    for offset, touch in enumerate(touches):
        touch.id = first + offset
    state = _state(playbook, deal, journey, writer.moves, last_day)
    tables.extend("stakeholders", [_stakeholder(p, deal.deal_id, clock) for p in team])
    tables.extend("interactions", [_interaction(t, deal, clock) for t in touches])
    tables.extend("evidence", _evidence(playbook, touches, deal.deal_id, tables, clock))
    tables.extend("stage_changes", _changes(writer.moves, deal.deal_id, tables, clock))
    decisions = build_decisions(
        rng, playbook, state=state, team=team, first_id=tables.next_id("decisions"), clock=clock
    )
    tables.extend("decisions", decisions)
    tables.extend(
        "plan_items",
        build_plan(
            rng,
            playbook,
            state=state,
            team=team,
            seller=deal.seller.name,
            decisions=decisions,
            first_id=tables.next_id("plan_items"),
            clock=clock,
        ),
    )
    tables.extend(
        "problems",
        build_problems(
            rng,
            state=state,
            team=team,
            decisions=decisions,
            offering_id=deal.offering_id,
            offering_count=offerings,
            first_id=tables.next_id("problems"),
            clock=clock,
        ),
    )
    journey_days = sum(s.duration.p50 for s in working_stages(playbook))
    journey_days *= SEGMENTS[deal.segment]["time"]
    expected, slips = build_close_dates(
        rng,
        state=state,
        expected_days=journey_days,
        first_id=tables.next_id("close_date_changes"),
        clock=clock,
    )
    tables.extend("close_date_changes", slips)
    tables.extend(
        "deals", [_deal(rng, deal, state, journey, expected, playbook, clock, writer.moves)]
    )


def _place_people(
    rng: np.random.Generator,
    playbook: Playbook,
    team: list[Person],
    contact: Person,
    journey: Journey,
    created: float,
    last_day: float,
    flags: Flags,
) -> None:
    """When each person joined: the first contact at creation, most soon after, a few late."""
    for person in team:
        joined = created if person is contact else created + float(rng.exponential(10.0))
        person.added = min(joined, last_day)
    if not flags.late_senior:
        return
    order = playbook.journey_order
    middle = len(order) // 2
    late_visits = [
        v for v in journey.visits if order.index(v.stage) >= middle and v.start <= last_day
    ]
    seniors = [p for p in team if p.level >= 4 and p is not contact and not p.hidden]
    if late_visits and seniors:
        person = seniors[int(rng.integers(len(seniors)))]
        person.added = min(late_visits[0].start + float(rng.uniform(1.0, 12.0)), last_day)
        person.late = True


def _state(
    playbook: Playbook, deal: DealFacts, journey: Journey, moves: list[Move], last_day: float
) -> DealState:
    order = playbook.journey_order
    stage = moves[-1].to_stage if moves else playbook.position(set())
    entered = {playbook.position(set()): deal.created}
    left: dict[str, float] = {}
    for move in moves:
        entered[move.to_stage] = move.day
        source, target = order.index(move.from_stage), order.index(move.to_stage)
        for index in range(source, target):
            left.setdefault(order[index], move.day)
        if target < source:  # a setback reopens the stages it goes back over
            for index in range(target, source + 1):
                left.pop(order[index], None)
    return DealState(
        deal_id=deal.deal_id,
        status=journey.status,
        stage=stage,
        created=deal.created,
        last_day=last_day,
        entered=entered,
        left=left,
    )


def _stakeholder(person: Person, deal_id: int, clock: Clock) -> Stakeholder:
    return Stakeholder(
        id=person.id,
        deal_id=deal_id,
        name=person.name,
        title=person.title,
        role=person.role,
        level=person.level,
        stance=person.stance,
        influence=person.influence,
        response_mode=person.response_mode,
        reports_to=person.reports_to,
        added_at=clock.at(person.added),
    )


def _interaction(touch: Touch, deal: DealFacts, clock: Clock) -> Interaction:
    return Interaction(
        id=touch.id,
        deal_id=deal.deal_id,
        occurred_at=clock.at(touch.day),
        channel=touch.channel,
        direction=touch.direction,
        play=touch.play,
        participants=touch.participants,
        summary=touch.summary,
        outcome=touch.outcome,
        evidence=touch.evidence,
        seller=deal.seller.name,
    )


def _evidence(
    playbook: Playbook, touches: list[Touch], deal_id: int, tables: Tables, clock: Clock
) -> list[Evidence]:
    titles = {c.key: c.title for c in playbook.criteria}
    first = tables.next_id("evidence")
    rows = [(touch, criterion) for touch in touches for criterion in touch.evidence]
    return [
        Evidence(
            id=first + offset,
            deal_id=deal_id,
            criterion=criterion,
            interaction_id=touch.id,
            recorded_at=clock.at(touch.day),
            note=titles.get(criterion, ""),
        )
        for offset, (touch, criterion) in enumerate(rows)
    ]


def _changes(moves: list[Move], deal_id: int, tables: Tables, clock: Clock) -> list[StageChange]:
    first = tables.next_id("stage_changes")
    return [
        StageChange(
            id=first + offset,
            deal_id=deal_id,
            from_stage=move.from_stage,
            to_stage=move.to_stage,
            changed_at=clock.at(move.day),
            interaction_id=move.touch.id,
        )
        for offset, move in enumerate(moves)
    ]


def _deal(
    rng: np.random.Generator,
    deal: DealFacts,
    state: DealState,
    journey: Journey,
    expected: float,
    playbook: Playbook,
    clock: Clock,
    moves: list[Move],
) -> Deal:
    status = journey.status
    closed = journey.closed if status != DealStatus.OPEN else None
    reason = ""
    if status in (DealStatus.LOST, DealStatus.NO_DECISION):
        pool = names.LOSS_REASONS[status.value]
        reason = pool[int(rng.integers(len(pool)))]
    return Deal(
        id=deal.deal_id,
        title=deal.title,
        account_id=deal.account.id,
        owner=deal.seller.name,
        value=deal.value,
        currency=deal.currency,
        created_at=clock.at(deal.created),
        expected_close=clock.date_at(expected),
        playbook=playbook.key,
        playbook_version=playbook.version,
        stage=state.stage,
        stage_entered_at=clock.at(moves[-1].day if moves else deal.created),
        status=status,
        closed_at=clock.at(closed) if closed is not None else None,
        loss_reason=reason,
        segment=deal.segment,
    )
