"""Playbook simulation use cases: fit a design from the workspace, run and compare designs."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from dealgraph.planning.compare import MetricComparison, compare_runs
from dealgraph.planning.fit import FitResult, fit_scenario
from dealgraph.planning.markov import ClosedForm, FloatArray, build_chain, closed_form
from dealgraph.planning.scenario import Scenario, scenario_yaml
from dealgraph.planning.scenario_load import load_scenario, scenario_path
from dealgraph.planning.simulation import (
    CycleHistogram,
    SimulationRun,
    SimulationSummary,
    cycle_edges,
    cycle_histogram,
    simulate,
    summarize,
)
from dealgraph.services.common import playbook_named
from dealgraph.store.deals import load_deal_records

Fitter = Callable[[str], FitResult]
"""Fits the workspace's history for a playbook key (cached by whoever builds it)."""


class Design(BaseModel):
    """A design to simulate: its scenario and where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="the scenario's key or path, or 'fitted:<playbook>'")
    scenario: Scenario


class DesignResult(BaseModel):
    """One simulated design: exact chain results beside the Monte Carlo summary."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    playbook: str
    closed_form: ClosedForm
    simulated: SimulationSummary
    win_rate_gap_pp: float = Field(
        description="Monte Carlo win rate minus the closed form, in percentage points"
    )
    won_cycle_days: CycleHistogram = Field(
        description="won deals by cycle days, on the same bins for both designs compared"
    )


class SimulationReport(BaseModel):
    """The result of ``simulate``: one design, or two with their comparison."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deals: int = Field(description="deals simulated per design")
    seed: int = Field(description="seed of design A; design B uses seed + 1")
    a: DesignResult
    b: DesignResult | None = None
    comparison: list[MetricComparison] | None = Field(
        default=None, description="B - A per metric with its 95 % interval"
    )


def fit_workspace(
    session: Session, *, playbook_key: str, owners: set[str] | None = None
) -> FitResult:
    """The scenario the workspace's deals on a playbook imply (InvalidInput if none moved).

    ``owners`` keeps only the deals of those owners (``access.visible_owners``); None fits
    every deal.
    """
    playbook = playbook_named(playbook_key)
    records = [
        r
        for r in load_deal_records(session)
        if r.deal.playbook == playbook_key and (owners is None or r.deal.owner in owners)
    ]
    return fit_scenario(records, playbook)


def workspace_fitter(
    open_session: Callable[[], AbstractContextManager[Session]],
    *,
    owners: set[str] | None = None,
) -> Fitter:
    """A fitter that opens the workspace only when a fit is first needed, then remembers it."""
    fits: dict[str, FitResult] = {}

    def fit(playbook_key: str) -> FitResult:
        if playbook_key not in fits:
            with open_session() as session:
                fits[playbook_key] = fit_workspace(
                    session, playbook_key=playbook_key, owners=owners
                )
        return fits[playbook_key]

    return fit


def load_design(name_or_path: str, *, fitter: Fitter | None = None) -> Design:
    """A shipped scenario by key or a scenario file; ``base: fitted`` asks ``fitter``.

    Raises NotFound for an unknown name and ScenarioError (located) for a bad file.
    """
    path = scenario_path(name_or_path)
    fitted = None if fitter is None else (lambda key: fitter(key).scenario)
    return Design(name=name_or_path, scenario=load_scenario(path, fitted=fitted))


def fitted_design(playbook_key: str, *, fitter: Fitter) -> Design:
    """The design fitted from the workspace for a playbook."""
    playbook_named(playbook_key)
    return Design(name=f"fitted:{playbook_key}", scenario=fitter(playbook_key).scenario)


def fitted_yaml(result: FitResult, *, by: str = "`dealgraph simulate --fit`") -> str:
    """A fitted scenario as a scenario file, headed by what fitted it and from what."""
    report = result.report
    paragraphs = [
        f"Fitted by {by} from {report.deals} deals on playbook "
        f"{result.scenario.playbook} ({report.closed} closed).",
        "Stage exits counted: "
        + ", ".join(f"{stage} {n}" for stage, n in report.exits.items())
        + ".",
        "Days from: "
        + ", ".join(f"{stage} {source}" for stage, source in report.days_from.items())
        + ".",
    ]
    header = "\n".join(textwrap.fill(paragraph, width=88) for paragraph in paragraphs)
    return scenario_yaml(result.scenario, header=header)


def write_fitted(result: FitResult, path: Path) -> None:
    """Write the fitted scenario file (replacing any file at ``path``)."""
    path.write_text(fitted_yaml(result), encoding="utf-8")


def simulate_designs(
    a: Design, b: Design | None = None, *, deals: int, seed: int, workers: int | None = None
) -> SimulationReport:
    """Simulate A (seed) and B (seed + 1) and compare them metric by metric.

    Example:
        >>> design = load_design("buyer-journey")  # doctest: +SKIP
        >>> report = simulate_designs(design, deals=100_000, seed=1)  # doctest: +SKIP
        >>> round(report.a.closed_form.win_rate, 3)  # doctest: +SKIP
        0.274
    """
    run_a, exact_a = _run(a, deals=deals, seed=seed, workers=workers)
    if b is None:
        edges = cycle_edges([run_a])
        return SimulationReport(deals=deals, seed=seed, a=_result(a, run_a, exact_a, edges))
    run_b, exact_b = _run(b, deals=deals, seed=seed + 1, workers=workers)
    edges = cycle_edges([run_a, run_b])
    return SimulationReport(
        deals=deals,
        seed=seed,
        a=_result(a, run_a, exact_a, edges),
        b=_result(b, run_b, exact_b, edges),
        comparison=compare_runs(run_a, run_b),
    )


def _run(
    design: Design, *, deals: int, seed: int, workers: int | None
) -> tuple[SimulationRun, ClosedForm]:
    playbook = playbook_named(design.scenario.playbook)
    chain = build_chain(design.scenario, playbook)
    exact = closed_form(chain)
    return simulate(chain, deals=deals, seed=seed, workers=workers), exact


def _result(
    design: Design, run: SimulationRun, exact: ClosedForm, edges: FloatArray
) -> DesignResult:
    summary = summarize(run)
    return DesignResult(
        name=design.name,
        title=design.scenario.title,
        playbook=design.scenario.playbook,
        closed_form=exact,
        simulated=summary,
        win_rate_gap_pp=(summary.win_rate - exact.win_rate) * 100,
        won_cycle_days=cycle_histogram(run, edges),
    )
