"""Stalls: open deals sitting in their stage longer than that stage's own history says.

A case is open when the case table says ``open`` or, without a case table, when it has no
event whose activity is an end activity (won, lost, ...). Its current stage is its last
stage visit; days in it run from the visit's first event to ``as_of``. The stage's history
is every completed visit of that stage in the log (see ``funnel.stage_visits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from dealgraph.analytics.funnel import check_columns, check_stages, days_between, stage_visits

DEFAULT_END_ACTIVITIES = ("won", "lost", "no_decision")


def stalls(
    events: ir.Table,
    *,
    stages: Sequence[str],
    as_of: datetime,
    cases: ir.Table | None = None,
    end_activities: Sequence[str] = DEFAULT_END_ACTIVITIES,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
    status: str = "status",
) -> pa.Table:
    """Open cases with their current stage and days in it, against the stage's median and p90.

    Columns: case, stage, stage_index, entered, days_in_stage, median_days, p90_days,
    ratio (days_in_stage / median_days; null without history), sorted by ratio, highest
    first, then by days in stage.

    Example:
        >>> stalls(log, stages=["discover", "evaluate"], as_of=datetime(2024, 6, 1))
        ... # doctest: +SKIP
    """
    keys = check_stages(stages)
    visits = stage_visits(
        events, stages=keys, case=case, activity=activity, timestamp=timestamp, position=position
    )
    history = visits.filter(visits.days.notnull())
    norms = history.group_by("stage_index").aggregate(
        median_days=history.days.median(), p90_days=history.days.quantile(0.9)
    )
    current = visits.filter(visits.left.isnull())
    if cases is not None:
        check_columns(cases, [case, status], where="cases")
        open_cases = cases.filter(cases[status].cast("string") == "open").select(
            case=cases[case].cast("string")
        )
        current = current.semi_join(open_cases, "case")
    else:
        ended = events.filter(events[activity].cast("string").isin(list(end_activities)))
        ended = ended.select(case=ended[case].cast("string"))
        current = current.anti_join(ended, "case")
    joined = current.left_join(norms, current.stage_index == norms.stage_index).drop(
        "stage_index_right"
    )
    days_in = days_between(ibis.literal(as_of), joined.entered)
    scored = joined.mutate(days_in_stage=days_in)
    scored = scored.mutate(
        ratio=ibis.ifelse(
            scored.median_days > 0,
            scored.days_in_stage / scored.median_days,
            ibis.null("float64"),
        )
    )
    return (
        scored.select(
            "case",
            "stage",
            "stage_index",
            "entered",
            "days_in_stage",
            "median_days",
            "p90_days",
            "ratio",
        )
        .order_by([ibis.desc("ratio"), ibis.desc("days_in_stage"), "case"])
        .to_pyarrow()
    )
