"""``dealgraph problem`` and ``dealgraph offering``: the buyer's problem map and what answers it."""

from __future__ import annotations

from typing import Annotated

import typer

from dealgraph.cli.common import DbOption, JsonOption, console, print_json, workspace_session
from dealgraph.core.enums import ProblemKind

app = typer.Typer(
    help="The buyer's problem map: goals, pressures, obstacles and initiatives in their words.",
    no_args_is_help=True,
)
offerings_app = typer.Typer(help="What you sell, to link to the buyer's problems.",
                            no_args_is_help=True)  # fmt: skip


@app.command("add")
def add(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    kind: Annotated[ProblemKind, typer.Argument(help="goal, pressure, obstacle or initiative.")],
    statement: Annotated[str, typer.Argument(help="The buyer's own words.")],
    confirmed_by: Annotated[
        int | None, typer.Option("--confirmed-by", help="Stakeholder id who stated it.")
    ] = None,
    decision: Annotated[
        list[int] | None, typer.Option("--decision", help="Decision id it drives.")
    ] = None,
    offering: Annotated[
        list[int] | None, typer.Option("--offering", help="Offering id that answers it.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a goal, pressure, obstacle or initiative to a deal's problem map."""
    from dealgraph.cli.common import now
    from dealgraph.core.model import ProblemItem
    from dealgraph.services import problems

    with workspace_session(db) as session:
        added = problems.add_problem(
            session,
            deal_id=deal_id,
            problem=ProblemItem(
                kind=kind,
                statement=statement,
                confirmed_by=confirmed_by,
                decisions=decision or [],
                offerings=offering or [],
            ),
            as_of=now(),
        )
        data = added.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    state = "confirmed" if data["confirmed_by"] else "not yet confirmed by anyone"
    console.print(f"{kind.value} {data['id']} added to deal {deal_id} ({state})", markup=False)


@app.command("list")
def list_problems(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a deal's problem map with who confirmed each item and what it links to."""
    from dealgraph.services import offerings, problems, stakeholders

    with workspace_session(db) as session:
        rows = [p.model_dump(mode="json") for p in problems.list_problems(session, deal_id=deal_id)]
        names = {s.id: s.name for s in stakeholders.list_stakeholders(session, deal_id=deal_id)}
        offered = {o.id: o.name for o in offerings.list_offerings(session)}
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("id", "kind", "in the buyer's words", "confirmed by", "decisions", "offerings",
                  title=f"Problem map of deal {deal_id}")  # fmt: skip
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["kind"],
            row["statement"],
            names.get(row["confirmed_by"], "-"),
            ", ".join(map(str, row["decisions"])) or "-",
            ", ".join(offered.get(o, str(o)) for o in row["offerings"]) or "-",
        )
    console.print(table)


@offerings_app.command("add")
def add_offering(
    key: Annotated[str, typer.Argument(help="Short unique key, e.g. data-hub.")],
    name: Annotated[str, typer.Argument(help="Name buyers know it by.")],
    summary: Annotated[str, typer.Option("--summary", help="What it does for a buyer.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add an offering to the workspace."""
    from dealgraph.core.model import Offering
    from dealgraph.services import offerings

    with workspace_session(db) as session:
        data = offerings.create_offering(
            session, offering=Offering(key=key, name=name, summary=summary)
        ).model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(f"offering {data['id']} added: {name}", markup=False)


@offerings_app.command("list")
def list_offerings(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the workspace's offerings."""
    from dealgraph.services import offerings

    with workspace_session(db) as session:
        rows = [o.model_dump(mode="json") for o in offerings.list_offerings(session)]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("id", "key", "name", "summary", title="Offerings")
    for row in rows:
        table.add_row(str(row["id"]), row["key"], row["name"], row["summary"])
    console.print(table)
