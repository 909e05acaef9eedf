"""Run the CLI in-process through Typer's runner, exactly as a user would call it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from dealgraph.cli import app

Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """``run("deal", "list", "--db", path)`` -> Result; exceptions are never swallowed."""
    runner = CliRunner()

    def invoke(*args: str, code: int | None = 0) -> Result:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return invoke


def as_json(result: Result) -> Any:
    """The JSON a ``--json`` command printed."""
    return json.loads(result.stdout)
