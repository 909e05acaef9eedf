"""What the page routes share: form parsing, redirects back, domain errors as flashes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from dealgraph.errors import Conflict, InvalidInput, NotFound
from dealgraph.web.templating import flash


class FormError(InvalidInput):
    """A form field could not be read (not a number, not a date)."""


def see_other(url: str) -> RedirectResponse:
    """Redirect after a POST (303), so reloading the page does not post again."""
    return RedirectResponse(url, status_code=303)


def local_path(target: str | None, default: str = "/pipeline") -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def text(form: FormData, name: str) -> str:
    """A text field, trimmed ('' when absent)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional_int(form: FormData, name: str) -> int | None:
    """An integer field, None when empty; FormError naming the field otherwise."""
    value = text(form, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise FormError(f"{value!r} is not a whole number", where=name) from None


def required_int(form: FormData, name: str) -> int:
    """An integer field that must be filled in."""
    value = optional_int(form, name)
    if value is None:
        raise FormError("is required", where=name)
    return value


def optional_date(form: FormData, name: str) -> date | None:
    """A ``YYYY-MM-DD`` field, None when empty."""
    value = text(form, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormError(f"{value!r} is not a date (YYYY-MM-DD)", where=name) from None


def int_list(form: FormData, name: str) -> list[int]:
    """Every value of a multi-select or checkbox group, as integers."""
    values: list[int] = []
    for raw in form.getlist(name):
        if isinstance(raw, str) and raw.strip():
            try:
                values.append(int(raw))
            except ValueError:
                raise FormError(f"{raw!r} is not a whole number", where=name) from None
    return values


def str_list(form: FormData, name: str) -> list[str]:
    """Every non-empty value of a multi-select or checkbox group."""
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def validation_message(error: ValidationError) -> str:
    """A pydantic error as one line naming the field: ``name: String should have …``."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "input"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


@contextmanager
def outcome(request: Request, session: Any, success: str) -> Iterator[None]:
    """Run a form's change; flash ``success``, or roll back and flash the error's message.

    Conflict (stale version, cycle), InvalidInput and NotFound of a linked record come back to
    the user as a visible message on the same page; nothing of the change is kept.
    """
    try:
        yield
    except ValidationError as error:
        session.rollback()
        flash(request, validation_message(error), "error")
    except (Conflict, InvalidInput, NotFound) as error:
        session.rollback()
        flash(request, str(error), "error")
    except ValueError as error:
        # An enum field given a value outside its vocabulary (a tampered form).
        session.rollback()
        flash(request, str(error), "error")
    else:
        flash(request, success, "ok")
