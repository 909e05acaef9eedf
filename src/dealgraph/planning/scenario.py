"""The playbook simulation model: what a scenario file declares, after validation.

A scenario describes, for every working stage of one playbook (the stages before its won
end), what a visit of the stage costs and where it leads: the channel mix (interactions
per visit by channel), the probabilities to advance, go back, be lost or end with no
decision, and the time spent in the stage. Per channel it gives the seller's hours and the
cost of one interaction, and it gives the deal value distribution. ``fit.py`` learns one
from the workspace's history; ``scenario_load.py`` reads one from YAML with located errors;
``markov.py`` and ``simulation.py`` run it.
"""

from __future__ import annotations

import math
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.playbook.schema import Playbook

Z90 = 1.2815515655446004
"""The 90th percentile of the standard normal: p90 = p50 * exp(sigma * Z90)."""

OUTCOMES = ("advance", "back", "lost", "no_decision")
"""How a stage visit can end; the four probabilities of a stage sum to 1."""

WON = "won"
"""The target key every won-end stage of the playbook stands for."""

SUM_TOLERANCE = 1e-6
"""How far from 1 a set of probabilities may sum (rounding in files written by hand)."""

NonNegative = Annotated[float, Field(ge=0)]
Probability = Annotated[float, Field(ge=0, le=1)]


class Spec(BaseModel):
    """Base of every scenario element: unknown keys are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Days(Spec):
    """Time in a stage per visit: a lognormal given by its median and its p90 or its shape."""

    p50: float = Field(gt=0, description="median days of one visit")
    p90: float | None = Field(default=None, gt=0, description="90th percentile of days")
    sigma: float | None = Field(default=None, ge=0, description="lognormal shape (log-days sd)")

    @property
    def shape(self) -> float:
        """The lognormal sigma: given, or from p50 and p90 (0 when p90 is missing or equal)."""
        if self.sigma is not None:
            return self.sigma
        if self.p90 is None or self.p90 <= self.p50:
            return 0.0
        return math.log(self.p90 / self.p50) / Z90

    @property
    def mean(self) -> float:
        """Expected days of one visit: p50 * exp(sigma^2 / 2)."""
        return self.p50 * math.exp(self.shape**2 / 2)


class Value(Spec):
    """Deal value: a lognormal from its median and 90th percentile, in one currency."""

    p50: float = Field(ge=0, description="median deal value (0: deals carry no value)")
    p90: float = Field(ge=0, description="90th percentile of deal value")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

    @property
    def shape(self) -> float:
        """The lognormal sigma of deal value."""
        if self.p50 <= 0 or self.p90 <= self.p50:
            return 0.0
        return math.log(self.p90 / self.p50) / Z90

    @property
    def mean(self) -> float:
        """Expected deal value."""
        return self.p50 * math.exp(self.shape**2 / 2)


class ChannelCost(Spec):
    """What one interaction on a channel takes: the seller's hours and its cost."""

    hours: float = Field(ge=0, description="seller hours per interaction")
    cost: float = Field(ge=0, description="cost per interaction (time and expenses)")


class StageSpec(Spec):
    """One working stage: its channel mix, where a visit leads, and how long it lasts."""

    mix: dict[str, NonNegative] = Field(
        default_factory=dict, description="interactions per visit of the stage, by channel"
    )
    advance: Probability = Field(description="probability that a visit ends moving forward")
    advance_to: dict[str, NonNegative] | None = Field(
        default=None, description="shares of the forward moves by target (default: next stage)"
    )
    back: Probability = Field(description="probability that a visit ends moving back")
    back_to: dict[str, NonNegative] | None = Field(
        default=None, description="shares of the back moves by target (default: previous stage)"
    )
    lost: Probability = Field(description="probability that the deal is lost in a visit")
    no_decision: Probability = Field(description="probability that the buyer stops deciding")
    days: Days


class Scenario(Spec):
    """A whole design: stage transitions per channel mix, channel costs and deal value."""

    title: str = Field(min_length=1)
    playbook: str = Field(min_length=1, description="key of the playbook whose stages it uses")
    description: str = ""
    value: Value
    channels: dict[str, ChannelCost] = Field(
        default_factory=dict, description="hours and cost of one interaction, by channel"
    )
    stages: dict[str, StageSpec] = Field(min_length=1)


def working_stages(playbook: Playbook) -> list[str]:
    """Stages that are not a won end, in journey order: the transient states of the chain."""
    return [stage.key for stage in playbook.stages if stage.end != "won"]


def default_advance(playbook: Playbook, stage: str) -> str | None:
    """Where an advance leads by default: the next stage in journey order (None at the end)."""
    order = playbook.journey_order
    index = order.index(stage)
    return order[index + 1] if index + 1 < len(order) else None


def default_back(playbook: Playbook, stage: str) -> str | None:
    """Where a move back leads by default: the previous working stage (None at the start)."""
    order = [key for key in playbook.journey_order if playbook.stage(key).end != "won"]
    index = order.index(stage)
    return order[index - 1] if index > 0 else None


def target_shares(playbook: Playbook, stage: str, spec: StageSpec) -> dict[str, float]:
    """Probability of each next state after a visit of ``stage``, won ends folded into WON.

    Keys are working-stage keys, ``won``, ``lost`` and ``no_decision``; zero entries are
    left out. The scenario must be valid (the loader checks the targets exist).
    """
    shares: dict[str, float] = {}

    def add(key: str, probability: float) -> None:
        if probability > 0:
            target = WON if playbook.stage(key).end == "won" else key
            shares[target] = shares.get(target, 0.0) + probability

    for kind, spread, fallback in (
        ("advance", spec.advance_to, default_advance(playbook, stage)),
        ("back", spec.back_to, default_back(playbook, stage)),
    ):
        probability = float(getattr(spec, kind))
        if probability <= 0:
            continue
        if spread:
            total = sum(spread.values())
            for key, share in spread.items():
                add(key, probability * share / total)
        elif fallback is not None:
            add(fallback, probability)
    for kind in ("lost", "no_decision"):
        if getattr(spec, kind) > 0:
            shares[kind] = float(getattr(spec, kind))
    return shares


def scenario_yaml(scenario: Scenario, *, header: str = "") -> str:
    """The scenario as a scenario file: readable numbers, probabilities still summing to 1.

    Probabilities and shares are rounded to 4 decimals with the rounding error put on the
    largest one, so the file loads back valid; other numbers keep 4 significant decimals.
    """
    stages: dict[str, object] = {}
    for key, spec in scenario.stages.items():
        rounded = _round_to_one({kind: getattr(spec, kind) for kind in OUTCOMES})
        entry: dict[str, object] = {
            "mix": {channel: _number(count) for channel, count in spec.mix.items() if count > 0}
        }
        entry["advance"] = rounded["advance"]
        if spec.advance_to is not None:
            entry["advance_to"] = _round_to_one(spec.advance_to)
        entry["back"] = rounded["back"]
        if spec.back_to is not None:
            entry["back_to"] = _round_to_one(spec.back_to)
        entry["lost"] = rounded["lost"]
        entry["no_decision"] = rounded["no_decision"]
        entry["days"] = {
            name: _number(value)
            for name, value in spec.days.model_dump().items()
            if value is not None
        }
        stages[key] = entry
    document: dict[str, object] = {
        "title": scenario.title,
        "playbook": scenario.playbook,
        "description": scenario.description,
        "value": {
            "p50": _number(scenario.value.p50),
            "p90": _number(scenario.value.p90),
            "currency": scenario.value.currency,
        },
        "channels": {
            channel: {"hours": _number(cost.hours), "cost": _number(cost.cost)}
            for channel, cost in scenario.channels.items()
        },
        "stages": stages,
    }
    if not scenario.description:
        del document["description"]
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=92)
    prefix = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return prefix + body


def _number(value: float) -> float | int:
    rounded = round(float(value), 4)
    return int(rounded) if rounded.is_integer() else rounded


def _round_to_one(values: dict[str, float]) -> dict[str, float | int]:
    """Values rounded to 4 decimals that still sum to exactly 1 when they summed to 1."""
    total = sum(values.values())
    if not values or abs(total - 1.0) > SUM_TOLERANCE:
        return {key: _number(value) for key, value in values.items()}
    units = {key: round(value * 10_000) for key, value in values.items()}
    largest = max(values, key=lambda key: values[key])
    units[largest] += 10_000 - sum(units.values())
    return {key: _number(unit / 10_000) for key, unit in units.items()}
