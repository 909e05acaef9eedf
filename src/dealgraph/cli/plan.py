"""``dealgraph plan``: the mutual plan agreed with the buyer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from dealgraph.cli.common import DbOption, JsonOption, console, print_json, workspace_session
from dealgraph.core.enums import PlanSide

app = typer.Typer(
    help="The mutual plan (buyer, seller and joint items) and planning from the end "
    "(quota, forecast, backtest).",
    no_args_is_help=True,
)


@app.command("add")
def add(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    title: Annotated[str, typer.Argument(help="What is to be done.")],
    side: Annotated[PlanSide, typer.Option("--side", help="Who owns it.")] = PlanSide.JOINT,
    owner: Annotated[str, typer.Option("--owner", help="Person responsible.")] = "",
    due: Annotated[
        datetime | None, typer.Option("--due", help="Due date.", formats=["%Y-%m-%d"])
    ] = None,
    depends_on: Annotated[
        list[int] | None, typer.Option("--depends-on", help="Plan item id it waits for.")
    ] = None,
    decision: Annotated[
        int | None, typer.Option("--decision", help="Decision id it serves.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an item to a deal's mutual plan."""
    from dealgraph.core.model import PlanItem
    from dealgraph.services import plan

    with workspace_session(db) as session:
        added = plan.add_plan_item(
            session,
            deal_id=deal_id,
            item=PlanItem(
                title=title,
                side=side,
                owner=owner,
                due=due.date() if due else None,
                depends_on=depends_on or [],
                decision_id=decision,
            ),
        )
        data = added.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(f"plan item {data['id']} added to deal {deal_id}: {title}", markup=False)


@app.command("done")
def done(
    item_id: Annotated[int, typer.Argument(help="Plan item id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a mutual plan item done."""
    from dealgraph.cli.common import now
    from dealgraph.services import plan

    with workspace_session(db) as session:
        data = plan.complete_plan_item(session, item_id=item_id, as_of=now()).model_dump(
            mode="json"
        )
    if as_json:
        print_json(data)
        return
    console.print(f"plan item {item_id} done: {data['title']}", markup=False)


@app.command("list")
def list_items(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a deal's mutual plan, by due date."""
    from dealgraph.services import plan

    with workspace_session(db) as session:
        rows = [i.model_dump(mode="json") for i in plan.list_plan_items(session, deal_id=deal_id)]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(
        "id",
        "item",
        "side",
        "owner",
        "due",
        "done",
        "after",
        title=f"Mutual plan of deal {deal_id}",
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["title"],
            row["side"],
            row["owner"] or "-",
            row["due"] or "-",
            "yes" if row["done"] else "no",
            ", ".join(map(str, row["depends_on"])) or "-",
        )
    console.print(table)
