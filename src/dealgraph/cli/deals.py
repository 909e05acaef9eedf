"""``dealgraph deal``: add, list, show, update deals; read their GPS and signals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from dealgraph.cli.common import (
    DbOption,
    JsonOption,
    console,
    money,
    now,
    print_json,
    workspace_session,
)
from dealgraph.core.enums import DealStatus

app = typer.Typer(
    help="Deals: the pipeline, one deal's record, its GPS and signals.", no_args_is_help=True
)

DealId = Annotated[int, typer.Argument(help="Deal id (see `dealgraph deal list`).")]
AsOf = Annotated[
    datetime | None,
    typer.Option("--as-of", help="Read the deal as of this time (default: now, UTC)."),
]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the ETA Monte Carlo.")]


@app.command("add")
def add(
    title: Annotated[str, typer.Argument(help="Deal title.")],
    owner: Annotated[str, typer.Option("--owner", help="Seller who owns the deal.")],
    account: Annotated[
        str | None, typer.Option("--account", help="Buying organisation (created if new).")
    ] = None,
    value: Annotated[float, typer.Option("--value", help="Deal value.", min=0)] = 0.0,
    currency: Annotated[str, typer.Option("--currency", help="ISO 4217 code.")] = "USD",
    close: Annotated[
        datetime | None, typer.Option("--close", help="Expected close date.", formats=["%Y-%m-%d"])
    ] = None,
    playbook: Annotated[
        str | None, typer.Option("--playbook", help="Playbook key (default from settings).")
    ] = None,
    segment: Annotated[str, typer.Option("--segment", help="Segment, e.g. mid-market.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a new deal at the first stage of its playbook, with its decision template."""
    from dealgraph.cli.common import settings
    from dealgraph.core.model import Deal
    from dealgraph.services import deals

    with workspace_session(db) as session:
        deal = deals.create_deal(
            session,
            deal=Deal(
                title=title,
                owner=owner,
                value=value,
                currency=currency.upper(),
                expected_close=close.date() if close else None,
                playbook=playbook or settings().default_playbook,
                segment=segment,
                created_at=now(),
            ),
            account_name=account,
        )
        data = deal.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(f"deal {data['id']} opened at stage {data['stage']}: {title}", markup=False)


@app.command("list")
def list_deals(
    status: Annotated[
        DealStatus | None, typer.Option("--status", help="open, won, lost or no_decision.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this seller's deals.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Only deals in this stage.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List deals with stage, value, age and expected close."""
    from dealgraph.services import deals

    with workspace_session(db) as session:
        rows = [
            d.model_dump(mode="json")
            for d in deals.list_deals(session, status=status, owner=owner, stage=stage)
        ]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    today = now().date()
    table = Table(
        "id",
        "deal",
        "owner",
        "stage",
        "status",
        "value",
        "age (d)",
        "close",
        title=f"{len(rows)} deal(s)",
    )
    for row in rows:
        created = date.fromisoformat(row["created_at"][:10])
        table.add_row(
            str(row["id"]),
            row["title"],
            row["owner"],
            row["stage"] or "-",
            row["status"],
            money(row["value"], row["currency"]),
            str((today - created).days),
            row["expected_close"] or "-",
        )
    console.print(table)


@app.command("show")
def show(deal_id: DealId, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show one deal with its account, buying team, decisions, problem map and plan."""
    from dealgraph.core.engagement import engaged_ids
    from dealgraph.services import deals

    with workspace_session(db) as session:
        record = deals.get_deal_record(session, deal_id=deal_id)
    data = record.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    from dealgraph.cli.deal_view import show_record

    show_record(data, engaged=engaged_ids(record))


@app.command("gps")
def gps(
    deal_id: DealId,
    seed: Seed = 0,
    as_of: AsOf = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where the buyer is, the route and ETA, the critical path, next plays, gaps, signals."""
    from dealgraph.services import deals
    from dealgraph.services.gps import deal_gps

    with workspace_session(db) as session:
        report = deal_gps(session, deal_id=deal_id, seed=seed, as_of=as_of).model_dump(mode="json")
        title = deals.get_deal(session, deal_id=deal_id).title
    if as_json:
        print_json(report)
        return
    from dealgraph.cli.gps_view import show_gps

    show_gps(report, deal_title=title)


@app.command("signals")
def signals(
    deal_id: DealId, as_of: AsOf = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """The signals firing on a deal, with their evidence and advice."""
    from dealgraph.services.gps import deal_signals

    with workspace_session(db) as session:
        rows = [
            s.model_dump(mode="json") for s in deal_signals(session, deal_id=deal_id, as_of=as_of)
        ]
    if as_json:
        print_json(rows)
        return
    from dealgraph.cli.gps_view import show_signals

    show_signals(rows)


@app.command("set")
def set_deal(
    deal_id: DealId,
    status: Annotated[
        DealStatus | None, typer.Option("--status", help="open, won, lost or no_decision.")
    ] = None,
    close: Annotated[
        datetime | None,
        typer.Option(
            "--close", help="New expected close date (kept in its history).", formats=["%Y-%m-%d"]
        ),
    ] = None,
    value: Annotated[float | None, typer.Option("--value", help="New value.", min=0)] = None,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Hand the deal to this seller.")
    ] = None,
    loss_reason: Annotated[
        str | None, typer.Option("--loss-reason", help="Why it was lost or ended undecided.")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Refuse unless the deal is at this version.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a deal: close it as won, lost or no decision, move its close date, re-value it."""
    from dealgraph.core.model import Deal
    from dealgraph.services import deals

    changes: dict[str, object] = {
        name: given
        for name, given in (
            ("status", status),
            ("value", value),
            ("title", title),
            ("owner", owner),
            ("loss_reason", loss_reason),
        )
        if given is not None
    }
    if close is not None:
        changes["expected_close"] = close.date()
    with workspace_session(db) as session:
        current = deals.get_deal(session, deal_id=deal_id)
        changed = Deal.model_validate({**current.model_dump(), **changes})
        saved = deals.update_deal(
            session,
            deal=changed,
            expected_version=version if version is not None else current.version,
            as_of=now(),
        )
        data = saved.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(
        f"deal {deal_id} updated: {data['status']}, {money(data['value'], data['currency'])}, "
        f"expected close {data['expected_close'] or '-'} (version {data['version']})",
        markup=False,
    )
