"""The Plan page's use cases: a quota's goal tree, the period's forecast and a backtest.

A seller plans over their own deals, a manager over the team's, an admin over every deal
(``access.visible_owners``). Everything is learned from those same deals: the rates of the
goal tree (average deal, win rate, conversions, cycle, sellers), the forecast's pipeline,
time-to-close curves and win rates, and the backtest. A seller's plan is thus the plan of
their own record, and no figure on it aggregates deals they may not open.

``plan_overview`` computes the three sections at once for the page (and its JSON twin):
bad input raises before anything is computed; a section that cannot be computed from the
history (no closed deal, no deal in the currency) carries its error and the others still
show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from dealgraph.core.enums import UserRole
from dealgraph.core.users import User
from dealgraph.errors import Conflict, InvalidInput
from dealgraph.planning.assumptions import PLAN_FILE_HINT
from dealgraph.planning.backtest import Backtest
from dealgraph.planning.forecast import Forecast
from dealgraph.planning.funnel import GoalTree
from dealgraph.planning.period import Period, parse_period, period_between, quarter_of
from dealgraph.services.access import visible_deals, visible_owners
from dealgraph.services.common import now
from dealgraph.services.forecast import MAX_BACKTEST_PERIODS, backtest_quarters, forecast_period
from dealgraph.services.quota import quota_plan
from dealgraph.settings import Settings

DEFAULT_TRIALS = 10_000
DEFAULT_SEED = 7
DEFAULT_BACKTEST_PERIODS = 4
MAX_WEB_TRIALS = 100_000
"""The web runs a forecast inside a request: more trials than this are for the CLI."""
OVERRIDES_HINT = "in the plan's overrides (the JSON body of POST /api/v1/plan/quota)"

Scope = Literal["own", "team", "all"]
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class SectionError(BaseModel):
    """Why one section of the plan could not be computed: the field at fault and the reason."""

    model_config = ConfigDict(extra="forbid")

    where: str
    detail: str


class PlanOverview(BaseModel):
    """The Plan page: goal tree, forecast and backtest over the deals the user may see."""

    model_config = ConfigDict(extra="forbid")

    as_of: datetime = Field(description="the moment the plan is made")
    period: Period
    quota: float | None
    currency: str | None = Field(
        description="currency of the forecast and backtest: the one asked for, else the "
        "goal tree's (so P(quota) compares like with like), else the pipeline's commonest"
    )
    scope: Scope = Field(description="own deals (seller), the team's (manager) or all (admin)")
    model: bool = Field(
        default=False, description="open deals' P(win) from the trained win model, not history"
    )
    deals: int = Field(description="deals the plan is learned from: the ones the user may see")
    goal_tree: GoalTree | None = Field(description="None without a quota, or on its error")
    goal_tree_error: SectionError | None = None
    forecast: Forecast | None
    forecast_error: SectionError | None = None
    backtest: Backtest | None
    backtest_error: SectionError | None = None


def scope_of(user: User) -> Scope:
    """Whose deals a user plans over, in the words of ``PlanOverview.scope``."""
    if user.role == UserRole.ADMIN:
        return "all"
    return "team" if user.role == UserRole.MANAGER and user.team else "own"


def next_quarter(day: date) -> Period:
    """The calendar quarter after the one holding ``day`` (the page's default period)."""
    current = quarter_of(day)
    following = current.end.toordinal() + 1
    return quarter_of(date.fromordinal(following))


def plan_period(text: str | None, *, as_of: datetime) -> Period:
    """A period from ``2027Q1``, ``2027``, ``2027-03`` or ``2027-01-15..2027-02-14``.

    Empty text means the quarter after ``as_of``. Bad text raises InvalidInput (``period``).
    """
    cleaned = (text or "").strip()
    if not cleaned:
        return next_quarter(as_of.date())
    if ".." in cleaned:
        first, _, last = cleaned.partition("..")
        try:
            start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
        except ValueError:
            raise InvalidInput(
                f"cannot read {text!r} as two days: write 2027-01-15..2027-02-14",
                where="period",
            ) from None
        return period_between(start, end)
    return parse_period(cleaned)


def plan_quota(
    session: Session,
    *,
    user: User,
    quota: float,
    period: Period,
    sellers: int | None = None,
    currency: str | None = None,
    playbook: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    as_of: datetime | None = None,
) -> GoalTree:
    """The goal tree of ``quota`` learned from the deals ``user`` may see (``quota_plan``)."""
    scope = scope_of(user)
    try:
        tree = quota_plan(
            session,
            quota=quota,
            period=period,
            playbook_key=playbook,
            currency=currency,
            sellers=sellers,
            as_of=as_of,
            overrides=overrides,
            owners=visible_owners(session, user=user),
        )
    except InvalidInput as error:
        raise InvalidInput(web_words(error.message, scope), where=error.where) from None
    return tree.model_copy(update={"notes": [web_words(note, scope) for note in tree.notes]})


def model_p_win(session: Session, *, user: User, as_of: datetime) -> dict[int, float]:
    """The win model's P(win) of each open deal ``user`` may see, as of ``as_of``.

    NotEnoughHistory (a Conflict) when the workspace is too young to train a model.
    """
    from dealgraph.services.win_model import win_probabilities

    owners = visible_owners(session, user=user)
    visible = None if owners is None else {d.id for d in visible_deals(session, user=user)}
    return {
        deal_id: scored.probability
        for deal_id, scored in win_probabilities(session, as_of=as_of).items()
        if visible is None or deal_id in visible
    }


def plan_forecast(
    session: Session,
    *,
    user: User,
    period: Period,
    quota: float | None = None,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    currency: str | None = None,
    as_of: datetime | None = None,
    settings: Settings | None = None,
    model: bool = False,
) -> Forecast:
    """The period's forecast over the pipeline ``user`` may see (``forecast_period``).

    ``model``: open deals' P(win) comes from the win model instead of the stage history.
    """
    check_quota(quota)
    _check_trials(trials)
    moment = as_of or now()
    p_win = model_p_win(session, user=user, as_of=moment) if model else None
    try:
        return forecast_period(
            session,
            period=period,
            quota=quota,
            trials=trials,
            seed=seed,
            as_of=moment,
            currency=currency,
            p_win=p_win,
            settings=settings,
            owners=visible_owners(session, user=user),
        )
    except InvalidInput as error:
        raise InvalidInput(web_words(error.message, scope_of(user)), where=error.where) from None


def plan_backtest(
    session: Session,
    *,
    user: User,
    periods: int = DEFAULT_BACKTEST_PERIODS,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    currency: str | None = None,
    as_of: datetime | None = None,
    settings: Settings | None = None,
) -> Backtest:
    """Past quarters forecast as of their start and scored, over the deals ``user`` may see."""
    _check_trials(trials)
    try:
        return backtest_quarters(
            session,
            periods=periods,
            trials=trials,
            seed=seed,
            as_of=as_of,
            currency=currency,
            settings=settings,
            owners=visible_owners(session, user=user),
        )
    except InvalidInput as error:
        raise InvalidInput(web_words(error.message, scope_of(user)), where=error.where) from None


def plan_overview(
    session: Session,
    *,
    user: User,
    period: Period,
    quota: float | None = None,
    sellers: int | None = None,
    currency: str | None = None,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    periods: int = DEFAULT_BACKTEST_PERIODS,
    as_of: datetime | None = None,
    settings: Settings | None = None,
    model: bool = False,
) -> PlanOverview:
    """Goal tree (when a quota is given), forecast and backtest, in one currency, at one moment.

    Bad input (quota, sellers, currency, trials, periods) raises InvalidInput before
    anything runs; a section that fails on the history carries its ``…_error`` instead
    (with ``model``, too little history for the win model is the forecast's error).
    """
    moment = as_of or now()
    check_quota(quota)
    _check_trials(trials)
    code = check_currency(currency)
    if sellers is not None and sellers < 1:
        raise InvalidInput(f"must be at least 1, got {sellers}", where="sellers")
    if not 1 <= periods <= MAX_BACKTEST_PERIODS:
        raise InvalidInput(
            f"periods must be 1 to {MAX_BACKTEST_PERIODS}, got {periods}", where="periods"
        )
    tree = forecast = backtest = None
    tree_error = forecast_error = backtest_error = None
    if quota is not None:
        try:
            tree = plan_quota(
                session,
                user=user,
                quota=quota,
                period=period,
                sellers=sellers,
                currency=code,
                as_of=moment,
            )
            code = code or tree.currency
        except InvalidInput as error:
            tree_error = SectionError(where=error.where, detail=error.message)
    try:
        forecast = plan_forecast(
            session,
            user=user,
            period=period,
            quota=quota,
            trials=trials,
            seed=seed,
            currency=code,
            as_of=moment,
            settings=settings,
            model=model,
        )
        code = forecast.currency
    except InvalidInput as error:
        forecast_error = SectionError(where=error.where, detail=error.message)
    except Conflict as error:  # the win model's NotEnoughHistory
        forecast_error = SectionError(where="model", detail=str(error))
    try:
        backtest = plan_backtest(
            session,
            user=user,
            periods=periods,
            trials=trials,
            seed=seed,
            currency=code,
            as_of=moment,
            settings=settings,
        )
    except InvalidInput as error:
        backtest_error = SectionError(where=error.where, detail=error.message)
    return PlanOverview(
        as_of=moment,
        period=period,
        quota=quota,
        currency=code,
        scope=scope_of(user),
        model=model,
        deals=len(visible_deals(session, user=user)),
        goal_tree=tree,
        goal_tree_error=tree_error,
        forecast=forecast,
        forecast_error=forecast_error,
        backtest=backtest,
        backtest_error=backtest_error,
    )


def check_quota(quota: float | None) -> None:
    """A quota, when given, is a positive, finite amount (InvalidInput on ``quota``)."""
    if quota is not None and not (math.isfinite(quota) and quota > 0):
        raise InvalidInput(f"must be a positive amount, got {quota:g}", where="quota")


def check_currency(currency: str | None) -> str | None:
    """A three-letter code in capitals, or None when not given (InvalidInput on ``currency``)."""
    if currency is None or not currency.strip():
        return None
    code = currency.strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidInput(
            f"must be a three-letter code like EUR, got {currency!r}", where="currency"
        )
    return code


def web_words(message: str, scope: Scope) -> str:
    """A planning message in the web's words: options become fields, the workspace your deals.

    The engines speak to the command line (``--plan``, ``--currency``); the web takes the
    same values as query fields and the plan's overrides as a JSON body.
    """
    text = message.replace(PLAN_FILE_HINT, OVERRIDES_HINT)
    text = text.replace("pass --sellers", "give `sellers`").replace("--currency", "`currency`")
    if scope != "all":
        whose, who = ("your", "you have") if scope == "own" else ("your team's", "your team has")
        text = text.replace("in the workspace", f"among {whose} deals")
        text = text.replace("the workspace has no deals", f"{who} no deals")
    return text


def _check_trials(trials: int) -> None:
    if not 1 <= trials <= MAX_WEB_TRIALS:
        raise InvalidInput(f"trials must be 1 to {MAX_WEB_TRIALS:,}, got {trials}", where="trials")
