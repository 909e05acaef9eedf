"""The buyer's decision graph: decisions and the requirements between them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from dealgraph.core.model import Decision
from dealgraph.services import access, decisions
from dealgraph.web.api.common import DEAL_ERRORS, WRITE_ERRORS, changed, created
from dealgraph.web.deps import CurrentUser, SessionDep
from dealgraph.web.schemas import (
    DecisionCreate,
    DecisionPublic,
    DecisionUpdate,
    RequirementCreate,
)

router = APIRouter(tags=["decisions"])


@router.get(
    "/deals/{deal_id}/decisions", response_model=list[DecisionPublic], responses=DEAL_ERRORS
)
def list_decisions(deal_id: int, session: SessionDep, user: CurrentUser) -> list[Decision]:
    """The deal's decisions, by id."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return decisions.list_decisions(session, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/decisions",
    response_model=DecisionPublic,
    status_code=201,
    responses=WRITE_ERRORS,
)
def add_decision(
    deal_id: int, body: DecisionCreate, session: SessionDep, user: CurrentUser
) -> Decision:
    """Add a decision; its requirements and owners must be on the same deal."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return decisions.add_decision(session, deal_id=deal_id, decision=created(Decision, body))


@router.get("/decisions/{decision_id}", response_model=DecisionPublic, responses=DEAL_ERRORS)
def get_decision(decision_id: int, session: SessionDep, user: CurrentUser) -> Decision:
    """One decision."""
    return access.require_decision_access(session, user=user, decision_id=decision_id)


@router.patch("/decisions/{decision_id}", response_model=DecisionPublic, responses=WRITE_ERRORS)
def update_decision(
    decision_id: int, body: DecisionUpdate, session: SessionDep, user: CurrentUser
) -> Decision:
    """Change a decision; a stale version or a requirement cycle gets 409."""
    current = access.require_decision_access(session, user=user, decision_id=decision_id)
    return decisions.update_decision(
        session, decision=changed(current, body), expected_version=body.version
    )


@router.delete("/decisions/{decision_id}", status_code=204, responses=DEAL_ERRORS)
def remove_decision(decision_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Remove a decision and every requirement touching it."""
    access.require_decision_access(session, user=user, decision_id=decision_id)
    decisions.remove_decision(session, decision_id=decision_id)
    return Response(status_code=204)


@router.post(
    "/decisions/{decision_id}/requires",
    response_model=DecisionPublic,
    status_code=201,
    responses=WRITE_ERRORS,
)
def add_requirement(
    decision_id: int, body: RequirementCreate, session: SessionDep, user: CurrentUser
) -> Decision:
    """Make this decision require another; 409 naming the cycle if it would close one."""
    current = access.require_decision_access(session, user=user, decision_id=decision_id)
    assert current.deal_id is not None
    return decisions.add_requirement(
        session, deal_id=current.deal_id, dependent_id=decision_id, required_id=body.required_id
    )


@router.delete(
    "/decisions/{decision_id}/requires/{required_id}",
    response_model=DecisionPublic,
    responses=DEAL_ERRORS,
)
def remove_requirement(
    decision_id: int, required_id: int, session: SessionDep, user: CurrentUser
) -> Decision:
    """Drop the requirement; 404 when there is none."""
    current = access.require_decision_access(session, user=user, decision_id=decision_id)
    assert current.deal_id is not None
    return decisions.remove_requirement(
        session, deal_id=current.deal_id, dependent_id=decision_id, required_id=required_id
    )
