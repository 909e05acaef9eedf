"""Docs cannot drift: every command, option, setting, playbook keyword, context field and
built-in signal is documented."""

from __future__ import annotations

import re

import pytest
import typer.main
from pydantic import BaseModel

from dealgraph.cli import app
from dealgraph.core.playbook import schema
from dealgraph.core.playbook.context_fields import CONTEXT_FIELDS
from dealgraph.settings import Settings
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def _commands() -> list[tuple[str, list[str]]]:
    """Every leaf command as ``dealgraph group name`` with its long option names."""
    found: list[tuple[str, list[str]]] = []

    def walk(command: typer.main.TyperCommand | typer.main.TyperGroup, path: str) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in sorted(children.items()):
                walk(child, f"{path} {name}")
            return
        options = [
            opt
            for param in command.params
            for opt in getattr(param, "opts", [])
            if opt.startswith("--") and opt != "--help"
        ]
        found.append((path, options))

    walk(typer.main.get_command(app), "dealgraph")  # type: ignore[arg-type]
    return found


COMMANDS = _commands()


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    rest = text[start + len(heading) :]
    following = re.search(r"^#{1,3} ", rest, flags=re.MULTILINE)
    return rest[: following.start()] if following else rest


@pytest.mark.parametrize(("path", "options"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_and_option_is_in_the_cli_reference(path: str, options: list[str]) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    heading = f"### `{path}`"
    assert heading in text, f"{path} is not documented in docs/cli.md"
    section = _section(text, heading)
    missing = [opt for opt in options if f"`{opt}" not in section]
    assert not missing, f"{path}: options {missing} not documented under its heading"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`DEALGRAPH_{name.upper()}`" in text, name


def _keywords() -> set[str]:
    models = [
        obj
        for obj in vars(schema).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__ == schema.__name__
    ]
    return {name for model in models for name in model.model_fields}


def test_every_playbook_keyword_and_context_field_is_documented() -> None:
    text = (DOCS / "playbook-language.md").read_text(encoding="utf-8")
    missing = sorted(k for k in _keywords() | set(CONTEXT_FIELDS) if f"`{k}`" not in text)
    assert not missing, f"undocumented in docs/playbook-language.md: {missing}"


def test_every_builtin_signal_is_documented() -> None:
    from dealgraph.core.signals_builtin import BUILTIN_SIGNALS

    text = (DOCS / "gps-and-signals.md").read_text(encoding="utf-8")
    missing = [s.key for s in BUILTIN_SIGNALS if f"`{s.key}`" not in text]
    assert not missing, f"undocumented in docs/gps-and-signals.md: {missing}"
