"""Buyer share links: create (the URL shown once), list, revoke; and the public buyer view."""

from __future__ import annotations

from fastapi import APIRouter, Request

from dealgraph.core.buyer_view import BuyerView
from dealgraph.core.users import ShareLink
from dealgraph.services import share_links
from dealgraph.web.api.common import DEAL_ERRORS, WRITE_ERRORS, public
from dealgraph.web.deps import CurrentUser, SessionDep
from dealgraph.web.schemas import (
    BuyerViewPublic,
    ShareLinkCreate,
    ShareLinkCreated,
    ShareLinkPublic,
    ShareLinksPublic,
)

router = APIRouter(tags=["share links"])


@router.post(
    "/deals/{deal_id}/share-links",
    response_model=ShareLinkCreated,
    status_code=201,
    responses=WRITE_ERRORS,
)
def create_share_link(
    deal_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    body: ShareLinkCreate | None = None,
) -> ShareLinkCreated:
    """A new read-only link for the deal's buyer; its URL is in this answer only."""
    link, token = share_links.create_share_link(
        session, user=user, deal_id=deal_id, days=body.days if body else None
    )
    url = str(request.base_url).rstrip("/") + f"/share/{token}"
    return public(ShareLinkCreated, url=url, token=token, link=link)


@router.get("/deals/{deal_id}/share-links", response_model=ShareLinksPublic, responses=DEAL_ERRORS)
def list_share_links(deal_id: int, session: SessionDep, user: CurrentUser) -> ShareLinksPublic:
    """Every link of the deal, revoked and expired ones included (never their tokens)."""
    found = share_links.list_share_links(session, user=user, deal_id=deal_id)
    return public(ShareLinksPublic, data=found, count=len(found))


@router.delete("/share-links/{link_id}", response_model=ShareLinkPublic, responses=DEAL_ERRORS)
def revoke_share_link(link_id: int, session: SessionDep, user: CurrentUser) -> ShareLink:
    """Revoke a link; it stops working at once."""
    return share_links.revoke_share_link(session, user=user, link_id=link_id)


@router.get(
    "/share/{token}",
    response_model=BuyerViewPublic,
    responses={404: {"description": "unknown, expired or revoked link"}},
)
def open_share_link(token: str, session: SessionDep) -> BuyerView:
    """The buyer's read-only view of their deal; no account needed, only the token."""
    return share_links.buyer_view_for_token(session, token=token)
