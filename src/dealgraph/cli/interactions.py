"""``dealgraph interaction``: log touches with the buyer; evidence moves the GPS."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from dealgraph.cli.common import DbOption, JsonOption, console, print_json, workspace_session
from dealgraph.core.enums import Channel, Direction, Outcome

app = typer.Typer(help="Interactions: log them and list a deal's timeline.", no_args_is_help=True)


@app.command("log")
def log(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    channel: Annotated[Channel, typer.Option("--channel", help="How it reached the buyer.")],
    direction: Annotated[
        Direction, typer.Option("--direction", help="Who started it.")
    ] = Direction.TWO_WAY,
    play: Annotated[str | None, typer.Option("--play", help="Playbook play it ran.")] = None,
    participants: Annotated[
        list[int] | None, typer.Option("--with", help="Stakeholder id who took part.")
    ] = None,
    summary: Annotated[str, typer.Option("--summary", help="What happened.")] = "",
    outcome: Annotated[
        Outcome, typer.Option("--outcome", help="What it did to the deal.")
    ] = Outcome.NEUTRAL,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="Exit criterion it evidenced.")
    ] = None,
    at: Annotated[
        datetime | None, typer.Option("--at", help="When it happened (default: now, UTC).")
    ] = None,
    seller: Annotated[str, typer.Option("--seller", help="Seller who ran it.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log an interaction; any evidence it brings can move the deal's stage."""
    from dealgraph.cli.common import now
    from dealgraph.core.model import Interaction
    from dealgraph.services import interactions

    with workspace_session(db) as session:
        result = interactions.log_interaction(
            session,
            deal_id=deal_id,
            interaction=Interaction(
                occurred_at=at or now(),
                channel=channel,
                direction=direction,
                play=play,
                participants=participants or [],
                summary=summary,
                outcome=outcome,
                evidence=evidence or [],
                seller=seller,
            ),
        )
        data = result.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    logged = data["interaction"]
    console.print(f"interaction {logged['id']} logged on deal {deal_id}", markup=False)
    move = data.get("stage_change")
    if move:
        console.print(f"stage moved: {move['from_stage']} -> {move['to_stage']}", markup=False)


@app.command("list")
def list_interactions(
    deal_id: Annotated[int, typer.Argument(help="Deal id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The deal's timeline of interactions, oldest first."""
    from dealgraph.services import interactions

    with workspace_session(db) as session:
        rows = [
            i.model_dump(mode="json")
            for i in interactions.list_interactions(session, deal_id=deal_id)
        ]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(
        "id",
        "when",
        "channel",
        "direction",
        "play",
        "with",
        "outcome",
        "evidence",
        title=f"Timeline of deal {deal_id}",
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["occurred_at"][:16].replace("T", " "),
            row["channel"],
            row["direction"],
            row["play"] or "-",
            ", ".join(map(str, row["participants"])) or "-",
            row["outcome"],
            ", ".join(row["evidence"]) or "-",
        )
    console.print(table)
