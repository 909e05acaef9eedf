"""Regenerate the command sections of docs/cli.md from the Typer app.

Usage: ``.venv/bin/python tools/cli_reference.py`` — keeps the hand-written introduction
(everything up to the ``## Workspace`` heading) and rewrites the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from dealgraph.cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
MARK = "## Workspace\n"


def _walk(command: Any, path: str, out: list[str]) -> None:
    children = getattr(command, "commands", None)
    if children:
        if path != "dealgraph":
            out.append(f"## `{path}`\n\n{command.help.strip()}\n")
        for name, child in children.items():
            _walk(child, f"{path} {name}", out)
        return
    out.append(f"### `{path}`\n\n{command.help.strip()}\n")
    args = [p for p in command.params if p.param_type_name == "argument"]
    opts = [p for p in command.params if p.param_type_name == "option" and "--help" not in p.opts]
    usage = path + "".join(f" {p.name.upper()}" + ("..." if p.nargs == -1 else "") for p in args)
    out.append(f"```\n{usage}{' [OPTIONS]' if opts else ''}\n```\n")
    if not (args or opts):
        return
    rows = ["| argument / option | meaning |", "|---|---|"]
    rows += [f"| `{p.name.upper()}` | {(getattr(p, 'help', '') or '').strip()} |" for p in args]
    for p in opts:
        meaning = (p.help or "").strip()
        if p.multiple:
            meaning += " Repeat for more than one."
        if p.default not in (None, False, [], ()) and not p.is_flag and not p.multiple:
            default = getattr(p.default, "value", p.default)
            meaning += f" Default: `{default}`."
        rows.append(f"| {', '.join(f'`{o}`' for o in p.opts)} | {meaning} |")
    out.append("\n".join(rows) + "\n")


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    intro = text[: text.index(MARK) + len(MARK)]
    sections: list[str] = []
    _walk(typer.main.get_command(app), "dealgraph", sections)
    DOC.write_text(intro + "\n" + "\n".join(sections), encoding="utf-8")


if __name__ == "__main__":
    main()
