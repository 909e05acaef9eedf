"""The deal GPS: where the buyer is, the route left, when they will get there, what to do next.

``gps`` is pure and deterministic for a given seed; ``GpsReport.model_dump(mode="json")``
is what ``dealgraph deal gps --json`` prints. docs/gps-and-signals.md explains each part.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.context import (
    current_stage,
    deal_context,
    evidenced_criteria,
    naive_utc,
    open_decisions,
    stage_entered_at,
)
from dealgraph.core.decisions import critical_path
from dealgraph.core.engagement import days_between, engaged_stakeholders
from dealgraph.core.enums import DealStatus
from dealgraph.core.eta import Source, simulate_remaining_days, stage_model
from dealgraph.core.history import History
from dealgraph.core.model import DealRecord, Decision, Stakeholder
from dealgraph.core.playbook.schema import Playbook
from dealgraph.core.signals import RuleFailure, Signal, evaluate_signals, rule_holds


class Report(BaseModel):
    """Base of the GPS report parts."""

    model_config = ConfigDict(extra="forbid")


class CriterionRef(Report):
    """An exit criterion by key and title."""

    key: str
    title: str


class RouteStage(Report):
    """A stage still ahead, with its expected days."""

    key: str
    title: str
    p50_days: float
    p90_days: float
    source: Source
    end: Literal["won"] | None = None


class CriticalStep(Report):
    """An open decision on the critical path."""

    decision_id: int
    title: str
    days: int
    cumulative_days: int


class Eta(Report):
    """When the deal is expected to close, from the Monte Carlo over the route."""

    p50: date
    p90: date
    p50_days: float
    p90_days: float
    expected_close: date | None
    p_on_time: float | None = Field(description="P(close by expected_close); None when unset")
    source_by_stage: dict[str, Source]
    trials: int
    seed: int


class NextPlay(Report):
    """A play that would produce missing exit criteria, with how well it has worked."""

    key: str
    title: str
    purpose: str
    criteria: list[CriterionRef]
    suggested_channel: str
    effectiveness: float = Field(description="(advanced + 1) / (attempts + 2) on that channel")
    attempts: int
    advanced: int
    effort_hours: float
    questions: list[str]
    roles: list[str]
    roles_not_engaged: list[str]


class MissingRoles(Report):
    """Roles an open decision needs that no engaged stakeholder holds."""

    decision_id: int
    title: str
    roles: list[str]


class LevelGap(Report):
    """An open decision whose engaged people are below the level it needs."""

    decision_id: int
    title: str
    needed_level: int
    highest_engaged_level: int
    owners_engaged: list[int] = Field(description="engaged stakeholders the level was read from")
    basis: Literal["owners", "roles", "engaged"]


class ContingencyHit(Report):
    """A contingency of the current stage whose rule holds on the deal."""

    when: str
    advice: str
    play: str | None


class GpsReport(Report):
    """The deal's GPS at ``as_of``."""

    deal_id: int | None
    as_of: datetime
    status: str
    stage: str
    stage_title: str
    stage_index: int
    stage_count: int
    days_in_stage: int
    progress: float
    evidenced: list[CriterionRef]
    missing_criteria: list[CriterionRef]
    route: list[RouteStage]
    critical_path: list[CriticalStep]
    critical_path_days: int
    eta: Eta | None
    next_plays: list[NextPlay]
    missing_roles: list[MissingRoles]
    level_gaps: list[LevelGap]
    contingencies: list[ContingencyHit]
    rule_errors: list[str] = Field(default_factory=list)
    signals: list[Signal]


def gps(
    record: DealRecord,
    playbook: Playbook,
    history: History,
    *,
    seed: int = 0,
    as_of: datetime | None = None,
    min_history: int = 30,
    trials: int = 2000,
) -> GpsReport:
    """The GPS of one deal: position, progress, route, critical path, ETA, plays, gaps, signals.

    Example:
        >>> report = gps(record, playbook, History(), seed=1, as_of=datetime(2025, 3, 1))
        >>> report.stage, report.eta.p50  # doctest: +SKIP
        ('define_problem', datetime.date(2025, 6, 2))
    """
    as_of = naive_utc(as_of) if as_of is not None else datetime.now(UTC).replace(tzinfo=None)
    stage = current_stage(record, playbook)
    spec = playbook.stage(stage)
    is_open = record.deal.status == DealStatus.OPEN
    evidenced = evidenced_criteria(record)
    missing = [c for c in spec.exit if c not in evidenced]
    context = deal_context(record, playbook, as_of=as_of)
    days_in_stage = context["days_in_stage"]
    assert isinstance(days_in_stage, int)
    hits, rule_errors = _contingencies(playbook, stage, context) if is_open else ([], [])
    path = critical_path(record.decisions) if is_open else []
    return GpsReport(
        deal_id=record.deal.id,
        as_of=as_of,
        status=record.deal.status.value,
        stage=stage,
        stage_title=spec.title,
        stage_index=playbook.stage_index(stage),
        stage_count=len(playbook.stages),
        days_in_stage=days_in_stage,
        progress=progress(record, playbook, stage),
        evidenced=[_criterion(playbook, c) for c in spec.exit if c in evidenced],
        missing_criteria=[_criterion(playbook, c) for c in missing],
        route=_route(playbook, history, stage, min_history) if is_open else [],
        critical_path=[
            CriticalStep(
                decision_id=s.decision_id,
                title=s.title,
                days=s.days,
                cumulative_days=s.cumulative_days,
            )
            for s in path
        ],
        critical_path_days=path[-1].cumulative_days if path else 0,
        eta=_eta(record, playbook, history, stage, as_of, seed, min_history, trials)
        if is_open
        else None,
        next_plays=next_plays(record, playbook, history, missing) if is_open else [],
        missing_roles=missing_roles(record, playbook) if is_open else [],
        level_gaps=level_gaps(record) if is_open else [],
        contingencies=hits,
        rule_errors=rule_errors,
        signals=evaluate_signals(record, playbook, history, as_of=as_of, min_history=min_history),
    )


def progress(record: DealRecord, playbook: Playbook, stage: str) -> float:
    """(stages before this one + share of its exit criteria evidenced) / stages; 1.0 when won."""
    if record.deal.status == DealStatus.WON:
        return 1.0
    exit_criteria = playbook.stage(stage).exit
    evidenced = evidenced_criteria(record)
    share = sum(c in evidenced for c in exit_criteria) / len(exit_criteria) if exit_criteria else 0
    value = (playbook.stage_index(stage) + share) / len(playbook.stages)
    return round(min(1.0, max(0.0, value)), 4)


def _criterion(playbook: Playbook, key: str) -> CriterionRef:
    try:
        return CriterionRef(key=key, title=playbook.criterion(key).title)
    except KeyError:
        return CriterionRef(key=key, title=key)


def _route(playbook: Playbook, history: History, stage: str, min_history: int) -> list[RouteStage]:
    route = []
    for key in playbook.route(stage):
        model = stage_model(key, playbook, history, min_history=min_history)
        route.append(
            RouteStage(
                key=key,
                title=playbook.stage(key).title,
                p50_days=round(model.p50, 1),
                p90_days=round(model.p90, 1),
                source=model.source,
                end=playbook.stage(key).end,
            )
        )
    return route


def _eta(
    record: DealRecord,
    playbook: Playbook,
    history: History,
    stage: str,
    as_of: datetime,
    seed: int,
    min_history: int,
    trials: int,
) -> Eta:
    # Reaching a won end closes the deal, so its own duration does not count.
    remaining = [k for k in playbook.route(stage) if playbook.stage(k).end != "won"]
    models = [stage_model(k, playbook, history, min_history=min_history) for k in remaining]
    spent = max(0.0, days_between(stage_entered_at(record, stage), as_of))
    if models and models[0].stage == stage:
        days = simulate_remaining_days(models, days_in_current=spent, seed=seed, trials=trials)
    else:
        days = np.zeros(trials)
    p50_days, p90_days = (float(q) for q in np.quantile(days, [0.5, 0.9]))
    expected = record.deal.expected_close
    p_on_time: float | None = None
    if expected is not None:
        deadline = days_between(as_of, datetime.combine(expected + timedelta(days=1), time()))
        p_on_time = round(float(np.mean(days < deadline)), 4)
    return Eta(
        p50=(as_of + timedelta(days=p50_days)).date(),
        p90=(as_of + timedelta(days=p90_days)).date(),
        p50_days=round(p50_days, 2),
        p90_days=round(p90_days, 2),
        expected_close=expected,
        p_on_time=p_on_time,
        source_by_stage={m.stage: m.source for m in models},
        trials=trials,
        seed=seed,
    )


def effectiveness(history: History, play: str, channel: str) -> tuple[float, int, int]:
    """(Laplace-smoothed share advanced, attempts, advanced) of a play on a channel."""
    attempts, advanced = history.play_counts(play, channel)
    return (advanced + 1) / (attempts + 2), attempts, advanced


def next_plays(
    record: DealRecord, playbook: Playbook, history: History, missing: list[str]
) -> list[NextPlay]:
    """Plays producing missing criteria: most criteria, best channel, least effort first."""
    engaged_role_values = {s.role.value for s in engaged_stakeholders(record)}
    ranked: list[tuple[tuple[float, float, float, int], NextPlay]] = []
    for order, play in enumerate(playbook.plays):
        covered = [c for c in missing if c in play.outcome]
        if not covered:
            continue
        # max() keeps the first of equals, so ties go to the play's own channel order.
        scored = [(effectiveness(history, play.key, c.value), c.value) for c in play.channels]
        (score, attempts, advanced), channel = max(scored, key=lambda item: item[0][0])
        roles = [r.value for r in play.roles]
        item = NextPlay(
            key=play.key,
            title=play.title,
            purpose=play.purpose,
            criteria=[_criterion(playbook, c) for c in covered],
            suggested_channel=channel,
            effectiveness=round(score, 4),
            attempts=attempts,
            advanced=advanced,
            effort_hours=play.effort_hours,
            questions=list(play.questions),
            roles=roles,
            roles_not_engaged=[r for r in roles if r not in engaged_role_values],
        )
        ranked.append(((-len(covered), -score, play.effort_hours, order), item))
    return [item for _, item in sorted(ranked, key=lambda pair: pair[0])]


def _decision_roles(decision: Decision, playbook: Playbook) -> list[str]:
    if decision.roles or decision.key is None:
        return [r.value for r in decision.roles]
    try:
        return [r.value for r in playbook.decision_template(decision.key).roles]
    except KeyError:
        return []


def missing_roles(record: DealRecord, playbook: Playbook) -> list[MissingRoles]:
    """Per open decision, the roles it needs that no engaged stakeholder holds."""
    engaged_role_values = {s.role.value for s in engaged_stakeholders(record)}
    found = []
    for decision in open_decisions(record):
        absent = [r for r in _decision_roles(decision, playbook) if r not in engaged_role_values]
        if absent and decision.id is not None:
            found.append(MissingRoles(decision_id=decision.id, title=decision.title, roles=absent))
    return found


def level_gaps(record: DealRecord) -> list[LevelGap]:
    """Per open decision, a gap when no engaged owner is at or above the level it needs.

    Owners are read first; a decision without owners is read through the engaged holders
    of its roles, and one without roles through everybody engaged.
    """
    engaged = engaged_stakeholders(record)
    gaps = []
    for decision in open_decisions(record):
        basis: Literal["owners", "roles", "engaged"]
        people: list[Stakeholder]
        if decision.owners:
            basis, people = "owners", [s for s in engaged if s.id in decision.owners]
        elif decision.roles:
            basis, people = "roles", [s for s in engaged if s.role in decision.roles]
        else:
            basis, people = "engaged", engaged
        highest = max((s.level for s in people), default=0)
        if highest < decision.level and decision.id is not None:
            gaps.append(
                LevelGap(
                    decision_id=decision.id,
                    title=decision.title,
                    needed_level=decision.level,
                    highest_engaged_level=highest,
                    owners_engaged=sorted(s.id for s in people if s.id is not None),
                    basis=basis,
                )
            )
    return gaps


def _contingencies(
    playbook: Playbook, stage: str, context: dict[str, object]
) -> tuple[list[ContingencyHit], list[str]]:
    hits: list[ContingencyHit] = []
    errors: list[str] = []
    for index, contingency in enumerate(playbook.stage(stage).contingencies):
        try:
            holds = rule_holds(contingency.when, context)
        except RuleFailure as failure:
            errors.append(f"stages -> {stage} -> contingencies -> {index}: {failure}")
            continue
        if holds:
            hits.append(
                ContingencyHit(
                    when=contingency.when, advice=contingency.advice, play=contingency.play
                )
            )
    return hits, errors
