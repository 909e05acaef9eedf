"""Deals: list, open, read, change under optimistic locking, delete; the record, GPS, signals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from dealgraph.core.enums import DealStatus
from dealgraph.core.gps import GpsReport
from dealgraph.core.model import Deal, DealRecord
from dealgraph.services import access, deals, gps
from dealgraph.services.common import now
from dealgraph.services.pipeline import pipeline
from dealgraph.web.api.common import DEAL_ERRORS, WRITE_ERRORS, changed, public
from dealgraph.web.deps import CurrentUser, SessionDep, SettingsDep
from dealgraph.web.schemas import (
    DealCreate,
    DealPublic,
    DealRecordPublic,
    DealsPublic,
    DealUpdate,
    GpsPublic,
    PipelinePublic,
    SignalsPublic,
)

router = APIRouter(tags=["deals"])

StatusFilter = Annotated[DealStatus | None, Query(description="open, won, lost, no_decision")]
OwnerFilter = Annotated[str | None, Query(description="the owning seller's name")]
StageFilter = Annotated[str | None, Query(description="a playbook stage key")]
SignalFilter = Annotated[str | None, Query(description="only deals on which this signal fires")]


@router.get("/deals", response_model=DealsPublic, summary="List the deals you may see")
def list_deals(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    status: StatusFilter = None,
    owner: OwnerFilter = None,
    stage: StageFilter = None,
    signal: SignalFilter = None,
) -> DealsPublic:
    """Deals visible to the caller, matching every filter, by id."""
    if signal is not None:
        rows = pipeline(
            session,
            user=user,
            status=status,
            owner=owner,
            stage=stage,
            signal=signal,
            settings=settings,
        )
        found = [row.deal for row in rows]
    else:
        found = access.visible_deals(session, user=user, status=status, owner=owner, stage=stage)
    return public(DealsPublic, data=found, count=len(found))


@router.get("/pipeline", response_model=PipelinePublic, summary="The pipeline rows")
def get_pipeline(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    status: StatusFilter = None,
    owner: OwnerFilter = None,
    stage: StageFilter = None,
    signal: SignalFilter = None,
) -> PipelinePublic:
    """Visible deals with account, stage title, age, ETA P50/P90 and top signal."""
    rows = pipeline(
        session,
        user=user,
        status=status,
        owner=owner,
        stage=stage,
        signal=signal,
        settings=settings,
    )
    return public(PipelinePublic, data=rows, count=len(rows))


@router.post(
    "/deals",
    response_model=DealPublic,
    status_code=201,
    summary="Open a deal",
    responses=WRITE_ERRORS,
)
def create_deal(
    body: DealCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> Deal:
    """Open a deal on its playbook; a seller may only open deals they own."""
    deal = Deal(
        title=body.title,
        account_id=body.account_id,
        owner=body.owner or user.name,
        value=body.value,
        currency=body.currency,
        created_at=now(),
        expected_close=body.expected_close,
        playbook=body.playbook or settings.default_playbook,
        segment=body.segment,
    )
    stored = deals.create_deal(session, deal=deal, account_name=body.account_name)
    assert stored.id is not None
    # The same access rule as for reading: opening a deal you could not see is refused
    # (and the transaction rolled back).
    access.require_deal_access(session, user=user, deal_id=stored.id)
    return stored


@router.get("/deals/{deal_id}", response_model=DealPublic, responses=DEAL_ERRORS)
def get_deal(deal_id: int, session: SessionDep, user: CurrentUser) -> Deal:
    """One deal."""
    return access.require_deal_access(session, user=user, deal_id=deal_id)


@router.patch("/deals/{deal_id}", response_model=DealPublic, responses=WRITE_ERRORS)
def update_deal(deal_id: int, body: DealUpdate, session: SessionDep, user: CurrentUser) -> Deal:
    """Change a deal; 409 with ``current_version`` when ``version`` is stale."""
    current = access.require_deal_access(session, user=user, deal_id=deal_id)
    saved = deals.update_deal(session, deal=changed(current, body), expected_version=body.version)
    # Handing a deal to an owner outside your reach is refused like any other access.
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return saved


@router.delete("/deals/{deal_id}", status_code=204, responses=DEAL_ERRORS)
def delete_deal(deal_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Remove a deal and everything on it."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    deals.delete_deal(session, deal_id=deal_id)
    return Response(status_code=204)


@router.get("/deals/{deal_id}/record", response_model=DealRecordPublic, responses=DEAL_ERRORS)
def get_record(deal_id: int, session: SessionDep, user: CurrentUser) -> DealRecord:
    """Everything about one deal: account, team, decisions, history, plan, problems."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return deals.get_deal_record(session, deal_id=deal_id)


@router.get("/deals/{deal_id}/gps", response_model=GpsPublic, responses=DEAL_ERRORS)
def get_gps(
    deal_id: int, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> GpsReport:
    """Where the buyer is, the route ahead, ETA P50/P90, next plays, gaps and signals."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    return gps.deal_gps(session, deal_id=deal_id, settings=settings)


@router.get("/deals/{deal_id}/signals", response_model=SignalsPublic, responses=DEAL_ERRORS)
def get_signals(
    deal_id: int, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> SignalsPublic:
    """The signals firing on the deal, most severe first, with evidence and advice."""
    access.require_deal_access(session, user=user, deal_id=deal_id)
    found = gps.deal_signals(session, deal_id=deal_id, settings=settings)
    return public(SignalsPublic, data=found, count=len(found))
