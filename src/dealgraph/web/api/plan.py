"""The mutual plan and the buyer's problem map of a deal."""

from __future__ import annotations

from fastapi import APIRouter, Response

from dealgraph.core.model import PlanItem, ProblemItem
from dealgraph.services import access, plan, problems
from dealgraph.web.api.common import DEAL_ERRORS, WRITE_ERRORS, changed, created
from dealgraph.web.deps import CurrentUser, SessionDep
from dealgraph.web.schemas import (
    PlanItemCreate,
    PlanItemPublic,
    PlanItemUpdate,
    ProblemCreate,
    ProblemPublic,
    ProblemUpdate,
)

router = APIRouter()


@router.get(
    "/deals/{deal_id}/plan",
    response_model=list[PlanItemPublic],
    responses=DEAL_ERRORS,
    tags=["plan"],
)
def list_plan(deal_id: int, session: SessionDep, user: CurrentUser) -> list[PlanItem]:
    """The deal's mutual plan, by id."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return plan.list_plan_items(session, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/plan",
    response_model=PlanItemPublic,
    status_code=201,
    responses=WRITE_ERRORS,
    tags=["plan"],
)
def add_plan_item(
    deal_id: int, body: PlanItemCreate, session: SessionDep, user: CurrentUser
) -> PlanItem:
    """Add a buyer, seller or joint item; dependencies must be items of the same plan."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return plan.add_plan_item(session, deal_id=deal_id, item=created(PlanItem, body))


@router.patch(
    "/plan/{item_id}", response_model=PlanItemPublic, responses=WRITE_ERRORS, tags=["plan"]
)
def update_plan_item(
    item_id: int, body: PlanItemUpdate, session: SessionDep, user: CurrentUser
) -> PlanItem:
    """Change an item (e.g. ``{"done": true}``); a dependency cycle gets 409."""
    current = access.require_plan_item_access(session, user=user, plan_item_id=item_id)
    return plan.update_plan_item(session, item=changed(current, body, skip=frozenset()))


@router.delete("/plan/{item_id}", status_code=204, responses=DEAL_ERRORS, tags=["plan"])
def remove_plan_item(item_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Remove an item; items depending on it lose that dependency."""
    access.require_plan_item_access(session, user=user, plan_item_id=item_id)
    plan.remove_plan_item(session, item_id=item_id)
    return Response(status_code=204)


@router.get(
    "/deals/{deal_id}/problems",
    response_model=list[ProblemPublic],
    responses=DEAL_ERRORS,
    tags=["problems"],
)
def list_problems(deal_id: int, session: SessionDep, user: CurrentUser) -> list[ProblemItem]:
    """The buyer's goals, pressures, obstacles and initiatives, by id."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return problems.list_problems(session, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/problems",
    response_model=ProblemPublic,
    status_code=201,
    responses=WRITE_ERRORS,
    tags=["problems"],
)
def add_problem(
    deal_id: int, body: ProblemCreate, session: SessionDep, user: CurrentUser
) -> ProblemItem:
    """Add a problem-map item, linked to the deal's decisions and to offerings."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return problems.add_problem(session, deal_id=deal_id, problem=created(ProblemItem, body))


@router.patch(
    "/problems/{problem_id}",
    response_model=ProblemPublic,
    responses=WRITE_ERRORS,
    tags=["problems"],
)
def update_problem(
    problem_id: int, body: ProblemUpdate, session: SessionDep, user: CurrentUser
) -> ProblemItem:
    """Change a problem-map item; links are checked as on add."""
    current = access.require_problem_access(session, user=user, problem_id=problem_id)
    return problems.update_problem(session, problem=changed(current, body, skip=frozenset()))


@router.delete("/problems/{problem_id}", status_code=204, responses=DEAL_ERRORS, tags=["problems"])
def remove_problem(problem_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Remove a problem-map item."""
    access.require_problem_access(session, user=user, problem_id=problem_id)
    problems.remove_problem(session, problem_id=problem_id)
    return Response(status_code=204)
