"""``dealgraph patterns funnel|conformance|channels|signals|stalls``: reports across deals.

Registered on the ``patterns`` group by ``register(app)``. Ibis, DuckDB and the store are
imported inside the commands so ``dealgraph --help`` stays fast.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from dealgraph.cli.common import DbOption, JsonOption, abort, console, now, print_json
from dealgraph.cli.patterns_out import OutOption, check_out, save_chart, source_of

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from dealgraph.analytics.conformance import ConformanceReport
    from dealgraph.core.playbook.schema import Playbook

DEFAULT_PLAYBOOK = "buyer-journey"

LogOption = Annotated[
    Path | None,
    typer.Option(
        "--log",
        help="Read this event-log file (.xes, .xes.gz, .csv, .parquet) instead of the workspace.",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str,
    typer.Option("--engine", help="Analytics engine: duckdb or spark."),
]
PlaybookOption = Annotated[
    str, typer.Option("--playbook", help="Playbook whose stages (in journey order) are counted.")
]
StagesOption = Annotated[
    str | None,
    typer.Option(
        "--stages",
        help="Comma-separated stage activities in journey order (default: the playbook's).",
        show_default=False,
    ),
]


def _playbook(key: str) -> Playbook:
    from dealgraph.services.playbooks import show_playbook

    return show_playbook(key)


def _stages(playbook_key: str, stages: str | None) -> list[str]:
    if stages is None:
        return _playbook(playbook_key).journey_order
    keys = [part.strip() for part in stages.split(",") if part.strip()]
    if not keys:
        abort("--stages: give at least one stage")
    return keys


def _event_log(db: str | None, log: Path | None, engine: str) -> tuple[ir.Table, ir.Table | None]:
    """The events and (for the workspace) the case table, on the chosen engine."""
    from dealgraph.analytics.engine import connect
    from dealgraph.analytics.eventlog import event_log

    con = connect(engine)
    if log is not None:
        return event_log(con, log), None
    from dealgraph.analytics.eventlog import workspace_event_log
    from dealgraph.cli.common import workspace_session

    with workspace_session(db) as session:
        events, cases = workspace_event_log(session)
    return event_log(con, events), con.create_table("dealgraph_cases", obj=cases, temp=True)


def _number(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _print_rows(
    title: str, rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]
) -> None:
    """A Rich table: each column is (key, heading, kind) with kind number, share or text."""
    table = Table(title=title, title_justify="left")
    for _key, heading, kind in columns:
        table.add_column(heading, justify="left" if kind == "text" else "right")
    for row in rows:
        cells = []
        for key, _heading, kind in columns:
            value = row[key]
            cells.append(
                _share(value)
                if kind == "share"
                else _number(value)
                if kind == "number"
                else str(value if value is not None else "-")
            )
        table.add_row(*cells)
    console.print(table)


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return list(table.to_pylist())


def funnel_command(
    db: DbOption = None,
    log: LogOption = None,
    engine: EngineOption = "duckdb",
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    stages: StagesOption = None,
    cohort: Annotated[
        str | None,
        typer.Option(
            "--cohort",
            help="Split by cohort: month (created), seller or segment (workspace only).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Deals reaching each stage, conversion from the stage before, time in stage."""
    from dealgraph.analytics.funnel import funnel

    if cohort is not None and log is not None:
        abort("--cohort needs the workspace's case table; it does not work with --log")
    if cohort is not None and out is not None:
        abort("--out draws the funnel of all deals together; leave out --cohort to save it")
    check_out(out)
    keys = _stages(playbook, stages)
    events, cases = _event_log(db, log, engine)
    rows = _rows(funnel(events, stages=keys, cases=cases, cohort=cohort))
    if as_json:
        print_json(rows)
    else:
        _print_funnel(rows)
    if out is not None:
        from dealgraph.cli.patterns_out import funnel_chart, stage_titles

        save_chart(
            out,
            funnel_chart(rows, stages=keys, titles=stage_titles(_playbook(playbook))),
            chart="Funnel and time in stage",
            source=source_of(db, log),
            filters={"playbook": playbook, "stages": stages},
            as_json=as_json,
        )


def _print_funnel(rows: list[dict[str, Any]]) -> None:
    _print_rows(
        "Funnel",
        rows,
        [
            ("cohort", "Cohort", "text"),
            ("stage", "Stage", "text"),
            ("reached", "Reached", "number"),
            ("conversion", "Conversion", "share"),
            ("median_days", "Median days", "number"),
            ("p90_days", "p90 days", "number"),
        ],
    )


def conformance_command(
    db: DbOption = None,
    log: LogOption = None,
    engine: EngineOption = "duckdb",
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="Deviating deals to list (lowest fitness first).")
    ] = 10,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Per deal, skipped stages, backward moves and fitness; win rate conforming vs deviating."""
    from dealgraph.analytics.conformance import conformance

    check_out(out)
    book = _playbook(playbook)
    events, cases = _event_log(db, log, engine)
    report = conformance(events, book, cases=cases)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        _print_conformance(report, limit)
    if out is not None:
        from dealgraph.cli.patterns_out import conformance_chart

        save_chart(
            out,
            conformance_chart(report),
            chart="Conformance: win rate of conforming and deviating deals",
            source=source_of(db, log),
            filters={"playbook": playbook},
            as_json=as_json,
        )


def _print_conformance(report: ConformanceReport, limit: int) -> None:
    groups = [("conforming", report.conforming), ("deviating", report.deviating)]
    summary = [
        {
            "group": name,
            "closed": group.trials,
            "won": group.successes,
            "rate": group.rate,
            "interval": f"{group.low:.0%}-{group.high:.0%}",
        }
        for name, group in groups
        if group is not None
    ]
    if summary:
        _print_rows(
            "Win rate of closed deals",
            summary,
            [
                ("group", "Deals", "text"),
                ("closed", "Closed", "number"),
                ("won", "Won", "number"),
                ("rate", "Win rate", "share"),
                ("interval", "95% interval", "text"),
            ],
        )
    deviating = sorted(
        (c.model_dump() for c in report.cases if c.fitness < 1),
        key=lambda c: (c["fitness"], c["case"]),
    )
    console.print(f"{len(report.cases)} deals, {len(deviating)} deviating from the playbook")
    if deviating and limit:
        _print_rows(
            "Least conforming deals",
            deviating[:limit],
            [
                ("case", "Deal", "text"),
                ("moves", "Moves", "number"),
                ("skips", "Skips", "number"),
                ("backward_moves", "Backward", "number"),
                ("out_of_order", "Out of order", "number"),
                ("fitness", "Fitness", "share"),
            ],
        )


def channels_command(
    db: DbOption = None,
    log: LogOption = None,
    engine: EngineOption = "duckdb",
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    stages: StagesOption = None,
    within_days: Annotated[
        float, typer.Option("--within-days", min=0, help="Days an advance may follow a touch.")
    ] = 30.0,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Per stage and channel: interactions, share followed by a stage advance, days to it."""
    from dealgraph.analytics.channels import channel_effectiveness

    check_out(out)
    keys = _stages(playbook, stages)
    events, _cases = _event_log(db, log, engine)
    rows = _rows(channel_effectiveness(events, stages=keys, within_days=within_days))
    if as_json:
        print_json(rows)
    else:
        _print_channels(rows)
    if out is not None:
        from dealgraph.cli.patterns_out import channels_chart, stage_titles

        figure = channels_chart(
            rows,
            stages=keys,
            titles=stage_titles(_playbook(playbook)),
            within_days=within_days,
        )
        save_chart(
            out,
            figure,
            chart="Channel effectiveness: share of touches followed by a stage advance",
            source=source_of(db, log),
            filters={"playbook": playbook, "stages": stages, "within days": within_days},
            as_json=as_json,
        )


def _print_channels(rows: list[dict[str, Any]]) -> None:
    _print_rows(
        "Channel effectiveness",
        rows,
        [
            ("stage", "Stage", "text"),
            ("channel", "Channel", "text"),
            ("interactions", "Touches", "number"),
            ("advance_share", "Advanced", "share"),
            ("median_days_to_advance", "Median days", "number"),
        ],
    )


def signals_command(
    db: DbOption = None,
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """For each signal, the loss rate of closed deals where it fired vs the base rate."""
    import ibis

    from dealgraph.analytics.eventlog import workspace_event_log
    from dealgraph.analytics.lift import signal_lift
    from dealgraph.cli.common import workspace_session
    from dealgraph.services.patterns import workspace_signals_fired

    with workspace_session(db) as session:
        fired = workspace_signals_fired(session, playbook_key=playbook)
        _events, cases = workspace_event_log(session)
    rows = _rows(signal_lift(ibis.memtable(fired), ibis.memtable(cases)))
    if as_json:
        print_json(rows)
    else:
        _print_signals(rows)
    if out is not None:
        from dealgraph.cli.patterns_out import signals_chart

        save_chart(
            out,
            signals_chart(rows, cases=cases),
            chart="Signal lift: loss rate of closed deals where each signal fired",
            source=source_of(db, None),
            filters={"playbook": playbook},
            as_json=as_json,
        )


def _print_signals(rows: list[dict[str, Any]]) -> None:
    shown = [{**row, "interval": f"{row['low']:.0%}-{row['high']:.0%}"} for row in rows]
    _print_rows(
        "Signal lift on closed deals",
        shown,
        [
            ("signal", "Signal", "text"),
            ("deals", "Deals", "number"),
            ("loss_rate", "Loss rate", "share"),
            ("base_loss_rate", "Base", "share"),
            ("lift", "Lift", "number"),
            ("interval", "95% interval", "text"),
        ],
    )


def stalls_command(
    db: DbOption = None,
    log: LogOption = None,
    engine: EngineOption = "duckdb",
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    stages: StagesOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            help="Measure days in stage up to this time (default: now, UTC).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Deals to list (0: all).")] = 20,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Open deals sitting in their stage longest against that stage's own history."""
    from dealgraph.analytics.stalls import stalls

    check_out(out)
    keys = _stages(playbook, stages)
    events, cases = _event_log(db, log, engine)
    measured_at = as_of or now()
    rows = _rows(stalls(events, stages=keys, as_of=measured_at, cases=cases))
    if limit:
        rows = rows[:limit]
    if as_json:
        print_json(rows)
    else:
        _print_stalls(rows)
    if out is not None:
        from dealgraph.cli.patterns_out import stage_titles, stalls_chart

        save_chart(
            out,
            stalls_chart(rows, titles=stage_titles(_playbook(playbook))),
            chart="Stalls: days in stage of open deals against the stage's history",
            source=source_of(db, log),
            filters={
                "playbook": playbook,
                "stages": stages,
                "as of": f"{measured_at:%Y-%m-%d %H:%M}",
                "deals": f"{len(rows)} longest" if limit else None,
            },
            as_json=as_json,
        )


def _print_stalls(rows: list[dict[str, Any]]) -> None:
    _print_rows(
        "Stalled deals",
        rows,
        [
            ("case", "Deal", "text"),
            ("stage", "Stage", "text"),
            ("days_in_stage", "Days in stage", "number"),
            ("median_days", "Median", "number"),
            ("p90_days", "p90", "number"),
            ("ratio", "× median", "number"),
        ],
    )


def register(app: typer.Typer) -> None:
    """Add funnel, conformance, channels, signals and stalls to the ``patterns`` group."""
    app.command("funnel")(funnel_command)
    app.command("conformance")(conformance_command)
    app.command("channels")(channels_command)
    app.command("signals")(signals_command)
    app.command("stalls")(stalls_command)
