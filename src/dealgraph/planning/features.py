"""What a deal looked like at a point in time, as named features for the win-probability model.

A closed deal is featurised at several snapshot times before its close (its creation, every
30 days of its life and each stage entry), never at or after the close; its label is the
final outcome. ``known_at`` rebuilds what the seller could see at a snapshot and nothing
later, and the signals run on that view with the playbook's own stage durations, so a
snapshot never sees statistics learned from deals that closed after it.

Example:
    >>> rows = deal_snapshots(record, playbook, teams={"Ana Ruiz": "East"})  # doctest: +SKIP
    >>> rows[0].values["days_since_last_interaction"], rows[0].won  # doctest: +SKIP
    (3.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from dealgraph.core.context import cadence, close_date_slips, deal_context
from dealgraph.core.engagement import days_between, is_reply
from dealgraph.core.enums import DealStatus, DecisionStatus, Influence, Role
from dealgraph.core.history import History
from dealgraph.core.model import DealRecord, Decision
from dealgraph.core.playbook.schema import Playbook
from dealgraph.core.signals import BUILTIN_SIGNALS, evaluate_signals
from dealgraph.planning.win_model import Dataset
from dealgraph.planning.words import CHANNEL_WORDS, ROLE_WORDS, Words

FEATURES_VERSION = 1
"""Bumped whenever a feature is added, removed or computed differently: stored models made
with another version are retrained rather than fed rows they were not made for."""
SNAPSHOT_EVERY_DAYS = 30
"""A closed deal gets a snapshot at creation and then every this many days of its life."""
CADENCE_CAP = 3.0
"""The cadence ratio (last 30 days against the deal's baseline) is capped here."""
INFLUENCE_WEIGHT = {Influence.LOW: 1.0, Influence.MEDIUM: 2.0, Influence.HIGH: 3.0}
KEY_ROLES = (
    Role.ECONOMIC_BUYER,
    Role.DECISION_MAKER,
    Role.CHAMPION,
    Role.APPROVER,
    Role.EVALUATOR,
    Role.USER,
)
CATEGORICAL = ("stage", "segment", "industry", "region", "team", "owner")
"""Text features: one-hot encoded by the model (rare values grouped)."""
BASELINE_FIELDS = ("stage", "team", "segment", "industry", "region")
"""Fields of the naive-Bayes baseline: stage and team always, then what the account says."""
EMPHASISED = ("stage", "stage_number")
"""The logistic model penalises these less: where the buyer is matters most, and it is
measured on every deal (see docs/decisions/2026-11-23-win-model.md)."""
NONE = "(none)"

Value = float | str


@dataclass(frozen=True)
class Snapshot:
    """One row of the model: a deal's features at ``at`` and, when closed, how it ended."""

    deal_id: int
    at: datetime
    closed_at: datetime | None
    won: bool | None
    values: dict[str, Value]


def _numeric_words() -> dict[str, Words]:
    words = {
        "stage_number": Words("Buyer at journey stage {v:.0f}"),
        "days_in_stage": Words(
            "{v:.0f} days in the current stage", one="1 day in the current stage"
        ),
        "age_days": Words("Deal {v:.0f} days old", one="Deal 1 day old"),
        "criteria_evidenced": Words(
            "{v:.0f} exit criteria evidenced", one="1 exit criterion evidenced"
        ),
        "stakeholders": Words(
            "{v:.0f} people on the buying team", one="1 person on the buying team"
        ),
        "engaged": Words(
            "{v:.0f} people engaged",
            one="1 person engaged",
            zero="Nobody on the buying team engaged",
        ),
    }
    for role in KEY_ROLES:
        name = ROLE_WORDS[role]
        words[f"{role.value}_engaged"] = Words(f"{name} engaged", negative=f"{name} not engaged")
    words |= {
        "economic_buyer_known": Words(
            "Economic buyer identified", negative="No economic buyer identified"
        ),
        "champion_known": Words("Champion identified", negative="No champion identified"),
        "highest_engaged_level": Words(
            "Highest engaged person at level {v:.0f}", zero="Nobody engaged at any level"
        ),
        "level_gap": Words(
            "Engaged people {v:.0f} levels below what open decisions need",
            one="Engaged people 1 level below what open decisions need",
            zero="Engaged people at the level open decisions need",
        ),
        "decisions_made": Words("{v:.0%} of the buyer's decisions made"),
        "stance_balance": Words(
            "Stance balance {v:+.0f} (supporters minus opponents, by influence)"
        ),
        "high_influence_opponents": Words(
            "{v:.0f} high-influence opponents",
            one="1 high-influence opponent",
            zero="No high-influence opponent",
        ),
        "interactions_last_30d": Words(
            "{v:.0f} interactions in the last 30 days",
            one="1 interaction in the last 30 days",
            zero="No interaction in the last 30 days",
        ),
        "cadence_ratio": Words("Cadence at {v:.0%} of the deal's own baseline"),
        "days_since_last_interaction": Words(
            "{v:.0f} days since last interaction", one="1 day since last interaction"
        ),
        "days_since_last_reply": Words(
            "{v:.0f} days since the buyer last replied", one="1 day since the buyer last replied"
        ),
        "reply_share": Words("{v:.0%} of touches answered by the buyer"),
        "advanced_share": Words("{v:.0%} of touches advanced the deal"),
        "setback_share": Words("{v:.0%} of touches were setbacks"),
    }
    for channel, phrase in CHANNEL_WORDS.items():
        words[f"channel_{channel.value}"] = Words(f"{{v:.0%}} of touches {phrase}")
    for spec in BUILTIN_SIGNALS:
        words[f"signal_{spec.key}"] = Words(
            f"Signal '{spec.title}' firing", negative=f"No '{spec.title}' signal"
        )
    words |= {
        "playbook_signals": Words(
            "{v:.0f} playbook signals firing",
            one="1 playbook signal firing",
            zero="No playbook signal firing",
        ),
        "log_value": Words("Deal value {v:,.0f}", money=True),
        "close_date_slips": Words(
            "Close date slipped {v:.0f} times",
            one="Close date slipped once",
            zero="Close date never slipped",
        ),
        "days_to_close": Words(
            "{v:.0f} days to the expected close", below_zero="{v:.0f} days past the expected close"
        ),
        "problems_confirmed": Words(
            "{v:.0f} buyer problems confirmed",
            one="1 buyer problem confirmed",
            zero="No buyer problem confirmed",
        ),
    }
    return words


NUMERIC_WORDS = _numeric_words()
NUMERIC = tuple(NUMERIC_WORDS)
"""Numeric features, in the order the model sees them."""
CATEGORY_WORDS = {key: Words(f"{key.capitalize()}: {{v}}") for key in CATEGORICAL} | {
    "owner": Words("Seller: {v}")
}


def describe(key: str, value: Value) -> str:
    """A feature's value in words: ``describe("champion_engaged", 0.0)`` says "Champion not
    engaged"; ``describe("days_since_last_interaction", 14.0)`` "14 days since last interaction".
    """
    if key in CATEGORY_WORDS:
        return CATEGORY_WORDS[key].say(value)
    return NUMERIC_WORDS[key].say(value)


def known_at(record: DealRecord, playbook: Playbook, at: datetime) -> DealRecord:
    """The deal as the seller could see it at ``at``: open, and nothing that happened later.

    Later interactions, evidence, stage and close-date changes go; people added later leave
    the team; a decision counts as decided only when its ``decided_at`` had passed, and a
    status without a time (blocked, dropped, in progress) reads as open, because when it was
    set is unknown. The stage is the one the last stage change led to (else the first
    change's starting stage, else the stored stage once it had been entered, else the
    position the evidence gives).
    """
    deal = record.deal
    changes = sorted(record.stage_changes, key=lambda c: (c.changed_at, c.id or 0))
    before = [c for c in changes if c.changed_at <= at]
    stage: str | None
    if before:
        stage, entered = before[-1].to_stage, before[-1].changed_at
    elif changes:
        stage, entered = changes[0].from_stage or playbook.start_stage, deal.created_at
    elif deal.stage_entered_at is not None and deal.stage_entered_at <= at:
        stage, entered = deal.stage, deal.stage_entered_at
    else:
        stage, entered = None, deal.created_at
    slips = sorted(record.close_date_changes, key=lambda c: (c.changed_at, c.id or 0))
    later = [c for c in slips if c.changed_at > at]
    expected = later[0].from_date if later else deal.expected_close
    then = deal.model_copy(
        update={
            "status": DealStatus.OPEN,
            "closed_at": None,
            "loss_reason": "",
            "stage": stage,
            "stage_entered_at": entered,
            "expected_close": expected,
        }
    )
    return record.model_copy(
        update={
            "deal": then,
            "stakeholders": [
                s for s in record.stakeholders if s.added_at is None or s.added_at <= at
            ],
            "decisions": [_decision_at(d, at) for d in record.decisions],
            "interactions": [i for i in record.interactions if i.occurred_at <= at],
            "evidence": [e for e in record.evidence if e.recorded_at <= at],
            "plan": [
                p
                if p.done_at is not None and p.done_at <= at
                else p.model_copy(update={"done": False, "done_at": None})
                for p in record.plan
            ],
            "stage_changes": before,
            "close_date_changes": [c for c in slips if c.changed_at <= at],
            "problems": [
                p
                if p.confirmed_at is not None and p.confirmed_at <= at
                else p.model_copy(update={"confirmed_at": None, "confirmed_by": None})
                for p in record.problems
            ],
        }
    )


def _decision_at(decision: Decision, at: datetime) -> Decision:
    if decision.decided_at is not None and decision.decided_at <= at:
        return decision.model_copy(update={"status": DecisionStatus.DECIDED})
    if decision.status == DecisionStatus.OPEN and decision.decided_at is None:
        return decision
    return decision.model_copy(update={"status": DecisionStatus.OPEN, "decided_at": None})


def snapshot_times(
    record: DealRecord, playbook: Playbook, *, every_days: int = SNAPSHOT_EVERY_DAYS
) -> list[datetime]:
    """When a closed deal is featurised: creation, every ``every_days`` and each stage entry.

    Every time is strictly before the close and before the deal reached a won end stage;
    an open deal has none (it is scored at the time asked for instead).
    """
    deal = record.deal
    if deal.status == DealStatus.OPEN or deal.closed_at is None:
        return []
    end = deal.closed_at
    won_at = [
        c.changed_at
        for c in record.stage_changes
        if c.to_stage in playbook.journey_order and playbook.stage(c.to_stage).end == "won"
    ]
    if won_at:
        end = min(end, *won_at)
    times = {deal.created_at + timedelta(days=every_days * k) for k in range(_periods(record))}
    times.update(c.changed_at for c in record.stage_changes)
    return sorted(t for t in times if deal.created_at <= t < end)


def _periods(record: DealRecord) -> int:
    assert record.deal.closed_at is not None
    life = days_between(record.deal.created_at, record.deal.closed_at)
    return max(1, math.ceil(life / SNAPSHOT_EVERY_DAYS))


def features_at(
    record: DealRecord, playbook: Playbook, at: datetime, *, team: str = ""
) -> dict[str, Value]:
    """Every feature of the deal as it stood at ``at`` (numbers and text), by name."""
    seen = known_at(record, playbook, at)
    context = deal_context(seen, playbook, as_of=at)
    signals = evaluate_signals(seen, playbook, History(), as_of=at)
    fired = {s.key for s in signals if s.source == "builtin"}
    engaged_roles = set(_strings(context["engaged_roles"]))
    roles = set(_strings(context["roles"]))
    touches = seen.interactions
    total = len(touches)
    recent, baseline, _ = cadence(seen, as_of=at)
    stage = playbook.stage(str(context["stage"]))
    values: dict[str, Value] = {
        "stage_number": float(_int(context["stage_index"]) + 1),
        "days_in_stage": float(_int(context["days_in_stage"])),
        "age_days": float(_int(context["deal_age_days"])),
        "criteria_evidenced": float(len(_strings(context["evidence"]))),
        "stakeholders": float(_int(context["stakeholder_count"])),
        "engaged": float(_int(context["engaged_count"])),
    }
    for role in KEY_ROLES:
        values[f"{role.value}_engaged"] = _flag(role.value in engaged_roles)
    highest = _int(context["max_engaged_level"])
    needed = _int(context["max_open_decision_level"])
    decided = sum(1 for d in seen.decisions if d.status == DecisionStatus.DECIDED)
    values |= {
        "economic_buyer_known": _flag(Role.ECONOMIC_BUYER.value in roles),
        "champion_known": _flag(Role.CHAMPION.value in roles),
        "highest_engaged_level": float(highest),
        "level_gap": float(max(0, needed - highest)),
        "decisions_made": decided / len(seen.decisions) if seen.decisions else 0.0,
        "stance_balance": sum(s.stance * INFLUENCE_WEIGHT[s.influence] for s in seen.stakeholders),
        "high_influence_opponents": float(
            sum(1 for s in seen.stakeholders if s.stance < 0 and s.influence == Influence.HIGH)
        ),
        "interactions_last_30d": float(recent),
        "cadence_ratio": min(CADENCE_CAP, recent / baseline) if baseline > 0 else 1.0,
        "days_since_last_interaction": float(_int(context["days_since_last_interaction"])),
        "days_since_last_reply": float(_int(context["days_since_last_inbound"])),
        "reply_share": _share(sum(1 for i in touches if is_reply(i)), total),
        "advanced_share": _share(sum(1 for i in touches if i.outcome.value == "advanced"), total),
        "setback_share": _share(sum(1 for i in touches if i.outcome.value == "setback"), total),
    }
    for channel in CHANNEL_WORDS:
        values[f"channel_{channel.value}"] = _share(
            sum(1 for i in touches if i.channel == channel), total
        )
    for spec in BUILTIN_SIGNALS:
        values[f"signal_{spec.key}"] = _flag(spec.key in fired)
    account = seen.account
    values |= {
        "playbook_signals": float(sum(1 for s in signals if s.source == "playbook")),
        "log_value": math.log1p(seen.deal.value),
        "close_date_slips": float(len(close_date_slips(seen))),
        "days_to_close": float(_int(context["days_to_close"])),
        "problems_confirmed": float(sum(1 for p in seen.problems if p.confirmed_by is not None)),
        "stage": stage.title,
        "segment": seen.deal.segment or NONE,
        "industry": (account.industry if account else "") or NONE,
        "region": (account.region if account else "") or NONE,
        "team": team or NONE,
        "owner": seen.deal.owner,
    }
    return values


def deal_snapshots(
    record: DealRecord, playbook: Playbook, *, teams: Mapping[str, str]
) -> list[Snapshot]:
    """The training rows of one closed deal (none for an open deal), oldest first."""
    deal = record.deal
    assert deal.id is not None
    won = deal.status == DealStatus.WON
    team = teams.get(deal.owner, "")
    return [
        Snapshot(
            deal_id=deal.id,
            at=at,
            closed_at=deal.closed_at,
            won=won,
            values=features_at(record, playbook, at, team=team),
        )
        for at in snapshot_times(record, playbook)
    ]


def open_snapshot(
    record: DealRecord, playbook: Playbook, at: datetime, *, teams: Mapping[str, str]
) -> Snapshot:
    """The row of a deal that is open at ``at``, to be scored."""
    assert record.deal.id is not None
    values = features_at(record, playbook, at, team=teams.get(record.deal.owner, ""))
    return Snapshot(deal_id=record.deal.id, at=at, closed_at=None, won=None, values=values)


def workspace_dataset(
    records: Iterable[DealRecord],
    playbooks: Mapping[str, Playbook],
    *,
    teams: Mapping[str, str],
    as_of: datetime,
) -> Dataset:
    """The training rows of every deal closed by ``as_of``, ready for ``train_and_compare``.

    ``playbooks`` maps each deal's playbook key to the playbook; ``teams`` maps a seller to
    their team (the baseline always scores by stage and team).
    """
    rows: list[dict[str, Value]] = []
    won: list[bool] = []
    groups: list[int | str] = []
    closed: dict[int | str, datetime] = {}
    for record in records:
        deal = record.deal
        if deal.status == DealStatus.OPEN or deal.closed_at is None or deal.closed_at > as_of:
            continue
        for snapshot in deal_snapshots(record, playbooks[deal.playbook], teams=teams):
            rows.append(snapshot.values)
            won.append(bool(snapshot.won))
            groups.append(snapshot.deal_id)
            closed[snapshot.deal_id] = deal.closed_at
    return Dataset(
        rows=list(rows),
        won=won,
        groups=groups,
        closed=closed,
        numeric=list(NUMERIC),
        categorical=list(CATEGORICAL),
        baseline_fields=list(BASELINE_FIELDS),
        emphasis=list(EMPHASISED),
        increasing=["stage_number"],
    )


def _flag(condition: bool) -> float:
    return 1.0 if condition else 0.0


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _strings(value: object) -> list[str]:
    assert isinstance(value, list)
    return [str(v) for v in value]


__all__ = [
    "BASELINE_FIELDS",
    "FEATURES_VERSION",
    "CATEGORICAL",
    "NUMERIC",
    "Snapshot",
    "deal_snapshots",
    "describe",
    "features_at",
    "known_at",
    "open_snapshot",
    "snapshot_times",
    "workspace_dataset",
]
