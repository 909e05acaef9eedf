"""``dealgraph decision``: the buyer's decision graph on a deal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from dealgraph.cli.common import DbOption, JsonOption, console, print_json, workspace_session
from dealgraph.core.enums import DecisionStatus, Role

app = typer.Typer(help="The buyer's decisions: add, list, and change them.", no_args_is_help=True)

DateOption = typer.Option(formats=["%Y-%m-%d"])


@app.command("add")
def add(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    title: Annotated[str, typer.Argument(help="What the buyer has to decide.")],
    requires: Annotated[
        list[int] | None, typer.Option("--requires", help="Id of a decision it depends on.")
    ] = None,
    owner: Annotated[
        list[int] | None, typer.Option("--owner", help="Stakeholder id who owns it.")
    ] = None,
    role: Annotated[
        list[Role] | None, typer.Option("--role", help="Role that must be in it.")
    ] = None,
    level: Annotated[
        int, typer.Option("--level", help="Level of work it needs, 1-7.", min=1, max=7)
    ] = 3,
    days: Annotated[int, typer.Option("--days", help="Typical days it takes.", min=0)] = 14,
    stage: Annotated[str | None, typer.Option("--stage", help="Playbook stage.")] = None,
    due: Annotated[
        datetime | None, typer.Option("--due", help="Due date.", formats=["%Y-%m-%d"])
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a decision to the buyer's graph (a dependency cycle is refused and named)."""
    from dealgraph.core.model import Decision
    from dealgraph.services import decisions

    with workspace_session(db) as session:
        added = decisions.add_decision(
            session,
            deal_id=deal_id,
            decision=Decision(
                title=title,
                requires=requires or [],
                owners=owner or [],
                roles=role or [],
                level=level,
                expected_days=days,
                stage=stage,
                due=due.date() if due else None,
            ),
        )
        data = added.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(f"decision {data['id']} added to deal {deal_id}: {title}", markup=False)


@app.command("list")
def list_decisions(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the buyer's decisions in dependency order."""
    from dealgraph.services import decisions

    with workspace_session(db) as session:
        rows = [
            d.model_dump(mode="json") for d in decisions.list_decisions(session, deal_id=deal_id)
        ]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(
        "id",
        "decision",
        "status",
        "level",
        "requires",
        "owners",
        "days",
        "due",
        title=f"Decisions of deal {deal_id}",
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["title"],
            row["status"],
            str(row["level"]),
            ", ".join(map(str, row["requires"])) or "-",
            ", ".join(map(str, row["owners"])) or "-",
            str(row["expected_days"]),
            row["due"] or "-",
        )
    console.print(table)


@app.command("set")
def set_decision(
    decision_id: Annotated[int, typer.Argument(help="Decision id.")],
    status: Annotated[DecisionStatus | None, typer.Option("--status", help="New status.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    level: Annotated[int | None, typer.Option("--level", help="Level 1-7.", min=1, max=7)] = None,
    owner: Annotated[
        list[int] | None, typer.Option("--owner", help="Stakeholder id; replaces the owners.")
    ] = None,
    requires: Annotated[
        list[int] | None, typer.Option("--requires", help="Add a dependency on this decision.")
    ] = None,
    due: Annotated[
        datetime | None, typer.Option("--due", help="Due date.", formats=["%Y-%m-%d"])
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Refuse unless the decision is at this version.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a decision: status, title, level, owners, due date, or add a dependency."""
    from dealgraph.services import decisions

    with workspace_session(db) as session:
        updated = decisions.set_decision(
            session,
            decision_id=decision_id,
            status=status,
            title=title,
            level=level,
            owners=owner,
            add_requires=requires or [],
            due=due.date() if due else None,
            expected_version=version,
        )
        data = updated.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(
        f"decision {decision_id} updated: {data['title']} [{data['status']}]", markup=False
    )
