"""The funnel: deals reaching each stage, stage-to-stage conversion and time in stage.

Every function here takes an event log in the pinned shape (``case``, ``activity``,
``timestamp``, ``position``) and the names of those columns as keyword arguments.
``stage_visits`` is the building block the conformance, channel and stall reports share.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from dealgraph.errors import InvalidInput

SECONDS_PER_DAY = 86_400.0
MONTH_COHORT = "month"
ALL_COHORT = "all"


def check_stages(stages: Sequence[str]) -> list[str]:
    """The stage keys as a list; InvalidInput when empty or repeated."""
    keys = list(stages)
    if not keys:
        raise InvalidInput("give at least one stage", where="stages")
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise InvalidInput(f"stage listed twice: {', '.join(repeated)}", where="stages")
    return keys


def check_columns(table: ir.Table, columns: Sequence[str], *, where: str) -> None:
    """InvalidInput naming every column the table lacks."""
    missing = [name for name in columns if name not in table.columns]
    if missing:
        raise InvalidInput(
            f"missing column(s) {', '.join(missing)}; the table has {', '.join(table.columns)}",
            where=where,
        )


def days_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Days from ``earlier`` to ``later`` as a float (second precision)."""
    seconds = later.epoch_seconds().cast("int64") - earlier.epoch_seconds().cast("int64")
    return seconds.cast("float64") / SECONDS_PER_DAY


def stage_index_table(stages: Sequence[str]) -> ir.Table:
    """A small table mapping each stage key to its 0-based journey position."""
    keys = check_stages(stages)
    return ibis.memtable(
        pa.table(
            {
                "stage": pa.array(keys, pa.string()),
                "stage_index": pa.array(range(len(keys)), pa.int64()),
            }
        )
    )


def stage_events(
    events: ir.Table,
    *,
    stages: Sequence[str],
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> ir.Table:
    """Events whose activity is a stage, as (case, stage, stage_index, timestamp, position).

    Example:
        >>> stage_events(log, stages=["discover", "evaluate"]).columns
        ('case', 'stage', 'stage_index', 'timestamp', 'position')
    """
    check_columns(events, [case, activity, timestamp, position], where="events")
    index = stage_index_table(stages)
    picked = events.select(
        case=events[case].cast("string"),
        stage=events[activity].cast("string"),
        timestamp=events[timestamp],
        position=events[position].cast("int64"),
    )
    joined = picked.join(index, picked.stage == index.stage)
    return joined.select("case", "stage", "stage_index", "timestamp", "position")


def stage_visits(
    events: ir.Table,
    *,
    stages: Sequence[str],
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> ir.Table:
    """Visits of stages per case: runs of consecutive events of one stage collapse into one.

    A visit starts at its first event and ends at the first event of the next visit of the
    case (ties in timestamp broken by ``position``). Columns: case, stage, stage_index,
    entered, entered_position, visit (0-based per case), previous_index, left, days (null
    for the case's last visit, which is still in progress or the end of the journey).

    Example:
        >>> stage_visits(log, stages=["discover", "evaluate"]).days  # doctest: +SKIP
    """
    moves = stage_events(
        events,
        stages=stages,
        case=case,
        activity=activity,
        timestamp=timestamp,
        position=position,
    )
    ordered = ibis.window(group_by="case", order_by=["timestamp", "position"])
    marked = moves.mutate(earlier_index=moves.stage_index.lag().over(ordered))
    starts = marked.filter(
        marked.earlier_index.isnull() | (marked.earlier_index != marked.stage_index)
    )
    visit_order = ibis.window(group_by="case", order_by=["timestamp", "position"])
    visits = starts.select(
        case=starts.case,
        stage=starts.stage,
        stage_index=starts.stage_index,
        entered=starts.timestamp,
        entered_position=starts.position,
        visit=ibis.row_number().over(visit_order),
        previous_index=starts.stage_index.lag().over(visit_order),
        left=starts.timestamp.lead().over(visit_order),
    )
    return visits.mutate(days=days_between(visits.left, visits.entered))


def case_cohorts(
    cases: ir.Table,
    *,
    cohort: str,
    case: str = "case",
    created_at: str = "created_at",
) -> ir.Table:
    """(case, cohort) from the case table: ``month`` is the creation month as ``YYYY-MM``."""
    if cohort == MONTH_COHORT:
        check_columns(cases, [case, created_at], where="cases")
        label = cases[created_at].strftime("%Y-%m")
    else:
        check_columns(cases, [case, cohort], where="cases")
        label = cases[cohort].cast("string").fill_null("(none)")
    return cases.select(case=cases[case].cast("string"), cohort=label)


def funnel(
    events: ir.Table,
    *,
    stages: Sequence[str],
    cases: ir.Table | None = None,
    cohort: str | None = None,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
    created_at: str = "created_at",
) -> pa.Table:
    """Deals reaching each stage, conversion from the stage before, and time in stage.

    A case reaches stage k when it has an event for stage k or any later stage. Time in
    stage runs from a visit's first event to the case's next stage visit, in days.
    With ``cohort`` (``month`` for the creation month, or a column of ``cases`` such as
    ``seller`` or ``segment``) every figure is per cohort; without it the cohort is ``all``.
    Columns: cohort, stage, stage_index, reached, conversion, visits, median_days, p90_days.

    Example:
        >>> funnel(log, stages=["discover", "evaluate", "decide"])  # doctest: +SKIP
    """
    keys = check_stages(stages)
    visits = stage_visits(
        events,
        stages=keys,
        case=case,
        activity=activity,
        timestamp=timestamp,
        position=position,
    )
    if cohort is None:
        labelled = visits.mutate(cohort=ibis.literal(ALL_COHORT))
    else:
        if cases is None:
            raise InvalidInput("a cohort needs the case table", where="cohort")
        labels = case_cohorts(cases, cohort=cohort, case=case, created_at=created_at)
        labelled = visits.join(labels, "case")
    furthest = labelled.group_by(["cohort", "case"]).aggregate(furthest=labelled.stage_index.max())
    index = stage_index_table(keys)
    reached = (
        furthest.cross_join(index)
        .filter(lambda t: t.furthest >= t.stage_index)
        .group_by(["cohort", "stage", "stage_index"])
        .aggregate(reached=lambda t: t.case.nunique().cast("int64"))
    )
    timed = labelled.filter(labelled.days.notnull())
    times = timed.group_by(["cohort", "stage_index"]).aggregate(
        visits=timed.count().cast("int64"),
        median_days=timed.days.median(),
        p90_days=timed.days.quantile(0.9),
    )
    joined = reached.left_join(
        times,
        [reached.cohort == times.cohort, reached.stage_index == times.stage_index],
    ).drop("cohort_right", "stage_index_right")
    by_stage = ibis.window(group_by="cohort", order_by="stage_index")
    previous = joined.reached.lag().over(by_stage)
    result = joined.mutate(
        conversion=ibis.ifelse(previous.isnull(), ibis.null("float64"), joined.reached / previous),
        visits=joined.visits.fill_null(0),
    )
    return (
        result.select(
            "cohort",
            "stage",
            "stage_index",
            "reached",
            "conversion",
            "visits",
            "median_days",
            "p90_days",
        )
        .order_by(["cohort", "stage_index"])
        .to_pyarrow()
    )
