"""``dealgraph export``: the workspace or a deal as native JSON, CSV, XES, OCEL, Parquet, DMN."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealgraph.cli.common import DbOption, abort, console, open_workspace, print_json

FORMAT_HELP = (
    "native, csv, xes, ocel, parquet or dmn (default: from the extension: .json, .csv, "
    ".xes/.xes.gz, .ocel.json/.jsonocel, .parquet, .dmn)."
)


def export(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="File to write ('-': native JSON on stdout)."),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help=FORMAT_HELP, show_default=False)
    ] = None,
    db: DbOption = None,
    deal: Annotated[
        int | None,
        typer.Option(
            "--deal",
            help="Export only this deal (required for dmn: its decision graph).",
            show_default=False,
        ),
    ] = None,
    table: Annotated[
        str,
        typer.Option("--table", help="events (the event log) or cases (csv and parquet only)."),
    ] = "events",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Export the workspace: native JSON (lossless), an event log, OCEL 2.0, or a deal as DMN.

    The file is written whole or not at all; formula-like CSV cells are neutralised.
    """
    from dealgraph.errors import InvalidInput
    from dealgraph.services import exports

    try:
        chosen = exports.check_format(fmt) if fmt is not None else None
        if str(out) == "-":
            if chosen not in (None, "native") or deal is not None:
                abort("--out -: only the native JSON export goes to stdout")
            _native_to_stdout(db)
            return
        if chosen is None:
            chosen = exports.guess_format(out)
        if table not in exports.TABLES:
            abort(f"--table: {table!r} is not events or cases")
    except InvalidInput as exc:
        abort(str(exc))
    with open_workspace(db) as database, database.session() as session:
        try:
            summary = exports.export_file(
                session,
                out=out,
                fmt=chosen,
                deal_id=deal,
                table="cases" if table == "cases" else "events",
            )
        except OSError as exc:
            abort(f"cannot write {out}: {exc.strerror or exc}")
    if as_json:
        print_json(summary.model_dump(mode="json"))
        return
    counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items())
    console.print(f"exported to {out}: {counts}", markup=False)


def _native_to_stdout(db: str | None) -> None:
    from dealgraph.io.native_json import dump_document
    from dealgraph.services.workspace import export_workspace

    with open_workspace(db) as database, database.session() as session:
        document = export_workspace(session)
    typer.echo(dump_document(document), nl=False)
