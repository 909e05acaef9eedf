"""Users (admins manage them) and the caller's own API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Response

from dealgraph.core.enums import UserRole
from dealgraph.core.users import ApiToken
from dealgraph.errors import NotFound
from dealgraph.services import users
from dealgraph.services.access import require_role
from dealgraph.web.api.common import public
from dealgraph.web.deps import CurrentUser, SessionDep
from dealgraph.web.schemas import (
    TokenCreate,
    TokenCreated,
    TokensPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
)

router = APIRouter(tags=["users"])


@router.get("/users", response_model=UsersPublic, responses={403: {"description": "admins only"}})
def list_users(session: SessionDep, user: CurrentUser) -> UsersPublic:
    """Every user (admins only)."""
    require_role(user, UserRole.ADMIN)
    found = [UserPublic.from_user(u) for u in users.list_users(session)]
    return UsersPublic(data=found, count=len(found))


@router.post(
    "/users",
    response_model=UserPublic,
    status_code=201,
    responses={
        403: {"description": "admins only"},
        409: {"description": "email or name taken"},
        422: {"description": "weak password or bad field"},
    },
)
def create_user(body: UserCreate, session: SessionDep, user: CurrentUser) -> UserPublic:
    """Add a user (admins only); the password must be at least 12 characters of mixed kinds."""
    require_role(user, UserRole.ADMIN)
    made = users.create_user(
        session,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        team=body.team,
    )
    return UserPublic.from_user(made)


@router.get("/tokens", response_model=TokensPublic)
def list_tokens(session: SessionDep, user: CurrentUser) -> TokensPublic:
    """Your API tokens, revoked ones included (never their secrets)."""
    assert user.id is not None
    found = users.list_api_tokens(session, user_id=user.id)
    return public(TokensPublic, data=found, count=len(found))


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreate, session: SessionDep, user: CurrentUser) -> TokenCreated:
    """A new API token for yourself; the secret is in this answer only."""
    assert user.id is not None
    token, secret = users.issue_api_token(session, user_id=user.id, name=body.name)
    return public(TokenCreated, token=secret, api_token=token)


@router.delete("/tokens/{token_id}", status_code=204, responses={404: {"description": "not yours"}})
def revoke_token(token_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """Revoke one of your tokens; it stops working at once."""
    token: ApiToken = users.get_api_token(session, token_id=token_id)
    if token.user_id != user.id:
        # Someone else's token is reported like a missing one: ids reveal nothing.
        raise NotFound("API token", token_id)
    users.revoke_api_token(session, token_id=token_id)
    return Response(status_code=204)
