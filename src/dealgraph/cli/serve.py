"""``dealgraph serve``: the web app and JSON API on one workspace, through uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dealgraph.cli.common import DbOption, console, database_url, open_workspace, settings

if TYPE_CHECKING:
    from dealgraph.settings import Settings

HostOption = Annotated[
    str | None,
    typer.Option(
        "--host",
        help="Address to bind (default: DEALGRAPH_HOST, else 127.0.0.1).",
        show_default=False,
    ),
]
PortOption = Annotated[
    int | None,
    typer.Option(
        "--port",
        help="Port to listen on (default: DEALGRAPH_PORT, else 8000).",
        min=1,
        max=65535,
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the root app."""
    app.command("serve")(serve)


def serve(db: DbOption = None, host: HostOption = None, port: PortOption = None) -> None:
    """Serve the web app and the JSON API (/api/v1) on a workspace.

    Needs DEALGRAPH_SECRET_KEY (at least 32 random characters) to sign sessions.
    """
    from dealgraph.web.app import check_secret_key

    config = settings()
    check_secret_key(config)  # before opening anything: a clear one-line error, exit 2
    run_server(config, db=db, host=host, port=port)


def run_server(
    config: Settings,
    *,
    db: str | None,
    host: str | None = None,
    port: int | None = None,
    banner: list[str] | None = None,
) -> None:
    """Open the workspace, build the app and serve it until interrupted.

    ``banner`` lines are printed after the URL (the demo's sign-in); nothing is printed
    before the app is known to build.
    """
    import uvicorn

    from dealgraph.web import create_app

    bind_host = host or config.host
    bind_port = port or config.port
    config = config.model_copy(
        update={"database_url": database_url(db), "host": bind_host, "port": bind_port}
    )
    with open_workspace(db) as database:
        app = create_app(config, database=database)
        console.print(f"dealgraph is serving on {server_url(bind_host, bind_port)}", markup=False)
        for line in banner or []:
            console.print(line, markup=False)
        console.print("press Ctrl+C to stop", markup=False)
        uvicorn.run(app, host=bind_host, port=bind_port, log_level="warning")


def server_url(host: str, port: int) -> str:
    """The URL people open for a bound address (IPv6 in brackets; 0.0.0.0 as localhost)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)  # noqa: S104 - display only
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"
