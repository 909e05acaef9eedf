"""The buyer's page behind a share link: no account, read-only, buyer-safe fields only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dealgraph.web.deps import SessionDep
from dealgraph.web.templating import render

router = APIRouter()


@router.get("/share/{token}", response_class=HTMLResponse)
def share_page(request: Request, token: str, session: SessionDep) -> HTMLResponse:
    """The buyer view of one deal; unknown, expired or revoked links are a 404 page."""
    from dealgraph.services.share_links import buyer_view_for_token

    view = buyer_view_for_token(session, token=token)
    response = render(
        request,
        "share.html",
        user=None,
        json_url=f"/api/v1/share/{token}",
        view=view,
    )
    # The token is in the URL: keep it out of caches and other sites' Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
