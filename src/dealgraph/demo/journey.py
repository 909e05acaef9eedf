"""Plan one deal's trip through a playbook: stage visits, moves back, skips and the outcome.

This is the first pass of the simulation. It knows nothing about interactions: it walks
the playbook's stages as the transition model (:mod:`dealgraph.demo.model`, the chain
``dealgraph simulate`` solves) says. Every visit draws its days and how it ends: an
advance (to the target ``advance_to`` picks), a move back, lost or no decision. The
per-deal story flags then bend a few visits: a stall, a forced setback, a skip.

A forward move enters the GPS position of the evidence planned by then. When a move
leads past the position, the visit plans the exit criteria of every stage it leaves
behind (the skipped stages' work arrives early); after a move back the deal re-walks the
stages up to the position without new evidence (``recover``). The second pass
(``touches.py``) fills each visit with interactions that produce the evidence on the
planned days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from dealgraph.core.enums import DealStatus
from dealgraph.core.playbook.schema import Playbook, Stage
from dealgraph.demo.model import StageModel, TripModel

Z90 = 1.2815515655446004
"""The 90th percentile of the standard normal: p90 = p50 * exp(sigma * Z90)."""

VisitEnd = Literal["advance", "regress", "recover", "lost", "no_decision"]
"""``advance``: forward with new evidence; ``recover``: forward to a stage whose way is
already evidenced (after a move back); ``regress``: a move back."""

MOVES: dict[str, str] = {
    "advance": "advance",
    "recover": "advance",
    "regress": "back",
    "lost": "lost",
    "no_decision": "no_decision",
}
"""The model's outcome each visit end stands for."""


@dataclass(frozen=True)
class Flags:
    """The per-deal dice rolled before the trip: what kind of story this deal tells."""

    has_champion: bool = True
    stall: bool = False
    ghost: bool = False
    single_thread: bool = False
    hidden_opponent: bool = False
    regress: bool = False
    skip: bool = False
    late_senior: bool = False


@dataclass
class Visit:
    """A stay in one stage: from ``start`` to ``end`` (simulation days).

    ``criteria`` are the exit criteria planned to be evidenced during the stay, each
    with its day; on an ``advance`` the last one falls exactly on ``end``. ``ends``
    says what happens at ``end``; ``to_stage`` is where an advance, regress or
    recover moves the deal.
    """

    stage: str
    start: float
    end: float
    ends: VisitEnd
    to_stage: str | None = None
    criteria: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Journey:
    """The planned trip: its visits in order and how (and when) it ended, if it did."""

    visits: list[Visit]
    status: DealStatus
    closed: float | None = None
    won_stage: str | None = None


@dataclass
class _Trip:
    """What the walk carries from visit to visit."""

    evidenced: set[str]
    skip_left: bool
    regress_left: bool


def plan_journey(
    rng: np.random.Generator,
    playbook: Playbook,
    model: TripModel,
    *,
    created: float,
    horizon: float,
    pace: float,
    risk: float,
    flags: Flags,
) -> Journey:
    """Walk the model from ``created`` until the trip ends or ``horizon`` is reached.

    ``pace`` scales the days (segment, deal, seller); ``risk`` scales the chance to be
    lost or end with no decision (1: the model's own probabilities).
    """
    order = playbook.journey_order
    trip = _Trip(set(), flags.skip, flags.regress)
    current = playbook.position(trip.evidenced)
    day = created
    visits: list[Visit] = []
    while day <= horizon:
        stage = playbook.stage(current)
        if stage.end == "won":
            return Journey(visits, DealStatus.WON, closed=day, won_stage=current)
        spec = model.stage(current)
        duration = spec.days(rng, pace)
        kind, target = draw_outcome(rng, spec, risk)
        index = order.index(current)
        left = horizon - day
        stall = flags.stall and index >= 1 and 1.4 * _p90(spec, pace) < left < 220.0
        if stall:
            # the deal sits in the stage far past its p90, beyond the end of the window
            duration = left + float(rng.uniform(10.0, 80.0))
        elif kind == "advance":
            kind, target, duration = _story(rng, playbook, trip, index, target, duration)
        end = day + duration
        visit = _visit(rng, playbook, trip, current, kind, target, day, end)
        visits.append(visit)
        if visit.ends in ("lost", "no_decision"):
            if end <= horizon:
                status = DealStatus.LOST if visit.ends == "lost" else DealStatus.NO_DECISION
                return Journey(visits, status, closed=end)
            return Journey(visits, DealStatus.OPEN)
        assert visit.to_stage is not None
        current, day = visit.to_stage, end
    return Journey(visits, DealStatus.OPEN)


def draw_outcome(rng: np.random.Generator, spec: StageModel, risk: float) -> tuple[str, str | None]:
    """How one visit ends (a kind of :data:`~dealgraph.demo.model.OUTCOME_KINDS`) and where to."""
    advance, back, lost, _ = spec.chances(risk)
    roll = rng.random()
    if roll < advance:
        return "advance", _target(rng, spec.advance_to)
    if roll < advance + back:
        return "back", _target(rng, spec.back_to)
    return ("lost" if roll < advance + back + lost else "no_decision"), None


def _target(rng: np.random.Generator, targets: tuple[tuple[str, float], ...]) -> str:
    if len(targets) == 1:
        return targets[0][0]
    roll, total = rng.random(), 0.0
    for key, share in targets:
        total += share
        if roll < total:
            return key
    return targets[-1][0]


def _p90(spec: StageModel, pace: float) -> float:
    return spec.p50_days * pace * math.exp(spec.sigma * Z90)


def _story(
    rng: np.random.Generator,
    playbook: Playbook,
    trip: _Trip,
    index: int,
    target: str | None,
    duration: float,
) -> tuple[str, str | None, float]:
    """The deal's story bends an advance: a setback (move back) or a skip over a stage."""
    order = playbook.journey_order
    if trip.regress_left and index >= 2 and rng.random() < 0.45:
        trip.regress_left = False
        # the setback comes part way through the stage
        return "back", order[index - 1], duration * float(rng.uniform(0.15, 0.45))
    following = order.index(target) if target is not None else -1
    if (
        trip.skip_left
        and index >= 1
        and following == index + 1
        and following + 1 < len(order)
        and playbook.stage(order[following]).end is None
        and rng.random() < 0.5
    ):
        # the buyer had already done the next stage's work: its evidence arrives early
        trip.skip_left = False
        return "advance", order[following + 1], duration * 1.25
    return "advance", target, duration


def _visit(
    rng: np.random.Generator,
    playbook: Playbook,
    trip: _Trip,
    current: str,
    kind: str,
    target: str | None,
    start: float,
    end: float,
) -> Visit:
    """The visit of ``current`` ending in ``kind``, with the evidence it plans."""
    position = playbook.position(trip.evidenced)
    if kind == "advance":
        assert target is not None
        groups = _owed(playbook, trip.evidenced, position, target)
        if not groups:
            return Visit(current, start, end, "recover", target)
        planned = _criteria_days(rng, groups[0], [c for g in groups[1:] for c in g], start, end)
        trip.evidenced |= {criterion for criterion, _ in planned}
        return Visit(current, start, end, "advance", playbook.position(trip.evidenced), planned)
    # a visit that ends otherwise gets part of its own stage's work done first
    own = _missing(playbook.stage(current), trip.evidenced) if current == position else []
    stretch = 1.0 / float(rng.uniform(0.2, 0.95))
    planned = _criteria_days(rng, own, [], start, start + (end - start) * stretch)
    planned = [p for p in planned if p[1] < end]
    trip.evidenced |= {criterion for criterion, _ in planned}
    if kind == "back":
        return Visit(current, start, end, "regress", target, planned)
    return Visit(current, start, end, "lost" if kind == "lost" else "no_decision", None, planned)


def _missing(stage: Stage, evidenced: set[str]) -> list[str]:
    return [c for c in stage.exit if c not in evidenced]


def _owed(playbook: Playbook, evidenced: set[str], position: str, target: str) -> list[list[str]]:
    """Criteria still missing on the way from the position to ``target``, stage by stage."""
    order = playbook.journey_order
    stages = order[order.index(position) : order.index(target)]
    groups = [_missing(playbook.stage(key), evidenced) for key in stages]
    return [group for group in groups if group]


def working_stages(playbook: Playbook) -> list[Stage]:
    """Stages before the first won end, in journey order: the work a deal must do."""
    order = playbook.journey_order
    won = [order.index(key) for key in playbook.won_stages]
    return playbook.stages[: min(won)] if won else list(playbook.stages)


def _criteria_days(
    rng: np.random.Generator, needed: list[str], extra: list[str], start: float, end: float
) -> list[tuple[str, float]]:
    """Days on which each criterion is evidenced; the last of ``needed`` lands on ``end``."""
    if not needed:
        return []
    order = [needed[i] for i in rng.permutation(len(needed)).tolist()]
    days: list[float] = sorted(rng.uniform(start, end, size=len(order) - 1).tolist())
    planned = list(zip(order, [*days, end], strict=True))
    if extra:
        # the later stages' work (a skip) is done before the position's last criterion
        planned += [(c, float(rng.uniform(start, end - 1e-3))) for c in extra]
        planned.sort(key=lambda p: p[1])
    return planned
