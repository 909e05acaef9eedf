"""Variants: every distinct path through the journey, how often it occurs and how it ends."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from pydantic import BaseModel, computed_field

from dealgraph.analytics.eventlog import as_table

SEPARATOR = " -> "
CLOSED = ("won", "lost", "no_decision")


class Variant(BaseModel):
    """One distinct activity sequence, the cases that followed it and, if known, its win rate."""

    activities: list[str]
    count: int
    share: float
    won: int | None = None
    closed: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def variant(self) -> str:
        """The activities joined with `` -> ``, as pm4py writes a variant."""
        return SEPARATOR.join(self.activities)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def length(self) -> int:
        """How many events the path has."""
        return len(self.activities)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def win_rate(self) -> float | None:
        """Won among closed cases (won, lost, no decision); None when none closed."""
        if not self.closed or self.won is None:
            return None
        return self.won / self.closed


def case_paths(
    events: ir.Table | pa.Table,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
) -> ir.Table:
    """Each case with its activity sequence (``path``) in stable (timestamp, position) order.

    Example:
        >>> case_paths(events).columns  # doctest: +SKIP
        ('case', 'path')
    """
    table = as_table(events)
    if ibis.get_backend(table).name != "pyspark":
        path = table[activity].collect(order_by=[table[timestamp], table[position]])
        return table.group_by(case=table[case]).aggregate(path=path)
    # Spark has no ORDER BY inside an aggregate: collect (timestamp, position, activity)
    # structs, sort them (structs compare field by field) and keep the activity. DuckDB
    # keeps the ordered aggregate, as its lambda syntax differs from what Ibis writes.
    step = ibis.struct(
        {"at": table[timestamp], "position": table[position], "activity": table[activity]}
    )
    grouped = table.group_by(case=table[case]).aggregate(_steps=step.collect())
    path = grouped._steps.sort().map(lambda s: s.activity)
    return grouped.select(case=grouped.case, path=path)


def variant_table(
    events: ir.Table | pa.Table,
    cases: ir.Table | pa.Table | None = None,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
    status: str = "status",
) -> ir.Table:
    """The variants as an Ibis expression: path, count and, with a case table, won and closed.

    Example:
        >>> variant_table(events).columns  # doctest: +SKIP
        ('path', 'count', 'won', 'closed')
    """
    paths = case_paths(events, case=case, activity=activity, timestamp=timestamp, position=position)
    if cases is None:
        grouped = paths.group_by("path").aggregate(
            count=paths.count(), won=ibis.null("int64"), closed=ibis.null("int64")
        )
    else:
        outcomes = as_table(cases)
        outcomes = outcomes.select(case=outcomes[case].cast("string"), status=outcomes[status])
        joined = paths.left_join(outcomes, paths.case == outcomes.case)
        is_won = (joined.status == "won").ifelse(1, 0)
        is_closed = joined.status.isin(CLOSED).ifelse(1, 0)
        grouped = joined.group_by("path").aggregate(
            count=joined.count(), won=is_won.sum(), closed=is_closed.sum()
        )
    return grouped.order_by([ibis.desc("count"), "path"])


def variants(
    events: ir.Table | pa.Table,
    cases: ir.Table | pa.Table | None = None,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str = "position",
    status: str = "status",
) -> list[Variant]:
    """Every variant of an event log, most frequent first, with share and win rate.

    The win rate needs a case table with ``status`` (open, won, lost, no_decision).

    Example:
        >>> found = variants(event_log(connect(), "running-example.xes"))  # doctest: +SKIP
        >>> found[0].count, found[0].length  # doctest: +SKIP
        (1, 5)
    """
    rows = (
        variant_table(
            events,
            cases,
            case=case,
            activity=activity,
            timestamp=timestamp,
            position=position,
            status=status,
        )
        .to_pyarrow()
        .to_pylist()
    )
    total = sum(int(row["count"]) for row in rows)
    return [
        Variant(
            activities=list(row["path"]),
            count=int(row["count"]),
            share=int(row["count"]) / total if total else 0.0,
            won=None if row["won"] is None else int(row["won"]),
            closed=None if row["closed"] is None else int(row["closed"]),
        )
        for row in rows
    ]
