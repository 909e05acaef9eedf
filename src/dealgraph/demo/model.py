"""The trip's transition model: how each stage visit of a demo deal ends, and how long it takes.

The demo's first pass walks the same absorbing Markov chain that ``dealgraph simulate``
solves: per working stage, the probabilities that a visit advances (and where to, by
``advance_to``), goes back (``back_to``), is lost or ends with no decision, and a lognormal
of its days. The model is the shipped scenario named after the playbook
(``src/dealgraph/scenarios/<playbook>.yaml``) when there is one, else a default derived
from the playbook itself (:func:`playbook_scenario`): its p50/p90 durations, no moves
back, and an exit hazard that is highest early in the journey, where the status quo wins
and most exits are "no decision", and lower but firmer ("lost") later.

A deal's ``risk`` scales the chance to be lost or end with no decision (the moves share
what is left in the model's proportions), and its ``pace`` scales the days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dealgraph.core.playbook.schema import Playbook, Stage
from dealgraph.errors import InvalidInput
from dealgraph.planning.scenario import (
    Days,
    Scenario,
    StageSpec,
    Value,
    default_advance,
    default_back,
)
from dealgraph.planning.scenario_check import check_scenario
from dealgraph.planning.scenario_load import load_scenario, shipped_scenarios

BASE_HAZARD = 0.14
"""Default model: chance, per stage of a nine-stage journey, that a deal ends there unwon.

It is a typical team's (risk 1), like the shipped scenarios: the chain of an eight-stage
journey then wins about 30% of deals. The demo's own deals carry about half that risk."""

REFERENCE_STAGES = 8
"""Working stages that :data:`BASE_HAZARD` is tuned for; shorter journeys get a larger
per-stage hazard so the overall win rate stays alike."""

MAX_EXIT = 0.6
"""Most a deal's risk can raise a visit's chance to end unwon (unless the model says more)."""

MIN_DAYS = 0.5
"""Shortest visit: a buyer takes at least half a day over any stage."""

OUTCOME_KINDS = ("advance", "back", "lost", "no_decision")
"""How a visit ends, in the order of :meth:`StageModel.chances`."""


@dataclass(frozen=True)
class StageModel:
    """One working stage of the model: where a visit leads and how long it lasts.

    ``advance_to`` and ``back_to`` are the targets with their shares (summing to 1), empty
    when the move has probability 0; ``sigma`` is the lognormal shape of the days.
    """

    key: str
    advance: float
    back: float
    lost: float
    no_decision: float
    advance_to: tuple[tuple[str, float], ...]
    back_to: tuple[tuple[str, float], ...]
    p50_days: float
    sigma: float

    def chances(self, risk: float) -> tuple[float, float, float, float]:
        """Advance, back, lost and no decision for a deal whose exits are ``risk`` times likelier.

        Example:
            >>> stage.chances(1.0) == (stage.advance, stage.back, stage.lost, stage.no_decision)
            True
        """
        exits, moves = self.lost + self.no_decision, self.advance + self.back
        if risk == 1.0 or exits <= 0.0 or moves <= 0.0:
            return self.advance, self.back, self.lost, self.no_decision
        scaled = min(exits * risk, max(MAX_EXIT, exits))
        kept = (1.0 - scaled) / moves
        return (
            self.advance * kept,
            self.back * kept,
            self.lost * scaled / exits,
            self.no_decision * scaled / exits,
        )

    def days(self, rng: np.random.Generator, pace: float) -> float:
        """Days of one visit: a lognormal draw from the model, times the deal's pace."""
        return max(MIN_DAYS, self.p50_days * pace * math.exp(self.sigma * rng.standard_normal()))


@dataclass(frozen=True)
class TripModel:
    """The transition model of every working stage of a playbook, and where it came from."""

    scenario: Scenario
    stages: dict[str, StageModel]
    source: str
    """``scenario <key>`` for a shipped scenario, ``playbook`` for the default model."""

    def stage(self, key: str) -> StageModel:
        """The model of one working stage."""
        return self.stages[key]


def trip_model(playbook: Playbook) -> TripModel:
    """The model a demo on ``playbook`` walks: its shipped scenario, else the playbook default.

    Example:
        >>> trip_model(get_playbook("buyer-journey")).source  # doctest: +SKIP
        'scenario buyer-journey'
    """
    path = shipped_scenarios().get(playbook.key)
    if path is None:
        return model_of(playbook_scenario(playbook), playbook, source="playbook")
    scenario = load_scenario(path, playbooks=lambda _key: playbook)
    return model_of(scenario, playbook, source=f"scenario {path.stem}")


def model_of(scenario: Scenario, playbook: Playbook, *, source: str = "scenario") -> TripModel:
    """The arrays-free model of a valid scenario on its playbook, defaults made explicit."""
    stages: dict[str, StageModel] = {}
    for key, spec in scenario.stages.items():
        stages[key] = StageModel(
            key=key,
            advance=spec.advance,
            back=spec.back,
            lost=spec.lost,
            no_decision=spec.no_decision,
            advance_to=_targets(spec.advance, spec.advance_to, default_advance(playbook, key)),
            back_to=_targets(spec.back, spec.back_to, default_back(playbook, key)),
            p50_days=spec.days.p50,
            sigma=spec.days.shape,
        )
    return TripModel(scenario=scenario, stages=stages, source=source)


def _targets(
    probability: float, spread: dict[str, float] | None, fallback: str | None
) -> tuple[tuple[str, float], ...]:
    if probability <= 0:
        return ()
    if spread:
        total = sum(spread.values())
        return tuple((key, share / total) for key, share in spread.items() if share > 0)
    return ((fallback, 1.0),) if fallback is not None else ()


def hazard(index: int, stages: int) -> float:
    """Default model: chance that a visit of the working stage at ``index`` ends unwon."""
    fraction = index / max(stages - 1, 1)
    base = 1.0 - math.pow(1.0 - BASE_HAZARD, REFERENCE_STAGES / max(stages, 1))
    # the status quo wins early; later exits are fewer but firmer
    return base * (1.15 - 0.35 * fraction)


def no_decision_share(index: int, stages: int) -> float:
    """Default model: share of the exits at ``index`` that are 'no decision' (the rest lost)."""
    fraction = index / max(stages - 1, 1)
    return 0.75 - 0.55 * fraction


def playbook_scenario(playbook: Playbook) -> Scenario:
    """The default model of a playbook without a shipped scenario, as a valid scenario.

    Working stages before the won end advance to the next stage or end with
    :func:`hazard`; stages after a won end (never reached by a trip) only end.
    """
    order = playbook.journey_order
    won = min(order.index(key) for key in playbook.won_stages)
    walked = playbook.stages[:won]
    specs: dict[str, StageSpec] = {}
    for index, stage in enumerate(walked):
        exit_chance = hazard(index, len(walked))
        quiet = no_decision_share(index, len(walked))
        specs[stage.key] = StageSpec(
            advance=1.0 - exit_chance,
            back=0.0,
            lost=exit_chance * (1.0 - quiet),
            no_decision=exit_chance * quiet,
            days=_stage_days(stage),
        )
    for stage in playbook.stages[won:]:
        if stage.end != "won":
            specs[stage.key] = StageSpec(
                advance=0.0, back=0.0, lost=0.0, no_decision=1.0, days=_stage_days(stage)
            )
    scenario = Scenario(
        title=f"{playbook.title}, the demo's default model",
        playbook=playbook.key,
        description="Derived from the playbook's durations and the demo's exit hazard.",
        value=Value(p50=45_000, p90=150_000),
        stages=specs,
    )
    problems = check_scenario(scenario, playbook)
    if problems:
        raise InvalidInput("; ".join(p.message for p in problems), where="playbook")
    return scenario


def _stage_days(stage: Stage) -> Days:
    # a stage given as one fixed time still gets some spread
    p90 = max(stage.duration.p90, stage.duration.p50 * 1.05)
    return Days(p50=stage.duration.p50, p90=p90)
