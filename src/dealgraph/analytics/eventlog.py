"""The one event-log shape every pattern is computed on, from files, tables or the workspace.

An event log has ``case``, ``activity``, ``timestamp`` (naive UTC), ``position`` (file or
stream order, which breaks timestamp ties) and optional ``channel``, ``resource``,
``outcome``. A case table has ``case``, ``status``, ``created_at``, ``seller``,
``segment`` and ``value``.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis import BaseBackend

from dealgraph.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dealgraph.core.model import Interaction

OPTIONAL_COLUMNS = ("channel", "resource", "outcome")

EVENT_SCHEMA = pa.schema(
    [
        pa.field("case", pa.string()),
        pa.field("activity", pa.string()),
        pa.field("timestamp", pa.timestamp("us")),
        pa.field("position", pa.int64()),
        pa.field("channel", pa.string()),
        pa.field("resource", pa.string()),
        pa.field("outcome", pa.string()),
    ]
)
CASE_SCHEMA = pa.schema(
    [
        pa.field("case", pa.string()),
        pa.field("status", pa.string()),
        pa.field("created_at", pa.timestamp("us")),
        pa.field("seller", pa.string()),
        pa.field("segment", pa.string()),
        pa.field("value", pa.float64()),
    ]
)

_names = (f"dealgraph_events_{n}" for n in itertools.count())


def as_table(source: ir.Table | pa.Table) -> ir.Table:
    """An Ibis table for an Ibis table or a pyarrow table (the latter as an in-memory table)."""
    if isinstance(source, pa.Table):
        return ibis.memtable(source)
    return source


def _register(con: BaseBackend, source: pa.Table) -> ir.Table:
    """``source`` as a table of ``con``: a temporary table, or a temporary view on Spark."""
    name = next(_names)
    if con.name == "pyspark":
        # Spark has no temporary tables; a temporary view over the in-memory data is the same
        # thing for one session.
        session = con._session
        session.createDataFrame(source).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, obj=source, temp=True)


def load_events(path: str | Path) -> pa.Table:
    """Read an event-log file by its suffix: XES (plain or gzip), Parquet, or CSV (pinned names).

    Raises:
        InvalidInput: the suffix is not one of .xes, .xes.gz, .gz, .parquet, .csv.
    """
    source = Path(path)
    name = source.name.lower()
    if name.endswith((".xes", ".xes.gz", ".gz")):
        from dealgraph.io.xes import read_xes

        return read_xes(source)
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(source)
    if name.endswith(".csv"):
        from dealgraph.io.eventlog_csv import read_eventlog_csv

        return read_eventlog_csv(source)
    raise InvalidInput(
        "not an event log: expected .xes, .xes.gz, .parquet or .csv", where=str(source)
    )


def event_log(
    con: BaseBackend,
    source: ir.Table | pa.Table | str | Path,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    position: str | None = "position",
    channel: str | None = "channel",
    resource: str | None = "resource",
    outcome: str | None = "outcome",
) -> ir.Table:
    """Bring an event log into ``con`` with the pinned column names.

    ``source`` is an Ibis table, a pyarrow table or a file (see ``load_events``). The keyword
    arguments name the source's columns; a missing optional column becomes null, a missing
    ``position`` is numbered in source order.

    Example:
        >>> con = connect()  # doctest: +SKIP
        >>> events = event_log(con, "helpdesk.xes.gz")  # doctest: +SKIP
        >>> events.columns  # doctest: +SKIP
        ('case', 'activity', 'timestamp', 'position', 'channel', 'resource', 'outcome')

    Raises:
        InvalidInput: a required column is missing from the source.
    """
    if isinstance(source, str | Path):
        source = load_events(source)
    if isinstance(source, pa.Table):
        table = _register(con, source)
    else:
        table = source
    present = set(table.columns)
    for role, name in (("case", case), ("activity", activity), ("timestamp", timestamp)):
        if name not in present:
            raise InvalidInput(
                f"no column {name!r} for {role}; columns are {', '.join(table.columns)}",
                where="event log",
            )
    if position is not None and position in present:
        order = table[position].cast("int64")
    else:
        order = ibis.row_number().cast("int64")
    optional: dict[str, ir.Value] = {}
    for role, column in (("channel", channel), ("resource", resource), ("outcome", outcome)):
        if column is not None and column in present:
            optional[role] = table[column].cast("string")
        else:
            optional[role] = ibis.null("string")
    return table.select(
        case=table[case].cast("string"),
        activity=table[activity].cast("string"),
        timestamp=table[timestamp].cast("timestamp"),
        position=order,
        **optional,
    )


def _touch_activity(touch: Interaction) -> str:
    if touch.play:
        return touch.play
    if touch.source is not None and touch.summary:
        return touch.summary
    return f"interaction:{touch.channel}"


def workspace_event_log(session: Session) -> tuple[pa.Table, pa.Table]:
    """The workspace's own history as an event log and a case table (one case per deal).

    Stage changes become activities named by the stage key (a deal whose first recorded
    change starts from a stage gets that stage as an event at its creation); interactions
    become the play
    key, or ``interaction:<channel>`` when no play was named (an interaction imported from an
    event log keeps its activity, stored as its summary), with their channel, seller and
    outcome. Events of a deal are ordered by time, stage changes before interactions at the
    same instant, then by id.
    """
    from dealgraph.store.deals import load_deal_records

    rows: list[tuple[str, datetime, int, int, str, str | None, str, str | None]] = []
    cases: dict[str, list[object]] = {name: [] for name in CASE_SCHEMA.names}
    for record in load_deal_records(session):
        deal = record.deal
        key = str(deal.id)
        cases["case"].append(key)
        cases["status"].append(str(deal.status))
        cases["created_at"].append(deal.created_at)
        cases["seller"].append(deal.owner)
        cases["segment"].append(deal.segment)
        cases["value"].append(float(deal.value))
        changes = sorted(record.stage_changes, key=lambda c: (c.changed_at, c.id or 0))
        if changes and changes[0].from_stage is not None:
            # The journey began before its first recorded move: the deal entered the stage
            # it moved from when it was created (order -1 keeps it before that instant's
            # other events).
            first = changes[0].from_stage
            rows.append((key, deal.created_at, -1, 0, first, None, deal.owner, None))
        for change in changes:
            rows.append(
                (key, change.changed_at, 0, change.id or 0, change.to_stage, None, deal.owner, None)
            )
        for touch in record.interactions:
            rows.append(
                (
                    key,
                    touch.occurred_at,
                    1,
                    touch.id or 0,
                    _touch_activity(touch),
                    str(touch.channel),
                    touch.seller or deal.owner,
                    str(touch.outcome),
                )
            )
    rows.sort(key=lambda row: (int(row[0]), row[1], row[2], row[3]))
    events = pa.table(
        {
            "case": [row[0] for row in rows],
            "activity": [row[4] for row in rows],
            "timestamp": [row[1] for row in rows],
            "position": list(range(len(rows))),
            "channel": [row[5] for row in rows],
            "resource": [row[6] for row in rows],
            "outcome": [row[7] for row in rows],
        },
        schema=EVENT_SCHEMA,
    )
    return events, pa.table(cases, schema=CASE_SCHEMA)
