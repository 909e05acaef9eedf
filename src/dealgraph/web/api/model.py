"""The win-probability model: one deal's probability and its factors, the model's report, training.

Scoring follows the deal access rules; training is for managers and admins, who answer for
the whole team's forecast.
"""

from __future__ import annotations

from fastapi import APIRouter

from dealgraph.core.enums import UserRole
from dealgraph.planning.win_model import ModelReport
from dealgraph.services import access, win_model
from dealgraph.services.win_model import Scored
from dealgraph.web.api.common import DEAL_ERRORS
from dealgraph.web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["model"])

NOT_ENOUGH_HISTORY: dict[int | str, dict[str, str]] = {
    409: {"description": "too few closed deals (or one outcome only) to train a model"},
}


@router.get(
    "/deals/{deal_id}/win-probability",
    response_model=Scored,
    responses={
        **DEAL_ERRORS,
        **NOT_ENOUGH_HISTORY,
        422: {"description": "the deal is not open (`where` is deal_id)"},
    },
)
def get_win_probability(deal_id: int, session: SessionDep, user: CurrentUser) -> Scored:
    """P(won) of an open deal, the model behind it and the factors raising and lowering it."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return win_model.explain(session, deal_id)


@router.get(
    "/model",
    response_model=ModelReport,
    responses={
        401: {"description": "not signed in and no API token"},
        404: {"description": "no model has been trained yet"},
    },
)
def get_model(session: SessionDep, user: CurrentUser) -> ModelReport:
    """The report of the stored model in use: both models and the baseline on held-out deals."""
    return win_model.latest_report(session)


@router.post(
    "/model/train",
    response_model=ModelReport,
    responses={
        401: {"description": "not signed in and no API token"},
        403: {"description": "only a manager or an admin may train the model"},
        **NOT_ENOUGH_HISTORY,
    },
)
def train_model(session: SessionDep, user: CurrentUser) -> ModelReport:
    """Train both models on the deals closed so far, keep the better one and store it."""
    access.require_role(user, UserRole.MANAGER, UserRole.ADMIN)
    return win_model.train(session)
