"""Channel effectiveness: per stage and channel, how often an interaction is followed by advancing.

An *interaction* is an event with a channel whose activity is not a stage. Its stage is the
case's stage at the time: the latest stage event at or before it (ties in timestamp broken
by ``position``). Interactions before the case's first stage event have no stage and are
left out. The interaction is *followed by an advance* when the case has a later event of a
later stage (in journey order) within ``within_days``.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from dealgraph.analytics.funnel import check_columns, check_stages, days_between, stage_events

DEFAULT_WITHIN_DAYS = 30.0


def channel_effectiveness(
    events: ir.Table,
    *,
    stages: Sequence[str],
    within_days: float = DEFAULT_WITHIN_DAYS,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
    channel: str = "channel",
) -> pa.Table:
    """Per stage and channel: interactions, share followed by an advance, median days to it.

    Columns: stage, stage_index, channel, interactions, advanced, advance_share,
    median_days_to_advance (over the advanced interactions; null when none).

    Example:
        >>> channel_effectiveness(log, stages=["discover", "evaluate"], within_days=14)
        ... # doctest: +SKIP
    """
    keys = check_stages(stages)
    check_columns(events, [case, activity, timestamp, position, channel], where="events")
    moves = stage_events(
        events, stages=keys, case=case, activity=activity, timestamp=timestamp, position=position
    )
    touches = events.filter(
        events[channel].notnull() & ~events[activity].cast("string").isin(keys)
    ).select(
        case=events[case].cast("string"),
        channel=events[channel].cast("string"),
        at=events[timestamp],
        at_position=events[position].cast("int64"),
    )
    # The stage a touch happened in: the latest stage event at or before it.
    before = touches.join(
        moves,
        [
            touches.case == moves.case,
            (moves.timestamp < touches.at)
            | ((moves.timestamp == touches.at) & (moves.position < touches.at_position)),
        ],
    )
    latest_first = ibis.window(
        group_by=["case", "at_position"],
        order_by=[ibis.desc("timestamp"), ibis.desc("position")],
    )
    ranked = before.mutate(rank=ibis.row_number().over(latest_first))
    placed = ranked.filter(ranked.rank == 0).select(
        "case", "channel", "at", "at_position", "stage", "stage_index"
    )
    # The first later event of a later stage, for each touch.
    later = moves.select(
        later_case=moves.case,
        later_index=moves.stage_index,
        later_at=moves.timestamp,
        later_position=moves.position,
    )
    advances = placed.join(
        later,
        [
            placed.case == later.later_case,
            later.later_index > placed.stage_index,
            (later.later_at > placed.at)
            | ((later.later_at == placed.at) & (later.later_position > placed.at_position)),
        ],
    )
    first_advance = advances.group_by(["case", "at_position"]).aggregate(
        advanced_at=advances.later_at.min()
    )
    joined = placed.left_join(
        first_advance,
        [placed.case == first_advance.case, placed.at_position == first_advance.at_position],
    ).drop("case_right", "at_position_right")
    days = days_between(joined.advanced_at, joined.at)
    in_time = days.notnull() & (days <= within_days)
    scored = joined.mutate(
        advanced=in_time.cast("int64"),
        days_to_advance=ibis.ifelse(in_time, days, ibis.null("float64")),
    )
    summary = scored.group_by(["stage", "stage_index", "channel"]).aggregate(
        interactions=scored.count().cast("int64"),
        advanced=scored.advanced.sum().cast("int64"),
        median_days_to_advance=scored.days_to_advance.median(),
    )
    result = summary.mutate(
        advance_share=summary.advanced.cast("float64") / summary.interactions.cast("float64")
    )
    return (
        result.select(
            "stage",
            "stage_index",
            "channel",
            "interactions",
            "advanced",
            "advance_share",
            "median_days_to_advance",
        )
        .order_by(["stage_index", "channel"])
        .to_pyarrow()
    )
