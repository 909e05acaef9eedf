"""The built-in signal library: what to worry about on an open deal, with the evidence.

Each check reads one :class:`SignalFacts` (computed once per deal) and returns a
:class:`Signal` or None. Thresholds are module constants so the docs can name them;
``docs/gps-and-signals.md`` has the table of every key.
"""

from __future__ import annotations

from datetime import timedelta

from dealgraph.core.context import (
    RECENT_DAYS,
    cadence,
    close_date_slips,
    open_decisions,
    stage_entered_at,
    whole_days,
)
from dealgraph.core.engagement import is_reply, last_touch
from dealgraph.core.enums import Influence, ResponseMode, Role
from dealgraph.core.signals_base import BuiltinSignal, Signal, SignalFacts, stage_p90

NO_ACTIVITY_DAYS = 21
"""no_activity fires after this many days without any interaction (warning)."""
NO_ACTIVITY_CRITICAL_DAYS = 42
"""... and is critical from this many days."""
GHOSTED_RUN = 3
"""ghosted fires when this many outbound touches in a row got no reply."""
GHOSTED_CRITICAL_RUN = 5
"""... and is critical from this many."""
STALLED_CRITICAL_FACTOR = 2.0
"""stalled is critical when days in stage exceed this multiple of the stage's p90."""
SINGLE_THREAD_MIN_RECENT = 3
"""single_threaded also fires when at least this many recent touches all reached one person."""
EB_FROM_STAGE_INDEX = 2
"""missing_economic_buyer fires from this 0-based stage index on."""
CHAMPION_FROM_STAGE_INDEX = 1
"""missing_champion fires from this 0-based stage index on."""
OPPONENT_QUIET_DAYS = 30
"""unaddressed_opponent: a high-influence opponent untouched for this many days."""
SENIOR_LEVEL = 4
"""new_senior_player_late: stakeholders at or above this Jaques level count as senior."""
CLOSE_SLIP_CRITICAL = 3
"""close_date_slipped is critical from this many slips."""
CADENCE_DROP_RATIO = 0.5
"""cadence_drop fires when the last 30 days fall below this share of the deal's baseline."""
CADENCE_MIN_BASELINE = 2.0
"""... provided the baseline is at least this many interactions per 30 days ..."""
CADENCE_MIN_BASELINE_DAYS = 30.0
"""... measured over at least this many days before the recent window."""


def _no_activity(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    days = facts.number("days_since_last_interaction")
    if days < NO_ACTIVITY_DAYS:
        return None
    last = facts.interactions[-1] if facts.interactions else None
    since = "since the last interaction" if last else "since the deal was created"
    return spec.fire(
        "critical" if days >= NO_ACTIVITY_CRITICAL_DAYS else "warning",
        f"No interaction for {days} days {since} (threshold {NO_ACTIVITY_DAYS}).",
        interactions=[last.id] if last else [],
        stakeholders=last.participants if last else [],
        numbers={"days_since_last_interaction": days, "threshold_days": NO_ACTIVITY_DAYS},
    )


def _ghosted(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    unanswered = []
    for interaction in reversed(facts.interactions):
        if is_reply(interaction):
            break
        unanswered.append(interaction)
    if len(unanswered) < GHOSTED_RUN:
        return None
    unanswered.reverse()
    days = facts.number("days_since_last_inbound")
    return spec.fire(
        "critical" if len(unanswered) >= GHOSTED_CRITICAL_RUN else "warning",
        f"{len(unanswered)} outbound touches in a row with no reply; "
        f"the buyer last took part {days} days ago.",
        interactions=[i.id for i in unanswered],
        stakeholders=[p for i in unanswered for p in i.participants],
        numbers={"outbound_in_a_row": len(unanswered), "days_since_last_reply": days},
    )


def _stalled(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    days = facts.number("days_in_stage")
    p90, source = stage_p90(facts, facts.stage)
    if days <= p90:
        return None
    title = facts.playbook.stage(facts.stage).title
    return spec.fire(
        "critical" if days > STALLED_CRITICAL_FACTOR * p90 else "warning",
        f"{days} days in '{title}', past its p90 of {p90:.1f} days (from the {source}).",
        numbers={"days_in_stage": days, "p90_days": round(p90, 1)},
    )


def _single_threaded(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    window_start = facts.as_of - timedelta(days=RECENT_DAYS)
    recent = [i for i in facts.interactions if window_start < i.occurred_at <= facts.as_of]
    people = {p for i in recent for p in i.participants}
    engaged = len(facts.engaged)
    if facts.stage_index >= 1 and engaged <= 1:
        message = f"Only {engaged} engaged stakeholder past the first stage."
        stakeholders = list(facts.engaged_ids)
    elif len(recent) >= SINGLE_THREAD_MIN_RECENT and len(people) == 1:
        message = (
            f"All {len(recent)} interactions of the last {RECENT_DAYS} days reached one person."
        )
        stakeholders = list(people)
    else:
        return None
    return spec.fire(
        "warning",
        message,
        interactions=[i.id for i in recent],
        stakeholders=stakeholders,
        numbers={
            "engaged_count": engaged,
            "recent_interactions": len(recent),
            "people_in_recent": len(people),
        },
    )


def _no_power(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    needed = facts.number("max_open_decision_level")
    highest = facts.number("max_engaged_level")
    if needed <= highest:
        return None
    short = [d for d in open_decisions(facts.record) if d.level > highest]
    return spec.fire(
        "critical" if needed - highest >= 2 else "warning",
        f"Highest engaged level is {highest} but open decisions need level {needed} "
        f"({len(short)} decision(s) above the engaged level).",
        stakeholders=[s.id for s in facts.engaged if s.level == highest],
        decisions=[d.id for d in short],
        numbers={"highest_engaged_level": highest, "needed_level": needed},
    )


def _missing_role(
    facts: SignalFacts, spec: BuiltinSignal, role: Role, from_index: int
) -> Signal | None:
    if facts.stage_index < from_index:
        return None
    holders = [s for s in facts.record.stakeholders if s.role == role]
    if any(s.id in facts.engaged_ids for s in holders):
        return None
    label = role.value.replace("_", " ")
    if holders:
        names = ", ".join(s.name for s in holders)
        message = f"The {label} ({names}) has not engaged, at stage {facts.stage_index + 1}."
    else:
        message = f"No {label} on the buying team, at stage {facts.stage_index + 1}."
    return spec.fire(
        "critical" if facts.stage_index >= facts.late_stage_index else "warning",
        message,
        stakeholders=[s.id for s in holders],
        numbers={"stage_index": facts.stage_index, "holders": len(holders)},
    )


def _missing_economic_buyer(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    return _missing_role(facts, spec, Role.ECONOMIC_BUYER, EB_FROM_STAGE_INDEX)


def _missing_champion(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    return _missing_role(facts, spec, Role.CHAMPION, CHAMPION_FROM_STAGE_INDEX)


def _unaddressed_opponent(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    found: list[tuple[int, int | None, int]] = []  # (stakeholder, last touch, days since)
    for person in facts.record.stakeholders:
        if person.id is None or person.influence != Influence.HIGH or person.stance >= 0:
            continue
        touch = last_touch(facts.record, person.id)
        touched_at = touch.occurred_at if touch else facts.record.deal.created_at
        since = whole_days(touched_at, facts.as_of)
        if touch is None or since > OPPONENT_QUIET_DAYS:
            found.append((person.id, touch.id if touch else None, since))
    if not found:
        return None
    enemies = [s for s in facts.record.stakeholders if s.id in {f[0] for f in found}]
    return spec.fire(
        "critical" if any(s.stance == -2 for s in enemies) else "warning",
        f"{len(found)} high-influence opponent(s) untouched for more than "
        f"{OPPONENT_QUIET_DAYS} days: " + ", ".join(s.name for s in enemies) + ".",
        interactions=[f[1] for f in found],
        stakeholders=[f[0] for f in found],
        numbers={"opponents": len(found), "max_days_since_touch": max(f[2] for f in found)},
    )


def _complacent_economic_buyer(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    calm = {ResponseMode.EVEN_KEEL, ResponseMode.OVERCONFIDENT}
    found = [
        s
        for s in facts.record.stakeholders
        if s.role == Role.ECONOMIC_BUYER and s.response_mode in calm
    ]
    if not found:
        return None
    modes = ", ".join(f"{s.name}: {s.response_mode}" for s in found)
    return spec.fire(
        "warning",
        f"The economic buyer sees no need to change ({modes}).",
        stakeholders=[s.id for s in found],
        numbers={"complacent": len(found)},
    )


def _stage_moves(facts: SignalFacts) -> list[tuple[int, int, int | None]]:
    """(from index, to index, interaction id) of each stage change within the playbook."""
    order = facts.playbook.journey_order
    moves = []
    for change in sorted(facts.record.stage_changes, key=lambda c: c.changed_at):
        if change.from_stage in order and change.to_stage in order:
            assert change.from_stage is not None
            source = order.index(change.from_stage)
            allowed = facts.playbook.stage(change.from_stage).next
            target = order.index(change.to_stage)
            if target > source + 1 and change.to_stage in allowed:
                continue  # a jump the playbook declares is an optional stage, not a skip
            moves.append((source, target, change.interaction_id))
    return moves


def _stage_skipped(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    skips = [m for m in _stage_moves(facts) if m[1] > m[0] + 1]
    if not skips:
        return None
    order = facts.playbook.journey_order
    skipped = [order[i] for source, target, _ in skips for i in range(source + 1, target)]
    return spec.fire(
        "warning",
        f"{len(skips)} move(s) jumped over {len(skipped)} stage(s): " + ", ".join(skipped) + ".",
        interactions=[m[2] for m in skips],
        numbers={"skips": len(skips), "stages_skipped": len(skipped)},
    )


def _regression(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    backs = [m for m in _stage_moves(facts) if m[1] < m[0]]
    if not backs:
        return None
    steps = sum(source - target for source, target, _ in backs)
    return spec.fire(
        "warning",
        f"The deal moved back {len(backs)} time(s), {steps} stage(s) in all.",
        interactions=[m[2] for m in backs],
        numbers={"regressions": len(backs), "stages_back": steps},
    )


def _close_date_slipped(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    slips = close_date_slips(facts.record)
    if not slips:
        return None
    days = sum(d for _, d in slips)
    return spec.fire(
        "critical" if len(slips) >= CLOSE_SLIP_CRITICAL else "warning",
        f"The expected close moved later {len(slips)} time(s), {days} days in all.",
        numbers={"slips": len(slips), "days_slipped": days},
    )


def _new_senior_player_late(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    order = facts.playbook.journey_order
    late = facts.late_stage_index
    entries = [
        c.changed_at
        for c in facts.record.stage_changes
        if c.to_stage in order and order.index(c.to_stage) >= late
    ]
    if entries:
        late_since = min(entries)
    elif facts.stage_index >= late:
        late_since = stage_entered_at(facts.record, facts.stage)
    else:
        return None
    seniors = [
        s
        for s in facts.record.stakeholders
        if s.level >= SENIOR_LEVEL and s.added_at is not None and s.added_at > late_since
    ]
    if not seniors:
        return None
    return spec.fire(
        "warning",
        f"{len(seniors)} senior stakeholder(s) (level {SENIOR_LEVEL}+) joined after the deal "
        f"passed the journey's midpoint: " + ", ".join(s.name for s in seniors) + ".",
        stakeholders=[s.id for s in seniors],
        numbers={"seniors": len(seniors), "highest_level": max(s.level for s in seniors)},
    )


def _cadence_drop(facts: SignalFacts, spec: BuiltinSignal) -> Signal | None:
    recent, baseline, baseline_days = cadence(facts.record, as_of=facts.as_of)
    if baseline_days < CADENCE_MIN_BASELINE_DAYS or baseline < CADENCE_MIN_BASELINE:
        return None
    if recent >= CADENCE_DROP_RATIO * baseline:
        return None
    window_start = facts.as_of - timedelta(days=RECENT_DAYS)
    return spec.fire(
        "warning",
        f"{recent} interaction(s) in the last {RECENT_DAYS} days against the deal's own "
        f"baseline of {baseline:.1f} per {RECENT_DAYS} days.",
        interactions=[
            i.id for i in facts.interactions if window_start < i.occurred_at <= facts.as_of
        ],
        numbers={"interactions_last_30d": recent, "cadence_baseline": round(baseline, 2)},
    )


BUILTIN_SIGNALS: tuple[BuiltinSignal, ...] = (
    BuiltinSignal(
        "no_activity",
        "No activity",
        "Reach out with something of value to the buyer, or confirm the deal is still alive.",
        _no_activity,
    ),
    BuiltinSignal(
        "ghosted",
        "Ghosted",
        "Stop sending; go through another person or channel, or ask a closing-the-loop question.",
        _ghosted,
    ),
    BuiltinSignal(
        "stalled",
        "Stalled in stage",
        "Find what blocks the buyer's exit criteria and agree the next step with them.",
        _stalled,
    ),
    BuiltinSignal(
        "single_threaded",
        "Single-threaded",
        "Ask your contact who else is affected and meet at least two more of the buying team.",
        _single_threaded,
    ),
    BuiltinSignal(
        "no_power",
        "No power / level mismatch",
        "Engage someone at the level the open decisions need, through your sponsor.",
        _no_power,
    ),
    BuiltinSignal(
        "missing_economic_buyer",
        "Missing economic buyer",
        "Find who owns the budget and earn a conversation about their business outcome.",
        _missing_economic_buyer,
    ),
    BuiltinSignal(
        "missing_champion",
        "Missing champion",
        "Find someone who wins when the buyer changes, and help them sell internally.",
        _missing_champion,
    ),
    BuiltinSignal(
        "unaddressed_opponent",
        "Unaddressed opponent",
        "Meet the opponent, learn what they fear losing and address it directly.",
        _unaddressed_opponent,
    ),
    BuiltinSignal(
        "complacent_economic_buyer",
        "Complacent economic buyer",
        "Help the economic buyer see the gap between results and goals before proposing.",
        _complacent_economic_buyer,
    ),
    BuiltinSignal(
        "stage_skipped",
        "Stage skipped",
        "Go back to the skipped work with the buyer: it tends to come back at contract time.",
        _stage_skipped,
    ),
    BuiltinSignal(
        "regression",
        "Regression",
        "Learn what reopened the earlier work and re-agree the plan with the buyer.",
        _regression,
    ),
    BuiltinSignal(
        "close_date_slipped",
        "Close date slipped",
        "Test the close date against the buyer's own event and the mutual plan.",
        _close_date_slipped,
    ),
    BuiltinSignal(
        "new_senior_player_late",
        "New senior player late",
        "Meet the newcomer early: learn their agenda and re-confirm the case at their level.",
        _new_senior_player_late,
    ),
    BuiltinSignal(
        "cadence_drop",
        "Cadence drop",
        "Find out what changed on the buyer's side and agree a next meeting.",
        _cadence_drop,
    ),
)
"""Every built-in signal, in the order it is documented."""
