"""Domain errors become HTTP responses here, and only here.

API paths get JSON; a browser asking for HTML on a page path gets the error page (rendered
by ``dealgraph.web.templating.render_error`` when the pages provide it, plain text if not).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from dealgraph.errors import (
    AuthFailed,
    Conflict,
    CycleError,
    Forbidden,
    ImportFailed,
    InvalidInput,
    NotFound,
    PlaybookError,
    RateLimited,
)
from dealgraph.web.deps import LoginRequired

API_PREFIX = "/api/"

Handler = Callable[[Request, Exception], Awaitable[Response]]


def wants_html(request: Request) -> bool:
    """True for a browser page request: not under /api and accepting text/html."""
    if request.url.path.startswith(API_PREFIX):
        return False
    return "text/html" in request.headers.get("accept", "")


def _html_error(request: Request, status: int, message: str) -> Response:
    try:
        from dealgraph.web import templating
    except ImportError:
        templating = None  # type: ignore[assignment]
    render_error = getattr(templating, "render_error", None)
    if render_error is None:
        return PlainTextResponse(f"{status}: {message}", status_code=status)
    response: Response = render_error(request, status, message)
    response.status_code = status
    return response


def _respond(
    request: Request,
    status: int,
    body: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_html(request):
        response = _html_error(request, status, str(body["detail"]))
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response
    return JSONResponse(body, status_code=status, headers=headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _respond(request, 404, {"detail": str(exc)})


async def _forbidden(request: Request, exc: Exception) -> Response:
    return _respond(request, 403, {"detail": str(exc) or "forbidden"})


async def _cycle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CycleError)
    return _respond(request, 409, {"detail": str(exc), "cycle": exc.cycle})


async def _conflict(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Conflict)
    return _respond(request, 409, {"detail": str(exc), "current_version": exc.current_version})


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInput | ImportFailed)
    return _respond(request, 422, {"detail": exc.message, "where": exc.where})


async def _playbook(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PlaybookError)
    problems = [problem.to_dict() for problem in exc.problems]
    # Subclasses (a plan file, a scenario) name what they are in the first line.
    head = str(exc).splitlines()[0] if str(exc) else f"{len(problems)} problem(s) in playbook"
    return _respond(request, 422, {"detail": head, "problems": problems})


async def _auth_failed(request: Request, exc: Exception) -> Response:
    headers = None if wants_html(request) else {"WWW-Authenticate": "Bearer"}
    return _respond(request, 401, {"detail": str(exc)}, headers=headers)


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    return _respond(
        request, 429, {"detail": str(exc)}, headers={"Retry-After": str(exc.retry_after)}
    )


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(exc.location, status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_html(request):
        response = _html_error(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
    return await http_exception_handler(request, exc)


HANDLERS: dict[type[Exception], Handler] = {
    NotFound: _not_found,
    Forbidden: _forbidden,
    CycleError: _cycle,
    Conflict: _conflict,
    InvalidInput: _invalid,
    ImportFailed: _invalid,
    PlaybookError: _playbook,
    AuthFailed: _auth_failed,
    RateLimited: _rate_limited,
    LoginRequired: _login_required,
    StarletteHTTPException: _http_error,
}


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per domain error (CycleError before its base Conflict)."""
    for error, handler in HANDLERS.items():
        app.add_exception_handler(error, handler)
