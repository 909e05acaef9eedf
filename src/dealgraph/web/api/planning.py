"""Planning from the end over the deals you may see: goal tree, forecast, backtest.

The data of the Plan page. A seller plans over their own deals, a manager over the team's,
an admin over every deal; rates and history are learned from the same deals
(``services.plan_view``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from dealgraph.planning.backtest import Backtest
from dealgraph.planning.forecast import Forecast
from dealgraph.planning.funnel import GoalTree
from dealgraph.planning.period import Period
from dealgraph.planning.plan_file import PlanFile
from dealgraph.services import plan_view as view
from dealgraph.services.common import now
from dealgraph.services.forecast import MAX_BACKTEST_PERIODS
from dealgraph.web.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/plan", tags=["planning"])

PLAN_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "not signed in and no API token"},
    409: {"description": "model=true on a workspace with too little history for the win model"},
    422: {
        "description": "a wrong value (`where` names it: period, quota, currency, trials, "
        "periods, or the rate the history lacks), or a query field out of range"
    },
}
OVERRIDE_ERRORS: dict[int | str, dict[str, str]] = {
    **PLAN_ERRORS,
    422: {
        "description": "a wrong value (`where`), or overrides with problems: `problems` "
        "lists each with its `path` (line and column are 0: a body has no lines)"
    },
}

PeriodQuery = Annotated[
    str | None,
    Query(
        description="2027Q1, 2027, 2027-03 or 2027-01-15..2027-02-14 "
        "(default: the quarter after as_of)"
    ),
]
QuotaQuery = Annotated[float | None, Query(gt=0, description="bookings to reach, in currency")]
CurrencyQuery = Annotated[
    str | None, Query(description="three-letter code (default: see each route)")
]
TrialsQuery = Annotated[int, Query(ge=1, le=view.MAX_WEB_TRIALS, description="Monte Carlo trials")]
SeedQuery = Annotated[int, Query(ge=0, description="seed of the draws: same seed, same figures")]
AsOfQuery = Annotated[
    datetime | None, Query(description="the moment the plan is made (default: now)")
]
SellersQuery = Annotated[
    int | None, Query(ge=1, description="sellers sharing the quota (default: active owners)")
]
PeriodsQuery = Annotated[
    int, Query(ge=1, le=MAX_BACKTEST_PERIODS, description="past quarters to backtest")
]
ModelQuery = Annotated[
    bool,
    Query(description="open deals' P(win) from the trained win model, not the stage history"),
]
PlaybookQuery = Annotated[
    str | None, Query(description="the journey (default: the playbook most deals use)")
]


def _moment_and_period(as_of: datetime | None, period: str | None) -> tuple[datetime, Period]:
    moment = as_of or now()
    return moment, view.plan_period(period, as_of=moment)


@router.get("", response_model=view.PlanOverview, responses=PLAN_ERRORS)
def get_plan(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    period: PeriodQuery = None,
    quota: QuotaQuery = None,
    sellers: SellersQuery = None,
    currency: CurrencyQuery = None,
    trials: TrialsQuery = view.DEFAULT_TRIALS,
    seed: SeedQuery = view.DEFAULT_SEED,
    periods: PeriodsQuery = view.DEFAULT_BACKTEST_PERIODS,
    as_of: AsOfQuery = None,
    model: ModelQuery = False,
) -> view.PlanOverview:
    """The whole Plan page: goal tree (with a quota), forecast and backtest in one currency.

    A section the history cannot support carries its error (`goal_tree_error`, …) and the
    others are still given.
    """
    moment, chosen = _moment_and_period(as_of, period)
    return view.plan_overview(
        session,
        user=user,
        period=chosen,
        quota=quota,
        sellers=sellers,
        currency=currency,
        trials=trials,
        seed=seed,
        periods=periods,
        as_of=moment,
        settings=settings,
        model=model,
    )


@router.get("/quota", response_model=GoalTree, responses=PLAN_ERRORS)
def get_quota(
    session: SessionDep,
    user: CurrentUser,
    quota: Annotated[float, Query(gt=0, description="bookings to reach, in currency")],
    period: PeriodQuery = None,
    sellers: SellersQuery = None,
    currency: CurrencyQuery = None,
    playbook: PlaybookQuery = None,
    as_of: AsOfQuery = None,
) -> GoalTree:
    """The goal tree of a quota: wins, opportunities per stage, conversations, activities.

    Rates come from the history of the deals you may see. The currency defaults to the
    one most of those won deals are in.
    """
    moment, chosen = _moment_and_period(as_of, period)
    return view.plan_quota(
        session,
        user=user,
        quota=quota,
        period=chosen,
        sellers=sellers,
        currency=currency,
        playbook=playbook,
        as_of=moment,
    )


@router.post(
    "/quota",
    response_model=GoalTree,
    responses=OVERRIDE_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": PlanFile.model_json_schema()}},
        }
    },
)
def post_quota(
    session: SessionDep,
    user: CurrentUser,
    quota: Annotated[float, Query(gt=0, description="bookings to reach, in currency")],
    overrides: Annotated[
        dict[str, Any],
        Body(
            default_factory=dict,
            description="a plan file's keys as JSON: each one replaces the history's rate",
        ),
    ],
    period: PeriodQuery = None,
    sellers: SellersQuery = None,
    currency: CurrencyQuery = None,
    playbook: PlaybookQuery = None,
    as_of: AsOfQuery = None,
) -> GoalTree:
    """The goal tree with rates set by the body (win_rate, average_deal, conversion, …).

    The body is checked like a plan file: unknown keys, shares outside 0–1, stages the
    playbook lacks are refused (422, each problem with its path) and nothing is computed.
    `sellers` in the query wins over the body's.
    """
    moment, chosen = _moment_and_period(as_of, period)
    return view.plan_quota(
        session,
        user=user,
        quota=quota,
        period=chosen,
        sellers=sellers,
        currency=currency,
        playbook=playbook,
        overrides=overrides,
        as_of=moment,
    )


@router.get("/forecast", response_model=Forecast, responses=PLAN_ERRORS)
def get_forecast(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    period: PeriodQuery = None,
    quota: QuotaQuery = None,
    trials: TrialsQuery = view.DEFAULT_TRIALS,
    seed: SeedQuery = view.DEFAULT_SEED,
    currency: CurrencyQuery = None,
    as_of: AsOfQuery = None,
    model: ModelQuery = False,
) -> Forecast:
    """The period's bookings from your open pipeline: P10/P50/P90, P(quota), gap, drivers.

    The currency defaults to the one most of your open deals are in; the quota is in it.
    With `model=true` each open deal's P(win) is the win model's (409 when the workspace
    has too little history to train one); each driver says its `p_win_source`.
    """
    moment, chosen = _moment_and_period(as_of, period)
    return view.plan_forecast(
        session,
        user=user,
        period=chosen,
        quota=quota,
        trials=trials,
        seed=seed,
        currency=currency,
        as_of=moment,
        settings=settings,
        model=model,
    )


@router.get("/backtest", response_model=Backtest, responses=PLAN_ERRORS)
def get_backtest(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    periods: PeriodsQuery = view.DEFAULT_BACKTEST_PERIODS,
    trials: TrialsQuery = view.DEFAULT_TRIALS,
    seed: SeedQuery = view.DEFAULT_SEED,
    currency: CurrencyQuery = None,
    as_of: AsOfQuery = None,
) -> Backtest:
    """The last whole quarters, each forecast as of its first day, against what was booked."""
    return view.plan_backtest(
        session,
        user=user,
        periods=periods,
        trials=trials,
        seed=seed,
        currency=currency,
        as_of=as_of or now(),
        settings=settings,
    )
