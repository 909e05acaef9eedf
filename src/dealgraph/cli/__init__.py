"""The ``dealgraph`` command line. Heavy imports happen inside commands so --help stays fast."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from dealgraph.cli.common import Abort, err_console


class _Group(TyperGroup):
    """Every error leaves as one line on stderr with exit code 2 (1 for a failed check)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        # Typer vendors click; its exception classes are only reachable here.
        from typer._click.exceptions import ClickException, NoArgsIsHelpError

        from dealgraph.errors import DealgraphError

        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except Abort as exc:
            _fail(exc.message, exc.code)
        except NoArgsIsHelpError as exc:
            sys.stdout.write(exc.format_message() + "\n")
            sys.exit(0)
        except ClickException as exc:
            _fail(exc.format_message(), 2)
        except typer.Abort:
            _fail("aborted", 130)
        except DealgraphError as exc:
            _fail(str(exc), 2)
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), 2)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    one_line = "; ".join(line.strip() for line in message.strip().splitlines() if line.strip())
    err_console.print(f"error: {one_line}", markup=False)
    sys.exit(code)


app = typer.Typer(
    cls=_Group,
    name="dealgraph",
    help="Decision architecture for buyer-centric B2B selling: the buyer's decision graph, "
    "playbooks you can validate, and a GPS for every deal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _register() -> None:
    from dealgraph.cli import (
        deals,
        decisions,
        interactions,
        model,
        patterns,
        patterns_more,
        plan,
        plan_forecast,
        plan_quota,
        playbooks,
        problems,
        serve,
        simulate,
        stakeholders,
        users,
        workspace,
    )

    workspace.register(app)
    serve.register(app)
    simulate.register(app)
    app.add_typer(deals.app, name="deal")
    app.add_typer(stakeholders.app, name="stakeholder")
    app.add_typer(decisions.app, name="decision")
    app.add_typer(interactions.app, name="interaction")
    app.add_typer(plan.app, name="plan")
    plan_quota.register(plan.app)
    plan_forecast.register(plan.app)
    app.add_typer(problems.app, name="problem")
    app.add_typer(problems.offerings_app, name="offering")
    app.add_typer(playbooks.app, name="playbook")
    app.add_typer(users.app, name="user")
    app.add_typer(patterns.app, name="patterns")
    patterns_more.register(patterns.app)
    app.add_typer(model.app, name="model")


_register()


def main() -> None:
    """Console-script entry point."""
    app()
