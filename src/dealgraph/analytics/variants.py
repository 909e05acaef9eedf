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


def _collect_in_order(
    table: ir.Table, *, by: list[str], value: str, order: list[str], name: str
) -> ir.Table:
    """Per ``by`` group, ``value`` collected in ``order`` (nulls dropped) as column ``name``.

    DuckDB runs an ordered aggregate. Spark has no ORDER BY inside an aggregate: it collects
    structs of the order keys and the value, sorts them (structs compare field by field) and
    keeps the value; DuckDB keeps the ordered aggregate, as its lambda syntax differs from
    what Ibis writes for that.
    """
    if ibis.get_backend(table).name != "pyspark":
        ordered = table[value].collect(order_by=[table[key] for key in order])
        return table.group_by(by).aggregate(**{name: ordered})
    fields: dict[str, ir.Value] = {f"k{i}": table[key] for i, key in enumerate(order)}
    step = ibis.struct({**fields, "value": table[value]})
    grouped = table.group_by(by).aggregate(_steps=step.collect())
    return grouped.select(*by, **{name: grouped._steps.sort().map(lambda s: s.value)})


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
    table = table.select(
        case=table[case], activity=table[activity], at=table[timestamp], position=table[position]
    )
    return _collect_in_order(
        table, by=["case"], value="activity", order=["at", "position"], name="path"
    )


def _activity_codes(table: ir.Table, activity: str) -> ir.Table:
    """Every distinct activity (``_name``) with a small integer ``_code``, by name order."""
    names = table.select(_name=table[activity])
    names = names.filter(names._name.notnull()).distinct()
    return names.mutate(_code=ibis.row_number().over(order_by=names._name).cast("int32"))


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

    Paths are built and grouped as lists of small integer codes, one per distinct activity
    (sorting and hashing those is much cheaper than strings), and only the variants' paths
    are turned back into activity names.

    Example:
        >>> variant_table(events).columns  # doctest: +SKIP
        ('path', 'count', 'won', 'closed')
    """
    table = as_table(events)
    codes = _activity_codes(table, activity)
    coded = table.join(codes, table[activity] == codes._name).select(
        case=table[case], code=codes._code, at=table[timestamp], position=table[position]
    )
    paths = _collect_in_order(
        coded, by=["case"], value="code", order=["at", "position"], name="path"
    )
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
    # Back to names: one row per step of each variant, then collected again in step order.
    steps = grouped.mutate(_codes=grouped.path).unnest("path", offset="_step")
    named = steps.join(codes, steps.path == codes._code).select(
        "_codes", "count", "won", "closed", "_step", "_name"
    )
    decoded = _collect_in_order(
        named, by=["_codes", "count", "won", "closed"], value="_name", order=["_step"], name="path"
    )
    return decoded.select("path", "count", "won", "closed").order_by([ibis.desc("count"), "path"])


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
