"""What every command group shares: the console, the workspace option, output helpers, abort()."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn
    from sqlalchemy.orm import Session

    from dealgraph.services.import_counts import RecordCounts
    from dealgraph.settings import Settings
    from dealgraph.store.db import Database

EXIT_USAGE = 2

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Workspace: a SQLite file path or a database URL "
        "(default: DEALGRAPH_DATABASE_URL, else workspace.db in DEALGRAPH_DATA_DIR).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class Abort(Exception):
    """Leave the command with one line on stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def abort(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Stop the command: ``error: message`` on stderr, exit ``code`` (2 unless said)."""
    raise Abort(message, code)


def settings() -> Settings:
    """The settings in force (read from the environment each call, so tests can change it)."""
    from dealgraph.settings import Settings

    return Settings()


def database_url(db: str | None) -> str:
    """The URL for ``--db``: a URL as given, a path as a SQLite file, else from settings."""
    if db is None:
        return settings().resolved_database_url()
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


@contextmanager
def open_workspace(db: str | None, *, create: bool = False) -> Iterator[Database]:
    """Open the workspace database; refuse a missing SQLite file unless ``create``."""
    from dealgraph.store.db import open_database

    url = database_url(db)
    path = _sqlite_path(url)
    if path is not None and not create and not path.exists():
        abort(f"no workspace at {path}: run `dealgraph init` or `dealgraph demo` first")
    database = open_database(url)
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def workspace_session(db: str | None) -> Iterator[Session]:
    """One transaction on the workspace, for a command that reads or writes it."""
    with open_workspace(db) as database, database.session() as session:
        yield session


def describe_url(url: str) -> str:
    """A URL fit to print: the file path for SQLite, the URL without password otherwise."""
    path = _sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def print_json(data: Any) -> None:
    """Print data as indented JSON on stdout (dates as ISO strings)."""
    sys.stdout.write(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False) + "\n")


def _json_default(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def now() -> datetime:
    """Now, as naive UTC (the model's convention)."""
    from dealgraph.services.common import now as service_now

    return service_now()


def money(value: float, currency: str = "") -> str:
    """A money amount for people: thousands separated, no cents past 1,000."""
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
    return f"{text} {currency}".strip()


def import_progress(*columns: ProgressColumn, as_json: bool) -> Progress:
    """The progress bar of an import on stderr: ``importing FILE`` and a bar, then ``columns``.

    Hidden with ``--json`` and when stderr is not a terminal; it disappears when done.
    """
    from rich.progress import BarColumn, Progress, TextColumn

    return Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        *columns,
        console=err_console,
        transient=True,
        disable=as_json or not err_console.is_terminal,
    )


def print_record_counts(counts: RecordCounts) -> None:
    """An import's records created, updated and unchanged, a row per kind (none: nothing)."""
    from rich.table import Table

    kinds = sorted({*counts.created, *counts.updated, *counts.unchanged})
    if not kinds:
        return
    table = Table("records", "created", "updated", "unchanged")
    for kind in kinds:
        table.add_row(
            kind,
            str(counts.created.get(kind, 0)),
            str(counts.updated.get(kind, 0)),
            str(counts.unchanged.get(kind, 0)),
        )
    console.print(table)
