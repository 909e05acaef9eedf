"""The buying team of a deal: people, their roles, levels, stances and reporting lines."""

from __future__ import annotations

from fastapi import APIRouter, Response

from dealgraph.core.model import Stakeholder
from dealgraph.services import access, stakeholders
from dealgraph.web.api.common import DEAL_ERRORS, WRITE_ERRORS, changed, created
from dealgraph.web.deps import CurrentUser, SessionDep
from dealgraph.web.schemas import StakeholderCreate, StakeholderPublic, StakeholderUpdate

router = APIRouter(tags=["stakeholders"])


@router.get(
    "/deals/{deal_id}/stakeholders", response_model=list[StakeholderPublic], responses=DEAL_ERRORS
)
def list_stakeholders(deal_id: int, session: SessionDep, user: CurrentUser) -> list[Stakeholder]:
    """The deal's buying team, by id."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return stakeholders.list_stakeholders(session, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/stakeholders",
    response_model=StakeholderPublic,
    status_code=201,
    responses=WRITE_ERRORS,
)
def add_stakeholder(
    deal_id: int, body: StakeholderCreate, session: SessionDep, user: CurrentUser
) -> Stakeholder:
    """Add a person to the buying team; ``reports_to`` must be on the same deal."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return stakeholders.add_stakeholder(
        session, deal_id=deal_id, stakeholder=created(Stakeholder, body)
    )


@router.get(
    "/stakeholders/{stakeholder_id}", response_model=StakeholderPublic, responses=DEAL_ERRORS
)
def get_stakeholder(stakeholder_id: int, session: SessionDep, user: CurrentUser) -> Stakeholder:
    """One person of a buying team."""
    return access.require_stakeholder_access(session, user=user, stakeholder_id=stakeholder_id)


@router.patch(
    "/stakeholders/{stakeholder_id}", response_model=StakeholderPublic, responses=WRITE_ERRORS
)
def update_stakeholder(
    stakeholder_id: int, body: StakeholderUpdate, session: SessionDep, user: CurrentUser
) -> Stakeholder:
    """Change a person; 409 with ``current_version`` when ``version`` is stale."""
    current = access.require_stakeholder_access(session, user=user, stakeholder_id=stakeholder_id)
    return stakeholders.update_stakeholder(
        session, stakeholder=changed(current, body), expected_version=body.version
    )


@router.delete("/stakeholders/{stakeholder_id}", status_code=204, responses=DEAL_ERRORS)
def remove_stakeholder(stakeholder_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Remove a person; their reports then report to nobody."""
    access.require_stakeholder_access(session, user=user, stakeholder_id=stakeholder_id)
    stakeholders.remove_stakeholder(session, stakeholder_id=stakeholder_id)
    return Response(status_code=204)
