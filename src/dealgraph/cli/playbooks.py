"""``dealgraph playbook``: validate, show, render and list playbooks."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dealgraph.cli.common import JsonOption, abort, console, print_json

app = typer.Typer(help="Validate, show and draw playbooks.", no_args_is_help=True)


class DiagramFormat(StrEnum):
    MERMAID = "mermaid"
    DOT = "dot"
    SVG = "svg"


@app.command("list")
def list_playbooks(as_json: JsonOption = False) -> None:
    """List the playbooks shipped with dealgraph."""
    from dealgraph.core.playbook import get_playbook, shipped_playbooks

    rows = []
    for key, path in sorted(shipped_playbooks().items()):
        playbook = get_playbook(key)
        rows.append(
            {
                "key": key,
                "title": playbook.title,
                "version": playbook.version,
                "stages": len(playbook.stages),
                "plays": len(playbook.plays),
                "decisions": len(playbook.decisions),
                "signals": len(playbook.signals),
                "path": str(path),
            }
        )
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    columns = ("key", "title", "version", "stages", "plays", "decisions", "signals")
    table = Table(*columns)
    for row in rows:
        table.add_row(*(str(row[column]) for column in columns))
    console.print(table)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Playbook YAML files to check.")],
    as_json: JsonOption = False,
) -> None:
    """Check playbook files; print every problem with its line, column and path.

    Exit code 0 when every file is valid, 1 when any has problems.
    """
    from dealgraph.core.playbook import validate_playbook_file

    checked = [(path, validate_playbook_file(path)) for path in files]
    all_valid = all(not problems for _, problems in checked)
    if as_json:
        print_json(
            {
                "valid": all_valid,
                "files": [
                    {
                        "file": str(path),
                        "valid": not problems,
                        "problems": [p.to_dict() for p in problems],
                    }
                    for path, problems in checked
                ],
            }
        )
    else:
        for path, problems in checked:
            if not problems:
                console.print(f"{path}: valid", markup=False)
                continue
            console.print(f"{path}: {len(problems)} problem(s)", markup=False)
            for problem in problems:
                console.print(f"  {problem} [{problem.code}]", markup=False)
    if not all_valid:
        raise typer.Exit(1)


@app.command()
def show(
    playbook: Annotated[str, typer.Argument(help="A shipped playbook key or a YAML file.")],
    as_json: JsonOption = False,
) -> None:
    """Show a playbook: its journey, criteria, plays, decision template and signals."""
    from dealgraph.cli.playbook_view import show_playbook
    from dealgraph.core.playbook import get_playbook

    loaded = get_playbook(playbook)
    if as_json:
        print_json(loaded.model_dump(mode="json"))
        return
    show_playbook(loaded)


@app.command()
def render(
    playbook: Annotated[str, typer.Argument(help="A shipped playbook key or a YAML file.")],
    fmt: Annotated[
        DiagramFormat, typer.Option("--format", "-f", help="Diagram language.")
    ] = DiagramFormat.MERMAID,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Draw the journey and the decision template as mermaid, DOT or SVG."""
    from dealgraph.core.playbook import get_playbook
    from dealgraph.core.playbook.render import render_dot, render_mermaid, render_svg

    loaded = get_playbook(playbook)
    renderers = {
        DiagramFormat.MERMAID: render_mermaid,
        DiagramFormat.DOT: render_dot,
        DiagramFormat.SVG: render_svg,
    }
    text = renderers[fmt](loaded)
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    if out.parent and not out.parent.exists():
        abort(f"cannot write {out}: directory {out.parent} does not exist")
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {fmt.value} diagram of {loaded.key} to {out}", markup=False)
