"""``dealgraph patterns``: what happened across deals (journey map, variants, ...).

Every command reads the workspace's own history unless ``--log FILE`` names an event log
(XES, gzip XES, Parquet, or CSV with a column mapping). ``load_log`` is shared with the
other pattern commands (``cli/patterns_more.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealgraph.cli.common import DbOption, JsonOption, console, print_json
from dealgraph.cli.patterns_out import OutOption, check_out, save_chart, source_of

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from dealgraph.analytics.journey import JourneyMap
    from dealgraph.analytics.variants import Variant

app = typer.Typer(
    help="Patterns across deals: journey map, variants and more, over the workspace or a log.",
    no_args_is_help=True,
)

LogOption = Annotated[
    str | None,
    typer.Option(
        "--log",
        help="An event log to read instead of the workspace: .xes, .xes.gz, .parquet or .csv.",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str,
    typer.Option("--engine", help="Analytics engine: duckdb or spark."),
]
CaseOption = Annotated[str, typer.Option("--case", help="CSV column holding the case (deal).")]
ActivityOption = Annotated[str, typer.Option("--activity", help="CSV column holding the activity.")]
TimestampOption = Annotated[
    str, typer.Option("--timestamp", help="CSV column holding the timestamp.")
]
TimestampFormatOption = Annotated[
    str | None,
    typer.Option(
        "--timestamp-format",
        help="strptime format of CSV timestamps (default: ISO 8601).",
        show_default=False,
    ),
]
ChannelOption = Annotated[
    str | None,
    typer.Option("--channel", help="CSV column holding the channel.", show_default=False),
]
ResourceOption = Annotated[
    str | None,
    typer.Option("--resource", help="CSV column holding the seller.", show_default=False),
]
OutcomeOption = Annotated[
    str | None,
    typer.Option("--outcome", help="CSV column holding the outcome.", show_default=False),
]
TopOption = Annotated[
    int | None,
    typer.Option("--top", min=1, help="Show only the N most frequent rows.", show_default=False),
]


def load_log(
    *,
    log: str | None,
    db: str | None,
    engine: str = "duckdb",
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    timestamp_format: str | None = None,
    channel: str | None = None,
    resource: str | None = None,
    outcome: str | None = None,
) -> tuple[ir.Table, ir.Table | None]:
    """The event log (and the case table, for the workspace) bound to the chosen engine."""
    from dealgraph.analytics.engine import connect
    from dealgraph.analytics.eventlog import event_log

    con = connect(engine)
    if log is None:
        from dealgraph.analytics.eventlog import workspace_event_log
        from dealgraph.cli.common import workspace_session

        with workspace_session(db) as session:
            events, cases = workspace_event_log(session)
        return event_log(con, events), con.create_table("dealgraph_cases", obj=cases, temp=True)
    from pathlib import Path

    path = Path(log)
    if not path.is_file():
        from dealgraph.cli.common import abort

        abort(f"no event log at {path}")
    if path.name.lower().endswith(".csv"):
        from dealgraph.io.eventlog_csv import read_eventlog_csv

        table = read_eventlog_csv(
            path,
            case=case,
            activity=activity,
            timestamp=timestamp,
            channel=channel,
            resource=resource,
            outcome=outcome,
            timestamp_format=timestamp_format,
        )
        return event_log(con, table), None
    return event_log(con, path), None


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


@app.command("journey")
def journey(
    log: LogOption = None,
    db: DbOption = None,
    engine: EngineOption = "duckdb",
    case: CaseOption = "case",
    activity: ActivityOption = "activity",
    timestamp: TimestampOption = "timestamp",
    timestamp_format: TimestampFormatOption = None,
    channel: ChannelOption = None,
    resource: ResourceOption = None,
    outcome: OutcomeOption = None,
    top: TopOption = None,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """The journey map: which activity follows which, how often, and how long it takes."""
    from dealgraph.analytics.journey import journey_map

    check_out(out)
    events, _ = load_log(
        log=log,
        db=db,
        engine=engine,
        case=case,
        activity=activity,
        timestamp=timestamp,
        timestamp_format=timestamp_format,
        channel=channel,
        resource=resource,
        outcome=outcome,
    )
    found = journey_map(events)
    total_edges = len(found.edges)
    if top is not None:
        found = found.top(top)
    if as_json:
        print_json(found.model_dump(mode="json"))
    else:
        _print_journey(found, total_edges)
    if out is not None:
        from dealgraph.cli.patterns_more import DEFAULT_PLAYBOOK
        from dealgraph.cli.patterns_out import CHART_EDGES, journey_chart

        drawn = min(len(found.edges), CHART_EDGES)
        save_chart(
            out,
            journey_chart(found, total_edges=total_edges, playbook_key=DEFAULT_PLAYBOOK),
            chart="Journey map",
            source=source_of(db, log),
            filters={"edges": f"{drawn} most frequent of {total_edges}"},
            as_json=as_json,
        )


def _print_journey(found: JourneyMap, total_edges: int) -> None:
    from rich.table import Table

    shown = f"{len(found.edges)} of {total_edges} edges shown"
    console.print(f"{found.cases} cases, {found.events} events, {shown}", markup=False)
    table = Table("from", "to", "count", "median", "mean", "p90", title="Journey map")
    for edge in found.edges:
        table.add_row(
            edge.source,
            edge.target,
            str(edge.count),
            _duration(edge.median_seconds),
            _duration(edge.mean_seconds),
            _duration(edge.p90_seconds),
        )
    console.print(table)
    ends = Table("activity", "starts", "ends", title="Start and end activities")
    starts = {c.activity: c.count for c in found.starts}
    finishes = {c.activity: c.count for c in found.ends}
    for name in sorted(starts.keys() | finishes.keys()):
        ends.add_row(name, str(starts.get(name, 0)), str(finishes.get(name, 0)))
    console.print(ends)


@app.command("variants")
def variants_command(
    log: LogOption = None,
    db: DbOption = None,
    engine: EngineOption = "duckdb",
    case: CaseOption = "case",
    activity: ActivityOption = "activity",
    timestamp: TimestampOption = "timestamp",
    timestamp_format: TimestampFormatOption = None,
    channel: ChannelOption = None,
    resource: ResourceOption = None,
    outcome: OutcomeOption = None,
    top: TopOption = None,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Every distinct path through the journey, with its count, share and win rate."""
    from dealgraph.analytics.variants import variants

    check_out(out)
    events, cases = load_log(
        log=log,
        db=db,
        engine=engine,
        case=case,
        activity=activity,
        timestamp=timestamp,
        timestamp_format=timestamp_format,
        channel=channel,
        resource=resource,
        outcome=outcome,
    )
    found = variants(events, cases)
    shown = found[:top] if top is not None else found
    if as_json:
        data: list[dict[str, Any]] = [v.model_dump(mode="json") for v in shown]
        print_json(data)
    else:
        _print_variants(found, shown)
    if out is not None:
        from dealgraph.cli.patterns_out import CHART_VARIANTS, variants_chart

        drawn = min(len(found), top or CHART_VARIANTS)
        save_chart(
            out,
            variants_chart(found, top=top),
            chart="Variants",
            source=source_of(db, log),
            filters={"variants": f"{drawn} most frequent of {len(found)}"},
            as_json=as_json,
        )


def _print_variants(found: list[Variant], shown: list[Variant]) -> None:
    from rich.table import Table

    console.print(f"{len(found)} variants, {len(shown)} shown", markup=False)
    table = Table("count", "share", "win rate", "length", "path", title="Variants")
    for variant in shown:
        rate = "-" if variant.win_rate is None else f"{variant.win_rate:.0%}"
        table.add_row(
            str(variant.count), f"{variant.share:.1%}", rate, str(variant.length), variant.variant
        )
    console.print(table)
