"""The Jinja2 environment of the pages: autoescaped templates, flash messages, error pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dealgraph.web import charts

TEMPLATE_DIR = Path(__file__).parent / "templates"
FLASH_KEY = "flash"
FlashKind = Literal["ok", "error", "info", "secret"]


@cache
def environment() -> Environment:
    """The shared Jinja2 environment (autoescape on for every template)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["when"] = when
    env.filters["percent"] = percent
    env.filters["label"] = label
    env.filters["json_script"] = json_script
    env.filters["extract"] = extract
    env.globals["stance_colours"] = charts.STANCE_COLOURS
    env.globals["stance_names"] = charts.STANCE_NAMES
    env.globals["status_colours"] = charts.STATUS_COLOURS
    env.globals["role_badge"] = charts.role_badge
    return env


def money(value: float | int | None, currency: str = "") -> str:
    """``48500.5`` → ``48,501`` (with the currency code when given)."""
    if value is None:
        return "—"
    text = f"{value:,.0f}"
    return f"{currency} {text}" if currency else text


def when(value: datetime | date | None) -> str:
    """A date or time as ``2026-03-04`` / ``2026-03-04 09:30``; ``—`` when unset."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def percent(value: float | None) -> str:
    """``0.4`` → ``40%``."""
    return "—" if value is None else f"{value * 100:.0f}%"


def label(value: object) -> str:
    """An enum value or key as words: ``economic_buyer`` → ``economic buyer``."""
    text = getattr(value, "value", value)
    return str(text).replace("_", " ").replace("-", " ")


def json_script(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>``, ``&`` escaped."""
    text = json.dumps(value, default=str, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def extract(key: object, mapping: dict[object, str]) -> str:
    """The name ``mapping`` gives ``key`` (``#key`` when it has none), for ``map('extract', …)``."""
    return mapping.get(key, f"#{key}")


def flash(request: Request, message: str, kind: FlashKind = "ok") -> None:
    """Keep a message in the session for the next page the user sees (post/redirect/get)."""
    session = _session(request)
    if session is None:
        return
    pending = list(session.get(FLASH_KEY, []))
    pending.append({"kind": kind, "message": message})
    session[FLASH_KEY] = pending[-5:]


def pop_flashes(request: Request) -> list[dict[str, str]]:
    """The messages kept for this page, removed from the session."""
    session = _session(request)
    if session is None:
        return []
    messages: list[dict[str, str]] = session.pop(FLASH_KEY, [])
    return messages


def _session(request: Request) -> Any:
    if "session" not in request.scope:
        return None
    return request.session


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    json_url: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the signed-in user, the CSRF token, flashes and its JSON twin."""
    from dealgraph.web.deps import csrf_token

    user = context.pop("user", None) or getattr(request.state, "user", None)
    page = {
        "request": request,
        "user": user,
        "csrf": csrf_token(request) if _session(request) is not None else "",
        "flashes": pop_flashes(request),
        "json_url": json_url,
        "path": request.url.path,
        **context,
    }
    html = environment().get_template(template).render(page)
    return HTMLResponse(html, status_code=status_code)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """The HTML error page the app's exception handlers return to browsers."""
    titles = {
        401: "Sign-in needed",
        403: "Not yours to see",
        404: "Not found",
        409: "Conflict",
        422: "Not valid",
        429: "Too many attempts",
    }
    page: dict[str, Any] = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf": "",
        "flashes": [],
        "json_url": None,
        "path": request.url.path,
        "status": status,
        "title": titles.get(status, "Something went wrong"),
        "message": message,
    }
    html = environment().get_template("error.html").render(page)
    return HTMLResponse(html, status_code=status)
