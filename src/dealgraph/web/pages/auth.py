"""Sign in and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dealgraph.errors import AuthFailed, RateLimited
from dealgraph.web.deps import (
    OptionalPageUser,
    SessionDep,
    attempt_sign_in,
    sign_out,
    verify_csrf,
)
from dealgraph.web.pages.common import local_path, see_other, text
from dealgraph.web.templating import flash, render

router = APIRouter()


@router.get("/")
def home() -> RedirectResponse:
    """The pipeline is the front page."""
    return RedirectResponse("/pipeline", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: OptionalPageUser, next: str = "") -> Response:
    """The sign-in form; a signed-in user goes straight on."""
    if user is not None:
        return see_other(local_path(next))
    return render(request, "login.html", next=local_path(next), email="", error="")


@router.post("/login", dependencies=[Depends(verify_csrf)])
async def login(request: Request, session: SessionDep) -> Response:
    """Check the password (rate-limited) and go back to where the user was heading."""
    form = await request.form()
    email, password = text(form, "email"), form.get("password")
    target = local_path(text(form, "next"))
    try:
        attempt_sign_in(
            request, session, email=email, password=password if isinstance(password, str) else ""
        )
    except (AuthFailed, RateLimited) as error:
        status = 429 if isinstance(error, RateLimited) else 401
        response = render(
            request, "login.html", status_code=status, next=target, email=email, error=str(error)
        )
        if isinstance(error, RateLimited):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    return see_other(target)


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    """End the session."""
    sign_out(request)
    flash(request, "Signed out.", "info")
    return see_other("/login")
