"""``dealgraph simulate``: run a playbook design (or two) through the stage chain.

Registered on the root app by ``register(app)``. The planning modules, numpy and the store
are imported inside the command so ``dealgraph --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dealgraph.cli.common import DbOption, JsonOption, abort, console, money, print_json

if TYPE_CHECKING:
    from dealgraph.planning.compare import MetricComparison
    from dealgraph.planning.fit import FitResult
    from dealgraph.services.simulation import DesignResult, SimulationReport

DEFAULT_PLAYBOOK = "buyer-journey"

ScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        help="Design A: a shipped scenario key (e.g. buyer-journey) or a scenario YAML file "
        "(default: the model fitted from the workspace).",
        show_default=False,
    ),
]
VsOption = Annotated[
    str | None,
    typer.Option(
        "--vs", help="Design B to compare with A: a scenario key or file.", show_default=False
    ),
]
DealsOption = Annotated[
    int, typer.Option("--deals", help="Deals simulated per design.", min=1, max=20_000_000)
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of design A; B uses seed + 1.")]
PlaybookOption = Annotated[
    str, typer.Option("--playbook", help="Playbook whose history is fitted (no --scenario, --fit).")
]
FitOption = Annotated[
    bool, typer.Option("--fit", help="Print the scenario fitted from the workspace; no simulation.")
]
WriteOption = Annotated[
    Path | None,
    typer.Option(
        "--write",
        help="With --fit: write the fitted scenario to this YAML file.",
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the root app."""
    app.command("simulate")(simulate)


def simulate(
    scenario: ScenarioOption = None,
    vs: VsOption = None,
    deals: DealsOption = 100_000,
    seed: SeedOption = 1,
    playbook: PlaybookOption = DEFAULT_PLAYBOOK,
    fit: FitOption = False,
    write: WriteOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Simulate a playbook design: win rate, cycle time, effort and cost, exact and Monte Carlo.

    With --vs, compare two designs metric by metric (B - A with a 95 % interval). Without
    --scenario, design A is the model fitted from the workspace's history.
    """
    from dealgraph.cli.common import workspace_session
    from dealgraph.services import simulation as service

    if write is not None and not fit:
        abort("--write goes with --fit (it writes the fitted scenario)")
    fitter = service.workspace_fitter(lambda: workspace_session(db))
    if fit:
        _print_fit(fitter(playbook), write, as_json)
        return
    design_a = (
        service.load_design(scenario, fitter=fitter)
        if scenario is not None
        else service.fitted_design(playbook, fitter=fitter)
    )
    design_b = service.load_design(vs, fitter=fitter) if vs is not None else None
    report = service.simulate_designs(design_a, design_b, deals=deals, seed=seed)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    if report.b is None or report.comparison is None:
        _print_single(report)
    else:
        _print_comparison(report, report.b, report.comparison)


def _print_fit(result: FitResult, write: Path | None, as_json: bool) -> None:
    from dealgraph.services import simulation

    if as_json:
        print_json(result.model_dump(mode="json"))
    elif write is None:
        console.print(simulation.fitted_yaml(result), markup=False, end="")
    if write is not None:
        simulation.write_fitted(result, write)
        if not as_json:
            console.print(
                f"wrote {write}: fitted from {result.report.deals} deals "
                f"({result.report.closed} closed) on playbook {result.scenario.playbook}",
                markup=False,
            )


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _figure(value: float | None, unit: str) -> str:
    """A cell: shares as percentages, money whole with thousands separators."""
    if value is None:
        return "-"
    if unit == "share":
        return _share(value)
    if unit.startswith("money"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _difference(value: float | None, unit: str, *, points: str = " pp") -> str:
    """A signed difference: percentage points for shares."""
    if value is None:
        return "-"
    if unit == "share":
        return f"{value * 100:+.1f}{points}"
    return ("+" if value >= 0 else "-") + _figure(abs(value), unit)


def _label(label: str, unit: str, currency: str) -> str:
    return f"{label} ({currency})" if unit.startswith("money") else label


def _header(report: SimulationReport) -> None:
    designs = [("A", report.a, report.seed)]
    if report.b is not None:
        designs.append(("B", report.b, report.seed + 1))
    for letter, design, seed in designs:
        console.print(
            f"{letter}: {design.title} ({design.name}; playbook {design.playbook}; seed {seed})",
            markup=False,
        )
    console.print(f"{report.deals:,} deals simulated per design.", markup=False)


def _print_single(report: SimulationReport) -> None:
    _header(report)
    design = report.a
    exact, simulated = design.closed_form, design.simulated
    currency = simulated.currency

    def cash(value: float | None) -> str:
        return "-" if value is None else money(value, currency)

    table = Table(title="Simulation", title_justify="left")
    for heading in ("Metric", "Monte Carlo", "Closed form"):
        table.add_column(heading, justify="left" if heading == "Metric" else "right")
    rows: list[tuple[str, str, str]] = [
        ("win rate", _share(simulated.win_rate), _share(exact.win_rate)),
        ("lost", _share(simulated.loss_rate), _share(exact.loss_rate)),
        ("no decision", _share(simulated.no_decision_rate), _share(exact.no_decision_rate)),
        ("cycle P50, won (days)", _figure(simulated.cycle_p50_won, "days"), "-"),
        ("cycle P90, won (days)", _figure(simulated.cycle_p90_won, "days"), "-"),
        (
            "cycle mean, won (days)",
            _figure(simulated.cycle_mean_won, "days"),
            _figure(exact.cycle_days_won, "days"),
        ),
        (
            "seller hours per deal",
            _figure(simulated.hours_per_deal, "hours"),
            _figure(exact.hours_per_deal, "hours"),
        ),
        ("cost per deal", cash(simulated.cost_per_deal), cash(exact.cost_per_deal)),
        (
            "seller hours per win",
            _figure(simulated.hours_per_win, "hours"),
            _figure(exact.hours_per_win, "hours"),
        ),
        ("cost per win", cash(simulated.cost_per_win), cash(exact.cost_per_win)),
        ("velocity (per 30 days, 100 deals)", cash(simulated.velocity), "-"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    stages = Table(title="Per stage", title_justify="left")
    for heading in ("Stage", "Visits per deal", "Closed form", "Win from here"):
        stages.add_column(heading, justify="left" if heading == "Stage" else "right")
    for stage, visits in simulated.visits.items():
        stages.add_row(
            stage,
            f"{visits:.3f}",
            f"{exact.visits[stage]:.3f}",
            _share(exact.from_stage[stage].won),
        )
    console.print(stages)
    _gap_line(design)


def _print_comparison(
    report: SimulationReport, design_b: DesignResult, rows: list[MetricComparison]
) -> None:
    _header(report)
    currency = report.a.simulated.currency
    table = Table(title="A vs B (Monte Carlo; B - A with its 95 % interval)", title_justify="left")
    for heading in ("Metric", "A", "B", "B - A", "95 % interval", "Significant"):
        table.add_column(heading, justify="left" if heading == "Metric" else "right")
    for row in rows:
        interval = (
            "-"
            if row.low is None or row.high is None
            else f"{_difference(row.low, row.unit, points='')} .. "
            f"{_difference(row.high, row.unit, points='')}"
        )
        significant = "-" if row.significant is None else ("yes" if row.significant else "no")
        table.add_row(
            _label(row.label, row.unit, currency),
            _figure(row.a, row.unit),
            _figure(row.b, row.unit),
            _difference(row.difference, row.unit),
            interval,
            significant,
        )
    console.print(table)
    exact = Table(title="Closed form (absorbing Markov chain)", title_justify="left")
    for heading in ("Outcome", "A", "B", "B - A"):
        exact.add_column(heading, justify="left" if heading == "Outcome" else "right")
    a_exact, b_exact = report.a.closed_form, design_b.closed_form
    for label, a_value, b_value in (
        ("won", a_exact.win_rate, b_exact.win_rate),
        ("lost", a_exact.loss_rate, b_exact.loss_rate),
        ("no decision", a_exact.no_decision_rate, b_exact.no_decision_rate),
    ):
        exact.add_row(
            label, _share(a_value), _share(b_value), _difference(b_value - a_value, "share")
        )
    console.print(exact)
    _gap_line(report.a)
    _gap_line(design_b)


def _gap_line(design: DesignResult) -> None:
    console.print(
        f"{design.name}: Monte Carlo win rate {design.simulated.win_rate:.2%} vs closed form "
        f"{design.closed_form.win_rate:.2%} ({design.win_rate_gap_pp:+.2f} pp).",
        markup=False,
    )
