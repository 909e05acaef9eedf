"""The journey map: a directly-follows graph with counts and the time between activities.

Events of a case are ordered by ``timestamp`` then ``position`` (a stable sort, as pm4py
does), so events with equal timestamps keep their file order. Times are in seconds; the
median and p90 interpolate between neighbouring values (DuckDB's ``quantile_cont``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from pydantic import BaseModel, Field

from dealgraph.analytics.eventlog import as_table

START = "__START__"
END = "__END__"


class JourneyEdge(BaseModel):
    """One directly-follows edge: ``target`` came right after ``source`` ``count`` times."""

    source: str
    target: str
    count: int
    median_seconds: float
    mean_seconds: float
    p90_seconds: float


class ActivityCount(BaseModel):
    """How many cases start (or end) with an activity."""

    activity: str
    count: int


class JourneyMap(BaseModel):
    """The directly-follows graph of an event log, with its start and end activities."""

    cases: int
    events: int
    edges: list[JourneyEdge] = Field(default_factory=list)
    starts: list[ActivityCount] = Field(default_factory=list)
    ends: list[ActivityCount] = Field(default_factory=list)

    def dfg_rows(self) -> list[tuple[str, str, int]]:
        """Every edge as (source, target, count), with ``__START__``/``__END__`` rows, as pm4py."""
        rows = [(edge.source, edge.target, edge.count) for edge in self.edges]
        rows += [(START, start.activity, start.count) for start in self.starts]
        rows += [(end.activity, END, end.count) for end in self.ends]
        return rows

    def top(self, n: int) -> JourneyMap:
        """The same map keeping only the ``n`` most frequent edges."""
        return self.model_copy(update={"edges": self.edges[:n]})


def _with_neighbours(
    events: ir.Table, *, case: str, activity: str, timestamp: str, position: str
) -> ir.Table:
    window = ibis.window(group_by=events[case], order_by=[events[timestamp], events[position]])
    return events.mutate(
        _next_activity=events[activity].lead().over(window),
        _next_timestamp=events[timestamp].lead().over(window),
        _next_position=events[position].lead().over(window),
        _previous_position=events[position].lag().over(window),
    )


def journey_edges(
    events: ir.Table | pa.Table,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> ir.Table:
    """The directly-follows edges as an Ibis expression (source, target, count, times).

    Example:
        >>> edges = journey_edges(events)  # doctest: +SKIP
        >>> edges.columns  # doctest: +SKIP
        ('source', 'target', 'count', 'median_seconds', 'mean_seconds', 'p90_seconds')
    """
    table = _with_neighbours(
        as_table(events), case=case, activity=activity, timestamp=timestamp, position=position
    )
    pairs = table.filter(table._next_position.notnull())
    seconds = pairs._next_timestamp.delta(pairs[timestamp], unit="microsecond") / 1_000_000
    pairs = pairs.mutate(_seconds=seconds)
    return (
        pairs.group_by(source=pairs[activity], target=pairs._next_activity)
        .aggregate(
            count=pairs.count(),
            median_seconds=pairs._seconds.median(),
            mean_seconds=pairs._seconds.mean(),
            p90_seconds=pairs._seconds.quantile(0.9),
        )
        .order_by([ibis.desc("count"), "source", "target"])
    )


def journey_ends(
    events: ir.Table | pa.Table,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> ir.Table:
    """Start and end activities as an Ibis expression (``kind`` is "start" or "end")."""
    table = _with_neighbours(
        as_table(events), case=case, activity=activity, timestamp=timestamp, position=position
    )
    starts = table.filter(table._previous_position.isnull()).select(
        kind=ibis.literal("start"), activity=table[activity]
    )
    ends = table.filter(table._next_position.isnull()).select(
        kind=ibis.literal("end"), activity=table[activity]
    )
    both = starts.union(ends, distinct=False)
    return both.group_by(["kind", "activity"]).aggregate(count=both.count())


def journey_map(
    events: ir.Table | pa.Table,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> JourneyMap:
    """The journey map of an event log: directly-follows edges, start and end activities.

    Example:
        >>> journey = journey_map(event_log(connect(), "running-example.xes"))  # doctest: +SKIP
        >>> first = journey.edges[0]  # doctest: +SKIP
        >>> first.source, first.target, first.count  # doctest: +SKIP
        ('check ticket', 'decide', 6)
    """
    table = as_table(events)
    columns = {"case": case, "activity": activity, "timestamp": timestamp, "position": position}
    edges = journey_edges(table, **columns).to_pyarrow().to_pylist()
    ends = journey_ends(table, **columns).to_pyarrow().to_pylist()
    totals = (
        table.aggregate(cases=table[case].nunique(), events=table.count()).to_pyarrow().to_pylist()
    )[0]

    def counts(kind: str) -> list[ActivityCount]:
        found = [ActivityCount(activity=r["activity"], count=r["count"]) for r in ends]
        chosen = [c for c, r in zip(found, ends, strict=True) if r["kind"] == kind]
        return sorted(chosen, key=lambda c: (-c.count, c.activity))

    return JourneyMap(
        cases=int(totals["cases"] or 0),
        events=int(totals["events"] or 0),
        edges=[JourneyEdge.model_validate(row) for row in edges],
        starts=counts("start"),
        ends=counts("end"),
    )
