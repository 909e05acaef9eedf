"""The timeline of a deal: interactions logged, evidence recorded, and the stage moves they make."""

from __future__ import annotations

from fastapi import APIRouter

from dealgraph.core.model import Evidence, Interaction
from dealgraph.services import access, interactions
from dealgraph.web.api.common import DEAL_ERRORS, WRITE_ERRORS, created
from dealgraph.web.deps import CurrentUser, SessionDep
from dealgraph.web.schemas import (
    EvidenceCreate,
    EvidencePublic,
    EvidenceRecorded,
    InteractionCreate,
    InteractionLogged,
    InteractionPublic,
)

router = APIRouter(tags=["interactions"])


@router.get(
    "/deals/{deal_id}/interactions",
    response_model=list[InteractionPublic],
    responses=DEAL_ERRORS,
)
def list_interactions(deal_id: int, session: SessionDep, user: CurrentUser) -> list[Interaction]:
    """The deal's interactions, oldest first."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return interactions.list_interactions(session, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/interactions",
    response_model=InteractionLogged,
    status_code=201,
    responses=WRITE_ERRORS,
)
def log_interaction(
    deal_id: int, body: InteractionCreate, session: SessionDep, user: CurrentUser
) -> InteractionLogged:
    """Log a touch; evidence it met moves the deal's GPS position (``stage_change``)."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    interaction = created(Interaction, body, seller=body.seller or user.name)
    logged = interactions.log_interaction(session, deal_id=deal_id, interaction=interaction)
    return InteractionLogged.model_validate(logged.model_dump())


@router.get(
    "/interactions/{interaction_id}", response_model=InteractionPublic, responses=DEAL_ERRORS
)
def get_interaction(interaction_id: int, session: SessionDep, user: CurrentUser) -> Interaction:
    """One interaction."""
    return access.require_interaction_access(session, user=user, interaction_id=interaction_id)


@router.get("/deals/{deal_id}/evidence", response_model=list[EvidencePublic], responses=DEAL_ERRORS)
def list_evidence(deal_id: int, session: SessionDep, user: CurrentUser) -> list[Evidence]:
    """The exit criteria met on the deal, oldest first."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return interactions.list_evidence(session, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/evidence",
    response_model=EvidenceRecorded,
    status_code=201,
    responses=WRITE_ERRORS,
)
def record_evidence(
    deal_id: int, body: EvidenceCreate, session: SessionDep, user: CurrentUser
) -> EvidenceRecorded:
    """Record a criterion as met (idempotent: ``created`` is false when it was there)."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    recorded = interactions.record_evidence(
        session,
        deal_id=deal_id,
        criterion=body.criterion,
        recorded_at=body.recorded_at,
        note=body.note,
    )
    return EvidenceRecorded.model_validate(recorded.model_dump())
