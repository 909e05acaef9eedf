"""``dealgraph plan quota``: plan a quota from the end, as a goal tree.

Registered on the ``plan`` group by ``register(app)``. The store and the planning package
are imported inside the command so ``dealgraph --help`` stays fast.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealgraph.cli.common import DbOption, JsonOption, abort, console, print_json

if TYPE_CHECKING:
    from rich.tree import Tree

    from dealgraph.planning.funnel import GoalNode, GoalTree
    from dealgraph.planning.period import Period


def quota_command(
    quota: Annotated[
        float, typer.Argument(help="Bookings to reach in the period, in the plan's currency.")
    ],
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="The period: a year (2027), quarter (2027Q1) or month (2027-03)."
        ),
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option("--from", help="First day of the period (with --to).", formats=["%Y-%m-%d"]),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", help="Last day of the period (with --from).", formats=["%Y-%m-%d"]),
    ] = None,
    plan_file: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="YAML plan file overriding rates (win_rate, average_deal, conversion, "
            "cycle_days, sellers, weeks, ...).",
        ),
    ] = None,
    sellers: Annotated[
        int | None,
        typer.Option("--sellers", help="Sellers sharing the quota (default: active owners)."),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option("--currency", help="Currency of the quota (default: most won deals')."),
    ] = None,
    playbook: Annotated[
        str | None,
        typer.Option(
            "--playbook", help="Playbook whose stages are planned (default: most deals')."
        ),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            help="Plan as of this time: who is active, which windows are late (default: now, UTC).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan a quota from the end: wins, opportunities per stage, conversations, activities."""
    from dealgraph.cli.common import now, workspace_session
    from dealgraph.services.quota import quota_plan

    chosen = _period(period, start, end)
    with workspace_session(db) as session:
        tree = quota_plan(
            session,
            quota=quota,
            period=chosen,
            plan_file=plan_file,
            playbook_key=playbook,
            currency=currency,
            sellers=sellers,
            as_of=as_of or now(),
        )
    if as_json:
        print_json(tree.model_dump(mode="json"))
        return
    print_tree(tree)


def _period(text: str | None, start: datetime | None, end: datetime | None) -> Period:
    from dealgraph.planning.period import parse_period, period_between

    if text is not None and (start is not None or end is not None):
        abort("give either --period or --from and --to, not both")
    if text is not None:
        return parse_period(text)
    if start is None or end is None:
        abort("give the period: --period 2027Q1 (or 2027, 2027-03), or --from and --to dates")
    return period_between(start.date(), end.date())


def print_tree(tree: GoalTree) -> None:
    """The goal tree, then the time-phasing, sensitivity, channel and rate tables, and notes."""
    from rich.tree import Tree

    currency = tree.currency
    console.print(
        f"Quota {money(tree.quota, currency)} for {tree.period.label} "
        f"({tree.period.start} to {tree.period.end}): {tree.wins:,} wins, "
        f"{tree.opportunities:,} opportunities, {money(tree.pipeline, currency)} of pipeline "
        f"({tree.coverage:.2f}x coverage), win rate {tree.win_rate:.1%}",
        markup=False,
    )
    root = Tree(_node_text(tree.root, currency))
    _grow(root, tree.root.children, currency)
    console.print(root, soft_wrap=False)
    _phasing_table(tree)
    _sensitivity_table(tree)
    _channel_table(tree)
    _rates_table(tree)
    for note in tree.notes:
        console.print(f"note: {note}", markup=False)


def money(value: float, currency: str) -> str:
    """A plan's money: whole units, thousands separated, with the currency."""
    return f"{value:,.0f} {currency}"


def _grow(branch: Tree, nodes: list[GoalNode], currency: str) -> None:
    """Add the nodes under ``branch``; the walk back through the stages is drawn flat.

    Each stage's count follows from the next stage's, so the model nests them; drawn
    nested they would push everything below them off the right edge.
    """
    for node in nodes:
        sub = branch.add(_node_text(node, currency))
        if node.key.startswith("stage:"):
            _grow(sub, [c for c in node.children if not c.key.startswith("stage:")], currency)
            _grow(branch, [c for c in node.children if c.key.startswith("stage:")], currency)
        else:
            _grow(sub, node.children, currency)


def _node_text(node: GoalNode, currency: str) -> Any:
    from rich.text import Text

    if node.count is None:
        head = f"{node.label}: {money(node.value or 0.0, currency)}"
    else:
        head = f"{node.count:,} {node.label}"
        if node.value is not None:
            head += f" ({money(node.value, currency)})"
        if node.rate is not None:
            head += f" - {node.rate_label} {_rate(node, currency)}, {node.rate_source}"
    text = Text(head)
    text.append("\n" + node.why, style="dim")
    return text


def _rate(node: GoalNode, currency: str) -> str:
    assert node.rate is not None
    if node.key == "wins":
        return money(node.rate, currency)
    if node.key == "opportunities" or node.key.startswith("stage:"):
        return f"{node.rate:.1%}"
    if node.key.endswith("_per_seller_week"):
        return f"{node.rate:.1f}"
    return f"{node.rate:.2f}"


def _table(title: str, *columns: tuple[str, str]) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for heading, justify in columns:
        table.add_column(heading, justify="right" if justify == "r" else "left")
    return table


def _phasing_table(tree: GoalTree) -> None:
    table = _table(
        "When opportunities must get there to close in the period",
        ("stage", "l"),
        ("opportunities", "r"),
        ("days to win", "r"),
        ("reach it between", "l"),
        ("slow deals (p90)", "l"),
    )
    for window in tree.time_phasing:
        late = " (already late)" if window.late else ""
        table.add_row(
            window.title,
            f"{window.count:,}",
            f"{window.days_p50:.0f}",
            f"{window.enter_from} to {window.enter_by}{late}",
            f"{window.slow_from} to {window.slow_by}",
        )
    console.print(table)


def _sensitivity_table(tree: GoalTree) -> None:
    table = _table(
        "Sensitivity: more pipeline needed if a rate is lower",
        ("node", "l"),
        ("rate", "r"),
        ("lower by", "l"),
        ("extra opportunities", "r"),
        ("extra pipeline", "r"),
    )
    for node in _walk(tree.root):
        if node.sensitivity is None:
            continue
        table.add_row(
            node.label,
            _rate(node, tree.currency),
            node.sensitivity.per,
            f"{node.sensitivity.extra_opportunities:,}",
            money(node.sensitivity.extra_pipeline, tree.currency),
        )
    console.print(table)


def _channel_table(tree: GoalTree) -> None:
    if not tree.channels:
        return
    table = _table(
        "Interactions by channel",
        ("channel", "l"),
        ("kind", "l"),
        ("per advance", "r"),
        ("total", "r"),
        ("per seller per week", "r"),
    )
    for channel in tree.channels:
        table.add_row(
            channel.channel,
            "conversation" if channel.conversation else "activity",
            f"{channel.per_advance:.2f}",
            f"{channel.total:,}",
            f"{channel.per_seller_week:.1f}",
        )
    console.print(table)


def _rates_table(tree: GoalTree) -> None:
    rates = tree.rates
    table = _table("Rates used", ("rate", "l"), ("value", "r"), ("source", "l"))
    table.add_row(
        "average deal", money(rates.average_deal.value, tree.currency), rates.average_deal.label()
    )
    table.add_row("win rate", f"{rates.win_rate.value:.1%}", rates.win_rate.label())
    for conversion in rates.conversions:
        table.add_row(
            f"conversion out of {conversion.stage}",
            f"{conversion.rate.value:.1%}",
            conversion.rate.label(),
        )
    table.add_row("cycle days p50", f"{rates.cycle_p50.value:.0f}", rates.cycle_p50.label())
    table.add_row("cycle days p90", f"{rates.cycle_p90.value:.0f}", rates.cycle_p90.label())
    for name, rate in (
        ("conversations per advance", rates.conversations_per_advance),
        ("activities per advance", rates.activities_per_advance),
    ):
        if rate is not None:
            table.add_row(name, f"{rate.value:.2f}", rate.label())
    table.add_row("sellers", f"{rates.sellers.value:.0f}", rates.sellers.label())
    table.add_row("weeks", f"{rates.weeks.value:.1f}", rates.weeks.label())
    console.print(table)


def _walk(node: GoalNode) -> list[GoalNode]:
    found = [node]
    for child in node.children:
        found += _walk(child)
    return found


def register(app: typer.Typer) -> None:
    """Add ``quota`` to the ``plan`` group."""
    app.command("quota")(quota_command)
