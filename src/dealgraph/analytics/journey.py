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


def _steps(
    events: ir.Table, *, case: str, activity: str, timestamp: str, position: str
) -> ir.Table:
    """Every event with what follows it in its case: one window over the ordered events.

    ``target`` and ``seconds`` are the next event's activity and the time to it; ``last``
    marks a case's last event and ``first`` its first (1 or 0, so they can be summed);
    ``known`` is false for events without a case id (not counted as cases).
    """
    window = ibis.window(group_by=events[case], order_by=[events[timestamp], events[position]])
    following = events[timestamp].lead().over(window)
    first = events[position].lag().over(window).isnull()
    return events.select(
        source=events[activity],
        target=events[activity].lead().over(window),
        last=events[position].lead().over(window).isnull(),
        first=first.cast("int64"),
        known=events[case].notnull(),
        seconds=following.delta(events[timestamp], unit="microsecond") / 1_000_000,
    )


def journey_table(
    events: ir.Table | pa.Table,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> ir.Table:
    """Edges, start and end activities and totals in one Ibis expression (one window, one
    aggregate): a row per (source, target, last) with its count, the cases starting there
    (``starts``, ``cases``) and the times to the next activity. Rows with ``last`` are the
    end activities (no target); the others are the edges.

    Example:
        >>> journey_table(events).columns  # doctest: +SKIP
        ('source', 'target', 'last', 'count', 'starts', 'cases', 'median_seconds', ...)
    """
    steps = _steps(
        as_table(events), case=case, activity=activity, timestamp=timestamp, position=position
    )
    return steps.group_by(["source", "target", "last"]).aggregate(
        count=steps.count(),
        starts=steps["first"].sum(),
        cases=steps["first"].sum(where=steps.known),
        median_seconds=steps.seconds.median(),
        mean_seconds=steps.seconds.mean(),
        p90_seconds=steps.seconds.quantile(0.9),
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
    table = journey_table(
        events, case=case, activity=activity, timestamp=timestamp, position=position
    )
    return (
        table.filter(~table["last"])
        .select("source", "target", "count", "median_seconds", "mean_seconds", "p90_seconds")
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
    steps = _steps(
        as_table(events), case=case, activity=activity, timestamp=timestamp, position=position
    )
    starts = steps.filter(steps["first"] == 1).select(kind=ibis.literal("start"), activity="source")
    ends = steps.filter(steps["last"]).select(kind=ibis.literal("end"), activity="source")
    both = starts.union(ends, distinct=False)
    return both.group_by(["kind", "activity"]).aggregate(count=both.count())


def _by_count(counts: dict[str, int]) -> list[ActivityCount]:
    found = [ActivityCount(activity=name, count=n) for name, n in counts.items() if n]
    return sorted(found, key=lambda c: (-c.count, c.activity))


def journey_map(
    events: ir.Table | pa.Table,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> JourneyMap:
    """The journey map of an event log: directly-follows edges, start and end activities.

    One query (``journey_table``) reads the events once.

    Example:
        >>> journey = journey_map(event_log(connect(), "running-example.xes"))  # doctest: +SKIP
        >>> first = journey.edges[0]  # doctest: +SKIP
        >>> first.source, first.target, first.count  # doctest: +SKIP
        ('check ticket', 'decide', 6)
    """
    rows = (
        journey_table(events, case=case, activity=activity, timestamp=timestamp, position=position)
        .to_pyarrow()
        .to_pylist()
    )
    edges = [JourneyEdge.model_validate(row) for row in rows if not row["last"]]
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    for row in rows:
        if row["starts"]:
            starts[row["source"]] = starts.get(row["source"], 0) + int(row["starts"])
        if row["last"]:
            ends[row["source"]] = ends.get(row["source"], 0) + int(row["count"])
    return JourneyMap(
        cases=sum(int(row["cases"] or 0) for row in rows),
        events=sum(int(row["count"]) for row in rows),
        edges=sorted(edges, key=lambda e: (-e.count, e.source, e.target)),
        starts=_by_count(starts),
        ends=_by_count(ends),
    )
