"""The rates a quota plan rests on: the workspace's history, overridden by a plan file.

``resolve_rates`` joins :class:`~dealgraph.planning.rates.HistoryRates` with a
:class:`~dealgraph.planning.plan_file.PlanFile`. Each rate keeps its source. When a rate
is neither in the history nor in the plan file, the error says which key to set.

The win rate and the stage conversions describe the same funnel, so they are kept in
agreement: the conversions multiply to the win rate. Without a ``win_rate`` in the plan
file the win rate follows the conversions (history's conversions multiply to history's win
rate exactly). With one, the conversions taken from history are scaled by one common
factor (none above 1) so that they multiply to it; conversions set in the plan file stay
as written.
"""

from __future__ import annotations

import math

from pydantic import Field

from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.period import Period
from dealgraph.planning.plan_file import PlanFile
from dealgraph.planning.rates import (
    ChannelRate,
    HistoryRates,
    Plain,
    Rate,
    StageRate,
    StageTiming,
    funnel_stages,
)

PLAN_FILE_HINT = "in a plan file (--plan)"


class PlanRates(Plain):
    """The rates in force for one plan, each with its source."""

    currency: str
    average_deal: Rate
    win_rate: Rate
    conversions: list[StageRate] = Field(description="out of each stage; empty: no stage model")
    cycle_p50: Rate
    cycle_p90: Rate
    timing: list[StageTiming] = Field(description="days from reaching each stage to the win")
    channels: list[ChannelRate]
    conversations_per_advance: Rate | None
    activities_per_advance: Rate | None
    sellers: Rate
    weeks: Rate
    notes: list[str] = Field(default_factory=list)


def resolve_rates(
    history: HistoryRates,
    plan: PlanFile,
    *,
    playbook: Playbook,
    period: Period,
    sellers: int | None = None,
) -> PlanRates:
    """The plan's rates: plan file first, then history, then (for time) the playbook.

    ``sellers`` (a command-line option) wins over the plan file and the history.
    """
    notes: list[str] = []
    average_deal = _average_deal(history, plan, notes)
    conversions = _conversions(history, plan, playbook, notes)
    win_rate, conversions = _win_rate(history, plan, conversions)
    cycle_p50, cycle_p90, timing = _cycle(history, plan, playbook)
    conversations, activities, channels = _per_advance(history, plan)
    if conversions and activities is None and conversations is None:
        notes.append(
            "no interactions on closed deals with a stage history: set "
            f"conversations_per_advance and activities_per_advance {PLAN_FILE_HINT} to plan them"
        )
    return PlanRates(
        currency=_currency(history),
        average_deal=average_deal,
        win_rate=win_rate,
        conversions=conversions,
        cycle_p50=cycle_p50,
        cycle_p90=cycle_p90,
        timing=timing,
        channels=channels,
        conversations_per_advance=conversations,
        activities_per_advance=activities,
        sellers=_sellers(history, plan, sellers),
        weeks=Rate(value=plan.weeks, source="plan file")
        if plan.weeks is not None
        else Rate(value=period.weeks, source="default", note="period length"),
        notes=notes,
    )


def _currency(history: HistoryRates) -> str:
    return history.currency or "USD"


def _average_deal(history: HistoryRates, plan: PlanFile, notes: list[str]) -> Rate:
    if plan.average_deal is not None:
        return Rate(value=plan.average_deal, source="plan file")
    if history.average_deal is None:
        if not history.won:
            raise InvalidInput(
                f"no won deals in the workspace: set average_deal {PLAN_FILE_HINT}",
                where="average_deal",
            )
        found = ", ".join(f"{c} {n}" for c, n in history.won_by_currency.items())
        raise InvalidInput(
            f"no won deals in {history.currency} (won deals by currency: {found}): "
            f"choose another --currency or set average_deal {PLAN_FILE_HINT}",
            where="average_deal",
        )
    if history.left_out:
        others = ", ".join(
            f"{c} {n}" for c, n in history.won_by_currency.items() if c != history.currency
        )
        notes.append(
            f"average deal from the {history.average_deal.deals} won deals in "
            f"{history.currency}; {history.left_out} won deals in other currencies left out "
            f"({others})"
        )
    return history.average_deal


def _conversions(
    history: HistoryRates, plan: PlanFile, playbook: Playbook, notes: list[str]
) -> list[StageRate]:
    stages, won = funnel_stages(playbook)
    keys = [*stages, won]
    known = {c.stage: c for c in history.conversions}
    given = plan.conversion or {}
    chosen: list[StageRate] = []
    missing: list[str] = []
    for index, stage in enumerate(stages):
        if stage in given:
            chosen.append(
                StageRate(
                    stage=stage,
                    title=playbook.stage(stage).title,
                    next_stage=keys[index + 1],
                    next_title=playbook.stage(keys[index + 1]).title,
                    rate=Rate(value=given[stage], source="plan file"),
                )
            )
        elif stage in known:
            chosen.append(known[stage])
        else:
            missing.append(stage)
    if missing and not chosen:
        notes.append(
            "no stage history: the tree stops at opportunities; set `conversion` for every "
            f"stage ({', '.join(stages)}) {PLAN_FILE_HINT} to plan each stage"
        )
        return []
    if missing:
        raise InvalidInput(
            f"no history for the conversion out of {', '.join(missing)}: set it under "
            f"`conversion:` {PLAN_FILE_HINT}",
            where="conversion",
        )
    return chosen


def _win_rate(
    history: HistoryRates, plan: PlanFile, conversions: list[StageRate]
) -> tuple[Rate, list[StageRate]]:
    if plan.win_rate is not None:
        _check_no_zero(conversions)
        return Rate(value=plan.win_rate, source="plan file"), _fit(conversions, plan.win_rate)
    if not conversions:
        if history.win_rate is None:
            raise InvalidInput(
                f"no closed deals in the workspace: set win_rate {PLAN_FILE_HINT}",
                where="win_rate",
            )
        if history.win_rate.value == 0:
            raise InvalidInput(
                f"no won deals among the {history.closed} closed deals: set win_rate "
                f"{PLAN_FILE_HINT}",
                where="win_rate",
            )
        return history.win_rate, conversions
    if history.won == 0 and any(c.rate.source == "history" for c in conversions):
        raise InvalidInput(
            f"no won deals among the {history.closed} closed deals: set win_rate {PLAN_FILE_HINT}",
            where="win_rate",
        )
    _check_no_zero(conversions)
    product = math.prod(c.rate.value for c in conversions)
    if all(c.rate.source == "history" for c in conversions):
        return Rate(value=product, source="history", deals=history.closed), conversions
    return Rate(value=product, source="derived", note="product of the stage conversions"), (
        conversions
    )


def _check_no_zero(conversions: list[StageRate]) -> None:
    for conversion in conversions:
        if conversion.rate.value <= 0:
            raise InvalidInput(
                f"no deal that reached {conversion.stage} got to {conversion.next_stage} "
                f"({conversion.rate.label()}): set conversion {conversion.stage} {PLAN_FILE_HINT}",
                where=f"conversion -> {conversion.stage}",
            )


def _fit(conversions: list[StageRate], target: float) -> list[StageRate]:
    """Scale the history conversions by one factor (capped at 1) so all multiply to ``target``."""
    if not conversions:
        return conversions
    values = {c.stage: c.rate.value for c in conversions}
    free = [c.stage for c in conversions if c.rate.source == "history" and c.rate.value > 0]
    fixed = [c.stage for c in conversions if c.stage not in free]
    while True:
        rest = target / math.prod(values[s] for s in fixed) if fixed else target
        if not free:
            if math.isclose(rest, 1.0, rel_tol=1e-9):
                break
            product = math.prod(values.values())
            raise InvalidInput(
                f"the conversions multiply to {product:.1%}, not the plan file's win_rate "
                f"{target:.1%}: leave win_rate out (it follows from the conversions) or leave "
                "a conversion to history",
                where="win_rate",
            )
        factor = (rest / math.prod(values[s] for s in free)) ** (1 / len(free))
        capped = [s for s in free if values[s] * factor >= 1.0]
        if not capped:
            for stage in free:
                values[stage] *= factor
            break
        for stage in capped:
            values[stage] = 1.0
            free.remove(stage)
            fixed.append(stage)
    scaled = {c.stage for c in conversions if c.rate.source == "history"}
    return [
        c.model_copy(
            update={
                "rate": c.rate.model_copy(
                    update={"value": values[c.stage], "note": "scaled to the plan's win rate"}
                )
            }
        )
        if c.stage in scaled
        else c
        for c in conversions
    ]


def _cycle(
    history: HistoryRates, plan: PlanFile, playbook: Playbook
) -> tuple[Rate, Rate, list[StageTiming]]:
    stages, _ = funnel_stages(playbook)
    if (
        history.cycle_p50 is not None
        and history.cycle_p90 is not None
        and history.cycle_p50.value > 0
    ):
        base50, base90 = history.cycle_p50, history.cycle_p90
    else:
        base50 = Rate(
            value=sum(playbook.stage(s).duration.p50 for s in stages),
            source="default",
            note="playbook durations",
        )
        base90 = base50.model_copy(
            update={"value": sum(playbook.stage(s).duration.p90 for s in stages)}
        )
    timing = history.timing
    if len(timing) != len(stages) or base50.source != "history" or any(t.p50 <= 0 for t in timing):
        timing = _playbook_timing(playbook, stages)
    p50 = Rate(value=plan.cycle_days, source="plan file") if plan.cycle_days else base50
    factor = p50.value / base50.value
    if plan.cycle_days_p90 is not None:
        p90 = Rate(value=plan.cycle_days_p90, source="plan file")
    elif plan.cycle_days is not None:
        p90 = Rate(value=base90.value * factor, source="derived", note="scaled with cycle_days")
    else:
        p90 = base90
    if p90.value < p50.value:
        raise InvalidInput(
            f"{p90.value:g} days at the 90th percentile is below the median {p50.value:g}",
            where="cycle_days_p90",
        )
    factor90 = p90.value / base90.value
    if p50.source != "history" or p90.source != "history":
        timing = [
            t.model_copy(
                update={
                    "p50": t.p50 * factor,
                    "p90": t.p90 * factor90,
                    "source": "derived" if (factor, factor90) != (1.0, 1.0) else t.source,
                }
            )
            for t in timing
        ]
    return p50, p90, timing


def _playbook_timing(playbook: Playbook, stages: list[str]) -> list[StageTiming]:
    """Days from each stage to the win by the playbook's stage durations (p50s, p90s summed)."""
    return [
        StageTiming(
            stage=stage,
            title=playbook.stage(stage).title,
            p50=sum(playbook.stage(s).duration.p50 for s in stages[index:]),
            p90=sum(playbook.stage(s).duration.p90 for s in stages[index:]),
            source="default",
        )
        for index, stage in enumerate(stages)
    ]


def _per_advance(
    history: HistoryRates, plan: PlanFile
) -> tuple[Rate | None, Rate | None, list[ChannelRate]]:
    conversations = (
        Rate(value=plan.conversations_per_advance, source="plan file")
        if plan.conversations_per_advance is not None
        else history.conversations_per_advance
    )
    activities = (
        Rate(value=plan.activities_per_advance, source="plan file")
        if plan.activities_per_advance is not None
        else history.activities_per_advance
    )
    if conversations is not None and activities is not None:
        if activities.value < conversations.value:
            raise InvalidInput(
                f"{activities.value:g} activities per advance is fewer than the "
                f"{conversations.value:g} conversations they include",
                where="activities_per_advance",
            )
    channels = _scaled_channels(history, conversations, activities)
    return conversations, activities, channels


def _scaled_channels(
    history: HistoryRates, conversations: Rate | None, activities: Rate | None
) -> list[ChannelRate]:
    """History's channel mix, scaled to the plan file's totals where it sets them."""
    base_talk = history.conversations_per_advance
    base_all = history.activities_per_advance
    if base_talk is None or base_all is None or conversations is None or activities is None:
        return []
    talk = conversations.value / base_talk.value if base_talk.value else 0.0
    other_base = base_all.value - base_talk.value
    other = (activities.value - conversations.value) / other_base if other_base else 0.0
    result = []
    for channel in history.channels:
        factor = talk if channel.conversation else other
        if factor == 1.0:
            result.append(channel)
            continue
        rate = Rate(
            value=channel.rate.value * factor,
            source="derived",
            note="history's channel mix scaled to the plan file",
        )
        result.append(channel.model_copy(update={"rate": rate}))
    return result


def _sellers(history: HistoryRates, plan: PlanFile, option: int | None) -> Rate:
    if option is not None:
        if option < 1:
            raise InvalidInput(f"must be at least 1, got {option}", where="sellers")
        return Rate(value=float(option), source="option")
    if plan.sellers is not None:
        return Rate(value=float(plan.sellers), source="plan file")
    if history.sellers is None:
        raise InvalidInput(
            f"no active sellers in the workspace: pass --sellers or set sellers {PLAN_FILE_HINT}",
            where="sellers",
        )
    return history.sellers
