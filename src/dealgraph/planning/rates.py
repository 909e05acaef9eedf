"""Rates learned from the workspace's deals: the inputs of the reverse funnel.

``history_rates`` reads every deal on one playbook once and returns each rate with the
number of deals behind it (``None`` where the history holds nothing to learn from):

- average deal: mean value of won deals in one currency (the dominant one unless chosen);
  won deals in other currencies are counted and left out, never summed in;
- win rate: won / closed (closed = won, lost or no decision);
- stage conversions along the journey, over closed deals: the share of deals that got at
  least as far as stage *s* that got at least as far as the next stage. A won deal went
  all the way to the won end; a lost one as far as the furthest stage it was ever in. So
  a skipped stage counts as passed, and the conversions multiply to the win rate exactly;
- cycle length: days from creation to the win, median and 90th percentile, and for each
  stage the days from first getting that far to the win;
- interactions per stage advance by channel, over closed deals with a stage history;
  conversations are meetings and calls (``CONVERSATION_CHANNELS``), activities are all;
- sellers: owners with an open deal or a deal created or closed in the last year.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.engagement import days_between
from dealgraph.core.enums import Channel, DealStatus
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook

CONVERSATION_CHANNELS = frozenset({Channel.FIELD, Channel.INSIDE, Channel.VIRTUAL, Channel.PHONE})
"""Channels where seller and buyer talk: a meeting in person or online, or a call."""
CLOSED_STATUSES = frozenset({DealStatus.WON, DealStatus.LOST, DealStatus.NO_DECISION})
ACTIVE_DAYS = 365
"""An owner with a deal created or closed this many days before ``as_of`` is active."""

RateSource = Literal["history", "plan file", "option", "default", "derived"]


class Plain(BaseModel):
    """Base of the planning records: strict fields, JSON-ready."""

    model_config = ConfigDict(extra="forbid")


class Rate(Plain):
    """A number the plan rests on, with where it came from and how many deals are behind it."""

    value: float
    source: RateSource
    deals: int = Field(default=0, ge=0, description="deals behind a history rate")
    note: str = Field(default="", description="how it was derived or adjusted")

    def label(self) -> str:
        """'history (n=78)', 'plan file', 'default (playbook durations)'..."""
        text = f"history (n={self.deals})" if self.source == "history" else self.source
        if self.note:
            text += f", {self.note}" if self.source == "history" else f" ({self.note})"
        return text


class StageRate(Plain):
    """The conversion out of one stage: share of deals reaching it that reach the next."""

    stage: str
    title: str
    next_stage: str
    next_title: str
    rate: Rate


class StageTiming(Plain):
    """Days from first getting as far as a stage to the win: median and 90th percentile."""

    stage: str
    title: str
    p50: float
    p90: float
    source: RateSource
    deals: int = 0


class ChannelRate(Plain):
    """Interactions on one channel per stage advance."""

    channel: Channel
    conversation: bool
    rate: Rate


class HistoryRates(Plain):
    """Every rate the workspace's history gives, each ``None`` when there is nothing behind it."""

    playbook: str
    deals: int = Field(description="deals on the playbook the rates were learned from")
    other_playbooks: int = Field(description="deals on other playbooks, left out")
    closed: int
    won: int
    currency: str | None = Field(description="currency of the average deal")
    won_by_currency: dict[str, int] = Field(description="won deals per currency")
    left_out: int = Field(description="won deals in other currencies than ``currency``")
    average_deal: Rate | None
    win_rate: Rate | None
    conversions: list[StageRate] = Field(description="empty when no closed deal moved stage")
    cycle_p50: Rate | None
    cycle_p90: Rate | None
    timing: list[StageTiming]
    channels: list[ChannelRate]
    conversations_per_advance: Rate | None
    activities_per_advance: Rate | None
    sellers: Rate | None


def funnel_stages(playbook: Playbook) -> tuple[list[str], str]:
    """The stages a deal works through before the first won end, in journey order, and that end.

    Example:
        >>> funnel_stages(get_playbook("meddpicc"))  # doctest: +SKIP
        (['discover', 'qualify', 'validate', 'commit'], 'closed_won')
    """
    order = playbook.journey_order
    won = next(key for key in order if key in set(playbook.won_stages))
    return order[: order.index(won)], won


def history_rates(
    records: Iterable[DealRecord],
    playbook: Playbook,
    *,
    as_of: datetime,
    currency: str | None = None,
) -> HistoryRates:
    """Learn the funnel's rates from the deals on ``playbook`` (others are counted, left out).

    Example:
        >>> rates = history_rates(records, playbook, as_of=datetime(2026, 6, 30))  # doctest: +SKIP
        >>> rates.win_rate.value, rates.win_rate.deals
        (0.4083769633507853, 191)
    """
    all_records = list(records)
    mine = [r for r in all_records if r.deal.playbook == playbook.key]
    closed = [r for r in mine if r.deal.status in CLOSED_STATUSES]
    won = [r for r in closed if r.deal.status == DealStatus.WON]
    by_currency = Counter(r.deal.currency for r in won)
    chosen = currency or _dominant(by_currency)
    in_currency = [r.deal.value for r in won if r.deal.currency == chosen]
    cycle = sorted(
        days_between(r.deal.created_at, r.deal.closed_at)
        for r in won
        if r.deal.closed_at is not None and r.deal.closed_at >= r.deal.created_at
    )
    channels, conversations, activities = _advance_rates(closed, playbook)
    return HistoryRates(
        playbook=playbook.key,
        deals=len(mine),
        other_playbooks=len(all_records) - len(mine),
        closed=len(closed),
        won=len(won),
        currency=chosen,
        won_by_currency=dict(sorted(by_currency.items())),
        left_out=len(won) - len(in_currency),
        average_deal=_history(sum(in_currency) / len(in_currency), len(in_currency))
        if in_currency
        else None,
        win_rate=_history(len(won) / len(closed), len(closed)) if closed else None,
        conversions=stage_conversions(closed, playbook),
        cycle_p50=_history(_quantile(cycle, 0.5), len(cycle)) if cycle else None,
        cycle_p90=_history(_quantile(cycle, 0.9), len(cycle)) if cycle else None,
        timing=_timing(won, playbook),
        channels=channels,
        conversations_per_advance=conversations,
        activities_per_advance=activities,
        sellers=_active_sellers(mine, as_of),
    )


def stage_conversions(closed: Sequence[DealRecord], playbook: Playbook) -> list[StageRate]:
    """Conversion out of each stage before the won end, over closed deals (see module doc).

    Empty when no closed deal has a stage history: then every lost deal would look lost in
    the first stage, which says nothing about where deals really drop out.
    """
    if not any(r.stage_changes for r in closed):
        return []
    stages, won = funnel_stages(playbook)
    index = _index_map(playbook)
    start = index.get(playbook.start_stage, 0)
    reach = [_reach(r, index, start, len(stages)) for r in closed]
    keys = [*stages, won]
    reached = [sum(1 for r in reach if r >= index) for index in range(len(keys))]
    return [
        StageRate(
            stage=stage,
            title=playbook.stage(stage).title,
            next_stage=keys[index + 1],
            next_title=playbook.stage(keys[index + 1]).title,
            rate=_history(reached[index + 1] / reached[index], reached[index]),
        )
        for index, stage in enumerate(stages)
        if reached[index]
    ]


def _reach(record: DealRecord, index: dict[str | None, int], start: int, won_index: int) -> int:
    """How far (journey index) a closed deal got: the won end for a win, else its furthest stage."""
    if record.deal.status == DealStatus.WON:
        return won_index
    furthest = start
    seen = [record.deal.stage] + [
        stage for change in record.stage_changes for stage in (change.from_stage, change.to_stage)
    ]
    for stage in seen:
        if stage in index:
            furthest = max(furthest, index[stage])
    return min(furthest, won_index - 1)


def _index_map(playbook: Playbook) -> dict[str | None, int]:
    return {key: i for i, key in enumerate(playbook.journey_order)}


def _timing(won: Sequence[DealRecord], playbook: Playbook) -> list[StageTiming]:
    """Days from first getting as far as each stage to the win, over won deals."""
    stages, _ = funnel_stages(playbook)
    index = _index_map(playbook)
    start = index.get(playbook.start_stage, 0)
    days: list[list[float]] = [[] for _ in stages]
    for record in won:
        closed_at = record.deal.closed_at
        if closed_at is None:
            continue
        for position in range(len(stages)):
            entered = _first_reached(record, index, position, start)
            if entered is not None and entered <= closed_at:
                days[position].append(days_between(entered, closed_at))
    return [
        StageTiming(
            stage=stage,
            title=playbook.stage(stage).title,
            p50=_quantile(days[position], 0.5),
            p90=_quantile(days[position], 0.9),
            source="history",
            deals=len(days[position]),
        )
        for position, stage in enumerate(stages)
        if days[position]
    ]


def _first_reached(
    record: DealRecord, index: dict[str | None, int], position: int, start: int
) -> datetime | None:
    """When the deal first got at least as far as the stage at ``position``."""
    if position <= start:
        return record.deal.created_at
    moments = [c.changed_at for c in record.stage_changes if index.get(c.to_stage, -1) >= position]
    return min(moments) if moments else None


def _advance_rates(
    closed: Sequence[DealRecord], playbook: Playbook
) -> tuple[list[ChannelRate], Rate | None, Rate | None]:
    """Interactions per stage advance: by channel, conversations, activities (None: no moves)."""
    per_channel, advances, deals = _per_advance(closed, playbook)
    if not advances:
        return [], None, None
    channels = [
        ChannelRate(
            channel=channel,
            conversation=channel in CONVERSATION_CHANNELS,
            rate=_history(per_channel[channel] / advances, deals),
        )
        for channel in Channel
        if per_channel[channel]
    ]
    talk = sum(n for channel, n in per_channel.items() if channel in CONVERSATION_CHANNELS)
    return (
        channels,
        _history(talk / advances, deals),
        _history(sum(per_channel.values()) / advances, deals),
    )


def _per_advance(
    closed: Sequence[DealRecord], playbook: Playbook
) -> tuple[Counter[Channel], int, int]:
    """Interactions per channel, forward stage moves, and deals counted (closed, with moves)."""
    index = _index_map(playbook)
    per_channel: Counter[Channel] = Counter()
    advances = 0
    deals = 0
    for record in closed:
        if not record.stage_changes:
            continue
        deals += 1
        changes = sorted(record.stage_changes, key=lambda c: c.changed_at)
        previous = changes[0].from_stage or playbook.start_stage
        for change in changes:
            if index.get(change.to_stage, -1) > index.get(previous, len(index)):
                advances += 1
            previous = change.to_stage
        end = record.deal.closed_at
        per_channel.update(
            i.channel for i in record.interactions if end is None or i.occurred_at <= end
        )
    return per_channel, advances, deals


def _active_sellers(records: Sequence[DealRecord], as_of: datetime) -> Rate | None:
    """Owners with an open deal, or a deal created or closed in the year before ``as_of``."""
    since = as_of - timedelta(days=ACTIVE_DAYS)
    active: set[str] = set()
    behind = 0
    for record in records:
        deal = record.deal
        recent = since <= deal.created_at <= as_of or (
            deal.closed_at is not None and since <= deal.closed_at <= as_of
        )
        if deal.status == DealStatus.OPEN or recent:
            active.add(deal.owner)
            behind += 1
    return _history(float(len(active)), behind) if active else None


def _dominant(counts: Counter[str]) -> str | None:
    """The most common key; ties go to the first in alphabetical order."""
    if not counts:
        return None
    return min(counts, key=lambda key: (-counts[key], key))


def _quantile(values: Sequence[float], q: float) -> float:
    return float(np.quantile(np.asarray(values, dtype=float), q))


def _history(value: float, deals: int) -> Rate:
    return Rate(value=value, source="history", deals=deals)
