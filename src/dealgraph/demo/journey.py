"""Plan one deal's trip through a playbook: stage visits, setbacks, skips and the outcome.

This is the first pass of the simulation. It knows nothing about interactions: it
walks the stages in journey order (exactly as :meth:`Playbook.position` would move a
deal whose exit criteria get evidenced), draws the time in each stage from a
lognormal fitted to the stage's p50/p90, and decides where the trip ends. The second
pass (``touches.py``) fills each visit with interactions that produce the evidence at
the planned times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from dealgraph.core.enums import DealStatus
from dealgraph.core.playbook.schema import Playbook, Stage

Z90 = 1.2815515655446004
"""The 90th percentile of the standard normal: p90 = p50 * exp(sigma * Z90)."""

BASE_HAZARD = 0.065
"""Chance, per stage of a nine-stage journey, that an average deal ends there without a win."""

REFERENCE_STAGES = 8
"""Working stages (before the won end) that :data:`BASE_HAZARD` is tuned for; shorter
journeys get a larger per-stage hazard so the overall win rate stays alike."""

VisitEnd = Literal["advance", "regress", "recover", "lost", "no_decision"]


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


def lognormal_sigma(stage: Stage) -> float:
    """Sigma of the lognormal whose median is p50 and 90th percentile is p90."""
    ratio = max(stage.duration.p90 / stage.duration.p50, 1.05)
    return math.log(ratio) / Z90


def stage_days(rng: np.random.Generator, stage: Stage, scale: float) -> float:
    """Days in the stage: a lognormal draw fitted to p50/p90, times the deal's pace."""
    sigma = lognormal_sigma(stage)
    return float(stage.duration.p50 * scale * math.exp(sigma * rng.standard_normal()))


def hazard(index: int, stages: int, scale: float) -> float:
    """Chance of the trip ending (lost or no decision) in the working stage at ``index``."""
    fraction = index / max(stages - 1, 1)
    base = 1.0 - (1.0 - BASE_HAZARD) ** (REFERENCE_STAGES / max(stages, 1))
    # the status quo wins early; later exits are fewer but firmer
    shape = 1.15 - 0.35 * fraction
    return float(min(0.6, base * shape * scale))


def exit_kind(rng: np.random.Generator, index: int, stages: int) -> VisitEnd:
    """Lost or no decision: early exits are mostly 'no decision', late ones 'lost'."""
    fraction = index / max(stages - 1, 1)
    return "no_decision" if rng.random() < 0.75 - 0.55 * fraction else "lost"


def plan_journey(
    rng: np.random.Generator,
    playbook: Playbook,
    *,
    created: float,
    horizon: float,
    pace: float,
    risk: float,
    flags: Flags,
) -> Journey:
    """Walk the journey from ``created`` until the trip ends or ``horizon`` is reached.

    ``pace`` scales stage times (segment, deal), ``risk`` scales the exit hazard.
    """
    order = playbook.journey_order
    working = len(working_stages(playbook))
    evidenced: set[str] = set()
    current = playbook.position(evidenced)
    day = created
    visits: list[Visit] = []
    skip_left, regress_left = flags.skip, flags.regress
    while day <= horizon:
        stage = playbook.stage(current)
        if stage.end == "won":
            return Journey(visits, DealStatus.WON, closed=day, won_stage=current)
        index = order.index(current)
        needed = [c for c in stage.exit if c not in evidenced]
        duration = max(0.5, stage_days(rng, stage, pace))
        after = playbook.position(evidenced | set(needed))
        extra: list[str] = []
        if skip_left and index >= 1 and playbook.stage(after).end is None and rng.random() < 0.5:
            # the buyer had already done the next stage's work: its evidence arrives early
            extra = [c for c in playbook.stage(after).exit if c not in evidenced | set(needed)]
            skip_left = not extra
            duration *= 1.25
        left = horizon - day
        p90_days = stage.duration.p90 * pace
        stall = flags.stall and index >= 1 and 1.4 * p90_days < left < 220.0
        if stall:
            duration = left + float(rng.uniform(10.0, 80.0))
        elif regress_left and index >= 2 and rng.random() < 0.45:
            back = order[index - 1]
            setback = day + duration * float(rng.uniform(0.15, 0.45))
            recovered = setback + float(rng.uniform(5.0, 25.0))
            visits.append(Visit(current, day, setback, "regress", back))
            visits.append(Visit(back, setback, recovered, "recover", current))
            regress_left = False
            day, duration = recovered, duration * float(rng.uniform(0.5, 0.8))
            if day > horizon:
                break
        end = day + duration
        planned = _criteria_days(rng, needed, extra, day, end)
        if not stall and rng.random() < hazard(index, working, risk):
            death = day + duration * float(rng.uniform(0.2, 0.95))
            kind = exit_kind(rng, index, working)
            visits.append(
                Visit(current, day, death, kind, None, [p for p in planned if p[1] < death])
            )
            if death <= horizon:
                status = DealStatus.LOST if kind == "lost" else DealStatus.NO_DECISION
                return Journey(visits, status, closed=death)
            return Journey(visits, DealStatus.OPEN)
        evidenced |= set(needed) | set(extra)
        following = playbook.position(evidenced)
        visits.append(Visit(current, day, end, "advance", following, planned))
        current, day = following, end
    return Journey(visits, DealStatus.OPEN)


def working_stages(playbook: Playbook) -> list[Stage]:
    """Stages before the first won end, in journey order: the work a deal must do."""
    order = playbook.journey_order
    won = [order.index(key) for key in playbook.won_stages]
    return playbook.stages[: min(won)] if won else list(playbook.stages)


def _criteria_days(
    rng: np.random.Generator, needed: list[str], extra: list[str], start: float, end: float
) -> list[tuple[str, float]]:
    """Days on which each criterion is evidenced; the stage's last one lands on ``end``."""
    order = [needed[int(i)] for i in rng.permutation(len(needed))]
    days = sorted(float(d) for d in rng.uniform(start, end, size=max(len(order) - 1, 0)))
    planned = list(zip(order, [*days, end], strict=True))
    # the next stage's work (a skip) is done before this stage's last criterion
    planned += [(c, float(rng.uniform(start, end - 1e-3))) for c in extra]
    return sorted(planned, key=lambda p: p[1])
