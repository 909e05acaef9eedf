"""``dealgraph stakeholder``: the buying team of a deal."""

from __future__ import annotations

from typing import Annotated

import typer

from dealgraph.cli.common import DbOption, JsonOption, console, print_json, workspace_session
from dealgraph.core.enums import Influence, ResponseMode, Role

app = typer.Typer(
    help="The buying team: who is involved, their role, level and stance.", no_args_is_help=True
)

DealId = Annotated[int, typer.Argument(help="Deal id.")]


@app.command("add")
def add(
    deal_id: DealId,
    name: Annotated[str, typer.Argument(help="Full name.")],
    title: Annotated[str, typer.Option("--title", help="Job title.")] = "",
    role: Annotated[Role, typer.Option("--role", help="Part in the decisions.")] = Role.OTHER,
    level: Annotated[
        int, typer.Option("--level", help="Jaques level of work, 1-7.", min=1, max=7)
    ] = 2,
    stance: Annotated[
        int, typer.Option("--stance", help="-2 enemy .. +2 champion.", min=-2, max=2)
    ] = 0,
    influence: Annotated[
        Influence, typer.Option("--influence", help="Weight of their view.")
    ] = Influence.MEDIUM,
    response_mode: Annotated[
        ResponseMode | None, typer.Option("--response-mode", help="How they read their situation.")
    ] = None,
    reports_to: Annotated[
        int | None, typer.Option("--reports-to", help="Stakeholder id of their manager.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a stakeholder to a deal's buying team."""
    from dealgraph.cli.common import now
    from dealgraph.core.model import Stakeholder
    from dealgraph.services import stakeholders

    with workspace_session(db) as session:
        added = stakeholders.add_stakeholder(
            session,
            deal_id=deal_id,
            stakeholder=Stakeholder(
                name=name,
                title=title,
                role=role,
                level=level,
                stance=stance,
                influence=influence,
                response_mode=response_mode,
                reports_to=reports_to,
                added_at=now(),
            ),
        )
        data = added.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(f"stakeholder {data['id']} added to deal {deal_id}: {name}", markup=False)


@app.command("list")
def list_stakeholders(deal_id: DealId, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List a deal's buying team, with who is engaged."""
    from dealgraph.core.engagement import engaged_ids
    from dealgraph.services import deals

    with workspace_session(db) as session:
        record = deals.get_deal_record(session, deal_id=deal_id)
    engaged = engaged_ids(record)
    rows = [{**s.model_dump(mode="json"), "engaged": s.id in engaged} for s in record.stakeholders]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    names = {s.id: s.name for s in record.stakeholders}
    table = Table(
        "id",
        "name",
        "title",
        "role",
        "level",
        "stance",
        "influence",
        "reports to",
        "engaged",
        title=f"Buying team of deal {deal_id}",
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["name"],
            row["title"],
            row["role"],
            str(row["level"]),
            f"{row['stance']:+d}",
            row["influence"],
            names.get(row["reports_to"], "-"),
            "yes" if row["engaged"] else "no",
        )
    console.print(table)


@app.command("set")
def set_stakeholder(
    stakeholder_id: Annotated[int, typer.Argument(help="Stakeholder id.")],
    title: Annotated[str | None, typer.Option("--title", help="Job title.")] = None,
    role: Annotated[Role | None, typer.Option("--role", help="Part in the decisions.")] = None,
    level: Annotated[
        int | None, typer.Option("--level", help="Jaques level of work, 1-7.", min=1, max=7)
    ] = None,
    stance: Annotated[
        int | None, typer.Option("--stance", help="-2 enemy .. +2 champion.", min=-2, max=2)
    ] = None,
    influence: Annotated[
        Influence | None, typer.Option("--influence", help="Weight of their view.")
    ] = None,
    response_mode: Annotated[
        ResponseMode | None, typer.Option("--response-mode", help="How they read their situation.")
    ] = None,
    reports_to: Annotated[
        int | None, typer.Option("--reports-to", help="Stakeholder id of their manager.")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Refuse unless they are at this version.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change what you know about a stakeholder: stance, level, role, reporting line."""
    from dealgraph.core.model import Stakeholder
    from dealgraph.services import stakeholders

    given = {
        "title": title,
        "role": role,
        "level": level,
        "stance": stance,
        "influence": influence,
        "response_mode": response_mode,
        "reports_to": reports_to,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    with workspace_session(db) as session:
        current = stakeholders.get_stakeholder(session, stakeholder_id=stakeholder_id)
        saved = stakeholders.update_stakeholder(
            session,
            stakeholder=Stakeholder.model_validate({**current.model_dump(), **changes}),
            expected_version=version if version is not None else current.version,
        )
        data = saved.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    console.print(
        f"stakeholder {stakeholder_id} updated: {data['name']}, {data['role']}, "
        f"level {data['level']}, stance {data['stance']:+d} (version {data['version']})",
        markup=False,
    )
