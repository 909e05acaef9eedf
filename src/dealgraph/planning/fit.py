"""Fit a scenario from the workspace's history: what deals on a playbook actually did.

Each deal's stage changes are walked into visits. A visit ends by a move to another stage
(forward is an advance, backward a regression), or, for the deal's last stage, by its
close: won (an advance to the won end), lost or no decision. The visit still open on an
open deal is left out (it has not ended). Per stage:

- probabilities: the share of counted exits of each kind, each stage's counts topped up
  with ``prior_exits`` pseudo-exits spread in the workspace's pooled proportions, so a
  rarely seen stage is not certain of anything (``prior_exits=0`` gives the raw shares);
- channel mix: interactions that happened during the stage's timed visits, per visit;
- days: the median and p90 of the timed visits when there are at least ``min_visits``,
  else the playbook's own p50/p90.

Per channel, hours are the mean ``effort_hours`` of the plays run on it (else a default),
and cost is hours times :data:`HOURLY_RATE` plus the channel's expenses. Deal value is the
median and p90 of the deals in the most common currency.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.engagement import days_between
from dealgraph.core.enums import Channel, DealStatus
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.scenario import (
    ChannelCost,
    Days,
    Scenario,
    StageSpec,
    Value,
    default_advance,
    default_back,
    working_stages,
)
from dealgraph.planning.scenario_check import check_scenario

HOURLY_RATE = 90.0
"""Loaded cost of one seller hour used for fitted channel costs, in the deals' currency."""

DEFAULT_HOURS: dict[str, float] = {
    Channel.FIELD: 3.0,
    Channel.INSIDE: 0.75,
    Channel.VIRTUAL: 1.0,
    Channel.SOCIAL: 0.25,
    Channel.EMAIL: 0.25,
    Channel.PHONE: 0.5,
    Channel.EVENT: 4.0,
}
"""Seller hours per interaction for a channel on which no play with an effort was run."""

EXPENSES: dict[str, float] = {Channel.FIELD: 250.0, Channel.EVENT: 150.0}
"""Out-of-pocket cost per interaction on top of the seller's time (travel, venues)."""

MIN_DAYS = 0.1
"""Shortest visit a fitted median may have (a same-moment skip is not zero days)."""

EXIT_KINDS = ("advance", "back", "lost", "no_decision")


class FitReport(BaseModel):
    """What the fit was made of: deals, exits and timed visits per stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deals: int = Field(description="deals on the playbook")
    closed: int = Field(description="deals won, lost or ended with no decision")
    exits: dict[str, int] = Field(description="counted visit exits per stage")
    timed_visits: dict[str, int] = Field(description="visits with known days per stage")
    days_from: dict[str, str] = Field(description="'history' or 'playbook' per stage")
    interactions: int = Field(description="interactions placed in a timed visit")


class FitResult(BaseModel):
    """A fitted scenario and the report of what it was fitted from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: Scenario
    report: FitReport


@dataclass
class _Visit:
    stage: str
    entered: datetime | None
    left: datetime | None
    to: str | None  # a stage key, "won", "lost", "no_decision"; None while still open


@dataclass
class _Counts:
    exits: Counter[str] = field(default_factory=Counter)
    advance_to: Counter[str] = field(default_factory=Counter)
    back_to: Counter[str] = field(default_factory=Counter)
    days: list[float] = field(default_factory=list)
    interactions: Counter[str] = field(default_factory=Counter)


def fit_scenario(
    records: Iterable[DealRecord],
    playbook: Playbook,
    *,
    prior_exits: float = 1.0,
    min_visits: int = 5,
    title: str | None = None,
) -> FitResult:
    """The scenario the deals on ``playbook`` imply; InvalidInput when nothing has moved.

    Example:
        >>> result = fit_scenario(records, playbook)  # doctest: +SKIP
        >>> result.scenario.stages["define_problem"].advance  # doctest: +SKIP
        0.812
    """
    if prior_exits < 0 or min_visits < 1:
        raise InvalidInput("prior_exits must be >= 0 and min_visits >= 1", where="fit")
    working = working_stages(playbook)
    counts = {key: _Counts() for key in working}
    chosen = [r for r in records if r.deal.playbook == playbook.key]
    efforts: dict[str, list[float]] = defaultdict(list)
    placed = 0
    for record in chosen:
        visits = _visits(record, playbook)
        for visit in visits:
            if visit.stage in counts:
                placed += _count(counts[visit.stage], visit, record, playbook)
        _efforts(record, playbook, efforts)
    pooled = Counter[str]()
    for stage_counts in counts.values():
        pooled.update(stage_counts.exits)
    if not sum(pooled.values()):
        raise InvalidInput(
            f"no deal on playbook {playbook.key!r} has left a stage yet: nothing to fit",
            where="playbook",
        )
    stages = {
        key: _stage(playbook, key, counts[key], pooled, prior_exits, min_visits) for key in working
    }
    channels = sorted({c for spec in stages.values() for c in spec.mix})
    closed = sum(1 for r in chosen if r.deal.status != DealStatus.OPEN)
    scenario = Scenario(
        title=title or f"{playbook.title}, fitted from {len(chosen)} deals",
        playbook=playbook.key,
        description=(
            f"Fitted from the workspace: {len(chosen)} deals ({closed} closed), "
            f"{sum(pooled.values())} stage exits, {placed} interactions."
        ),
        value=_value(chosen),
        channels={c: _channel_cost(c, efforts.get(c, [])) for c in channels},
        stages=stages,
    )
    problems = check_scenario(scenario, playbook)
    if problems:
        raise InvalidInput("; ".join(p.message for p in problems), where="fit")
    report = FitReport(
        deals=len(chosen),
        closed=closed,
        exits={key: sum(c.exits.values()) for key, c in counts.items()},
        timed_visits={key: len(c.days) for key, c in counts.items()},
        days_from={
            key: "history" if len(c.days) >= min_visits else "playbook" for key, c in counts.items()
        },
        interactions=placed,
    )
    return FitResult(scenario=scenario, report=report)


def _visits(record: DealRecord, playbook: Playbook) -> list[_Visit]:
    """The deal's stage visits in order, each with how it ended (None: still open)."""
    changes = sorted(
        record.stage_changes, key=lambda c: (c.changed_at, c.id if c.id is not None else -1)
    )
    deal = record.deal
    if changes:
        stage = changes[0].from_stage or playbook.start_stage
        entered: datetime | None = deal.created_at
    else:
        stage = deal.stage or playbook.start_stage
        # without history, only a deal still at the start stage is known to have entered it
        entered = deal.created_at if stage == playbook.start_stage else None
    visits: list[_Visit] = []
    for change in changes:
        if change.to_stage == stage:
            continue
        timed = entered is not None and change.changed_at >= entered
        visits.append(_Visit(stage, entered, change.changed_at if timed else None, change.to_stage))
        stage, entered = change.to_stage, change.changed_at
    if stage in playbook.journey_order and playbook.stage(stage).end == "won":
        return visits
    if deal.status != DealStatus.OPEN:
        left = deal.closed_at if entered is not None and deal.closed_at else None
        visits.append(_Visit(stage, entered, left, deal.status.value))
    return visits


def _count(counts: _Counts, visit: _Visit, record: DealRecord, playbook: Playbook) -> int:
    """Add one visit's exit, days and interactions; returns interactions placed."""
    target = visit.to
    if target is None:
        return 0
    if target in ("lost", "no_decision"):
        counts.exits[target] += 1
    else:
        if target == "won":
            target = playbook.won_stages[0]
        if target not in playbook.journey_order:
            return 0
        forward = playbook.stage_index(target) > playbook.stage_index(visit.stage)
        counts.exits["advance" if forward else "back"] += 1
        (counts.advance_to if forward else counts.back_to)[target] += 1
    if visit.entered is None or visit.left is None:
        return 0
    counts.days.append(max(days_between(visit.entered, visit.left), 0.0))
    first = visit.entered == record.deal.created_at
    placed = 0
    for interaction in record.interactions:
        at = interaction.occurred_at
        if (visit.entered < at or (first and at == visit.entered)) and at <= visit.left:
            counts.interactions[interaction.channel.value] += 1
            placed += 1
    return placed


def _efforts(record: DealRecord, playbook: Playbook, efforts: dict[str, list[float]]) -> None:
    plays = {play.key: play.effort_hours for play in playbook.plays}
    for interaction in record.interactions:
        if interaction.play in plays:
            efforts[interaction.channel.value].append(plays[interaction.play])


def _stage(
    playbook: Playbook,
    key: str,
    counts: _Counts,
    pooled: Counter[str],
    prior_exits: float,
    min_visits: int,
) -> StageSpec:
    forward, backward = default_advance(playbook, key), default_back(playbook, key)
    open_kinds = [
        kind
        for kind in EXIT_KINDS
        if (kind != "advance" or forward or counts.advance_to)
        and (kind != "back" or backward or counts.back_to)
    ]
    pooled_total = sum(pooled[kind] for kind in open_kinds)
    prior = {
        kind: prior_exits * pooled[kind] / pooled_total if pooled_total else 0.0
        for kind in open_kinds
    }
    weight = {kind: counts.exits[kind] + prior.get(kind, 0.0) for kind in EXIT_KINDS}
    total = sum(weight.values())
    if total <= 0:
        weight, total = dict.fromkeys(EXIT_KINDS, 0.0), 1.0
        weight["advance" if forward else "lost"] = 1.0
    probability = {kind: weight[kind] / total for kind in EXIT_KINDS}
    advance_to = _spread(counts.advance_to, forward, prior.get("advance", 0.0))
    back_to = _spread(counts.back_to, backward, prior.get("back", 0.0))
    timed = len(counts.days)
    return StageSpec(
        mix={c: n / timed for c, n in sorted(counts.interactions.items())} if timed else {},
        advance=probability["advance"],
        advance_to=advance_to if probability["advance"] > 0 else None,
        back=probability["back"],
        back_to=back_to if probability["back"] > 0 else None,
        lost=probability["lost"],
        no_decision=probability["no_decision"],
        days=_days(playbook, key, counts.days, min_visits),
    )


def _spread(targets: Counter[str], default: str | None, pseudo: float) -> dict[str, float] | None:
    """Shares of the moves by target; None when every move goes to the default target."""
    weights = {key: float(n) for key, n in targets.items()}
    if default is not None and pseudo > 0:
        weights[default] = weights.get(default, 0.0) + pseudo
    total = sum(weights.values())
    if total <= 0 or set(weights) <= ({default} if default else set()):
        return None
    return {key: weights[key] / total for key in sorted(weights)}


def _days(playbook: Playbook, key: str, days: list[float], min_visits: int) -> Days:
    if len(days) < min_visits:
        duration = playbook.stage(key).duration
        return Days(p50=duration.p50, p90=max(duration.p90, duration.p50))
    p50, p90 = (float(x) for x in np.quantile(days, [0.5, 0.9]))
    p50 = max(p50, MIN_DAYS)
    return Days(p50=p50, p90=max(p90, p50))


def _value(records: list[DealRecord]) -> Value:
    currencies = Counter(r.deal.currency for r in records)
    currency = currencies.most_common(1)[0][0] if currencies else "USD"
    values = [r.deal.value for r in records if r.deal.currency == currency and r.deal.value > 0]
    if not values:
        return Value(p50=0.0, p90=0.0, currency=currency)
    p50, p90 = (float(x) for x in np.quantile(values, [0.5, 0.9]))
    return Value(p50=p50, p90=max(p90, p50), currency=currency)


def _channel_cost(channel: str, efforts: list[float]) -> ChannelCost:
    hours = sum(efforts) / len(efforts) if efforts else DEFAULT_HOURS.get(channel, 1.0)
    return ChannelCost(hours=hours, cost=hours * HOURLY_RATE + EXPENSES.get(channel, 0.0))
