"""The Simulate page's tables: the report's numbers as the cells people read.

Shares are percentages with one decimal and their differences percentage points; days and
hours one decimal; money whole, with thousands separators and the currency in the label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dealgraph.planning.compare import MetricComparison
from dealgraph.services.common import playbook_named
from dealgraph.services.simulation import DesignResult, SimulationReport
from dealgraph.services.simulation_view import SimulationRequest

DASH = "–"


@dataclass(frozen=True)
class ComparisonRow:
    """One metric: A, B, B - A, its 95 % interval and whether it leaves out zero."""

    metric: str
    label: str
    a: str
    b: str
    difference: str
    interval: str
    significant: str


@dataclass(frozen=True)
class FigureRow:
    """One figure with a cell per column."""

    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class StageTable:
    """Per stage of one design: visits per deal simulated and exact, and the win from there."""

    letter: str
    design: DesignResult
    rows: tuple[FigureRow, ...]


def figure(value: float | None, unit: str) -> str:
    """A value: shares as percentages, money whole, days and hours with one decimal."""
    if value is None:
        return DASH
    if unit == "share":
        return f"{value:.1%}"
    if unit.startswith("money"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def signed(value: float | None, unit: str) -> str:
    """A difference with its sign: percentage points for shares."""
    if value is None:
        return DASH
    if unit == "share":
        return f"{value * 100:+.1f} pp"
    if unit.startswith("money"):
        return f"{value:+,.0f}"
    return f"{value:+,.1f}"


def interval(row: MetricComparison) -> str:
    """``+1.5 to +2.1 pp``: the 95 % interval of B - A."""
    if row.low is None or row.high is None:
        return DASH
    low, high = signed(row.low, row.unit), signed(row.high, row.unit)
    if row.unit == "share":
        return f"{low.removesuffix(' pp')} to {high}"
    return f"{low} to {high}"


def label(text: str, unit: str, currency: str) -> str:
    """The metric's label, with the currency for money."""
    return f"{text} ({currency})" if unit.startswith("money") else text


def comparison_rows(report: SimulationReport) -> list[ComparisonRow]:
    """Every compared metric as cells (empty for a single design)."""
    currency = report.a.simulated.currency
    significance = {True: "yes", False: "no", None: DASH}
    return [
        ComparisonRow(
            metric=row.metric,
            label=label(row.label, row.unit, currency),
            a=figure(row.a, row.unit),
            b=figure(row.b, row.unit),
            difference=signed(row.difference, row.unit),
            interval=interval(row),
            significant=significance[row.significant],
        )
        for row in report.comparison or []
    ]


def single_rows(report: SimulationReport) -> list[FigureRow]:
    """One design: Monte Carlo beside the closed form, as ``dealgraph simulate`` prints."""
    simulated, exact = report.a.simulated, report.a.closed_form
    currency = simulated.currency
    rows = [
        ("win rate", simulated.win_rate, exact.win_rate, "share"),
        ("lost", simulated.loss_rate, exact.loss_rate, "share"),
        ("no decision", simulated.no_decision_rate, exact.no_decision_rate, "share"),
        ("cycle P50, won (days)", simulated.cycle_p50_won, None, "days"),
        ("cycle P90, won (days)", simulated.cycle_p90_won, None, "days"),
        ("cycle mean, won (days)", simulated.cycle_mean_won, exact.cycle_days_won, "days"),
        ("seller hours per deal", simulated.hours_per_deal, exact.hours_per_deal, "hours"),
        ("cost per deal", simulated.cost_per_deal, exact.cost_per_deal, "money"),
        ("seller hours per win", simulated.hours_per_win, exact.hours_per_win, "hours"),
        ("cost per win", simulated.cost_per_win, exact.cost_per_win, "money"),
        ("velocity (30 days, 100 deals)", simulated.velocity, None, "money"),
    ]
    return [
        FigureRow(label(name, unit, currency), (figure(mc, unit), figure(cf, unit)))
        for name, mc, cf, unit in rows
    ]


def closed_form_rows(report: SimulationReport) -> list[FigureRow]:
    """Per outcome and per-win figure: each design's closed form, then its Monte Carlo."""
    shown = [report.a] + ([report.b] if report.b is not None else [])
    currency = report.a.simulated.currency

    def cells(pick: str, unit: str) -> tuple[str, ...]:
        values: list[str] = []
        for design in shown:
            exact = getattr(design.closed_form, pick)
            simulated = getattr(design.simulated, _SIMULATED.get(pick, pick))
            values += [figure(exact, unit), figure(simulated, unit)]
        return tuple(values)

    return [
        FigureRow(label(name, unit, currency), cells(pick, unit))
        for name, pick, unit in (
            ("won", "win_rate", "share"),
            ("lost", "loss_rate", "share"),
            ("no decision", "no_decision_rate", "share"),
            ("cycle mean, won (days)", "cycle_days_won", "days"),
            ("seller hours per win", "hours_per_win", "hours"),
            ("cost per win", "cost_per_win", "money"),
        )
    ]


_SIMULATED = {"cycle_days_won": "cycle_mean_won"}
"""The Monte Carlo field that estimates a closed-form field of another name."""


def stage_rows(report: SimulationReport) -> list[StageTable]:
    """Each design's stages in journey order: visits per deal and the chance to win from there."""
    tables = []
    designs = [("A", report.a)] + ([("B", report.b)] if report.b is not None else [])
    for letter, design in designs:
        titles = {stage.key: stage.title for stage in playbook_named(design.playbook).stages}
        exact = design.closed_form
        rows = tuple(
            FigureRow(
                titles.get(stage, stage),
                (
                    f"{visits:.3f}",
                    f"{exact.visits[stage]:.3f}",
                    figure(exact.from_stage[stage].won, "share"),
                ),
            )
            for stage, visits in design.simulated.visits.items()
        )
        tables.append(StageTable(letter, design, rows))
    return tables


def api_body(request: SimulationRequest) -> str:
    """The JSON body of ``POST /api/v1/simulate`` that gives the same report."""
    body: dict[str, object] = {"a": request.a.model_dump(exclude_defaults=True)}
    if request.b is not None:
        body["b"] = request.b.model_dump(exclude_defaults=True)
    body |= {"deals": request.deals, "seed": request.seed}
    return json.dumps(body, indent=2)
