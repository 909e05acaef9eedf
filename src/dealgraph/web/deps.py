"""FastAPI dependencies shared by the API and the pages: database session, user, CSRF.

A request is authenticated either by ``Authorization: Bearer dg_...`` (scripts) or by the
signed session cookie (the browser). Cookie-authenticated writes must carry the session's
CSRF token; bearer requests cannot be forged by another site, so they skip it.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from dealgraph.core.users import User
from dealgraph.errors import AuthFailed, Forbidden, NotFound
from dealgraph.settings import Settings
from dealgraph.store.db import Database
from dealgraph.web.security import CSRF_FIELD, CSRF_HEADER, LoginLimiter

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(Exception):
    """A page needs a signed-in user; the handler redirects (303) to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path

    @property
    def location(self) -> str:
        """Where to send the browser: the sign-in page, coming back here afterwards."""
        return "/login?next=" + quote(self.next_path, safe="/")


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The workspace database the app serves."""
    database: Database = request.app.state.database
    return database


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with get_database(request).session() as session:
        yield session


def login_limiter(request: Request) -> LoginLimiter:
    """The app's sign-in rate limiter."""
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": commit before the response is sent, so a failed commit is reported.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _session_data(request: Request) -> dict[str, Any]:
    if "session" not in request.scope:
        return {}
    data: dict[str, Any] = request.session
    return data


def _cookie_user(request: Request, session: Session) -> User | None:
    """The user of a live session cookie; an expired session or inactive user is signed out."""
    from dealgraph.services.users import get_user

    data = _session_data(request)
    user_id = data.get("user_id")
    issued_at = data.get("issued_at")
    if not isinstance(user_id, int) or not isinstance(issued_at, int | float):
        return None
    max_age = get_settings(request).session_minutes * 60
    if time.time() - issued_at > max_age:
        sign_out(request)
        return None
    try:
        user = get_user(session, user_id=user_id)
    except NotFound:
        sign_out(request)
        return None
    if not user.active:
        sign_out(request)
        return None
    return user


def current_user(request: Request, session: SessionDep) -> User:
    """The user behind a bearer token or the session cookie; AuthFailed (401) otherwise."""
    from dealgraph.services.users import user_for_token

    token = bearer_token(request)
    if token is not None:
        return user_for_token(session, token=token)
    user = _cookie_user(request, session)
    if user is None:
        raise AuthFailed("sign in or send an API token")
    return user


def page_user(request: Request, session: SessionDep) -> User:
    """The signed-in user of a page; without one the browser is sent to /login."""
    user = _cookie_user(request, session)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def optional_page_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user, or None (pages that also work signed out, e.g. the login form)."""
    return _cookie_user(request, session)


CurrentUser = Annotated[User, Depends(current_user)]
PageUser = Annotated[User, Depends(page_user)]
OptionalPageUser = Annotated[User | None, Depends(optional_page_user)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (templates put it in every form)."""
    data = _session_data(request)
    token = data.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        data["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse (403) a cookie-authenticated write whose CSRF token is missing or wrong.

    The token comes from the ``X-CSRF-Token`` header or the ``csrf_token`` form field.
    Requests with a bearer token skip the check.
    """
    if bearer_token(request) is not None:
        return
    expected = _session_data(request).get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            field = form.get(CSRF_FIELD)
            given = field if isinstance(field, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


async def verify_api_csrf(request: Request) -> None:
    """CSRF for the JSON API: only writes, and only when a session cookie is in play."""
    if request.method not in UNSAFE_METHODS or bearer_token(request) is not None:
        return
    if _session_data(request).get("user_id") is None:
        return  # not signed in by cookie: the route's own authentication answers 401
    await verify_csrf(request)


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for ``user`` (a new CSRF token; any old session data dropped)."""
    data = _session_data(request)
    data.clear()
    data["user_id"] = user.id
    data["issued_at"] = int(time.time())
    data["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    """End the session (the cookie is cleared on the response)."""
    _session_data(request).clear()


def client_address(request: Request) -> str:
    """The peer address used to rate-limit sign-in."""
    return request.client.host if request.client else "unknown"


def attempt_sign_in(request: Request, session: Session, *, email: str, password: str) -> User:
    """Check the password under the rate limit and sign the user in.

    Raises RateLimited after too many failures (per client and per email) and AuthFailed
    on a wrong email or password. The login page and ``POST /api/v1/session`` both call it.
    """
    from dealgraph.services.users import authenticate

    limiter = login_limiter(request)
    client = client_address(request)
    limiter.check(client=client, email=email)
    try:
        user = authenticate(session, email=email, password=password)
    except AuthFailed:
        limiter.record_failure(client=client, email=email)
        raise
    limiter.record_success(client=client, email=email)
    sign_in(request, user)
    return user
