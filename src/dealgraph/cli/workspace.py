"""Workspace commands on the root: ``init``, ``demo``, ``export``, ``import``."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dealgraph.cli.common import (
    DbOption,
    abort,
    console,
    database_url,
    describe_url,
    open_workspace,
    print_json,
    settings,
)
from dealgraph.cli.eventlog_view import (
    ActivityOption,
    CaseOption,
    ChannelOption,
    EventLogOptions,
    OutcomeOption,
    ResourceOption,
    SourceOption,
    TimestampFormatOption,
    TimestampOption,
    eventlog_format,
    import_eventlog_file,
)
from dealgraph.cli.serve import HostOption, PortOption

if TYPE_CHECKING:
    from dealgraph.store.db import Database


def register(app: typer.Typer) -> None:
    """Add the workspace commands to the root app."""
    app.command("init")(init)
    app.command("demo")(demo)
    from dealgraph.cli.export import export

    app.command("export")(export)
    app.command("import")(import_)


def init(db: DbOption = None) -> None:
    """Create the workspace database (or bring its schema up to date) and say where it is."""
    with open_workspace(db, create=True) as database:
        from dealgraph.services.workspace import workspace_summary

        with database.session() as session:
            counts = workspace_summary(session)
    console.print(f"workspace ready: {describe_url(database.url)}", markup=False)
    console.print(", ".join(f"{n} {name}" for name, n in counts.items()), markup=False)


def demo(
    db: DbOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 7,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", help="Last day of the simulated 18 months (default: now)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace an existing SQLite file at --db.")
    ] = False,
    no_serve: Annotated[
        bool,
        typer.Option("--no-serve", help="Only build the workspace; do not start the web app."),
    ] = False,
    host: HostOption = None,
    port: PortOption = None,
) -> None:
    """Build a demo workspace (300 deals through the buyer-journey playbook) and serve it.

    The web app runs with a random signing key made for this run; the demo users' passwords
    are printed once. ``--no-serve`` only builds.
    """
    from dealgraph.cli.common import now

    target = db if db is not None else str(settings().data_dir / "demo.db")
    url = database_url(target)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            if not replace:
                abort(f"{path} exists: pass --replace to rebuild the demo there")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    from dealgraph.demo import build_demo

    started = time.perf_counter()
    with open_workspace(target, create=True) as database:
        summary = build_demo(database, seed=seed, as_of=as_of or now())
        elapsed = time.perf_counter() - started
        console.print(
            f"demo workspace built in {elapsed:.1f} s: {describe_url(database.url)}", markup=False
        )
        statuses = ", ".join(f"{n} {k}" for k, n in sorted(summary.deals_by_status.items()))
        console.print(
            f"{summary.deals} deals ({statuses}) for {summary.sellers} sellers at "
            f"{summary.accounts} accounts; {summary.stakeholders} stakeholders, "
            f"{summary.interactions} interactions, {summary.decisions} decisions, "
            f"{summary.plan_items} mutual plan items, {summary.problems} problem-map items "
            f"(simulated to {summary.as_of:%Y-%m-%d}, seed {summary.seed})",
            markup=False,
        )
        _print_sample_gps(database, deal_ids=summary.showcase, seed=seed, as_of=summary.as_of)
        _train_win_model(database, as_of=summary.as_of)
    from dealgraph.demo.users import sign_in_lines

    console.print("demo sign-in (random passwords, shown only now):", markup=False)
    for line in sign_in_lines(summary.users):
        console.print(line, markup=False)
    if no_serve:
        console.print(f"next: dealgraph deal list --db {target} --status open", markup=False)
        return
    import secrets

    from dealgraph.cli.serve import run_server

    # A fresh key per run: sessions of an earlier demo run stop working, nothing is stored.
    config = settings().model_copy(update={"secret_key": secrets.token_urlsafe(32)})
    run_server(config, db=target, host=host, port=port)


def _train_win_model(database: Database, *, as_of: datetime) -> None:
    """Train and store the win model on the demo's history, so deal pages need not train it."""
    from dealgraph.services.win_model import train

    started = time.perf_counter()
    with database.session() as session:
        report = train(session, as_of=as_of)
    kept = report.metrics[report.kind]
    auc = f"{kept.auc:.3f}" if kept.auc is not None else "—"
    console.print(
        f"win model trained in {time.perf_counter() - started:.1f} s on {report.deals_train} "
        f"deals, kept {report.kind}: AUC {auc}, Brier {kept.brier:.3f} on "
        f"{report.deals_test} held-out deals",
        markup=False,
    )


def _print_sample_gps(
    database: Database, *, deal_ids: tuple[int, ...], seed: int, as_of: datetime
) -> None:
    """The GPS of the demo's showcase deals (open deals early, midway and late)."""
    from dealgraph.cli.gps_view import show_gps
    from dealgraph.services import deals
    from dealgraph.services.gps import deal_gps, workspace_history

    with database.session() as session:
        history = workspace_history(session, playbook_key="buyer-journey")
        for deal_id in deal_ids:
            report = deal_gps(session, deal_id=deal_id, seed=seed, as_of=as_of, history=history)
            console.rule()
            title = deals.get_deal(session, deal_id=deal_id).title
            show_gps(report.model_dump(mode="json"), deal_title=title)
        console.rule()


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="native (JSON export), salesforce-opportunity, salesforce-history, "
        "salesforce-contact-role, hubspot-deals, hubspot-history, opportunities-csv, "
        "xes or eventlog-csv (default: native for .json files, xes for .xes and .xes.gz).",
        show_default=False,
    ),
]


def import_(
    file: Annotated[
        Path, typer.Argument(help="A native JSON export, a CRM CSV export or an event log.")
    ],
    db: DbOption = None,
    format_name: FormatOption = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="YAML mapping file: column -> field, CRM stage or activity -> playbook "
            "stage, CRM role -> dealgraph role, activity -> outcome (see docs/import.md).",
            show_default=False,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Text encoding of a CSV (CRM default: UTF-8 if it decodes, else "
            "Windows-1252; event-log CSV default: UTF-8).",
            show_default=False,
        ),
    ] = None,
    on_error: Annotated[
        str,
        typer.Option(
            "--on-error",
            help="stop: a bad row or event writes nothing and is named; skip: bad rows and "
            "events are reported and left out.",
        ),
    ] = "stop",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    case: CaseOption = None,
    activity: ActivityOption = None,
    timestamp: TimestampOption = None,
    channel: ChannelOption = None,
    resource: ResourceOption = None,
    outcome: OutcomeOption = None,
    timestamp_format: TimestampFormatOption = None,
    source: SourceOption = None,
) -> None:
    """Import a native JSON export (into an empty workspace), a CRM export or an event log
    (XES or CSV: each case a deal), in one transaction.

    CRM and event-log imports are idempotent by external ids: importing the same file twice
    creates nothing.
    """
    options = EventLogOptions(
        case=case,
        activity=activity,
        timestamp=timestamp,
        channel=channel,
        resource=resource,
        outcome=outcome,
        timestamp_format=timestamp_format,
        source=source,
    )
    chosen = eventlog_format(file, format_name)
    chosen = chosen or ("native" if file.suffix.lower() == ".json" else None)
    if chosen is None:
        abort(f"{file}: pass --format for a file that is not a native .json export")
    if on_error not in ("stop", "skip"):
        abort(f"--on-error: {on_error!r} is not stop or skip")
    if chosen in ("xes", "eventlog-csv"):
        import_eventlog_file(
            file,
            db=db,
            format_name="xes" if chosen == "xes" else "eventlog-csv",
            mapping=mapping,
            options=options,
            encoding=encoding,
            on_error="skip" if on_error == "skip" else "stop",
            as_json=as_json,
        )
        return
    if options.given():
        abort(f"{', '.join(options.given())}: only for --format xes or eventlog-csv")
    if chosen == "native":
        _import_native(file, db=db, as_json=as_json)
        return
    from dealgraph.cli.crm_view import import_crm_file

    import_crm_file(
        file,
        db=db,
        format_name=chosen,
        mapping=mapping,
        encoding=encoding,
        on_error="skip" if on_error == "skip" else "stop",
        as_json=as_json,
    )


def _import_native(file: Path, *, db: str | None, as_json: bool) -> None:
    from dealgraph.io.native_json import read_export
    from dealgraph.services.workspace import import_workspace

    document = read_export(file)
    with open_workspace(db, create=True) as database, database.session() as session:
        summary = import_workspace(session, document)
    if as_json:
        print_json(summary.model_dump(mode="json"))
        return
    counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items() if n)
    console.print(f"imported {file} into {describe_url(database.url)}: {counts}", markup=False)
