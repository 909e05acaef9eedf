"""Who am I, and signing in from JavaScript: ``/me`` and ``/session``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from dealgraph.web.deps import CurrentUser, SessionDep, attempt_sign_in, csrf_token, sign_out
from dealgraph.web.schemas import SessionCreate, SessionPublic, UserPublic

router = APIRouter(tags=["auth"])


@router.get("/me", response_model=UserPublic, summary="The signed-in user")
def me(user: CurrentUser) -> UserPublic:
    """The user behind the token or session cookie."""
    return UserPublic.from_user(user)


@router.post(
    "/session",
    response_model=SessionPublic,
    summary="Sign in with email and password (sets the session cookie)",
    responses={
        401: {"description": "wrong email or password"},
        429: {"description": "rate limited"},
    },
)
def create_session(body: SessionCreate, request: Request, session: SessionDep) -> SessionPublic:
    """Sign in; the answer carries the CSRF token later writes must send as X-CSRF-Token."""
    user = attempt_sign_in(request, session, email=body.email, password=body.password)
    return SessionPublic(user=UserPublic.from_user(user), csrf_token=csrf_token(request))


@router.delete("/session", status_code=204, summary="Sign out")
def delete_session(request: Request) -> Response:
    """End the cookie session."""
    sign_out(request)
    return Response(status_code=204)
