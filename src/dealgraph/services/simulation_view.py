"""The Simulate page and its API: choose one or two designs, simulate them, say what differs.

A design is chosen as a shipped scenario (by key, never by path), as the model fitted from
the deals the user may see (``access.visible_owners``: a seller's own deals, a manager's
team's, an admin's every deal), or as scenario YAML text from a form or an API body. Such
text may ``extends`` a shipped scenario (no other file on the server) or say
``base: fitted`` (the same fitted model). Fits are cached per workspace, playbook and set
of owners until the workspace's data changes. The page and the API call the same
functions, so both show the same numbers.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from dealgraph.core.enums import UserRole
from dealgraph.core.users import User
from dealgraph.errors import InvalidInput, Problem
from dealgraph.planning.compare import MetricComparison
from dealgraph.planning.fit import FitReport, FitResult
from dealgraph.planning.scenario import Scenario
from dealgraph.planning.scenario_load import (
    SCENARIO_DIR,
    ScenarioError,
    load_scenario,
    load_scenario_text,
    shipped_scenarios,
)
from dealgraph.services.access import visible_owners
from dealgraph.services.cache import workspace_cached
from dealgraph.services.common import playbook_named
from dealgraph.services.simulation import (
    Design,
    Fitter,
    SimulationReport,
    fit_workspace,
    fitted_design,
    fitted_yaml,
    simulate_designs,
)

MIN_DEALS = 1_000
MAX_DEALS = 500_000
DEFAULT_DEALS = 100_000
MAX_SEED = 2**31 - 2
"""Design B runs on seed + 1, which must stay a valid seed too."""
MAX_YAML_CHARS = 200_000
LETTERS = ("A", "B")
FITTED = "fitted"
"""How a link or a form names the fitted model instead of a shipped scenario."""


class DesignChoice(BaseModel):
    """One design to simulate: exactly one of ``scenario``, ``yaml`` or ``fitted: true``."""

    model_config = ConfigDict(extra="forbid")

    scenario: str | None = Field(
        default=None, description="a shipped scenario's key (GET /scenarios lists them)"
    )
    yaml: str | None = Field(
        default=None,
        max_length=MAX_YAML_CHARS,
        description="a scenario file's text; `extends` may name a shipped scenario, "
        "`base: fitted` the fitted model",
    )
    fitted: bool = Field(default=False, description="the model fitted from the deals you may see")
    playbook: str | None = Field(
        default=None,
        description="with `fitted`: the playbook whose deals are fitted (default: the workspace's)",
    )
    name: str | None = Field(
        default=None,
        max_length=200,
        description="with `yaml`: its name in the report and in problems (e.g. a file name)",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> DesignChoice:
        given = [self.scenario is not None, self.yaml is not None, self.fitted]
        if sum(given) != 1:
            raise ValueError("give exactly one of `scenario`, `yaml` or `fitted: true`")
        if self.playbook is not None and not self.fitted:
            raise ValueError("`playbook` goes with `fitted: true` (a scenario names its own)")
        return self


class SimulationRequest(BaseModel):
    """What to simulate: design A, optionally design B, how many deals and the seed."""

    model_config = ConfigDict(extra="forbid")

    a: DesignChoice
    b: DesignChoice | None = Field(default=None, description="the design compared with A")
    deals: int = Field(
        default=DEFAULT_DEALS, ge=MIN_DEALS, le=MAX_DEALS, description="deals per design"
    )
    seed: int = Field(default=1, ge=0, le=MAX_SEED, description="seed of A; B uses seed + 1")


class ScenarioSummary(BaseModel):
    """A scenario shipped with dealgraph."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="its key, for `scenario` in a design choice")
    title: str
    description: str
    playbook: str


class FittedScenario(BaseModel):
    """The design the deals you may see imply, as a scenario file and parsed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    playbook: str
    scope: str = Field(description="whose deals were fitted, in words")
    owners: list[str] | None = Field(description="the deal owners fitted; null for every deal")
    yaml: str = Field(description="the scenario file, headed by what it was fitted from")
    scenario: Scenario
    report: FitReport


class SimulationOutcome(SimulationReport):
    """The simulation report with the comparison said in plain words."""

    verdict: str | None = Field(
        default=None, description="what B does against A, in plain words; null for one design"
    )


@cache
def _shipped() -> tuple[ScenarioSummary, ...]:
    summaries = []
    for key, path in shipped_scenarios().items():
        scenario = load_scenario(path)
        summaries.append(
            ScenarioSummary(
                name=key,
                title=scenario.title,
                description=" ".join((scenario.description or "").split()),
                playbook=scenario.playbook,
            )
        )
    return tuple(summaries)


def list_scenarios() -> list[ScenarioSummary]:
    """The shipped scenarios, a base before the variants named after it (``a`` < ``a-b``)."""
    return sorted(_shipped(), key=lambda summary: summary.name.split("-"))


def fit_scope(session: Session, *, user: User) -> tuple[set[str] | None, str]:
    """Whose deals a fit for ``user`` learns from (None: every deal), and that in words."""
    owners = visible_owners(session, user=user)
    if owners is None:
        return None, "every deal in the workspace"
    if user.role == UserRole.MANAGER and user.team:
        return owners, f"the deals of team {user.team}"
    return owners, "your own deals"


def user_fitter(session: Session, *, user: User) -> Fitter:
    """Fits the deals ``user`` may see, reusing a fit while the workspace is unchanged."""
    owners, _ = fit_scope(session, user=user)
    scope = None if owners is None else frozenset(owners)

    def fit(playbook_key: str) -> FitResult:
        return workspace_cached(
            session,
            ("simulation_fit", playbook_key, scope),
            lambda: fit_workspace(session, playbook_key=playbook_key, owners=owners),
        )

    return fit


def fitted_scenario(session: Session, *, user: User, playbook: str) -> FittedScenario:
    """The scenario fitted from the deals ``user`` may see on ``playbook``.

    Raises InvalidInput (where ``playbook``) for an unknown playbook or when none of those
    deals has moved through a stage yet.
    """
    playbook_named(playbook)
    owners, scope = fit_scope(session, user=user)
    result = user_fitter(session, user=user)(playbook)
    return FittedScenario(
        playbook=playbook,
        scope=scope,
        owners=None if owners is None else sorted(owners),
        yaml=fitted_yaml(result, by=f"the Simulate page (over {scope})"),
        scenario=result.scenario,
        report=result.report,
    )


def run_simulation(
    session: Session, *, user: User, request: SimulationRequest, default_playbook: str
) -> SimulationOutcome:
    """Load the chosen designs and simulate them (A on ``seed``, B on ``seed + 1``).

    Raises ScenarioError listing every located problem of both designs' YAML, InvalidInput
    (where ``a.scenario``, ``b.fitted`` ...) for an unknown scenario or nothing to fit.
    """
    fitter = user_fitter(session, user=user)
    choices = [(LETTERS[0], request.a)]
    if request.b is not None:
        choices.append((LETTERS[1], request.b))
    designs: list[Design] = []
    problems: list[Problem] = []
    for letter, choice in choices:
        try:
            designs.append(
                _design(letter, choice, fitter=fitter, default_playbook=default_playbook)
            )
        except ScenarioError as error:
            problems += error.problems
    if problems:
        raise ScenarioError(problems)
    report = simulate_designs(
        designs[0], designs[1] if len(designs) > 1 else None, deals=request.deals, seed=request.seed
    )
    return SimulationOutcome(**dict(report), verdict=verdict(report))


def named_choice(name: str) -> DesignChoice:
    """A design named in a link: ``fitted``, or a shipped scenario's key."""
    return DesignChoice(fitted=True) if name == FITTED else DesignChoice(scenario=name)


def yaml_label(letter: str, choice: DesignChoice) -> str:
    """The name of a design given as YAML: its own name, else ``design A`` / ``design B``."""
    return (choice.name or "").strip() or f"design {letter}"


def _design(letter: str, choice: DesignChoice, *, fitter: Fitter, default_playbook: str) -> Design:
    where = letter.lower()
    if choice.scenario is not None:
        path = shipped_scenarios().get(choice.scenario)
        if path is None:
            known = ", ".join(shipped_scenarios())
            raise InvalidInput(
                f"unknown scenario {choice.scenario!r}; shipped: {known}", where=f"{where}.scenario"
            )
        return Design(name=choice.scenario, scenario=load_scenario(path))
    if choice.fitted:
        playbook = choice.playbook or default_playbook
        try:
            return fitted_design(playbook, fitter=fitter)
        except InvalidInput as error:
            raise InvalidInput(error.message, where=f"{where}.fitted") from None
    label = yaml_label(letter, choice)
    scenario = load_scenario_text(
        choice.yaml or "",
        file=label,
        fitted=lambda key: fitter(key).scenario,
        base_dir=SCENARIO_DIR,
        within=SCENARIO_DIR,
    )
    return Design(name=label, scenario=scenario)


def verdict(report: SimulationReport) -> str | None:
    """B against A in plain words: wins, cost per win and median cycle, with intervals.

    Example:
        >>> verdict(report)  # doctest: +SKIP
        'B wins 1.4 points more deals (0.5 to 2.3, significant) but costs 2,487 USD more per
        win (2,245 to 2,728, significant). Its won deals take 3.1 days less at the median
        (0.9 to 5.2, significant).'
    """
    if report.comparison is None:
        return None
    rows = {row.metric: row for row in report.comparison}
    currency = report.a.simulated.currency
    win = rows["win_rate"]
    sentence = "B wins " + _amount(win, ("more deals", "fewer deals"), scale=100, unit=" points")
    cost = rows["cost_per_win"]
    if cost.difference is not None and win.difference is not None:
        joiner = "but" if (win.difference >= 0) == (cost.difference >= 0) else "and"
        words = ("more per win", "less per win")
        sentence += f" {joiner} costs " + _amount(cost, words, unit=f" {currency}", digits=0)
    sentences = [sentence + "."]
    cycle = rows["cycle_p50_won"]
    if cycle.difference is not None:
        words = ("longer at the median", "less at the median")
        sentences.append("Its won deals take " + _amount(cycle, words, unit=" days") + ".")
    return " ".join(sentences)


def _amount(
    row: MetricComparison,
    words: tuple[str, str],
    *,
    scale: float = 1.0,
    unit: str,
    digits: int = 1,
) -> str:
    """``1.8 points more deals (1.5 to 2.1, significant)``: the size of B - A, its way."""
    assert row.difference is not None
    sign = 1.0 if row.difference >= 0 else -1.0
    size = abs(row.difference) * scale
    said = f"{_number(size, digits)}{unit} {words[0] if sign > 0 else words[1]}"
    if row.low is None or row.high is None:
        return said
    # the interval of the amount said: after "fewer" or "less" it is the interval of A - B
    low, high = sorted((sign * row.low * scale, sign * row.high * scale))
    judged = "significant" if row.significant else "not significant"
    return f"{said} ({_number(low, digits)} to {_number(high, digits)}, {judged})"


def _number(value: float, digits: int) -> str:
    """Thousands separated, ``digits`` decimals, and never ``-0.0``."""
    rounded = round(value, digits)
    return f"{rounded + 0.0 if rounded else 0.0:,.{digits}f}"
