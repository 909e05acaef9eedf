"""The Plan page: a quota's goal tree, the period's forecast and a backtest, from a GET form.

The form's fields are query parameters, so a plan is a link. Bad input comes back as a
message beside the form, which keeps what the user typed (status 422); a section the
history cannot support says why in its place, and the others still show.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dealgraph.charts.plan import backtest_figure, forecast_figure
from dealgraph.core.playbook import get_playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.funnel import GoalNode
from dealgraph.planning.period import Period
from dealgraph.services import plan_view as view
from dealgraph.services.common import now
from dealgraph.web.deps import PageUser, SessionDep, SettingsDep
from dealgraph.web.templating import render

router = APIRouter()

_SEPARATORS = re.compile(r"[,_\s]")
T = TypeVar("T")
MODEL_ON = frozenset({"true", "on", "1", "yes"})
"""Values of the ``model`` field that ask for the win model's P(win) (a checkbox sends "on")."""


class FormProblems(InvalidInput):
    """Every field of the form that could not be read, at once."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        super().__init__("; ".join(str(p) for p in problems), where=problems[0].where)
        self.problems = problems


@dataclass
class PlanForm:
    """What the user typed, field by field, to fill the form in again."""

    quota: str = ""
    period: str = ""
    sellers: str = ""
    currency: str = ""
    trials: str = ""
    periods: str = ""
    as_of: str = ""
    model: str = ""


@dataclass
class PlanInputs:
    """The form read into values (blank fields left to the defaults)."""

    as_of: datetime | None
    moment: datetime
    period: Period
    quota: float | None
    sellers: int | None
    currency: str | None
    trials: int
    periods: int
    model: bool = False


@dataclass
class TreeItem:
    """A goal node as drawn: the walk back through the stages is flat, like the CLI's tree."""

    node: GoalNode
    children: list[TreeItem] = field(default_factory=list)


def display_tree(root: GoalNode) -> TreeItem:
    """The tree to draw: each stage's count follows from the next one's, so the model nests
    them; drawn nested they would march off the right edge, so they are drawn as siblings."""
    return TreeItem(root, _flat(root.children))


def _flat(nodes: list[GoalNode]) -> list[TreeItem]:
    items: list[TreeItem] = []
    for node in nodes:
        if node.key.startswith("stage:"):
            stages = [c for c in node.children if c.key.startswith("stage:")]
            others = [c for c in node.children if not c.key.startswith("stage:")]
            items.append(TreeItem(node, _flat(others)))
            items.extend(_flat(stages))
        else:
            items.append(TreeItem(node, _flat(node.children)))
    return items


def rate_text(node: GoalNode, currency: str) -> str:
    """A node's rate the way people read it: money, a percentage, or a plain count."""
    if node.rate is None:
        return ""
    if node.key == "wins":
        return f"{node.rate:,.0f} {currency}"
    if node.key == "opportunities" or node.key.startswith("stage:"):
        return f"{node.rate:.1%}"
    if node.key.endswith("_per_seller_week"):
        return f"{node.rate:.1f}"
    return f"{node.rate:.2f}"


def _amount(text: str, name: str) -> float | None:
    """A money amount such as ``2,000,000`` or ``2e6``; None when blank."""
    cleaned = _SEPARATORS.sub("", text)
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise InvalidInput(f"{text.strip()!r} is not an amount", where=name) from None


def _whole(text: str, name: str) -> int | None:
    """A whole number such as ``10,000``; None when blank."""
    cleaned = _SEPARATORS.sub("", text)
    if not cleaned:
        return None
    try:
        return int(cleaned)
    except ValueError:
        raise InvalidInput(f"{text.strip()!r} is not a whole number", where=name) from None


def _moment(text: str) -> datetime | None:
    """``2026-11-23`` (its midnight) or ``2026-11-23T12:00``; None when blank."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{text.strip()!r} is not a day or a time (2026-11-23 or 2026-11-23T12:00)",
            where="as_of",
        ) from None
    if moment.tzinfo is not None:
        raise InvalidInput("give the time without a zone (UTC is meant)", where="as_of")
    return moment


def read_form(form: PlanForm) -> PlanInputs:
    """The values of the form; InvalidInput naming every field that cannot be read."""
    problems: list[InvalidInput] = []

    def attempt(read: Callable[[], T], fallback: T) -> T:
        try:
            return read()
        except InvalidInput as error:
            problems.append(error)
            return fallback

    quota = attempt(lambda: _amount(form.quota, "quota"), None)
    as_of = attempt(lambda: _moment(form.as_of), None)
    moment = as_of or now()
    period = attempt(lambda: view.plan_period(form.period, as_of=moment), None)
    sellers = attempt(lambda: _whole(form.sellers, "sellers"), None)
    currency = attempt(lambda: view.check_currency(form.currency), None)
    trials = attempt(lambda: _whole(form.trials, "trials"), None)
    periods = attempt(lambda: _whole(form.periods, "periods"), None)
    if problems:
        raise FormProblems(problems)
    assert period is not None, "a period that cannot be read is a problem above"
    return PlanInputs(
        as_of=as_of,
        moment=moment,
        period=period,
        quota=quota,
        sellers=sellers,
        currency=currency,
        trials=view.DEFAULT_TRIALS if trials is None else trials,
        periods=view.DEFAULT_BACKTEST_PERIODS if periods is None else periods,
        model=form.model.strip().lower() in MODEL_ON,
    )


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def api_links(inputs: PlanInputs, overview: view.PlanOverview) -> dict[str, str]:
    """The JSON twin of the page and of each section, with the values the page used."""

    def link(path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        return f"/api/v1/plan{path}" + (f"?{urlencode(query)}" if query else "")

    as_of = inputs.as_of.isoformat() if inputs.as_of is not None else None
    quota = _number(inputs.quota) if inputs.quota is not None else None
    common: dict[str, Any] = {"trials": inputs.trials, "seed": view.DEFAULT_SEED}
    model = "true" if inputs.model else None
    return {
        "page": link(
            "",
            period=overview.period.label,
            quota=quota,
            sellers=inputs.sellers,
            currency=inputs.currency,
            periods=inputs.periods,
            as_of=as_of,
            model=model,
            **common,
        ),
        "quota": link(
            "/quota",
            quota=quota,
            period=overview.period.label,
            sellers=inputs.sellers,
            currency=inputs.currency,
            as_of=as_of,
        ),
        "forecast": link(
            "/forecast",
            period=overview.period.label,
            quota=quota,
            currency=overview.currency,
            as_of=as_of,
            model=model,
            **common,
        ),
        "backtest": link(
            "/backtest", periods=inputs.periods, currency=overview.currency, as_of=as_of, **common
        ),
    }


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    quota: str = "",
    period: str = "",
    sellers: str = "",
    currency: str = "",
    trials: str = "",
    periods: str = "",
    as_of: str = "",
    model: str = "",
) -> HTMLResponse:
    """Goal tree (given a quota), forecast and backtest over the deals the user may see."""
    form = PlanForm(quota, period, sellers, currency, trials, periods, as_of, model)
    try:
        inputs = read_form(form)
        overview = view.plan_overview(
            session,
            user=user,
            period=inputs.period,
            quota=inputs.quota,
            sellers=inputs.sellers,
            currency=inputs.currency,
            trials=inputs.trials,
            periods=inputs.periods,
            as_of=inputs.moment,
            settings=settings,
            model=inputs.model,
        )
    except InvalidInput as error:
        problems = error.problems if isinstance(error, FormProblems) else [error]
        return render(
            request,
            "plan.html",
            status_code=422,
            user=user,
            form=form,
            input_errors=[view.SectionError(where=p.where, detail=p.message) for p in problems],
            overview=None,
            scope=view.scope_of(user),
        )
    form.period = form.period.strip() or overview.period.label
    links = api_links(inputs, overview)
    figures = {}
    if overview.forecast is not None:
        figures["forecast"] = forecast_figure(overview.forecast)
    if overview.backtest is not None and overview.backtest.periods:
        figures["backtest"] = backtest_figure(overview.backtest)
    tree = display_tree(overview.goal_tree.root) if overview.goal_tree is not None else None
    stage_titles: dict[str, str] = {}
    for basis in overview.forecast.stages if overview.forecast is not None else []:
        stage_titles |= {s.key: s.title for s in get_playbook(basis.playbook).stages}
    return render(
        request,
        "plan.html",
        user=user,
        json_url=links["page"],
        links=links,
        form=form,
        input_errors=[],
        overview=overview,
        scope=overview.scope,
        tree_display=tree,
        stage_titles=stage_titles,
        rate_text=rate_text,
        figures=figures,
    )
