"""Conformance to the playbook: how far each deal's path kept to the journey's stages.

Per case the stage events are collapsed into visits (``funnel.stage_visits``); each step
from one visit to the next is a *move*. A move is

- a **skip** when it goes forward by more than one stage in journey order and the playbook's
  ``next`` does not allow that jump (``skipped_stages`` counts the stages jumped over);
- a **backward move** when it goes to an earlier stage in journey order; it is *unplanned*
  unless the playbook's ``next`` allows it (a loop the journey foresees, such as going back
  to define the problem after trying in house).

An event is **out of order** when its stage comes before a stage the case already reached.

**Fitness** = 1 - (skips + unplanned backward moves) / max(1, moves), in [0, 1]: 1 for a
case that only ever stepped to the next stage or along a ``next`` edge. A case *conforms* when its
fitness is 1. Across closed cases, the win rate of conforming and deviating deals is given
with a Wilson 95% interval.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.analytics.funnel import check_columns, stage_events, stage_visits
from dealgraph.analytics.stats import Rate, rate
from dealgraph.core.playbook.schema import Playbook

CLOSED_STATUSES = ("won", "lost", "no_decision")


class CaseConformance(BaseModel):
    """How one case's path compares with the playbook's journey."""

    model_config = ConfigDict(extra="forbid")

    case: str
    first_stage: str
    last_stage: str
    moves: int = Field(ge=0, description="steps from one stage visit to the next")
    skips: int = Field(ge=0, description="forward moves past a stage that `next` does not allow")
    skipped_stages: int = Field(ge=0, description="stages jumped over by those skips")
    backward_moves: int = Field(ge=0, description="moves to an earlier stage in journey order")
    unplanned_backward: int = Field(ge=0, description="backward moves `next` does not allow")
    out_of_order: int = Field(ge=0, description="events of a stage before one already reached")
    fitness: float = Field(
        ge=0, le=1, description="1 - (skips + unplanned backward) / max(1, moves)"
    )
    status: str | None = Field(default=None, description="the case's status, when known")


class ConformanceReport(BaseModel):
    """Per-case conformance and the win rates of conforming vs deviating closed deals."""

    model_config = ConfigDict(extra="forbid")

    cases: list[CaseConformance]
    conforming: Rate | None = Field(
        default=None, description="won among closed conforming cases; None without a case table"
    )
    deviating: Rate | None = Field(
        default=None, description="won among closed deviating cases; None without a case table"
    )


def allowed_jumps(playbook: Playbook) -> ir.Table:
    """The playbook's ``next`` edges as (from_index, to_index) in journey order."""
    order = playbook.journey_order
    pairs = [
        (order.index(stage.key), order.index(target))
        for stage in playbook.stages
        for target in stage.next
        if target in order
    ]
    return ibis.memtable(
        pa.table(
            {
                "from_index": pa.array([p[0] for p in pairs], pa.int64()),
                "to_index": pa.array([p[1] for p in pairs], pa.int64()),
                "allowed": pa.array([True] * len(pairs), pa.bool_()),
            }
        )
    )


def conformance_table(
    events: ir.Table,
    playbook: Playbook,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> ir.Table:
    """The per-case figures as an Ibis table (one row per case with a stage event).

    Example:
        >>> conformance_table(log, book).columns[:3]  # doctest: +SKIP
        ('case', 'first_stage', 'last_stage')
    """
    stages = playbook.journey_order
    columns = {"case": case, "activity": activity, "timestamp": timestamp, "position": position}
    visits = stage_visits(events, stages=stages, **columns)
    jumps = allowed_jumps(playbook)
    moves = visits.filter(visits.previous_index.notnull())
    moves = moves.left_join(
        jumps,
        [moves.previous_index == jumps.from_index, moves.stage_index == jumps.to_index],
    )
    step = moves.stage_index - moves.previous_index
    is_skip = (step > 1) & moves.allowed.isnull()
    per_move = moves.select(
        case=moves.case,
        skip=is_skip.cast("int64"),
        jumped=ibis.ifelse(is_skip, step - 1, 0).cast("int64"),
        backward=(step < 0).cast("int64"),
        unplanned=((step < 0) & moves.allowed.isnull()).cast("int64"),
    )
    move_counts = per_move.group_by("case").aggregate(
        moves=per_move.count().cast("int64"),
        skips=per_move.skip.sum(),
        skipped_stages=per_move.jumped.sum(),
        backward_moves=per_move.backward.sum(),
        unplanned_backward=per_move.unplanned.sum(),
    )
    ordered = ibis.window(group_by="case", order_by=["timestamp", "position"], rows=(None, -1))
    marked = stage_events(events, stages=stages, **columns)
    marked = marked.mutate(reached_before=marked.stage_index.max().over(ordered))
    late = marked.mutate(
        late=(marked.reached_before.notnull() & (marked.stage_index < marked.reached_before)).cast(
            "int64"
        )
    )
    by_visit = ibis.window(group_by="case", order_by="visit")
    ends = visits.mutate(
        first_stage=visits.stage.first().over(by_visit),
        last_visit=visits.visit.max().over(ibis.window(group_by="case")),
    )
    ends = ends.filter(ends.visit == ends.last_visit).select(
        "case", "first_stage", last_stage=ends.stage
    )
    event_counts = late.group_by("case").aggregate(out_of_order=late.late.sum().cast("int64"))
    joined = (
        ends.left_join(move_counts, ends.case == move_counts.case)
        .drop("case_right")
        .join(event_counts, "case")
    )
    filled = joined.mutate(
        moves=joined.moves.fill_null(0),
        skips=joined.skips.fill_null(0),
        skipped_stages=joined.skipped_stages.fill_null(0),
        backward_moves=joined.backward_moves.fill_null(0),
        unplanned_backward=joined.unplanned_backward.fill_null(0),
    )
    deviations = (filled.skips + filled.unplanned_backward).cast("float64")
    fitness = 1.0 - deviations / ibis.greatest(filled.moves, 1).cast("float64")
    return filled.mutate(fitness=fitness).select(
        "case",
        "first_stage",
        "last_stage",
        "moves",
        "skips",
        "skipped_stages",
        "backward_moves",
        "unplanned_backward",
        "out_of_order",
        "fitness",
    )


def conformance(
    events: ir.Table,
    playbook: Playbook,
    *,
    cases: ir.Table | None = None,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
    status: str = "status",
) -> ConformanceReport:
    """Per case: skips, backward moves, out-of-order events and fitness; win rates by group.

    Cases without a stage event are left out (they have no path to judge).

    With ``cases`` (a case table with ``status``), closed cases (won, lost, no decision)
    are split into conforming (fitness 1) and deviating, and each group's win rate is given
    with a Wilson 95% interval.

    Example:
        >>> report = conformance(log, book, cases=case_table)  # doctest: +SKIP
        >>> report.conforming.rate, report.deviating.rate  # doctest: +SKIP
    """
    per_case = conformance_table(
        events, playbook, case=case, activity=activity, timestamp=timestamp, position=position
    )
    if cases is None:
        rows = per_case.order_by("case").to_pyarrow().to_pylist()
        return ConformanceReport(cases=[CaseConformance(**row) for row in rows])
    check_columns(cases, [case, status], where="cases")
    statuses = cases.select(case=cases[case].cast("string"), status=cases[status].cast("string"))
    with_status = per_case.left_join(statuses, per_case.case == statuses.case).drop("case_right")
    rows = with_status.order_by("case").to_pyarrow().to_pylist()
    report_rows = [CaseConformance(**row) for row in rows]
    groups: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
    for row in report_rows:
        if row.status in CLOSED_STATUSES:
            counts = groups[row.fitness == 1.0]
            counts[0] += row.status == "won"
            counts[1] += 1
    return ConformanceReport(
        cases=report_rows,
        conforming=rate(groups[True][0], groups[True][1]),
        deviating=rate(groups[False][0], groups[False][1]),
    )
