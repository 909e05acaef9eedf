"""``dealgraph user``: the people who sign in to the web app, and API tokens for scripts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dealgraph.cli.common import DbOption, JsonOption, abort, console, print_json, workspace_session
from dealgraph.core.enums import UserRole

app = typer.Typer(
    help="Users of the web app and API: add them, list them, issue API tokens.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Email the user signs in with.")],
    name: Annotated[
        str, typer.Argument(help="Display name; a seller owns the deals whose owner is this name.")
    ],
    role: Annotated[UserRole, typer.Option("--role", help="What the user may see and change.")],
    team: Annotated[
        str, typer.Option("--team", help="Team; a manager sees the deals of their team.")
    ] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of stdin "
            "(default: generate a strong one and print it once).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a user who can sign in to the web app."""
    from dealgraph.services import users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            abort("--password-stdin: no password on stdin")
    else:
        password = users.generate_password()
    with workspace_session(db) as session:
        user = users.create_user(
            session, email=email, name=name, role=role, team=team, password=password
        )
    team_text = f", team {user.team}" if user.team else ""
    console.print(
        f"user {user.id} added: {user.email} ({user.name}, {user.role}{team_text})", markup=False
    )
    if not password_stdin:
        console.print(f"password (shown once): {password}", markup=False)


@app.command("list")
def list_users(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the users of the workspace (never their passwords)."""
    from dealgraph.services import users

    with workspace_session(db) as session:
        rows = [u.model_dump(mode="json") for u in users.list_users(session)]
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table("id", "email", "name", "role", "team", "active", "created", title="Users")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["email"],
            row["name"],
            row["role"],
            row["team"] or "-",
            "yes" if row["active"] else "no",
            row["created_at"][:10],
        )
    console.print(table)


@app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="Email of the user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. 'ci'.")],
    db: DbOption = None,
) -> None:
    """Issue an API token for a user; the token is printed once, on the last line."""
    from dealgraph.services import users

    with workspace_session(db) as session:
        user = users.get_user_by_email(session, email=email)
        assert user.id is not None
        issued, secret = users.issue_api_token(session, user_id=user.id, name=name)
    console.print(
        f"API token {issued.id} ({issued.name}) for {user.email}; shown once, "
        "send it as 'Authorization: Bearer <token>':",
        markup=False,
    )
    sys.stdout.write(secret + "\n")
